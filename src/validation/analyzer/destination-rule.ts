/**
 * DestinationRule rules: TLS origination without server verification (IST0128,
 * IST0129), a host no Service or ServiceEntry defines (IST0174), and subsets that
 * select no workload (IST0173).
 *
 * Internal module: not part of the public API.
 */
import { FindingLevel } from '../findings';
import { Context, HostEntry, Item } from './context';
import { RULES } from './rules';
import { arr, num, obj, str, strMap } from './util';

export function checkDestinationRules(ctx: Context): void {
  for (const dr of ctx.all('DestinationRule')) {
    const host = str(dr.spec.host);
    checkServerVerification(ctx, dr, host ?? '');
    if (!host) continue;
    const entry = ctx.lookupHost(host, dr.ns);
    if (!entry) {
      ctx.report({
        item: dr,
        rule: RULES.unknownDestinationRuleHost,
        level: ctx.refLevel(RULES.unknownDestinationRuleHost, ctx.holdsHost(host, dr.ns)),
        field: 'spec.host',
        message: `The host ${host} defined in the DestinationRule does not match any services in the mesh.`,
      });
      continue;
    }
    if (!host.startsWith('*')) checkSubsets(ctx, dr, entry);
  }
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
 * A subset's endpoints are the host's endpoints that carry the subset's labels: the
 * pods its Service selects (or its ServiceEntry's workloadSelector / endpoints).
 */
function checkSubsets(ctx: Context, dr: Item, entry: HostEntry): void {
  const endpoints = entry.kind === 'ServiceEntry' ? arr(entry.item.spec.endpoints).map(e => strMap(obj(e).labels)) : [];
  const byWorkloads = Object.keys(entry.selector).length > 0;
  // a Service without selector has endpoints managed elsewhere; an external ServiceEntry without endpoints has none with labels
  if (entry.kind === 'Service' && !byWorkloads) return;
  arr(dr.spec.subsets).forEach((subset, i) => {
    const s = obj(subset);
    const name = str(s.name);
    const labels = strMap(s.labels);
    if (!name || Object.keys(labels).length === 0) return;
    let selected = endpoints.some(e => Object.keys(labels).every(k => e[k] === labels[k]));
    if (!selected && byWorkloads) {
      const merged = mergeSelectors(entry.selector, labels);
      selected = merged !== undefined && ctx.select(merged, entry.ns).length > 0;
    }
    if (selected) return;
    // open world: versions are often rolled out separately from their routing (canary), so a missing one is Info
    ctx.report({
      item: dr,
      rule: RULES.destinationRuleSubsetNotSelectPods,
      level: ctx.openWorld ? FindingLevel.INFO : RULES.destinationRuleSubsetNotSelectPods.level,
      field: `spec.subsets[${i}]`,
      message: `The Subset ${name} defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream).`,
    });
  });
}

function mergeSelectors(a: Record<string, string>, b: Record<string, string>): Record<string, string> | undefined {
  for (const k of Object.keys(b)) {
    if (a[k] !== undefined && a[k] !== b[k]) return undefined;
  }
  return { ...a, ...b };
}
