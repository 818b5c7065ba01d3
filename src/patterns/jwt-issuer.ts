import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { isClusterServiceHost, parseUrl, ResolvedIssuer } from './jwt-checks';
import { throwPropError } from '../core/errors';
import { isFqdn, isIpAddress } from '../core/protocol';
import { JwtClaimToHeader, JwtHeader } from '../security/request-authentication';

/**
 * How a `JwtIssuer` reads and forwards tokens: every JWT rule field except the
 * issuer and its keys, which the preset fixes.
 *
 * @see https://istio.io/latest/docs/reference/config/security/jwt/#JWTRule
 */
export interface JwtIssuerOptions {
  /**
   * The audiences accepted (the token's `aud` must contain one of them). Required
   * for Auth0: one tenant issues tokens for all its APIs, and without an audience a
   * token minted for another API of the tenant would be accepted here.
   *
   * @default - the `aud` claim is not checked
   */
  readonly audiences?: string[];

  /**
   * The headers the token is read from, e.g. `{ name: 'Authorization', prefix: 'Bearer ' }`.
   *
   * @default - `Authorization: Bearer <token>`, then the `access_token` query parameter
   */
  readonly fromHeaders?: JwtHeader[];

  /**
   * The query parameters the token is read from.
   *
   * @default - see `fromHeaders`
   */
  readonly fromParams?: string[];

  /**
   * The cookies the token is read from.
   *
   * @default - see `fromHeaders`
   */
  readonly fromCookies?: string[];

  /**
   * Keep the token in the request forwarded to the backend.
   *
   * @default false (the gateway removes the token after validating it)
   */
  readonly forwardOriginalToken?: boolean;

  /**
   * A header to receive the verified token's payload (base64url-encoded JSON).
   *
   * @default - the payload is not forwarded
   */
  readonly outputPayloadToHeader?: string;

  /**
   * Claims of the verified token to copy to request headers (e.g. `sub` to `x-jwt-sub`).
   * On public paths no token is verified, so a header of that name sent by the client
   * reaches the backend unchanged: backends must not trust it there.
   *
   * @default - no claim is copied
   */
  readonly outputClaimToHeaders?: JwtClaimToHeader[];

  /**
   * Claims whose string value is a space-separated list (at most 64).
   *
   * @default - only `scope` and `permission` are treated so
   */
  readonly spaceDelimitedClaims?: string[];

  /**
   * How long to wait for the JWKS to be fetched (at least 1ms).
   *
   * @default - Istio's default, 5s
   */
  readonly timeout?: Duration;
}

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

/** The identity providers `JwtIssuer` has presets for. */
export enum JwtIssuerKind {
  /** Auth0 (a SaaS tenant, outside the cluster). */
  AUTH0 = 'AUTH0',
  /** Keycloak running in the cluster. */
  KEYCLOAK = 'KEYCLOAK',
  /** Any issuer, given by its `iss` and its keys. */
  CUSTOM = 'CUSTOM',
}

/**
 * An issuer a JWT is accepted from, with where its keys are fetched from.
 *
 * Presets: `auth0()` (external: its JWKS host gets a ServiceEntry), `keycloak()`
 * (in-cluster: keys fetched from its Service), `custom()`.
 *
 * The values are checked by the construct that uses the issuer, so that messages
 * name the construct and the prop.
 *
 * @example
 * JwtIssuer.auth0('my-tenant.eu.auth0.com', { audiences: ['https://api.example.com'] })
 * JwtIssuer.keycloak({ realm: 'mesh', serviceHost: 'keycloak.auth.svc.cluster.local', externalIssuerUrl: 'https://auth.example.com' })
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

  /** The preset. */
  public readonly kind: JwtIssuerKind;
  /** The issuer, as in the tokens' `iss` claim. */
  public readonly issuer: string;
  /** The URL of the key set, when the keys are fetched. */
  public readonly jwksUri?: string;
  /** The key set, when given inline. */
  public readonly jwks?: string;

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
        if (!Number.isInteger(port) || port! < 1 || port! > 65535) {
          throwPropError(scope, `${prop}.port`, port, 'a port is an integer from 1 to 65535');
        }
        if (externalIssuerUrl !== undefined) {
          const url = parseUrl(externalIssuerUrl);
          if (!url || url.protocol !== 'https:' || url.search !== '' || url.hash !== '') {
            throwPropError(scope, `${prop}.externalIssuerUrl`, externalIssuerUrl,
              'the public base URL of Keycloak, https:// without query or fragment, e.g. "https://auth.example.com"');
          }
        }
        break;
      }
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
      forwardOriginalToken: this.options.forwardOriginalToken,
      outputPayloadToHeader: this.options.outputPayloadToHeader,
      outputClaimToHeaders: this.options.outputClaimToHeaders,
      spaceDelimitedClaims: this.options.spaceDelimitedClaims,
      timeout: this.options.timeout,
    };
    const url = this.jwksUri !== undefined ? parseUrl(this.jwksUri) : undefined;
    const external = url && !isClusterServiceHost(url.hostname)
      ? { host: url.hostname, port: url.port ? Number(url.port) : 443 }
      : undefined;
    return { rule, external };
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
  readonly domain?: string;
  readonly realm?: string;
  readonly serviceHost?: string;
  readonly port?: number;
  readonly externalIssuerUrl?: string;
}
