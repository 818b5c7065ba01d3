/**
 * VirtualService rules: references to gateways, destination hosts, ports and
 * subsets (IST0101, IST0112), hosts missing from the bound gateway (IST0132), mesh
 * host conflicts (IST0109), subsets ignored for ingress traffic (IST0140), JWT claim
 * routing without a RequestAuthentication on the gateway (IST0149), and ServiceEntries
 * with `resolution: NONE` behind a gateway (CDK8S-ISTIO-A001).
 *
 * Internal module: not part of the public API.
 */
import { Context, Item, Workload } from './context';
import { isInternalGatewayReference } from './policy-targets';
import { RULES } from './rules';
import { arr, hostsOverlap, list, NameIndex, num, obj, push, q, selectorMatches, str, strList, strMap, toFqdn } from './util';

const MESH = 'mesh';

/** One destination of a VirtualService, with where it is written. */
interface Destination {
  readonly field: string;
  readonly host: string;
  readonly port?: number;
  readonly subset?: string;
  readonly mirror: boolean;
  /** The gateways the rule applies to (`mesh` included). */
  readonly gateways: string[];
}

export function checkVirtualServices(ctx: Context): void {
  const subsets = new SubsetIndex(ctx);
  const meshSubsetRoutes = ingressIgnoredSubsets(ctx);
  const meshHosts = new Map<string, Item[]>();
  const loops = new Map<Item, Set<string>>();
  const gatewayHosts = new GatewayHostIndex();

  for (const vs of ctx.all('VirtualService')) {
    const gateways = strList(vs.spec.gateways);
    const bound = gateways.length === 0 ? [MESH] : gateways;

    // gateways: IST0101, IST0132 (a gateway istiod generates for a Kubernetes Gateway
    // exists only at run time: Istio reports it as IST0165 alone, and so does policy-targets.ts)
    gateways.forEach((ref, i) => {
      if (ref === MESH || isInternalGatewayReference(ref)) return;
      const { ns, name } = gatewayRef(ref, vs.ns);
      const gw = ctx.find('Gateway', ns, name);
      if (!gw) {
        const near = ctx.suggestObject('Gateway', ns, name);
        const meant = near === undefined || near.includes('/') || !ref.includes('/') ? near : `${ns}/${near}`;
        ctx.report({
          item: vs,
          rule: RULES.referencedResourceNotFound,
          level: ctx.refLevel(RULES.referencedResourceNotFound, meant),
          field: `spec.gateways[${i}]`,
          message: `Referenced gateway not found: ${q(ref)}${didYouMean(meant)}`,
        });
        return;
      }
      const vsHosts = strList(vs.spec.hosts);
      const gwHosts = gatewayHosts.get(gw, vs.ns);
      if (vsHosts.length > 0 && !vsHosts.some(h => gwHosts.overlaps(h))) {
        ctx.report({
          item: vs,
          rule: RULES.virtualServiceHostNotFoundInGateway,
          field: `spec.gateways[${i}]`,
          message: `one or more host ${list(vsHosts)} defined in VirtualService ${vs.ns}/${vs.name} not found in Gateway ${ns}/${name}.`,
        });
      }
    });

    // destinations: IST0101, IST0112, IST0140, CDK8S-ISTIO-A001
    for (const d of destinations(vs, bound)) {
      const entry = ctx.lookupHost(d.host, vs.ns);
      if (!entry) {
        const hidden = ctx.hiddenHost(d.host, vs.ns);
        const meant = hidden ? undefined : ctx.suggestHost(d.host, vs.ns);
        const why = hidden ? `; ${hidden.kind} ${hidden.ns}/${hidden.item.name} defines it but is not exported to namespace ${vs.ns}` : didYouMean(meant);
        ctx.report({
          item: vs,
          rule: RULES.referencedResourceNotFound,
          level: ctx.refLevel(RULES.referencedResourceNotFound, hidden !== undefined || meant),
          field: `${d.field}.host`,
          message: `Referenced ${d.mirror ? 'mirror host' : 'host'} not found: ${q(d.host)}${why}`,
        });
      } else if (d.port === undefined && entry.ports.length > 1) {
        ctx.report({
          item: vs,
          rule: RULES.virtualServiceDestinationPortSelectorRequired,
          field: `${d.field}.host`,
          message: `This VirtualService routes to a service ${q(d.host)} that exposes multiple ports ${list(entry.ports)}. Specifying a port in the destination is required to disambiguate.`,
        });
      } else if (d.port !== undefined && entry.ports.length > 0 && !entry.ports.includes(d.port)) {
        ctx.report({
          item: vs,
          rule: RULES.referencedResourceNotFound,
          field: `${d.field}.port.number`,
          message: `Referenced host:port not found: ${q(`${d.host}:${d.port}`)}`,
        });
      }

      const fqdn = toFqdn(d.host, vs.ns);
      if (d.subset && !subsets.has(fqdn, d.subset)) {
        const meant = subsets.nearest(fqdn, d.subset);
        ctx.report({
          item: vs,
          rule: RULES.referencedResourceNotFound,
          level: ctx.refLevel(RULES.referencedResourceNotFound, meant),
          field: `${d.field}.subset`,
          message: `Referenced ${d.mirror ? 'mirror' : 'host'}+subset in destinationrule not found: ${q(`${d.host}+${d.subset}`)}${didYouMean(meant)}`,
        });
      }

      const throughGateways = d.gateways.filter(g => g !== MESH);
      if (throughGateways.length > 0 && !d.mirror) {
        if (!d.subset && d.field.startsWith('spec.http')) {
          for (const other of meshSubsetRoutes.get(fqdn) ?? []) {
            if (other === vs) continue;
            ctx.report({
              item: vs,
              rule: RULES.ingressRouteRulesNotAffected,
              field: `${d.field}.host`,
              message: `Subset in virtual service ${other.ns}/${other.name} has no effect on ingress gateway ${vs.ns}/${vs.name} requests`,
            });
          }
        }
        if (entry?.kind === 'ServiceEntry' && (str(entry.item.spec.resolution) ?? 'NONE') === 'NONE') {
          const set = loops.get(entry.item) ?? new Set<string>();
          set.add(`VirtualService ${vs.ns}/${vs.name} routes host ${q(d.host)} through gateway ${throughGateways.map(q).join(', ')}`);
          loops.set(entry.item, set);
        }
      }
    }

    // mesh hosts: IST0109 (collected)
    if (bound.includes(MESH)) {
      const exportTo = strList(vs.spec.exportTo);
      const scopes = exportTo.length === 0 || exportTo.includes('*') ? ['*'] : [...new Set(exportTo.map(e => (e === '.' ? vs.ns : e)))];
      for (const host of new Set(strList(vs.spec.hosts).map(h => toFqdn(h, vs.ns)))) {
        for (const scope of scopes) {
          push(meshHosts, `${scope}\u0000${host}`, vs);
        }
      }
    }

    checkJwtClaimRouting(ctx, vs, gateways);
  }

  for (const [key, services] of meshHosts) {
    if (services.length < 2) continue;
    const host = key.slice(key.indexOf('\u0000') + 1);
    const names = services.map(s => `${s.ns}/${s.name}`).join(',');
    for (const vs of services) {
      ctx.report({
        item: vs,
        rule: RULES.conflictingMeshGatewayVirtualServiceHosts,
        field: 'spec.hosts',
        message: `The VirtualServices ${names} associated with mesh gateway define the same host ${host} which can lead to undefined behavior. This can be fixed by merging the conflicting VirtualServices into a single resource.`,
      });
    }
  }

  for (const [se, routes] of loops) {
    ctx.report({
      item: se,
      rule: RULES.gatewayLoopsToItself,
      field: 'spec.resolution',
      message: `ServiceEntry ${se.ns}/${se.name} has resolution ${str(se.spec.resolution) ?? 'NONE (the default)'}, but ${[...routes].join('; ')}. `
        + 'With resolution NONE a gateway forwards to the original destination address, which is the gateway itself, so the request loops. '
        + 'Use resolution: DNS (or STATIC with endpoints).',
    });
  }
}

