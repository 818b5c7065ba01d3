import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import * as l1 from '../../imports/networking.istio.io';
import { addCrossCheck, addSynthValidation, IndexedObject, IndexQueries } from '../core/cross-check';
import { constructMessage, throwPropError } from '../core/errors';
import { DNS_LABEL_REFERENCE, ImportedResource } from '../core/imported-resource';
import { IstioResource, IstioResourceProps } from '../core/istio-resource';
import { checkNamespacedHost, hostsIntersect, isDnsLabel, NamespacedHostContext } from '../core/names';
import {
  checkBind, checkDefaultEndpoint, checkPortName, checkPortNumber, defaultPortName, isTlsProtocol, Protocol, renderServerTls,
} from '../core/protocol';
import { gatewayReference, IGateway } from '../core/references';

/**
 * How a server (or Sidecar ingress listener) handles TLS.
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings-TLSmode
 */
export enum ServerTlsMode {
  /** Forward the connection untouched, routed by SNI (VirtualService `tls` routes). */
  PASSTHROUGH = 'PASSTHROUGH',
  /** Terminate TLS with a server certificate. */
  SIMPLE = 'SIMPLE',
  /** Terminate TLS and require a client certificate signed by the given CA. */
  MUTUAL = 'MUTUAL',
  /** Forward by SNI to the service the SNI names, without a VirtualService (east-west gateways). */
  AUTO_PASSTHROUGH = 'AUTO_PASSTHROUGH',
  /** Terminate the mesh's own mutual TLS (e.g. sidecar to egress gateway). */
  ISTIO_MUTUAL = 'ISTIO_MUTUAL',
  /** Like MUTUAL, but a client certificate is optional. */
  OPTIONAL_MUTUAL = 'OPTIONAL_MUTUAL',
}

/**
 * A TLS protocol version.
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings-TLSProtocol
 */
export enum TlsProtocolVersion {
  /** Envoy's default. */
  TLS_AUTO = 'TLS_AUTO',
  /** TLS 1.0 (needs cipherSuites that support it). */
  TLSV1_0 = 'TLSV1_0',
  /** TLS 1.1 (needs cipherSuites that support it). */
  TLSV1_1 = 'TLSV1_1',
  /** TLS 1.2. */
  TLSV1_2 = 'TLSV1_2',
  /** TLS 1.3. */
  TLSV1_3 = 'TLSV1_3',
}

/** One server certificate from files mounted in the proxy (`tlsCertificates`). */
export interface ServerTlsCertificate {
  /** Path of the PEM server certificate. */
  readonly serverCertificate: string;
  /** Path of the PEM private key. */
  readonly privateKey: string;
  /**
   * Path of the CA bundle for this certificate.
   * @default - none
   */
  readonly caCertificates?: string;
}

/**
 * Server-side TLS of a Gateway server or a Sidecar ingress listener (Istio's
 * ServerTLSSettings).
 *
 * Give ONE certificate source: `credentialName` (a Kubernetes Secret in the gateway's
 * namespace, reloaded without restart — the usual choice), `credentialNames`,
 * `serverCertificate` + `privateKey` files, or `tlsCertificates`.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings
 */
export interface ServerTlsSettings {
  /**
   * The TLS mode. Needs protocol HTTPS or TLS on the port.
   *
   * @default - SIMPLE when a certificate is given; otherwise required
   *   (PASSTHROUGH, AUTO_PASSTHROUGH and ISTIO_MUTUAL take no certificate)
   */
  readonly mode?: ServerTlsMode;

  /**
   * Send a 301 redirect to HTTPS for every request. Only on a plain HTTP server, and
   * then as the only TLS setting: `tls: { httpsRedirect: true }`.
   *
   * @default false
   */
  readonly httpsRedirect?: boolean;

  /**
   * Name of the Secret (in the gateway's namespace) with the certificate and key
   * (`tls.crt`/`tls.key`), and for MUTUAL the CA (`ca.crt`).
   *
   * @default - no credential
   */
  readonly credentialName?: string;

