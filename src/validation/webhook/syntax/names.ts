import { isIP } from 'net';

/**
 * Name, host, address and label syntax as Istio's validation checks it. Each
 * `check*` function returns undefined when the value is fine, or the reason.
 */

const LABEL = '[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?';
const DNS1123_LABEL = new RegExp(`^${LABEL}$`);
const WILDCARD_LABEL = new RegExp(`^(?:\\*|(?:\\*|\\*-)?${LABEL})$`);
const QUALIFIED_NAME = '(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_KEY = new RegExp(`^(${LABEL}(?:\\.${LABEL})*/)?(${QUALIFIED_NAME})$`);
const LABEL_VALUE = new RegExp(`^(?:${QUALIFIED_NAME})?$`);
const ALL_NUMERIC = /^[+-]?\d+$/;

/** A DNS-1123 label as Istio checks it (letters of either case, digits, `-`; at most 63). */
export function isDnsLabel(v: string): boolean {
  return v.length <= 63 && DNS1123_LABEL.test(v);
}

function checkDnsPreconditions(name: string): string | undefined {
  if (name.length > 255) return 'domain name is longer than 255 characters';
  if (name.length === 0) return 'empty domain name is not allowed';
  return undefined;
}

/** Every label a DNS label (the last may be empty: `istio.io.`), top-level label not all digits. */
function checkDnsLabels(domain: string): string | undefined {
  const parts = domain.split('.');
  const tld = parts[parts.length - 1];
  if (ALL_NUMERIC.test(tld)) return `top-level label ${JSON.stringify(tld)} cannot be all-numeric`;
  for (let i = 0; i < parts.length; i++) {
    if (i === parts.length - 1 && parts[i] === '') return undefined;
    if (!isDnsLabel(parts[i])) return `label ${JSON.stringify(parts[i])} is not a DNS label`;
  }
  return undefined;
}

/** A fully qualified domain name (no wildcard). */
export function checkFqdn(fqdn: string): string | undefined {
  return checkDnsPreconditions(fqdn) ?? checkDnsLabels(fqdn);
}

/** A domain name whose first label may be a wildcard (`*`, `*.example.com`, `*-foo.example.com`). */
export function checkWildcardDomain(domain: string): string | undefined {
  const pre = checkDnsPreconditions(domain);
  if (pre) return pre;
  const dot = domain.indexOf('.');
  const first = dot < 0 ? domain : domain.slice(0, dot);
  if (first.length > 63 || !WILDCARD_LABEL.test(first)) return `label ${JSON.stringify(first)} is not a DNS label or wildcard`;
  return dot < 0 ? undefined : checkDnsLabels(domain.slice(dot + 1));
}

/**
 * Hosts of a gateway-bound VirtualService: like checkWildcardDomain, but with SNI
 * routes the AUTO_PASSTHROUGH form `outbound_.<port>_._.<host>` is allowed too.
 */
export function checkGatewayBoundHost(sni: boolean, domain: string): string | undefined {
  const pre = checkDnsPreconditions(domain);
  if (pre) return pre;
  if (sni && domain.startsWith('outbound_')) {
    const parts = domain.split('_');
    if (parts.length < 4) return 'should follow the outbound_.<PORT>_._.<HOSTNAME> format';
    const port = parts[1].replace(/^\.+|\.+$/g, '');
    const host = parts[3].replace(/^\.+|\.+$/g, '');
    if (parts[0] !== 'outbound') return `label ${JSON.stringify(parts[0])} is invalid`;
    if (!/[0-9]/.test(port) || !/[a-zA-Z]/.test(host)) return 'should follow the outbound_.<PORT>_._.<HOSTNAME> format';
    return undefined;
  }
  return checkWildcardDomain(domain);
}

/** Partial wildcards (`foo*.com`, `*foo.com`) are not supported; `*` and `*.x` are. */
export function isPartialWildcard(host: string): boolean {
  return host.includes('*') && host.length !== 1 && !host.startsWith('*.');
}