/** `name`, `namespace/name`, or the legacy `name.namespace` form. */
export function gatewayRef(ref: string, fromNs: string): { ns: string; name: string } {
  const slash = ref.indexOf('/');
  if (slash >= 0) return { ns: ref.slice(0, slash), name: ref.slice(slash + 1) };
  const dot = ref.indexOf('.');
  if (dot > 0) return { ns: ref.slice(dot + 1).split('.')[0], name: ref.slice(0, dot) };
  return { ns: fromNs, name: ref };
}

/**
 * The hosts of each Gateway as offered to the VirtualServices of one namespace, made
 * once per gateway and namespace (many VirtualServices bind one shared gateway).
 */
class GatewayHostIndex {
  private readonly byGateway = new Map<Item, Map<string, GatewayHosts>>();

  public get(gw: Item, vsNs: string): GatewayHosts {
    let byNs = this.byGateway.get(gw);
    if (!byNs) this.byGateway.set(gw, byNs = new Map());
    let hosts = byNs.get(vsNs);
    if (!hosts) byNs.set(vsNs, hosts = new GatewayHosts(gatewayHostsFor(gw, vsNs)));
    return hosts;
  }
}

/** Gateway hosts, answering "does any overlap this host" (`hostsOverlap`) without a scan for a concrete host. */
class GatewayHosts {
  private readonly exact = new Set<string>();
  /** The suffixes of the wildcard hosts (`*.example.com` -> `.example.com`, `*` -> ``). */
  private readonly suffixes = new Set<string>();

