/**
 * Defensive readers for plain manifest objects (any field may be missing or of the
 * wrong type: the analyzer sees objects with schema errors too and never throws),
 * and the host and label arithmetic Istio uses.
 *
 * Internal module: not part of the public API.
 */

/** The value if it is a plain object, else an empty object. */
export function obj(x: unknown): Record<string, any> {
  return x !== null && typeof x === 'object' && !Array.isArray(x) ? x as Record<string, any> : {};
}

/** The value if it is an array, else an empty array. */
export function arr(x: unknown): any[] {
  return Array.isArray(x) ? x : [];
}

/** The value if it is a non-empty string. */
export function str(x: unknown): string | undefined {
  return typeof x === 'string' && x.length > 0 ? x : undefined;
}

/** The value if it is a finite number (or a string of digits, as YAML sometimes gives). */
export function num(x: unknown): number | undefined {
  if (typeof x === 'number' && Number.isFinite(x)) return x;
  if (typeof x === 'string' && /^\d+$/.test(x)) return Number(x);
  return undefined;
}

/** The string entries of a map (labels, selectors); other values are dropped. */
export function strMap(x: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(x))) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  }
  return out;
}

/** The strings of a list; other entries are dropped. */
export function strList(x: unknown): string[] {
  return arr(x).filter((v): v is string => typeof v === 'string');
}

/** `k1=v1,k2=v2`, keys sorted, as Kubernetes prints a label selector. */
export function selectorString(selector: Record<string, string>): string {
  return Object.keys(selector).sort().map(k => `${k}=${selector[k]}`).join(',');
}

/** True if every pair of the selector is among the labels. */
export function selectorMatches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  for (const k of Object.keys(selector)) {
    if (labels[k] !== selector[k]) return false;
  }
  return true;
}

/** Go's `%q` for a string (close enough: JSON quoting). */
export function q(s: string): string {
  return JSON.stringify(s);
}

/** Go's `%v` for a list: `[a b c]`. */
export function list(items: Array<string | number>): string {
  return `[${items.join(' ')}]`;
}

/** JSON with object keys sorted, to compare two values structurally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o).sort().filter(k => o[k] !== undefined).map(k => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export const CLUSTER_DOMAIN = 'cluster.local';

/**
 * The FQDN Istio derives from a host written in an object of namespace `ns`: a short
 * name (no dot, no wildcard) is a Service of that namespace; anything else is kept.
 */
export function toFqdn(host: string, ns: string): string {
  if (!host.startsWith('*') && !host.includes('.')) return `${host}.${ns}.svc.${CLUSTER_DOMAIN}`;
  return host;
}

/** The namespace and name of a Kubernetes Service FQDN (`name.ns.svc.cluster.local`), if it is one. */
export function parseServiceFqdn(fqdn: string): { name: string; ns: string } | undefined {
  const suffix = `.svc.${CLUSTER_DOMAIN}`;
  if (!fqdn.endsWith(suffix)) return undefined;
  const parts = fqdn.slice(0, -suffix.length).split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { name: parts[0], ns: parts[1] };
}

/**
 * True if two host names overlap, as Istio's `host.Name.Matches`: equal, or one is
 * a wildcard (`*.example.com`, `*`) whose suffix the other ends with.
 */
export function hostsOverlap(a: string, b: string): boolean {
  if (a === b) return true;
  const aw = a.startsWith('*');
  const bw = b.startsWith('*');
  if (aw && bw) {
    const as = a.slice(1);
    const bs = b.slice(1);
    return as.endsWith(bs) || bs.endsWith(as);
  }
  if (aw) return b.endsWith(a.slice(1));
  if (bw) return a.endsWith(b.slice(1));
  return false;
}

/** True if host `a` (maybe a wildcard) matches every name that `b` matches. */
export function hostCovers(a: string, b: string): boolean {
  if (a === b) return true;
  if (!a.startsWith('*')) return false;
  const suffix = a.slice(1);
  return b.startsWith('*') ? b.slice(1).endsWith(suffix) : b.endsWith(suffix);
}

/**
 * Istio's protocol of a Service port, from `appProtocol` or the name prefix
 * (`http-web` -> HTTP), or undefined when Istio has to sniff it.
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/
 */
export function istioProtocol(
  name: string | undefined, appProtocol: string | undefined, l4: string | undefined, port: number | undefined,
): string | undefined {
  if (l4 === 'UDP') return 'UDP';
  if (appProtocol) {
    const p = parseProtocol(appProtocol);
    if (p) return p;
    if (appProtocol === 'kubernetes.io/h2c') return 'HTTP2';
    if (appProtocol === 'kubernetes.io/ws' || appProtocol === 'kubernetes.io/wss') return 'HTTP';
  }
  if (name) {
    if (name.toLowerCase().startsWith('grpc-web')) return 'GRPC-Web';
    const dash = name.indexOf('-');
    const p = parseProtocol(dash >= 0 ? name.slice(0, dash) : name);
    if (p && p !== 'UDP') return p;
  }
  // server-first protocols on their well-known ports default to TCP
  if (port === 25 || port === 53 || port === 3306 || port === 27017) return 'TCP';
  return undefined;
}

