/**
 * Tokenizer of the visibility query language (Temporal's "List Filter"). Positions are 1-based character offsets
 * into the query so that error messages point where a person counting characters would look.
 */

/** A query the server must refuse: the server turns it into gRPC INVALID_ARGUMENT with this message. */
export class VisibilityQueryError extends Error {
  override readonly name = 'VisibilityQueryError';
}

export type TokenKind = 'ident' | 'keyword' | 'string' | 'number' | 'symbol' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Identifier name, upper-cased keyword, unescaped string value, number text or symbol. */
  value: string;
  /** The token as written, for error messages. */
  raw: string;
  pos: number;
}

// Recognised case-insensitively; a keyword in backticks is an attribute name instead.
const KEYWORDS = new Set([
  'AND', 'OR', 'NOT', 'IN', 'BETWEEN', 'IS', 'NULL', 'STARTS_WITH', 'ORDER', 'BY', 'ASC', 'DESC', 'TRUE', 'FALSE',
]);

// Same escapes as MySQL, whose grammar Temporal's parser follows; any other escaped character stands for itself.
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', '0': '\0', Z: '\x1a' };

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// Longest first so that "<=" is not read as "<" followed by "=".
const SYMBOLS = ['!=', '<>', '<=', '>=', '=', '<', '>', '(', ')', ','];

export function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const ch = query[i];
    const pos = i + 1;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') {
      const end = closingQuote(query, i);
      const raw = query.slice(i, end + 1);
      const value = unquote(raw);
      if (ch === '`' && value === '') throw new VisibilityQueryError(`empty attribute name at position ${pos}`);
      tokens.push({ kind: ch === '`' ? 'ident' : 'string', value, raw, pos });
      i = end + 1;
      continue;
    }
    const number = match(NUMBER, query, i);
    const word = number === undefined ? match(IDENT, query, i) : undefined;
    const symbol = SYMBOLS.find((s) => query.startsWith(s, i));
    if (number !== undefined) {
      tokens.push({ kind: 'number', value: number, raw: number, pos });
    } else if (word !== undefined) {
      const upper = word.toUpperCase();
      const kind = KEYWORDS.has(upper) ? 'keyword' : 'ident';
      tokens.push({ kind, value: kind === 'keyword' ? upper : word, raw: word, pos });
    } else if (symbol !== undefined) {
      // "<>" is standard SQL for "!=", which Temporal's parser also accepts.
      tokens.push({ kind: 'symbol', value: symbol === '<>' ? '!=' : symbol, raw: symbol, pos });
    } else {
      throw new VisibilityQueryError(`unexpected character "${ch}" at position ${pos}`);
    }
    i += tokens[tokens.length - 1].raw.length;
  }
  tokens.push({ kind: 'eof', value: '', raw: '', pos: query.length + 1 });
  return tokens;
}

function match(re: RegExp, text: string, at: number): string | undefined {
  re.lastIndex = at;
  return re.exec(text)?.[0];
}

/** Index of the quote closing the one at `start`: backslash escapes it, and so does doubling it (SQL style). */
function closingQuote(query: string, start: number): number {
  const quote = query[start];
  for (let i = start + 1; i < query.length; i++) {
    if (query[i] === '\\' && quote !== '`') i++;
    else if (query[i] === quote && query[i + 1] === quote) i++;
    else if (query[i] === quote) return i;
  }
  const what = quote === '`' ? 'attribute name' : 'string';
  throw new VisibilityQueryError(`unterminated ${what} starting at position ${start + 1}`);
}

function unquote(raw: string): string {
  const quote = raw[0];
  let out = '';
  for (let i = 1; i < raw.length - 1; i++) {
    const ch = raw[i];
    if (ch === '\\' && quote !== '`') out += ESCAPES[raw[++i]] ?? raw[i];
    else if (ch === quote) out += raw[++i];
    else out += ch;
  }
  return out;
}
