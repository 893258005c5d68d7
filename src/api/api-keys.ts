import { createHash, timingSafeEqual } from 'node:crypto';
import { resourceId } from './ids';

export type Role = 'admin' | 'operator' | 'viewer' | 'publisher';

/** One entry of API_KEYS. */
export interface ApiKey {
  key: string;
  role: Role;
  /** The one publisher a `publisher:<id>` key acts for; absent for the other roles. */
  publisherId?: string;
}

const ROLES_HINT = 'admin, operator, viewer or publisher:<publisherId>';

function parseRole(text: string): Omit<ApiKey, 'key'> | undefined {
  if (text === 'admin' || text === 'operator' || text === 'viewer') return { role: text };
  const publisherId = /^publisher:(.*)$/.exec(text)?.[1];
  if (publisherId !== undefined && resourceId.safeParse(publisherId).success) return { role: 'publisher', publisherId };
  return undefined;
}

/**
 * Parses API_KEYS: comma-separated `key` or `key=role` entries; a key without a role is `admin`, as before roles
 * existed. The role follows the last `=`, so a base64 key ending in `=` padding needs no role. Text after the last
 * `=` that is not a role is refused rather than read as part of an admin key: a mistyped `=viewr` must not grant
 * everything. Errors name the entry by position, never the key.
 */
export function parseApiKeys(text: string): ApiKey[] {
  const entries = text.split(',').map((entry) => entry.trim()).filter(Boolean);
  const keys = entries.map((entry, index): ApiKey => {
    const position = `entry ${index + 1}`;
    const at = entry.lastIndexOf('=');
    const roleText = at < 0 ? '' : entry.slice(at + 1).trim();
    const parsed: ApiKey = roleText === '' ? { key: entry, role: 'admin' } : { key: entry.slice(0, at).trim(), ...parseRoleOf(roleText, position) };
    if (!/^[\x21-\x7e]+$/.test(parsed.key)) {
      throw new Error(`${position}: the key must be printable ASCII without spaces (it is sent as "Authorization: Bearer <key>")`);
    }
    return parsed;
  });
  const seen = new Set<string>();
  keys.forEach(({ key }, index) => {
    if (seen.has(key)) throw new Error(`entry ${index + 1}: repeats the key of an earlier entry (one role per key)`);
    seen.add(key);
  });
  return keys;
}

function parseRoleOf(text: string, position: string): Omit<ApiKey, 'key'> {
  const role = parseRole(text);
  if (!role) throw new Error(`${position}: the role after the last "=" is not one of ${ROLES_HINT}`);
  return role;
}

/** The SHA-256 of a secret: what secrets are compared as, in constant time and whatever their lengths. */
export function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** A short, non-secret name for a key (for logs, sessions and "requested by"); the key itself is never logged. */
export function keyFingerprint(key: string): string {
  return `key:${digest(key).toString('hex').slice(0, 8)}`;
}

/** A configured key as the service keeps it in memory: its digest, never compared as text. */
export interface KnownKey extends Omit<ApiKey, 'key'> {
  fingerprint: string;
}

/** The configured keys, matched in constant time. */
export class KeyRing {
  private readonly keys: (KnownKey & { digest: Buffer })[];

  constructor(keys: readonly ApiKey[]) {
    this.keys = keys.map(({ key, ...role }) => ({ ...role, digest: digest(key), fingerprint: keyFingerprint(key) }));
  }

  /**
   * The key equal to `presented`. Keys are compared as SHA-256 digests with timingSafeEqual, against every key
   * (no early exit), so neither the content nor the length of a key, nor which one matched, leaks through timing.
   */
  match(presented: string): KnownKey | undefined {
    const presentedDigest = digest(presented);
    let found: KnownKey | undefined;
    for (const { digest: known, ...key } of this.keys) {
      if (timingSafeEqual(presentedDigest, known)) found = key;
    }
    return found;
  }

  /** Whether a key with this fingerprint and role is still configured: a session ends when its key is removed. */
  stillConfigured(key: KnownKey): boolean {
    return this.keys.some((k) => k.fingerprint === key.fingerprint && k.role === key.role && k.publisherId === key.publisherId);
  }
}
