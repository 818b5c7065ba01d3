import { ApiObject, Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { IngressGatewayApi } from './gateway-api/ingress';
import { JwtIssuer } from './jwt-issuer';
import { addCrossCheck, addSynthValidation, IndexQueries } from '../core/cross-check';
import { constructMessage, propMessage, throwPropError } from '../core/errors';
import { isDnsLabel, isDnsSubdomain, isFqdn, isIpAddress, isWildcardHost } from '../core/names';
import { ApiMode, modeRefusal, OutputMode } from '../core/output-mode';
import { A_PORT_IS, checkPortNumber, Protocol } from '../core/protocol';
import { IGateway } from '../core/references';
import { StringMatch } from '../core/string-match';
import { PolicyTargetRef } from '../core/target-ref';
import { WorkloadSelector } from '../core/workload-selector';
import { Gateway, GatewayServer, ServerTlsMode } from '../networking/gateway';
import { HttpRouteRule } from '../networking/http-route';
import { ServiceEntry, ServiceEntryLocation, ServiceEntryResolution } from '../networking/service-entry';
import { VirtualService } from '../networking/virtual-service';
import { RouteDestination } from '../networking/vs-destination';
import { AuthorizationAction, AuthorizationPolicy } from '../security/authorization-policy';
import { pathProblem } from '../security/authz-match';
import { AuthorizationOperation, AuthorizationRule } from '../security/authz-rule';
import { RequestAuthentication } from '../security/request-authentication';

/**
 * A route of a JwtProtectedIngress: requests to its hosts whose path matches go to
 * one backend. Routes are tried in the order added.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRoute
 */
export interface JwtIngressRoute {
  /**
   * Requests whose path starts with this prefix, e.g. `/api/`. Not with `path`.
   *
   * @default - every path (unless `path` is given)
   */
  readonly pathPrefix?: string;

  /**
   * Requests whose path matches, e.g. `StringMatch.exact('/login')` or
   * `StringMatch.regex('^/v[0-9]+/')`. Not with `pathPrefix`.
   *
   * @default - every path (unless `pathPrefix` is given)
   */
  readonly path?: StringMatch;

  /**
   * The backend, e.g. `RouteDestination.to('httpbin', { port: 8000 })` (a short name
   * is read in the namespace of the VirtualService) or `RouteDestination.toService(svc)`.
   */
  readonly destination: RouteDestination;

  /**
   * The timeout of a request (at least 1ms).
   *
   * @default - no timeout
   */
  readonly timeout?: Duration;
}

/**
 * A claim every token must carry, with one of the given values.
 *
 * @see https://istio.io/latest/docs/reference/config/security/conditions/
 */
export interface JwtClaimRequirement {
  /**
   * The claim, taken literally (dots and slashes are part of the name, as in
   * Auth0's `https://example.com/roles`), e.g. `groups`, `iss`, `aud`.
   */
  readonly claim: string;

  /**
   * The names below `claim`, for a nested claim: `{ claim: 'realm_access', nested: ['roles'] }`
   * is `request.auth.claims[realm_access][roles]` (Keycloak's realm roles).
   *
   * @default - a top-level claim
   */
  readonly nested?: string[];

  /**
   * The accepted values: the claim (or, for a list claim, one of its items) must
   * equal one of them. Istio's `*` prefix and suffix matches apply (`admin-*`).
   */
  readonly values: string[];
}

/** Props of a JwtProtectedIngress. */
export interface JwtProtectedIngressProps {
  /**
   * The public hosts, fully qualified (`api.example.com`). Each is listed once. A
   * wildcard (`*.example.com`, `*`) needs `scopePoliciesToHosts: false`.
   */
  readonly hosts: string[];

  /**
   * The issuers whose tokens are accepted (at least one), e.g.
   * `JwtIssuer.auth0('my-tenant.eu.auth0.com', { audiences: ['https://api.example.com'] })`.
   * A token of another issuer is rejected here even when another RequestAuthentication
   * of the shared gateway accepts it. A `JwtIssuer.oauth2Proxy(...)` issuer must be
   * the only one: oauth2-proxy then gates the requests (see the construct's doc).
   */
  readonly issuers: JwtIssuer[];

  /**
   * The routes, in order. More with `addRoute()`; at least one is required.
   *
   * @default - none yet
   */
  readonly routes?: JwtIngressRoute[];

  /**
   * The Secret with the TLS certificate and key (`tls.crt`, `tls.key`), in the
   * namespace of the gateway pods (`gatewayNamespace`). Required when this construct
   * makes the Gateway; not with `gateway`.
   *
   * @default - none: then `gateway` is required
   */
  readonly credentialName?: string;

  /**
   * Add a plain HTTP server on port 80 that redirects to HTTPS (301). Only when this
   * construct makes the Gateway. Authorization runs before routing: a request without
   * a token to a protected path gets 403 there rather than the redirect.
   *
   * @default true
   */
  readonly httpsRedirect?: boolean;

  /**
   * An existing gateway to bind to (`Gateway.fromGatewayName(this, 'gw', 'istio-system/public')`),
   * instead of making one. Its TLS is its own business.
   *
   * @default - a Gateway is made, HTTPS with `credentialName`
   */
  readonly gateway?: IGateway;

  /**
   * The hosts the existing `gateway` serves (its servers' `hosts`, `ns/host` allowed),
   * to check that it serves every host of this construct (IST0132). Only with `gateway`.
   *
   * @default - not checked
   */
  readonly gatewayHosts?: string[];

  /**
   * The labels of the gateway pods. The Gateway made here, the RequestAuthentication
   * and the AuthorizationPolicies select them.
   *
   * @default { istio: 'ingressgateway' }
   */
  readonly gatewaySelector?: { [key: string]: string };

  /**
   * The namespace of the gateway pods: where the RequestAuthentication, the
   * AuthorizationPolicies and the JWKS ServiceEntries go (a policy with a selector
   * applies to pods of its own namespace).
   *
   * @default 'istio-system'
   */
  readonly gatewayNamespace?: string;

  /**
   * The ports the gateway pods listen on for this construct's servers: the
   * `targetPort`s of the gateway Service for ports 443 and 80 (8443 and 8080 in an
   * istioctl install, 443 and 80 with the Helm `gateway` chart). The policies are then
   * limited to them (`to.operation.ports`). Istio applies a DENY rule with HTTP
   * attributes to TCP traffic as deny-all, so without ports the policies also deny every
   * TCP and TLS-passthrough server of the gateway pods. Istio's webhook warns about that
   * on every such policy (here CDK8S-ISTIO-W415, Info: harmless when the gateway pods
   * serve only HTTP and HTTPS, as with this construct's own Gateway); validation warns
   * (CDK8S-ISTIO-A011) when a Gateway of the app gives the gateway pods a TCP, TLS or
   * passthrough server. A port missing here fails OPEN (no token needed on it): when the
   * gateway Service is in the app, validation checks the ports against it.
   *
   * @default - not limited: every port of the gateway pods (TCP servers denied)
   */
  readonly gatewayPorts?: number[];

  /**
   * Paths that need no token, e.g. `['/healthz', '/login']`: absolute paths, with
   * Istio's prefix (`/public/*`) and template (`/{*}/status`) forms. Everything else
   * requires a valid token.
   *
   * @default - none: every path requires a token
   */
  readonly publicPaths?: string[];

  /**
   * Claims every token must carry (`[{ claim: 'groups', values: ['admin'] }]`): one
   * DENY policy each, rejecting tokens without one of the values. More with
   * `addClaimRequirement()`. Not with a `JwtIssuer.oauth2Proxy` issuer (require them
   * in oauth2-proxy, e.g. `--allowed-group`).
   *
   * @default - a valid token of an issuer is enough
   */
  readonly requireClaims?: JwtClaimRequirement[];

  /**
   * Scope the AuthorizationPolicies to the hosts of this construct (`to.operation.hosts`
   * with `host` and `host:*`), so that other hosts of a shared gateway are not affected.
   * Set to false only for a gateway dedicated to this construct: the policies then
   * apply to every request the gateway pods receive. Needed for wildcard hosts, which
   * Istio cannot match together with a port in the Host header.
   *
   * @default true
   */
  readonly scopePoliciesToHosts?: boolean;

  /**
   * Declare the JWKS hosts outside the cluster with a ServiceEntry each (MESH_EXTERNAL,
   * HTTPS, resolution DNS, exported to the gateway namespace only). Needed when the
   * gateway proxy fetches the keys itself (`PILOT_JWT_ENABLE_REMOTE_JWKS`) and the
   * mesh only lets traffic out to registered hosts (`REGISTRY_ONLY`).
   *
   * @default true
   */
  readonly declareJwksHosts?: boolean;
}

/**
 * Exposes services through the ingress gateway and requires a valid JWT: a Gateway
 * (HTTPS, plus an HTTP-to-HTTPS redirect), a VirtualService, a RequestAuthentication
 * on the gateway pods, and the AuthorizationPolicy that rejects requests without a
 * token (with `JwtIssuer.oauth2Proxy`: that sends them to OAuth2 Proxy to log in).
 *
 * Secure defaults:
 * - A token is required (with `JwtIssuer.oauth2Proxy`: an oauth2-proxy session or a
 *   token it accepts, see below). A RequestAuthentication alone rejects bad tokens but lets
 *   requests WITHOUT a token through; this construct always adds a DENY policy
 *   (`RequireToken`) for requests with no valid token of its own issuers
 *   (`notRequestPrincipals: ["<issuer>/*"]`): a token of another issuer configured on
 *   the same gateway does not get in. Only `publicPaths` are exempt (`notPaths`).
 * - Other hosts of a shared gateway are untouched: the policies are DENY (an ALLOW
 *   policy on the gateway pods would deny every host it does not list) and scoped to
 *   this construct's hosts, each written `host` and `host:*` so that a Host header
 *   with a port is covered too (Istio matches `hosts` exactly; see ISTIO-SECURITY-2021-008).
 *   Wildcard hosts cannot be scoped that way and are refused unless
 *   `scopePoliciesToHosts` is false.
 * - Required claims are DENY policies too (`when: request.auth.claims[...] notValues`,
 *   one per claim), so a missing claim is rejected as well.
 * - HTTPS only: the Gateway made here terminates TLS with `credentialName` and
 *   redirects plain HTTP (`httpsRedirect`).
 * - Keys come over https, or over http from an in-cluster Service only; external JWKS
 *   hosts are declared with a ServiceEntry visible to the gateway namespace only.
 * - Auth0 issuers need audiences.
 *
 * With a `JwtIssuer.oauth2Proxy` issuer (browser login through OAuth2 Proxy), the gate
 * is a CUSTOM policy instead (`externalAuthorizationPolicy`, provider = the mesh config
 * entry of oauth2-proxy): every request to the hosts, except `publicPaths`, goes to
 * oauth2-proxy first, and reaches a backend only when oauth2-proxy allows it (a
 * session cookie, or a bearer token it accepts); otherwise the client gets
 * oauth2-proxy's answer (login redirect or 401). The CUSTOM policy is scoped like the
 * DENY policies (hosts with and without port, `notPaths`, `gatewayPorts`). Envoy runs
 * the JWT filter before ext_authz and never verifies the ID token oauth2-proxy adds, so
 * there is no token DENY policy (`requireTokenPolicy` is undefined: it would deny every
 * browser request) and no claim policy (`requireClaims` is refused: a browser session
 * has no claims at the gateway). The RequestAuthentication stays: tokens that API
 * clients send themselves are verified (401 when bad) and kept for oauth2-proxy. The
 * mesh config entry to add is shown on `JwtIssuer.oauth2Proxy`.
 *
 * What it cannot scope on a shared gateway:
 * - The RequestAuthentication applies to every request the gateway pods receive. A
 *   request to another host that carries a token of an issuer no RequestAuthentication
 *   of the gateway lists is rejected (401).
 * - Request principals and hosts are HTTP attributes, and Istio applies a DENY rule made
 *   of HTTP attributes to TCP traffic as deny-all: TCP and TLS-passthrough servers of the
 *   gateway pods are denied too, unless `gatewayPorts` limits the policies to the ports of
 *   this construct's servers (and passthrough servers on those same ports stay denied).
 * Give such hosts their own gateway deployment (`gatewaySelector`).
 *
 * Hosts, issuers, public paths and `scopePoliciesToHosts` shape the policies and are
 * fixed at construction; routes and claim requirements can be added later.
 *
 * Checks: at once, host syntax and duplicates, wildcard hosts with scoped policies,
 * issuer and JWKS URLs (https outside the cluster), public paths (absolute), claims,
 * an oauth2Proxy issuer with other issuers, with claims or with options that need a
 * token the gateway verified, route paths, ports, gateway options that exclude each
 * other, and with `gatewayHosts`, a host the existing gateway does not serve
 * (IST0132). At validation: no route, a host added to the VirtualService directly
 * (served by no Gateway of this construct and not covered by the token policy), and
 * with `gatewayPorts`, a server whose pod port (per the gateway Service, when it is in
 * the app) is not listed.
 *
 * In `ApiMode.GATEWAY_API` (`OutputMode`) it makes a Gateway of class `istio` in
 * `gatewayNamespace` (`gatewayApiGateway`) and an HTTPRoute per host (`route(host)`),
 * and the policies attach to that Gateway with `targetRefs`; `addRoute()` then returns
 * undefined, and `gateway`, `gatewaySelector`, `gatewayPorts` and an oauth2Proxy
 * issuer throw.
 *
 * @example
 * const api = new JwtProtectedIngress(this, 'api', {
 *   hosts: ['api.example.com'],
 *   credentialName: 'api-example-com-tls',
 *   issuers: [JwtIssuer.auth0('my-tenant.eu.auth0.com', { audiences: ['https://api.example.com'] })],
 *   publicPaths: ['/healthz'],
 * });
 * api.addRoute({ pathPrefix: '/', destination: RouteDestination.to('api', { port: 8080 }) });
 *
 * @see https://istio.io/latest/docs/tasks/security/authentication/authn-policy/#end-user-authentication
 */
export class JwtProtectedIngress extends Construct {
  /** The Gateway made here, or undefined when an existing one is used (`gateway` prop). */
  public readonly gateway?: Gateway;
  /** The VirtualService that routes the hosts to the backends (`ApiMode.ISTIO`; undefined in `ApiMode.GATEWAY_API`). */
  public readonly virtualService?: VirtualService;
  /**
   * `ApiMode.GATEWAY_API` only: the Gateway (gateway.networking.k8s.io, class `istio`,
   * id `GatewayApi`) in `gatewayNamespace`, an HTTPS listener per host; the policies
   * target it (`targetRefs`) instead of selecting pods. The routes are `route(host)`.
   */
  public readonly gatewayApiGateway?: ApiObject;
  /** The API the objects are written in (from `OutputMode.of(this)`). */
  public readonly apiMode: ApiMode;
  /** The RequestAuthentication on the gateway pods, one JWT rule per issuer. */
  public readonly requestAuthentication: RequestAuthentication;
  /**
   * The DENY policy that rejects requests without a valid token of the issuers.
   * Undefined with a `JwtIssuer.oauth2Proxy` issuer, whose gate is
   * `externalAuthorizationPolicy`: exactly one of the two is set.
   */
  public readonly requireTokenPolicy?: AuthorizationPolicy;
  /**
   * With a `JwtIssuer.oauth2Proxy` issuer: the CUSTOM policy that sends every request
   * to the hosts, except `publicPaths`, to oauth2-proxy (the mesh config's extension
   * provider). Undefined otherwise: the gate is then `requireTokenPolicy`.
   */
  public readonly externalAuthorizationPolicy?: AuthorizationPolicy;
  /** The namespace of the gateway pods, where the policies go. */
  public readonly gatewayNamespace: string;

  private readonly hostList: string[];
  private readonly publicPathList: string[];
  private readonly selector: { [key: string]: string };
  private readonly scoped: boolean;
  private readonly ports?: number[];
  private readonly claimPolicyList: AuthorizationPolicy[] = [];
  private readonly claimKeys: string[] = [];
  private readonly serviceEntries: ServiceEntry[] = [];
  /** The extension provider of an oauth2Proxy issuer, which gates instead of the token policy. */
  private readonly gateProvider?: string;
  private readonly gatewayApi?: IngressGatewayApi;
  private routeCount = 0;

  public constructor(scope: Construct, id: string, props: JwtProtectedIngressProps) {
    super(scope, id);
    this.apiMode = OutputMode.of(this);
    this.scoped = props.scopePoliciesToHosts ?? true;
    this.gatewayNamespace = props.gatewayNamespace ?? 'istio-system';
    if (!isDnsLabel(this.gatewayNamespace)) {
      throwPropError(this, 'gatewayNamespace', this.gatewayNamespace, 'a namespace name (DNS label), e.g. "istio-system"');
    }
    this.selector = { ...(props.gatewaySelector ?? { istio: 'ingressgateway' }) };
    if (Object.keys(this.selector).length === 0) {
      throwPropError(this, 'gatewaySelector', this.selector,
        'an empty selector would apply the policies to every pod of the namespace: give the gateway pods\' labels, e.g. { istio: "ingressgateway" }');
    }
    this.hostList = this.checkHosts(props.hosts);
    this.publicPathList = this.checkPublicPaths(props.publicPaths ?? []);
    this.ports = props.gatewayPorts !== undefined ? this.checkPorts(props.gatewayPorts) : undefined;
    const gateway = this.checkGatewayOptions(props);

    if (!props.issuers || props.issuers.length === 0) {
      throwPropError(this, 'issuers', props.issuers, 'at least one issuer is required, e.g. JwtIssuer.auth0(...), JwtIssuer.keycloak(...) or JwtIssuer.custom(...)');
    }
    const resolved = props.issuers.map((issuer, i) => issuer._resolve(this, `issuers[${i}]`));
    resolved.forEach((r, i) => {
      const first = resolved.findIndex(o => o.rule.issuer === r.rule.issuer);
      if (first !== i) {
        throwPropError(this, `issuers[${i}].issuer`, r.rule.issuer, `issuers[${first}] has the same issuer: give each issuer once, with all its audiences`);
      }
    });
    const gated = resolved.findIndex(r => r.gateProvider !== undefined);
    if (gated >= 0 && resolved.length > 1) {
      throwPropError(this, 'issuers', props.issuers.map(issuer => issuer.kind),
        `issuers[${gated}] is JwtIssuer.oauth2Proxy, which sends every request through oauth2-proxy instead of requiring a token of the issuers: `
        + 'one gate per JwtProtectedIngress, so give it alone (oauth2-proxy can accept tokens of other issuers itself, --extra-jwt-issuers), '
        + 'or put the other issuers on a JwtProtectedIngress of their own');
    }
    this.gateProvider = resolved[gated]?.gateProvider;

    if (this.apiMode === ApiMode.GATEWAY_API) {
      this.refuseInGatewayApi(props);
      this.gatewayApi = new IngressGatewayApi(this, {
        namespace: this.gatewayNamespace,
        hosts: this.hostList.map(h => ({ host: h, id: h.replace(/^\*\./, 'wildcard.').replace(/\./g, '-'), mode: ServerTlsMode.SIMPLE, credentialName: props.credentialName })),
        httpsPort: 443,
        httpPort: 80,
        redirect: props.httpsRedirect ?? true,
        shortNameNamespace: Chart.of(this).namespace,
      });
      this.gatewayApiGateway = this.gatewayApi.gateway;
    } else if (gateway === undefined) {
      const servers: GatewayServer[] = [{
        port: { number: 443, protocol: Protocol.HTTPS },
        hosts: [...this.hostList],
        tls: { credentialName: props.credentialName },
      }];
      if (props.httpsRedirect ?? true) {
        servers.push({ port: { number: 80, protocol: Protocol.HTTP }, hosts: [...this.hostList], tls: { httpsRedirect: true } });
      }
      this.gateway = new Gateway(this, 'Gateway', { selector: { ...this.selector }, servers });
      if (this.ports) {
        const serverPorts = servers.map(sv => sv.port.number);
        addCrossCheck(this, index => this.checkGatewayService(index, serverPorts));
      }
    }

    if (this.gatewayApi === undefined) {
      this.virtualService = new VirtualService(this, 'VirtualService', {
        hosts: [...this.hostList],
        gateways: [gateway ?? this.gateway!],
      });
    }

    const policyScope = this.policyScope();
    this.requestAuthentication = new RequestAuthentication(this, 'RequestAuthentication', {
      ...policyScope,
      jwtRules: resolved.map(r => r.rule),
    });
    if (this.gateProvider !== undefined) {
      // jwt_authn runs before ext_authz: a token DENY policy would deny every browser session
      this.externalAuthorizationPolicy = new AuthorizationPolicy(this, 'ExternalAuthorization', {
        ...policyScope,
        action: AuthorizationAction.CUSTOM,
        provider: this.gateProvider,
        rules: [this.scopedRule({})],
      });
    } else {
      this.requireTokenPolicy = new AuthorizationPolicy(this, 'RequireToken', {
        ...policyScope,
        action: AuthorizationAction.DENY,
        rules: [this.scopedRule({
          from: [{ notRequestPrincipals: resolved.map(r => `${r.rule.issuer}/*`) }],
        })],
      });
    }

    if (props.declareJwksHosts ?? true) {
      const declared = new Set<string>();
      for (const { external } of resolved) {
        if (!external || declared.has(`${external.host}:${external.port}`)) continue;
        declared.add(`${external.host}:${external.port}`);
        let entry = this.serviceEntries.find(se => se.hosts[0] === external.host);
        if (!entry) {
          entry = new ServiceEntry(this, `Jwks-${external.host.replace(/\./g, '-')}`, {
            metadata: { namespace: this.gatewayNamespace },
            hosts: [external.host],
            location: ServiceEntryLocation.MESH_EXTERNAL,
            resolution: ServiceEntryResolution.DNS,
            exportTo: ['.'],
          });
          this.serviceEntries.push(entry);
        }
        entry.addPort({ number: external.port, protocol: Protocol.HTTPS });
      }
    }

    (props.routes ?? []).forEach(route => this.addRoute(route));
    (props.requireClaims ?? []).forEach(requirement => this.addClaimRequirement(requirement));
    addSynthValidation(this, () => this.validateComplete());
  }

  /** The hosts. */
  public get hosts(): string[] {
    return [...this.hostList];
  }

  /** The paths that need no token. */
  public get publicPaths(): string[] {
    return [...this.publicPathList];
  }

  /** The DENY policies of the required claims, one per claim. */
  public get claimPolicies(): AuthorizationPolicy[] {
    return [...this.claimPolicyList];
  }

  /** The ServiceEntries that declare the JWKS hosts outside the cluster. */
  public get jwksServiceEntries(): ServiceEntry[] {
    return [...this.serviceEntries];
  }

  /**
   * Adds a route (after the existing ones) and returns its VirtualService rule.
   *
   * @example
   * ingress.addRoute({ pathPrefix: '/api/', destination: RouteDestination.to('api', { port: 8080 }) });
   */
  public addRoute(route: JwtIngressRoute): HttpRouteRule | undefined {
    const prop = `routes[${this.virtualService?.httpRoutes.length ?? this.routeCount}]`;
    if (route.pathPrefix !== undefined && route.path !== undefined) {
      throwPropError(this, `${prop}.pathPrefix`, route.pathPrefix, `give pathPrefix or path, not both (path is ${route.path})`);
    }
    if (route.pathPrefix !== undefined && !route.pathPrefix.startsWith('/')) {
      throwPropError(this, `${prop}.pathPrefix`, route.pathPrefix, 'a path prefix starts with "/", e.g. "/api/"');
    }
    this.routeCount++;
    if (this.gatewayApi !== undefined) {
      // one HTTPRoute per host (a listener each): the rule goes to every host's route
      for (const host of this.hostList) this.gatewayApi.addRoute(prop, { ...route, host });
      return undefined;
    }
    const uri = route.pathPrefix !== undefined ? StringMatch.prefix(route.pathPrefix) : route.path;
    return this.virtualService!.addHttpRoute({
      match: uri ? [{ uri }] : undefined,
      destinations: [route.destination],
      timeout: route.timeout,
    });
  }

  /**
   * Requires a claim in every token (on the protected paths of this construct's
   * hosts) and returns the DENY policy that enforces it. Not with a
   * `JwtIssuer.oauth2Proxy` issuer: require it in oauth2-proxy instead.
   *
   * @example
   * ingress.addClaimRequirement({ claim: 'groups', values: ['admin'] });
   */
  public addClaimRequirement(requirement: JwtClaimRequirement): AuthorizationPolicy {
    const prop = `requireClaims[${this.claimKeys.length}]`;
    if (this.gateProvider !== undefined) {
      throwPropError(this, `${prop}.claim`, requirement.claim,
        'claims are read by the gateway\'s JWT filter, which runs before oauth2-proxy and never sees the ID token oauth2-proxy forwards: '
        + 'a browser session has no claims there, so every request would be denied. Require them in oauth2-proxy (--allowed-group, --email-domain), '
        + 'or on the backend\'s sidecar (a RequestAuthentication and an AuthorizationPolicy there)');
    }
    const names = [requirement.claim, ...(requirement.nested ?? [])];
    names.forEach((name, i) => {
      if (typeof name !== 'string' || name.length === 0 || /[\[\]\s]/.test(name)) {
        throwPropError(this, i === 0 ? `${prop}.claim` : `${prop}.nested[${i - 1}]`, name, 'a claim name is not empty, without whitespace, "[" or "]"');
      }
    });
    if (!requirement.values || requirement.values.length === 0 || requirement.values.some(v => typeof v !== 'string' || v.length === 0)) {
      throwPropError(this, `${prop}.values`, requirement.values, 'give at least one accepted value, none empty');
    }
    const key = `request.auth.claims${names.map(n => `[${n}]`).join('')}`;
    const previous = this.claimKeys.indexOf(key);
    if (previous >= 0) {
      throwPropError(this, `${prop}.claim`, key, `requireClaims[${previous}] already requires this claim: merge the accepted values into one requirement`);
    }
    const base = `Claim-${names.join('-').replace(/[^A-Za-z0-9-]+/g, '-')}`;
    let id = base;
    for (let k = 2; this.node.tryFindChild(id); k++) id = `${base}-${k}`;
    const policy = new AuthorizationPolicy(this, id, {
      ...this.policyScope(),
      action: AuthorizationAction.DENY,
      rules: [this.scopedRule({ when: [{ key, notValues: [...requirement.values] }] })],
    });
    this.claimKeys.push(key);
    this.claimPolicyList.push(policy);
    return policy;
  }

  /**
   * `ApiMode.GATEWAY_API`: the HTTPRoute of a host (one per host, each bound to the
   * host's listener). Throws for a host not listed, and in `ApiMode.ISTIO`.
   */
  public route(host: string): ApiObject {
    const route = this.gatewayApi?.routeOf(host);
    if (route === undefined) {
      throwPropError(this, 'host', host, this.gatewayApi ? `not a host of this JwtProtectedIngress (hosts: ${this.hostList.join(', ')})` : 'in ApiMode.ISTIO the hosts share the VirtualService: use virtualService');
    }
    return route;
  }

  /** Where the policies go and what they apply to: the gateway pods (selector), or the Gateway made here (targetRefs). */
  private policyScope(): { metadata: { namespace: string }; selector?: WorkloadSelector; targetRefs?: PolicyTargetRef[] } {
    const metadata = { namespace: this.gatewayNamespace };
    return this.gatewayApi !== undefined
      ? { metadata, targetRefs: [PolicyTargetRef.gateway(this.gatewayApi.name)] }
      : { metadata, selector: WorkloadSelector.fromLabels({ ...this.selector }) };
  }

  /** The props that have no Gateway API form here. */
  private refuseInGatewayApi(props: JwtProtectedIngressProps): void {
    const existing: Array<[string, unknown, string]> = [
      ['gateway', props.gateway?.node.path, 'an existing Istio gateway'],
      ['gatewayHosts', props.gatewayHosts, 'the hosts of an existing Istio gateway'],
      ['gatewaySelector', props.gatewaySelector, 'gateway pods selected by labels'],
      ['gatewayPorts', props.gatewayPorts, 'policies limited to pod ports of shared gateway pods'],
    ];
    for (const [prop, value, feature] of existing) {
      if (value !== undefined) {
        throw new Error(modeRefusal(this, prop, value, feature,
          `in gateway-api mode this construct makes its own Gateway (class istio), which Istio deploys, and its policies target that Gateway only: leave ${prop} out`));
      }
    }
    if (this.gateProvider !== undefined) {
      throw new Error(modeRefusal(this, 'issuers', 'JwtIssuer.oauth2Proxy', 'the oauth2-proxy login gate (a CUSTOM policy)',
        'this rendering makes the token DENY policy only: use a token issuer (JwtIssuer.custom, auth0, keycloak...)'));
    }
    const star = this.hostList.indexOf('*');
    if (star >= 0) {
      throw new Error(modeRefusal(this, `hosts[${star}]`, '*', 'a listener for every host', 'a Gateway API listener hostname is a host or "*.domain": list the hosts'));
    }
  }

  /** The rule, limited to this construct's hosts (with and without port) and to the protected paths. */
  private scopedRule(rule: AuthorizationRule): AuthorizationRule {
    const operation: AuthorizationOperation = {
      hosts: this.scoped ? this.hostList.flatMap(h => [h, `${h}:*`]) : undefined,
      notPaths: this.publicPathList.length > 0 ? [...this.publicPathList] : undefined,
      ports: this.ports ? [...this.ports] : undefined,
    };
    return operation.hosts || operation.notPaths || operation.ports ? { ...rule, to: [operation] } : rule;
  }

  private checkHosts(hosts: string[]): string[] {
    if (!hosts || hosts.length === 0) {
      throwPropError(this, 'hosts', hosts, 'at least one host is required, e.g. ["api.example.com"]');
    }
    const firstOf = new Map<string, number>();
    hosts.forEach((host, i) => {
      const prop = `hosts[${i}]`;
      const wildcard = host === '*' || host.startsWith('*.');
      if (!(host === '*' || (isWildcardHost(host) && isFqdn(host.replace(/^\*\./, '')) && !isIpAddress(host)))) {
        throwPropError(this, prop, host, 'a fully qualified host name such as "api.example.com" (lower case; "*.example.com" or "*" only with scopePoliciesToHosts: false)');
      }
      if (wildcard && this.scoped) {
        throwPropError(this, prop, host,
          'the token policy is scoped to the hosts, and Istio cannot match a wildcard host together with a port in the Host header '
          + '("a.example.com:443" would get past it): list concrete hosts, or set scopePoliciesToHosts: false on a gateway dedicated to this construct');
      }
      const lower = host.toLowerCase();
      if (!firstOf.has(lower)) firstOf.set(lower, i);
      const first = firstOf.get(lower)!;
      if (first !== i) throwPropError(this, prop, host, `hosts[${first}] is the same host: list each host once`);
    });
    return [...hosts];
  }

  private checkPublicPaths(paths: string[]): string[] {
    paths.forEach((path, i) => {
      const prop = `publicPaths[${i}]`;
      if (typeof path !== 'string' || !path.startsWith('/')) {
        throwPropError(this, prop, path, 'a public path is absolute ("/healthz", "/public/*"): a suffix or "*" would exempt paths of every prefix from the token');
      }
      const problem = pathProblem(path);
      if (problem) throwPropError(this, prop, path, problem);
      const first = paths.indexOf(path);
      if (first !== i) throwPropError(this, prop, path, `publicPaths[${first}] is the same path: list each path once`);
    });
    return [...paths];
  }

  private checkPorts(ports: number[]): number[] {
    if (ports.length === 0) {
      throwPropError(this, 'gatewayPorts', ports, 'must not be empty: leave it out to cover every port of the gateway pods');
    }
    ports.forEach((port, i) => {
      checkPortNumber(this, `gatewayPorts[${i}]`, port, A_PORT_IS);
      const first = ports.indexOf(port);
      if (first !== i) throwPropError(this, `gatewayPorts[${i}]`, port, `gatewayPorts[${first}] is the same port: list each port once`);
    });
    return [...ports];
  }

  /**
   * With gatewayPorts: every server of the Gateway made here must listen on one of them.
   * A server on port N listens on the targetPort of the gateway Service's port N (or on
   * N). Only checked when a Service of the gateway pods (in gatewayNamespace, selecting
   * a subset of gatewaySelector) is in the app.
   */
  private checkGatewayService(index: IndexQueries, serverPorts: number[]): string[] {
    const errors: string[] = [];
    for (const { json } of index.inNamespace('Service', this.gatewayNamespace)) {
      const selector = json?.spec?.selector;
      if (json?.metadata?.namespace !== this.gatewayNamespace || !selector || Object.keys(selector).length === 0) continue;
      if (!Object.entries(selector).every(([k, v]) => this.selector[k] === v)) continue;
      for (const serverPort of serverPorts) {
        const servicePort = (json.spec.ports ?? []).find((p: any) => p?.port === serverPort);
        const target = servicePort === undefined ? serverPort : servicePort.targetPort ?? serverPort;
        if (typeof target === 'number' && !this.ports!.includes(target)) {
          errors.push(propMessage(this, 'gatewayPorts', this.ports,
            `the gateway server on port ${serverPort} listens on pod port ${target} (Service '${json.metadata.namespace}/${json.metadata.name}'), `
            + 'which is not listed: requests there would not need a token; add it'));
        }
      }
    }
    return errors;
  }

  /** Checks the options that depend on whether the Gateway is made here; returns the existing gateway, if any. */
  private checkGatewayOptions(props: JwtProtectedIngressProps): IGateway | undefined {
    const gateway = props.gateway;
    if (gateway === undefined) {
      if (props.gatewayHosts !== undefined) {
        throwPropError(this, 'gatewayHosts', props.gatewayHosts, 'gatewayHosts describes an existing gateway: give it with gateway, or leave gatewayHosts out');
      }
      const credential = props.credentialName;
      if (credential === undefined) {
        throwPropError(this, 'credentialName', credential,
          'the Gateway made here serves HTTPS only: give the Secret with the certificate (tls.crt/tls.key) in the gateway namespace, or bind an existing gateway with gateway');
      }
      if (!isDnsSubdomain(credential)) {
        throwPropError(this, 'credentialName', credential, 'a Secret name (lower case letters, digits, "-" and ".")');
      }
      return undefined;
    }
    for (const prop of ['credentialName', 'httpsRedirect'] as const) {
      if (props[prop] !== undefined) {
        throwPropError(this, prop, props[prop], `${prop} configures the Gateway made here; the existing gateway "${gateway.node.path}" keeps its own servers`);
      }
    }
    if (props.gatewayHosts !== undefined) {
      const served = props.gatewayHosts.map(h => h.slice(h.indexOf('/') + 1));
      this.hostList.forEach((host, i) => {
        if (!served.some(s => covers(s, host))) {
          throwPropError(this, `hosts[${i}]`, host,
            `the gateway serves ${JSON.stringify(props.gatewayHosts)}, not this host (IST0132 VirtualServiceHostNotFoundInGateway): add it to the gateway or remove it here`);
        }
      });
    }
    return gateway;
  }

  private validateComplete(): string[] {
    const errors: string[] = [];
    if ((this.virtualService?.httpRoutes.length ?? this.routeCount) === 0) {
      errors.push(constructMessage(this, 'has no route: add one with addRoute({ pathPrefix: "/", destination: RouteDestination.to(...) })'));
    }
    const hosts = new Set(this.hostList.map(h => h.toLowerCase()));
    for (const host of this.virtualService?.hosts ?? []) {
      if (!hosts.has(host.toLowerCase())) {
        errors.push(constructMessage(this,
          `the VirtualService has host "${host}", which is not in hosts ${JSON.stringify(this.hostList)}: the Gateway does not serve it `
          + '(IST0132) and the token policy does not cover it; pass it in hosts instead of adding it to the VirtualService'));
      }
    }
    return errors;
  }
}

/** Whether a gateway server host (`*`, `*.example.com`, `api.example.com`) covers a host. */
function covers(gatewayHost: string, host: string): boolean {
  const g = gatewayHost.toLowerCase();
  const h = host.toLowerCase();
  return g === '*' || g === h || (g.startsWith('*.') && h.endsWith(g.slice(1)));
}
