/**
 * Recursive-descent parser of the List Filter grammar, syntax only (attribute names and value types are checked by
 * evaluate.ts):
 *
 *   query     := [or] [ORDER BY attr [ASC|DESC] {, attr [ASC|DESC]}]
 *   or        := and {OR and}                       -- AND binds tighter than OR
 *   and       := primary {AND primary}
 *   primary   := ( or ) | predicate                 -- no unary NOT: the List Filter docs do not list it
 *   predicate := attr (= | != | <> | < | <= | > | >=) value
 *              | attr [NOT] IN ( value {, value} ) | attr [NOT] BETWEEN value AND value
 *              | attr [NOT] STARTS_WITH value       | attr IS [NOT] NULL
 */
import { type Token, VisibilityQueryError, tokenize } from './lexer';

export type Operator =
  | '=' | '!=' | '<' | '<=' | '>' | '>='
  | 'IN' | 'NOT IN' | 'BETWEEN' | 'NOT BETWEEN' | 'STARTS_WITH' | 'NOT STARTS_WITH' | 'IS NULL' | 'IS NOT NULL';

export type Literal =
  | { kind: 'string'; value: string; raw: string; pos: number }
  | { kind: 'number'; value: number; raw: string; pos: number }
  | { kind: 'bool'; value: boolean; raw: string; pos: number };

export interface AttrRef {
  name: string;
  pos: number;
}

export type Expr =
  | { kind: 'and' | 'or'; left: Expr; right: Expr }
  | { kind: 'predicate'; attr: AttrRef; op: Operator; values: Literal[] };

export interface ParsedQuery {
  where?: Expr;
  orderBy: { attr: AttrRef; desc: boolean }[];
}

const COMPARISONS: ReadonlySet<string> = new Set(['=', '!=', '<', '<=', '>', '>=']);
const isComparison = (symbol: string): symbol is Operator => COMPARISONS.has(symbol);

export function parseQuery(query: string): ParsedQuery {
  const tokens = tokenize(query);
  let i = 0;
  const peek = (): Token => tokens[i];
  const next = (): Token => {
    const t = tokens[i];
    if (t.kind !== 'eof') i++;
    return t;
  };
  const isKeyword = (t: Token, word: string): boolean => t.kind === 'keyword' && t.value === word;
  const isSymbol = (t: Token, symbol: string): boolean => t.kind === 'symbol' && t.value === symbol;
  /** Consumes the next token when it is the keyword or symbol `text`. */
  const accept = (text: string): boolean => {
    const found = isKeyword(peek(), text) || isSymbol(peek(), text);
    if (found) next();
    return found;
  };

  const fail = (t: Token, expected: string): never => {
    const what = t.kind === 'eof' ? 'end of query' : `token "${t.raw}"`;
    throw new VisibilityQueryError(`unexpected ${what} at position ${t.pos}; expected ${expected}`);
  };
  const expect = (text: string): void => {
    if (!accept(text)) fail(peek(), /^[A-Z]/.test(text) ? text : `"${text}"`);
  };

  const attr = (): AttrRef => {
    const t = next();
    return t.kind === 'ident' ? { name: t.value, pos: t.pos } : fail(t, 'a search attribute name');
  };

  const value = (): Literal => {
    const t = next();
    if (t.kind === 'string') return { kind: 'string', value: t.value, raw: t.raw, pos: t.pos };
    if (t.kind === 'number') return { kind: 'number', value: Number(t.value), raw: t.raw, pos: t.pos };
    if (isKeyword(t, 'TRUE') || isKeyword(t, 'FALSE')) {
      return { kind: 'bool', value: t.value === 'TRUE', raw: t.raw, pos: t.pos };
    }
    // A bare word here is almost always a string someone forgot to quote.
    return fail(t, t.kind === 'ident' ? 'a value (strings must be quoted)' : 'a value');
  };

  const predicate = (): Expr => {
    const left = attr();
    const t = next();
    if (t.kind === 'symbol' && isComparison(t.value)) {
      return { kind: 'predicate', attr: left, op: t.value, values: [value()] };
    }
    if (isKeyword(t, 'IS')) {
      const not = accept('NOT');
      expect('NULL');
      return { kind: 'predicate', attr: left, op: not ? 'IS NOT NULL' : 'IS NULL', values: [] };
    }
    const not = isKeyword(t, 'NOT');
    const opToken = not ? next() : t;
    const prefix = not ? 'NOT ' : '';
    if (isKeyword(opToken, 'IN')) {
      expect('(');
      const values = [value()];
      while (accept(',')) values.push(value());
      expect(')');
      return { kind: 'predicate', attr: left, op: `${prefix}IN`, values };
    }
    if (isKeyword(opToken, 'BETWEEN')) {
      const low = value();
      expect('AND');
      return { kind: 'predicate', attr: left, op: `${prefix}BETWEEN`, values: [low, value()] };
    }
    if (isKeyword(opToken, 'STARTS_WITH')) {
      return { kind: 'predicate', attr: left, op: `${prefix}STARTS_WITH`, values: [value()] };
    }
    return fail(opToken, not ? 'IN, BETWEEN or STARTS_WITH' : 'an operator');
  };

  const primary = (): Expr => {
    const t = peek();
    if (isKeyword(t, 'NOT')) {
      throw new VisibilityQueryError(
        `NOT at position ${t.pos} is not supported before an expression; ` +
          'use !=, NOT IN, NOT BETWEEN or NOT STARTS_WITH',
      );
    }
    if (!accept('(')) return predicate();
    const inner = or();
    expect(')');
    return inner;
  };

  const chain = (word: 'AND' | 'OR', operand: () => Expr): Expr => {
    let left = operand();
    while (accept(word)) {
      left = { kind: word === 'AND' ? 'and' : 'or', left, right: operand() };
    }
    return left;
  };
  const and = (): Expr => chain('AND', primary);
  const or = (): Expr => chain('OR', and);

  const parsed: ParsedQuery = { orderBy: [] };
  if (peek().kind !== 'eof' && !isKeyword(peek(), 'ORDER')) parsed.where = or();
  if (accept('ORDER')) {
    expect('BY');
    do {
      const field = attr();
      const desc = accept('DESC');
      if (!desc) accept('ASC');
      parsed.orderBy.push({ attr: field, desc });
    } while (accept(','));
  }
  if (peek().kind !== 'eof') {
    fail(peek(), parsed.orderBy.length > 0 ? '"," or end of query' : 'AND, OR, ORDER BY or end of query');
  }
  return parsed;
}
