import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { EgressHostPlan, EgressSettings, planHost, RouteKind } from './egress-plan';
import { EgressProtocol, EgressTraffic } from './egress-traffic';
import { constructMessage, throwPropError } from '../core/errors';
import { isDnsLabel } from '../core/names';
import { ApiMode, OutputMode } from '../core/output-mode';
import { IGateway } from '../core/references';
import { DestinationRule } from '../networking/destination-rule';
import { Gateway } from '../networking/gateway';
import { ServiceEntry, ServiceEntryLocation, ServiceEntryResolution } from '../networking/service-entry';
import { OutboundTrafficPolicyMode, Sidecar } from '../networking/sidecar';
import { ClientTls } from '../networking/traffic-tls';
import { VirtualService } from '../networking/virtual-service';
import { RouteDestination } from '../networking/vs-destination';
import { EgressGatewayApi } from './gateway-api/egress';

/**
 * How the sidecars talk to the egress gateway. One setting for the whole
 * EgressGateway: the gateway servers, the DestinationRules and the routes are made
 * to agree, so the two variants cannot be mixed (mutual TLS sent to a plaintext
 * listener is valid YAML and broken traffic).
 */
export enum EgressTls {
  /**
   * Istio mutual TLS (the secure default). The gateway servers listen on 443
   * (`HTTPS` for HTTP traffic, `TLS` for passthrough and TCP) with `tls.mode:
   * ISTIO_MUTUAL`; the DestinationRule subset of each host sets `tls.mode:
   * ISTIO_MUTUAL` with `sni` = the external host; the sidecars route to port 443 of
   * the egress gateway. The gateway knows which workload calls, and nothing on the
   * wire between them is readable.
   */
  MUTUAL = 'MUTUAL',
  /**
   * Plaintext between sidecar and gateway, as in Istio's "Egress gateway for HTTP
   * traffic" task: HTTP through port 80 of the gateway, TLS passthrough through 443,
   * TCP through a port of its own per host; the DestinationRules only name a subset.
   */
  PLAIN = 'PLAIN',
}

/** Props of an EgressGateway. */
export interface EgressGatewayProps {
  /**
   * The namespace of the objects made (and of the lock-down Sidecar). The routes
   * and subsets serve the workloads of this namespace.
   *
   * @default - the chart's namespace
   */
  readonly namespace?: string;

  /**
   * The labels of the egress gateway pods. Give `gatewayServiceHost` with it: the
   * two name the same gateway.
   *
   * @default { istio: 'egressgateway' } (Istio's default egress gateway)
   */
  readonly gatewaySelector?: { [key: string]: string };

  /**
   * The Service of the egress gateway pods, as
   * `<service>.<namespace>.svc.<cluster domain>`. Give `gatewaySelector` with it.
   *
   * @default 'istio-egressgateway.istio-system.svc.cluster.local'
   */
  readonly gatewayServiceHost?: string;

  /**
   * How the sidecars talk to the egress gateway, for every host.
   *
   * @default EgressTls.MUTUAL
   */
  readonly sidecarToGatewayTls?: EgressTls;

  /**
   * Add a Sidecar without workloadSelector in `namespace` with outbound traffic
   * policy REGISTRY_ONLY, so that the namespace's workloads reach only hosts of the
   * registry: Kubernetes Services and the hosts declared here (and other
   * ServiceEntries they see). Only one such Sidecar may exist per namespace: turn it
   * off when the namespace already has one (or uses a mesh-wide REGISTRY_ONLY). In
   * the root namespace (istio-system) it is the default of the whole mesh.
   *
   * @see https://istio.io/latest/docs/reference/config/networking/sidecar/#OutboundTrafficPolicy
   * @default true
   */
  readonly lockDown?: boolean;

  /**
   * The namespace's workloads run in ambient mode. They have no sidecar to apply the
   * mesh routes to the egress gateway or the lock-down Sidecar, so an EgressGateway
   * cannot steer them: with `ambient: true` the construct refuses and points to
   * `WaypointEgress`, where a waypoint is the egress gateway (Istio's ambient egress
   * recipe).
   *
   * @see https://istio.io/latest/docs/ambient/usage/egress-gateway/
   * @default false
   */
  readonly ambient?: boolean;
}

/** Options of `EgressGateway.addHost()`. */
export interface EgressHostOptions {
  /**
   * The name of the host's subset in the egress gateway's DestinationRules (e.g.
   * `cnn`). Unique in the EgressGateway.
   *
   * @default - the host with dots as dashes (`edition-cnn-com`; `wildcard-wikipedia-org` for `*.wikipedia.org`)
   */
  readonly subsetName?: string;

