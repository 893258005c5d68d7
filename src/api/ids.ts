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

/** Free-form identifiers from the platform (click, event, offer, user): any text, bounded. */
export const externalId = z.string().trim().min(1).max(256);
