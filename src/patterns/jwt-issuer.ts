import { IConstruct } from 'constructs';
import { isClusterServiceHost, parseUrl, ResolvedIssuer } from './jwt-checks';
import { throwPropError } from '../core/errors';
import { isFqdn, isIpAddress } from '../core/names';
import { A_PORT_IS, checkPortNumber } from '../core/protocol';
import { JwtTokenOptions } from '../security/request-authentication';

/**
 * How a `JwtIssuer` reads and forwards tokens: every JWT rule field except the
 * issuer and its keys, which the preset fixes. With `JwtIssuer.oauth2Proxy`,
 * `forwardOriginalToken` defaults to true (its external authorizer runs after the
 * token check and must still see the token), and `outputPayloadToHeader` and
 * `outputClaimToHeaders` are refused (see there).
 *
 * @see https://istio.io/latest/docs/reference/config/security/jwt/#JWTRule
 */
export interface JwtIssuerOptions extends JwtTokenOptions {}

/** Options of `JwtIssuer.auth0()`. */
export interface Auth0IssuerOptions extends JwtIssuerOptions {}

/** Options of `JwtIssuer.keycloak()`. */
export interface KeycloakIssuerOptions extends JwtIssuerOptions {
  /** The realm, e.g. `mesh` (letters, digits, `.`, `_` and `-`). */
  readonly realm: string;

  /**
   * The in-cluster DNS name of Keycloak's Service, `<service>.<namespace>.svc[.<cluster domain>]`,
   * e.g. `keycloak.auth.svc.cluster.local`. The keys are fetched from it over plain
   * HTTP, inside the cluster.
   */
  readonly serviceHost: string;

  /**
   * The HTTP port of Keycloak's Service.
   *
   * @default 8080
   */
  readonly port?: number;

  /**
   * The public base URL of Keycloak that clients log in through (its `KC_HOSTNAME`),
   * e.g. `https://auth.example.com`. Keycloak writes it in the `iss` claim:
   * `<externalIssuerUrl>/realms/<realm>`.
   *
   * @default - `https://<serviceHost>`
   */
  readonly externalIssuerUrl?: string;
}

/** Options of `JwtIssuer.custom()`. */
export interface CustomJwtIssuerOptions extends JwtIssuerOptions {
  /**
   * The issuer, exactly as in the tokens' `iss` claim: a URL (`https://` unless
   * the issuer runs in the cluster) or another string such as `testing@secure.istio.io`.
   */
  readonly issuer: string;

  /**
   * The URL of the JSON Web Key Set: `https://` for hosts outside the cluster
   * (a ServiceEntry is made for them), `http://` only for an in-cluster Service
   * (`<service>.<namespace>.svc...`). Give `jwksUri` or `jwks`.
   *
   * @default - none: then `jwks` is required
   */
  readonly jwksUri?: string;

  /**
   * The JSON Web Key Set itself, as JSON text (`{"keys":[...]}`). Give `jwksUri` or `jwks`.
   *
   * @default - none: then `jwksUri` is required
   */
  readonly jwks?: string;
}

/**
 * Options of `JwtIssuer.oauth2Proxy()`: the mesh config entry that points at
 * oauth2-proxy, and the OIDC provider oauth2-proxy logs users in with, whose ID
 * tokens it forwards to the backends.
 */
export interface OAuth2ProxyIssuerOptions extends JwtIssuerOptions {
  /**
   * The name of the mesh config's `extensionProviders` entry (`envoyExtAuthzHttp`)
   * that points at oauth2-proxy's Service, e.g. `oauth2-proxy`. The CUSTOM
   * AuthorizationPolicy names it in `provider.name`.
   *
   * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-ExtensionProvider
   */
  readonly provider: string;

  /**
   * The URL of the OIDC provider oauth2-proxy logs users in with (its
   * `--oidc-issuer-url`), exactly as in the ID tokens' `iss` claim, e.g.
   * `https://auth.example.com/realms/shop`: `https://`, or `http://` only for an
   * issuer inside the cluster (`<service>.<namespace>.svc...`).
   */
  readonly issuer: string;

