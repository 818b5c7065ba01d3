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

/**
 * The optimal-string-alignment distance of two strings (insertions, deletions,
 * substitutions and transpositions of two neighbours count one each), or `max + 1` as
 * soon as it is known to exceed `max`.
 */
export function editDistance(a: string, b: string, max: number): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = b.length;
  let before: number[] = [];
  let prev: number[] = [];
  for (let j = 0; j <= n; j++) prev.push(j);
  let prevMin = 0;
  for (let i = 1; i <= a.length; i++) {
    const cur: number[] = [i];
    let curMin = i;
    for (let j = 1; j <= n; j++) {
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, before[j - 2] + 1);
      cur.push(v);
      if (v < curMin) curMin = v;
    }
    // a transposition reaches back two rows: stop only when both rows are past max
    if (curMin > max && prevMin > max) return max + 1;
    before = prev;
    prev = cur;
    prevMin = curMin;
  }
  return Math.min(prev[n], max + 1);
}

/**
 * True if a reference to `ref`, which names nothing, most likely meant `known`: the
 * same name in another case, or (names of 4 characters or more) an edit distance of
 * 1, or (6 characters or more) of 2, unless the two differ only in their digits
 * (`v1`/`v2`, `orders-v1`/`orders-v2`, `svc-12`/`svc-13`: versions and ordinals of
 * distinct objects, not typos). Short names (`v1`, `db`, `qa`) only match by case:
 * any two of them are a couple of edits apart.
 */
export function isNearMiss(ref: string, known: string): boolean {
  if (ref === known) return false;
  if (ref.toLowerCase() === known.toLowerCase()) return true;
  if (ref.replace(/\d+/g, '#') === known.replace(/\d+/g, '#')) return false;
  const length = Math.min(ref.length, known.length);
  const max = length >= 6 ? 2 : length >= 4 ? 1 : 0;
  return max > 0 && editDistance(ref, known, max) <= max;
}

/**
 * Known names in scopes (a kind in a namespace, the label values of a key...), for the
 * "did you mean" of a reference that names nothing: by scope and length (a near miss
 * is at most 2 characters longer or shorter), by lower case, and by name across scopes.
 */
export class NameIndex {
  private readonly byLength = new Map<string, Map<number, string[]>>();
  private readonly byLower = new Map<string, string>();
  private readonly scopesByName = new Map<string, string[]>();
  private readonly known = new Set<string>();

  public add(scope: string, name: string): void {
    if (!name) return;
    const key = `${scope}\u0000${name}`;
    if (this.known.has(key)) return;
    this.known.add(key);
    let lengths = this.byLength.get(scope);
    if (!lengths) this.byLength.set(scope, lengths = new Map());
    push(lengths, name.length, name);
    const lower = `${scope}\u0000${name.toLowerCase()}`;
    const held = this.byLower.get(lower);
    if (held === undefined || name < held) this.byLower.set(lower, name);
    push(this.scopesByName, name, scope);
  }

  public has(scope: string, name: string): boolean {
    return this.known.has(`${scope}\u0000${name}`);
  }

  /**
   * The known name of the scope that `ref` most likely meant (see `isNearMiss`): one
   * differing in case first, else the nearest, ties broken alphabetically. Costs one
   * pass over the scope's names of a length within 2 of `ref`'s.
   */
  public nearest(scope: string, ref: string): string | undefined {
    if (this.has(scope, ref)) return undefined;
    const cased = this.byLower.get(`${scope}\u0000${ref.toLowerCase()}`);
    if (cased !== undefined) return cased;
    const lengths = this.byLength.get(scope);
    if (!lengths) return undefined;
    let best: string | undefined;
    let bestDistance = 3;
    for (let len = ref.length - 2; len <= ref.length + 2; len++) {
      for (const name of lengths.get(len) ?? []) {
        if (!isNearMiss(ref, name)) continue;
        const d = editDistance(ref, name, 2);
        if (d < bestDistance || (d === bestDistance && best !== undefined && name < best)) {
          best = name;
          bestDistance = d;
        }
      }
    }
    return best;
  }

  /** The other scopes that hold the very name, sorted. */
  public otherScopes(scope: string, name: string): string[] {
    return (this.scopesByName.get(name) ?? []).filter(s => s !== scope).sort();
  }

  /** The names of a scope, sorted. */
  public names(scope: string): string[] {
    return [...this.byLength.get(scope)?.values() ?? []].flat().sort();
  }
}
