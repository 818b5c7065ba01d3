/**
 * The syntax of names, hosts and addresses, one copy of each rule for every construct:
 * DNS labels and subdomains, host names with wildcards, IP addresses and CIDR blocks,
 * `namespace/host` entries, Kubernetes label keys and values, HTTP header names.
 *
 * Internal helpers: not part of the public (jsii) API, `src/index.ts` does not
 * re-export this module.
 */
import { isIP } from 'net';
import { IConstruct } from 'constructs';
import { throwPropError } from './errors';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_LABEL_ANY_CASE = /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A first host label with Istio's wildcards: `*`, `*foo` or `*-foo`. */
const WILDCARD_LABEL = /^(\*|(\*|\*-)?[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)$/;
/** The name part of a label key (also a non-empty label value). */
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
/** A label value: empty, or as LABEL_NAME. */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/** RFC 9110 token characters: what an HTTP header (or cookie) name is made of. */
const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Istio's header name syntax (header operations, CORS, claim-to-header). */
const ISTIO_HEADER_NAME = /^[-_A-Za-z0-9]+$/;

// ---------------------------------------------------------------------------
// DNS names (Kubernetes object names and namespaces, hosts)
// ---------------------------------------------------------------------------

/**
 * A DNS-1123 label: lowercase alphanumerics and "-", starting and ending alphanumeric,
 * at most 63 characters (namespaces, subset names, port names, Service names).
 */
export function isDnsLabel(value: string): boolean {
  return typeof value === 'string' && value.length <= 63 && DNS_LABEL.test(value);
}

/**
 * A DNS-1123 label in either case, as labels of host names are (DNS is
 * case-insensitive): alphanumerics and "-", at most 63 characters.
 */
export function isHostLabel(value: string): boolean {
  return value.length <= 63 && DNS_LABEL_ANY_CASE.test(value);
}

/**
 * A DNS-1123 subdomain, as Kubernetes object names are: dot-separated lowercase labels,
 * at most 253 characters. Kubernetes does not limit each label to 63 characters;
 * with `labelsUpTo63` each label must also be a DNS label (at most 63).
 */
export function isDnsSubdomain(value: string, labelsUpTo63: boolean = false): boolean {
  if (typeof value !== 'string' || value.length > 253 || !DNS_SUBDOMAIN.test(value)) return false;
  return !labelsUpTo63 || value.split('.').every(label => label.length <= 63);
}

/** Dot-separated DNS labels (a trailing dot is allowed), at most 255 characters. No wildcard. */
export function isDnsName(value: string): boolean {
  if (value.length === 0 || value.length > 255) return false;
  const labels = value.endsWith('.') ? value.slice(0, -1).split('.') : value.split('.');
  return labels.every(isDnsLabel);
}

/** A DNS name with at least one dot (Istio's "FQDN"). */
export function isFqdn(value: string): boolean {
  return isDnsName(value) && value.replace(/\.$/, '').includes('.');
}

/**
 * A host with an optional wildcard first label: `*`, `*.example.com` or a DNS name.
 * Partial wildcards (`*foo.example.com`, `foo.*.com`) are rejected, as Istio does.
 */
export function isWildcardHost(value: string): boolean {
  if (value === '*') return true;
  if (value.startsWith('*.')) return isDnsName(value.slice(2));
  return isDnsName(value);
}

/**
 * Why a host name is invalid (Istio's `ValidateWildcardDomain`: at most 255 characters,
 * a wildcard only in the first label, DNS-1123 labels, a top-level domain that is not
 * all digits, an optional trailing dot), or undefined when it is valid.
 */
export function wildcardDomainProblem(host: string, allowWildcard: boolean = true): string | undefined {
  if (host.length === 0) return 'it is empty';
  if (host.length > 255) return 'it is longer than 255 characters';
  const labels = host.split('.');
  const first = labels[0];
  if (allowWildcard ? !(first.length <= 63 && WILDCARD_LABEL.test(first)) : !isHostLabel(first)) {
    return `label "${first}" is not a DNS-1123 label${allowWildcard ? ' (a wildcard is allowed only as the first label, as `*` or a `*` prefix)' : ''}`;
  }
  const rest = labels.slice(1);
  if (rest.length === 0) return undefined;
  const last = rest[rest.length - 1];
  const tld = last === '' ? rest[rest.length - 2] : last;
  if (tld !== undefined && /^[0-9]+$/.test(tld)) return `the top-level domain "${tld}" is all digits`;
  for (let i = 0; i < rest.length; i++) {
    if (i === rest.length - 1 && rest[i] === '') break; // trailing dot
    if (!isHostLabel(rest[i])) return `label "${rest[i]}" is not a DNS-1123 label`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Addresses
// ---------------------------------------------------------------------------

/** An IPv4 or IPv6 address. */
export function isIpAddress(value: string): boolean {
  return isIP(value) !== 0;
}

/** An IPv4 or IPv6 CIDR block (`10.0.0.0/8`, `2001:db8::/32`). */
export function isCidr(value: string): boolean {
  const parts = value.split('/');
  if (parts.length !== 2 || !/^\d{1,3}$/.test(parts[1])) return false;
  const family = isIP(parts[0]);
  const bits = Number(parts[1]);
  return (family === 4 && bits <= 32) || (family === 6 && bits <= 128);
}

/** An IP address or a CIDR block. */
export function isIpBlock(value: string): boolean {
  return isIpAddress(value) || isCidr(value);
}

/**
 * Checks a unix domain socket address `unix://<absolute path>` or `unix://@<abstract>`,
 * not ending in `/` (as Istio validates it).
 */
export function isUnixAddress(value: string): boolean {
  if (!value.startsWith('unix://')) return false;
  const path = value.slice('unix://'.length);
  if (path.startsWith('@')) return path.length > 1;
  return path.startsWith('/') && !path.endsWith('/') && path.length > 1;
}

// ---------------------------------------------------------------------------
// `namespace/host` entries and host overlap
// ---------------------------------------------------------------------------

/** Where a `namespace/host` entry is used: the rules differ slightly. */
export enum NamespacedHostContext {
  /** Gateway server hosts: `ns/` optional; namespace `*`, `.` or a name; the host may be an IP. */
  GATEWAY = 'GATEWAY',
  /** Sidecar egress hosts: `ns/` required; namespace `*`, `.`, `~` or a name. */
  SIDECAR = 'SIDECAR',
}

/**
 * Checks a `namespace/dnsName` host as Gateway servers and Sidecar egress listeners
 * take it. The dnsName is `*`, `*.example.com` or a name with a dot (no short names,
 * no partial wildcards).
 */
export function checkNamespacedHost(scope: IConstruct, prop: string, value: string, context: NamespacedHostContext): void {
  const gateway = context === NamespacedHostContext.GATEWAY;
  const slash = value.indexOf('/');
  if (slash < 0 && !gateway) {
    throwPropError(scope, prop, value, 'a host must be "<namespace>/<dnsName>": "./*" (this namespace), "*/<host>" (any namespace), "~/*" (none) or "<namespace>/<host>"');
  }
  const ns = slash < 0 ? undefined : value.slice(0, slash);
  const host = slash < 0 ? value : value.slice(slash + 1);
  const namespaces = gateway ? '"*", "." or a namespace name' : '"*", ".", "~" or a namespace name';
  if (ns !== undefined && !(ns === '*' || ns === '.' || (!gateway && ns === '~') || isDnsLabel(ns))) {
    throwPropError(scope, prop, value, `the namespace part must be ${namespaces}`);
  }
  const hostOk = host === '*'
    || (isWildcardHost(host) && host.replace(/\.$/, '').includes('.'))
    || (gateway && isIpAddress(host));
  if (!hostOk) {
    throwPropError(scope, prop, value,
      `the host part must be "*", "*.<domain>" or a fully qualified name such as "reviews.bookinfo.svc.cluster.local"${gateway ? ' or an IP address' : ''} (no short names, no partial wildcards)`);
  }
}

/**
 * True when two hosts can match the same name: equal, or one is a wildcard
 * (`*`, `*.example.com`) covering the other, or two wildcards that overlap.
 */
export function hostsIntersect(a: string, b: string): boolean {
  const x = a.toLowerCase().replace(/\.$/, '');
  const y = b.toLowerCase().replace(/\.$/, '');
  if (x === '*' || y === '*') return true;
  const xw = x.startsWith('*.');
  const yw = y.startsWith('*.');
  if (xw && yw) {
    const xs = x.slice(1);
    const ys = y.slice(1);
    return xs.endsWith(ys) || ys.endsWith(xs);
  }
  if (xw) return y.endsWith(x.slice(1));
  if (yw) return x.endsWith(y.slice(1));
  return x === y;
}

// ---------------------------------------------------------------------------
// Kubernetes labels
// ---------------------------------------------------------------------------

/** The name part of a label key (after the optional `<prefix>/`): up to 63 letters, digits, "-", "_" and ".", alphanumeric at both ends. */
export function isLabelName(name: string): boolean {
  return name.length > 0 && name.length <= 63 && LABEL_NAME.test(name);
}

/** A label value: empty, or up to 63 letters, digits, "-", "_" and ".", alphanumeric at both ends. */
export function isLabelValue(value: string): boolean {
  return typeof value === 'string' && value.length <= 63 && LABEL_VALUE.test(value);
}

// The two label-set checks below differ, and each keeps the rules of the constructs
// that use it: `labelsProblem` splits a key at its first "/" and takes a prefix the
// way Istio's host check does (a top-level label that is all digits is rejected),
// `checkLabels` splits at the last "/" and takes any DNS subdomain of labels up to
// 63 characters as the prefix.

/**
 * Why a label set is invalid as Kubernetes labels, or undefined (DestinationRule
 * subsets and workload selectors). A key's prefix is a lower case DNS subdomain
 * without a trailing dot or an all-digit top-level label.
 */
export function labelsProblem(labels: { [key: string]: string }): string | undefined {
  for (const [key, value] of Object.entries(labels)) {
    const slash = key.indexOf('/');
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    if (prefix !== undefined && (prefix.length > 253 || prefix !== prefix.toLowerCase() || wildcardDomainProblem(prefix, false) !== undefined || prefix.endsWith('.'))) {
      return `label key "${key}" has an invalid prefix (a lower case DNS subdomain)`;
    }
    if (!isLabelName(name)) {
      return `label key "${key}" is not a valid label name`;
    }
    if (!isLabelValue(value)) {
      return `label value "${value}" of "${key}" is not a valid label value`;
    }
  }
  return undefined;
}

/** Checks Kubernetes labels (keys `[prefix/]name`, values up to 63 characters): VirtualService `sourceLabels`. */
export function checkLabels(scope: IConstruct, prop: string, labels: { [key: string]: string }): void {
  for (const [key, value] of Object.entries(labels)) {
    const slash = key.lastIndexOf('/');
    const prefix = slash === -1 ? undefined : key.slice(0, slash);
    const name = slash === -1 ? key : key.slice(slash + 1);
    if (!isLabelName(name) || (prefix !== undefined && !isDnsSubdomain(prefix, true))) {
      throwPropError(scope, `${prop} key`, key, 'a label key is "[<dns-prefix>/]<name>", the name up to 63 letters, digits, "-", "_" and "."');
    }
    if (!isLabelValue(value)) {
      throwPropError(scope, `${prop}["${key}"]`, value, 'a label value is up to 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit');
    }
  }
}

// ---------------------------------------------------------------------------
// HTTP names
// ---------------------------------------------------------------------------

/** An HTTP header or cookie name: an RFC 9110 token (letters, digits and !#$%&'*+-.^_`|~). */
export function isHttpToken(name: string): boolean {
  return HTTP_TOKEN.test(name);
}

/** A header name as Istio's header operations, CORS and claim headers take it: letters, digits, "-" and "_". */
export function isIstioHeaderName(name: string): boolean {
  return ISTIO_HEADER_NAME.test(name);
}
