import fc from 'fast-check';
import { survivesAsDouble } from '../../src/api/exact-number';
import { JsonProblem, parseStrictJson } from '../../src/api/json-parser';

const MAX_DEPTH = 32;

/** What parseStrictJson makes of `text`: the value, or the problem it reports (anything else thrown fails the test). */
function strict(text: string): { value: unknown } | { problem: JsonProblem } {
  try {
    return { value: parseStrictJson(text, MAX_DEPTH) };
  } catch (err) {
    if (err instanceof JsonProblem) return { problem: err };
    throw err;
  }
}

function native(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

// Code units rather than code points: lone surrogates and broken escapes are part of what is generated.
const codeUnits = fc.string({ unit: fc.oneof(fc.constantFrom(...'{}[]":,\\ -.eE0123456789tfnrul'), fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c))) });
// JSON texts with a character changed, dropped or inserted: mostly invalid, sometimes valid in a new way.
const mutatedJson = fc
  .tuple(fc.json({ maxDepth: 6 }), fc.nat(), codeUnits)
  .map(([text, at, insert]) => {
    const i = at % (text.length + 1);
    return `${text.slice(0, i)}${insert}${text.slice(i + (at % 2))}`;
  });

describe('the strict JSON parser', () => {
  it('agrees with JSON.parse on every document it accepts, and refuses every one JSON.parse refuses', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json({ maxDepth: 8 }), mutatedJson, codeUnits), (text) => {
        const ours = strict(text);
        const theirs = native(text);
        if ('value' in ours) {
          expect(theirs).toEqual({ value: ours.value });
        } else if (theirs) {
          // Valid JSON refused on purpose: each reason is one of the things JSON.parse would silently change.
          expect(ours.problem.reason).toMatch(/more digits than a double|unpaired UTF-16 surrogate|reserved key|more than once|nested too deeply/);
        }
        // Invalid JSON is refused too, with the first problem in document order (which may come before the syntax error).
      }),
      { numRuns: 3000 },
    );
  });

  /** fast-check's JSON includes `__proto__` keys now and then, which the parser refuses on purpose (tested above). */
  const hasProtoKey = (value: unknown): boolean =>
    value !== null &&
    typeof value === 'object' &&
    (Object.prototype.hasOwnProperty.call(value, '__proto__') || Object.values(value).some(hasProtoKey));

  it('takes any JSON.stringify output of plain data within the depth limit, unchanged', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 10 }).filter((value) => !hasProtoKey(value)), fc.constantFrom(undefined, 2, '\t'), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        expect(strict(text)).toEqual({ value: JSON.parse(text) });
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['{"a":1,}', 'is not valid JSON'],
    ['{"a" 1}', 'is not valid JSON'],
    ['[1 2]', 'is not valid JSON'],
    ['"\\x"', 'is not valid JSON'],
    ['"a\nb"', 'is not valid JSON'],
    ['01', 'is not valid JSON'],
    ['{"a":1}x', 'is not valid JSON'],
    ['', 'is not valid JSON'],
  ])('refuses %j: %s', (text, reason) => {
    expect(strict(text)).toEqual({ problem: expect.objectContaining({ path: [], reason: expect.stringContaining(reason) }) });
  });
});

/** The integer a number's shortest text (String(1.5e+21)) denotes, digit for digit. */
function integerOf(text: string): bigint {
  const [mantissa, exponent = '0'] = text.split('e');
  const [whole, fraction = ''] = mantissa.split('.');
  return BigInt(`${whole}${fraction}`) * 10n ** BigInt(Number(exponent) - fraction.length);
}

describe('survivesAsDouble', () => {
  it('is true exactly when an integer prints back from its double as the same integer', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }), (n) => {
        expect(survivesAsDouble(String(n))).toBe(integerOf(String(Number(n))) === n);
      }),
      { numRuns: 500 },
    );
  });

  it('is true for the shortest text of every finite double, in any notation', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
        expect(survivesAsDouble(String(d))).toBe(true);
        expect(survivesAsDouble(JSON.stringify(d))).toBe(true);
        expect(survivesAsDouble(d.toExponential().replace('e+', 'e'))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['2.50', true],
    ['25e-1', true],
    ['-0', true],
    ['0e999', true],
    ['0.30000000000000004', true],
    ['0.3000000000000000444', false],
    ['9007199254740993', false],
    ['1e400', false],
    ['1e-400', false],
  ])('%s → %s', (text, exact) => {
    expect(survivesAsDouble(text)).toBe(exact);
  });
});
