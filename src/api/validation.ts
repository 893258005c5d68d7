import type { z } from 'zod';
import { ValidationError, type FieldProblem } from './errors';

/** Express parses `?limit=1&limit=2` into an array; every query parameter of this API takes a single value. */
function repeatedParams(value: unknown, where: FieldProblem['in']): FieldProblem[] {
  if (where !== 'query' || value === null || typeof value !== 'object') return [];
  return Object.entries(value)
    .filter(([, param]) => Array.isArray(param))
    .map(([name]) => ({ in: where, field: name, reason: 'is given more than once; give it once' }));
}

/** The reason for one zod issue; a missing body says how to send one rather than zod's bare "Required". */
function reasonFor(issue: z.ZodIssue, where: FieldProblem['in']): string {
  if (where === 'body' && issue.path.length === 0 && issue.code === 'invalid_type' && issue.received === 'undefined') {
    return 'is missing: send a JSON object with Content-Type: application/json';
  }
  return issue.message;
}

/** Parses one part of a request with its schema; a failure names every bad field and why (400). */
export function parseRequest<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, value: unknown, where: FieldProblem['in']): T {
  const repeated = repeatedParams(value, where);
  if (repeated.length > 0) throw new ValidationError(repeated);
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ValidationError(
    parsed.error.issues.flatMap((issue): FieldProblem[] => {
      // An unknown key is reported on the key itself, which is what the caller has to fix.
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => ({ in: where, field: [...issue.path, key].join('.'), reason: 'is not a known field' }));
      }
      return [{ in: where, field: issue.path.join('.'), reason: reasonFor(issue, where) }];
    }),
  );
}