/** An IP address (v4 or v6, v6 with an optional zone). */
export function isIpAddress(s: string): boolean {
  return isIP(s) !== 0;
}

/** An IP address or a CIDR block. */
export function checkIpOrCidr(s: string): string | undefined {
  const slashes = s.split('/').length - 1;
  if (slashes === 1) return isCidr(s) ? undefined : 'is not a valid CIDR block';
  return isIpAddress(s) ? undefined : 'is not a valid IP address';
}

/** `addr/bits`, bits in range for the address family, no zone. */
export function isCidr(s: string): boolean {
  const slash = s.indexOf('/');
  if (slash < 0) return false;
  const addr = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  if (!/^(?:0|[1-9]\d{0,2})$/.test(bits) || addr.includes('%')) return false;
  const family = isIP(addr);
  return family !== 0 && Number(bits) <= (family === 4 ? 32 : 128);
}

/** Kubernetes label syntax of a key; undefined when valid. */
export function checkLabelKey(k: string): string | undefined {
  const m = LABEL_KEY.exec(k);
  if (!m) return `invalid label key ${JSON.stringify(k)}`;
  if (m[1] && m[1].length - 1 > 253) return `invalid label key ${JSON.stringify(k)} (prefix longer than 253)`;
  if (m[2].length > 63) return `invalid label key ${JSON.stringify(k)} (name longer than 63)`;
  return undefined;
}

/** Kubernetes label syntax of a value (may be empty). */
export function isLabelValue(v: string): boolean {
  return LABEL_VALUE.test(v);
}

// ---- protocols ----

/** Istio's port protocols, parsed case-insensitively. */
export type Protocol = 'HTTP' | 'HTTPS' | 'HTTP2' | 'HTTP_PROXY' | 'GRPC' | 'GRPC-WEB' | 'TCP' | 'TLS' | 'UDP' | 'MONGO' | 'REDIS' | 'MYSQL' | 'UNSUPPORTED';

const PROTOCOLS: Record<string, Protocol> = {
  'http': 'HTTP',
  'https': 'HTTPS',
  'http2': 'HTTP2',
  'http_proxy': 'HTTP_PROXY',
  'grpc': 'GRPC',
  'grpc-web': 'GRPC-WEB',
  'tcp': 'TCP',
  'tls': 'TLS',
  'udp': 'UDP',
  'mongo': 'MONGO',
  'redis': 'REDIS',
  'mysql': 'MYSQL',
};
export const PROTOCOL_LIST = 'HTTP, HTTPS, HTTP2, GRPC, GRPC-WEB, HTTP_PROXY, TCP, TLS, UDP, MONGO, MYSQL, REDIS';

export function parseProtocol(p: string): Protocol {
  return PROTOCOLS[p.toLowerCase()] ?? 'UNSUPPORTED';
}

export function isHttpProtocol(p: Protocol): boolean {
  return p === 'HTTP' || p === 'HTTP2' || p === 'HTTP_PROXY' || p === 'GRPC' || p === 'GRPC-WEB';
}

export function isTlsProtocol(p: Protocol): boolean {
  return p === 'HTTPS' || p === 'TLS';
}

// ---- host matching, wildcard-aware ----

/** True if the two hosts can match a common name (`*.a.com` and `b.a.com`, `*` and anything). */
export function hostsOverlap(a: string, b: string): boolean {
  const aw = a.startsWith('*');
  const bw = b.startsWith('*');
  if (aw && bw) return a.length < b.length ? b.slice(1).endsWith(a.slice(1)) : a.slice(1).endsWith(b.slice(1));
  if (aw) return b.endsWith(a.slice(1));
  if (bw) return a.endsWith(b.slice(1));
  return a === b;
}

/** True if every name `a` matches is also matched by `b`. */
export function hostSubsetOf(a: string, b: string): boolean {
  const aw = a.startsWith('*');
  const bw = b.startsWith('*');
  if (aw) return bw && a.length >= b.length && a.slice(1).endsWith(b.slice(1));
  if (bw) return a.endsWith(b.slice(1));
  return a === b;
}
