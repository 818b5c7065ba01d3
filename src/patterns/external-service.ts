import { Chart, Names } from 'cdk8s';
import { Construct } from 'constructs';
import { addCrossCheck, IndexQueries } from '../core/cross-check';
import { constructMessage, throwPropError } from '../core/errors';
import { hostsIntersect, isCidr, isDnsLabel, isFqdn, isIpAddress, isIpBlock } from '../core/names';
import { checkPortNumber, isOpaqueTcpProtocol, Protocol } from '../core/protocol';
import { DestinationRule } from '../networking/destination-rule';
import { ServiceEntry, ServiceEntryEndpoint, ServiceEntryLocation, ServiceEntryResolution } from '../networking/service-entry';
import { ClientTls, ClientTlsMode } from '../networking/traffic-tls';

/** Options of every `ExternalPort` factory. */
export interface ExternalPortOptions {
  /**
   * The port name, `<protocol>[-<suffix>]`.
   *
   * @default - `<protocol>-<number>` (`http-80`, `https-443`, `tcp-5432`); `tcp-mysql` and `tcp-mongo` for the database factories
   */
  readonly name?: string;

  /**
   * The port on the external endpoints, when it differs from the port the
   * applications call.
   *
   * @default - the same number; 443 when the sidecar originates TLS (`originateTls`)
   */
  readonly targetPort?: number;
}

/** Options of `ExternalPort.http()`. */
export interface ExternalHttpPortOptions extends ExternalPortOptions {
  /**
   * Let the sidecar originate TLS: the application sends plain HTTP to this port, the
   * sidecar opens TLS to `targetPort` (443 by default) of the host. `ClientTls.simple()`
   * or `ClientTls.mutual()`; give `caCertificates` (or `credentialName`) so that the
   * sidecar verifies the host's certificate. The SNI defaults to the host.
   *
   * @see https://istio.io/latest/docs/tasks/traffic-management/egress/egress-tls-origination/
   * @default - no origination: plain HTTP leaves the mesh
   */
  readonly originateTls?: ClientTls;
}

/**
 * A port an external service is reached on, by what travels over it.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/service-entry/#ServicePort
 */
export class ExternalPort {
  /**
   * Plain HTTP (routed by the Host header), optionally upgraded to TLS by the sidecar
   * (`originateTls`).
   */
  public static http(number: number = 80, options: ExternalHttpPortOptions = {}): ExternalPort {
    return new ExternalPort(number, Protocol.HTTP, options.name, options.targetPort, options.originateTls);
  }

  /** HTTPS that the application speaks itself: the sidecar passes it through, routed by SNI. */
  public static https(number: number = 443, options: ExternalPortOptions = {}): ExternalPort {
    return new ExternalPort(number, Protocol.HTTPS, options.name, options.targetPort, undefined);
  }

  /** Other TLS the application speaks itself (e.g. PostgreSQL or Kafka over TLS), routed by SNI. */
  public static tls(number: number, options: ExternalPortOptions = {}): ExternalPort {
    return new ExternalPort(number, Protocol.TLS, options.name, options.targetPort, undefined);
  }

  /**
   * Opaque TCP, routed by destination address: the service needs `addresses` (IST0134).
   * Use it for server-first protocols, which break protocol sniffing.
   */
  public static tcp(number: number, options: ExternalPortOptions = {}): ExternalPort {
    return new ExternalPort(number, Protocol.TCP, options.name, options.targetPort, undefined);
  }

  /**
   * MySQL: a server-first protocol, declared TCP (Istio's MySQL protocol is off by
   * default, and sniffing waits for the client while the server speaks first).
   */
  public static mysql(number: number = 3306, options: ExternalPortOptions = {}): ExternalPort {
    return new ExternalPort(number, Protocol.TCP, options.name ?? 'tcp-mysql', options.targetPort, undefined);
  }

  /** MongoDB: server-first, declared TCP (see `mysql`). */
  public static mongo(number: number = 27017, options: ExternalPortOptions = {}): ExternalPort {
    return new ExternalPort(number, Protocol.TCP, options.name ?? 'tcp-mongo', options.targetPort, undefined);
  }

  /** The port the applications call. */
  public readonly number: number;
  /** The protocol declared in the ServiceEntry. */
  public readonly protocol: Protocol;
  /** The port name, if given (or set by the factory). */
  public readonly name?: string;
  /** The port on the endpoints, if it differs. */
  public readonly targetPort?: number;
  /** TLS originated by the sidecar, if any. */
  public readonly originateTls?: ClientTls;

