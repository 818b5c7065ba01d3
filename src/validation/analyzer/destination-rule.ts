/**
 * DestinationRule rules: TLS origination without server verification (IST0128,
 * IST0129), a host no Service or ServiceEntry defines (IST0174), and subsets that
 * select no workload (IST0173).
 *
 * Internal module: not part of the public API.
 */
import { FindingLevel } from '../findings';
import { Context, HostEntry, Item, Workload } from './context';
import { RULES } from './rules';
import { arr, NameIndex, num, obj, q, selectorMatches, selectorString, str, strList, strMap, toFqdn } from './util';
import { routedSubsets } from './virtual-service';

export function checkDestinationRules(ctx: Context): void {
  const routed = routedSubsets(ctx);
  for (const dr of ctx.all('DestinationRule')) {
    const host = str(dr.spec.host);
    checkServerVerification(ctx, dr, host ?? '');
    if (!host) continue;
    const entry = lookupForDestinationRule(ctx, host, dr);
    if (!entry) {
      const meant = ctx.suggestHost(host, dr.ns);
      ctx.report({
        item: dr,
        rule: RULES.unknownDestinationRuleHost,
        level: ctx.refLevel(RULES.unknownDestinationRuleHost, meant),
        field: 'spec.host',
        message: `The host ${host} defined in the DestinationRule does not match any services in the mesh.${meant === undefined ? '' : ` Did you mean ${q(meant)}?`}`,
      });
      continue;
    }
    if (!host.startsWith('*')) checkSubsets(ctx, dr, entry, routed);
  }
}

/**
 * The host a DestinationRule configures, as seen from its own namespace or from a
 * namespace it is exported to (a DestinationRule exported to `team-b` for a Service
 * exported only to `team-b` applies there; Istio's analyzer also looks the host up in
 * the `exportTo` namespaces).
 */
function lookupForDestinationRule(ctx: Context, host: string, dr: Item): HostEntry | undefined {
  const own = ctx.lookupHost(host, dr.ns);
  if (own) return own;
  const exportTo = strList(dr.spec.exportTo).filter(e => e !== '.' && e !== '~');
  if (exportTo.length === 0) return undefined;
  const fqdn = toFqdn(host, dr.ns);
  const candidates = [...ctx.hostEntries(fqdn), ...ctx.wildcardEntries(fqdn)];
  return exportTo.includes('*') ? candidates[0] : exportTo.map(e => ctx.lookupHost(fqdn, e)).find(e => e !== undefined);
}

/** SIMPLE or MUTUAL TLS without caCertificates (or a credentialName holding the CA) does not verify the server. */
function checkServerVerification(ctx: Context, dr: Item, host: string): void {
  const policy = obj(dr.spec.trafficPolicy);
  const unverified = (tls: Record<string, any>) => {
    const mode = str(tls.mode);
    if (mode !== 'SIMPLE' && mode !== 'MUTUAL') return undefined;
    if (str(tls.caCertificates) || str(tls.credentialName) || tls.insecureSkipVerify === true) return undefined;
    return mode;
  };
  const mode = unverified(obj(policy.tls));
  if (mode) {
    ctx.report({
      item: dr,
      rule: RULES.noServerCertificateVerificationDestinationLevel,
      field: 'spec.trafficPolicy.tls',
      message: `DestinationRule ${dr.ns}/${dr.name} in namespace ${dr.ns} has TLS mode set to ${mode} but no caCertificates are set to validate server identity for host: ${host}`,
    });
  }
  arr(policy.portLevelSettings).forEach((setting, i) => {
    const s = obj(setting);
    const portMode = unverified(obj(s.tls));
    if (!portMode) return;
    ctx.report({
      item: dr,
      rule: RULES.noServerCertificateVerificationPortLevel,
      field: `spec.trafficPolicy.portLevelSettings[${i}].tls`,
      message: `DestinationRule ${dr.ns}/${dr.name} in namespace ${dr.ns} has TLS mode set to ${portMode} but no caCertificates are set to validate server identity for host: ${host} at port ${num(obj(s.port).number) ?? '(unset)'}`,
    });
  });
}

/**
 * Labels that Istio adds to every endpoint from its node and cluster (locality,
 * hostname, network, cluster): a subset may select by them, and manifests cannot tell
 * which values the pods will get. Matching ignores them.
 */
const ENDPOINT_LABELS = new Set([
  'topology.kubernetes.io/region', 'topology.kubernetes.io/zone', 'topology.istio.io/subzone', 'kubernetes.io/hostname',
  'topology.istio.io/network', 'topology.istio.io/cluster',
]);

