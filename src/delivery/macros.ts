/**
 * Callback URL templates: a publisher's URL may carry `{macro}` placeholders that are filled per conversion.
 * Each value is URL-encoded, so a value can never add a path segment, a query parameter or a fragment.
 */
export const CALLBACK_MACROS = [
  'conversion_id',
  'click_id',
  'event_id',
  'offer_id',
  'payout',
  'user_id',
  'publisher_id',
] as const;

export type CallbackMacro = (typeof CALLBACK_MACROS)[number];

export type MacroValues = Record<CallbackMacro, string>;

const MACRO_PATTERN = /\{([a-z_]+)\}/g;

function isKnownMacro(name: string): name is CallbackMacro {
  return (CALLBACK_MACROS as readonly string[]).includes(name);
}

/**
 * Every `{...}` in a template that is not a known macro, whatever its spelling: `{Click_Id}` or `{click id}` would
 * otherwise reach the publisher unreplaced. The API rejects a publisher URL that has any.
 */
export function unknownMacros(template: string): string[] {
  return [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]).filter((name) => !isKnownMacro(name));
}

/** Fills every known macro of the template; unknown `{names}` are left as written. */
export function renderCallbackUrl(template: string, values: MacroValues): string {
  return template.replace(MACRO_PATTERN, (whole, name: string) =>
    isKnownMacro(name) ? encodeURIComponent(values[name]) : whole,
  );
}