  /**
   * The URL of the OIDC provider's JSON Web Key Set: `https://` for hosts outside the
   * cluster (a ServiceEntry is made for them), `http://` only for an in-cluster Service
   * (`<service>.<namespace>.svc...`). Give `jwksUri` or `jwks`.
   *
   * @default - none: then `jwks` is required
   */
  readonly jwksUri?: string;

  /**
   * The JSON Web Key Set itself, as JSON text (`{"keys":[...]}`). Give `jwksUri` or `jwks`.
   *
   * @default - none: then `jwksUri` is required
   */
  readonly jwks?: string;
}

/** The identity providers `JwtIssuer` has presets for. */
export enum JwtIssuerKind {
  /** Auth0 (a SaaS tenant, outside the cluster). */
  AUTH0 = 'AUTH0',
  /** Keycloak running in the cluster. */
  KEYCLOAK = 'KEYCLOAK',
  /** Any issuer, given by its `iss` and its keys. */
  CUSTOM = 'CUSTOM',
  /** OAuth2 Proxy in the cluster, in front of an OIDC provider: an external authorizer (CUSTOM policy) gates the requests. */
  OAUTH2_PROXY = 'OAUTH2_PROXY',
}

/**
 * An issuer a JWT is accepted from, with where its keys are fetched from.
 *
 * Presets: `auth0()` (external: its JWKS host gets a ServiceEntry), `keycloak()`
 * (in-cluster: keys fetched from its Service), `custom()`, and `oauth2Proxy()`
 * (OAuth2 Proxy in the cluster as the gateway's external authorizer, in front of an
 * OIDC provider; it changes how a JwtProtectedIngress gates requests, see there).
 *
 * The values are checked by the construct that uses the issuer, so that messages
 * name the construct and the prop.
 *
 * @example
 * JwtIssuer.auth0('my-tenant.eu.auth0.com', { audiences: ['https://api.example.com'] })
 * JwtIssuer.keycloak({ realm: 'mesh', serviceHost: 'keycloak.auth.svc.cluster.local', externalIssuerUrl: 'https://auth.example.com' })
 * JwtIssuer.oauth2Proxy({ provider: 'oauth2-proxy', issuer: 'https://accounts.google.com', jwksUri: 'https://www.googleapis.com/oauth2/v3/certs' })
 */
export class JwtIssuer {
  /**
   * An Auth0 tenant: issuer `https://<domain>/`, keys from
   * `https://<domain>/.well-known/jwks.json`. `audiences` is required (the API
   * identifier): a tenant issues tokens for all its APIs.
   *
   * @param domain the tenant domain, e.g. `my-tenant.eu.auth0.com`, or a custom domain
   */
  public static auth0(domain: string, options: Auth0IssuerOptions = {}): JwtIssuer {
    return new JwtIssuer(JwtIssuerKind.AUTH0, options, `https://${domain}/`, `https://${domain}/.well-known/jwks.json`, undefined, { domain });
  }

  /**
   * Keycloak in the cluster: issuer `<externalIssuerUrl>/realms/<realm>`, keys from
   * `http://<serviceHost>:<port>/realms/<realm>/protocol/openid-connect/certs`
   * (reached as an in-cluster Service, no ServiceEntry).
   */
  public static keycloak(options: KeycloakIssuerOptions): JwtIssuer {
    const base = (options.externalIssuerUrl ?? `https://${options.serviceHost}`).replace(/\/+$/, '');
    const port = options.port ?? 8080;
    return new JwtIssuer(JwtIssuerKind.KEYCLOAK, options, `${base}/realms/${options.realm}`,
      `http://${options.serviceHost}:${port}/realms/${options.realm}/protocol/openid-connect/certs`, undefined,
      { realm: options.realm, serviceHost: options.serviceHost, port, externalIssuerUrl: options.externalIssuerUrl });
  }

  /** Any issuer, with its keys by URL (`jwksUri`) or inline (`jwks`). */
  public static custom(options: CustomJwtIssuerOptions): JwtIssuer {
    return new JwtIssuer(JwtIssuerKind.CUSTOM, options, options.issuer, options.jwksUri, options.jwks, {});
  }

