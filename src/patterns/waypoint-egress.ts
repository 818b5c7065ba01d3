import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { EgressProtocol, EgressTraffic } from './egress-traffic';
import { throwPropError } from '../core/errors';
import { isDnsLabel, isFqdn } from '../core/names';
import { Principal } from '../core/principal';
import { Protocol } from '../core/protocol';
import { PolicyTargetRef } from '../core/target-ref';
import { DestinationRule } from '../networking/destination-rule';
import { ServiceEntry, ServiceEntryLocation, ServiceEntryResolution } from '../networking/service-entry';
import { ClientTls } from '../networking/traffic-tls';
import { IWaypoint, Waypoint } from '../networking/waypoint';
import { AuthorizationPolicy } from '../security/authorization-policy';

/** Props of a WaypointEgress. */
export interface WaypointEgressProps {
  /**
   * The egress namespace: it holds the waypoint, the ServiceEntries of the external
   * hosts, their TLS origination rules and their policies. Keep it apart from the
   * applications' namespaces (who may edit it decides what leaves the mesh).
   *
   * @default - the chart's namespace
   */
  readonly namespace?: string;

  /**
   * Creates the Namespace object, enrolled in the waypoint (`istio.io/use-waypoint`), so
   * that every ServiceEntry of the namespace goes through it. With `false`, the
   * ServiceEntries are enrolled one by one instead.
   *
   * @default true
   */
  readonly createNamespace?: boolean;

  /**
   * The waypoint the traffic goes through.
   *
   * @default - a Waypoint `waypoint` in the namespace (service traffic)
   */
  readonly waypoint?: IWaypoint;
}

/** Options of `WaypointEgress.addHost()`. */
export interface WaypointEgressHostOptions {
  /**
   * The callers allowed to reach the host, by mesh identity (the waypoint sees the
   * client's identity): the ALLOW policy attached to the host's ServiceEntry.
   *
   * @default - nobody: the policy allows nothing until callers are listed
   */
  readonly allowFrom?: Principal[];

  /**
   * The HTTP methods allowed (HTTP and TLS origination only: passthrough TLS has no
   * methods for the waypoint to read).
   *
   * @default - any method
   */
  readonly methods?: string[];

  /**
   * The paths allowed (HTTP and TLS origination only), e.g. `/get`, `/api/*`.
   *
   * @default - any path
   */
  readonly paths?: string[];
}

/** The objects of one external host. */
export interface WaypointEgressHost {
  /** The host. */
  readonly host: string;
  /** Its ServiceEntry (MESH_EXTERNAL, resolution DNS), in the egress namespace. */
  readonly serviceEntry: ServiceEntry;
  /** The ALLOW policy the waypoint enforces, attached to the ServiceEntry (`targetRefs`). */
  readonly authorizationPolicy: AuthorizationPolicy;
  /** TLS origination (`EgressTraffic.tlsOrigination()` only): `tls.mode: SIMPLE` from the waypoint. */
  readonly destinationRule?: DestinationRule;
}

/**
 * Egress through a waypoint (ambient mode), Istio's ambient egress recipe: in ambient
 * mode a waypoint acts as the egress gateway. The external hosts are ServiceEntries in
 * a namespace enrolled in a waypoint, so ztunnel sends every call from the mesh to them
 * through the waypoint, with no routes to write. The waypoint enforces the host's ALLOW
 * policy (attached to its ServiceEntry with `targetRefs`: callers, methods, paths), and
 * originates TLS where asked (a DestinationRule with `tls.mode: SIMPLE`; the app calls
 * `http://host` on port 80, the ServiceEntry sends it to `targetPort` 443).
 *
 * `addHost()` takes `EgressTraffic.http()`, `.tlsOrigination()` and `.httpsPassthrough()`
 * (where the policy can only name callers); `.tcp()` is refused.
 *
 * Secure defaults:
 * - Nobody may call a host until `allowFrom` lists the callers.
 * - TLS origination verifies the host's certificate: `caCertificates` or
 *   `credentialName` is required.
 *
 * What it does not do: stop calls to hosts that are not declared. ztunnel does not
 * enforce the mesh's `outboundTrafficPolicy: REGISTRY_ONLY`; use Kubernetes
 * NetworkPolicies (or an EgressGateway in sidecar mode) for that.
 *
 * @see https://istio.io/latest/docs/ambient/usage/egress-gateway/
 */
export class WaypointEgress extends Construct {
  /** The egress namespace. */
  public readonly namespaceName: string;
  /** The Namespace object, enrolled in the waypoint (unless `createNamespace: false`). */
  public readonly namespace?: ApiObject;
  /** The waypoint. */
  public readonly waypoint: IWaypoint;

  private readonly byHost = new Map<string, WaypointEgressHost>();

