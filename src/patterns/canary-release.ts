import { ApiObject, Chart, Duration, Names } from 'cdk8s';
import { Construct } from 'constructs';
import { ingressBypasses } from './canary-ingress-check';
import { CanaryMatch } from './canary-match';
import { CanaryWorkload } from './canary-workload';
import { addCrossCheck, addSynthValidation } from '../core/cross-check';
import { propMessage, throwPropError } from '../core/errors';
import { ApiMode, modeRefusal, OutputMode } from '../core/output-mode';
import { A_PORT_IS, checkPortNumber, isHttpProtocol, isOpaqueTcpProtocol, isTlsProtocol, Protocol } from '../core/protocol';
import { gatewayReference, IGateway } from '../core/references';
import { DestinationRule } from '../networking/destination-rule';
import { HttpFaultInjection, HttpRetry } from '../networking/http-policies';
import { ConsistentHash, HttpCookie } from '../networking/traffic-load-balancer';
import { TrafficPolicy } from '../networking/traffic-policy';
import { ClientTls } from '../networking/traffic-tls';
import { VirtualService } from '../networking/virtual-service';
import { checkHost, checkSubsetName } from '../networking/vs-checks';
import { MirrorPolicy, RouteDestination } from '../networking/vs-destination';
import { CanaryRoutes, GatewayParent, renderCanaryRoutes } from './gateway-api/canary-routes';

/** How a CanaryRelease tells the stable and the canary version apart. */
export enum CanarySplitStyle {
  /**
   * One Service (host) for both versions; a DestinationRule defines a subset per
   * version, selected by the version label of the pods.
   */
  SUBSET = 'SUBSET',
  /**
   * Two Services: the stable host and the canary host. No subsets, no DestinationRule.
   */
  HOST = 'HOST',
}

/**
 * Props of a CanaryRelease.
 * @see https://istio.io/latest/docs/concepts/traffic-management/#virtual-services
 * @see https://istio.io/latest/docs/tasks/traffic-management/traffic-shifting/
 */
export interface CanaryReleaseProps {
  /**
   * The service whose traffic is split: its host as clients call it, a short name
   * (`reviews`, read in the namespace of the CanaryRelease) or a fully qualified
   * one. With the host-level style, this is the stable version's Service.
   */
  readonly host: string;

  /**
   * How the two versions are told apart.
   * @default - `HOST` when `canaryHost` is given, `SUBSET` otherwise
   */
  readonly splitStyle?: CanarySplitStyle;

  /**
   * The canary version's Service (host-level style only).
   * @default - none: the subset-level style
   */
  readonly canaryHost?: string;

  /**
   * The stable version's own Service, when clients call another one (`host`), as in
   * bookinfo's `reviews` in front of `reviews-v1` and `reviews-v2` (host-level style
   * only). The routes then apply to `host` and send to `stableHost` and `canaryHost`.
   * @default - `host`: the Service clients call is the stable version's
   */
  readonly stableHost?: string;

  /**
   * The pods of the stable version (subset-level style, required there): a
   * workload construct such as a cdk8s-plus Deployment, or labels.
   * @default - none (required for the subset-level style)
   */
  readonly stable?: CanaryWorkload;

  /**
   * The pods of the canary version (subset-level style, required there).
   * @default - none (required for the subset-level style)
   */
  readonly canary?: CanaryWorkload;

  /**
   * The pod label whose value tells the versions apart; the subsets select on it
   * alone (the DestinationRule's host already narrows to the service's pods).
   * @default 'version'
   */
  readonly versionLabel?: string;

  /**
   * The name of the stable version's subset.
   * @default 'stable'
   */
  readonly stableSubsetName?: string;

  /**
   * The name of the canary version's subset.
   * @default 'canary'
   */
  readonly canarySubsetName?: string;

  /**
   * The share of the traffic (an integer from 0 to 100) the canary gets; the stable
   * version gets the rest. Both destinations are always written with their weights.
   * @default 0 (the canary gets no traffic until you say so)
   */
  readonly canaryWeight?: number;