  /**
   * One or two Secrets (e.g. an RSA and an ECDSA certificate).
   *
   * @default - no credentials
   */
  readonly credentialNames?: string[];

  /**
   * For MUTUAL with a credential: the Secret or ConfigMap that holds the client CA,
   * when it is not in the credential's Secret.
   *
   * @default - the CA of the credential
   */
  readonly caCertCredentialName?: string;

  /**
   * Path of the PEM server certificate (with `privateKey`).
   *
   * @default - no certificate file
   */
  readonly serverCertificate?: string;

  /**
   * Path of the PEM private key (with `serverCertificate`).
   *
   * @default - no key file
   */
  readonly privateKey?: string;

  /**
   * Path of the CA bundle that verifies client certificates (MUTUAL without a credential).
   *
   * @default - none
   */
  readonly caCertificates?: string;

  /**
   * Path of a certificate revocation list for client certificates (MUTUAL with files).
   *
   * @default - none
   */
  readonly caCrl?: string;

  /**
   * One or two certificates from files.
   *
   * @default - none
   */
  readonly tlsCertificates?: ServerTlsCertificate[];

  /**
   * Minimum TLS version.
   *
   * @default - TLS 1.2 (Istio's default)
   */
  readonly minProtocolVersion?: TlsProtocolVersion;

  /**
   * Maximum TLS version.
   *
   * @default - TLS 1.3 (Istio's default)
   */
  readonly maxProtocolVersion?: TlsProtocolVersion;

  /**
   * Cipher suites to allow (OpenSSL names, e.g. `ECDHE-RSA-AES256-GCM-SHA384`).
   *
   * @default - Envoy's defaults
   */
  readonly cipherSuites?: string[];

  /**
   * Subject alternative names accepted in client certificates.
   *
   * @default - any
   */
  readonly subjectAltNames?: string[];

  /**
   * Base64 SHA-256 hashes of the SPKI of authorized client certificates.
   *
   * @default - any
   */
  readonly verifyCertificateSpki?: string[];

  /**
   * Hex SHA-256 hashes of authorized client certificates.
   *
   * @default - any
   */
  readonly verifyCertificateHash?: string[];
}

/** The port a Gateway server listens on. */
export interface GatewayPort {
  /**
   * The port number (1-65535; 0 when `bind` is a unix socket).
   */
  readonly number: number;

  /**
   * The protocol. HTTPS and TLS servers need `tls`.
   */
  readonly protocol: Protocol;

  /**
   * The port name, `<protocol>[-<suffix>]` (Istio reads the protocol from it).
   * Unique across the gateway's servers.
   *
   * @default - `<protocol-lower>-<number>` (e.g. `https-443`), with `-2`, `-3`...
   *   appended when another server already uses it
   */
  readonly name?: string;
}

/**
 * A server of a Gateway: a port, the hosts it exposes and its TLS.
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/#Server
 */
export interface GatewayServer {
  /** The port to listen on. */
  readonly port: GatewayPort;

  /**
   * The hosts exposed: `host`, `*.domain`, `*`, or `<namespace>/<host>` to let only
   * VirtualServices of that namespace (`.` this one, `*` any) bind to it.
   */
  readonly hosts: string[];

  /**
   * TLS of the server. Required for HTTPS and TLS ports; on a plain HTTP port only
   * `{ httpsRedirect: true }`.
   *
   * @default - no TLS (plain HTTP, TCP...)
   */
  readonly tls?: ServerTlsSettings;

  /**
   * The IP or unix socket (`unix:///path`, `unix://@name`) to listen on.
   *
   * @default - all addresses of the gateway's pod
   */
  readonly bind?: string;

  /**
   * The loopback endpoint or unix socket to forward traffic to by default
   * (`127.0.0.1:PORT`, `unix:///path`).
   *
   * @default - forward as routed by VirtualServices
   */
  readonly defaultEndpoint?: string;

