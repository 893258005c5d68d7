import {
  compileVisibilityQuery,
  VisibilityQueryError,
  type VisibilityRecord,
} from '../src/visibility/query';

const CUSTOM = new Map([
  ['CustomerId', 'Keyword'],
  ['Tags', 'KeywordList'],
  ['Description', 'Text'],
  ['Amount', 'Int'],
  ['Score', 'Double'],
  ['Urgent', 'Bool'],
  ['DueAt', 'Datetime'],
  ['Order', 'Keyword'],
  ['my-attr', 'Keyword'],
]);

const HOUR = 3_600_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const T0_NANOS = 1_767_225_600_000_000_000n;

function record(workflowId: string, fields: Partial<VisibilityRecord>): VisibilityRecord {
  return {
    workflowId,
    runId: `run-${workflowId}`,
    workflowType: 'orderWorkflow',
    taskQueue: 'orders',
    executionStatus: 'Running',
    startTime: T0,
    searchAttributes: {},
    ...fields,
  };
}

const RECORDS: VisibilityRecord[] = [
  record('order-a', {
    startTime: T0 + HOUR,
    searchAttributes: {
      CustomerId: 'cust-1', Tags: ['vip', 'eu'], Description: 'Rush order-processing v2', Amount: 100, Score: 4.5,
      Urgent: true, DueAt: '2026-02-01T00:00:00Z', Order: 'first',
    },
  }),
  record('order-b', {
    executionStatus: 'Completed', startTime: T0 - 24 * HOUR, closeTime: T0, executionTime: T0 - 23 * HOUR,
    searchAttributes: {
      CustomerId: 'cust-2', Tags: ['us'], Amount: 250, Score: 1.25, Urgent: false, DueAt: new Date(T0),
    },
  }),
  record('pay-c', {
    workflowType: 'paymentWorkflow', taskQueue: 'payments', executionStatus: 'Failed',
    startTime: T0 + 2 * HOUR, closeTime: T0 + 3 * HOUR, executionTime: T0 + 2 * HOUR,
  }),
  // Legacy untyped attributes arrive wrapped in lists; an empty list unsets, a wrongly typed value counts as missing.
  record('pay-d', {
    workflowType: 'paymentWorkflow', taskQueue: 'payments', executionStatus: 'TimedOut', startTime: T0 + 24 * HOUR,
    searchAttributes: { CustomerId: ['cust-1'], Tags: [], Amount: 'not a number', DueAt: 'garbage' },
  }),
];

function ids(query: string): string[] {
  const compiled = compileVisibilityQuery(query, CUSTOM);
  return RECORDS.filter((r) => compiled.matches(r)).map((r) => r.workflowId);
}

function errorOf(query: string): string {
  try {
    compileVisibilityQuery(query, CUSTOM);
  } catch (err) {
    expect(err).toBeInstanceOf(VisibilityQueryError);
    expect((err as Error).name).toBe('VisibilityQueryError');
    return (err as Error).message;
  }
  throw new Error(`query was accepted: ${query}`);
}

