import type { EgressTrafficSpec } from './egress-plan';
import { Protocol } from '../core/protocol';

/**
 * What the applications send to an external host, and so how the egress gateway
 * forwards it. Read from `EgressTraffic.protocol`.
 */
export enum EgressProtocol {
  /** Plain HTTP from the app, plain HTTP from the egress gateway to the host. */
  HTTP = 'HTTP',
  /**
   * TLS (HTTPS) from the app, passed through untouched and routed by SNI: the app
   * verifies the host's certificate itself.
   */
  HTTPS_PASSTHROUGH = 'HTTPS_PASSTHROUGH',
  /** Plain HTTP from the app; the egress gateway opens the TLS connection to the host. */
  TLS_ORIGINATION = 'TLS_ORIGINATION',
  /** Opaque TCP (a database such as MySQL on 3306), routed by address and port. */
  TCP = 'TCP',
}

/** Options of `EgressTraffic.http()`. */
export interface EgressHttpOptions {
  /**
   * The port the applications call, and the host's port.
   *
   * @default 80
   */
  readonly port?: number;

  /**
   * The ServiceEntry port name; Istio reads the protocol from it, so it is `http`
   * or `http-<suffix>`.
   *
   * @default - `http-<port>`
   */
  readonly portName?: string;
}

/** Options of `EgressTraffic.httpsPassthrough()`. */
export interface EgressPassthroughOptions {
  /**
   * The port the applications call, and the host's port.
   *
   * @default 443
   */
  readonly port?: number;

  /**
   * The ServiceEntry port name (protocol TLS): `tls`, `https`, or either with a
   * `-<suffix>`.
   *
   * @default - `tls-<port>`
   */
  readonly portName?: string;

  /**
   * For a wildcard host (`*.wikipedia.org`) only, and then required: the one
   * concrete host that serves every name of the wildcard (`www.wikipedia.org`).
   *
   * This is Istio's wildcard egress pattern. A wildcard ServiceEntry cannot be
   * resolved by DNS (Istio rejects a DNS wildcard without endpoints), and with
   * resolution NONE the egress gateway would forward to the address the sidecar
   * connected to, which is the gateway itself. So the wildcard gets resolution NONE
   * (it only tells the sidecars which names exist), and the gateway forwards to this
   * host, declared by a second ServiceEntry with resolution DNS.
   *
   * @see https://istio.io/latest/docs/tasks/traffic-management/egress/wildcard-egress-hosts/
   * @default - none; required when the host is a wildcard
   */
  readonly wildcardViaHost?: string;
}

/** Options of `EgressTraffic.tlsOrigination()`. */
export interface EgressTlsOriginationOptions {
  /**
   * The port the applications call with plain HTTP.
   *
   * @default 80
   */
  readonly port?: number;

  /**
   * The ServiceEntry name of `port` (protocol HTTP).
   *
   * @default - `http-<port>`
   */
  readonly portName?: string;

  /**
   * The host's TLS port, which the egress gateway connects to.
   *
   * @default 443
   */
  readonly tlsPort?: number;

  /**
   * The ServiceEntry name of `tlsPort` (protocol HTTPS).
   *
   * @default - `https-<tlsPort>`
   */
  readonly tlsPortName?: string;

  /**
   * Path, in the egress gateway pods, of the CA bundle that verifies the host's
   * certificate. Excludes `credentialName`.
   *
   * Give this or `credentialName`: without either, the host's certificate is not
   * verified against a CA you chose (Istio's analyzer reports IST0129), and
   * `EgressGateway.warnings` says so.
   *
   * @default - none (a warning)
   */
  readonly caCertificates?: string;

  /**
   * A Secret in the egress gateway's namespace with the CA bundle (`cacert`, or
   * `ca.crt`) that verifies the host's certificate. Excludes `caCertificates`.
   *
   * @default - none (a warning, unless `caCertificates` is given)
   */
  readonly credentialName?: string;

  /**
   * Names accepted in the host's certificate (subject alternative names).
   *
   * @default - any name the CA vouches for
   */
  readonly subjectAltNames?: string[];

  /**
   * The SNI the egress gateway sends to the host.
   *
   * @default - the host
   */
  readonly sni?: string;
}

/** Options of `EgressTraffic.tcp()`. */
export interface EgressTcpOptions {
  /** The port the applications call, and the host's port (e.g. 3306). */
  readonly port: number;