  /**
   * A name of the server, unique across the gateway (used as a stats prefix).
   *
   * @default - no name
   */
  readonly name?: string;
}

/** Props of a Gateway. */
export interface GatewayProps extends IstioResourceProps {
  /**
   * Labels of the gateway pods (Envoy deployments) this configuration applies to.
   *
   * @default { istio: 'ingressgateway' } (Istio's default ingress gateway)
   */
  readonly selector?: { [key: string]: string };

  /**
   * The servers. More can be added with `addServer()`; at least one is required.
   *
   * @default - none yet
   */
  readonly servers?: GatewayServer[];
}

/** Options of `Gateway.fromGatewayName`. */
export interface GatewayImportOptions {
  /**
   * The gateway's namespace (or give `namespace/name` as the name).
   *
   * @default - no namespace: VirtualServices refer to it by name, in their own namespace
   */
  readonly namespace?: string;
}

interface RenderedServer {
  readonly json: l1.GatewaySpecServers;
  readonly protocol: Protocol;
  /** Served by the gateway itself (redirect) or by SNI (AUTO_PASSTHROUGH): no VirtualService needed. */
  readonly needsRoutes: boolean;
}

/**
 * An Istio Gateway (networking.istio.io/v1, not the Kubernetes Gateway API one):
 * the ports, hosts and TLS of an ingress or egress gateway's Envoy.
 *
 * Checks at once: port names (`<protocol>[-<suffix>]`, unique), port ranges, host
 * syntax, one certificate source, a CA for MUTUAL, TLS only on HTTPS/TLS ports (plus
 * `httpsRedirect` on HTTP), no two protocols on one port number. At synth: at least
 * one server, and every server host is served by a VirtualService.
 *
 * The host check is lenient with objects outside the app: it runs only when a
 * VirtualService of the app (L2 or raw L1) binds this gateway (`spec.gateways` has
 * `<namespace>/<name>`, or `<name>` from the same namespace). A gateway that no
 * VirtualService of the app binds is assumed to be routed from elsewhere (another
 * chart or repository) and is not flagged. HTTPS-redirect-only and AUTO_PASSTHROUGH
 * servers need no VirtualService and are skipped.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/
 */
export class Gateway extends IstioResource implements IGateway {
  /**
   * Refers to a Gateway made elsewhere, by `namespace/name` (e.g.
   * `istio-system/public`) or by name with the `namespace` option.
   */
  public static fromGatewayName(scope: Construct, id: string, name: string, options: GatewayImportOptions = {}): IGateway {
    return new ImportedGateway(scope, id, name, options.namespace);
  }

  /** The L1 object. */
  public readonly apiObject: l1.Gateway;
  /** The labels of the gateway pods this applies to. */
  public readonly selector: { [key: string]: string };

  private readonly servers: RenderedServer[] = [];

  public constructor(scope: Construct, id: string, props: GatewayProps = {}) {
    super(scope, id, props);
    if (!isDnsLabel(this.name)) {
      throwPropError(this, 'metadata.name', this.name, 'a Gateway name must be a DNS label (no dots): VirtualServices refer to it as <namespace>/<name>');
    }
    this.selector = { ...(props.selector ?? { istio: 'ingressgateway' }) };
    if (Object.keys(this.selector).length === 0) {
      throwPropError(this, 'selector', this.selector, 'an empty selector applies the gateway to every gateway pod: give labels, e.g. { istio: "ingressgateway" }');
    }
    for (const [k, v] of Object.entries(this.selector)) {
      if (k.length === 0 || k.includes('*') || v.includes('*')) {
        throwPropError(this, `selector["${k}"]`, v, 'selector labels take no wildcards and no empty keys');
      }
    }
    (props.servers ?? []).forEach(s => this.addServer(s));

    this.apiObject = new l1.Gateway(this, 'Resource', {
      metadata: this.resourceMetadata(props),
      spec: Lazy.any({ produce: () => this.renderSpec() }),
    });

    addSynthValidation(this, () => this.servers.length === 0
      ? [constructMessage(this, 'a Gateway needs at least one server: call addServer() or pass servers')]
      : []);
    addCrossCheck(this, index => this.checkHostsServed(index));
  }

