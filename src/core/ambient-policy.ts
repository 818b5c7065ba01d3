/**
 * Where ambient mode enforces an AuthorizationPolicy, over rendered (plain JSON) rules, so
 * that the constructs (at synth) and the analyzer (on any manifest) decide alike.
 *
 * ztunnel enforces L4 attributes only: the peer identity (`principals`, `namespaces`,
 * `serviceAccounts`, `trustDomains`), `ipBlocks`, destination `ports`, and the conditions on
 * `source.ip`, `source.namespace`, `source.principal`, `source.serviceAccount`,
 * `destination.ip` and `destination.port`. A policy that ztunnel enforces (a `selector`, or
 * none and no `targetRefs`) with any other attribute "fails safe": its ALLOW rules with L7
 * attributes are dropped (allowing less) and DENY policies deny more.
 *
 * @see https://istio.io/latest/docs/ambient/usage/l4-policy/#allowed-policy-attributes
 *
 * Internal module: not part of the public API.
 */

const L7_SOURCE_FIELDS = ['requestPrincipals', 'notRequestPrincipals', 'remoteIpBlocks', 'notRemoteIpBlocks'];
const L7_OPERATION_FIELDS = ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'];
const L4_CONDITION_KEYS = new Set(['source.ip', 'source.namespace', 'source.principal', 'source.serviceAccount', 'destination.ip', 'destination.port']);

/**
 * The L7 attributes of a policy's rules (`spec.rules`), as field paths, e.g.
 * `rules[0].to[0].operation.methods` or `rules[1].when[0].key request.auth.claims[iss]`.
 */
export function l7Attributes(rules: unknown): string[] {
  const out: string[] = [];
  const list = (x: unknown): any[] => (Array.isArray(x) ? x : []);
  const has = (o: any, f: string) => o !== null && typeof o === 'object' && o[f] !== undefined;
  list(rules).forEach((rule, r) => {
    list(rule?.from).forEach((from, i) => {
      for (const f of L7_SOURCE_FIELDS) if (has(from?.source, f)) out.push(`rules[${r}].from[${i}].source.${f}`);
    });
    list(rule?.to).forEach((to, i) => {
      for (const f of L7_OPERATION_FIELDS) if (has(to?.operation, f)) out.push(`rules[${r}].to[${i}].operation.${f}`);
    });
    list(rule?.when).forEach((when, i) => {
      const key = typeof when?.key === 'string' ? when.key : '';
      if (!L4_CONDITION_KEYS.has(key)) out.push(`rules[${r}].when[${i}].key ${key}`);
    });
  });
  return out;
}

/** True for an AuthorizationPolicy action that only a waypoint (or sidecar) can carry out. */
export function isL7Action(action: unknown): boolean {
  return action === 'CUSTOM' || action === 'AUDIT';
}

/** An mTLS identity, as ztunnel sees it. */
export interface PeerIdentity {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly trustDomain?: string;
}

function principalOf(id: PeerIdentity): string {
  return `${id.trustDomain ?? 'cluster.local'}/ns/${id.namespace}/sa/${id.serviceAccount}`;
}

/** Istio's string match: exact, `*`, `prefix*`, `*suffix`. */
function matches(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return pattern === value;
}

/**
 * False only when a rule surely does not match requests from this identity: one of its
 * sources' identity fields rules it out for every source (`from` given). Fields it cannot
 * judge (IP blocks, ports, conditions) count as matching: callers use this to report a
 * policy that admits nobody of that identity, so it must not err towards "no".
 */
export function ruleMayAdmit(rule: unknown, id: PeerIdentity): boolean {
  const from = Array.isArray((rule as any)?.from) ? (rule as any).from : undefined;
  if (from === undefined || from.length === 0) return true;
  const principal = principalOf(id);
  const sa = `${id.namespace}/${id.serviceAccount}`;
  const strs = (x: unknown): string[] | undefined => (Array.isArray(x) ? x.filter(v => typeof v === 'string') : undefined);
  return from.some((f: any) => {
    const s = f?.source ?? {};
    const principals = strs(s.principals);
    if (principals && !principals.some(p => matches(p, principal))) return false;
    const notPrincipals = strs(s.notPrincipals);
    if (notPrincipals && notPrincipals.some(p => matches(p, principal))) return false;
    const namespaces = strs(s.namespaces);
    if (namespaces && !namespaces.some(n => matches(n, id.namespace))) return false;
    const notNamespaces = strs(s.notNamespaces);
    if (notNamespaces && notNamespaces.some(n => matches(n, id.namespace))) return false;
    const accounts = strs(s.serviceAccounts);
    if (accounts && !accounts.includes(sa)) return false;
    const notAccounts = strs(s.notServiceAccounts);
    if (notAccounts && notAccounts.includes(sa)) return false;
    return true;
  });
}

/**
 * True when a rule admits only callers of this identity (its `from` names it and nothing
 * else: exact principals or service accounts of that identity only).
 */
export function ruleAdmitsOnly(rule: unknown, ids: PeerIdentity[]): boolean {
  const from = Array.isArray((rule as any)?.from) ? (rule as any).from : undefined;
  if (from === undefined || from.length === 0) return false;
  const principals = new Set(ids.map(principalOf));
  const accounts = new Set(ids.map(id => `${id.namespace}/${id.serviceAccount}`));
  return from.every((f: any) => {
    const s = f?.source ?? {};
    const p: unknown[] | undefined = Array.isArray(s.principals) ? s.principals : undefined;
    const a: unknown[] | undefined = Array.isArray(s.serviceAccounts) ? s.serviceAccounts : undefined;
    if (p === undefined && a === undefined) return false;
    return (p ?? []).every(x => typeof x === 'string' && principals.has(x)) && (a ?? []).every(x => typeof x === 'string' && accounts.has(x));
  });
}