  /**
   * The protocol of the service: HTTP-family protocols (HTTP, HTTP2, GRPC,
   * GRPC-Web) get `http` routes; TCP, MONGO, MYSQL and REDIS get `tcp` routes
   * (matched by `port` when given); TLS and HTTPS (passed through, not
   * terminated) get `tls` routes matched by SNI.
   * @default Protocol.HTTP
   */
  readonly protocol?: Protocol;

  /**
   * The service port the routes send to (and, for TCP and TLS, match on).
   * Needed when the service has several ports.
   * @default - the service's only port, and no port match
   */
  readonly port?: number;

  /**
   * The SNI names the TLS route matches (TLS and HTTPS only); each must be one of
   * the hosts (or covered by one).
   * @default - the hosts: `host` and `gatewayHosts`
   */
  readonly sniHosts?: string[];

  /**
   * Requests sent to the canary whatever the weights (A/B routing), e.g.
   * `CanaryMatch.cookie('user', 'jason')` or `CanaryMatch.header('end-user', StringMatch.exact('jason'))`.
   * Any of them is enough. HTTP only. They become a first route that sends the
   * matched requests to the canary, before the weighted split.
   * @default - none: every request goes through the weighted split
   */
  readonly canaryMatches?: CanaryMatch[];

  /**
   * Mirror this share (0-100) of the requests of the weighted split to the canary
   * (traffic shadowing: the canary's responses are dropped). With a canaryWeight
   * of 0, this is a dark launch. HTTP only; not with a canaryWeight of 100.
   * @default - no mirroring
   */
  readonly mirrorPercentage?: number;

  /**
   * The timeout of a request (at least 1ms), on every route. HTTP only.
   * @default - no timeout
   */
  readonly timeout?: Duration;

  /**
   * Retries of failed requests, on every route. HTTP only.
   * @default - the mesh's default retry policy
   */
  readonly retries?: HttpRetry;

  /**
   * Faults (delays, aborts) injected on every route, for resilience tests. HTTP only.
   * @default - no fault injection
   */
  readonly fault?: HttpFaultInjection;

  /**
   * Session affinity by cookie (consistent-hash load balancing on the
   * DestinationRule), e.g. `{ name: 'session', ttl: Duration.hours(1) }`; the proxy
   * sets the cookie when `ttl` is given. HTTP and subset-level only.
   *
   * Affinity is to a pod WITHIN the version: the weighted choice between stable and
   * canary is made per request, so a user can still alternate between versions.
   * To keep users on one version, use `canaryMatches` on a cookie.
   * @default - no affinity
   */
  readonly sessionCookie?: HttpCookie;

  /**
   * TLS from the clients' sidecars to the service (subset-level only, on the
   * DestinationRule).
   * @default ClientTls.istioMutual() (Istio's mutual TLS, written out)
   */
  readonly tls?: ClientTls;

  /**
   * Other policies for the traffic to the service (subset-level only, on the
   * DestinationRule): outlier detection, connection pool, load balancer... Its
   * `tls` excludes the `tls` prop; a load balancer algorithm excludes `sessionCookie`.
   * @default - none besides `tls` and `sessionCookie`
   */
  readonly trafficPolicy?: TrafficPolicy;

  /**
   * Ingress gateways whose traffic gets the same split. The VirtualService then
   * binds these gateways and `mesh` (written explicitly), and its hosts include
   * `gatewayHosts`. Needs `gatewayHosts`.
   * @default - none: the sidecars of the mesh only
   */
  readonly gateways?: IGateway[];

  /**
   * Ingress gateways by name, `<namespace>/<name>` or `<name>` (same namespace).
   * Combined with `gateways`. Needs `gatewayHosts`.
   * @default - none
   */
  readonly gatewayNames?: string[];

  /**
   * The hosts the gateways serve for this service (e.g. `reviews.example.com`);
   * added to the VirtualService's hosts. Not `*` (the VirtualService also applies
   * to the mesh). Required with gateways.
   * @default - none (no gateway)
   */
  readonly gatewayHosts?: string[];

  /**
   * The `metadata.name` of the VirtualService and of the DestinationRule.
   * @default - the construct path as a DNS label, without hash (e.g. `bookinfo-reviews`)
   */
  readonly name?: string;

