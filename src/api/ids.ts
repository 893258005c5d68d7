import { z } from 'zod';

/**
 * Publisher and conversion ids appear in URL paths and in workflow ids (`conversion-callback/<id>`), so they are
 * limited to characters that need no escaping there.
 */
export const resourceId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/, 'must start with a letter or digit and contain only letters, digits and . _ : @ -');

/** Postgres text and jsonb cannot hold U+0000: a string with one would fail the write (a 500) instead of a 400. */
export const NO_NUL_MESSAGE = 'must not contain the NUL character (U+0000)';

export function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (Array.isArray(value)) return value.some(hasNul);
  if (value !== null && typeof value === 'object') return Object.entries(value).some(([key, inner]) => key.includes('\0') || hasNul(inner));
  return false;
}

/** Free-form identifiers from the platform (click, event, offer, user): any text but NUL, bounded. */
export const externalId = z.string().trim().min(1).max(256).refine((text) => !hasNul(text), NO_NUL_MESSAGE);
