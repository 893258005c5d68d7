import { survivesAsDouble } from './exact-number';

/** Where a value sits in a JSON document: object keys and array indexes from the top. */
export type JsonPath = (string | number)[];

/** Why a JSON text was refused, and where: `path` is empty for the document as a whole. */
export class JsonProblem extends Error {
  override readonly name = 'JsonProblem';
  constructor(
    readonly path: JsonPath,
    readonly reason: string,
  ) {
    super(reason);
  }
}

// An unpaired surrogate (from an escape such as \ud800) cannot be stored: Postgres text replaces it with U+FFFD
// and jsonb refuses it.
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const SURROGATE_REASON = 'contains an unpaired UTF-16 surrogate (an escape such as \\ud800 without its pair)';
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;
const LITERALS = [
  ['true', true],
  ['false', false],
  ['null', null],
] as const;

/**
 * A strict JSON parser that refuses, rather than alters, what JSON.parse would silently change or what could not be
 * stored as sent: numbers whose digits do not survive a double, unpaired surrogates, duplicate keys (JSON.parse
 * keeps the last), `__proto__` keys (dropped when the object is copied), and nesting deeper than `maxDepth` (which
 * also keeps the recursion here and in later walks over the value bounded).
 */
class StrictJsonParser {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  document(): unknown {
    const value = this.value([], 0);
    this.skipWhitespace();
    if (this.pos < this.text.length) this.syntaxError('after the end of the document');
    return value;
  }

  private value(path: JsonPath, depth: number): unknown {
    this.skipWhitespace();
    const char = this.text[this.pos];
    if (char === '{' || char === '[') {
      if (depth >= this.maxDepth) {
        // The field named is the top-level one: the full path of a too-deep value is as long as the nesting itself.
        throw new JsonProblem(path.slice(0, 1), `is nested too deeply: objects and arrays may nest ${this.maxDepth} levels deep at most`);
      }
      return char === '{' ? this.object(path, depth + 1) : this.array(path, depth + 1);
    }
    if (char === '"') {
      const text = this.string();
      if (UNPAIRED_SURROGATE.test(text)) throw new JsonProblem(path, SURROGATE_REASON);
      return text;
    }
    if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) return this.number(path);
    for (const [literal, value] of LITERALS) {
      if (this.text.startsWith(literal, this.pos)) {
        this.pos += literal.length;
        return value;
      }
    }
    return this.syntaxError();
  }

  private object(path: JsonPath, depth: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    this.pos += 1;
    if (this.consume('}')) return result;
    do {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.syntaxError('where a key was expected');
      const key = this.string();
      if (UNPAIRED_SURROGATE.test(key)) throw new JsonProblem(path, `has a key that ${SURROGATE_REASON}`);
      const keyPath = [...path, key];
      if (key === '__proto__') throw new JsonProblem(keyPath, 'is a reserved key name that cannot be stored');
      if (Object.hasOwn(result, key)) throw new JsonProblem(keyPath, 'is given more than once');
      if (!this.consume(':')) this.syntaxError('where a colon was expected');
      result[key] = this.value(keyPath, depth);
    } while (this.consume(','));
    if (!this.consume('}')) this.syntaxError('where a comma or } was expected');
    return result;
  }

  private array(path: JsonPath, depth: number): unknown[] {
    const result: unknown[] = [];
    this.pos += 1;
    if (this.consume(']')) return result;
    do {
      result.push(this.value([...path, result.length], depth));
    } while (this.consume(','));
    if (!this.consume(']')) this.syntaxError('where a comma or ] was expected');
    return result;
  }

  /** Finds the end of the string literal at `pos` and lets JSON.parse decode it (escapes, control characters). */
  private string(): string {
    const start = this.pos;
    let end = start + 1;
    while (end < this.text.length && this.text[end] !== '"') end += this.text[end] === '\\' ? 2 : 1;
    if (end >= this.text.length) this.syntaxError('(a string is not closed)');
    this.pos = end + 1;
    try {
      return JSON.parse(this.text.slice(start, end + 1)) as string;
    } catch {
      this.pos = start;
      return this.syntaxError('(a string has a bad escape or a raw control character)');
    }
  }

  private number(path: JsonPath): number {
    NUMBER.lastIndex = this.pos;
    const text = NUMBER.exec(this.text)?.[0];
    if (text === undefined) return this.syntaxError();
    this.pos += text.length;
    if (!survivesAsDouble(text)) {
      throw new JsonProblem(
        path,
        `is the number ${text.length > 40 ? `${text.slice(0, 40)}…` : text}, which has more digits than a double ` +
          `holds (it would become ${String(Number(text))}); send it as a decimal string`,
      );
    }
    return Number(text);
  }

  private consume(char: string): boolean {
    this.skipWhitespace();
    if (this.text[this.pos] !== char) return false;
    this.pos += 1;
    return true;
  }

  private skipWhitespace(): void {
    WHITESPACE.lastIndex = this.pos;
    WHITESPACE.exec(this.text);
    this.pos = WHITESPACE.lastIndex;
  }

  private syntaxError(where = ''): never {
    const found = this.pos < this.text.length ? `unexpected ${JSON.stringify(this.text[this.pos])}` : 'unexpected end';
    throw new JsonProblem([], `is not valid JSON: ${found} at position ${this.pos}${where ? ` ${where}` : ''}`);
  }
}

/** Parses `text` as JSON, or throws a JsonProblem naming what was refused and where. */
export function parseStrictJson(text: string, maxDepth: number): unknown {
  return new StrictJsonParser(text, maxDepth).document();
}
