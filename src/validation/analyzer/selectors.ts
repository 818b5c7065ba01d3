/**
 * Workload selector rules. Sidecar and Telemetry: several without a selector in one
 * namespace (IST0111, IST0160), several selecting one workload (IST0110, IST0159), a
 * selector that selects nothing (IST0101). Policies (AuthorizationPolicy, and
 * RequestAuthentication, PeerAuthentication, WasmPlugin, ProxyConfig, EnvoyFilter):
 * a selector that selects nothing (IST0127). AuthorizationPolicy source namespaces
 * that do not exist (IST0101). Sidecar egress hosts `ns/host` whose namespace or host
 * does not exist (IST0101).
 *
 * Internal module: not part of the public API.
 */
import { Context, Item, Workload } from './context';
import { Rule, RULES } from './rules';
import { arr, obj, push, q, selectorString, strList, strMap, toFqdn } from './util';

export function checkSelectors(ctx: Context): void {
  checkSingletons(ctx, 'Sidecar', item => item.spec.workloadSelector === undefined ? undefined : strMap(obj(item.spec.workloadSelector).labels), 'spec.workloadSelector', {
    plural: 'Sidecars', multiple: RULES.multipleSidecarsWithoutWorkloadSelectors, conflicting: RULES.conflictingSidecarWorkloadSelectors,
  });
  checkSingletons(ctx, 'Telemetry', item => item.spec.selector === undefined ? undefined : strMap(obj(item.spec.selector).matchLabels), 'spec.selector', {
    plural: 'Telemetries', multiple: RULES.multipleTelemetriesWithoutWorkloadSelectors, conflicting: RULES.conflictingTelemetryWorkloadSelectors,
  });
  for (const key of ['AuthorizationPolicy', 'RequestAuthentication', 'PeerAuthentication', 'WasmPlugin', 'ProxyConfig']) {
    for (const item of ctx.all(key)) checkPolicySelector(ctx, item, item.spec.selector === undefined ? undefined : strMap(obj(item.spec.selector).matchLabels), 'spec.selector');
  }
  for (const item of ctx.all('EnvoyFilter')) {
    const ws = item.spec.workloadSelector;
    if (ws !== undefined) checkPolicySelector(ctx, item, strMap(obj(ws).labels), 'spec.workloadSelector');
  }
  checkAuthorizationNamespaces(ctx);
  checkSidecarEgressHosts(ctx);
}

interface SingletonRules {
  readonly plural: string;
  readonly multiple: Rule;
  readonly conflicting: Rule;
}

/**
 * Kinds of which a workload may have one: one without selector per namespace (the
 * namespace default) and at most one selecting each workload.
 */
function checkSingletons(
  ctx: Context, key: string, selectorOf: (item: Item) => Record<string, string> | undefined, field: string, rules: SingletonRules,
): void {
  const defaults = new Map<string, Item[]>();
  const byWorkload = new Map<Workload, Item[]>();
  for (const item of ctx.all(key)) {
    const selector = selectorOf(item);
    if (selector === undefined) {
      // a Telemetry attached through targetRefs is not a namespace default
      if (item.spec.targetRef === undefined && item.spec.targetRefs === undefined) push(defaults, item.ns, item);
      continue;
    }
    if (Object.keys(selector).length === 0) continue;
    const selected = ctx.select(selector, item.ns);
    if (selected.length === 0) {
      const miss = ctx.selectorMiss(selector, item.ns);
      ctx.report({
        item,
        rule: RULES.referencedResourceNotFound,
        level: ctx.refLevel(RULES.referencedResourceNotFound, miss.meant),
        field,
        message: `Referenced selector not found: ${q(selectorString(selector))}${miss.detail}`,
      });
    }
    for (const w of selected) push(byWorkload, w, item);
  }

  for (const [ns, items] of defaults) {
    if (items.length < 2) continue;
    const names = items.map(i => i.name).join(' ');
    for (const item of items) {
      ctx.report({
        item,
        rule: rules.multiple,
        message: `The ${rules.plural} [${names}] in namespace ${q(ns)} have no workload selector, which can lead to undefined behavior.`,
      });
    }
  }
  for (const [w, items] of byWorkload) {
    if (items.length < 2) continue;
    const names = items.map(i => i.name).join(' ');
    for (const item of items) {
      ctx.report({
        item,
        rule: rules.conflicting,
        field,
        message: `The ${rules.plural} [${names}] in namespace ${q(w.ns)} select the same workload pod ${q(w.name)}, which can lead to undefined behavior.`,
      });
    }
  }
}

/**
 * IST0127. A policy in the root namespace with a selector applies mesh-wide; a
 * namespace-wide AuthorizationPolicy needs some workload in its namespace.
 */
