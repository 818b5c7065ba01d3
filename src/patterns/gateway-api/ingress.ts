/**
 * The Gateway API rendering of an IngressGateway (`ApiMode.GATEWAY_API`), Istio's
 * "Secure Gateways" task, Gateway API tab: one Gateway of class `istio` (Istio deploys
 * it as `<name>-istio`) with an HTTPS listener per host (TLS terminated with
 * `certificateRefs` to the host's Secret) or a TLS listener (Passthrough), an HTTP
 * listener whose HTTPRoute redirects to HTTPS, and per host an HTTPRoute (a TLSRoute
 * when passed through) with the routes added. A backend in another namespace gets a
 * ReferenceGrant there.
 *
 * Internal module: not re-exported from the package root.
 */
import { ApiObject, Duration, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { deployedGatewayName, gatewayApiDuration, ServiceGrants, ServiceRef, serviceOfHost } from './service-ref';
import * as gw from '../../../imports/gateway.networking.k8s.io';
import { constructMessage } from '../../core/errors';
import { modeRefusal } from '../../core/output-mode';
import { StringMatch } from '../../core/string-match';
import { ServerTlsMode } from '../../networking/gateway';
import { HeaderManipulation, HeaderOperations } from '../../networking/http-policies';
import { RouteDestination } from '../../networking/vs-destination';

/** What the rendering needs of the IngressGateway, checked there. */
export interface IngressApiProps {
  readonly namespace?: string;
  readonly hosts: Array<{ readonly host: string; readonly id: string; readonly mode: ServerTlsMode; readonly credentialName?: string }>;
  readonly httpsPort: number;
  readonly httpPort: number;
  readonly redirect: boolean;
  /**
   * Where a short backend name (`httpbin`) is read when it is not the routes'
   * namespace (JwtProtectedIngress: the chart's, as its VirtualService would).
   * @default - the routes' namespace
   */
  readonly shortNameNamespace?: string;
}

/** A route as the IngressGateway takes it (see IngressRoute). */
export interface IngressApiRoute {
  readonly host: string;
  readonly destination: RouteDestination;
  readonly pathPrefix?: string;
  readonly path?: StringMatch;
  readonly timeout?: Duration;
  readonly corsPolicy?: unknown;
  readonly headers?: HeaderManipulation;
  readonly rewrite?: { readonly uri?: string; readonly uriRegexRewrite?: unknown; readonly authority?: string };
}

interface HostRoutes {
  readonly host: string;
  readonly passthrough: boolean;
  readonly route: ApiObject;
  readonly rules: any[];
}

/** The Gateway API objects of one IngressGateway. */
export class IngressGatewayApi {
  /** Refuses the IngressGateway props that have no Gateway API form. */
  public static refuse(scope: IConstruct, props: { selector?: unknown; minProtocolVersion?: unknown }, hosts: Array<{ mode: ServerTlsMode }>): void {
    if (props.selector !== undefined) {
      throw new Error(modeRefusal(scope, 'selector', props.selector, 'existing gateway pods selected by labels',
        'in gateway-api mode Istio deploys the gateway from the Gateway made here (Service "<name>-istio"): leave selector out'));
    }
    if (props.minProtocolVersion !== undefined) {
      throw new Error(modeRefusal(scope, 'minProtocolVersion', props.minProtocolVersion, 'a minimum TLS version',
        'Gateway API v1.5 listeners have no TLS version field: leave minProtocolVersion out (Istio\'s gateway default is TLS 1.2)'));
    }
    hosts.forEach((h, i) => {
      if (h.mode === ServerTlsMode.MUTUAL) {
        throw new Error(modeRefusal(scope, `hosts[${i}].tls`, 'MUTUAL', 'client certificate validation from the credential\'s ca.crt (IngressTls.mutual)',
          'Gateway API frontend validation takes CA certificate references for the whole Gateway, not per credential: use IngressTls.simple()'));
      }
    });
  }

  /** The Gateway. */
  public readonly gateway: ApiObject;
  /** Its name (Istio's Service for it is `<name>-istio`). */
  public readonly name: string;
  /** The HTTPRoute that redirects plain HTTP to HTTPS, if any. */
  public readonly redirectRoute?: ApiObject;
  private readonly hostRoutes: HostRoutes[] = [];
  private readonly grants: ServiceGrants;

  public constructor(private readonly scope: Construct, private readonly props: IngressApiProps) {
    this.name = deployedGatewayName(scope);
    this.grants = new ServiceGrants(scope, this.name, props.namespace);
    const listeners: any[] = props.hosts.map(h => h.mode === ServerTlsMode.PASSTHROUGH
      ? { name: h.id, hostname: h.host, port: props.httpsPort, protocol: 'TLS', tls: { mode: 'Passthrough' }, allowedRoutes: { namespaces: { from: 'Same' } } }
      : {
        name: h.id,
        hostname: h.host,
        port: props.httpsPort,
        protocol: 'HTTPS',
        tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: h.credentialName }] },
        allowedRoutes: { namespaces: { from: 'Same' } },
      });
    if (props.redirect) {
      listeners.push({ name: 'http', port: props.httpPort, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Same' } } });
    }
    this.gateway = new gw.Gateway(scope, 'GatewayApi', {
      metadata: { name: this.name, namespace: props.namespace },
      spec: { gatewayClassName: 'istio', listeners },
    });
    const taken = new Set<string>();
    for (const h of props.hosts) {
      let id = h.id;
      for (let k = 2; taken.has(id); k++) id = `${h.id}-${k}`;
      taken.add(id);
      const rules: any[] = [];
      const metadata = { name: `${this.name}-${id}`, namespace: props.namespace };
      const parentRefs = [{ name: this.name, sectionName: h.id }];
      const spec: any = { parentRefs, hostnames: [h.host], rules: Lazy.any({ produce: () => rules.map(r => ({ ...r })) }) };
      const passthrough = h.mode === ServerTlsMode.PASSTHROUGH;
      const route = passthrough
        ? new gw.TlsRoute(scope, `${id}-route`, { metadata, spec })
        : new gw.HttpRoute(scope, `${id}-route`, { metadata, spec });
      this.hostRoutes.push({ host: h.host, passthrough, route, rules });
    }
    if (props.redirect) {
      const redirect: any = { scheme: 'https', statusCode: 301 };
      if (props.httpsPort !== 443) redirect.port = props.httpsPort;
      this.redirectRoute = new gw.HttpRoute(scope, 'https-redirect', {
        metadata: { name: `${this.name}-https-redirect`, namespace: props.namespace },
        spec: {
          parentRefs: [{ name: this.name, sectionName: 'http' }],
          hostnames: props.hosts.map(h => h.host),
          rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: redirect }] }] as any,
        },
      });
    }
  }

  /** The route object of a host (HTTPRoute, or TLSRoute when passed through). */
  public routeOf(host: string): ApiObject | undefined {
    return this.hostRoutes.find(h => h.host === host)?.route;
  }

  /** Adds a rule to the host's route; refuses what HTTPRoute cannot express. */
  public addRoute(prop: string, route: IngressApiRoute): void {
    const entry = this.hostRoutes.find(h => h.host === route.host)!;
    const backend = this.backendRef(`${prop}.destination`, route.destination, entry.passthrough ? 'TLSRoute' : 'HTTPRoute');
    if (entry.passthrough) {
      entry.rules.push({ backendRefs: [backend] });
      return;
    }
    if (route.corsPolicy !== undefined) {
      throw new Error(modeRefusal(this.scope, `${prop}.corsPolicy`, 'CorsPolicy', 'a CORS policy',
        'this rendering has no HTTPRoute CORS filter (experimental in Gateway API v1.5): leave corsPolicy out'));
    }
    const rule: any = {};
    const match = this.pathMatch(prop, route);
    if (match !== undefined) rule.matches = [{ path: match }];
    const filters: any[] = [...headerFilters(route.headers)];
    if (route.rewrite !== undefined) filters.push(this.rewriteFilter(prop, route, match));
    if (filters.length > 0) rule.filters = filters;
    rule.backendRefs = [backend];
    if (route.timeout !== undefined) rule.timeouts = { request: gatewayApiDuration(this.scope, `${prop}.timeout`, route.timeout) };
    entry.rules.push(rule);
  }

  /** Hosts without a route. */
  public problems(): string[] {
    return this.hostRoutes.filter(h => h.rules.length === 0).map(h => constructMessage(this.scope,
      `host "${h.host}" has no route: the gateway would answer 404 (or, passed through, reset the connection); `
      + `add one with addRoute({ host: "${h.host}", destination: RouteDestination.to(...) }), or remove the host`));
  }

  private pathMatch(prop: string, route: IngressApiRoute): any {
    if (route.pathPrefix !== undefined) return { type: 'PathPrefix', value: route.pathPrefix };
    if (route.path === undefined) return undefined;
    const r = route.path._render(this.scope, `${prop}.path`);
    if (r.exact !== undefined) return { type: 'Exact', value: r.exact };
    if (r.prefix !== undefined) return { type: 'PathPrefix', value: r.prefix };
    return { type: 'RegularExpression', value: r.regex };
  }

  private rewriteFilter(prop: string, route: IngressApiRoute, match: any): any {
    const rw = route.rewrite!;
    if (rw.uriRegexRewrite !== undefined) {
      throw new Error(modeRefusal(this.scope, `${prop}.rewrite.uriRegexRewrite`, rw.uriRegexRewrite, 'a regex path rewrite',
        'HTTPRoute URLRewrite replaces a path prefix or the full path: use rewrite.uri'));
    }
    const urlRewrite: any = {};
    if (rw.authority !== undefined) urlRewrite.hostname = rw.authority;
    if (rw.uri !== undefined) {
      if (match?.type === 'PathPrefix') {
        urlRewrite.path = { type: 'ReplacePrefixMatch', replacePrefixMatch: rw.uri };
      } else if (match?.type === 'Exact') {
        urlRewrite.path = { type: 'ReplaceFullPath', replaceFullPath: rw.uri };
      } else {
        throw new Error(modeRefusal(this.scope, `${prop}.rewrite.uri`, rw.uri, `a path rewrite ${match ? 'after a regex path match' : 'without a path match'}`,
          'HTTPRoute rewrites the matched prefix (pathPrefix) or the full path (an exact path): give pathPrefix or StringMatch.exact()'));
      }
    }
    return { type: 'URLRewrite', urlRewrite };
  }

  private backendRef(prop: string, destination: RouteDestination, kind: string): any {
    if (destination.subset !== undefined) {
      throw new Error(modeRefusal(this.scope, `${prop}.subset`, destination.subset, 'a DestinationRule subset as a backend',
        'Gateway API backendRefs name Services: route to a Service per version'));
    }
    if (destination.port === undefined) {
      throw new Error(modeRefusal(this.scope, `${prop}.port`, undefined, 'a backendRef to a Service without a port',
        'the Gateway API requires the port of every Service backend: give RouteDestination.to(host, { port })'));
    }
    const named: ServiceRef = serviceOfHost(this.scope, `${prop}.host`, destination.host);
    const readIn = this.props.shortNameNamespace;
    const svc: ServiceRef = named.namespace === undefined && readIn !== undefined && readIn !== this.props.namespace
      ? { name: named.name, namespace: readIn }
      : named;
    const ref: any = { name: svc.name, port: destination.port };
    if (svc.namespace !== undefined) ref.namespace = svc.namespace;
    if (destination.headers !== undefined) ref.filters = headerFilters(destination.headers);
    this.grants.add(svc.namespace, kind, svc.name);
    return ref;
  }
}

/** Header operations as Gateway API header modifier filters. */
function headerFilters(headers: HeaderManipulation | undefined): any[] {
  const out: any[] = [];
  const ops = (o: HeaderOperations | undefined) => {
    if (o === undefined) return undefined;
    const m: any = {};
    if (o.set) m.set = Object.entries(o.set).map(([name, value]) => ({ name, value }));
    if (o.add) m.add = Object.entries(o.add).map(([name, value]) => ({ name, value }));
    if (o.remove) m.remove = [...o.remove];
    return Object.keys(m).length > 0 ? m : undefined;
  };
  const request = ops(headers?.request);
  if (request) out.push({ type: 'RequestHeaderModifier', requestHeaderModifier: request });
  const response = ops(headers?.response);
  if (response) out.push({ type: 'ResponseHeaderModifier', responseHeaderModifier: response });
  return out;
}
