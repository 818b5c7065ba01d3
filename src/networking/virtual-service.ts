import { Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { HttpRouteRule, HttpRouteRuleProps } from './http-route';
import { TcpRouteRule, TcpRouteRuleProps } from './tcp-route';
import { TlsRouteRule, TlsRouteRuleProps } from './tls-route';
import { checkGatewayName, checkHost, checkNamespace, JWT_CLAIM_PREFIX, MESH_GATEWAY, NAMESPACE_NAME, resolveHost } from './vs-checks';
import { IVirtualService } from './vs-reference';
import * as l1 from '../../imports/networking.istio.io';
import { addAppCheck, addSynthValidation, ManifestIndex, perApp } from '../core/cross-check';
import { constructMessage, propMessage, throwPropError } from '../core/errors';
import { ImportedResource, ReferenceSyntax } from '../core/imported-resource';
import { IstioResource, IstioResourceProps } from '../core/istio-resource';
import { hostsIntersect, isDnsLabel, isDnsSubdomain } from '../core/names';
import { gatewayReference, IGateway } from '../core/references';

/**
 * Props of a VirtualService.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/
 */
export interface VirtualServiceProps extends IstioResourceProps {
  /**
   * The hosts the rules apply to: short names (`reviews`, read in the namespace of
   * the VirtualService), fully qualified names, `*.example.com`, or `*` (only on a
   * VirtualService bound to gateways alone). More with `addHost()`.
   * @default - no hosts: a delegate VirtualService, used only through the
   *   `delegate` of another VirtualService's route
   */
  readonly hosts?: string[];

  /**
   * Gateways whose traffic the rules apply to. More with `addGateway()`.
   * @default - none: the sidecars of the mesh only
   */
  readonly gateways?: IGateway[];

  /**
   * Gateways by name: `<namespace>/<name>` or `<name>` (in the namespace of the
   * VirtualService); `mesh` means the sidecars. Combined with `gateways`.
   * More with `addGatewayName()`.
   * @default - none
   */
  readonly gatewayNames?: string[];

  /**
   * Whether the rules also apply to the sidecars of the mesh. Istio applies a
   * VirtualService to the mesh only when no gateway is listed, or when `mesh`
   * is listed; when this is true and gateways are listed, `mesh` is written
   * explicitly.
   * @default - true when no gateway is listed (or `mesh` is in gatewayNames), false otherwise
   */
  readonly includeMesh?: boolean;

  /**
   * The namespaces that can see the VirtualService: `.` (its own), `*` (all) or
   * namespace names. A VirtualService used by a gateway in another namespace needs `*`.
   * @default - Istio's default (`*`, unless the mesh config says otherwise)
   */
  readonly exportTo?: string[];

  /**
   * HTTP route rules, in order (the first that matches wins). More with `addHttpRoute()`.
   * @default - none
   */
  readonly http?: HttpRouteRuleProps[];

  /**
   * TCP route rules, in order. More with `addTcpRoute()`.
   * @default - none
   */
  readonly tcp?: TcpRouteRuleProps[];

  /**
   * TLS (passthrough) route rules, in order. More with `addTlsRoute()`.
   * @default - none
   */
  readonly tls?: TlsRouteRuleProps[];
}

/** Options of `VirtualService.fromVirtualServiceName()`. */
export interface VirtualServiceImportOptions {
  /**
   * The namespace of the VirtualService (or write `namespace/name`).
   * @default - the namespace of the object that refers to it
   */
  readonly namespace?: string;
}

/**
 * An Istio VirtualService (networking.istio.io/v1): routing rules for the traffic
 * to a set of hosts, applied by the sidecars of the mesh and/or by gateways.
 *
 * Checked at once: host syntax, `*` on a VirtualService bound to the mesh,
 * duplicate hosts and gateways, `exportTo` values, SNI hosts not covered by the
 * hosts, weights (0-100, summing to 100 when a route has several destinations),
 * one of destinations / redirect / directResponse / delegate per rule, fault and
 * rewrite not on a redirect or direct response, mirror XOR mirrors, percentages,
 * destination hosts (never `*`), subset names, regexes (RE2, 1024 characters at
 * most), durations (1ms at least) and retry conditions.
 *
 * Checked at validation, when the object is complete: a VirtualService with no
 * route, a route with no destination, weights changed by `addDestination()`,
 * the rules of a delegate VirtualService (no hosts: no gateways, tcp, tls or
 * further delegation), and across the app:
 *
 * - a destination or mirror `subset` must be defined by a DestinationRule for that
 *   host. Lenient on purpose: the check only applies when the app itself has a
 *   DestinationRule (L2, L1 or included YAML) for the host, since the
 *   DestinationRule may live in another repository. Short hosts are resolved in
 *   the namespace of each object (`reviews` -> `reviews.<ns>.svc.cluster.local`;
 *   no namespace counts as `default`), and only DestinationRules for exactly that
 *   host count (a wildcard DestinationRule is not matched).
 * - a `delegate` target made in this app must have no hosts (Istio ignores a
 *   delegate that has hosts).
 *
 * @example
 * const vs = new VirtualService(this, 'reviews', { hosts: ['reviews'] });
 * vs.addHttpRoute({
 *   match: [{ headers: { 'end-user': StringMatch.exact('jason') } }],
 *   destinations: [RouteDestination.to('reviews', { subset: 'v2' })],
 * });
 * vs.addHttpRoute({
 *   destinations: [
 *     RouteDestination.to('reviews', { subset: 'v1', weight: 90 }),
 *     RouteDestination.to('reviews', { subset: 'v3', weight: 10 }),
 *   ],
 *   timeout: Duration.seconds(10),
 * });
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/
 */
export class VirtualService extends IstioResource implements IVirtualService {
  /** The `gateways` entry that means the sidecars of the mesh. */
  public static readonly MESH = MESH_GATEWAY;

  /**
   * Refers to a VirtualService made elsewhere, e.g. as the `delegate` of a route.
   * @param name `name`, or `namespace/name`
   */
  public static fromVirtualServiceName(scope: Construct, id: string, name: string, options: VirtualServiceImportOptions = {}): IVirtualService {
    return new ImportedVirtualService(scope, id, name, options.namespace);
  }

  /** The L1 object. */
  public readonly apiObject: l1.VirtualService;

  private readonly hostList: string[] = [];
  /** `hostList` positions: concrete hosts by their normalized name, and the wildcard hosts (for `addHost`'s overlap check). */
  private readonly concreteHosts = new Map<string, number>();
  private readonly wildcardHosts: number[] = [];
  private readonly gatewayList: string[] = [];
  private readonly includeMesh?: boolean;
  private readonly exportTo?: string[];
  private readonly httpRules: HttpRouteRule[] = [];
  private readonly tcpRules: TcpRouteRule[] = [];
  private readonly tlsRules: TlsRouteRule[] = [];

  public constructor(scope: Construct, id: string, props: VirtualServiceProps = {}) {
    super(scope, id, props);
    this.includeMesh = props.includeMesh;
    for (const gateway of props.gateways ?? []) this.addGateway(gateway);
    for (const name of props.gatewayNames ?? []) this.addGatewayName(name);
    for (const host of props.hosts ?? []) this.addHost(host);
    this.exportTo = props.exportTo ? this.checkExportTo(props.exportTo) : undefined;
    this.apiObject = new l1.VirtualService(this, 'Resource', {
      metadata: this.resourceMetadata(props),
      spec: Lazy.any({ produce: () => this.renderSpec() }) as l1.VirtualServiceSpec,
    });
    for (const rule of props.http ?? []) this.addHttpRoute(rule);
    for (const rule of props.tcp ?? []) this.addTcpRoute(rule);
    for (const rule of props.tls ?? []) this.addTlsRoute(rule);
    addSynthValidation(this, () => this.validateComplete());
    registerCrossCheck(this);
  }

  /** The hosts, in order. */
  public get hosts(): string[] {
    return [...this.hostList];
  }

  /** The `gateways` as written in the spec (empty: the mesh only). */
  public get gateways(): string[] {
    const listed = this.gatewayList.filter(g => g !== MESH_GATEWAY);
    if (listed.length === 0) return [];
    return this.bindsToMesh ? [...listed, MESH_GATEWAY] : listed;
  }

  /** Whether the rules apply to the sidecars of the mesh. */
  public get bindsToMesh(): boolean {
    return this.includeMesh ?? (this.gatewayList.length === 0 || this.gatewayList.includes(MESH_GATEWAY));
  }

  /** The HTTP route rules, in order. */
  public get httpRoutes(): HttpRouteRule[] {
    return [...this.httpRules];
  }

  /** The TCP route rules, in order. */
  public get tcpRoutes(): TcpRouteRule[] {
    return [...this.tcpRules];
  }

  /** The TLS route rules, in order. */
  public get tlsRoutes(): TlsRouteRule[] {
    return [...this.tlsRules];
  }

  /**
   * Adds a host. `*` is refused while the VirtualService applies to the mesh:
   * bind it to gateways first.
   */
  public addHost(host: string): void {
    const prop = `hosts[${this.hostList.length}]`;
    checkHost(this, prop, host, { allowStar: true, allowIp: true });
    // as Istio's webhook: a host is a duplicate when it overlaps another (`*.foo.com` and `a.foo.com`)
    const overlapping = this.firstOverlapping(host);
    if (overlapping !== undefined) {
      throwPropError(this, prop, host, `each host is listed once, and hosts may not overlap: it overlaps "${overlapping}" (hosts: ${JSON.stringify(this.hostList)})`);
    }
    const normal = normalHost(host);
    if (isWildcard(normal)) this.wildcardHosts.push(this.hostList.length);
    else this.concreteHosts.set(normal, this.hostList.length);
    this.hostList.push(host);
    this.checkMeshWildcard();
  }

  /** Binds the rules to a gateway. */
  public addGateway(gateway: IGateway): void {
    this.addGatewayName(gatewayReference(gateway));
  }

  /**
   * Binds the rules to a gateway by name: `<namespace>/<name>`, `<name>` (same
   * namespace) or `mesh`.
   */
  public addGatewayName(name: string): void {
    const prop = `gateways[${this.gatewayList.length}]`;
    checkGatewayName(this, prop, name);
    if (this.gatewayList.includes(name)) {
      throwPropError(this, prop, name, `each gateway is listed once (gateways: ${JSON.stringify(this.gatewayList)})`);
    }
    if (name === MESH_GATEWAY && this.includeMesh === false) {
      throwPropError(this, prop, name, 'includeMesh is false: drop "mesh" or includeMesh');
    }
    this.gatewayList.push(name);
    this.checkMeshWildcard();
  }

  /** Adds an HTTP route rule (after the existing ones) and returns it. */
  public addHttpRoute(props: HttpRouteRuleProps = {}): HttpRouteRule {
    const rule = HttpRouteRule._create(this, `http[${this.httpRules.length}]`, props);
    this.httpRules.push(rule);
    return rule;
  }

  /** Adds a TCP route rule (after the existing ones) and returns it. */
  public addTcpRoute(props: TcpRouteRuleProps = {}): TcpRouteRule {
    const rule = TcpRouteRule._create(this, `tcp[${this.tcpRules.length}]`, props);
    this.tcpRules.push(rule);
    return rule;
  }

  /**
   * Adds a TLS route rule (after the existing ones) and returns it. Its SNI hosts
   * must be covered by the hosts added so far.
   */
  public addTlsRoute(props: TlsRouteRuleProps): TlsRouteRule {
    const rule = TlsRouteRule._create(this, `tls[${this.tlsRules.length}]`, props, () => this.hostList);
    this.tlsRules.push(rule);
    return rule;
  }

  /** The first host listed that overlaps `host` (`hostsIntersect`), without a scan of every host for a concrete one. */
  private firstOverlapping(host: string): string | undefined {
    const normal = normalHost(host);
    if (isWildcard(normal)) return this.hostList.find(h => hostsIntersect(h, host));
    let first = this.concreteHosts.get(normal);
    for (const i of this.wildcardHosts) {
      if (first !== undefined && i > first) break;
      if (hostsIntersect(this.hostList[i], host)) {
        first = i;
        break;
      }
    }
    return first === undefined ? undefined : this.hostList[first];
  }

  private checkMeshWildcard(): void {
    const star = this.hostList.indexOf('*');
    if (star !== -1 && this.bindsToMesh) {
      throwPropError(this, `hosts[${star}]`, '*',
        'a VirtualService that applies to the mesh (sidecars) cannot use the host "*": list concrete hosts, or bind it to gateways only (list the gateways before the host, without "mesh" or includeMesh)');
    }
  }

  private checkExportTo(exportTo: string[]): string[] {
    exportTo.forEach((value, i) => {
      const prop = `exportTo[${i}]`;
      if (value !== '.' && value !== '*' && value !== '~') checkNamespace(this, prop, value);
      if (exportTo.indexOf(value) !== i) throwPropError(this, prop, value, 'each value is listed once');
      if ((value === '*' || value === '~') && exportTo.length > 1) {
        throwPropError(this, prop, value, `"${value}" cannot be combined with other values`);
      }
    });
    return [...exportTo];
  }

  private renderSpec(): l1.VirtualServiceSpec {
    const gateways = this.gateways;
    return {
      hosts: this.hostList.length > 0 ? [...this.hostList] : undefined,
      gateways: gateways.length > 0 ? gateways : undefined,
      exportTo: this.exportTo,
      http: this.httpRules.length > 0 ? this.httpRules.map(r => r._render()) : undefined,
      tcp: this.tcpRules.length > 0 ? this.tcpRules.map(r => r._render()) : undefined,
      tls: this.tlsRules.length > 0 ? this.tlsRules.map(r => r._render()) : undefined,
    };
  }

  private validateComplete(): string[] {
    const errors: string[] = [];
    const rules = [...this.httpRules, ...this.tcpRules, ...this.tlsRules];
    if (rules.length === 0) {
      errors.push(constructMessage(this, 'has no http, tcp or tls route: add one with addHttpRoute(), addTcpRoute() or addTlsRoute()'));
    }
    for (const rule of rules) errors.push(...rule._problems());
    if (this.bindsToMesh) {
      // routing on JWT claims needs the gateway's RequestAuthentication: Istio rejects it on the mesh
      (this.renderSpec().http ?? []).forEach((http, i) => (http.match ?? []).forEach((match, j) => {
        for (const field of ['headers', 'withoutHeaders'] as const) {
          for (const key of Object.keys(match[field] ?? {}).filter(k => k.startsWith(JWT_CLAIM_PREFIX))) {
            errors.push(propMessage(this, `http[${i}].match[${j}].${field}`, key,
              'JWT claim routing ("@request.auth.claims.*") is only supported on VirtualServices bound to gateways alone: set includeMesh: false, or route on a header'));
          }
        }
      }));
    }
    if (!this.bindsToMesh && this.gatewayList.length === 0) {
      errors.push(propMessage(this, 'includeMesh', false, 'with no gateway listed, the VirtualService would apply nowhere: add gateways, or leave includeMesh out'));
    }
    if (this.hostList.length === 0) {
      const delegate = 'has no hosts, so it is a delegate VirtualService (used only through another route\'s delegate)';
      if (this.gateways.length > 0) {
        errors.push(constructMessage(this, `${delegate}: it cannot list gateways (${this.gateways.join(', ')}); add hosts, or bind the gateways on the root VirtualService`));
      }
      if (this.tcpRules.length > 0 || this.tlsRules.length > 0) {
        errors.push(constructMessage(this, `${delegate}: it holds http routes only; add hosts for tcp and tls routes`));
      }
      this.httpRules.forEach((rule, i) => {
        if (rule.delegate) {
          errors.push(propMessage(this, `http[${i}].delegate`, rule.delegate.name, `${delegate}: Istio allows one level of delegation; add hosts, or route here directly`));
        }
      });
    }
    return errors;
  }
}

/** `name` or `namespace/name` without empty parts; the name is checked before the namespace. */
const VIRTUAL_SERVICE_REFERENCE: ReferenceSyntax = {
  shape: { allowed: '"<name>" or "<namespace>/<name>"', nonEmptyParts: true },
  conflict: {
    prop: 'namespace',
    allowed: (reference, inName) => `the name "${reference}" already says namespace "${inName}"`,
  },
  checks: [
    { part: 'name', valid: name => isDnsSubdomain(name, true), allowed: 'a Kubernetes object name (DNS-1123 subdomain)' },
    { part: 'namespace', valid: isDnsLabel, allowed: NAMESPACE_NAME },
  ],
};

class ImportedVirtualService extends ImportedResource implements IVirtualService {
  constructor(scope: Construct, id: string, reference: string, namespace: string | undefined) {
    super(scope, id, reference, namespace, VIRTUAL_SERVICE_REFERENCE);
  }
}

const REGISTERED = Symbol.for('cdk8s-istio.VirtualServiceCrossCheck');
const REGISTERED_CHECK = Symbol.for('cdk8s-istio.VirtualServiceCrossCheck.check');

/** One cross-check per app covers every VirtualService L2 of it, over one index. */
function registerCrossCheck(vs: VirtualService): void {
  const all = perApp(vs, REGISTERED, () => {
    const list: VirtualService[] = [];
    addAppCheck(vs, REGISTERED_CHECK, index => crossCheck(index, list));
    return list;
  });
  all.push(vs);
}

interface DefinedSubsets {
  readonly subsets: Set<string>;
  readonly owners: string[];
}

function crossCheck(index: ManifestIndex, virtualServices: VirtualService[]): string[] {
  const byHost = new Map<string, DefinedSubsets>();
  for (const dr of index.ofKind('DestinationRule')) {
    const json = dr.json;
    if (!String(json?.apiVersion).startsWith('networking.istio.io/') || typeof json?.spec?.host !== 'string') continue;
    const host = resolveHost(json.spec.host, json.metadata?.namespace);
    let entry = byHost.get(host);
    if (!entry) {
      entry = { subsets: new Set(), owners: [] };
      byHost.set(host, entry);
    }
    entry.owners.push(`'${ownerPath(dr.apiObject)}'`);
    for (const subset of json.spec.subsets ?? []) {
      if (typeof subset?.name === 'string') entry.subsets.add(subset.name);
    }
  }

  const errors: string[] = [];
  for (const vs of virtualServices) {
    const json = index.find('VirtualService', vs.apiObject.metadata.namespace, vs.apiObject.name)
      .find(e => e.apiObject === vs.apiObject)?.json;
    if (!json) continue;
    const namespace: string | undefined = json.metadata?.namespace;
    for (const { prop, destination } of destinationsOf(json.spec ?? {})) {
      if (typeof destination?.host !== 'string' || typeof destination.subset !== 'string') continue;
      const host = resolveHost(destination.host, namespace);
      const defined = byHost.get(host);
      if (defined && !defined.subsets.has(destination.subset)) {
        const subsets = defined.subsets.size > 0 ? [...defined.subsets].join(', ') : 'none';
        errors.push(propMessage(vs, `${prop}.subset`, destination.subset,
          `no DestinationRule for host "${host}" in this app defines this subset (DestinationRule ${defined.owners.join(', ')} defines: ${subsets}); add the subset or fix the name`));
      }
    }
    (json.spec?.http ?? []).forEach((rule: any, i: number) => {
      const delegate = rule?.delegate;
      if (typeof delegate?.name !== 'string') return;
      for (const target of index.find('VirtualService', delegate.namespace ?? namespace, delegate.name)) {
        if ((target.json?.spec?.hosts ?? []).length > 0) {
          errors.push(propMessage(vs, `http[${i}].delegate`, `${delegate.namespace ?? namespace ?? ''}/${delegate.name}`.replace(/^\//, ''),
            `VirtualService '${ownerPath(target.apiObject)}' has hosts, and Istio only delegates to a VirtualService without hosts; remove its hosts`));
        }
      }
    });
  }
  return errors;
}

/** Every destination of a VirtualService spec, with its path. */
function destinationsOf(spec: any): { prop: string; destination: any }[] {
  const out: { prop: string; destination: any }[] = [];
  const routes = (kind: string) => (spec[kind] ?? []).forEach((rule: any, i: number) => {
    (rule?.route ?? []).forEach((r: any, j: number) => out.push({ prop: `${kind}[${i}].route[${j}].destination`, destination: r?.destination }));
    if (kind !== 'http') return;
    if (rule?.mirror) out.push({ prop: `http[${i}].mirror`, destination: rule.mirror });
    (rule?.mirrors ?? []).forEach((m: any, k: number) => out.push({ prop: `http[${i}].mirrors[${k}].destination`, destination: m?.destination }));
  });
  routes('http');
  routes('tcp');
  routes('tls');
  return out;
}

/** A host as `hostsIntersect` compares it. */
function normalHost(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

function isWildcard(normal: string): boolean {
  return normal === '*' || normal.startsWith('*.');
}

/** The path of the construct that made an object (the L2 for an L2's `Resource`). */
function ownerPath(obj: IConstruct): string {
  return obj.node.id === 'Resource' && obj.node.scope ? obj.node.scope.node.path : obj.node.path;
}