describe('compileVisibilityQuery', () => {
  it('matches everything with an empty query', () => {
    expect(ids('')).toEqual(['order-a', 'order-b', 'pay-c', 'pay-d']);
    expect(ids('   ')).toHaveLength(4);
    expect(compileVisibilityQuery('', CUSTOM).orderBy).toBeUndefined();
  });

  describe('comparison operators', () => {
    it.each([
      ['WorkflowType = "orderWorkflow"', ['order-a', 'order-b']],
      ['ExecutionStatus != "Running"', ['order-b', 'pay-c', 'pay-d']],
      ['RunId = "run-pay-c"', ['pay-c']],
      ['TaskQueue = "payments"', ['pay-c', 'pay-d']],
      ['Amount > 100', ['order-b']],
      ['Amount >= 100', ['order-a', 'order-b']],
      ['Amount < 250', ['order-a']],
      ['Amount <= 250', ['order-a', 'order-b']],
      ['Amount <> 100', ['order-b']],
      ['Score > 1.5', ['order-a']],
      ['Score = -1e3', []],
      ['WorkflowId < "order-b"', ['order-a']],
      ['WorkflowId >= "pay"', ['pay-c', 'pay-d']],
    ])('%s', (query, expected) => {
      expect(ids(query)).toEqual(expected);
    });

    it('IN and NOT IN', () => {
      expect(ids('ExecutionStatus IN ("Failed", "TimedOut")')).toEqual(['pay-c', 'pay-d']);
      expect(ids('WorkflowId IN ("order-b")')).toEqual(['order-b']);
      expect(ids('Amount NOT IN (100, 7)')).toEqual(['order-b']);
      expect(ids('ExecutionStatus not in ("Running", "Completed")')).toEqual(['pay-c', 'pay-d']);
    });

    it('BETWEEN and NOT BETWEEN, bounds included', () => {
      expect(ids('Amount BETWEEN 100 AND 250')).toEqual(['order-a', 'order-b']);
      expect(ids('Amount BETWEEN 101 AND 250')).toEqual(['order-b']);
      expect(ids('Amount NOT BETWEEN 101 AND 250')).toEqual(['order-a']);
      // The docs' suffix-matching idiom for Keyword.
      expect(ids('WorkflowId BETWEEN "order-" AND "order-~"')).toEqual(['order-a', 'order-b']);
    });

    it('STARTS_WITH and NOT STARTS_WITH', () => {
      expect(ids('WorkflowId STARTS_WITH "order-"')).toEqual(['order-a', 'order-b']);
      expect(ids('WorkflowType starts_with "pay"')).toEqual(['pay-c', 'pay-d']);
      expect(ids('CustomerId NOT STARTS_WITH "cust-1"')).toEqual(['order-b']);
    });

    it('IS NULL and IS NOT NULL', () => {
      expect(ids('CloseTime IS NULL')).toEqual(['order-a', 'pay-d']);
      expect(ids('CloseTime is not null')).toEqual(['order-b', 'pay-c']);
      expect(ids('CustomerId IS NULL')).toEqual(['pay-c']);
      expect(ids('Tags IS NULL')).toEqual(['pay-c', 'pay-d']);
      expect(ids('Amount IS NULL')).toEqual(['pay-c', 'pay-d']);
    });

    it('never matches a missing value, not even with != or NOT IN (SQL semantics)', () => {
      expect(ids('Amount != 100')).toEqual(['order-b']);
      expect(ids('CloseTime NOT IN (0)')).toEqual(['order-b', 'pay-c']);
      expect(ids('Urgent != true')).toEqual(['order-b']);
    });
  });

  describe('logical operators', () => {
    it('binds AND tighter than OR', () => {
      const query = 'ExecutionStatus = "Failed" OR WorkflowType = "orderWorkflow" AND ExecutionStatus = "Running"';
      expect(ids(query)).toEqual(['order-a', 'pay-c']);
      expect(ids('WorkflowType = "orderWorkflow" AND ExecutionStatus = "Running" OR ExecutionStatus = "Failed"'))
        .toEqual(['order-a', 'pay-c']);
    });

    it('lets parentheses override precedence, nested too', () => {
      const query = '(ExecutionStatus = "Failed" OR WorkflowType = "orderWorkflow") AND ExecutionStatus = "Running"';
      expect(ids(query)).toEqual(['order-a']);
      const nested = '((WorkflowId = "pay-c") or (WorkflowId = "pay-d" and (Amount is null)))';
      expect(ids(nested)).toEqual(['pay-c', 'pay-d']);
    });

    it('runs the documented example', () => {
      const query = 'WorkflowType = "orderWorkflow" and ExecutionStatus != "Running" and ' +
        '(StartTime > "2025-12-31T00:00:00.000-08:00" or CloseTime > "2025-12-31T15:46:34-08:00")';
      expect(ids(query)).toEqual(['order-b']);
    });
  });

  describe('lexical details', () => {
    const one = (fields: Partial<VisibilityRecord>, query: string): boolean =>
      compileVisibilityQuery(query, CUSTOM).matches(record('x', fields));

    it('accepts single and double quotes with backslash and doubled-quote escapes', () => {
      expect(ids("WorkflowType = 'orderWorkflow'")).toEqual(['order-a', 'order-b']);
      expect(one({ workflowType: `it's "q"` }, `WorkflowType = 'it\\'s "q"'`)).toBe(true);
      expect(one({ workflowType: `it's "q"` }, `WorkflowType = 'it''s "q"'`)).toBe(true);
      expect(one({ workflowType: `it's "q"` }, `WorkflowType = "it's \\"q\\""`)).toBe(true);
      expect(one({ workflowType: 'a\\b\nc' }, 'WorkflowType = "a\\\\b\\nc"')).toBe(true);
      expect(one({ workflowType: 'AND' }, 'WorkflowType = "AND"')).toBe(true);
    });

    it('reads keywords case-insensitively but attribute names case-sensitively', () => {
      expect(errorOf('workflowtype = "x"')).toContain('unknown search attribute "workflowtype"');
      expect(ids('WorkflowType = "orderWorkflow" aNd ExecutionStatus In ("Running")')).toEqual(['order-a']);
    });

    it('accepts attribute names in backticks, including keywords and other characters', () => {
      expect(ids('`WorkflowId` = "pay-c"')).toEqual(['pay-c']);
      expect(ids('`Order` = "first"')).toEqual(['order-a']);
      expect(one({ searchAttributes: { 'my-attr': 'v' } }, '`my-attr` = "v"')).toBe(true);
    });
  });

  describe('datetimes', () => {
    it('compares RFC3339 strings with offsets and fractions', () => {
      expect(ids('StartTime > "2026-01-01T00:30:00+01:00"')).toEqual(['order-a', 'pay-c', 'pay-d']);
      expect(ids('StartTime = "2026-01-01T01:00:00Z"')).toEqual(['order-a']);
      expect(ids('StartTime = "2026-01-01T02:00:00.000+01:00"')).toEqual(['order-a']);
      expect(ids('StartTime = "2026-01-01T01:00:00.000000001Z"')).toEqual([]);
      expect(ids('StartTime < "2026-01-01T01:00:00.000000001Z" AND StartTime > "2025-12-31T01:00:00Z"'))
        .toEqual(['order-a']);
    });

    it('accepts integer epoch nanoseconds, read exactly', () => {
      const anHourLater = T0_NANOS + 3_600_000_000_000n;
      expect(ids(`StartTime = ${anHourLater}`)).toEqual(['order-a']);
      expect(ids(`StartTime > ${anHourLater}`)).toEqual(['pay-c', 'pay-d']);
      expect(ids(`StartTime BETWEEN ${anHourLater + 1n} AND ${anHourLater + 3_600_000_000_000n}`)).toEqual(['pay-c']);
    });

    it('handles CloseTime, ExecutionTime and custom Datetime values (string, Date)', () => {
      expect(ids('CloseTime >= "2026-01-01T00:00:00Z"')).toEqual(['order-b', 'pay-c']);
      expect(ids('ExecutionTime BETWEEN "2025-12-31T00:00:00Z" AND "2026-01-01T00:00:00Z"')).toEqual(['order-b']);
      expect(ids('DueAt >= "2026-01-01T00:00:00Z"')).toEqual(['order-a', 'order-b']);
      expect(ids(`DueAt = ${T0_NANOS}`)).toEqual(['order-b']);
    });
  });

  describe('custom attributes', () => {
    it('compares Keyword, Int, Double and Bool', () => {
      expect(ids('CustomerId = "cust-1"')).toEqual(['order-a', 'pay-d']);
      expect(ids('Amount = 100 AND Score = 4.5 AND Urgent = true')).toEqual(['order-a']);
      expect(ids('Urgent = FALSE')).toEqual(['order-b']);
      expect(ids('Urgent IN (true, false)')).toEqual(['order-a', 'order-b']);
      expect(ids('Score < 2')).toEqual(['order-b']);
    });

    it('matches Text word by word, case-insensitively', () => {
      expect(ids('Description = "processing"')).toEqual(['order-a']);
      expect(ids('Description = "RUSH"')).toEqual(['order-a']);
      expect(ids('Description = "proc"')).toEqual([]);
      expect(ids('Description = "other-v2"')).toEqual(['order-a']);
      expect(ids('Description != "rush"')).toEqual([]);
      expect(ids('Description != "slow"')).toEqual(['order-a']);
    });

    it('treats = on a KeywordList as "contains"', () => {
      expect(ids('Tags = "vip"')).toEqual(['order-a']);
      expect(ids('Tags = "eu"')).toEqual(['order-a']);
      expect(ids('Tags != "vip"')).toEqual(['order-b']);
      expect(ids('Tags IN ("us", "eu")')).toEqual(['order-a', 'order-b']);
      expect(ids('Tags NOT IN ("vip", "nope")')).toEqual(['order-b']);
    });

    it('accepts ExecutionStatus as its numeric enum value', () => {
      expect(ids('ExecutionStatus = 1')).toEqual(['order-a']);
      expect(ids('ExecutionStatus IN (2, 7)')).toEqual(['order-b', 'pay-d']);
    });
  });

  describe('ORDER BY', () => {
    it('parses fields and directions, with or without a filter', () => {
      expect(compileVisibilityQuery('ORDER BY StartTime', CUSTOM).orderBy)
        .toEqual([{ field: 'StartTime', desc: false }]);
      const compiled = compileVisibilityQuery('WorkflowId = "pay-c" order by CloseTime desc, `Amount` ASC', CUSTOM);
      expect(compiled.orderBy).toEqual([{ field: 'CloseTime', desc: true }, { field: 'Amount', desc: false }]);
      expect(RECORDS.filter((r) => compiled.matches(r)).map((r) => r.workflowId)).toEqual(['pay-c']);
      expect(compileVisibilityQuery('WorkflowId = "x"', CUSTOM).orderBy).toBeUndefined();
    });
  });

  describe('errors', () => {
    it.each([
      ['ExecutionStatus AND', 'unexpected token "AND" at position 17; expected an operator'],
      ['WorkflowId =', 'unexpected end of query at position 13; expected a value'],
      ['WorkflowId = orderWorkflow', 'unexpected token "orderWorkflow" at position 14; expected a value (strings must'],
      ['WorkflowId = "a" AND', 'unexpected end of query at position 21; expected a search attribute name'],
      ['WorkflowId = "a" LIMIT 10', 'unexpected token "LIMIT" at position 18; expected AND, OR, ORDER BY or end'],
      ['(WorkflowId = "a"', 'unexpected end of query at position 18; expected ")"'],
      ['WorkflowId IN "a"', 'unexpected token ""a"" at position 15; expected "("'],
      ['Amount BETWEEN 1 OR 2', 'unexpected token "OR" at position 18; expected AND'],
      ['CloseTime IS 5', 'unexpected token "5" at position 14; expected NULL'],
      ['WorkflowId NOT = "a"', 'unexpected token "=" at position 16; expected IN, BETWEEN or STARTS_WITH'],
      ['= "a"', 'unexpected token "=" at position 1; expected a search attribute name'],
      ['ORDER StartTime', 'unexpected token "StartTime" at position 7; expected BY'],
      ['ORDER BY StartTime DESC WorkflowId', 'unexpected token "WorkflowId" at position 25; expected "," or end'],
      ['NOT WorkflowId = "a"', 'NOT at position 1 is not supported before an expression'],
      ['WorkflowId = "a" AND NOT (Amount = 1)', 'NOT at position 22 is not supported'],
      ['WorkflowId = "abc', 'unterminated string starting at position 14'],
      ["WorkflowId = 'it\\'", 'unterminated string starting at position 14'],
      ['`WorkflowId = "a"', 'unterminated attribute name starting at position 1'],
      ['`` = "a"', 'empty attribute name at position 1'],
      ['WorkflowId = "a"; DROP', 'unexpected character ";" at position 17'],
      ['Foo = "x"', 'unknown search attribute "Foo" at position 1'],
      ['ORDER BY Foo', 'unknown search attribute "Foo" at position 10'],
      ['StartTime > "xyz"', 'invalid datetime "xyz" for StartTime at position 13'],
      ['CloseTime < "2026-02-30T00:00:00Z"', 'invalid datetime "2026-02-30T00:00:00Z" for CloseTime'],
      ['StartTime > "2026-01-01 00:00:00"', 'invalid datetime "2026-01-01 00:00:00" for StartTime'],
      ['DueAt > 1.5', 'invalid datetime 1.5 for DueAt'],
      ['ExecutionTime = true', 'invalid datetime true for ExecutionTime'],
      ['ExecutionStatus = "Sleeping"', 'invalid value "Sleeping" at position 19 for search attribute "ExecutionStatus'],
      ['ExecutionStatus = 9', 'expected one of Running, Completed, Failed, Canceled, Terminated, ContinuedAsNew'],
      ['Amount = "5"', 'invalid value "5" at position 10 for search attribute "Amount" of type Int; expected a number'],
      ['WorkflowId = 5', 'search attribute "WorkflowId" of type Keyword; expected a quoted string'],
      ['Urgent = 1', 'search attribute "Urgent" of type Bool; expected true or false'],
      ['Description = " - "', 'search attribute "Description" of type Text; expected a string with at least one word'],
      ['Tags IN ("a", 1)', 'invalid value 1 at position 15 for search attribute "Tags"'],
      ['Amount STARTS_WITH "1"', 'operator STARTS_WITH is not supported for search attribute "Amount" of type Int'],
      ['Tags > "a"', 'operator > is not supported for search attribute "Tags" of type KeywordList'],
      ['Description IN ("a")', 'operator IN is not supported for search attribute "Description" of type Text'],
      ['Urgent NOT BETWEEN true AND false', 'operator NOT BETWEEN is not supported for search attribute "Urgent"'],
      ['ORDER BY Description', 'cannot ORDER BY search attribute "Description" of type Text'],
    ])('%s', (query, message) => {
      expect(errorOf(query)).toContain(message);
    });

    it('refuses an attribute whose type it does not know', () => {
      const custom = new Map([['Weird', 'Unspecified']]);
      expect(() => compileVisibilityQuery('Weird = "a"', custom))
        .toThrow('search attribute "Weird" has unsupported type "Unspecified"');
    });
  });
});
