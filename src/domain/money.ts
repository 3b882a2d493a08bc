/**
 * Money is held in integer cents everywhere (domain.md: "implementations must use integer cents
 * and round half-up to the cent at each line").
 */

/** 100 % expressed in basis points (7000 = 70 %). */
export const FULL_RATE_BP = 10_000;

/**
 * Integer division rounded half-up, i.e. half away from zero (BigDecimal ROUND_HALF_UP), so
 * that 0,5 cent becomes 1 cent and −0,5 cent becomes −1 cent.
 */
export function divideHalfUp(numerator: number, denominator: number): number {
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator) || denominator <= 0) {
    throw new RangeError(`divideHalfUp expects safe integers and a positive denominator, got ${numerator}/${denominator}`);
  }
  const magnitude = Math.floor((Math.abs(numerator) * 2 + denominator) / (2 * denominator));
  return numerator < 0 ? -magnitude : magnitude;
}

/** `rateBp` of `cents`, rounded half-up to the cent: applyRateBp(2892, 6000) = 1735. */
export function applyRateBp(cents: number, rateBp: number): number {
  return divideHalfUp(cents * rateBp, FULL_RATE_BP);
}

// Intl fr-FR separators: narrow no-break space U+202F between thousands, no-break space U+00A0 before €.
const GROUP_SEPARATOR = '\u202F';
const CURRENCY_SEPARATOR = '\u00A0';

/**
 * French display of an amount in cents, identical to Intl fr-FR currency formatting
 * ("1 234,56 €" with U+202F as the thousands separator and U+00A0 before the euro sign)
 * but much faster, since the engine writes one sentence per line.
 */
export function formatEuros(cents: number): string {
  return `${formatAmount(cents)}${CURRENCY_SEPARATOR}€`;
}

/** Same as formatEuros without the currency sign: "1 234,56". */
export function formatAmount(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`amount in cents must be a safe integer, got ${cents}`);
  const absolute = Math.abs(cents);
  const euros = Math.floor(absolute / 100);
  const rest = absolute % 100;
  let digits = String(euros);
  let grouped = '';
  while (digits.length > 3) {
    grouped = GROUP_SEPARATOR + digits.slice(-3) + grouped;
    digits = digits.slice(0, -3);
  }
  return `${cents < 0 ? '-' : ''}${digits}${grouped},${rest < 10 ? '0' : ''}${rest}`;
}

/** "70 %" or "12,5 %" from basis points (U+00A0 before %, as Intl fr-FR does). */
export function formatRateBp(rateBp: number): string {
  const whole = Math.trunc(rateBp / 100);
  const fraction = Math.abs(rateBp % 100);
  if (fraction === 0) return `${whole}${CURRENCY_SEPARATOR}%`;
  const decimals = fraction % 10 === 0 ? String(fraction / 10) : String(fraction).padStart(2, '0');
  return `${whole},${decimals}${CURRENCY_SEPARATOR}%`;
}