  /**
   * How the egress gateway resolves the host: DNS, or DNS_ROUND_ROBIN (first answer
   * only, for large pools behind one name). NONE is rejected: behind the gateway it
   * forwards to the gateway itself. For a wildcard host this applies to
   * `wildcardViaHost` (the wildcard itself is NONE, on the sidecars only).
   *
   * @default ServiceEntryResolution.DNS
   */
  readonly resolution?: ServiceEntryResolution;
}

/**
 * Lets the workloads of a namespace reach declared external hosts through an egress
 * gateway, and only those.
 *
 * Each `addHost()` makes: a ServiceEntry (MESH_EXTERNAL, resolution DNS); a Gateway
 * on the egress gateway pods; a DestinationRule for the egress gateway's Service with
 * a subset for the host; a VirtualService bound to `mesh` and to that Gateway, whose
 * mesh rule sends the sidecars' traffic to the egress gateway and whose gateway rule
 * sends the gateway's traffic to the external host; and, for TLS origination, a
 * DestinationRule that makes the gateway speak TLS to the host. The parts are on
 * `host(name)` and `hosts`.
 *
 * Secure defaults:
 * - The sidecar-to-gateway leg is Istio mutual TLS (`EgressTls.MUTUAL`): gateway
 *   servers on 443 with `tls.mode: ISTIO_MUTUAL`, and the subset of each host sets
 *   `ISTIO_MUTUAL` with `sni` = the host. The subset carries the TLS settings, not
 *   the rule's top level, because Istio merges the DestinationRules of one host and
 *   keeps only one top-level traffic policy.
 * - Lock-down (`lockDown: true`): a namespace-wide Sidecar with outbound traffic
 *   policy REGISTRY_ONLY, so undeclared hosts are unreachable.
 * - A ServiceEntry declares only the ports routed through the gateway: a port
 *   declared without a route would be a way around the gateway.
 * - The ServiceEntries, VirtualServices and origination rules are exported to their
 *   own namespace and the egress gateway's only; the subsets to their own namespace.
 * - TLS origination names a CA (`caCertificates` or `credentialName`) and sends
 *   `sni` = the host; without a CA, `warnings` says so (Istio's IST0129).
 * - Wildcard hosts only as TLS passthrough through one concrete host
 *   (`wildcardViaHost`), Istio's wildcard egress pattern.
 *
 * Checks at once (throws): a bare `*` host; a host that is not a lowercase FQDN; a
 * host added twice; a wildcard host other than passthrough or without
 * `wildcardViaHost`; resolution NONE (the gateway would loop to itself) and anything
 * but DNS / DNS_ROUND_ROBIN; port numbers, and port names that do not follow
 * Istio's `<protocol>[-<suffix>]` convention; TCP without IP addresses (or with
 * CIDRs); plain TCP gateway ports shared by two hosts or on 80/443; duplicate
 * subset names; `gatewaySelector` without `gatewayServiceHost` and the reverse.
 *
 * What is valid but weak is listed by `warnings` (constructs have no warning
 * channel: print them, or fail on them in a strict build). The validation engine
 * also reports IST0129 on the synthesized origination rule.
 *
 * In `ApiMode.GATEWAY_API` (`OutputMode`) it writes Istio's Gateway API form instead:
 * one Gateway of class `istio` (`gatewayApiGateway`, Service type ClusterIP, a listener
 * per host) and per host an HTTPRoute (TLSRoute for passthrough) from the ServiceEntry
 * to the gateway and one from the gateway to the host (`host(name).routes`); wildcard
 * and TCP hosts, `gatewaySelector`, `gatewayServiceHost` and a PLAIN leg throw.
 *
 * @example
 * const egress = new EgressGateway(chart, 'egress');
 * egress.addHost('edition.cnn.com', EgressTraffic.http());
 * egress.addHost('api.stripe.com', EgressTraffic.httpsPassthrough());
 *
 * @see https://istio.io/latest/docs/tasks/traffic-management/egress/egress-gateway/
 */