  /**
   * The namespace of the VirtualService and of the DestinationRule.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
}

/**
 * Splits the traffic of a service between a stable and a canary version, by weight
 * and optionally by request (A/B), for the sidecars of the mesh and for ingress
 * gateways, as one VirtualService (id `VirtualService`) and, for the subset-level
 * style, one DestinationRule (id `DestinationRule`).
 *
 * **Secure defaults**
 * - The canary gets no traffic (`canaryWeight` 0) until you give it a weight.
 * - The DestinationRule writes `trafficPolicy.tls.mode: ISTIO_MUTUAL` (`tls` to change it).
 * - With gateways, the one VirtualService binds the gateways and `mesh`, so ingress
 *   traffic gets the same split; another VirtualService of the app that routes
 *   gateway traffic to the service past the split fails validation (IST0140).
 *
 * Checked at once: the canary weight (an integer from 0 to 100), the host, the port,
 * subset names (different DNS labels), the version label on both workloads' pods with
 * different values, options that need HTTP (matches, mirror, timeout, retries,
 * fault, session cookie) or the subset-level style (tls, trafficPolicy, session
 * cookie), gateways with gateway hosts (not `*`). Checked at validation: the pods
 * still carry the version values the subsets were made with (labels added later),
 * and the ingress routes of other VirtualServices.
 *
 * Expose: `virtualService`, `destinationRule` (undefined for the host-level style),
 * `stableWeight` and `canaryWeight`. Weights are fixed when the construct is made:
 * change `canaryWeight` and synthesize again to shift traffic.
 *
 * In `ApiMode.GATEWAY_API` (`OutputMode.set(app, ApiMode.GATEWAY_API)`) it writes an
 * HTTPRoute (GRPCRoute, TCPRoute, TLSRoute by protocol) instead, id `Route`, whose parent
 * is the Service `host` and whose weighted backendRefs are `stableHost` and
 * `canaryHost` (host-level style only, `port` required), a second route for the
 * gateways (id `IngressRoute`) and ReferenceGrants for backends in other namespaces;
 * what HTTPRoute cannot express throws (docs/gateway-api.md).
 *
 * @example
 * new CanaryRelease(chart, 'reviews', {
 *   host: 'reviews',
 *   stable: CanaryWorkload.fromWorkload(reviewsV1),
 *   canary: CanaryWorkload.fromWorkload(reviewsV2),
 *   canaryWeight: 10,
 *   canaryMatches: [CanaryMatch.cookie('user', 'jason')],
 * });
 *
 * @see https://istio.io/latest/docs/tasks/traffic-management/traffic-shifting/
 */
export class CanaryRelease extends Construct {
  /**
   * The VirtualService that splits the traffic (`ApiMode.ISTIO`; undefined in
   * `ApiMode.GATEWAY_API`, where `route` splits it).
   */
  public readonly virtualService?: VirtualService;
  /**
   * `ApiMode.GATEWAY_API` only: the route (HTTPRoute, GRPCRoute, TCPRoute or TLSRoute,
   * id `Route`) whose parent is the Service `host` (the mesh), with weighted backendRefs.
   */
  public readonly route?: ApiObject;
  /** `ApiMode.GATEWAY_API` with gateways: the same split for the ingress Gateways (id `IngressRoute`). */
  public readonly ingressRoute?: ApiObject;
  /** `ApiMode.GATEWAY_API`: ReferenceGrants for backends in other namespaces. */
  public readonly referenceGrants: ApiObject[];
  /** The API the release is written in (from `OutputMode.of(this)`). */
  public readonly apiMode: ApiMode;
  /** The DestinationRule with the two subsets (subset-level style only). */
  public readonly destinationRule?: DestinationRule;
  /** How the versions are told apart. */
  public readonly splitStyle: CanarySplitStyle;
  /** The share of the traffic of the stable version (100 - canaryWeight). */
  public readonly stableWeight: number;
  /** The share of the traffic of the canary version. */
  public readonly canaryWeight: number;
  /** The stable host. */
  public readonly host: string;
  /** The canary host: `host` for the subset-level style. */
  public readonly canaryHost: string;
  /** The stable version's Service (host-level style): `stableHost`, else `host`. */
  public readonly stableHost: string;
  /** The stable subset (subset-level style only). */
  public readonly stableSubsetName?: string;
  /** The canary subset (subset-level style only). */
  public readonly canarySubsetName?: string;

