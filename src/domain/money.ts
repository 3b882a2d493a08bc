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

// Number-to-string conversion dominates the cost of the engine's sentences: read digits from tables.
const PLAIN = Array.from({ length: 1000 }, (_, value) => String(value));
const PADDED = Array.from({ length: 1000 }, (_, value) => String(value).padStart(3, '0'));
const CENTS = Array.from({ length: 100 }, (_, value) => String(value).padStart(2, '0'));

/** Same as formatEuros without the currency sign: "1 234,56". */
export function formatAmount(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`amount in cents must be a safe integer, got ${cents}`);
  const absolute = Math.abs(cents);
  let euros = Math.floor(absolute / 100);
  let text = `,${CENTS[absolute % 100]}`;
  while (euros >= 1000) {
    text = `${GROUP_SEPARATOR}${PADDED[euros % 1000]}${text}`;
    euros = Math.floor(euros / 1000);
  }
  return `${cents < 0 ? '-' : ''}${PLAIN[euros]}${text}`;
}

/** "70 %" or "12,5 %" from basis points (U+00A0 before %, as Intl fr-FR does). */
export function formatRateBp(rateBp: number): string {
  const whole = Math.trunc(rateBp / 100);
  const fraction = Math.abs(rateBp % 100);
  if (fraction === 0) return `${whole}${CURRENCY_SEPARATOR}%`;
  const decimals = fraction % 10 === 0 ? String(fraction / 10) : String(fraction).padStart(2, '0');
  return `${whole},${decimals}${CURRENCY_SEPARATOR}%`;
}