export class EgressGateway extends Construct {
  /** How the sidecars talk to the egress gateway. */
  public readonly sidecarToGatewayTls: EgressTls;
  /** The labels of the egress gateway pods. */
  public readonly gatewaySelector: { [key: string]: string };
  /** The egress gateway's Service host. */
  public readonly gatewayServiceHost: string;
  /** The namespace of the objects, where set on the props or the chart. */
  public readonly namespace?: string;
  /** The lock-down Sidecar (REGISTRY_ONLY), unless `lockDown` is false. */
  public readonly sidecar?: Sidecar;
  /** The API the routes are written in (from `OutputMode.of(this)`). */
  public readonly apiMode: ApiMode;
  /**
   * `ApiMode.GATEWAY_API` only: the Gateway (gateway.networking.k8s.io, class `istio`,
   * id `gateway-api`) that Istio deploys as the egress gateway, one listener per host.
   */
  public readonly gatewayApiGateway?: ApiObject;

  private readonly settings: EgressSettings;
  private readonly gatewayApi?: EgressGatewayApi;
  private readonly plans: EgressHostPlan[] = [];
  private readonly hostList: EgressHost[] = [];

  public constructor(scope: Construct, id: string, props: EgressGatewayProps = {}) {
    super(scope, id);
    if (props.ambient === true) {
      throwPropError(this, 'ambient', true, 'ambient workloads run no sidecar to apply the mesh routes to an egress gateway or the lock-down Sidecar: '
        + 'use WaypointEgress, where a waypoint in the egress namespace is the egress gateway (ServiceEntries enrolled in it, policies with targetRefs, TLS origination by DestinationRule)');
    }
    this.apiMode = OutputMode.of(this);
    if (this.apiMode === ApiMode.GATEWAY_API) {
      this.gatewayApi = EgressGatewayApi.create(this, props.namespace ?? Chart.of(this).namespace, props);
      this.gatewayApiGateway = this.gatewayApi.gateway;
    }
    if (props.gatewaySelector !== undefined && props.gatewayServiceHost === undefined) {
      throwPropError(this, 'gatewaySelector', props.gatewaySelector,
        'give gatewayServiceHost too: the selector picks the gateway pods, the Service host is where the sidecars send to, and the two must name the same gateway');
    }
    if (props.gatewayServiceHost !== undefined && props.gatewaySelector === undefined) {
      throwPropError(this, 'gatewayServiceHost', props.gatewayServiceHost,
        'give gatewaySelector too (the labels of the pods behind this Service): otherwise the Gateways would configure Istio\'s default egress gateway while the sidecars send to another');
    }
    this.gatewaySelector = { ...(props.gatewaySelector ?? { istio: 'egressgateway' }) };
    if (Object.keys(this.gatewaySelector).length === 0) {
      throwPropError(this, 'gatewaySelector', this.gatewaySelector, 'give the labels of the egress gateway pods, e.g. { istio: "egressgateway" }');
    }
    this.gatewayServiceHost = props.gatewayServiceHost ?? 'istio-egressgateway.istio-system.svc.cluster.local';
    const gatewayNamespace = serviceNamespace(this.gatewayServiceHost);
    if (gatewayNamespace === undefined) {
      throwPropError(this, 'gatewayServiceHost', this.gatewayServiceHost,
        'the Service of the egress gateway as "<service>.<namespace>.svc.<cluster domain>", e.g. "istio-egressgateway.istio-system.svc.cluster.local"');
    }
    if (props.namespace !== undefined && !isDnsLabel(props.namespace)) {
      throwPropError(this, 'namespace', props.namespace, 'a namespace name (a DNS-1123 label)');
    }
    this.namespace = props.namespace ?? Chart.of(this).namespace;
    this.sidecarToGatewayTls = props.sidecarToGatewayTls ?? EgressTls.MUTUAL;
    this.settings = {
      mutual: this.sidecarToGatewayTls === EgressTls.MUTUAL,
      gatewaySelector: this.gatewaySelector,
      gatewayServiceHost: this.gatewayServiceHost,
      namespace: this.namespace,
      // gateway-api mode: the egress gateway is deployed in this namespace
      exportTo: this.gatewayApi !== undefined || this.namespace === gatewayNamespace ? ['.'] : ['.', gatewayNamespace],
    };

    if (props.lockDown ?? true) {
      this.sidecar = new Sidecar(this, 'lock-down', {
        metadata: this.namespace !== undefined ? { namespace: this.namespace } : undefined,
        outboundTrafficPolicy: OutboundTrafficPolicyMode.REGISTRY_ONLY,
      });
    }
  }

  /** The hosts, in the order they were added. */
  public get hosts(): EgressHost[] {
    return [...this.hostList];
  }