  /**
   * The IP addresses the host resolves to. Opaque TCP has no Host header and no SNI,
   * so the sidecars route it by destination address and port: without addresses,
   * every connection to this port, to any host, would go to the egress gateway.
   * IP addresses only: CIDR blocks need resolution NONE, which loops behind an
   * egress gateway.
   */
  readonly addresses: string[];

  /**
   * The ServiceEntry port name, `<protocol>[-<suffix>]` (e.g. `tcp-mysql`).
   *
   * @default - `<protocol>-<port>`, e.g. `tcp-3306`
   */
  readonly portName?: string;

  /**
   * The protocol Istio sees: TCP, or MYSQL, MONGO or REDIS (Istio handles them as TCP
   * unless their filters are enabled).
   *
   * @default Protocol.TCP
   */
  readonly protocol?: Protocol;

  /**
   * With `EgressTls.PLAIN` only: the port of the egress gateway that carries this
   * host. Plain TCP has nothing but the port to tell hosts apart at the gateway, so
   * each TCP host needs its own, and the egress gateway's Service must expose it
   * (Istio's default egress gateway Service exposes 80 and 443 only). With
   * `EgressTls.MUTUAL`, every host goes through port 443, told apart by SNI.
   *
   * @default - `port`
   */
  readonly gatewayPort?: number;
}

/**
 * What the applications send to an external host: one factory per kind of traffic,
 * each taking only the settings that kind uses.
 *
 * @example
 * egress.addHost('edition.cnn.com', EgressTraffic.http());
 * egress.addHost('api.example.com', EgressTraffic.tlsOrigination({ credentialName: 'example-ca' }));
 * egress.addHost('*.wikipedia.org', EgressTraffic.httpsPassthrough({ wildcardViaHost: 'www.wikipedia.org' }));
 * egress.addHost('orders.cluster-abc.eu-west-1.rds.amazonaws.com', EgressTraffic.tcp({ port: 3306, addresses: ['10.20.30.40'] }));
 */
export class EgressTraffic {
  /**
   * Plain HTTP, on port 80 unless said otherwise.
   * @see https://istio.io/latest/docs/tasks/traffic-management/egress/egress-gateway/#egress-gateway-for-http-traffic
   */
  public static http(options: EgressHttpOptions = {}): EgressTraffic {
    return new EgressTraffic({ protocol: EgressProtocol.HTTP, port: options.port ?? 80, portName: options.portName });
  }

  /**
   * HTTPS (or any TLS) from the app, passed through by SNI, on port 443 unless said
   * otherwise. The only kind a wildcard host takes.
   * @see https://istio.io/latest/docs/tasks/traffic-management/egress/egress-gateway/#egress-gateway-for-https-traffic
   */
  public static httpsPassthrough(options: EgressPassthroughOptions = {}): EgressTraffic {
    return new EgressTraffic({
      protocol: EgressProtocol.HTTPS_PASSTHROUGH,
      port: options.port ?? 443,
      portName: options.portName,
      wildcardViaHost: options.wildcardViaHost,
    });
  }

  /**
   * Plain HTTP from the app (port 80), HTTPS from the egress gateway to the host
   * (port 443), verified against `caCertificates` or `credentialName`.
   * @see https://istio.io/latest/docs/tasks/traffic-management/egress/egress-gateway-tls-origination/
   */
  public static tlsOrigination(options: EgressTlsOriginationOptions = {}): EgressTraffic {
    return new EgressTraffic({
      protocol: EgressProtocol.TLS_ORIGINATION,
      port: options.port ?? 80,
      portName: options.portName,
      tlsPort: options.tlsPort ?? 443,
      tlsPortName: options.tlsPortName,
      caCertificates: options.caCertificates,
      credentialName: options.credentialName,
      subjectAltNames: options.subjectAltNames && [...options.subjectAltNames],
      sni: options.sni,
    });
  }

  /** Opaque TCP to a port of the host, e.g. MySQL on 3306, routed by `addresses`. */
  public static tcp(options: EgressTcpOptions): EgressTraffic {
    return new EgressTraffic({
      protocol: EgressProtocol.TCP,
      port: options.port,
      portName: options.portName,
      addresses: options.addresses && [...options.addresses],
      tcpProtocol: options.protocol ?? Protocol.TCP,
      gatewayPort: options.gatewayPort,
    });
  }

  /** The kind of traffic. */
  public readonly protocol: EgressProtocol;
  /** The port the applications call. */
  public readonly port: number;

  /** @internal */
  public readonly _spec: EgressTrafficSpec;

  private constructor(spec: EgressTrafficSpec) {
    this.protocol = spec.protocol;
    this.port = spec.port;
    this._spec = spec;
  }
}
