/**
 * Internal helpers of JwtProtectedIngress and JwtIssuer. Not part of the public
 * (jsii) API: this module is not exported from the index.
 */
import { isDnsLabel } from '../core/names';
import { JwtRule } from '../security/request-authentication';

/**
 * A checked issuer: its JWT rule, the JWKS host to declare when it is outside the
 * cluster, and for `JwtIssuer.oauth2Proxy` the extension provider that gates requests.
 */
export interface ResolvedIssuer {
  readonly rule: JwtRule;
  readonly external?: { readonly host: string; readonly port: number };
  /** The mesh config `extensionProviders` entry of a CUSTOM policy that replaces the token policy. */
  readonly gateProvider?: string;
}

/** `<service>.<namespace>.svc` or `<service>.<namespace>.svc.<cluster domain>`. */
export function isClusterServiceHost(host: string): boolean {
  if (typeof host !== 'string') return false;
  const labels = host.toLowerCase().replace(/\.$/, '').split('.');
  return labels.length >= 3 && labels[2] === 'svc' && labels.every(isDnsLabel);
}

/** The URL, or undefined when the value is not an absolute URL (or holds whitespace). */
export function parseUrl(value: string): URL | undefined {
  if (typeof value !== 'string' || /\s/.test(value)) return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
