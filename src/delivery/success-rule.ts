import vm from 'node:vm';

/**
 * A publisher's success rule: besides a 2xx status, what the answer's body must be. Offerwalls often answer `1` or
 * `OK` on success and a 200 with an error text otherwise; without a rule, any 2xx is a success.
 */
export type SuccessRule =
  | { type: 'equals'; value: string }
  | { type: 'regex'; pattern: string }
  | { type: 'jsonField'; path: string; value: string | number | boolean | null };

/**
 * How long one regex may run on one answer. The publisher writes the pattern and its endpoint writes the body: a
 * pattern with nested quantifiers (`(a+)+$`) backtracks exponentially, and the 4 KB cap on the snippet does not
 * bound that (2^4096 steps). The regex therefore runs in a vm context whose timeout interrupts it (V8 checks for
 * interrupts while backtracking), so one publisher cannot stall the worker's event loop.
 */
const REGEX_TIMEOUT_MS = 100;

const regexContext = vm.createContext({ pattern: '', body: '' });
const regexTest = new vm.Script('new RegExp(pattern).test(body)');

/** True when `pattern` matches `body`; throws ERR_SCRIPT_EXECUTION_TIMEOUT past REGEX_TIMEOUT_MS. */
function regexMatches(pattern: string, body: string): boolean {
  Object.assign(regexContext, { pattern, body });
  try {
    return regexTest.runInContext(regexContext, { timeout: REGEX_TIMEOUT_MS }) === true;
  } finally {
    // The context must not keep a 4 KB body alive until the next evaluation.
    Object.assign(regexContext, { pattern: '', body: '' });
  }
}

/** The value at a dot-separated path of own keys (`data.status`, `items.0.ok`), or undefined when absent. */
function fieldAt(document: unknown, path: string): unknown {
  let value = document;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function parsedJson(body: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    return { ok: false };
  }
}

/**
 * Why `body` (the answer's snippet, at most 4 KB) breaks `rule`, or undefined when it keeps it. `equals` compares
 * without the surrounding whitespace (`OK\n` is `OK`); `regex` tests the body as received; `jsonField` parses the
 * body as JSON and compares the field's value strictly (`1` is not `"1"`, a missing field is not `null`).
 */
export function successRuleBreach(rule: SuccessRule, body: string): string | undefined {
  switch (rule.type) {
    case 'equals':
      return body.trim() === rule.value ? undefined : `the body is not ${JSON.stringify(rule.value)}`;
    case 'regex':
      try {
        return regexMatches(rule.pattern, body) ? undefined : `the body does not match /${rule.pattern}/`;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
          return `the success rule's regex ran longer than ${REGEX_TIMEOUT_MS} ms on the body`;
        }
        throw err;
      }
    case 'jsonField': {
      const json = parsedJson(body);
      if (!json.ok) return `the body is not JSON (the success rule expects ${rule.path} = ${JSON.stringify(rule.value)})`;
      return fieldAt(json.value, rule.path) === rule.value ? undefined : `the body's ${rule.path} is not ${JSON.stringify(rule.value)}`;
    }
  }
}
