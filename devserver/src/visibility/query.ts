/**
 * The visibility query language of ListWorkflowExecutions / CountWorkflowExecutions (Temporal's "List Filter"),
 * compiled once into a predicate over in-memory records. Split in three steps, each in its own file: lexer.ts
 * (tokens), parser.ts (syntax), evaluate.ts (attribute names, types and matching).
 */
import { compileExpr, resolveAttribute } from './evaluate';
import { VisibilityQueryError } from './lexer';
import { parseQuery } from './parser';

export { VisibilityQueryError };

export interface VisibilityRecord {
  workflowId: string;
  runId: string;
  workflowType: string;
  taskQueue: string;
  executionStatus: 'Running' | 'Completed' | 'Failed' | 'Canceled' | 'Terminated' | 'ContinuedAsNew' | 'TimedOut';
  /** Epoch milliseconds, as are closeTime and executionTime. */
  startTime: number;
  closeTime?: number;
  executionTime?: number;
  /** Custom keyword/text/int/double/bool/datetime values, or string[] for KeywordList. */
  searchAttributes: Record<string, unknown>;
}

export type CompiledQuery = {
  matches(record: VisibilityRecord): boolean;
  /** The query's ORDER BY, if any; ordering is left to the caller, which knows its default order. */
  orderBy?: { field: string; desc: boolean }[];
};

/**
 * Compiles a List Filter. `knownCustomAttributes` maps each custom search attribute of the namespace to its
 * IndexedValueType name ('Keyword', 'KeywordList', 'Text', 'Int', 'Double', 'Bool' or 'Datetime').
 * Throws VisibilityQueryError, saying what is wrong and where, for any query Temporal would refuse.
 */
export function compileVisibilityQuery(
  query: string,
  knownCustomAttributes: ReadonlyMap<string, string>,
): CompiledQuery {
  const parsed = parseQuery(query);
  const matches = parsed.where ? compileExpr(parsed.where, knownCustomAttributes) : () => true;
  if (parsed.orderBy.length === 0) return { matches };
  const orderBy = parsed.orderBy.map(({ attr: ref, desc }) => {
    const attr = resolveAttribute(ref, knownCustomAttributes);
    // Temporal refuses to sort by Text: its words are indexed, not the whole value.
    if (attr.type === 'Text') {
      throw new VisibilityQueryError(
        `cannot ORDER BY search attribute "${attr.name}" of type Text (at position ${ref.pos})`,
      );
    }
    return { field: attr.name, desc };
  });
  return { matches, orderBy };
}