/** Istio's protocol names (`protocol.Instance`), found case-insensitively. */
const PROTOCOLS = ['TCP', 'UDP', 'GRPC', 'GRPC-Web', 'HTTP', 'HTTP_PROXY', 'HTTP2', 'HTTPS', 'TLS', 'Mongo', 'Redis', 'MySQL'];
const PROTOCOL_BY_NAME = new Map(PROTOCOLS.map(p => [p.toLowerCase(), p]));

function parseProtocol(s: string): string | undefined {
  return PROTOCOL_BY_NAME.get(s.toLowerCase());
}

/** Appends to the list of a key of a multimap. */
export function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const entries = map.get(key);
  if (entries) entries.push(value);
  else map.set(key, [value]);
}

const ROWS = [new Int32Array(64), new Int32Array(64), new Int32Array(64)];

/**
 * The optimal-string-alignment distance of two strings (insertions, deletions,
 * substitutions and transpositions of two neighbours count one each), or `max + 1` as
 * soon as it is known to exceed `max`.
 */
export function editDistance(a: string, b: string, max: number): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = b.length;
  if (ROWS[0].length <= n) for (let r = 0; r < 3; r++) ROWS[r] = new Int32Array(2 * n + 2);
  let before = ROWS[0];
  let prev = ROWS[1];
  let cur = ROWS[2];
  for (let j = 0; j <= n; j++) prev[j] = j;
  let prevMin = 0;
  for (let i = 1; i <= a.length; i++) {
    const ca = a.charCodeAt(i - 1);
    const pa = i > 1 ? a.charCodeAt(i - 2) : -1;
    cur[0] = i;
    let curMin = i;
    for (let j = 1; j <= n; j++) {
      const cb = b.charCodeAt(j - 1);
      let v = prev[j - 1] + (ca === cb ? 0 : 1);
      if (prev[j] + 1 < v) v = prev[j] + 1;
      if (cur[j - 1] + 1 < v) v = cur[j - 1] + 1;
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && pa === cb && before[j - 2] + 1 < v) v = before[j - 2] + 1;
      cur[j] = v;
      if (v < curMin) curMin = v;
    }
    // a transposition reaches back two rows: stop only when both rows are past max
    if (curMin > max && prevMin > max) return max + 1;
    const t = before;
    before = prev;
    prev = cur;
    cur = t;
    prevMin = curMin;
  }
  return Math.min(prev[n], max + 1);
}

const SCRATCH = new Int32Array(128);

/**
 * The L1 distance of the two strings' character counts (by char code modulo 128): an
 * edit changes it by at most 2, so an edit distance of k needs it at most 2k. A cheap
 * filter before the distance itself.
 */
function histogramDistance(a: string, b: string): number {
  for (let i = 0; i < a.length; i++) SCRATCH[a.charCodeAt(i) % 128]++;
  for (let i = 0; i < b.length; i++) SCRATCH[b.charCodeAt(i) % 128]--;
  let l1 = 0;
  for (let i = 0; i < a.length; i++) {
    const c = a.charCodeAt(i) % 128;
    l1 += Math.abs(SCRATCH[c]);
    SCRATCH[c] = 0;
  }
  for (let i = 0; i < b.length; i++) {
    const c = b.charCodeAt(i) % 128;
    l1 += Math.abs(SCRATCH[c]);
    SCRATCH[c] = 0;
  }
  return l1;
}

/** The largest edit distance a near miss of two names may have: by the shorter one's length. */
function allowedEdits(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  return length >= 6 ? 2 : length >= 4 ? 1 : 0;
}

/** True if the two strings are equal once every run of digits is made one placeholder. */
function sameButDigits(a: string, b: string): boolean {
  return a.replace(/\d+/g, '#') === b.replace(/\d+/g, '#');
}

/**
 * True if a reference to `ref`, which names nothing, most likely meant `known`: the
 * same name in another case, or (names of 4 characters or more) an edit distance of
 * 1, or (6 characters or more) of 2, unless the two differ only in their digits
 * (`v1`/`v2`, `orders-v1`/`orders-v2`, `svc-12`/`svc-13`: versions and ordinals of
 * distinct objects, not typos). Short names (`v1`, `db`, `qa`) only match by case:
 * any two of them are a couple of edits apart. Names of as many words (split at `-`,
 * `.`, `_`, `/`) must differ in words that are near misses themselves: `orders-eu` and
 * `orders-us`, `payment-api` and `payment-app` are distinct, `ordres-eu` is a typo.
 */
export function isNearMiss(ref: string, known: string): boolean {
  return nearMissDistance(ref, known) !== undefined;
}

