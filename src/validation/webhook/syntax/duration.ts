/**
 * Go `time.ParseDuration` semantics, which is what Istio accepts for duration
 * fields (`250ms`, `1.5s`, `1m30s`, `-2h`, `0`). Returns the duration in
 * nanoseconds, exactly (BigInt), or undefined when the string does not parse.
 */
export function parseGoDuration(s: string): bigint | undefined {
  let i = 0;
  let negative = false;
  if (s[0] === '-' || s[0] === '+') {
    negative = s[0] === '-';
    i = 1;
  }
  if (s.slice(i) === '0') return 0n;
  if (i >= s.length) return undefined;

  let total = 0n;
  while (i < s.length) {
    // integer part
    const intStart = i;
    while (i < s.length && isDigit(s.charCodeAt(i))) i++;
    const intDigits = s.slice(intStart, i);
    // fraction
    let fracDigits = '';
    if (s[i] === '.') {
      i++;
      const fracStart = i;
      while (i < s.length && isDigit(s.charCodeAt(i))) i++;
      fracDigits = s.slice(fracStart, i);
    }
    if (intDigits === '' && fracDigits === '') return undefined; // no digits, e.g. ".s"
    // unit
    const unitStart = i;
    while (i < s.length && s[i] !== '.' && !isDigit(s.charCodeAt(i))) i++;
    const unit = UNITS[s.slice(unitStart, i)];
    if (unit === undefined) return undefined; // missing or unknown unit
    let value = BigInt(intDigits || '0') * unit;
    if (fracDigits !== '') {
      value += (BigInt(fracDigits) * unit) / 10n ** BigInt(fracDigits.length);
    }
    total += value;
    if (total > MAX) return undefined; // overflows int64 nanoseconds
  }
  return negative ? -total : total;
}

const MAX = 9223372036854775807n;

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign
  μs: 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export const NS_PER_MS = 1_000_000n;
export const NS_PER_S = 1_000_000_000n;