  public constructor(scope: Construct, id: string, props: WaypointEgressProps = {}) {
    super(scope, id);
    const name = props.namespace ?? Chart.of(this).namespace;
    if (name === undefined || !isDnsLabel(name)) {
      throwPropError(this, 'namespace', name, 'the egress namespace: a DNS label; give it, or create the construct in a chart that has a namespace');
    }
    this.namespaceName = name;
    if (props.waypoint !== undefined && props.waypoint.namespace !== name) {
      throwPropError(this, 'waypoint', `${props.waypoint.namespace}/${props.waypoint.name}`, `the waypoint must be in the egress namespace "${name}", with the ServiceEntries it serves`);
    }
    if (props.createNamespace ?? true) {
      // first in the manifest: kubectl apply needs the Namespace before its objects
      this.namespace = new ApiObject(this, 'Namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      if (this.namespace.metadata.namespace !== undefined) this.namespace.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }
    this.waypoint = props.waypoint ?? new Waypoint(this, 'Waypoint', { metadata: { name: 'waypoint', namespace: name } });
    if (this.namespace !== undefined) this.waypoint.enroll(this.namespace);
  }

  /** The hosts added, in order. */
  public get hosts(): WaypointEgressHost[] {
    return [...this.byHost.values()];
  }

  /**
   * Lets the mesh reach an external host through the waypoint.
   *
   * @param host the host, a lowercase FQDN (e.g. `httpbin.org`)
   * @param traffic what the applications send: `EgressTraffic.http()`, `.tlsOrigination()` or `.httpsPassthrough()`
   * @param options the callers, methods and paths allowed
   */
  public addHost(host: string, traffic: EgressTraffic, options: WaypointEgressHostOptions = {}): WaypointEgressHost {
    const at = `addHost(${host})`;
    if (typeof host !== 'string' || !isFqdn(host) || host !== host.toLowerCase()) {
      throwPropError(this, at, host, 'a lowercase FQDN, e.g. "httpbin.org" (wildcard hosts need resolution NONE, which the waypoint cannot forward)');
    }
    if (this.byHost.has(host)) throwPropError(this, at, host, 'the host is added already');
    const spec = traffic._spec;
    if (spec.protocol === EgressProtocol.TCP) {
      throwPropError(this, `${at}.traffic`, spec.protocol, 'opaque TCP is routed by address, not by host: use EgressTraffic.http(), .tlsOrigination() or .httpsPassthrough()');
    }
    if (spec.wildcardViaHost !== undefined) throwPropError(this, `${at}.traffic.wildcardViaHost`, spec.wildcardViaHost, 'only for wildcard hosts, which WaypointEgress does not take');
    const passthrough = spec.protocol === EgressProtocol.HTTPS_PASSTHROUGH;
    if (passthrough && (options.methods !== undefined || options.paths !== undefined)) {
      throwPropError(this, `${at}.${options.methods !== undefined ? 'methods' : 'paths'}`, options.methods ?? options.paths,
        'passthrough TLS is encrypted end to end: the waypoint cannot read methods or paths; use EgressTraffic.tlsOrigination() to check them');
    }
    const origination = spec.protocol === EgressProtocol.TLS_ORIGINATION;
    if (origination && spec.caCertificates === undefined && spec.credentialName === undefined) {
      throwPropError(this, `${at}.traffic`, 'tlsOrigination()', 'give caCertificates (e.g. "/etc/ssl/certs/ca-certificates.crt", the CA bundle of the waypoint\'s image) or credentialName: without a CA the host\'s certificate is not verified');
    }
    const id = host.replace(/\./g, '-');
    const serviceEntry = new ServiceEntry(this, `${id}-entry`, {
      metadata: { name: host, namespace: this.namespaceName },
      hosts: [host],
      location: ServiceEntryLocation.MESH_EXTERNAL,
      resolution: ServiceEntryResolution.DNS,
      ports: [{
        number: spec.port,
        protocol: passthrough ? Protocol.TLS : Protocol.HTTP,
        name: spec.portName ?? `${passthrough ? 'tls' : 'http'}-${spec.port}`,
        targetPort: origination ? spec.tlsPort : undefined,
      }],
    });
    if (this.namespace === undefined) this.waypoint.enroll(serviceEntry);
    const destinationRule = origination ? new DestinationRule(this, `${id}-tls`, {
      metadata: { name: `${host}-tls`, namespace: this.namespaceName },
      host,
      trafficPolicy: {
        tls: ClientTls.simple({
          caCertificates: spec.caCertificates, credentialName: spec.credentialName, subjectAltNames: spec.subjectAltNames, sni: spec.sni ?? host,
        }),
      },
    }) : undefined;
    const allowFrom = options.allowFrom ?? [];
    const to = options.methods !== undefined || options.paths !== undefined ? [{ methods: options.methods, paths: options.paths }] : undefined;
    const authorizationPolicy = new AuthorizationPolicy(this, `${id}-policy`, {
      metadata: { name: host, namespace: this.namespaceName },
      ambient: true,
      targetRefs: [PolicyTargetRef.serviceEntry(host)],
      rules: allowFrom.length > 0 ? [{ from: [{ principals: allowFrom }], to }] : undefined,
    });
    const entry: WaypointEgressHost = { host, serviceEntry, authorizationPolicy, destinationRule };
    this.byHost.set(host, entry);
    return entry;
  }
}
