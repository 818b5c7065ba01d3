/**
 * Checks shared by the VirtualService value types and routes. Internal: this module
 * is not re-exported from the package root.
 */
import { IConstruct } from 'constructs';
import { throwPropError } from '../core/errors';
import { isDnsLabel, isDnsSubdomain, isHostLabel, isIpAddress, isIpBlock, isIstioHeaderName } from '../core/names';

/** Header match keys: lowercase, as Istio documents. */
const MATCH_HEADER_NAME = /^[-_a-z0-9]+$/;
export const JWT_CLAIM_PREFIX = '@request.auth.claims.';

/** The `gateways` entry that means the sidecars of the mesh. */
export const MESH_GATEWAY = 'mesh';

/** The cluster DNS domain Istio uses to expand short host names. */
export const CLUSTER_DOMAIN = 'svc.cluster.local';

/**
 * Checks a host name: a (short or fully qualified) DNS name, optionally with a
 * `*.` wildcard prefix, or `*` alone where `allowStar`, or an IP address where `allowIp`.
 */
export function checkHost(scope: IConstruct, prop: string, host: string, options: { allowStar: boolean; allowIp: boolean }): void {
  const allowed = `a DNS name (short, like "reviews", or fully qualified), optionally with a "*." prefix${options.allowStar ? ', or "*"' : ''}${options.allowIp ? ', or an IP address' : ''}`;
  if (typeof host !== 'string' || host.length === 0) throwPropError(scope, prop, host, allowed);
  if (host === '*') {
    if (options.allowStar) return;
    throwPropError(scope, prop, host, `"*" is not allowed here: ${allowed}`);
  }
  if (options.allowIp && isIpAddress(host)) return;
  const name = host.startsWith('*.') ? host.slice(2) : host;
  const labels = name.split('.');
  if (host.length > 255 || !labels.every(isHostLabel)) {
    throwPropError(scope, prop, host, allowed);
  }
}

/** Checks a percentage (0-100, fractions allowed). */
export function checkPercentage(scope: IConstruct, prop: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100) {
    throwPropError(scope, prop, value, 'a percentage is a number from 0 to 100');
  }
}

/** Checks a DestinationRule subset name (a DNS-1123 label). */
export function checkSubsetName(scope: IConstruct, prop: string, subset: string): void {
  if (!isDnsLabel(subset)) {
    throwPropError(scope, prop, subset, 'a subset name is a DNS-1123 label (lowercase letters, digits and "-", at most 63 characters)');
  }
}

/** Checks a header name of a header operation or CORS policy. */
export function checkHeaderName(scope: IConstruct, prop: string, name: string): void {
  if (typeof name !== 'string' || !isIstioHeaderName(name)) {
    throwPropError(scope, prop, name, 'a header name is made of letters, digits, "-" and "_"');
  }
}

/**
 * Checks the key of a header match: lowercase with hyphens, as Istio documents,
 * or `@request.auth.claims.<claim>` to route on a JWT claim (gateways only).
 */
export function checkMatchHeaderName(scope: IConstruct, prop: string, name: string): void {
  if (typeof name === 'string' && name.startsWith(JWT_CLAIM_PREFIX) && name.length > JWT_CLAIM_PREFIX.length) return;
  if (typeof name !== 'string' || !MATCH_HEADER_NAME.test(name)) {
    throwPropError(scope, prop, name, `header match keys are lowercase letters, digits, "-" and "_" (e.g. "x-user"), or "${JWT_CLAIM_PREFIX}<claim>"`);
  }
}

/** Checks an IP address or CIDR block (`10.0.0.0/8`, `2001:db8::/32`). */
export function checkSubnet(scope: IConstruct, prop: string, subnet: string): void {
  if (typeof subnet !== 'string' || !isIpBlock(subnet)) {
    throwPropError(scope, prop, subnet, 'an IP address or CIDR block, e.g. "10.0.0.0/8"');
  }
}

/**
 * Checks a gateway reference: `mesh`, `<name>` (a gateway in the namespace of the
 * VirtualService) or `<namespace>/<name>`.
 */
export function checkGatewayName(scope: IConstruct, prop: string, name: string): void {
  const allowed = '"mesh", "<name>" (same namespace) or "<namespace>/<name>"';
  if (typeof name !== 'string') throwPropError(scope, prop, name, allowed);
  if (name === MESH_GATEWAY) return;
  const parts = name.split('/');
  if (parts.length === 2 && isDnsLabel(parts[0]) && isDnsSubdomain(parts[1], true)) return;
  if (parts.length === 1 && isDnsLabel(name)) return;
  if (parts.length === 1 && isDnsSubdomain(name, true)) {
    const [gw, ns] = name.split('.');
    throwPropError(scope, prop, name, `${allowed}; the legacy "<name>.<namespace>" form is ambiguous: write "${ns}/${gw}"`);
  }
  throwPropError(scope, prop, name, allowed);
}

/**
 * The fully qualified form of a host as Istio reads it in an object of `namespace`:
 * a short name (no dot) is a Service of that namespace (`reviews` ->
 * `reviews.<namespace>.svc.cluster.local`); anything else is taken as written.
 * An unknown namespace is taken as `default`, the namespace kubectl applies to.
 */
export function resolveHost(host: string, namespace: string | undefined): string {
  if (host.includes('.') || host.includes('*')) return host.toLowerCase();
  return `${host.toLowerCase()}.${namespace ?? 'default'}.${CLUSTER_DOMAIN}`;
}

/** True if every name `narrow` matches is matched by `broad` (`*`, `*.suffix` or a name). */
export function hostCovers(broad: string, narrow: string): boolean {
  const b = broad.toLowerCase();
  const n = narrow.toLowerCase();
  if (b === '*') return true;
  if (b === n) return true;
  if (b.startsWith('*.')) {
    const suffix = b.slice(1); // `.example.com`
    return n.endsWith(suffix) && n.length > suffix.length && n !== '*';
  }
  return false;
}

/** Checks an HTTP status in a range. */
export function checkStatus(scope: IConstruct, prop: string, status: number, min: number, max: number): void {
  if (!Number.isInteger(status) || status < min || status > max) {
    throwPropError(scope, prop, status, `an HTTP status from ${min} to ${max}`);
  }
}

/** What a namespace name is, for messages. */
export const NAMESPACE_NAME = 'a namespace name is a DNS-1123 label (lowercase letters, digits and "-", at most 63 characters)';

/** Checks a namespace name (a DNS-1123 label). */
export function checkNamespace(scope: IConstruct, prop: string, namespace: string): void {
  if (!isDnsLabel(namespace)) {
    throwPropError(scope, prop, namespace, NAMESPACE_NAME);
  }
}