  private constructor(
    number: number, protocol: Protocol, name: string | undefined, targetPort: number | undefined, originateTls: ClientTls | undefined,
  ) {
    this.number = number;
    this.protocol = protocol;
    this.name = name;
    this.targetPort = targetPort ?? (originateTls !== undefined ? 443 : undefined);
    this.originateTls = originateTls;
  }
}

/**
 * Props of an ExternalService.
 * @see https://istio.io/latest/docs/reference/config/networking/service-entry/
 */
export interface ExternalServiceProps {
  /**
   * The host the applications call: a fully qualified name (`api.stripe.com`,
   * `mysql.example.internal`). Wildcards go through `ServiceEntry` (resolution NONE)
   * or `EgressGateway`.
   */
  readonly host: string;

  /** Every port the service is reached on (at least one). */
  readonly ports: ExternalPort[];

  /**
   * The service's IP addresses or CIDR blocks. Required with a TCP port: TCP carries
   * neither Host header nor SNI, so the sidecar can tell the service apart only by
   * destination address (IST0134).
   *
   * @default - none (HTTP, HTTPS and TLS ports only)
   */
  readonly addresses?: string[];

  /**
   * Fixed endpoints: IP addresses (resolution STATIC) or DNS names (resolution DNS).
   *
   * @default - the host itself, resolved by DNS (for CIDR addresses: the address the application connected to)
   */
  readonly endpoints?: string[];

  /**
   * How the sidecar finds the endpoints.
   *
   * @default - STATIC for IP endpoints, NONE for CIDR addresses without endpoints, DNS otherwise
   */
  readonly resolution?: ServiceEntryResolution;

  /**
   * The namespaces that see the service: `.` (this one) or namespace names.
   *
   * @default ['.'] (only the workloads of this namespace can reach it)
   */
  readonly exportTo?: string[];

  /**
   * The namespace of the ServiceEntry (and DestinationRule).
   *
   * @default - the chart's namespace
   */
  readonly namespace?: string;

  /**
   * The `metadata.name` of the ServiceEntry and of the DestinationRule.
   *
   * @default - the construct path as a DNS label (e.g. `egress-edition-cnn-com`)
   */
  readonly name?: string;
}

/**
 * Registers an external endpoint (a public API, a SaaS, a database) with a
 * ServiceEntry, and optionally lets the sidecar originate TLS to it with a
 * DestinationRule.
 *
 * Secure defaults:
 * - `location: MESH_EXTERNAL` (no mTLS expected on the other side) and `exportTo: ["."]`:
 *   only the workloads of this namespace see the host.
 * - Every port the service is reached on is declared, by what it carries; server-first
 *   databases (MySQL, MongoDB) are declared TCP; TCP needs `addresses` (IST0134).
 * - TLS origination sends the host as SNI. Without `caCertificates` or `credentialName`
 *   it is reported in `warnings` and by validation (IST0129): name the CA.
 * - Egress lock-down: registering a host does not block the others. Pair it with a
 *   Sidecar (the `Sidecar` L2 defaults to `outboundTrafficPolicy: REGISTRY_ONLY`) or the
 *   mesh config's REGISTRY_ONLY, so that only registered hosts are reachable. A Sidecar
 *   of the namespace that lists egress hosts must list this one (`sidecarEgressHost`):
 *   validation fails otherwise.
 *
 * Checks at once: a fully qualified host (no wildcard, no IP), ports (at least one,
 * numbers, names, unique), a TCP port without addresses, addresses and endpoints
 * (IPs or names), TLS origination only on HTTP ports and only SIMPLE or MUTUAL,
 * exportTo entries. At validation: a Sidecar of the namespace with egress listeners
 * that import no entry for the host.
 *
 * @example
 * new ExternalService(chart, 'cnn', {
 *   host: 'edition.cnn.com',
 *   ports: [
 *     ExternalPort.http(80, { originateTls: ClientTls.simple({ caCertificates: '/etc/ssl/certs/ca-certificates.crt' }) }),
 *     ExternalPort.https(443),
 *   ],
 * });
 *
 * @see https://istio.io/latest/docs/tasks/traffic-management/egress/egress-control/
 */