  /**
   * Adds a server: a port, its hosts and its TLS.
   *
   * @example
   * gateway.addServer({
   *   port: { number: 443, protocol: Protocol.HTTPS },
   *   hosts: ['bookinfo.example.com'],
   *   tls: { credentialName: 'bookinfo-cert' }, // mode SIMPLE
   * });
   */
  public addServer(server: GatewayServer): void {
    const prop = `servers[${this.servers.length}]`;
    const protocol = server.port.protocol;
    const unix = server.bind?.startsWith('unix://') ?? false;

    if (server.bind !== undefined) checkBind(this, `${prop}.bind`, server.bind, true);
    if (unix) {
      if (server.port.number !== 0) {
        throwPropError(this, `${prop}.port.number`, server.port.number, 'a server bound to a unix socket takes port number 0');
      }
    } else {
      checkPortNumber(this, `${prop}.port.number`, server.port.number);
    }

    const name = server.port.name ?? this.freePortName(defaultPortName(protocol, server.port.number));
    checkPortName(this, `${prop}.port.name`, name, protocol);
    const sameName = this.servers.findIndex(s => s.json.port.name === name);
    if (sameName >= 0) {
      throwPropError(this, `${prop}.port.name`, name, `port names must be unique across servers; servers[${sameName}] already uses it`);
    }
    if (!unix) {
      const other = this.servers.findIndex(s => s.json.port.number === server.port.number && !compatibleProtocols(s.protocol, protocol));
      if (other >= 0) {
        throwPropError(this, `${prop}.port.protocol`, protocol,
          `servers[${other}] serves port ${server.port.number} as ${this.servers[other].protocol}: servers sharing a port need the same protocol (HTTPS and TLS may share)`);
      }
    }

    if (server.hosts.length === 0) {
      throwPropError(this, `${prop}.hosts`, server.hosts, 'a server needs at least one host ("*" for any)');
    }
    server.hosts.forEach((h, i) => checkNamespacedHost(this, `${prop}.hosts[${i}]`, h, NamespacedHostContext.GATEWAY));
    const seen = new Set<string>();
    const dup = server.hosts.find(h => seen.size === seen.add(h).size);
    if (dup !== undefined) throwPropError(this, `${prop}.hosts`, dup, 'hosts must be unique');

    if (server.name !== undefined && this.servers.some(s => s.json.name === server.name)) {
      throwPropError(this, `${prop}.name`, server.name, 'server names must be unique across the gateway');
    }
    if (server.defaultEndpoint !== undefined) checkDefaultEndpoint(this, `${prop}.defaultEndpoint`, server.defaultEndpoint);

    let tls: { [key: string]: any } | undefined;
    if (server.tls !== undefined) {
      tls = renderServerTls(this, `${prop}.tls`, server.tls, protocol);
    } else if (isTlsProtocol(protocol)) {
      throwPropError(this, `${prop}.tls`, undefined,
        `${protocol} servers need tls: e.g. { credentialName: "<secret>" } to terminate, or { mode: ServerTlsMode.PASSTHROUGH }`);
    }

    this.servers.push({
      protocol,
      needsRoutes: !(tls?.httpsRedirect === true || tls?.mode === ServerTlsMode.AUTO_PASSTHROUGH),
      json: {
        name: server.name,
        port: { number: server.port.number, protocol, name },
        hosts: [...server.hosts],
        bind: server.bind,
        defaultEndpoint: server.defaultEndpoint,
        tls: tls as l1.GatewaySpecServersTls | undefined,
      },
    });
  }

  private freePortName(base: string): string {
    const used = new Set(this.servers.map(s => s.json.port.name));
    if (!used.has(base)) return base;
    let k = 2;
    while (used.has(`${base}-${k}`)) k++;
    return `${base}-${k}`;
  }