  public constructor(scope: Construct, id: string, props: CanaryReleaseProps) {
    super(scope, id);
    this.apiMode = OutputMode.of(this);
    const gatewayApi = this.apiMode === ApiMode.GATEWAY_API;
    this.splitStyle = props.splitStyle ?? (props.canaryHost !== undefined ? CanarySplitStyle.HOST : CanarySplitStyle.SUBSET);
    const subsetLevel = this.splitStyle === CanarySplitStyle.SUBSET;
    const protocol = props.protocol ?? Protocol.HTTP;

    const canaryWeight = props.canaryWeight ?? 0;
    if (typeof canaryWeight !== 'number' || !Number.isInteger(canaryWeight) || canaryWeight < 0 || canaryWeight > 100) {
      throwPropError(this, 'canaryWeight', canaryWeight, 'an integer from 0 to 100 (the stable version gets 100 minus it)');
    }
    this.canaryWeight = canaryWeight;
    this.stableWeight = 100 - canaryWeight;

    this.host = checkServiceHost(this, 'host', props.host);
    if (gatewayApi && subsetLevel) {
      throw new Error(modeRefusal(this, 'splitStyle', this.splitStyle, 'a split by DestinationRule subsets',
        'the Gateway API routes to Services, not subsets: give one Service per version (canaryHost, and stableHost when clients call a third Service)'));
    }
    this.checkStyle(props, subsetLevel);
    this.checkProtocol(props, protocol);
    if (props.port !== undefined) checkPortNumber(this, 'port', props.port, A_PORT_IS);
    if (props.mirrorPercentage !== undefined) {
      if (typeof props.mirrorPercentage !== 'number' || !(props.mirrorPercentage >= 0 && props.mirrorPercentage <= 100)) {
        throwPropError(this, 'mirrorPercentage', props.mirrorPercentage, 'a percentage from 0 to 100');
      }
      if (canaryWeight === 100) {
        throwPropError(this, 'mirrorPercentage', props.mirrorPercentage, 'with canaryWeight 100 every request already goes to the canary: mirroring would only send it duplicates; leave mirrorPercentage out');
      }
    }
    const gatewayHosts = this.checkGateways(props);

    const metadata = { name: props.name ?? Names.toDnsLabel(this, { includeHash: false }), namespace: props.namespace };
    this.stableHost = props.stableHost !== undefined ? checkServiceHost(this, 'stableHost', props.stableHost) : this.host;

    if (subsetLevel) {
      this.canaryHost = this.host;
      this.stableSubsetName = props.stableSubsetName ?? 'stable';
      this.canarySubsetName = props.canarySubsetName ?? 'canary';
      checkSubsetName(this, 'stableSubsetName', this.stableSubsetName);
      checkSubsetName(this, 'canarySubsetName', this.canarySubsetName);
      if (this.stableSubsetName === this.canarySubsetName) {
        throwPropError(this, 'canarySubsetName', this.canarySubsetName, 'the stable subset has that name too: give the two subsets different names (e.g. "v1" and "v2")');
      }
      const versions = new VersionLabels(this, props.versionLabel ?? 'version', props.stable!, props.canary!);
      this.destinationRule = new DestinationRule(this, 'DestinationRule', {
        metadata,
        host: this.host,
        trafficPolicy: this.trafficPolicy(props),
        subsets: [
          { name: this.stableSubsetName, labels: versions.stableLabels },
          { name: this.canarySubsetName, labels: versions.canaryLabels },
        ],
      });
      addSynthValidation(this, () => versions.changes(this.stableSubsetName!, this.canarySubsetName!));
    } else {
      this.canaryHost = checkServiceHost(this, 'canaryHost', props.canaryHost!);
      if (this.canaryHost.toLowerCase() === this.stableHost.toLowerCase()) {
        throwPropError(this, 'canaryHost', props.canaryHost, 'the stable version has that host too: give the canary Service its own host (or use the subset-level style)');
      }
    }

    if (gatewayApi) {
      const made: CanaryRoutes = renderCanaryRoutes(this, {
        name: metadata.name,
        namespace: metadata.namespace ?? Chart.of(this).namespace,
        host: this.host,
        stableHost: this.stableHost,
        canaryHost: this.canaryHost,
        port: props.port,
        stableWeight: this.stableWeight,
        canaryWeight: this.canaryWeight,
        protocol,
        sniHosts: props.sniHosts,
        canaryMatches: props.canaryMatches,
        mirrorPercentage: props.mirrorPercentage,
        timeout: props.timeout,
        retries: props.retries,
        fault: props.fault,
        gateways: [...(props.gateways ?? []).map(g => gatewayParent(this, g)), ...(props.gatewayNames ?? []).map(gatewayParentOfName)],
        gatewayHosts,
      });
      this.route = made.meshRoute;
      this.ingressRoute = made.ingressRoute;
      this.referenceGrants = made.referenceGrants;
      return;
    }
    this.referenceGrants = [];

    this.virtualService = new VirtualService(this, 'VirtualService', {
      metadata,
      gateways: props.gateways,
      gatewayNames: props.gatewayNames,
      includeMesh: true,
      hosts: [this.host, ...gatewayHosts],
    });
    this.addRoutes(props, protocol);

    addCrossCheck(this, index => ingressBypasses(index, {
      scope: this,
      own: this.virtualService!.apiObject,
      host: this.host,
      namespace: this.virtualService!.namespace,
      subsetLevel,
      subsets: subsetLevel ? [this.stableSubsetName!, this.canarySubsetName!] : [],
    }));
  }