  /**
   * What is valid but weak, one message each: TLS origination that verifies the
   * host's certificate against no CA of yours (IST0129), and whatever the
   * ServiceEntries and DestinationRules made here report in their own `warnings`.
   */
  public get warnings(): string[] {
    const out: string[] = [];
    for (const h of this.hostList) {
      out.push(...h.serviceEntry.warnings, ...(h.viaServiceEntry?.warnings ?? []), ...(h.destinationRule?.warnings ?? []));
      if (h.originationRule && !h.originationRule.verifiesServerCertificate) {
        out.push(constructMessage(this,
          `hosts[${JSON.stringify(h.host)}]: TLS origination without caCertificates or credentialName: the egress gateway does not verify `
          + `the host's certificate against a CA of yours (IST0129 on DestinationRule '${h.originationRule.node.path}'); `
          + 'give caCertificates (a path in the egress gateway pods) or credentialName (a Secret in the egress gateway\'s namespace)'));
      }
    }
    return out;
  }

  /**
   * Declares an external host and routes the given traffic to it through the egress
   * gateway. One kind of traffic per host.
   *
   * @param host a fully qualified name (`edition.cnn.com`), or a wildcard
   *   (`*.wikipedia.org`, passthrough only, with `wildcardViaHost`); never `*` alone
   * @param traffic what the applications send, e.g. `EgressTraffic.http()`
   */
  public addHost(host: string, traffic: EgressTraffic, options: EgressHostOptions = {}): EgressHost {
    const plan = planHost(this, this.settings, host, traffic._spec, options, this.plans);
    this.gatewayApi?.check(this, plan);
    const made = EgressHost._create(this, plan, this.settings, traffic, this.gatewayApi);
    this.plans.push(plan);
    this.hostList.push(made);
    return made;
  }

  /** The parts of a host added with `addHost()`. Throws for a host not added. */
  public host(host: string): EgressHost {
    const found = this.hostList.find(h => h.host === host);
    if (!found) {
      throwPropError(this, 'host', host, `not a host of this EgressGateway (hosts: ${this.hostList.map(h => h.host).join(', ') || 'none'})`);
    }
    return found;
  }
}

/**
 * The objects an EgressGateway made for one host (`egress.host('edition.cnn.com')`).
 * Made by `EgressGateway.addHost()`; the construct id is the host with dots as
 * dashes (`edition-cnn-com`, `wildcard-wikipedia-org`).
 */
export class EgressHost extends Construct {
  /** @internal */
  public static _create(scope: EgressGateway, plan: EgressHostPlan, settings: EgressSettings, traffic: EgressTraffic,
    gatewayApi?: EgressGatewayApi): EgressHost {
    return new EgressHost(scope, plan, settings, traffic, gatewayApi);
  }

  /** The external host. */
  public readonly host: string;
  /** What the applications send. */
  public readonly traffic: EgressTraffic;
  /** The kind of traffic. */
  public readonly protocol: EgressProtocol;
  /** The host's subset in the egress gateway's DestinationRules. */
  public readonly subsetName: string;
  /** Declares the host (for a wildcard: resolution NONE, on the sidecars only). */
  public readonly serviceEntry: ServiceEntry;
  /** Wildcard hosts only: declares `wildcardViaHost` (resolution DNS), where the gateway forwards. */
  public readonly viaServiceEntry?: ServiceEntry;
  /** The Gateway on the egress gateway pods, with one server for the host (`ApiMode.ISTIO`). */
  public readonly gateway?: Gateway;
  /** The DestinationRule for the egress gateway's Service, with the host's subset (`ApiMode.ISTIO`). */
  public readonly destinationRule?: DestinationRule;
  /** Routes mesh traffic to the egress gateway, and the gateway's traffic to the host (`ApiMode.ISTIO`). */
  public readonly virtualService?: VirtualService;
  /**
   * `ApiMode.GATEWAY_API`: the HTTPRoutes (TLSRoutes for passthrough) `to-gateway`
   * (parent: the ServiceEntry, backend: the egress gateway) and `from-gateway`
   * (parent: the egress Gateway, backend: the external host).
   */
  public readonly routes: ApiObject[];
  /** TLS origination only: makes the egress gateway speak TLS to the host. */
  public readonly originationRule?: DestinationRule;