  /**
   * OAuth2 Proxy in the cluster, as the ingress gateway's external authorizer, in front
   * of an OIDC provider (`issuer`, keys from `jwksUri` or `jwks`).
   *
   * OAuth2 Proxy issues no JWT of its own: it runs the browser login with the OIDC
   * provider, keeps the session in a cookie, and hands the provider's ID token to the
   * backend. At the gateway it is wired in as a CUSTOM (ext_authz) provider, and Envoy
   * runs the JWT filter (RequestAuthentication) BEFORE ext_authz: the ID token that
   * oauth2-proxy adds is never checked by the gateway, so request principals and claims
   * are empty for a browser session. A JwtProtectedIngress with this issuer therefore:
   * - gates with a CUSTOM AuthorizationPolicy (`externalAuthorizationPolicy`) that sends
   *   every request to its hosts, except `publicPaths`, to oauth2-proxy: without a
   *   session (or a bearer token oauth2-proxy accepts) the answer is oauth2-proxy's login
   *   redirect or 401, and the request never reaches a backend;
   * - makes no token DENY policy (`requireTokenPolicy` is undefined): it would deny
   *   every browser request;
   * - still makes the RequestAuthentication for `issuer`: an API client that sends its
   *   own token gets it verified (401 when bad), and the token is kept
   *   (`forwardOriginalToken` defaults to true) so that oauth2-proxy sees it;
   * - refuses `requireClaims` and this issuer's `outputClaimToHeaders` and
   *   `outputPayloadToHeader`: they rely on a token the gateway verified. Require groups
   *   or e-mail domains in oauth2-proxy (`--allowed-group`, `--email-domain`), or verify
   *   the forwarded ID token on the backend's sidecar (a RequestAuthentication and an
   *   AuthorizationPolicy there);
   * - is the only issuer of its JwtProtectedIngress (one gate per construct). Tokens of
   *   other issuers can be accepted by oauth2-proxy itself (`--extra-jwt-issuers`).
   *
   * The mesh config must have the extension provider (`provider` is its name), e.g. in
   * istioctl's IstioOperator `spec.meshConfig`, or the istiod Helm chart's `meshConfig`:
   *
   * ```yaml
   * extensionProviders:
   * - name: oauth2-proxy
   *   envoyExtAuthzHttp:
   *     service: oauth2-proxy.oauth2-proxy.svc.cluster.local
   *     port: 4180
   *     # the session cookie, and the bearer token of API clients
   *     includeRequestHeadersInCheck: [authorization, cookie]
   *     # the ID token (--set-authorization-header) and the user (--set-xauthrequest)
   *     headersToUpstreamOnAllow: [authorization, x-auth-request-user, x-auth-request-email]
   *     # the login redirect (Location is always passed) and oauth2-proxy's cookies
   *     headersToDownstreamOnDeny: [content-type, set-cookie]
   * ```
   *
   * and oauth2-proxy runs with `--provider=oidc --oidc-issuer-url=<issuer>
   * --upstream=static://200 --reverse-proxy --set-authorization-header
   * --set-xauthrequest --redirect-url=https://<host>/oauth2/callback`, plus
   * `--skip-jwt-bearer-tokens` for API clients that send their own token. Envoy copies
   * headers from oauth2-proxy's RESPONSE to the request (`headersToUpstreamOnAllow`),
   * so the ID token comes from `--set-authorization-header`, not from
   * `--pass-authorization-header` (that one only sets it on the request oauth2-proxy
   * proxies to its own upstream). The login callback (`/oauth2/callback`) reaches
   * oauth2-proxy through the CUSTOM policy too: leave `/oauth2/...` out of
   * `publicPaths` (or route it to oauth2-proxy's Service).
   *
   * @see https://istio.io/latest/docs/tasks/security/authorization/authz-custom/
   * @see https://oauth2-proxy.github.io/oauth2-proxy/configuration/overview
   */
  public static oauth2Proxy(options: OAuth2ProxyIssuerOptions): JwtIssuer {
    return new JwtIssuer(JwtIssuerKind.OAUTH2_PROXY, options, options.issuer, options.jwksUri, options.jwks, { provider: options.provider });
  }

  /** The preset. */
  public readonly kind: JwtIssuerKind;
  /** The issuer, as in the tokens' `iss` claim. */
  public readonly issuer: string;
  /** The URL of the key set, when the keys are fetched. */
  public readonly jwksUri?: string;
  /** The key set, when given inline. */
  public readonly jwks?: string;
  /** The mesh config extension provider that gates the requests (`oauth2Proxy()` only). */
  public readonly provider?: string;