  private addRoutes(props: CanaryReleaseProps, protocol: Protocol): void {
    const vs = this.virtualService!;
    const port = props.port;
    const stable = (weight?: number) => RouteDestination.to(this.stableHost, { subset: this.stableSubsetName, port, weight });
    const canary = (weight?: number) => RouteDestination.to(this.canaryHost, { subset: this.canarySubsetName, port, weight });
    const split = [stable(this.stableWeight), canary(this.canaryWeight)];

    if (isOpaqueTcpProtocol(protocol)) {
      vs.addTcpRoute({ match: port !== undefined ? [{ port }] : undefined, destinations: split });
      return;
    }
    if (isTlsProtocol(protocol)) {
      vs.addTlsRoute({ match: [{ sniHosts: props.sniHosts ?? vs.hosts, port }], destinations: split });
      return;
    }
    const policies = { timeout: props.timeout, retries: props.retries, fault: props.fault };
    const matches = props.canaryMatches ?? [];
    if (matches.length > 0) {
      vs.addHttpRoute({
        match: matches.map((m, i) => m._toHttpMatch(this, `canaryMatches[${i}]`)),
        destinations: [canary()],
        ...policies,
      });
    }
    vs.addHttpRoute({
      destinations: split,
      mirror: props.mirrorPercentage !== undefined
        ? MirrorPolicy.to(this.canaryHost, { subset: this.canarySubsetName, port, percentage: props.mirrorPercentage })
        : undefined,
      ...policies,
    });
  }

  /** The options of the other style must not be given. */
  private checkStyle(props: CanaryReleaseProps, subsetLevel: boolean): void {
    if (subsetLevel) {
      if (props.canaryHost !== undefined) {
        throwPropError(this, 'canaryHost', props.canaryHost, 'the subset-level style splits one host by subsets: leave canaryHost out, or use splitStyle HOST');
      }
      if (props.stableHost !== undefined) {
        throwPropError(this, 'stableHost', props.stableHost, 'the subset-level style splits one host by subsets: leave stableHost out, or use splitStyle HOST with canaryHost');
      }
      for (const prop of ['stable', 'canary'] as const) {
        if (props[prop] === undefined) {
          throwPropError(this, prop, undefined, `the subset-level style needs the ${prop} pods: CanaryWorkload.fromWorkload(deployment) or CanaryWorkload.fromLabels({ version: ... })`);
        }
      }
      return;
    }
    if (props.canaryHost === undefined) {
      throwPropError(this, 'canaryHost', undefined, 'the host-level style needs the canary version\'s Service host');
    }
    const subsetOnly = {
      stable: 'the Services select the pods',
      canary: 'the Services select the pods',
      versionLabel: 'there are no subsets',
      stableSubsetName: 'there are no subsets',
      canarySubsetName: 'there are no subsets',
      tls: 'there is no DestinationRule',
      trafficPolicy: 'there is no DestinationRule',
      sessionCookie: 'there is no DestinationRule',
    } as const;
    for (const [prop, why] of Object.entries(subsetOnly)) {
      const value = (props as any)[prop];
      if (value !== undefined) {
        throwPropError(this, prop, value instanceof CanaryWorkload ? value.toString() : value, `the host-level style takes no ${prop}: ${why} (use a DestinationRule per host, or the subset-level style)`);
      }
    }
  }

