/**
 * Turns a parsed List Filter into a predicate over in-memory visibility records, refusing at compile time what
 * Temporal's server refuses: unknown attributes, operators that do not suit the attribute's type, values of the wrong
 * type. Datetimes are compared as epoch nanoseconds (bigint) because queries may carry nanosecond precision.
 */
import { VisibilityQueryError } from './lexer';
import type { AttrRef, Expr, Literal, Operator } from './parser';
import type { VisibilityRecord } from './query';

type SaType = 'Keyword' | 'KeywordList' | 'Text' | 'Int' | 'Double' | 'Bool' | 'Datetime';
/** One value, in a representation where values of the same attribute type compare with JS operators. */
type Scalar = string | number | boolean | bigint;
export type Matcher = (record: VisibilityRecord) => boolean;

interface Attribute {
  name: string;
  type: SaType;
  read(record: VisibilityRecord): unknown;
}

const SA_TYPES: ReadonlySet<string> = new Set(['Keyword', 'KeywordList', 'Text', 'Int', 'Double', 'Bool', 'Datetime']);
const isSaType = (type: string): type is SaType => SA_TYPES.has(type);
const SYSTEM = new Map<string, Omit<Attribute, 'name'>>([
  ['WorkflowId', { type: 'Keyword', read: (r) => r.workflowId }],
  ['RunId', { type: 'Keyword', read: (r) => r.runId }],
  ['WorkflowType', { type: 'Keyword', read: (r) => r.workflowType }],
  ['ExecutionStatus', { type: 'Keyword', read: (r) => r.executionStatus }],
  ['TaskQueue', { type: 'Keyword', read: (r) => r.taskQueue }],
  ['StartTime', { type: 'Datetime', read: (r) => r.startTime }],
  ['CloseTime', { type: 'Datetime', read: (r) => r.closeTime }],
  ['ExecutionTime', { type: 'Datetime', read: (r) => r.executionTime }],
]);
// In enum order, so that the numeric form of a status (1 = Running ...) is its index + 1.
const STATUSES: readonly string[] = [
  'Running', 'Completed', 'Failed', 'Canceled', 'Terminated', 'ContinuedAsNew', 'TimedOut',
];

// The operators Temporal's server allows per type (IS [NOT] NULL suits every type).
const ORDERED: readonly Operator[] = ['=', '!=', '<', '<=', '>', '>=', 'IN', 'NOT IN', 'BETWEEN', 'NOT BETWEEN'];
const EQUALITY: readonly Operator[] = ['=', '!=', 'IN', 'NOT IN'];
const OPERATORS: Record<SaType, readonly Operator[]> = {
  Keyword: [...ORDERED, 'STARTS_WITH', 'NOT STARTS_WITH'], Int: ORDERED, Double: ORDERED, Datetime: ORDERED,
  KeywordList: EQUALITY, Bool: EQUALITY, Text: ['=', '!='],
};
type PositiveOp = '=' | '<' | '<=' | '>' | '>=' | 'IN' | 'BETWEEN' | 'STARTS_WITH';
const POSITIVE: Record<Exclude<Operator, 'IS NULL' | 'IS NOT NULL'>, [PositiveOp, boolean]> = {
  '=': ['=', false], '!=': ['=', true], '<': ['<', false], '<=': ['<=', false], '>': ['>', false],
  '>=': ['>=', false], IN: ['IN', false], 'NOT IN': ['IN', true], BETWEEN: ['BETWEEN', false],
  'NOT BETWEEN': ['BETWEEN', true], STARTS_WITH: ['STARTS_WITH', false], 'NOT STARTS_WITH': ['STARTS_WITH', true],
};

export function resolveAttribute(ref: AttrRef, custom: ReadonlyMap<string, string>): Attribute {
  // System attributes are reserved: a custom attribute cannot shadow them.
  const system = SYSTEM.get(ref.name);
  if (system) return { name: ref.name, ...system };
  const type = custom.get(ref.name);
  if (type === undefined) {
    throw new VisibilityQueryError(`unknown search attribute "${ref.name}" at position ${ref.pos}`);
  }
  if (!isSaType(type)) {
    throw new VisibilityQueryError(`search attribute "${ref.name}" has unsupported type "${type}"`);
  }
  const read = (r: VisibilityRecord): unknown =>
    Object.hasOwn(r.searchAttributes, ref.name) ? r.searchAttributes[ref.name] : undefined;
  return { name: ref.name, type, read };
}

export function compileExpr(expr: Expr, custom: ReadonlyMap<string, string>): Matcher {
  if (expr.kind !== 'predicate') {
    const left = compileExpr(expr.left, custom);
    const right = compileExpr(expr.right, custom);
    return expr.kind === 'and' ? (r) => left(r) && right(r) : (r) => left(r) || right(r);
  }
  const attr = resolveAttribute(expr.attr, custom);
  if (expr.op === 'IS NULL') return (r) => valuesOf(attr, r).length === 0;
  if (expr.op === 'IS NOT NULL') return (r) => valuesOf(attr, r).length > 0;
  if (!OPERATORS[attr.type].includes(expr.op)) {
    throw new VisibilityQueryError(
      `operator ${expr.op} is not supported for search attribute "${attr.name}" of type ${attr.type} ` +
        `(at position ${expr.attr.pos})`,
    );
  }
  const [op, negated] = POSITIVE[expr.op];
  const test = valueTest(attr.type, op, expr.values.map((v) => fromLiteral(attr, v)));
  // SQL semantics, as in Temporal's SQL visibility stores: a missing value satisfies no comparison, not even
  // != or NOT IN. Several values (KeywordList) match when any does; the negated operators when none does.
  return (r) => {
    const values = valuesOf(attr, r);
    return values.length > 0 && values.some(test) !== negated;
  };
}

