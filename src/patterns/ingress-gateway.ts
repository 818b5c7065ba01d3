import { ApiObject, Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { addCrossCheck, addSynthValidation, IndexedObject, IndexQueries, ManifestIndex } from '../core/cross-check';
import { constructMessage, throwPropError } from '../core/errors';
import { hostsIntersect, isDnsLabel, isDnsSubdomain, isFqdn, isWildcardHost } from '../core/names';
import { ApiMode, OutputMode } from '../core/output-mode';
import { checkPortNumber, Protocol } from '../core/protocol';
import { gatewayReference } from '../core/references';
import { StringMatch } from '../core/string-match';
import { Gateway, GatewayServer, ServerTlsMode, TlsProtocolVersion } from '../networking/gateway';
import { CorsPolicy, HeaderManipulation, HttpRewrite } from '../networking/http-policies';
import { HttpRouteRule } from '../networking/http-route';
import { VirtualService } from '../networking/virtual-service';
import { RouteDestination } from '../networking/vs-destination';
import { IngressGatewayApi } from './gateway-api/ingress';

/** Options of `IngressTls.mutual()`. */
export interface IngressMutualTlsOptions {
  /**
   * The Secret (or ConfigMap) with the CA that verifies client certificates, when it is
   * not the `ca.crt` key of the credential's Secret.
   *
   * @default - the credential's `ca.crt`
   */
  readonly caCertCredentialName?: string;
}

/**
 * How the gateway handles TLS for a host: it terminates it with a certificate
 * (SIMPLE, or MUTUAL to require client certificates), or passes it through to the
 * backend, routed by SNI.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings
 */
export class IngressTls {
  /**
   * Terminate TLS with the certificate of a Secret (`tls.crt`, `tls.key`) in the
   * namespace of the gateway pods.
   */
  public static simple(credentialName: string): IngressTls {
    return new IngressTls(ServerTlsMode.SIMPLE, credentialName, undefined);
  }

  /**
   * Terminate TLS and require a client certificate signed by the CA of the Secret
   * (`ca.crt`, beside `tls.crt` and `tls.key`), or of `caCertCredentialName`.
   */
  public static mutual(credentialName: string, options: IngressMutualTlsOptions = {}): IngressTls {
    return new IngressTls(ServerTlsMode.MUTUAL, credentialName, options.caCertCredentialName);
  }

  /**
   * Pass the TLS connection through to the backend untouched, routed by SNI (the
   * backend holds the certificate). Its route takes a destination only: the gateway
   * sees no HTTP.
   */
  public static passthrough(): IngressTls {
    return new IngressTls(ServerTlsMode.PASSTHROUGH, undefined, undefined);
  }

  /** The server TLS mode. */
  public readonly mode: ServerTlsMode;
  /** The Secret with the certificate, when the gateway terminates TLS. */
  public readonly credentialName?: string;
  /** The Secret with the client CA, if not the credential's. */
  public readonly caCertCredentialName?: string;

  private constructor(mode: ServerTlsMode, credentialName: string | undefined, caCertCredentialName: string | undefined) {
    this.mode = mode;
    this.credentialName = credentialName;
    this.caCertCredentialName = caCertCredentialName;
  }
}

/**
 * A host of an IngressGateway and its TLS.
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/#Server
 */
export interface IngressHost {
  /** The public host, fully qualified (`httpbin.example.com`) or a wildcard (`*.example.com`). */
  readonly host: string;
  /** How the gateway handles TLS for it, e.g. `IngressTls.simple('httpbin-credential')`. */
  readonly tls: IngressTls;
}

/**
 * A route of an IngressGateway: requests to one of its hosts (whose path matches) go
 * to a backend. Routes of a host are tried in the order added.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRoute
 */
export interface IngressRoute {
  /** The host (one of the IngressGateway's hosts). */
  readonly host: string;

  /**
   * The backend, e.g. `RouteDestination.to('httpbin', { port: 8000 })` (a short name
   * is read in the namespace of the IngressGateway). For a passthrough host, the port
   * that takes the TLS connection.
   */
  readonly destination: RouteDestination;

  /**
   * Requests whose path starts with this prefix, e.g. `/status`. Not with `path`;
   * not for passthrough hosts.
   *
   * @default - every path (unless `path` is given)
   */
  readonly pathPrefix?: string;

  /**
   * Requests whose path matches, e.g. `StringMatch.exact('/login')`. Not with
   * `pathPrefix`; not for passthrough hosts.
   *
   * @default - every path (unless `pathPrefix` is given)
   */
  readonly path?: StringMatch;

  /**
   * The timeout of a request (at least 1ms). Not for passthrough hosts.
   *
   * @default - no timeout
   */
  readonly timeout?: Duration;

  /**
   * The CORS policy of the route. Not for passthrough hosts.
   *
   * @default - no CORS policy: browsers refuse cross-origin calls
   */
  readonly corsPolicy?: CorsPolicy;

  /**
   * Headers to set, add or remove on requests and responses. Not for passthrough hosts.
   *
   * @default - none
   */
  readonly headers?: HeaderManipulation;

  /**
   * Rewrite the path or authority before forwarding (e.g. strip a prefix). Not for
   * passthrough hosts.
   *
   * @default - no rewrite
   */
  readonly rewrite?: HttpRewrite;
}

/**
 * Props of an IngressGateway.
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/
 */
export interface IngressGatewayProps {
  /**
   * The hosts and their TLS. Fixed at construction (they make the Gateway's servers);
   * at least one.
   */
  readonly hosts: IngressHost[];

  /**
   * The routes. More with `addRoute()`; every host needs at least one.
   *
   * @default - none yet
   */
  readonly routes?: IngressRoute[];

  /**
   * The labels of the gateway pods (Envoy deployments) to configure.
   *
   * @default { istio: 'ingressgateway' }
   */
  readonly selector?: { [key: string]: string };

  /**
   * The namespace of the Gateway and the VirtualServices. The certificates' Secrets live
   * in the namespace of the gateway pods, which may differ.
   *
   * @default - the chart's namespace
   */
  readonly namespace?: string;

  /**
   * Add a plain HTTP server that answers every request to the hosts with a 301 redirect
   * to HTTPS.
   *
   * @default true
   */
  readonly httpsRedirect?: boolean;

  /**
   * The HTTPS port of the servers.
   *
   * @default 443
   */
  readonly httpsPort?: number;

  /**
   * The plain HTTP port of the redirect server.
   *
   * @default 80
   */
  readonly httpPort?: number;

  /**
   * The lowest TLS version the gateway accepts on the hosts it terminates.
   *
   * @default - Istio's default for gateways, TLS 1.2 (not written)
   */
  readonly minProtocolVersion?: TlsProtocolVersion;
}

interface HostEntry {
  readonly host: string;
  readonly tls: IngressTls;
  /** `ApiMode.ISTIO` only. */
  readonly virtualService?: VirtualService;
  routes: number;
}

const GATEWAY_PORTS = Symbol('cdk8s-istio.IngressGateway.ports');
const GATEWAY_CERTS = Symbol('cdk8s-istio.IngressGateway.certificates');

/**
 * Exposes services through an ingress gateway: one Gateway with HTTPS servers (TLS
 * terminated, SIMPLE or MUTUAL, or passed through by SNI) and an HTTP-to-HTTPS
 * redirect, and one VirtualService per host with its routes (paths, CORS, header
 * manipulation, rewrites; TLS routes for passthrough hosts).
 *
 * Secure defaults:
 * - HTTPS only: every host is TLS; plain HTTP gets a 301 to HTTPS (`httpsRedirect`).
 *   There is no plaintext host (use the Gateway and VirtualService L2s for that).
 * - TLS 1.2 at least (Istio's gateway default; `minProtocolVersion` raises it).
 * - Certificates come from Secrets (`credentialName`), reloaded without restart; hosts
 *   sharing a certificate share one server, so clients that reuse an HTTP/2
 *   connection for several hosts of one certificate get no 404 (IST0138).
 * - No `*` host: every host is listed, and each needs a route.
 *
 * Checks at once: host syntax and duplicates, Secret names, one certificate used with
 * two TLS settings (two servers with one certificate, IST0138), ports, a route to a host
 * not listed, path options, HTTP options on a passthrough route, a second route for a
 * passthrough host. At validation: a host without a route; and across the app (keyed
 * index queries), another Gateway on the same gateway pods that claims one of these
 * hosts on the same port (IST0145), or serves one of these certificates (IST0138), and
 * a VirtualService bound to this Gateway (and not to the mesh) with a host the Gateway
 * does not serve (IST0132).
 *
 * In `ApiMode.GATEWAY_API` (`OutputMode`) it writes a Gateway of class `istio`
 * (`gatewayApiGateway`: an HTTPS or TLS-passthrough listener per host, the HTTP
 * redirect) and per host an HTTPRoute or TLSRoute (`route(host)`), with ReferenceGrants
 * for backends in other namespaces; `addRoute()` then returns undefined, and
 * `selector`, `minProtocolVersion`, mutual TLS, CORS and subsets throw.
 *
 * @example
 * const ingress = new IngressGateway(chart, 'ingress', {
 *   hosts: [{ host: 'httpbin.example.com', tls: IngressTls.simple('httpbin-credential') }],
 * });
 * ingress.addRoute({ host: 'httpbin.example.com', pathPrefix: '/status', destination: RouteDestination.to('httpbin', { port: 8000 }) });
 *
 * @see https://istio.io/latest/docs/tasks/traffic-management/ingress/secure-ingress/
 */
export class IngressGateway extends Construct {
  /** The Gateway (`ApiMode.ISTIO`; undefined in `ApiMode.GATEWAY_API`, see `gatewayApiGateway`). */
  public readonly gateway?: Gateway;
  /**
   * `ApiMode.GATEWAY_API` only: the Gateway (gateway.networking.k8s.io, class `istio`,
   * id `GatewayApi`) with an HTTPS (or TLS passthrough) listener per host and the HTTP
   * redirect listener; each host's HTTPRoute (TLSRoute) is `route(host)`.
   */
  public readonly gatewayApiGateway?: ApiObject;
  /** The API the objects are written in (from `OutputMode.of(this)`). */
  public readonly apiMode: ApiMode;
  /** The labels of the gateway pods. */
  public readonly selector: { [key: string]: string };
  /** The namespace of the objects, where set on the props or the chart. */
  public readonly namespace?: string;
  /** The HTTPS port. */
  public readonly httpsPort: number;

  private readonly entries: HostEntry[] = [];
  private readonly gatewayApi?: IngressGatewayApi;

  public constructor(scope: Construct, id: string, props: IngressGatewayProps) {
    super(scope, id);
    this.apiMode = OutputMode.of(this);
    if (props.namespace !== undefined && !isDnsLabel(props.namespace)) {
      throwPropError(this, 'namespace', props.namespace, 'a namespace name (a DNS-1123 label)');
    }
    this.namespace = props.namespace ?? Chart.of(this).namespace;
    this.selector = { ...(props.selector ?? { istio: 'ingressgateway' }) };
    this.httpsPort = props.httpsPort ?? 443;
    checkPortNumber(this, 'httpsPort', this.httpsPort);
    const httpPort = props.httpPort ?? 80;
    checkPortNumber(this, 'httpPort', httpPort);
    const redirect = props.httpsRedirect ?? true;
    if (redirect && httpPort === this.httpsPort) {
      throwPropError(this, 'httpPort', httpPort, `the redirect server needs a port of its own: httpsPort is ${this.httpsPort} too`);
    }

    const hosts = this.checkHosts(props.hosts);
    if (this.apiMode === ApiMode.GATEWAY_API) {
      IngressGatewayApi.refuse(this, props, hosts.map(h => ({ mode: h.tls.mode })));
      this.gatewayApi = new IngressGatewayApi(this, {
        namespace: this.namespace,
        hosts: hosts.map(h => ({ host: h.host, id: hostId(h.host), mode: h.tls.mode, credentialName: h.tls.credentialName })),
        httpsPort: this.httpsPort,
        httpPort,
        redirect,
      });
      this.gatewayApiGateway = this.gatewayApi.gateway;
      for (const h of hosts) this.entries.push({ ...h, routes: 0 });
      (props.routes ?? []).forEach(r => this.addRoute(r));
      const api = this.gatewayApi;
      addSynthValidation(this, () => api.problems());
      return;
    }
    const metadata = this.namespace !== undefined ? { namespace: this.namespace } : undefined;
    this.gateway = new Gateway(this, 'Gateway', { metadata, selector: this.selector, servers: this.servers(hosts, redirect, httpPort, props.minProtocolVersion) });
    for (const h of hosts) {
      this.entries.push({
        ...h,
        virtualService: new VirtualService(this, this.freeId(hostId(h.host)), { metadata, hosts: [h.host], gateways: [this.gateway] }),
        routes: 0,
      });
    }

    (props.routes ?? []).forEach(r => this.addRoute(r));
    addSynthValidation(this, () => this.entries.filter(e => e.routes === 0).map(e => constructMessage(this,
      `host "${e.host}" has no route: the gateway would answer 404 (or, passed through, reset the connection); `
      + `add one with addRoute({ host: "${e.host}", destination: RouteDestination.to(...) }), or remove the host`)));
    addCrossCheck(this, index => this.checkAcrossApp(index));
  }

  /** The hosts, in order. */
  public get hosts(): string[] {
    return this.entries.map(e => e.host);
  }

  /**
   * The VirtualService of a host. Throws for a host not listed, and in
   * `ApiMode.GATEWAY_API` (use `route(host)`).
   */
  public virtualService(host: string): VirtualService {
    const vs = this.entry('host', host).virtualService;
    if (vs === undefined) throwPropError(this, 'host', host, 'in ApiMode.GATEWAY_API the host has an HTTPRoute (or TLSRoute), not a VirtualService: use route(host)');
    return vs;
  }

  /**
   * `ApiMode.GATEWAY_API`: the HTTPRoute (TLSRoute when passed through) of a host.
   * Throws for a host not listed, and in `ApiMode.ISTIO` (use `virtualService(host)`).
   */
  public route(host: string): ApiObject {
    this.entry('host', host);
    const route = this.gatewayApi?.routeOf(host);
    if (route === undefined) throwPropError(this, 'host', host, 'in ApiMode.ISTIO the host has a VirtualService: use virtualService(host)');
    return route;
  }

  /**
   * Adds a route to a host (after its existing routes). Returns the HTTP rule, or
   * undefined for a passthrough host (a TLS route).
   *
   * @example
   * ingress.addRoute({
   *   host: 'httpbin.example.com',
   *   pathPrefix: '/headers',
   *   destination: RouteDestination.to('httpbin', { port: 8000 }),
   *   headers: { response: { remove: ['server'] } },
   * });
   */
  public addRoute(route: IngressRoute): HttpRouteRule | undefined {
    const entry = this.entry('route.host', route.host);
    const prop = `routes["${entry.host}"][${entry.routes}]`;
    const vs = entry.virtualService!;
    if (entry.tls.mode === ServerTlsMode.PASSTHROUGH) {
      const http = (['pathPrefix', 'path', 'timeout', 'corsPolicy', 'headers', 'rewrite'] as const).find(k => route[k] !== undefined);
      if (http !== undefined) {
        throwPropError(this, `${prop}.${http}`, String(route[http]),
          'the host is passed through (IngressTls.passthrough()): the gateway sees TLS, not HTTP, so a route takes a destination only; terminate TLS (IngressTls.simple) to route HTTP');
      }
      if (entry.routes > 0) {
        throwPropError(this, prop, route.destination.toString(), 'a passthrough host has one route (its SNI names one backend): give it one destination');
      }
      if (this.gatewayApi) {
        this.gatewayApi.addRoute(prop, route);
      } else {
        vs.addTlsRoute({ match: [{ port: this.httpsPort, sniHosts: [entry.host] }], destinations: [route.destination] });
      }
      entry.routes++;
      return undefined;
    }
    if (route.pathPrefix !== undefined && route.path !== undefined) {
      throwPropError(this, `${prop}.pathPrefix`, route.pathPrefix, `give pathPrefix or path, not both (path is ${route.path})`);
    }
    if (route.pathPrefix !== undefined && (typeof route.pathPrefix !== 'string' || !route.pathPrefix.startsWith('/'))) {
      throwPropError(this, `${prop}.pathPrefix`, route.pathPrefix, 'a path prefix starts with "/", e.g. "/api/"');
    }
    if (this.gatewayApi) {
      this.gatewayApi.addRoute(prop, route);
      entry.routes++;
      return undefined;
    }
    const uri = route.pathPrefix !== undefined ? StringMatch.prefix(route.pathPrefix) : route.path;
    const rule = vs.addHttpRoute({
      match: uri ? [{ uri }] : undefined,
      destinations: [route.destination],
      timeout: route.timeout,
      corsPolicy: route.corsPolicy,
      headers: route.headers,
      rewrite: route.rewrite,
    });
    entry.routes++;
    return rule;
  }

  /** `base`, or `base-2`, `base-3`... when a child has it (`a-b.example.com` and `a.b-example.com`). */
  private freeId(base: string): string {
    let id = base;
    for (let k = 2; this.node.tryFindChild(id); k++) id = `${base}-${k}`;
    return id;
  }

  private entry(prop: string, host: string): HostEntry {
    const found = this.entries.find(e => e.host === host);
    if (!found) throwPropError(this, prop, host, `not a host of this IngressGateway (hosts: ${this.entries.map(e => e.host).join(', ')}): list it in hosts`);
    return found;
  }

  private checkHosts(hosts: IngressHost[]): IngressHost[] {
    if (!Array.isArray(hosts) || hosts.length === 0) {
      throwPropError(this, 'hosts', hosts, 'at least one host, e.g. [{ host: "httpbin.example.com", tls: IngressTls.simple("httpbin-credential") }]');
    }
    const seen = new Map<string, number>();
    hosts.forEach((h, i) => {
      const prop = `hosts[${i}]`;
      const host = h?.host;
      if (typeof host !== 'string' || host === '*' || !isWildcardHost(host) || !isFqdn(host.replace(/^\*\./, '')) || host !== host.toLowerCase()) {
        throwPropError(this, `${prop}.host`, host, 'a fully qualified lower-case host such as "httpbin.example.com", or "*.example.com" (not "*": list the hosts)');
      }
      const overlapping = [...seen.entries()].find(([other]) => hostsIntersect(other, host));
      if (overlapping) throwPropError(this, `${prop}.host`, host, `hosts[${overlapping[1]}] "${overlapping[0]}" overlaps it: list each host once`);
      seen.set(host, i);
      if (!(h.tls instanceof IngressTls)) throwPropError(this, `${prop}.tls`, h.tls, 'an IngressTls, e.g. IngressTls.simple("<secret>") or IngressTls.passthrough()');
      for (const [field, secret] of [['credentialName', h.tls.credentialName], ['caCertCredentialName', h.tls.caCertCredentialName]] as const) {
        if (secret !== undefined && (typeof secret !== 'string' || !isDnsSubdomain(secret))) {
          throwPropError(this, `${prop}.tls.${field}`, secret, 'a Secret name (lower-case letters, digits, "-" and ".") in the namespace of the gateway pods');
        }
      }
    });
    return [...hosts];
  }

  /** One HTTPS server per certificate (and TLS settings), one for the passthrough hosts, and the redirect. */
  private servers(hosts: IngressHost[], redirect: boolean, httpPort: number, minProtocolVersion: TlsProtocolVersion | undefined): GatewayServer[] {
    const groups: { tls: IngressTls; hosts: string[]; first: number }[] = [];
    hosts.forEach((h, i) => {
      const same = groups.find(g => g.tls.mode === h.tls.mode && g.tls.credentialName === h.tls.credentialName
        && g.tls.caCertCredentialName === h.tls.caCertCredentialName);
      if (same) {
        same.hosts.push(h.host);
        return;
      }
      const other = groups.find(g => g.tls.credentialName !== undefined && g.tls.credentialName === h.tls.credentialName);
      if (other) {
        throwPropError(this, `hosts[${i}].tls`, `${h.tls.mode} ${h.tls.credentialName}`,
          `hosts[${other.first}] "${other.hosts[0]}" uses certificate "${other.tls.credentialName}" with ${other.tls.mode}`
          + `${other.tls.caCertCredentialName ? ` (client CA ${other.tls.caCertCredentialName})` : ''}: one certificate in two servers makes clients that reuse `
          + 'an HTTP/2 connection get 404s (IST0138); give both hosts the same TLS settings, or each its own certificate');
      }
      groups.push({ tls: h.tls, hosts: [h.host], first: i });
    });
    const servers: GatewayServer[] = groups.map(g => ({
      port: { number: this.httpsPort, protocol: Protocol.HTTPS },
      hosts: [...g.hosts],
      tls: g.tls.mode === ServerTlsMode.PASSTHROUGH
        ? { mode: ServerTlsMode.PASSTHROUGH }
        : { mode: g.tls.mode, credentialName: g.tls.credentialName, caCertCredentialName: g.tls.caCertCredentialName, minProtocolVersion },
    }));
    if (redirect) {
      servers.push({ port: { number: httpPort, protocol: Protocol.HTTP }, hosts: hosts.map(h => h.host), tls: { httpsRedirect: true } });
    }
    return servers;
  }

  private checkAcrossApp(index: IndexQueries): string[] {
    const gateway = this.gateway!;
    const own = gateway.apiObject;
    const json = index.find('Gateway', gateway.namespace, gateway.name).find(e => e.apiObject === own)?.json;
    if (!json) return [];
    const selector = selectorKey(json.spec?.selector);
    const errors: string[] = [];
    const ports = index.memo(GATEWAY_PORTS, serversByPort);
    const certs = index.memo(GATEWAY_CERTS, serversByCertificate);
    const servers: any[] = Array.isArray(json.spec?.servers) ? json.spec.servers : [];
    const reported = new Set<string>();
    servers.forEach((server, i) => {
      const port = server?.port?.number;
      const hosts: string[] = (server?.hosts ?? []).map(stripNamespace);
      for (const other of ports.get(`${selector}|${port}`) ?? []) {
        if (other.gateway.apiObject === own) continue;
        const host = hosts.find(h => other.hosts.some(o => hostsIntersect(h, o)));
        const key = `145|${other.gateway.order}|${port}|${host}`;
        if (host === undefined || reported.has(key)) continue;
        reported.add(key);
        errors.push(constructMessage(this,
          `host "${host}" on port ${port} is also claimed by Gateway '${ownerPath(other.gateway)}' (servers[${other.server}], hosts ${JSON.stringify(other.hosts)}) `
          + `on the same gateway pods ${JSON.stringify(this.selector)}: Istio picks one of them (IST0145); serve the host from one Gateway only`));
      }
      const credential = server?.tls?.credentialName;
      if (typeof credential !== 'string') return;
      for (const other of certs.get(`${selector}|${credential}`) ?? []) {
        if (other.gateway.apiObject === own) continue;
        const key = `138|${other.gateway.order}|${credential}`;
        if (reported.has(key)) continue;
        reported.add(key);
        errors.push(constructMessage(this,
          `servers[${i}] uses certificate "${credential}", which Gateway '${ownerPath(other.gateway)}' (servers[${other.server}]) also serves on the same gateway pods: `
          + 'clients that reuse an HTTP/2 connection get 404s (IST0138); serve its hosts from this IngressGateway, or give each Gateway its own certificate'));
      }
    });

    const ownServices = new Set(this.entries.map(e => e.virtualService!.apiObject));
    const served: string[] = servers.flatMap(s => (s?.hosts ?? []).map(stripNamespace));
    for (const vs of index.boundTo(gateway.name, gateway.namespace)) {
      // bound to the mesh too, a host the gateway does not serve is the mesh's (the analyzer's IST0132 still tells)
      if (ownServices.has(vs.apiObject) || (vs.json?.spec?.gateways ?? []).includes(VirtualService.MESH)) continue;
      const vsHosts: string[] = Array.isArray(vs.json?.spec?.hosts) ? vs.json.spec.hosts : [];
      for (const host of vsHosts) {
        if (served.some(s => hostsIntersect(s, host))) continue;
        errors.push(constructMessage(this,
          `VirtualService '${ownerPath(vs)}' is bound to gateway "${gatewayReference(gateway)}" with host "${host}", which the gateway does not serve `
          + `(hosts: ${this.hosts.join(', ')}): its routes never apply (IST0132); add the host to this IngressGateway, or bind the VirtualService elsewhere`));
      }
    }
    return errors;
  }
}

interface ServerRef {
  readonly gateway: IndexedObject;
  readonly server: number;
  readonly hosts: string[];
}

/** The servers of every Gateway of the app by `selector|port`: built once per index. */
function serversByPort(index: ManifestIndex): Map<string, ServerRef[]> {
  const map = new Map<string, ServerRef[]>();
  eachServer(index, (gateway, server, i, selector) => {
    const port = server?.port?.number;
    if (typeof port !== 'number') return;
    push(map, `${selector}|${port}`, { gateway, server: i, hosts: (server?.hosts ?? []).filter((h: unknown) => typeof h === 'string').map(stripNamespace) });
  });
  return map;
}

/** The servers of every Gateway of the app by `selector|credentialName`: built once per index. */
function serversByCertificate(index: ManifestIndex): Map<string, ServerRef[]> {
  const map = new Map<string, ServerRef[]>();
  eachServer(index, (gateway, server, i, selector) => {
    const credential = server?.tls?.credentialName;
    if (typeof credential !== 'string') return;
    push(map, `${selector}|${credential}`, { gateway, server: i, hosts: [] });
  });
  return map;
}

function eachServer(index: ManifestIndex, visit: (gateway: IndexedObject, server: any, i: number, selector: string) => void): void {
  for (const gateway of index.ofKind('Gateway')) {
    if (!String(gateway.json?.apiVersion ?? '').startsWith('networking.istio.io/')) continue;
    const selector = selectorKey(gateway.json?.spec?.selector);
    const servers = gateway.json?.spec?.servers;
    if (Array.isArray(servers)) servers.forEach((s, i) => visit(gateway, s, i, selector));
  }
}

function selectorKey(selector: unknown): string {
  if (!selector || typeof selector !== 'object') return '';
  const labels = selector as { [key: string]: unknown };
  return Object.keys(labels).sort().map(k => `${k}=${String(labels[k])}`).join(',');
}

function stripNamespace(host: string): string {
  const slash = host.indexOf('/');
  return slash >= 0 ? host.slice(slash + 1) : host;
}

/** The construct id of a host's VirtualService: `httpbin-example-com`, `wildcard-example-com`. */
function hostId(host: string): string {
  return host.replace(/^\*\./, 'wildcard.').replace(/\./g, '-');
}

function ownerPath(entry: IndexedObject): string {
  const obj = entry.apiObject;
  return obj.node.id === 'Resource' && obj.node.scope ? obj.node.scope.node.path : obj.node.path;
}

function push<K, V>(map: Map<K, V[]>, k: K, v: V): void {
  const l = map.get(k);
  if (l) l.push(v);
  else map.set(k, [v]);
}