/** The edit distance of a near miss (0: case only), or undefined when `known` is no near miss of `ref`. */
function nearMissDistance(ref: string, known: string): number | undefined {
  if (ref === known) return undefined;
  if (ref.toLowerCase() === known.toLowerCase()) return 0;
  const d = tokenDistance(ref, known);
  if (d === undefined) return undefined;
  // names of as many words (`orders-eu`, `api.github.com`): every word that differs must be a near miss itself
  const a = ref.split(WORD_SEPARATORS);
  const b = known.split(WORD_SEPARATORS);
  if (a.length > 1 && a.length === b.length) {
    for (let i = 0; i < a.length; i++) {
      if (a[i] !== b[i] && a[i].toLowerCase() !== b[i].toLowerCase() && tokenDistance(a[i], b[i]) === undefined) return undefined;
    }
  }
  return d;
}

const WORD_SEPARATORS = /[-._/]/;

/** The edit distance of two strings if it is within what their length allows and not a change of digits only. */
function tokenDistance(a: string, b: string): number | undefined {
  const max = allowedEdits(a, b);
  if (max === 0) return undefined;
  const d = editDistance(a, b, max);
  return d <= max && !sameButDigits(a, b) ? d : undefined;
}

/** The known names of one scope, with a bigram index built on the first near-miss lookup. */
class Scope {
  public readonly names: string[] = [];
  public readonly byLower = new Map<string, string>();
  public bigrams?: Map<string, number[]>;
  public counts?: Int32Array;
  public readonly memo = new Map<string, string | undefined>();
}

function bigramsOf(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < s.length; i++) out.push(s.slice(i, i + 2));
  return out;
}

/**
 * Known names in scopes (a kind in a namespace, the label values of a key...), for the
 * "did you mean" of a reference that names nothing: by scope, by lower case, by name
 * across scopes, and by bigram. A name within edit distance k of a reference of
 * length m shares at least m - 1 - 2k of its bigrams (the q-gram lemma), so a lookup
 * only compares the names that share that many, found through the bigram index, not
 * every name of the scope.
 */
export class NameIndex {
  private readonly scopes = new Map<string, Scope>();
  private readonly scopesByName = new Map<string, string[]>();
  private readonly known = new Set<string>();
  /** How many known names lookups have compared with a reference (past the bigram filter): a measure of their work. */
  public compared = 0;

  public add(scope: string, name: string): void {
    if (!name) return;
    const key = `${scope}\u0000${name}`;
    if (this.known.has(key)) return;
    this.known.add(key);
    let s = this.scopes.get(scope);
    if (!s) this.scopes.set(scope, s = new Scope());
    if (s.bigrams) {
      // names added after a lookup (rare): drop the derived state
      s.bigrams = undefined;
      s.counts = undefined;
    }
    s.memo.clear();
    s.names.push(name);
    const lower = name.toLowerCase();
    const held = s.byLower.get(lower);
    if (held === undefined || name < held) s.byLower.set(lower, name);
    push(this.scopesByName, name, scope);
  }

  public has(scope: string, name: string): boolean {
    return this.known.has(`${scope}\u0000${name}`);
  }

  /**
   * The known name of the scope that `ref` most likely meant (see `isNearMiss`): one
   * differing in case first, else the nearest, ties broken alphabetically.
   */
  public nearest(scope: string, ref: string): string | undefined {
    const s = this.scopes.get(scope);
    if (!s || this.has(scope, ref)) return undefined;
    if (s.memo.has(ref)) return s.memo.get(ref);
    const found = this.search(s, ref);
    s.memo.set(ref, found);
    return found;
  }

  /** The other scopes that hold the very name, sorted. */
  public otherScopes(scope: string, name: string): string[] {
    return (this.scopesByName.get(name) ?? []).filter(s => s !== scope).sort();
  }

  /** The names of a scope, sorted. */
  public names(scope: string): string[] {
    return [...this.scopes.get(scope)?.names ?? []].sort();
  }

  private search(s: Scope, ref: string): string | undefined {
    const cased = s.byLower.get(ref.toLowerCase());
    if (cased !== undefined) return cased;
    const k = ref.length >= 6 ? 2 : ref.length >= 4 ? 1 : 0;
    if (k === 0) return undefined;
    if (!s.bigrams) {
      s.bigrams = new Map();
      s.names.forEach((name, id) => {
        for (const g of new Set(bigramsOf(name))) push(s.bigrams!, g, id);
      });
      s.counts = new Int32Array(s.names.length);
    }
    const threshold = Math.max(1, ref.length - 1 - 2 * k);
    const counts = s.counts!;
    const touched: number[] = [];
    for (const g of new Set(bigramsOf(ref))) {
      for (const id of s.bigrams.get(g) ?? []) {
        if (counts[id]++ === 0) touched.push(id);
      }
    }
    let best: string | undefined;
    let bestDistance = 3;
    for (const id of touched) {
      const shared = counts[id];
      counts[id] = 0;
      if (shared < threshold) continue;
      this.compared++;
      const name = s.names[id];
      if (Math.abs(name.length - ref.length) > k || histogramDistance(ref, name) > 2 * k) continue;
      const d = nearMissDistance(ref, name);
      if (d === undefined) continue;
      if (d < bestDistance || (d === bestDistance && best !== undefined && name < best)) {
        best = name;
        bestDistance = d;
      }
    }
    return best;
  }
}