function valueTest(type: SaType, op: PositiveOp, operands: Scalar[]): (value: Scalar) => boolean {
  const [first, second] = operands;
  switch (op) {
    case '=':
      if (type === 'Text') {
        // Text matches word by word: any word of the query equal to any word of the value.
        const words = new Set(wordsOf(String(first)));
        return (v) => wordsOf(String(v)).some((w) => words.has(w));
      }
      return (v) => v === first;
    case '<': return (v) => v < first;
    case '<=': return (v) => v <= first;
    case '>': return (v) => v > first;
    case '>=': return (v) => v >= first;
    case 'IN': return (v) => operands.includes(v);
    case 'BETWEEN': return (v) => v >= first && v <= second;
    case 'STARTS_WITH': return (v) => String(v).startsWith(String(first));
  }
}

/**
 * The attribute's values in a record, as a list: KeywordList holds several, and SDKs' legacy untyped search
 * attributes wrap any value in a list. Absent, null, empty-list (how an attribute is unset) and wrongly typed values
 * all count as missing.
 */
function valuesOf(attr: Attribute, record: VisibilityRecord): Scalar[] {
  const raw = attr.read(record);
  const list: unknown[] = Array.isArray(raw) ? raw : [raw];
  return list.map((v) => fromRecord(attr.type, v)).filter((v): v is Scalar => v !== undefined);
}

function fromRecord(type: SaType, raw: unknown): Scalar | undefined {
  switch (type) {
    case 'Int':
    case 'Double':
      return typeof raw === 'number' ? raw : undefined;
    case 'Bool':
      return typeof raw === 'boolean' ? raw : undefined;
    case 'Datetime':
      return recordDatetime(raw);
    default:
      return typeof raw === 'string' ? raw : undefined;
  }
}

/** Records hold epoch milliseconds (system times), Date objects or RFC3339 strings (decoded payloads). */
function recordDatetime(raw: unknown): bigint | undefined {
  if (typeof raw === 'string') return parseRfc3339(raw);
  const ms = raw instanceof Date ? raw.getTime() : raw;
  // BigInt() throws on NaN and Infinity (an invalid Date); such a value is as good as missing.
  return typeof ms === 'number' && Number.isFinite(ms) ? msToNanos(ms) : undefined;
}

function fromLiteral(attr: Attribute, literal: Literal): Scalar {
  const shown = literal.kind === 'string' ? JSON.stringify(literal.value) : literal.raw;
  const invalid = (expected: string): VisibilityQueryError =>
    new VisibilityQueryError(
      `invalid value ${shown} at position ${literal.pos} for search attribute "${attr.name}" of type ${attr.type}; ` +
        `expected ${expected}`,
    );
  if (attr.type === 'Datetime') {
    // The docs allow RFC3339Nano strings or epoch nanoseconds; the digits are read exactly, not through a double.
    const nanos = literal.kind === 'string' ? parseRfc3339(literal.value)
      : literal.kind === 'number' && /^-?\d+$/.test(literal.raw) ? BigInt(literal.raw) : undefined;
    if (nanos !== undefined) return nanos;
    throw new VisibilityQueryError(
      `invalid datetime ${shown} for ${attr.name} at position ${literal.pos}; ` +
        'expected an RFC3339 string such as "2026-01-01T00:00:00Z" or integer epoch nanoseconds',
    );
  }
  if (attr.name === 'ExecutionStatus') {
    // Like the server, accept the status name or its numeric enum value.
    const status = literal.kind === 'number' ? STATUSES[literal.value - 1] : String(literal.value);
    if (status !== undefined && STATUSES.includes(status)) return status;
    throw invalid(`one of ${STATUSES.join(', ')}`);
  }
  if (attr.type === 'Int' || attr.type === 'Double') {
    if (literal.kind === 'number') return literal.value;
    throw invalid('a number');
  }
  if (attr.type === 'Bool') {
    if (literal.kind === 'bool') return literal.value;
    throw invalid('true or false');
  }
  if (literal.kind !== 'string') throw invalid('a quoted string');
  if (attr.type === 'Text' && wordsOf(literal.value).length === 0) throw invalid('a string with at least one word');
  return literal.value;
}

/** Approximates the Elasticsearch standard analyzer used for Text: lower-cased runs of letters, digits and "_". */
function wordsOf(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}_]+/u).filter((w) => w !== '');
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|([+-])(\d{2}):(\d{2}))$/;

/** RFC3339 with up to nanosecond fractions (Go's RFC3339Nano, which the server parses) to epoch nanoseconds. */
function parseRfc3339(text: string): bigint | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls over out-of-range fields (Feb 30 -> Mar 2) and maps years below 100 to 19xx; a valid date
  // survives the round trip.
  const d = new Date(ms);
  const sameDate = d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
  if (!sameDate || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const offsetMinutes = m[8] === 'Z' ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  const fraction = BigInt((m[7] ?? '').padEnd(9, '0'));
  return msToNanos(ms - offsetMinutes * 60_000) + fraction;
}

function msToNanos(ms: number): bigint {
  // BigInt() throws on fractions; epoch milliseconds are meant to be whole anyway.
  return BigInt(Math.round(ms)) * 1_000_000n;
}