  /** HTTP-only options on a TCP or TLS service; sniHosts on a non-TLS one. */
  private checkProtocol(props: CanaryReleaseProps, protocol: Protocol): void {
    if (!isHttpProtocol(protocol) && !isTlsProtocol(protocol) && !isOpaqueTcpProtocol(protocol)) {
      throwPropError(this, 'protocol', protocol, 'one of the Protocol values');
    }
    if (!isHttpProtocol(protocol)) {
      const httpOnly = ['canaryMatches', 'mirrorPercentage', 'timeout', 'retries', 'fault', 'sessionCookie'] as const;
      for (const prop of httpOnly) {
        if (props[prop] !== undefined) {
          throwPropError(this, prop, protocol, `${prop} applies to HTTP routes only; a ${protocol} service gets ${isTlsProtocol(protocol) ? 'tls' : 'tcp'} routes`);
        }
      }
    }
    if (props.sniHosts !== undefined && !isTlsProtocol(protocol)) {
      throwPropError(this, 'sniHosts', props.sniHosts, `SNI matches apply to TLS and HTTPS services only, not ${protocol}`);
    }
  }

  /** Gateways need gateway hosts (not `*`), and gateway hosts need gateways. */
  private checkGateways(props: CanaryReleaseProps): string[] {
    const gateways = [...(props.gateways ?? []).map(gatewayReference), ...(props.gatewayNames ?? [])];
    const hosts = props.gatewayHosts ?? [];
    if (gateways.length > 0 && hosts.length === 0) {
      throwPropError(this, 'gatewayHosts', props.gatewayHosts, `gateways ${gateways.join(', ')} need the hosts they serve for this service (e.g. "${this.host}.example.com"), added to the VirtualService's hosts`);
    }
    if (gateways.length === 0 && hosts.length > 0) {
      throwPropError(this, 'gatewayHosts', hosts, 'gateway hosts need gateways (or gatewayNames) to serve them');
    }
    hosts.forEach((h, i) => {
      if (h === '*') {
        throwPropError(this, `gatewayHosts[${i}]`, h, 'the VirtualService also applies to the mesh, where "*" is not allowed: name the hosts the gateways serve');
      }
    });
    return hosts;
  }

  /** The DestinationRule's policy: the given one, plus TLS (ISTIO_MUTUAL unless told) and the session cookie. */
  private trafficPolicy(props: CanaryReleaseProps): TrafficPolicy {
    const given = props.trafficPolicy ?? {};
    if (props.sessionCookie !== undefined && given.loadBalancer?.simple !== undefined) {
      throwPropError(this, 'sessionCookie', props.sessionCookie.name, `trafficPolicy.loadBalancer.simple (${given.loadBalancer.simple}) excludes consistent hashing: leave one of them out`);
    }
    if (props.sessionCookie !== undefined && given.loadBalancer?.consistentHash !== undefined) {
      throwPropError(this, 'sessionCookie', props.sessionCookie.name, 'trafficPolicy.loadBalancer.consistentHash is given too: give the hash key one way');
    }
    if (props.tls !== undefined && given.tls !== undefined) {
      throwPropError(this, 'tls', props.tls.mode, `trafficPolicy.tls (${given.tls.mode}) is given too: give the TLS settings one way`);
    }
    return {
      ...given,
      tls: props.tls ?? given.tls ?? ClientTls.istioMutual(),
      loadBalancer: props.sessionCookie
        ? { ...given.loadBalancer, consistentHash: ConsistentHash.httpCookie(props.sessionCookie) }
        : given.loadBalancer,
    };
  }
}

/** A host a route can send to: a DNS name, no wildcard, no IP. */
function checkServiceHost(scope: Construct, prop: string, host: string): string {
  checkHost(scope, prop, host, { allowStar: false, allowIp: false });
  if (host.startsWith('*.')) {
    throwPropError(scope, prop, host, 'the host of a Service, not a wildcard: routes send to one service');
  }
  return host;
}

/**
 * The version label of the stable and canary pods, read when the CanaryRelease is
 * made (the subsets need it), and read again at validation to catch labels changed
 * afterwards.
 */
class VersionLabels {
  public readonly stableLabels: { [key: string]: string };
  public readonly canaryLabels: { [key: string]: string };

