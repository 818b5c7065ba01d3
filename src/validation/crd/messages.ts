/** Message helpers: short renderings of values, lists of names, suggestions. */

const MAX = 60;

/** A short rendering of a value for messages: JSON, truncated. */
export function short(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  if (typeof value === 'bigint') {text = value.toString();} else if (typeof value === 'number' || typeof value === 'boolean' || value === null) {text = String(value);} else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  if (text.length <= MAX) return text;
  const cut = text.slice(0, MAX);
  return typeof value === 'string' ? `${cut}…" (${[...value].length} characters)` : `${cut}…`;
}

/** The type of a JSON value as OpenAPI names it. */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** "a, b and c" */
export function list(names: readonly string[], conj = 'and'): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} ${conj} ${names[names.length - 1]}`;
}

function distance(a: string, b: string): number {
  const al = a.toLowerCase();
  const bl = b.toLowerCase();
  const prev = new Array(bl.length + 1).fill(0).map((_, i) => i);
  for (let i = 1; i <= al.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= bl.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (al[i - 1] === bl[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[bl.length];
}

/** The closest known name to a misspelt one, if close enough. */
export function suggest(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(name, k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(name.length / 3)));
  return bestD <= limit ? best : undefined;
}
