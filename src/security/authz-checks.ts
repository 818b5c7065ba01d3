/**
 * Internal checks shared by RequestAuthentication and AuthorizationPolicy. They
 * follow Istio's admission webhook (pkg/config/validation and
 * pkg/config/security) so that what the library accepts, Istio accepts.
 *
 * Not part of the public (jsii) API: this module is not exported from the index.
 */
import { isIP } from 'net';
import { isIpBlock } from '../core/names';

/** Returns why `value` is not an IP address or CIDR block, or undefined if it is one. */
export function ipBlockProblem(value: string): string | undefined {
  if (isIpBlock(value)) return undefined;
  const slash = value.indexOf('/');
  const family = isIP(slash < 0 ? value : value.slice(0, slash));
  if (family === 0) return 'must be an IP address (e.g. "203.0.113.4") or a CIDR block (e.g. "203.0.113.0/24", "2001:db8::/32")';
  return `the prefix length after "/" must be a number from 0 to ${family === 4 ? 32 : 128}`;
}

/**
 * Returns why an Istio match string is wrong, or undefined. Istio matches rule
 * strings exactly, by prefix (`abc*`), by suffix (`*abc`) or by presence (`*`);
 * a `*` anywhere else is taken literally and silently never matches.
 */
export function matchStringProblem(value: string): string | undefined {
  if (value.length === 0) return 'must not be empty';
  if (/\s/.test(value)) return 'must not contain whitespace';
  if (value === '*') return undefined;
  if (value.slice(1, -1).includes('*') || (value.startsWith('*') && value.endsWith('*'))) {
    return 'Istio matches exactly, by prefix ("abc*"), by suffix ("*abc") or by presence ("*"): "*" is only allowed alone, first or last, not both (elsewhere it is taken literally and never matches)';
  }
  return undefined;
}

/**
 * Returns why a `serviceAccounts` entry is wrong, or undefined: `namespace/name`,
 * without wildcards, at most 320 characters. Istio's webhook also lets a bare `name`
 * through, but its meaning is not documented, so the library asks for the namespace.
 */
export function serviceAccountProblem(value: string): string | undefined {
  const format = 'a service account is written "namespace/name", e.g. "bookinfo/productpage"';
  if (value.length === 0) return `must not be empty: ${format}`;
  if (value.includes('*')) return `wildcards are not allowed: ${format}`;
  if (value.length > 320) return 'must be at most 320 characters';
  const parts = value.split('/');
  if (parts.length !== 2 || parts.some(p => p.length === 0)) return format;
  return undefined;
}

// moved to core (TelemetryPolicy uses it too); re-exported for the security L2s
export { PolicyAttachment } from '../core/policy-attachment';
