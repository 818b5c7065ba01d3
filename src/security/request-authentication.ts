import { Duration, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { PolicyAttachment } from './authz-checks';
import * as l1 from '../../imports/security.istio.io';
import { addSynthValidation } from '../core/cross-check';
import { renderDuration } from '../core/duration';
import { constructMessage, throwPropError } from '../core/errors';
import { IstioResource, IstioResourceProps } from '../core/istio-resource';
import { isHttpToken, isIstioHeaderName } from '../core/names';
import { PolicyTargetRef } from '../core/target-ref';
import { WorkloadSelector } from '../core/workload-selector';

/**
 * A header the JWT is read from.
 * @see https://istio.io/latest/docs/reference/config/security/jwt/#JWTHeader
 */
export interface JwtHeader {
  /** The HTTP header name, e.g. `Authorization` or `x-jwt-assertion`. */
  readonly name: string;

  /**
   * The prefix stripped before the token is decoded, e.g. `Bearer ` (mind the space).
   *
   * @default - no prefix: the whole header value is the token
   */
  readonly prefix?: string;
}

/**
 * Copies one claim of a verified token to a request header.
 * @see https://istio.io/latest/docs/reference/config/security/jwt/#ClaimToHeader
 */
export interface JwtClaimToHeader {
  /** The header to create (letters, digits, `-` and `_`), e.g. `x-jwt-sub`. */
  readonly header: string;

  /** The claim to copy, e.g. `sub`; nested claims are written `a.b`. */
  readonly claim: string;
}

/**
 * How to validate one kind of JWT (one issuer).
 *
 * At least `issuer` or `jwksUri` is required (as Istio's webhook demands). Keys come
 * from `jwksUri`, from inline `jwks`, or, when both are left out, from the issuer's
 * OpenID discovery document.
 *
 * @see https://istio.io/latest/docs/reference/config/security/jwt/#JWTRule
 */
export interface JwtRule extends JwtTokenOptions {
  /**
   * The issuer, matched against the token's `iss` claim, usually a URL
   * (`https://accounts.example.com`) or an e-mail address.
   *
   * @default - any issuer whose token the keys of `jwksUri` verify (then `jwksUri` is required)
   */
  readonly issuer?: string;

  /**
   * The http(s) URL of the issuer's JSON Web Key Set. Issuers outside the mesh need
   * egress to it (a ServiceEntry when outbound traffic is REGISTRY_ONLY). Prefer https:
   * keys fetched over plain http can be tampered with on the way.
   *
   * @default - OpenID discovery from the issuer (or `jwks`, when given)
   */
  readonly jwksUri?: string;

  /**
   * The JSON Web Key Set itself, as a JSON string (`{"keys":[...]}`). Excludes `jwksUri`.
   *
   * @default - keys are fetched from `jwksUri` or the issuer's discovery document
   */
  readonly jwks?: string;
}

/**
 * How a JWT rule reads, checks and forwards tokens: every field of Istio's JWTRule
 * except the issuer and its keys.
 *
 * @see https://istio.io/latest/docs/reference/config/security/jwt/#JWTRule
 */
export interface JwtTokenOptions {
  /**
   * The audiences accepted (the token's `aud` must contain one of them).
   *
   * @default - the `aud` claim is not checked
   */
  readonly audiences?: string[];

  /**
   * The headers the token is read from.
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
   * Keep the token in the request forwarded to the workload.
   *
   * @default false (the token is removed after validation)
   */
  readonly forwardOriginalToken?: boolean;

  /**
   * A header to receive the verified token's payload (base64url-encoded JSON).
   *
   * @default - the payload is not forwarded
   */
  readonly outputPayloadToHeader?: string;

  /**
   * Claims of the verified token to copy to request headers.
   *
   * @default - no claim is copied
   */
  readonly outputClaimToHeaders?: JwtClaimToHeader[];

  /**
   * Claims whose string value is a space-separated list, so that authorization
   * conditions can match one of its items (at most 64).
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

/** Props of a RequestAuthentication. */
export interface RequestAuthenticationProps extends IstioResourceProps {
  /**
   * The workloads it applies to. Excludes `targetRefs`.
   *
   * @default - every workload of the namespace (of the mesh, in the root namespace), unless `targetRefs` is set
   */
  readonly selector?: WorkloadSelector;

  /**
   * The gateways or services it applies to (at most 16). Excludes `selector`.
   *
   * @default - the workloads picked by `selector`
   */
  readonly targetRefs?: PolicyTargetRef[];

  /**
   * The kinds of JWT accepted, one per issuer. More with `addJwtRule()`.
   *
   * @default - none; at least one must be added before synth
   */
  readonly jwtRules?: JwtRule[];
}

/**
 * Defines which JWTs the selected workloads validate (RequestAuthentication).
 *
 * What it does NOT do: it does not require a token. A request with an invalid token
 * is rejected (401), but a request with NO token passes with no request principal.
 * To require one, pair it with an `AuthorizationPolicy` that allows only requests
 * with a request principal (`requestPrincipals: ['*']`, or a specific
 * `"<issuer>/<subject>"`): token-less requests then get 403.
 *
 * Two rules for the same issuer are rejected: Istio leaves their combination
 * undefined. Put all audiences and token locations of an issuer into one rule.
 *
 * @see https://istio.io/latest/docs/reference/config/security/request_authentication/
 */
export class RequestAuthentication extends IstioResource {
  /** The L1 object. */
  public readonly apiObject: l1.RequestAuthentication;
  /** The workload selector, if any. */
  public readonly selector?: WorkloadSelector;

  private readonly attachment: PolicyAttachment;
  private readonly rules: l1.RequestAuthenticationSpecJwtRules[] = [];

  public constructor(scope: Construct, id: string, props: RequestAuthenticationProps = {}) {
    super(scope, id, props);
    this.selector = props.selector;
    this.attachment = new PolicyAttachment(this, this.namespace, props.selector, props.targetRefs);
    (props.jwtRules ?? []).forEach(rule => this.addJwtRule(rule));
    this.apiObject = new l1.RequestAuthentication(this, 'Resource', {
      metadata: this.resourceMetadata(props),
      spec: Lazy.any({ produce: () => this.renderSpec() }),
    });
    addSynthValidation(this, () => this.rules.length > 0 ? [] : [constructMessage(this,
      'no jwtRules: a RequestAuthentication without rules validates nothing; add one with addJwtRule({ issuer, jwksUri })')]);
  }

  /** The issuers of the rules, in the order added (rules without an issuer are left out). */
  public get issuers(): string[] {
    return this.rules.flatMap(r => r.issuer !== undefined ? [r.issuer] : []);
  }

  /** The targets, in the order added. */
  public get targetRefs(): PolicyTargetRef[] {
    return this.attachment.refs;
  }

  /**
   * Accepts one more kind of JWT.
   * @param rule the issuer, keys and token locations
   */
  public addJwtRule(rule: JwtRule): void {
    this.rules.push(this.checkRule(rule, `jwtRules[${this.rules.length}]`));
  }

  /**
   * Applies the policy to one more target (excludes `selector`).
   * @param targetRef the gateway or service
   */
  public addTargetRef(targetRef: PolicyTargetRef): void {
    this.attachment.add(targetRef, `targetRefs[${this.attachment.refs.length}]`);
  }

  private checkRule(rule: JwtRule, at: string): l1.RequestAuthenticationSpecJwtRules {
    const { issuer, jwksUri, jwks } = rule;
    if (issuer === undefined && jwksUri === undefined) {
      throwPropError(this, `${at}.issuer`, undefined, 'a JWT rule needs an issuer or a jwksUri (Istio rejects a rule with neither)');
    }
    if (issuer !== undefined) {
      if (issuer.length === 0 || issuer.trim() !== issuer) {
        throwPropError(this, `${at}.issuer`, issuer, 'must be the exact `iss` claim of the tokens: not empty, without surrounding whitespace');
      }
      const i = this.rules.findIndex(r => r.issuer === issuer);
      if (i >= 0) {
        throwPropError(this, `${at}.issuer`, issuer, `jwtRules[${i}] already has this issuer and Istio leaves two rules for one issuer undefined: merge their audiences and token locations into one rule`);
      }
    }
    if (jwksUri !== undefined && jwks !== undefined) {
      throwPropError(this, `${at}.jwks`, '{...}', 'jwks and jwksUri exclude each other: give the key set inline or by URL, not both');
    }
    if (jwksUri !== undefined) this.checkJwksUri(`${at}.jwksUri`, jwksUri);
    if (jwks !== undefined) this.checkJwks(`${at}.jwks`, jwks);

    this.checkList(`${at}.audiences`, rule.audiences, a => a.length > 0 && a.trim() === a, 'an audience is a non-empty string without surrounding whitespace');
    this.checkList(`${at}.fromHeaders`, rule.fromHeaders);
    (rule.fromHeaders ?? []).forEach((h, i) => {
      if (!isHttpToken(h.name)) throwPropError(this, `${at}.fromHeaders[${i}].name`, h.name, 'must be an HTTP header name (letters, digits and !#$%&\'*+-.^_`|~), e.g. "Authorization"');
    });
    this.checkList(`${at}.fromParams`, rule.fromParams, p => p.length > 0 && !/[\s&=#]/.test(p), 'a query parameter name is non-empty, without whitespace, "&", "=" or "#"');
    this.checkList(`${at}.fromCookies`, rule.fromCookies, isHttpToken, 'a cookie name is a token (letters, digits and !#$%&\'*+-.^_`|~)');
    if (rule.outputPayloadToHeader !== undefined && !isHttpToken(rule.outputPayloadToHeader)) {
      throwPropError(this, `${at}.outputPayloadToHeader`, rule.outputPayloadToHeader, 'must be an HTTP header name (letters, digits and !#$%&\'*+-.^_`|~)');
    }
    this.checkList(`${at}.outputClaimToHeaders`, rule.outputClaimToHeaders);
    (rule.outputClaimToHeaders ?? []).forEach((c, i) => {
      if (!isIstioHeaderName(c.header)) {
        throwPropError(this, `${at}.outputClaimToHeaders[${i}].header`, c.header, 'must be letters, digits, "-" and "_" (Istio\'s pattern for claim headers)');
      }
      if (c.claim.length === 0) {
        throwPropError(this, `${at}.outputClaimToHeaders[${i}].claim`, c.claim, 'must name a claim, e.g. "sub" or "a.b" for a nested one');
      }
    });
    this.checkList(`${at}.spaceDelimitedClaims`, rule.spaceDelimitedClaims, c => c.length > 0, 'a claim name is a non-empty string');
    if (rule.spaceDelimitedClaims !== undefined && rule.spaceDelimitedClaims.length > 64) {
      throwPropError(this, `${at}.spaceDelimitedClaims`, `${rule.spaceDelimitedClaims.length} claims`, 'at most 64 are allowed');
    }

    return {
      issuer,
      jwksUri,
      jwks,
      audiences: copy(rule.audiences),
      fromHeaders: rule.fromHeaders?.map(h => ({ name: h.name, prefix: h.prefix })),
      fromParams: copy(rule.fromParams),
      fromCookies: copy(rule.fromCookies),
      forwardOriginalToken: rule.forwardOriginalToken,
      outputPayloadToHeader: rule.outputPayloadToHeader,
      outputClaimToHeaders: rule.outputClaimToHeaders?.map(c => ({ header: c.header, claim: c.claim })),
      spaceDelimitedClaims: copy(rule.spaceDelimitedClaims),
      timeout: rule.timeout ? renderDuration(this, `${at}.timeout`, rule.timeout) : undefined,
    };
  }

  private checkJwksUri(prop: string, uri: string): void {
    let url: URL | undefined;
    try {
      url = new URL(uri);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.hostname === '' || uri.length > 2048 || /\s/.test(uri)) {
      throwPropError(this, prop, uri, 'must be an absolute http:// or https:// URL of at most 2048 characters, e.g. "https://issuer.example.com/.well-known/jwks.json"');
    }
  }

  private checkJwks(prop: string, jwks: string): void {
    let parsed: any;
    try {
      parsed = JSON.parse(jwks);
    } catch (e) {
      throwPropError(this, prop, jwks, `must be a JSON Web Key Set as JSON text, e.g. '{"keys":[{"kty":"RSA",...}]}' (${(e as Error).message})`);
    }
    const isKey = (k: any) => k !== null && typeof k === 'object' && !Array.isArray(k) && typeof k.kty === 'string';
    const ok = isKey(parsed) || (parsed !== null && typeof parsed === 'object' && Array.isArray(parsed.keys) && parsed.keys.length > 0 && parsed.keys.every(isKey));
    if (!ok) {
      throwPropError(this, prop, jwks, 'must be a JSON Web Key Set ({"keys":[...]}, each key with a "kty") or a single JSON Web Key');
    }
  }

  /** Rejects an empty list, then each item that is not `valid`. */
  private checkList<T>(prop: string, list: T[] | undefined, valid: (item: T) => boolean = () => true, allowed = ''): void {
    if (list === undefined) return;
    if (list.length === 0) {
      throwPropError(this, prop, [], 'must not be empty: leave the prop out instead');
    }
    list.forEach((item, i) => {
      if (!valid(item)) throwPropError(this, `${prop}[${i}]`, item, allowed);
    });
  }

  private renderSpec(): l1.RequestAuthenticationSpec {
    return {
      selector: this.attachment.renderSelector(),
      targetRefs: this.attachment.renderTargetRefs(),
      jwtRules: this.rules.length > 0 ? this.rules.map(r => ({ ...r })) : undefined,
    };
  }
}

function copy(list: string[] | undefined): string[] | undefined {
  return list ? [...list] : undefined;
}