/**
 * IST0173. A subset's endpoints are the host's endpoints that carry the subset's labels:
 * the pods its Service selects (or its ServiceEntry's workloadSelector / endpoints).
 *
 * When the input holds the host's endpoints (some pods of the Service, or the
 * ServiceEntry's own endpoints), a subset that selects none of them is known to be
 * empty: the rule's level in both worlds, except, in an open world, a subset that no
 * VirtualService of the input routes to and whose labels are no typo (a version not
 * rolled out yet, as Istio's bookinfo `destination-rule-all.yaml` has): Info. When the
 * input holds none of the host's pods, the open world has nothing to compare with: Info.
 */
function checkSubsets(ctx: Context, dr: Item, entry: HostEntry, routed: Set<string>): void {
  // a Service without selector has endpoints managed elsewhere; ExternalName has none with labels
  if (entry.kind === 'Service' && (Object.keys(entry.selector).length === 0 || str(entry.item.spec.type) === 'ExternalName')) return;
  const endpoints = entry.kind === 'ServiceEntry' ? arr(entry.item.spec.endpoints).map(e => strMap(obj(e).labels)) : [];
  const byWorkloads = Object.keys(entry.selector).length > 0;
  const pods = byWorkloads ? ctx.select(entry.selector, entry.ns) : [];
  // an external ServiceEntry without workloadSelector has its endpoints written in it (or the host itself, without labels)
  const held = pods.length > 0 || endpoints.length > 0 || !byWorkloads;
  const hostName = entry.kind === 'Service' ? entry.item.name : `ServiceEntry ${entry.ns}/${entry.item.name}`;
  const fqdn = toFqdn(str(dr.spec.host)!, dr.ns);

  arr(dr.spec.subsets).forEach((subset, i) => {
    const s = obj(subset);
    const name = str(s.name);
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(strMap(s.labels))) if (!ENDPOINT_LABELS.has(k)) labels[k] = v;
    if (!name || Object.keys(labels).length === 0) return;
    if (endpoints.some(e => selectorMatches(labels, e))) return;
    const merged = byWorkloads ? mergeSelectors(entry.selector, labels) : undefined;
    if (merged !== undefined && ctx.select(merged, entry.ns).length > 0) return;

    let level: FindingLevel = RULES.destinationRuleSubsetNotSelectPods.level;
    let detail = '';
    if (held) {
      const isRouted = routed.has(`${fqdn}\u0000${name}`);
      const meant = pods.length > 0 ? nearLabels(labels, pods) : undefined;
      const seen = pods.length > 0 ? `The pods of ${hostName} have ${ctx.seenLabels(labels, pods)}.`
        : endpoints.length > 0 ? `The endpoints of ${hostName} have ${labelList(labels, endpoints)}.`
          : `${hostName} has no endpoints with labels.`;
      detail = ` ${seen}${meant === undefined ? '' : ` Did you mean ${q(meant)}?`}${isRouted ? ` A VirtualService routes to subset ${name}: its requests fail.` : ''}`;
      if (ctx.openWorld && !isRouted && meant === undefined) level = FindingLevel.INFO;
    } else if (ctx.openWorld) {
      level = FindingLevel.INFO;
    }
    ctx.report({
      item: dr,
      rule: RULES.destinationRuleSubsetNotSelectPods,
      level,
      field: `spec.subsets[${i}]`,
      message: `The Subset ${name} defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream).${detail}`,
    });
  });
}

/** The subset labels with a mistyped value (or key) replaced by the near miss the pods carry, if those select some pod. */
function nearLabels(labels: Record<string, string>, pods: Workload[]): string | undefined {
  const keys = new NameIndex();
  const values = new NameIndex();
  for (const p of pods) {
    for (const [k, v] of Object.entries(p.labels)) {
      keys.add('', k);
      values.add(k, v);
    }
  }
  const fixed: Record<string, string> = {};
  let changed = false;
  for (const [k, v] of Object.entries(labels)) {
    const key = keys.has('', k) ? k : keys.nearest('', k);
    if (key === undefined) return undefined;
    const value = values.has(key, v) ? v : values.nearest(key, v);
    if (value === undefined) return undefined;
    changed = changed || key !== k || value !== v;
    fixed[key] = value;
  }
  return changed && pods.some(p => selectorMatches(fixed, p.labels)) ? selectorString(fixed) : undefined;
}

function labelList(labels: Record<string, string>, endpoints: Array<Record<string, string>>): string {
  return Object.keys(labels).sort().map(k => {
    const values = [...new Set(endpoints.map(e => e[k]).filter(v => v !== undefined))].sort();
    return values.length === 0 ? `no ${k} label` : `${k}=${values.join(', ')}`;
  }).join('; ');
}

function mergeSelectors(a: Record<string, string>, b: Record<string, string>): Record<string, string> | undefined {
  for (const k of Object.keys(b)) {
    if (a[k] !== undefined && a[k] !== b[k]) return undefined;
  }
  return { ...a, ...b };
}