  constructor(private readonly hosts: string[]) {
    for (const h of hosts) {
      if (h.startsWith('*')) this.suffixes.add(h.slice(1));
      else this.exact.add(h);
    }
  }

  public overlaps(host: string): boolean {
    if (host.startsWith('*')) return this.hosts.some(g => hostsOverlap(g, host));
    if (this.exact.has(host)) return true;
    for (let i = 0; i <= host.length; i++) {
      if (this.suffixes.has(host.slice(i))) return true;
    }
    return false;
  }
}

/**
 * The hosts a Gateway's servers offer to VirtualServices of namespace `vsNs`
 * (`ns/host` entries of other namespaces are left out; `*\/host` and `./host` resolved).
 */
function gatewayHostsFor(gw: Item, vsNs: string): string[] {
  const out: string[] = [];
  for (const server of arr(gw.spec.servers)) {
    for (const h of strList(obj(server).hosts)) {
      const slash = h.indexOf('/');
      if (slash < 0) {
        out.push(h);
        continue;
      }
      const ns = h.slice(0, slash);
      if (ns === '*' || ns === vsNs || (ns === '.' && gw.ns === vsNs)) out.push(h.slice(slash + 1));
    }
  }
  return out;
}

function destinations(vs: Item, bound: string[]): Destination[] {
  const out: Destination[] = [];
  const add = (field: string, dest: unknown, mirror: boolean, gateways: string[]) => {
    const d = obj(dest);
    const host = str(d.host);
    if (!host) return;
    out.push({ field, host, port: num(obj(d.port).number), subset: str(d.subset), mirror, gateways });
  };
  for (const section of ['http', 'tcp', 'tls']) {
    arr(vs.spec[section]).forEach((rule, i) => {
      const r = obj(rule);
      const gateways = ruleGateways(r, bound);
      arr(r.route).forEach((route, j) => add(`spec.${section}[${i}].route[${j}].destination`, obj(route).destination, false, gateways));
      if (section === 'http') {
        if (r.mirror !== undefined) add(`spec.http[${i}].mirror`, r.mirror, true, gateways);
        arr(r.mirrors).forEach((m, j) => add(`spec.http[${i}].mirrors[${j}].destination`, obj(m).destination, true, gateways));
      }
    });
  }
  return out;
}

/** `fqdn \0 subset` of every subset a VirtualService of the input routes or mirrors to (the host made an FQDN in the VirtualService's namespace). */
export function routedSubsets(ctx: Context): Set<string> {
  const out = new Set<string>();
  for (const vs of ctx.all('VirtualService')) {
    for (const d of destinations(vs, [])) {
      if (d.subset) out.add(`${toFqdn(d.host, vs.ns)}\u0000${d.subset}`);
    }
  }
  return out;
}

/** The gateways a route rule applies to: its matches' `gateways` when every match names some, else the VirtualService's. */
function ruleGateways(rule: Record<string, any>, bound: string[]): string[] {
  const matches = arr(rule.match).map(obj);
  if (matches.length === 0 || matches.some(m => strList(m.gateways).length === 0)) return bound;
  return [...new Set(matches.flatMap(m => strList(m.gateways)))];
}

/** The subset names of the DestinationRules by host (made an FQDN in the DestinationRule's namespace). */
class SubsetIndex {
  private readonly names = new NameIndex();

  constructor(ctx: Context) {
    for (const dr of ctx.all('DestinationRule')) {
      const host = str(dr.spec.host);
      if (!host) continue;
      const fqdn = toFqdn(host, dr.ns);
      for (const s of arr(dr.spec.subsets)) {
        const name = str(obj(s).name);
        if (name) this.names.add(fqdn, name);
      }
    }
  }

  /** True if a DestinationRule of the host, or of a wildcard host covering it, defines the subset. */
  public has(fqdn: string, subset: string): boolean {
    return this.hostsOf(fqdn).some(h => this.names.has(h, subset));
  }

  /** The subset of the host's DestinationRules that a missing one most likely meant (`isNearMiss`: `v1`/`v2` never, `V1`/`v1` yes). */
  public nearest(fqdn: string, subset: string): string | undefined {
    for (const h of this.hostsOf(fqdn)) {
      const near = this.names.nearest(h, subset);
      if (near !== undefined) return near;
    }
    return undefined;
  }