  private renderSpec(): l1.GatewaySpec {
    return {
      selector: { ...this.selector },
      servers: this.servers.map(s => s.json),
    };
  }

  /** Every server host must be served by a VirtualService bound to this gateway (see the class doc). */
  private checkHostsServed(index: IndexQueries): string[] {
    const bound = index.boundTo(this.name, this.namespace);
    if (bound.length === 0) return [];
    const boundNames = bound.map(vs => `'${vs.apiObject.node.path}'`).join(', ');
    const served = servedHosts(bound);
    const errors: string[] = [];
    this.servers.forEach((server, i) => {
      if (!server.needsRoutes) return;
      server.json.hosts.forEach(entry => {
        const slash = entry.indexOf('/');
        const ns = slash < 0 ? '*' : entry.slice(0, slash);
        const host = slash < 0 ? entry : entry.slice(slash + 1);
        if (!served(host, vs => this.namespaceAdmits(ns, vs))) {
          errors.push(constructMessage(this,
            `servers[${i}].hosts "${entry}" is served by no VirtualService bound to gateway "${gatewayReference(this)}" `
            + `(bound: ${boundNames}); add the host to one of them, or remove it from the server`));
        }
      });
    });
    return errors;
  }

  /** Whether a server host's namespace part (`*`, `.`, or a name) lets this VirtualService bind. */
  private namespaceAdmits(ns: string, vs: IndexedObject): boolean {
    if (ns === '*') return true;
    const vsNamespace: string | undefined = vs.json?.metadata?.namespace;
    return sameNamespace(vsNamespace, ns === '.' ? this.namespace : ns);
  }
}

/** Two namespaces are the same, or one is unknown (not set on the object or its chart). */
function sameNamespace(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a === b;
}

function hostsOf(vs: IndexedObject): string[] {
  const hosts = vs.json?.spec?.hosts;
  return Array.isArray(hosts) ? hosts.filter((h: unknown): h is string => typeof h === 'string') : [];
}

/**
 * Whether some bound VirtualService (that `admits`) has a host intersecting a server host:
 * `hostsIntersect` over every pair, with the bound VirtualServices' concrete hosts in a
 * map, so that a gateway with many hosts and many bound VirtualServices stays linear.
 */
function servedHosts(bound: IndexedObject[]): (host: string, admits: (vs: IndexedObject) => boolean) => boolean {
  const exact = new Map<string, IndexedObject[]>();
  const wildcards: { host: string; vs: IndexedObject }[] = [];
  for (const vs of bound) {
    for (const h of hostsOf(vs)) {
      const n = normalHost(h);
      if (n === '*' || n.startsWith('*.')) wildcards.push({ host: h, vs });
      else if (!exact.get(n)?.includes(vs)) push(exact, n, vs);
    }
  }
  return (host, admits) => {
    const n = normalHost(host);
    if (n === '*' || n.startsWith('*.')) {
      return bound.some(vs => admits(vs) && hostsOf(vs).some(h => hostsIntersect(host, h)));
    }
    return (exact.get(n) ?? []).some(admits) || wildcards.some(w => admits(w.vs) && hostsIntersect(host, w.host));
  };
}

/** A host as `hostsIntersect` compares it. */
function normalHost(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

function push<K, V>(map: Map<K, V[]>, k: K, v: V): void {
  const l = map.get(k);
  if (l) l.push(v);
  else map.set(k, [v]);
}

/** HTTPS and TLS servers can share a port (filter chains by SNI); other protocols cannot mix. */
function compatibleProtocols(a: Protocol, b: Protocol): boolean {
  return a === b || (isTlsProtocol(a) && isTlsProtocol(b));
}

/** A Gateway made elsewhere (`Gateway.fromGatewayName`). */
class ImportedGateway extends ImportedResource implements IGateway {
  constructor(scope: Construct, id: string, name: string, namespace?: string) {
    super(scope, id, name, namespace, DNS_LABEL_REFERENCE);
  }
}