export class ExternalService extends Construct {
  /** The host. */
  public readonly host: string;
  /** The namespace of the objects, where set on the props or the chart. */
  public readonly namespace?: string;
  /** The ServiceEntry that registers the host. */
  public readonly serviceEntry: ServiceEntry;
  /** The DestinationRule that makes the sidecar originate TLS, when a port does. */
  public readonly tlsOrigination?: DestinationRule;

  private readonly portList: ExternalPort[];

  public constructor(scope: Construct, id: string, props: ExternalServiceProps) {
    super(scope, id);
    const host = props.host;
    if (typeof host !== 'string' || !isFqdn(host) || isIpAddress(host) || host !== host.toLowerCase()) {
      throwPropError(this, 'host', host, 'a fully qualified lower-case host name such as "api.example.com" (no wildcard, no IP: give IPs as addresses)');
    }
    this.host = host.replace(/\.$/, '');
    if (props.namespace !== undefined && !isDnsLabel(props.namespace)) {
      throwPropError(this, 'namespace', props.namespace, 'a namespace name (a DNS-1123 label)');
    }
    this.namespace = props.namespace ?? Chart.of(this).namespace;
    const exportTo = props.exportTo ?? ['.'];
    exportTo.forEach((e, i) => {
      if (e === '*' || e === '~') {
        throwPropError(this, `exportTo[${i}]`, e, '"." or namespace names: an external host is granted to the namespaces that need it (use ServiceEntry directly to export it to all)');
      }
    });

    this.portList = this.checkPorts(props.ports);
    const addresses = props.addresses ?? [];
    addresses.forEach((a, i) => {
      if (!isIpBlock(a)) throwPropError(this, `addresses[${i}]`, a, 'an IP address or CIDR block, e.g. "203.0.113.10" or "203.0.113.0/24"');
    });
    const tcp = this.portList.findIndex(p => isOpaqueTcpProtocol(p.protocol));
    if (tcp >= 0 && addresses.length === 0) {
      throwPropError(this, 'addresses', props.addresses,
        `ports[${tcp}] (${this.portList[tcp].number}) is TCP, which has no Host header or SNI: give the service's IP addresses or CIDR blocks, `
        + 'so that the sidecar routes only that traffic to it (IST0134)');
    }
    const endpoints = (props.endpoints ?? []).map((address, i): ServiceEntryEndpoint => {
      if (!(isIpAddress(address) || isFqdn(address))) throwPropError(this, `endpoints[${i}]`, address, 'an IP address or a fully qualified DNS name');
      return { address };
    });
    if (endpoints.length > 0 && addresses.some(isCidr) && props.resolution === undefined && endpoints.some(e => !isIpAddress(e.address!))) {
      throwPropError(this, 'endpoints', props.endpoints, 'CIDR addresses need resolution NONE or STATIC: give IP endpoints, or single IP addresses');
    }

    const name = props.name ?? Names.toDnsLabel(this, { includeHash: false });
    const metadata = { name, namespace: this.namespace };
    this.serviceEntry = new ServiceEntry(this, 'ServiceEntry', {
      metadata,
      hosts: [this.host],
      addresses: addresses.length > 0 ? [...addresses] : undefined,
      ports: this.portList.map(p => ({ number: p.number, protocol: p.protocol, name: p.name, targetPort: p.targetPort })),
      location: ServiceEntryLocation.MESH_EXTERNAL,
      resolution: props.resolution,
      endpoints: endpoints.length > 0 ? endpoints : undefined,
      exportTo: [...exportTo],
    });

    const originating = this.portList.filter(p => p.originateTls !== undefined);
    if (originating.length > 0) {
      this.tlsOrigination = new DestinationRule(this, 'TlsOrigination', {
        metadata,
        host: this.host,
        exportTo: [...exportTo],
        trafficPolicy: {
          portLevelSettings: originating.map(p => ({ port: p.number, tls: withSni(p.originateTls!, this.host) })),
        },
      });
    }
    addCrossCheck(this, index => this.checkSidecars(index));
  }

  /** The ports, in order. */
  public get ports(): ExternalPort[] {
    return [...this.portList];
  }

  /**
   * The entry for a Sidecar's egress listener hosts that imports this host:
   * `<namespace>/<host>` (`*` when the namespace is unknown).
   *
   * @example
   * sidecar.addEgressListener({ hosts: ['./*', 'istio-system/*', stripe.sidecarEgressHost] });
   */
  public get sidecarEgressHost(): string {
    return `${this.namespace ?? '*'}/${this.host}`;
  }

