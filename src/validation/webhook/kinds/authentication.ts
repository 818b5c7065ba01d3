import { checkDuration, checkHeaderName, checkPolicyScope, checkWorkloadSelector } from '../checks/common';
import { Ctx, Obj, entries, isObj, key, list, obj, show, str } from '../context';
import { RULES } from '../rules';

/** Istio's admission checks for a RequestAuthentication. */
export function validateRequestAuthentication(ctx: Ctx, spec: Obj): void {
  checkPolicyScope(ctx, spec, 'selector', 'matchLabels');
  list(spec.jwtRules).forEach((rule, i) => {
    if (isObj(rule)) validateJwtRule(ctx, `spec.jwtRules[${i}]`, rule);
  });
}

function validateJwtRule(ctx: Ctx, p: string, rule: Obj): void {
  list(rule.audiences).forEach((a, i) => {
    if (a === '') ctx.report(RULES.jwtRuleEmptyValue, `${p}.audiences[${i}]`, 'audience must be a non-empty string');
  });
  const jwksUriField = rule.jwksUri !== undefined ? 'jwksUri' : 'jwks_uri';
  const jwksUri = str(rule.jwksUri) || str(rule.jwks_uri);
  const issuer = str(rule.issuer);
  if (issuer === '' && jwksUri === '') {
    ctx.report(RULES.jwtIssuerOrJwksUri, `${p}.issuer`, 'a JWT rule needs an issuer or a jwksUri');
  }
  if (jwksUri !== '') {
    const err = jwksUriError(jwksUri);
    if (err) ctx.report(RULES.jwksUriInvalid, `${p}.${jwksUriField}`, `jwksUri ${show(jwksUri)} ${err}`);
  }
  const jwks = str(rule.jwks);
  if (jwks !== '') {
    const err = jwksError(jwks);
    if (err) ctx.report(RULES.jwksInvalid, `${p}.jwks`, `jwks is not a JSON Web Key Set: ${err}`);
    if (jwksUri !== '') ctx.report(RULES.jwksAndJwksUri, `${p}.jwks`, 'both jwks and jwksUri are set; jwks is used and jwksUri ignored. Keep one');
  }
  list(rule.fromHeaders).forEach((h, i) => {
    if (!isObj(h) || str(h.name) === '') ctx.report(RULES.jwtRuleEmptyValue, `${p}.fromHeaders[${i}].name`, 'fromHeaders entries need a header name');
  });
  list(rule.fromParams).forEach((v, i) => {
    if (v === '') ctx.report(RULES.jwtRuleEmptyValue, `${p}.fromParams[${i}]`, 'fromParams entries must be non-empty query parameter names');
  });
  list(rule.fromCookies).forEach((v, i) => {
    if (v === '') ctx.report(RULES.jwtRuleEmptyValue, `${p}.fromCookies[${i}]`, 'fromCookies entries must be non-empty cookie names');
  });
  list(rule.outputClaimToHeaders).forEach((o, i) => {
    const op = `${p}.outputClaimToHeaders[${i}]`;
    if (!isObj(o) || str(o.claim) === '' || str(o.header) === '') {
      ctx.report(RULES.jwtRuleEmptyValue, op, 'outputClaimToHeaders entries need both claim and header');
      return;
    }
    checkHeaderName(ctx, `${op}.header`, o.header, true);
  });
  checkDuration(ctx, `${p}.timeout`, rule.timeout);
}

/** http or https, with a host; undefined when fine. */
function jwksUriError(uri: string): string | undefined {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return 'is not a valid URL; write it like https://issuer.example.com/.well-known/jwks.json';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `has scheme ${show(u.protocol.replace(/:$/, ''))}; only http and https are supported`;
  if (u.hostname === '') return 'has no host';
  return undefined;
}

/** A JWK set `{"keys": [...]}` or a single JWK `{"kty": ...}`. */
function jwksError(jwks: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(jwks);
  } catch (e) {
    return `invalid JSON (${(e as Error).message})`;
  }
  if (!isObj(parsed)) return 'expected a JSON object';
  if (Array.isArray(parsed.keys)) {
    const bad = parsed.keys.findIndex(k => !isObj(k) || typeof k.kty !== 'string');
    return bad < 0 ? undefined : `keys[${bad}] has no "kty"`;
  }
  return typeof parsed.kty === 'string' ? undefined : 'expected {"keys": [...]} or a single key with "kty"';
}

/** Istio's admission checks for a PeerAuthentication. */
export function validatePeerAuthentication(ctx: Ctx, spec: Obj): void {
  const selectorLabels = entries(obj(spec.selector)?.matchLabels);
  const ports = entries(spec.portLevelMtls);
  if (selectorLabels.length === 0 && ports.length > 0) {
    ctx.report(RULES.portMtlsWithoutSelector, 'spec.portLevelMtls', 'port-level mTLS needs a workload selector with matchLabels; a mesh- or namespace-wide policy cannot have portLevelMtls');
  }
  if (isObj(spec.portLevelMtls) && ports.length === 0) {
    ctx.report(RULES.portMtlsEmpty, 'spec.portLevelMtls', 'portLevelMtls is empty; remove it or add a port');
  }
  for (const [port] of ports) {
    const n = /^\d+$/.test(port) ? Number(port) : NaN;
    if (!(n >= 1 && n <= 65535)) {
      ctx.report(RULES.portOutOfRange, key('spec.portLevelMtls', port), `port ${show(port)} is out of range; port numbers are 1..65535`);
    }
  }
  checkWorkloadSelector(ctx, 'spec.selector', spec.selector, 'matchLabels');
}