  private constructor(scope: EgressGateway, plan: EgressHostPlan, settings: EgressSettings, traffic: EgressTraffic, gatewayApi?: EgressGatewayApi) {
    super(scope, plan.id);
    this.host = plan.host;
    this.traffic = traffic;
    this.protocol = plan.protocol;
    this.subsetName = plan.subsetName;
    const metadata = settings.namespace !== undefined ? { namespace: settings.namespace } : undefined;
    const exportTo = settings.exportTo;

    this.serviceEntry = new ServiceEntry(this, 'entry', {
      metadata,
      hosts: [plan.host],
      ports: plan.ports,
      addresses: plan.addresses,
      location: ServiceEntryLocation.MESH_EXTERNAL,
      // the wildcard pattern: NONE for the wildcard, which the gateway never forwards to
      resolution: plan.viaHost !== undefined ? ServiceEntryResolution.NONE : plan.resolution,
      exportTo,
    });
    if (plan.viaHost !== undefined) {
      this.viaServiceEntry = new ServiceEntry(this, 'via-entry', {
        metadata,
        hosts: [plan.viaHost],
        ports: plan.ports,
        location: ServiceEntryLocation.MESH_EXTERNAL,
        resolution: plan.resolution,
        exportTo,
      });
    }

    if (gatewayApi !== undefined) {
      this.routes = gatewayApi.addHost(this, plan, this.serviceEntry.name, settings.namespace);
    } else {
      this.routes = [];
      this.makeIstioRoutes(plan, settings);
    }

    if (plan.origination !== undefined) {
      const o = plan.origination;
      this.originationRule = new DestinationRule(this, 'origination', {
        metadata,
        host: plan.host,
        trafficPolicy: { portLevelSettings: [{ port: o.port, tls: ClientTls.simple({ ...o.tls, sni: o.sni }) }] },
        exportTo,
      });
    }
  }

  /** The Gateway, the DestinationRule to the egress gateway and the VirtualService (`ApiMode.ISTIO`). */
  private makeIstioRoutes(plan: EgressHostPlan, settings: EgressSettings): void {
    const metadata = settings.namespace !== undefined ? { namespace: settings.namespace } : undefined;
    const exportTo = settings.exportTo;
    const self = this as { -readonly [K in 'gateway' | 'destinationRule' | 'virtualService']: EgressHost[K] };
    const gateway = self.gateway = new Gateway(this, 'gateway', {
      metadata,
      selector: settings.gatewaySelector,
      servers: [{
        port: { number: plan.gatewayPort, protocol: plan.server.protocol, name: plan.server.name },
        hosts: [plan.host],
        tls: plan.server.tlsMode !== undefined ? { mode: plan.server.tlsMode } : undefined,
      }],
    });

    self.destinationRule = new DestinationRule(this, 'to-gateway', {
      metadata,
      host: settings.gatewayServiceHost,
      subsets: [{
        name: plan.subsetName,
        trafficPolicy: plan.gatewaySni !== undefined ? { tls: ClientTls.istioMutual({ sni: plan.gatewaySni }) } : undefined,
      }],
      exportTo: ['.'],
    });

    self.virtualService = new VirtualService(this, 'route', {
      metadata,
      hosts: [plan.host],
      gateways: [gateway],
      includeMesh: true,
      exportTo,
    });
    const toGateway = RouteDestination.to(settings.gatewayServiceHost, { port: plan.gatewayPort, subset: plan.subsetName, weight: 100 });
    const toHost = RouteDestination.to(plan.upstreamHost, { port: plan.upstreamPort, weight: 100 });
    // mesh rule: the sidecars send to the egress gateway; gateway rule: the gateway sends to the host
    this.addRoute(plan.meshRoute, { gatewayNames: [VirtualService.MESH] }, plan.appPort, toGateway, plan.host, plan.addresses);
    this.addRoute(plan.gatewayRoute, { gateways: [gateway] }, plan.gatewayPort, toHost, plan.host);
  }

  private addRoute(kind: RouteKind, on: RouteGateways, port: number, destination: RouteDestination, host: string, subnets?: string[]): void {
    const destinations = [destination];
    const vs = this.virtualService!;
    if (kind === 'http') {
      vs.addHttpRoute({ match: [{ ...on, port }], destinations });
    } else if (kind === 'tls') {
      vs.addTlsRoute({ match: [{ ...on, port, sniHosts: [host] }], destinations });
    } else {
      vs.addTcpRoute({ match: [{ ...on, port, destinationSubnets: subnets }], destinations });
    }
  }
}

/** Where a route rule applies: the sidecars (`mesh`) or the egress gateway. */
interface RouteGateways {
  readonly gateways?: IGateway[];
  readonly gatewayNames?: string[];
}

/** `istio-system` from `istio-egressgateway.istio-system.svc.cluster.local`, or undefined. */
function serviceNamespace(host: string): string | undefined {
  const labels = host.split('.');
  if (labels.length < 4 || labels[2] !== 'svc' || !labels.every(isDnsLabel)) return undefined;
  return labels[1];
}
