/** `Retry-After` is either delta-seconds or an HTTP date; returns milliseconds from `nowMs`, or undefined. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) {
    const ms = Number(trimmed) * 1000;
    return Number.isSafeInteger(ms) ? ms : undefined; // hundreds of digits would be Infinity
  }
  // HTTP dates always carry a day or month name; this keeps Date.parse from reading "-5" as a year.
  const dateMs = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  return Number.isNaN(dateMs) ? undefined : Math.max(0, dateMs - nowMs);
}