  private hostsOf(fqdn: string): string[] {
    const out = [fqdn];
    for (let i = fqdn.indexOf('.'); i >= 0; i = fqdn.indexOf('.', i + 1)) out.push(`*${fqdn.slice(i)}`);
    return out;
  }
}

/** `; did you mean "X"?`, or nothing. */
export function didYouMean(meant: string | undefined): string {
  return meant === undefined ? '' : `; did you mean ${q(meant)}?`;
}

/**
 * IST0140's index: the FQDN hosts for which a mesh VirtualService routes its own host
 * to a subset. Such a split applies to sidecars only; a gateway route to the same host
 * without a subset ignores it.
 */
function ingressIgnoredSubsets(ctx: Context): Map<string, Item[]> {
  const out = new Map<string, Item[]>();
  for (const vs of ctx.all('VirtualService')) {
    const gateways = strList(vs.spec.gateways);
    if (gateways.length > 0 && !gateways.includes(MESH)) continue;
    const own = new Set(strList(vs.spec.hosts).map(h => toFqdn(h, vs.ns)));
    const hosts = new Set<string>();
    for (const rule of arr(vs.spec.http)) {
      for (const route of arr(obj(rule).route)) {
        const d = obj(obj(route).destination);
        const host = str(d.host);
        if (host && str(d.subset) && own.has(toFqdn(host, vs.ns))) hosts.add(toFqdn(host, vs.ns));
      }
    }
    for (const h of hosts) push(out, h, vs);
  }
  return out;
}

const CLAIM_PREFIX = '@request.auth.claims';

/**
 * IST0149: routing on `@request.auth.claims.*` headers at a gateway needs a
 * RequestAuthentication on the gateway's pods, or the claims are never there.
 */
function checkJwtClaimRouting(ctx: Context, vs: Item, gateways: string[]): void {
  const keys: Array<{ key: string; field: string }> = [];
  arr(vs.spec.http).forEach((rule, i) => arr(obj(rule).match).forEach((m, j) => {
    for (const key of Object.keys(obj(obj(m).headers))) {
      if (key.startsWith(CLAIM_PREFIX)) keys.push({ key, field: `spec.http[${i}].match[${j}].headers` });
    }
  }));
  if (keys.length === 0) return;
  for (const ref of gateways) {
    if (ref === MESH) continue;
    const { ns, name } = gatewayRef(ref, vs.ns);
    const gw = ctx.find('Gateway', ns, name);
    const selector = strMap(gw?.spec.selector);
    if (Object.keys(selector).length === 0) continue;
    for (const pod of ctx.select(selector, undefined)) {
      if (hasRequestAuthentication(ctx, pod)) continue;
      // open world: the RequestAuthentication may live elsewhere, unless the input holds one whose selector is a near miss of these pods' labels
      const held = mistypedRequestAuthentication(ctx, pod);
      for (const { key, field } of keys) {
        ctx.report({
          item: vs,
          rule: RULES.jwtClaimBasedRoutingWithoutRequestAuthN,
          level: ctx.refLevel(RULES.jwtClaimBasedRoutingWithoutRequestAuthN, held),
          field,
          message: `The virtual service uses the JWT claim based routing (key: ${key}) but found no request authentication for the gateway (${ns}/${name}) pod (${pod.ns}/${pod.name}). `
            + 'The request authentication must first be applied for the gateway pods to validate the JWT token and make the claims available for routing.',
        });
      }
    }
  }
}

function hasRequestAuthentication(ctx: Context, pod: Workload): boolean {
  return [...ctx.allIn('RequestAuthentication', pod.ns), ...ctx.allIn('RequestAuthentication', ctx.rootNamespace)].some(ra => {
    if (ra.spec.targetRef !== undefined || ra.spec.targetRefs !== undefined) return false;
    const selector = strMap(obj(ra.spec.selector).matchLabels);
    return selectorMatches(selector, pod.labels);
  });
}

/**
 * True if a RequestAuthentication of the pod's namespace or the root namespace selects
 * no workload, and its selector is a near miss of the pod's labels: one meant for these
 * pods, mistyped.
 */
function mistypedRequestAuthentication(ctx: Context, pod: Workload): boolean {
  return [...ctx.allIn('RequestAuthentication', pod.ns), ...ctx.allIn('RequestAuthentication', ctx.rootNamespace)].some(ra => {
    const selector = strMap(obj(ra.spec.selector).matchLabels);
    const scope = ra.ns === ctx.rootNamespace ? undefined : ra.ns;
    if (Object.keys(selector).length === 0 || ctx.select(selector, scope).length > 0) return false;
    const meant = ctx.suggestSelectorLabels(selector, scope);
    return meant !== undefined && selectorMatches(meant, pod.labels);
  });
}