  constructor(
    private readonly scope: Construct,
    private readonly key: string,
    private readonly stable: CanaryWorkload,
    private readonly canary: CanaryWorkload,
  ) {
    if (typeof key !== 'string' || key.length === 0) {
      throwPropError(scope, 'versionLabel', key, 'a pod label key, e.g. "version" or "app.kubernetes.io/version"');
    }
    const stableValue = this.read('stable', stable);
    const canaryValue = this.read('canary', canary);
    if (stableValue === canaryValue) {
      throwPropError(scope, 'canary', `${key}=${canaryValue}`, `the stable pods (${stable}) carry the same ${key} label, so both subsets would select the same pods: give the canary pods another ${key}`);
    }
    this.stableLabels = { [key]: stableValue };
    this.canaryLabels = { [key]: canaryValue };
  }

  /** Messages for versions that changed since the subsets were made. */
  public changes(stableSubset: string, canarySubset: string): string[] {
    const errors: string[] = [];
    const now = { stable: this.readSafely(this.stable), canary: this.readSafely(this.canary) };
    for (const [prop, workload, then, subset] of [
      ['stable', this.stable, this.stableLabels[this.key], stableSubset],
      ['canary', this.canary, this.canaryLabels[this.key], canarySubset],
    ] as const) {
      const value = now[prop];
      if (value !== then) {
        errors.push(propMessage(this.scope, prop, value === undefined ? `no ${this.key} label` : `${this.key}=${value}`,
          `the pods (${workload}) carried ${this.key}=${then} when the CanaryRelease was made, and subset "${subset}" selects that: `
          + 'set the pod labels before making the CanaryRelease'));
      }
    }
    return errors;
  }

  private read(prop: string, workload: CanaryWorkload): string {
    let labels: { [key: string]: string };
    try {
      labels = workload.selector.toLabels();
    } catch (e) {
      throwPropError(this.scope, prop, workload.toString(), (e as Error).message);
    }
    const value = labels[this.key];
    if (typeof value !== 'string') {
      throwPropError(this.scope, prop, labels, `the pods (${workload}) carry no "${this.key}" label: add it to the pod labels (e.g. ${this.key}: v2), `
        + 'or name the label that tells the versions apart with versionLabel');
    }
    return value;
  }

  private readSafely(workload: CanaryWorkload): string | undefined {
    try {
      return workload.selector.toLabels()[this.key];
    } catch {
      return undefined;
    }
  }
}

/** A Gateway API parent from an IGateway: refuses Istio's own Gateway (networking.istio.io). */
function gatewayParent(scope: Construct, gateway: IGateway): GatewayParent {
  let apiVersion: string | undefined;
  try {
    apiVersion = ApiObject.of(gateway).apiVersion;
  } catch {
    apiVersion = undefined; // an import by name: taken as a Gateway API Gateway
  }
  if (apiVersion !== undefined && !apiVersion.startsWith('gateway.networking.k8s.io/')) {
    throw new Error(modeRefusal(scope, 'gateways', gatewayReference(gateway), `a route bound to a ${apiVersion} Gateway`,
      'Gateway API routes attach to Gateways of gateway.networking.k8s.io (class istio): give their names in gatewayNames ("<namespace>/<name>")'));
  }
  return { name: gateway.name, namespace: gateway.namespace };
}

/** `ns/name` or `name`, as gatewayNames take them. */
function gatewayParentOfName(ref: string): GatewayParent {
  const [a, b] = ref.split('/');
  return b === undefined ? { name: a } : { name: b, namespace: a };
}