  private constructor(
    kind: JwtIssuerKind,
    private readonly options: JwtIssuerOptions,
    issuer: string,
    jwksUri: string | undefined,
    jwks: string | undefined,
    private readonly presetArgs: PresetArgs,
  ) {
    this.kind = kind;
    this.issuer = issuer;
    this.jwksUri = jwksUri;
    this.jwks = jwks;
    this.provider = presetArgs.provider;
  }

  /** The audiences accepted, if restricted. */
  public get audiences(): string[] | undefined {
    return this.options.audiences ? [...this.options.audiences] : undefined;
  }

  /**
   * Checks the issuer for field `prop` (`issuers[0]`) of `scope` and returns its JWT
   * rule and, for keys fetched from outside the cluster, the host and port to declare.
   * @internal
   */
  public _resolve(scope: IConstruct, prop: string): ResolvedIssuer {
    switch (this.kind) {
      case JwtIssuerKind.AUTH0: {
        const domain = this.presetArgs.domain!;
        if (!isFqdn(domain) || isIpAddress(domain)) {
          throwPropError(scope, `${prop}.domain`, domain, 'an Auth0 domain is a DNS name such as "my-tenant.eu.auth0.com" (no scheme, no path)');
        }
        if (!this.options.audiences || this.options.audiences.length === 0) {
          throwPropError(scope, `${prop}.audiences`, this.options.audiences,
            'an Auth0 tenant issues tokens for all its APIs: give the audiences (API identifiers) this ingress accepts');
        }
        break;
      }
      case JwtIssuerKind.KEYCLOAK: {
        const { realm, serviceHost, port, externalIssuerUrl } = this.presetArgs;
        if (!realm || !/^[A-Za-z0-9._-]+$/.test(realm)) {
          throwPropError(scope, `${prop}.realm`, realm, 'a realm name is letters, digits, ".", "_" and "-"');
        }
        if (!isClusterServiceHost(serviceHost!)) {
          throwPropError(scope, `${prop}.serviceHost`, serviceHost,
            'the keys are fetched over plain HTTP, so Keycloak must be reached as an in-cluster Service: "<service>.<namespace>.svc.cluster.local"');
        }
        checkPortNumber(scope, `${prop}.port`, port!, A_PORT_IS);
        if (externalIssuerUrl !== undefined) {
          const url = parseUrl(externalIssuerUrl);
          if (!url || url.protocol !== 'https:' || url.search !== '' || url.hash !== '') {
            throwPropError(scope, `${prop}.externalIssuerUrl`, externalIssuerUrl,
              'the public base URL of Keycloak, https:// without query or fragment, e.g. "https://auth.example.com"');
          }
        }
        break;
      }
      case JwtIssuerKind.OAUTH2_PROXY:
        this.checkOAuth2Proxy(scope, prop);
        break;
      default:
        this.checkCustom(scope, prop);
    }
    const rule = {
      issuer: this.issuer,
      jwksUri: this.jwksUri,
      jwks: this.jwks,
      audiences: this.options.audiences,
      fromHeaders: this.options.fromHeaders,
      fromParams: this.options.fromParams,
      fromCookies: this.options.fromCookies,
      forwardOriginalToken: this.options.forwardOriginalToken ?? (this.kind === JwtIssuerKind.OAUTH2_PROXY ? true : undefined),
      outputPayloadToHeader: this.options.outputPayloadToHeader,
      outputClaimToHeaders: this.options.outputClaimToHeaders,
      spaceDelimitedClaims: this.options.spaceDelimitedClaims,
      timeout: this.options.timeout,
    };
    const url = this.jwksUri !== undefined ? parseUrl(this.jwksUri) : undefined;
    const external = url && !isClusterServiceHost(url.hostname)
      ? { host: url.hostname, port: url.port ? Number(url.port) : 443 }
      : undefined;
    return { rule, external, gateProvider: this.provider };
  }