  /**
   * What is valid but weak, one message each: plain HTTP leaving the mesh, TLS
   * origination that verifies the host against no CA of yours (IST0129; the
   * DestinationRule's own `warnings` say the same), and the ServiceEntry's warnings.
   */
  public get warnings(): string[] {
    const out: string[] = [...this.serviceEntry.warnings];
    this.portList.forEach((p, i) => {
      if (p.protocol === Protocol.HTTP && p.originateTls === undefined) {
        out.push(constructMessage(this, `ports[${i}] (${p.number}): `
          + 'plain HTTP leaves the mesh unencrypted: call the host over HTTPS (ExternalPort.https), or let the sidecar originate TLS (originateTls)'));
      }
      const tls = p.originateTls;
      if (tls && !tls.settings.caCertificates && !tls.settings.credentialName && !tls.settings.insecureSkipVerify) {
        out.push(constructMessage(this, `ports[${i}].originateTls (${tls.mode}): `
          + `no caCertificates or credentialName: the sidecar does not verify "${this.host}" against a CA of yours (IST0129); `
          + 'give caCertificates (e.g. the proxy image\'s /etc/ssl/certs/ca-certificates.crt) or credentialName'));
      }
    });
    return out;
  }

  private checkPorts(ports: ExternalPort[]): ExternalPort[] {
    if (!Array.isArray(ports) || ports.length === 0) {
      throwPropError(this, 'ports', ports, 'declare every port the service is reached on, e.g. [ExternalPort.https()]');
    }
    ports.forEach((p, i) => {
      const prop = `ports[${i}]`;
      if (!(p instanceof ExternalPort)) throwPropError(this, prop, p, 'an ExternalPort, e.g. ExternalPort.https(443)');
      checkPortNumber(this, `${prop}.number`, p.number);
      if (p.targetPort !== undefined) checkPortNumber(this, `${prop}.targetPort`, p.targetPort);
      const tls = p.originateTls;
      if (tls !== undefined && tls.mode !== ClientTlsMode.SIMPLE && tls.mode !== ClientTlsMode.MUTUAL) {
        throwPropError(this, `${prop}.originateTls`, tls.mode, 'TLS origination to an external host is ClientTls.simple() or ClientTls.mutual() (the mesh\'s ISTIO_MUTUAL is for mesh workloads)');
      }
    });
    return [...ports];
  }

  /** A Sidecar of the namespace whose egress listeners import no entry for the host hides it from its workloads. */
  private checkSidecars(index: IndexQueries): string[] {
    if (this.namespace === undefined) return [];
    const errors: string[] = [];
    for (const sidecar of index.inNamespace('Sidecar', this.namespace)) {
      const egress: any[] = Array.isArray(sidecar.json?.spec?.egress) ? sidecar.json.spec.egress : [];
      if (egress.length === 0) continue; // no egress listeners: it sees every host exported to the namespace
      const hosts: string[] = egress.flatMap(e => (Array.isArray(e?.hosts) ? e.hosts : []));
      if (hosts.some(h => imports(h, this.namespace!, this.host))) continue;
      const owner = sidecar.apiObject.node.id === 'Resource' ? sidecar.apiObject.node.scope!.node.path : sidecar.apiObject.node.path;
      errors.push(constructMessage(this,
        `Sidecar '${owner}' of namespace "${this.namespace}" lists egress hosts ${JSON.stringify(hosts)}, none of which imports "${this.host}": `
        + `its workloads cannot reach the service; add "${this.sidecarEgressHost}" (sidecarEgressHost) or "./*" to its egress hosts`));
    }
    return errors;
  }
}

/** The TLS settings with the host as SNI unless one is given. */
function withSni(tls: ClientTls, host: string): ClientTls {
  if (tls.settings.sni !== undefined) return tls;
  return tls.mode === ClientTlsMode.MUTUAL
    ? ClientTls.mutual({ ...tls.settings, sni: host })
    : ClientTls.simple({ ...tls.settings, sni: host });
}

/** Whether a Sidecar egress host `ns/host` (in the Sidecar's namespace `namespace`) imports `host` of `namespace`. */
function imports(entry: string, namespace: string, host: string): boolean {
  const slash = entry.indexOf('/');
  if (slash < 0) return false;
  const ns = entry.slice(0, slash);
  const pattern = entry.slice(slash + 1);
  if (!(ns === '*' || ns === '.' || ns === namespace)) return false;
  return hostsIntersect(pattern, host);
}
