import type { z } from 'zod';
import { ValidationError, type FieldProblem } from './errors';

/** Parses one part of a request with its schema; a failure names every bad field and why (400). */
export function parseRequest<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, value: unknown, where: FieldProblem['in']): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ValidationError(
    parsed.error.issues.flatMap((issue): FieldProblem[] => {
      // An unknown key is reported on the key itself, which is what the caller has to fix.
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => ({ in: where, field: [...issue.path, key].join('.'), reason: 'is not a known field' }));
      }
      return [{ in: where, field: issue.path.join('.'), reason: issue.message }];
    }),
  );
}
