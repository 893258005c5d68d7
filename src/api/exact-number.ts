/**
 * Whether a JSON number's text survives the trip through a double: the value JavaScript parses it to prints back
 * as the same decimal (`2.50` → 2.5, `1e2` → 100), so what is stored and sent on is what the client sent.
 * `0.1000000000000000055511151231257827`, `12345678901234567890` and `1e400` do not: they would come back as
 * `0.1`, `12345678901234567000` and `null`.
 */
export function survivesAsDouble(text: string): boolean {
  const value = Number(text);
  return Number.isFinite(value) && decimalKey(text) === decimalKey(String(value));
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * A decimal's value as `sign digits e exponent` with no leading or trailing zeros, so that `2.50`, `25e-1` and `2.5`
 * (and String(2.5)) compare equal. Zero has one key whatever its sign: JSON.stringify(-0) is `0` anyway.
 */
function decimalKey(text: string): string | undefined {
  const match = DECIMAL.exec(text);
  if (!match) return undefined;
  const [, sign, whole, fraction = '', exponent = '0'] = match;
  const digits = `${whole}${fraction}`.replace(/^0+/, '');
  const significant = digits.replace(/0+$/, '');
  if (significant === '') return '0';
  return `${sign}${significant}e${Number(exponent) - fraction.length + (digits.length - significant.length)}`;
}