  private checkOAuth2Proxy(scope: IConstruct, prop: string): void {
    const provider = this.provider;
    if (typeof provider !== 'string' || provider.length === 0 || /[\s\x00-\x1f]/.test(provider)) {
      throwPropError(scope, `${prop}.provider`, provider,
        'the name of the mesh config\'s extensionProviders entry (envoyExtAuthzHttp) that points at oauth2-proxy, e.g. "oauth2-proxy": not empty, no whitespace');
    }
    if (typeof this.issuer !== 'string' || !this.issuer.includes('://')) {
      throwPropError(scope, `${prop}.issuer`, this.issuer,
        'the URL of the OIDC provider oauth2-proxy logs users in with (its --oidc-issuer-url), exactly as in the ID tokens\' `iss` claim, e.g. "https://auth.example.com/realms/shop"');
    }
    this.checkCustom(scope, prop);
    const { forwardOriginalToken, outputClaimToHeaders, outputPayloadToHeader, fromCookies } = this.options;
    if (forwardOriginalToken === false) {
      throwPropError(scope, `${prop}.forwardOriginalToken`, forwardOriginalToken,
        'oauth2-proxy runs after the gateway\'s JWT check and must see the bearer token of API clients (--skip-jwt-bearer-tokens): '
        + 'leave forwardOriginalToken out (it defaults to true here)');
    }
    const forged = 'the gateway verifies a token only when the client sends one: for a browser session oauth2-proxy adds the ID token after the JWT check, '
      + 'so a client could send this header itself and the backend would get it unchanged; pass the user with oauth2-proxy\'s X-Auth-Request-* headers '
      + '(--set-xauthrequest, listed in headersToUpstreamOnAllow) instead';
    if (outputClaimToHeaders !== undefined) throwPropError(scope, `${prop}.outputClaimToHeaders`, outputClaimToHeaders, forged);
    if (outputPayloadToHeader !== undefined) throwPropError(scope, `${prop}.outputPayloadToHeader`, outputPayloadToHeader, forged);
    (fromCookies ?? []).forEach((cookie, i) => {
      if (typeof cookie === 'string' && cookie.startsWith('_oauth2_proxy')) {
        throwPropError(scope, `${prop}.fromCookies[${i}]`, cookie,
          'oauth2-proxy\'s session cookie is not a JWT: the gateway would reject every logged-in request (401); leave it out');
      }
    });
  }

  private checkCustom(scope: IConstruct, prop: string): void {
    const issuer = this.issuer;
    if (typeof issuer !== 'string' || issuer.length === 0 || /\s/.test(issuer)) {
      throwPropError(scope, `${prop}.issuer`, issuer, 'the exact `iss` claim of the tokens: not empty, no whitespace');
    }
    if (issuer.includes('://')) {
      const url = parseUrl(issuer);
      if (!url || (url.protocol !== 'https:' && !(url.protocol === 'http:' && isClusterServiceHost(url.hostname)))) {
        throwPropError(scope, `${prop}.issuer`, issuer,
          'an issuer URL is https:// (http:// only for an issuer inside the cluster, "<service>.<namespace>.svc...")');
      }
    }
    if ((this.jwksUri === undefined) === (this.jwks === undefined)) {
      throwPropError(scope, `${prop}.jwksUri`, this.jwksUri,
        this.jwks === undefined ? 'give the keys: jwksUri (a URL) or jwks (the key set inline)' : 'give jwksUri or jwks, not both');
    }
    if (this.jwksUri !== undefined) {
      const url = parseUrl(this.jwksUri);
      const https = url?.protocol === 'https:';
      const inCluster = url !== undefined && isClusterServiceHost(url.hostname);
      if (!url || !(https || (url.protocol === 'http:' && inCluster)) || (!inCluster && (!isFqdn(url.hostname) || isIpAddress(url.hostname)))) {
        throwPropError(scope, `${prop}.jwksUri`, this.jwksUri,
          'an https:// URL with a DNS host name (keys fetched over plain HTTP from outside the cluster can be tampered with); '
          + 'http:// only for an in-cluster Service, "http://<service>.<namespace>.svc.cluster.local:<port>/..."');
      }
    }
  }
}

/** The preset-specific arguments, checked at `_resolve`. */
interface PresetArgs {
  readonly provider?: string;
  readonly domain?: string;
  readonly realm?: string;
  readonly serviceHost?: string;
  readonly port?: number;
  readonly externalIssuerUrl?: string;
}