function checkPolicySelector(ctx: Context, item: Item, selector: Record<string, string> | undefined, field: string): void {
  if (item.spec.targetRef !== undefined || item.spec.targetRefs !== undefined) return;
  const meshWide = item.ns === ctx.rootNamespace;
  if (selector === undefined || Object.keys(selector).length === 0) {
    if (meshWide || item.key !== 'AuthorizationPolicy' || ctx.select({}, item.ns).length > 0) return;
  } else if (ctx.select(selector, meshWide ? undefined : item.ns).length > 0) {
    return;
  }
  const labels = selectorString(selector ?? {});
  const miss = labels ? ctx.selectorMiss(selector!, meshWide ? undefined : item.ns) : { meant: undefined, detail: '' };
  ctx.report({
    item,
    rule: RULES.noMatchingWorkloadsFound,
    level: ctx.refLevel(RULES.noMatchingWorkloadsFound, miss.meant),
    ...(labels ? { field } : {}),
    message: `No matching workloads for this resource with the following labels: ${labels}${miss.detail}`,
  });
}

/** IST0101: `source.namespaces` / `notNamespaces` that match no namespace (`*` prefix or suffix allowed). */
function checkAuthorizationNamespaces(ctx: Context): void {
  const known = [...ctx.namespaces];
  const exists = (pattern: string) => {
    if (pattern === '*') return true;
    if (pattern.startsWith('*')) return known.some(n => n.endsWith(pattern.slice(1)));
    if (pattern.endsWith('*')) return known.some(n => n.startsWith(pattern.slice(0, -1)));
    return ctx.namespaces.has(pattern);
  };
  for (const ap of ctx.all('AuthorizationPolicy')) {
    arr(ap.spec.rules).forEach((rule, i) => arr(obj(rule).from).forEach((from, j) => {
      const source = obj(obj(from).source);
      for (const field of ['namespaces', 'notNamespaces']) {
        strList(source[field]).forEach((ns, k) => {
          if (exists(ns)) return;
          const meant = ns.includes('*') ? undefined : ctx.suggestNamespace(ns);
          ctx.report({
            item: ap,
            rule: RULES.referencedResourceNotFound,
            level: ctx.refLevel(RULES.referencedResourceNotFound, meant),
            field: `spec.rules[${i}].from[${j}].source.${field}[${k}]`,
            message: `Referenced namespace not found: ${q(ns)}${meant === undefined ? '' : `; did you mean ${q(meant)}?`}`,
          });
        });
      }
    }));
  }
}

/**
 * IST0101: a Sidecar egress host `ns/dnsName` whose namespace does not exist, or whose
 * concrete (wildcard-free) name no Service, ServiceEntry or VirtualService of that
 * namespace (`*`: of any) defines. The Sidecar imports nothing for it, so the
 * workloads cannot reach the host. `~/...` imports nothing on purpose.
 */
function checkSidecarEgressHosts(ctx: Context): void {
  const sidecars = ctx.all('Sidecar');
  if (sidecars.length === 0) return;
  const vsHosts = new Map<string, Set<string>>();
  for (const vs of ctx.all('VirtualService')) {
    for (const h of strList(vs.spec.hosts)) {
      const fqdn = toFqdn(h, vs.ns);
      const set = vsHosts.get(fqdn) ?? new Set<string>();
      set.add(vs.ns);
      vsHosts.set(fqdn, set);
    }
  }
  for (const sc of sidecars) {
    arr(sc.spec.egress).forEach((listener, i) => strList(obj(listener).hosts).forEach((host, j) => {
      const slash = host.indexOf('/');
      if (slash < 0) return;
      const written = host.slice(0, slash);
      const dns = host.slice(slash + 1);
      if (written === '~' || !dns) return;
      const ns = written === '.' ? sc.ns : written;
      const field = `spec.egress[${i}].hosts[${j}]`;
      if (ns !== '*' && !ctx.namespaces.has(ns)) {
        const meant = ctx.suggestNamespace(ns);
        ctx.report({
          item: sc,
          rule: RULES.referencedResourceNotFound,
          level: ctx.refLevel(RULES.referencedResourceNotFound, meant),
          field,
          message: `Referenced namespace not found: ${q(ns)}${meant === undefined ? '' : `; did you mean ${q(`${meant}/${dns}`)}?`}`,
        });
        return;
      }
      if (dns.includes('*')) return;
      const fqdn = toFqdn(dns, ns === '*' ? sc.ns : ns);
      const entries = [...ctx.hostEntries(fqdn), ...ctx.wildcardEntries(fqdn)];
      const routed = vsHosts.get(fqdn);
      if (ns === '*' ? entries.length > 0 || routed !== undefined : entries.some(e => e.ns === ns) || routed?.has(ns) === true) return;
      // the same host in another namespace, else a near miss of a host
      const elsewhere = [...new Set([...entries.map(e => e.ns), ...routed ?? []])].sort()[0];
      const near = elsewhere === undefined ? ctx.suggestHost(dns, ns === '*' ? sc.ns : ns) : undefined;
      const meant = elsewhere !== undefined ? `${elsewhere}/${dns}` : near !== undefined ? `${written}/${near}` : undefined;
      ctx.report({
        item: sc,
        rule: RULES.referencedResourceNotFound,
        level: ctx.refLevel(RULES.referencedResourceNotFound, meant),
        field,
        message: `Referenced host not found: ${q(host)}: no Service, ServiceEntry or VirtualService of ${ns === '*' ? 'any namespace' : `namespace ${ns}`} defines ${dns}${meant === undefined ? '' : `; did you mean ${q(meant)}?`}`,
      });
    }));
  }
}
