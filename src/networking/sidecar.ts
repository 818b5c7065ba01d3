import { ApiObject, Duration, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { ServerTlsMode, ServerTlsSettings } from './gateway';
import { ConnectionPool, H2UpgradePolicy } from './traffic-connection-pool';
import * as l1 from '../../imports/networking.istio.io';
import { addCrossCheck, IndexedObject, IndexQueries, ManifestIndex } from '../core/cross-check';
import { renderDuration } from '../core/duration';
import { constructMessage, throwPropError } from '../core/errors';
import { IstioResource, IstioResourceProps } from '../core/istio-resource';
import { checkNamespacedHost, isFqdn, NamespacedHostContext } from '../core/names';
import {
  checkBind, checkDefaultEndpoint, checkPortName, checkPortNumber, isHttpProtocol, isTlsProtocol, Protocol, renderServerTls,
} from '../core/protocol';
import { WorkloadSelector } from '../core/workload-selector';

/**
 * How traffic reaches a listener.
 * @see https://istio.io/latest/docs/reference/config/networking/sidecar/#CaptureMode
 */
export enum CaptureMode {
  /** The environment's default (iptables, unless the bind is a unix socket). */
  DEFAULT = 'DEFAULT',
  /** Captured by iptables redirection. */
  IPTABLES = 'IPTABLES',
  /** Not captured: the application calls the listener's address explicitly. */
  NONE = 'NONE',
}

/**
 * What the sidecar does with traffic to hosts it does not know.
 * @see https://istio.io/latest/docs/reference/config/networking/sidecar/#OutboundTrafficPolicy-Mode
 */
export enum OutboundTrafficPolicyMode {
  /** Block traffic to hosts outside the service registry (ServiceEntries declare external hosts). */
  REGISTRY_ONLY = 'REGISTRY_ONLY',
  /** Pass traffic to unknown hosts through (or to `egressProxy`). */
  ALLOW_ANY = 'ALLOW_ANY',
}

/** The port of a Sidecar listener. */
export interface SidecarPort {
  /** The port number (1-65535; 0 for an egress listener bound to a unix socket). */
  readonly number: number;
  /** The protocol. */
  readonly protocol: Protocol;
  /**
   * The port name, `<protocol>[-<suffix>]`.
   * @default - no name
   */
  readonly name?: string;
}

/**
 * An egress listener: which hosts the workload can reach, on which port.
 * @see https://istio.io/latest/docs/reference/config/networking/sidecar/#IstioEgressListener
 */
export interface SidecarEgressListener {
  /**
   * The hosts the workload sees, as `<namespace>/<dnsName>`: `./*` (all of this
   * namespace), `istio-system/*`, `prod/api.example.com`, `~/*` (none); the
   * namespace `*` means any namespace.
   */
  readonly hosts: string[];

  /**
   * The port. At most one listener has none: it catches every other port, and it is
   * always rendered last (where Istio requires it).
   *
   * @default - all ports
   */
  readonly port?: SidecarPort;

  /**
   * The IP or unix socket (`unix:///path`, port number 0) to listen on.
   *
   * @default - from the capture mode
   */
  readonly bind?: string;

  /**
   * How traffic reaches the listener.
   * @default CaptureMode.DEFAULT
   */
  readonly captureMode?: CaptureMode;
}

/**
 * An ingress listener: a port of the workload and where the sidecar forwards it.
 * @see https://istio.io/latest/docs/reference/config/networking/sidecar/#IstioIngressListener
 */
export interface SidecarIngressListener {
  /** The port the sidecar listens on for the workload. */
  readonly port: SidecarPort;

  /**
   * Where to forward: `127.0.0.1:PORT`, `0.0.0.0:PORT`, `[::1]:PORT`, `[::]:PORT` or
   * `unix:///path`.
   *
   * @default - the workload's IP and the same port
   */
  readonly defaultEndpoint?: string;

  /**
   * The IP to listen on.
   * @default - the workload's IP
   */
  readonly bind?: string;

  /**
   * How traffic reaches the listener.
   * @default CaptureMode.DEFAULT
   */
  readonly captureMode?: CaptureMode;

  /**
   * Terminate TLS from clients outside the mesh (HTTPS or TLS port; certificate files
   * only, no credentialName; not ISTIO_MUTUAL or AUTO_PASSTHROUGH).
   *
   * @default - no TLS termination
   */
  readonly tls?: ServerTlsSettings;

  /**
   * Connection limits for this port (overrides `inboundConnectionPool`).
   * @default - `inboundConnectionPool`
   */
  readonly connectionPool?: ConnectionPool;
}

/**
 * Where unknown traffic goes when the policy is ALLOW_ANY.
 * @see https://istio.io/latest/docs/reference/config/networking/sidecar/#OutboundTrafficPolicy
 */
export interface SidecarEgressProxy {
  /** The proxy's host in the service registry (FQDN, e.g. `egress-proxy.istio-system.svc.cluster.local`). */
  readonly host: string;
  /** The proxy's port. */
  readonly port: number;
  /**
   * A DestinationRule subset of the proxy.
   * @default - no subset
   */
  readonly subset?: string;
}

/** Props of a Sidecar. */
export interface SidecarProps extends IstioResourceProps {
  /**
   * The workloads it applies to. Only one Sidecar per namespace may omit it.
   *
   * @default - every workload of the namespace without a more specific Sidecar
   *   (in the root namespace: the mesh default)
   */
  readonly workloadSelector?: WorkloadSelector;

  /**
   * Egress listeners. More with `addEgressListener()`.
   * @default - the workload sees every host of the mesh
   */
  readonly egress?: SidecarEgressListener[];

  /**
   * Ingress listeners. More with `addIngressListener()`.
   * @default - from the workload's Services
   */
  readonly ingress?: SidecarIngressListener[];

  /**
   * What happens to traffic to hosts outside the registry.
   *
   * @default - REGISTRY_ONLY (secure by default: egress only to declared hosts),
   *   ALLOW_ANY when an `egressProxy` is given
   */
  readonly outboundTrafficPolicy?: OutboundTrafficPolicyMode;

  /**
   * Send unknown traffic to this proxy instead of passing it through (ALLOW_ANY only).
   * @default - pass through
   */
  readonly egressProxy?: SidecarEgressProxy;

  /**
   * Connection limits for all inbound ports.
   * @default - Istio's defaults
   */
  readonly inboundConnectionPool?: ConnectionPool;
}

/**
 * Scopes a workload's sidecar: the hosts it sees (egress listeners), the ports it
 * accepts (ingress listeners), and what happens to unknown destinations.
 *
 * Secure by default: `outboundTrafficPolicy` is REGISTRY_ONLY unless said otherwise,
 * so workloads reach only hosts in the registry (Services and ServiceEntries).
 *
 * Checks at once: egress hosts are `<namespace>/<dnsName>`; at most one egress listener
 * without a port (always rendered last); unique listener ports; ingress
 * `defaultEndpoint` syntax; ingress TLS only on HTTPS/TLS ports and as Istio supports it
 * on sidecars; HTTP pool limits only on HTTP ports; `egressProxy` only with ALLOW_ANY.
 * At synth: only one Sidecar without workloadSelector per namespace, and no two with
 * the same selector labels, over every Sidecar of the app (L2 or raw L1).
 *
 * @see https://istio.io/latest/docs/reference/config/networking/sidecar/
 */
export class Sidecar extends IstioResource {
  /** The L1 object. */
  public readonly apiObject: l1.Sidecar;
  /** The outbound traffic policy. */
  public readonly outboundTrafficPolicy: OutboundTrafficPolicyMode;
  /** The workload selector, if any. */
  public readonly workloadSelector?: WorkloadSelector;

  private readonly egress: l1.SidecarSpecEgress[] = [];
  private catchAllEgress?: l1.SidecarSpecEgress;
  private readonly ingress: l1.SidecarSpecIngress[] = [];
  private readonly egressProxy?: l1.SidecarSpecOutboundTrafficPolicyEgressProxy;
  private readonly inboundConnectionPool?: l1.SidecarSpecInboundConnectionPool;

  public constructor(scope: Construct, id: string, props: SidecarProps = {}) {
    super(scope, id, props);
    this.workloadSelector = props.workloadSelector;
    this.outboundTrafficPolicy = props.outboundTrafficPolicy
      ?? (props.egressProxy ? OutboundTrafficPolicyMode.ALLOW_ANY : OutboundTrafficPolicyMode.REGISTRY_ONLY);
    if (props.egressProxy) {
      if (this.outboundTrafficPolicy !== OutboundTrafficPolicyMode.ALLOW_ANY) {
        throwPropError(this, 'egressProxy', props.egressProxy.host, 'an egress proxy takes the traffic ALLOW_ANY lets through: it needs outboundTrafficPolicy ALLOW_ANY');
      }
      if (!isFqdn(props.egressProxy.host)) {
        throwPropError(this, 'egressProxy.host', props.egressProxy.host, 'the proxy host is a fully qualified name in the registry, e.g. "egress-proxy.istio-system.svc.cluster.local"');
      }
      checkPortNumber(this, 'egressProxy.port', props.egressProxy.port);
      this.egressProxy = { host: props.egressProxy.host, port: { number: props.egressProxy.port }, subset: props.egressProxy.subset };
    }
    if (props.inboundConnectionPool) {
      this.inboundConnectionPool = this.renderPool('inboundConnectionPool', props.inboundConnectionPool, undefined) as l1.SidecarSpecInboundConnectionPool;
    }
    (props.egress ?? []).forEach(e => this.addEgressListener(e));
    (props.ingress ?? []).forEach(i => this.addIngressListener(i));

    this.apiObject = new l1.Sidecar(this, 'Resource', {
      metadata: this.resourceMetadata(props),
      spec: Lazy.any({ produce: () => this.renderSpec() }),
    });
    addCrossCheck(this, index => this.checkUniqueScope(index));
  }

  /**
   * Adds an egress listener: the hosts the workload sees (on a port, or on all ports).
   *
   * @example
   * sidecar.addEgressListener({ hosts: ['./*', 'istio-system/*'] });
   */
  public addEgressListener(listener: SidecarEgressListener): void {
    const prop = `egress[${this.egress.length + (this.catchAllEgress ? 1 : 0)}]`;
    if (listener.hosts.length === 0) {
      throwPropError(this, `${prop}.hosts`, listener.hosts, 'an egress listener needs at least one host, e.g. "./*"');
    }
    listener.hosts.forEach((h, i) => checkNamespacedHost(this, `${prop}.hosts[${i}]`, h, NamespacedHostContext.SIDECAR));
    const dup = listener.hosts.find((h, i) => listener.hosts.indexOf(h) !== i);
    if (dup !== undefined) throwPropError(this, `${prop}.hosts`, dup, 'hosts must be unique');

    const unix = listener.bind?.startsWith('unix://') ?? false;
    if (listener.bind !== undefined) checkBind(this, `${prop}.bind`, listener.bind, true);
    const json: l1.SidecarSpecEgress = {
      hosts: [...listener.hosts],
      port: listener.port ? this.renderPort(`${prop}.port`, listener.port, unix) : undefined,
      bind: listener.bind,
      captureMode: listener.captureMode as string as l1.SidecarSpecEgressCaptureMode | undefined,
    };

    if (listener.port === undefined) {
      if (unix) throwPropError(this, `${prop}.port`, undefined, 'a listener bound to a unix socket needs a port (number 0)');
      if (this.catchAllEgress) {
        throwPropError(this, `${prop}.port`, undefined, 'only one egress listener may omit the port (it catches every other port): give this one a port');
      }
      this.catchAllEgress = json;
      return;
    }
    if (unix) {
      if (listener.captureMode === CaptureMode.IPTABLES) {
        throwPropError(this, `${prop}.captureMode`, listener.captureMode, 'a unix socket listener is not captured: use DEFAULT or NONE');
      }
      const same = this.egress.findIndex(e => e.bind === listener.bind);
      if (same >= 0) throwPropError(this, `${prop}.bind`, listener.bind, `egress[${same}] already binds this socket`);
    } else {
      const same = this.egress.findIndex(e => e.port?.number === listener.port!.number && !e.bind?.startsWith('unix://'));
      if (same >= 0) throwPropError(this, `${prop}.port.number`, listener.port.number, `egress[${same}] already listens on this port`);
    }
    this.egress.push(json);
  }

  /**
   * Adds an ingress listener: a port of the workload and where the sidecar forwards it.
   *
   * @example
   * sidecar.addIngressListener({ port: { number: 9080, protocol: Protocol.HTTP, name: 'http' }, defaultEndpoint: '127.0.0.1:8080' });
   */
  public addIngressListener(listener: SidecarIngressListener): void {
    const prop = `ingress[${this.ingress.length}]`;
    const protocol = listener.port.protocol;
    const port = this.renderPort(`${prop}.port`, listener.port, false);
    const same = this.ingress.findIndex(i => i.port.number === listener.port.number);
    if (same >= 0) throwPropError(this, `${prop}.port.number`, listener.port.number, `ingress[${same}] already listens on this port`);
    if (listener.bind !== undefined) checkBind(this, `${prop}.bind`, listener.bind, false);
    if (listener.defaultEndpoint !== undefined) checkDefaultEndpoint(this, `${prop}.defaultEndpoint`, listener.defaultEndpoint);

    let tls: l1.SidecarSpecIngressTls | undefined;
    if (listener.tls !== undefined) {
      const t = listener.tls;
      const unsupported = (['credentialName', 'credentialNames', 'caCertCredentialName', 'tlsCertificates', 'subjectAltNames', 'httpsRedirect'] as const)
        .find(k => t[k] !== undefined);
      if (unsupported !== undefined) {
        throwPropError(this, `${prop}.tls.${unsupported}`, t[unsupported], 'sidecar ingress TLS takes certificate files (serverCertificate, privateKey, caCertificates) only');
      }
      if (t.mode === ServerTlsMode.ISTIO_MUTUAL || t.mode === ServerTlsMode.AUTO_PASSTHROUGH) {
        throwPropError(this, `${prop}.tls.mode`, t.mode, 'a sidecar ingress listener takes SIMPLE, MUTUAL, OPTIONAL_MUTUAL or PASSTHROUGH');
      }
      if (!isTlsProtocol(protocol)) {
        throwPropError(this, `${prop}.tls`, t, `TLS termination needs port protocol HTTPS or TLS, not ${protocol}`);
      }
      tls = renderServerTls(this, `${prop}.tls`, t, protocol) as l1.SidecarSpecIngressTls;
    }

    this.ingress.push({
      port,
      defaultEndpoint: listener.defaultEndpoint,
      bind: listener.bind,
      captureMode: listener.captureMode as string as l1.SidecarSpecIngressCaptureMode | undefined,
      tls,
      connectionPool: listener.connectionPool ? this.renderPool(`${prop}.connectionPool`, listener.connectionPool, protocol) : undefined,
    });
  }

  private renderPort(prop: string, port: SidecarPort, unix: boolean): l1.SidecarSpecEgressPort {
    if (unix) {
      if (port.number !== 0) throwPropError(this, `${prop}.number`, port.number, 'a listener bound to a unix socket takes port number 0');
    } else {
      checkPortNumber(this, `${prop}.number`, port.number);
    }
    if (port.name !== undefined) checkPortName(this, `${prop}.name`, port.name, port.protocol);
    return { number: port.number, protocol: port.protocol, name: port.name };
  }

  /**
   * Renders a connection pool (Istio's ConnectionPoolSettings, as for DestinationRules);
   * `protocol` is given for a port-level pool, whose HTTP settings need an HTTP port.
   */
  private renderPool(prop: string, pool: ConnectionPool, protocol: Protocol | undefined): l1.SidecarSpecIngressConnectionPool {
    const INT32 = 2147483647;
    const integer = (name: string, value: number | undefined, max: number) => {
      if (value !== undefined && (!Number.isInteger(value) || value < 0 || value > max)) {
        throwPropError(this, `${prop}.${name}`, value, `must be an integer from 0 to ${max}`);
      }
      return value;
    };
    const duration = (name: string, value: Duration | undefined, minimum?: Duration) =>
      value === undefined ? undefined : renderDuration(this, `${prop}.${name}`, value, minimum);
    const { tcp, http } = pool;
    if (!tcp && !http) {
      throwPropError(this, prop, pool, 'set tcp, http or both (Istio rejects an empty connection pool)');
    }
    if (http && protocol !== undefined && !isHttpProtocol(protocol)) {
      throwPropError(this, `${prop}.http`, http, `HTTP settings apply to HTTP ports only, and this port is ${protocol}: keep the tcp settings`);
    }
    if (http?.useClientProtocol === true && http.h2UpgradePolicy === H2UpgradePolicy.UPGRADE) {
      throwPropError(this, `${prop}.http.useClientProtocol`, true, 'keeping the client protocol contradicts h2UpgradePolicy UPGRADE (Istio rejects both): keep one');
    }
    return {
      tcp: tcp && {
        maxConnections: integer('tcp.maxConnections', tcp.maxConnections, INT32),
        connectTimeout: duration('tcp.connectTimeout', tcp.connectTimeout),
        idleTimeout: duration('tcp.idleTimeout', tcp.idleTimeout, Duration.millis(0)),
        maxConnectionDuration: duration('tcp.maxConnectionDuration', tcp.maxConnectionDuration),
        tcpKeepalive: tcp.tcpKeepalive && {
          time: duration('tcp.tcpKeepalive.time', tcp.tcpKeepalive.time),
          interval: duration('tcp.tcpKeepalive.interval', tcp.tcpKeepalive.interval),
          probes: integer('tcp.tcpKeepalive.probes', tcp.tcpKeepalive.probes, 4294967295),
        },
      },
      http: http && {
        http1MaxPendingRequests: integer('http.http1MaxPendingRequests', http.http1MaxPendingRequests, INT32),
        http2MaxRequests: integer('http.http2MaxRequests', http.http2MaxRequests, INT32),
        maxRequestsPerConnection: integer('http.maxRequestsPerConnection', http.maxRequestsPerConnection, INT32),
        maxRetries: integer('http.maxRetries', http.maxRetries, INT32),
        idleTimeout: duration('http.idleTimeout', http.idleTimeout),
        h2UpgradePolicy: http.h2UpgradePolicy as string as l1.SidecarSpecIngressConnectionPoolHttpH2UpgradePolicy | undefined,
        useClientProtocol: http.useClientProtocol,
        maxConcurrentStreams: integer('http.maxConcurrentStreams', http.maxConcurrentStreams, INT32),
      },
    };
  }

  private renderSpec(): l1.SidecarSpec {
    const egress = this.catchAllEgress ? [...this.egress, this.catchAllEgress] : this.egress;
    return {
      workloadSelector: this.workloadSelector ? { labels: this.workloadSelector.toLabels() } : undefined,
      ingress: this.ingress.length > 0 ? this.ingress.map(i => ({ ...i })) : undefined,
      egress: egress.length > 0 ? egress.map(e => ({ ...e })) : undefined,
      outboundTrafficPolicy: {
        mode: this.outboundTrafficPolicy as string as l1.SidecarSpecOutboundTrafficPolicyMode,
        egressProxy: this.egressProxy,
      },
      inboundConnectionPool: this.inboundConnectionPool,
    };
  }

  /**
   * Istio applies one Sidecar per workload: two without a selector in one namespace,
   * or two with the same selector labels, leave it to chance which one wins. Each
   * conflict is reported once (by the later L2, or by the L2 when the other is raw L1).
   */
  private checkUniqueScope(index: IndexQueries): string[] {
    const { all, position, byScope } = index.memo(SIDECARS, sidecarScopes);
    const self = position.get(this.apiObject);
    if (self === undefined) return [];
    const mine = scopeKey(all[self]);
    const errors: string[] = [];
    for (const other of byScope.get(mine) ?? []) {
      const i = other.order;
      if (i === self) continue;
      const otherIsL2 = other.entry.apiObject.node.scope instanceof Sidecar;
      if (otherIsL2 && i > self) continue; // the later one reports
      const ns = all[self].json?.metadata?.namespace;
      errors.push(constructMessage(this, this.workloadSelector
        ? `'${other.entry.apiObject.node.path}' selects the same labels ${JSON.stringify(this.workloadSelector.toLabels())}${ns ? ` in namespace "${ns}"` : ''}: `
          + 'a workload gets only one Sidecar, so merge them or make the selectors differ'
        : `'${other.entry.apiObject.node.path}' is also a Sidecar without workloadSelector${ns ? ` in namespace "${ns}"` : ''}: `
          + 'only one per namespace is allowed, so merge them or give one a workloadSelector'));
    }
    return errors;
  }
}

const SIDECARS = Symbol('cdk8s-istio.Sidecar.scopes');

/** The app's Sidecars by scope (namespace + selector), with their positions among the Sidecars: built once per index. */
function sidecarScopes(index: ManifestIndex) {
  const all = index.ofKind('Sidecar');
  const position = new Map<ApiObject, number>();
  const byScope = new Map<string, { entry: IndexedObject; order: number }[]>();
  all.forEach((entry, order) => {
    if (!position.has(entry.apiObject)) position.set(entry.apiObject, order);
    const k = scopeKey(entry);
    const group = byScope.get(k);
    if (group) group.push({ entry, order });
    else byScope.set(k, [{ entry, order }]);
  });
  return { all, position, byScope };
}

/** Namespace + sorted selector labels (or none) of a Sidecar's JSON. */
function scopeKey(sidecar: IndexedObject): string {
  const ns = sidecar.json?.metadata?.namespace ?? '';
  const labels: { [key: string]: string } | undefined = sidecar.json?.spec?.workloadSelector?.labels;
  const selector = labels && Object.keys(labels).length > 0
    ? Object.keys(labels).sort().map(k => `${k}=${labels[k]}`).join(',')
    : '';
  return `${ns}|${selector}`;
}
