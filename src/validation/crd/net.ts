/* eslint-disable no-bitwise */ // IP address arithmetic
/**
 * Go's address and URL parsers, as far as Kubernetes' schema formats and CEL
 * libraries use them: net.ParseIP / netip.ParseAddr / netip.ParsePrefix / net.ParseMAC
 * and net/url's Parse / ParseRequestURI.
 */

/** A parsed IP address: 4 or 16 bytes, and the IPv6 zone if any. */
export interface IpAddr {
  readonly bytes: number[];
  readonly zone?: string;
}

/** Dotted-decimal IPv4. `sloppy` accepts leading zeros (as decimal), like Kubernetes' ParseIPSloppy. */
export function parseIPv4(s: string, sloppy: boolean): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (p.length === 0 || p.length > 3 || !/^[0-9]+$/.test(p)) return undefined;
    if (!sloppy && p.length > 1 && p[0] === '0') return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

/** IPv6 (optionally ending in dotted IPv4), without zone. */
export function parseIPv6(s: string, sloppy: boolean): number[] | undefined {
  if (s.length === 0) return undefined;
  const groups: number[] = [];
  let ellipsis = -1;
  let i = 0;
  if (s.startsWith('::')) {
    ellipsis = 0;
    i = 2;
    if (i === s.length) return new Array(16).fill(0);
  }
  const bytes: number[] = [];
  while (i < s.length) {
    // hex group or trailing IPv4
    let j = i;
    while (j < s.length && /[0-9a-fA-F]/.test(s[j])) j++;
    if (j < s.length && s[j] === '.') {
      // embedded IPv4: must be last
      if (ellipsis < 0 && groups.length !== 6) return undefined;
      if (groups.length > 6) return undefined;
      const v4 = parseIPv4(s.slice(i), sloppy);
      if (!v4) return undefined;
      groups.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      i = s.length;
      break;
    }
    if (j === i || j - i > 4) return undefined;
    groups.push(parseInt(s.slice(i, j), 16));
    i = j;
    if (i === s.length) break;
    if (s[i] !== ':') return undefined;
    i++;
    if (s[i] === ':') {
      if (ellipsis >= 0) return undefined;
      ellipsis = groups.length;
      i++;
      if (i === s.length) break;
    } else if (i === s.length) {
      return undefined; // trailing single colon
    }
    if (groups.length > 8) return undefined;
  }
  if (ellipsis >= 0) {
    if (groups.length > 7) return undefined;
    const fill = new Array(8 - groups.length).fill(0);
    groups.splice(ellipsis, 0, ...fill);
  } else if (groups.length !== 8) {
    return undefined;
  }
  for (const g of groups) bytes.push(g >> 8, g & 0xff);
  return bytes;
}

/** Go net.ParseIP (with ParseIPSloppy's leading-zero tolerance when sloppy). */
export function goParseIP(s: string, sloppy = true): number[] | undefined {
  if (s.includes(':')) return parseIPv6(s, sloppy);
  return parseIPv4(s, sloppy);
}

/** Go netip.ParseAddr: strict IPv4, IPv6 with optional zone. */
export function netipParseAddr(s: string): IpAddr | undefined {
  if (s.includes(':')) {
    let zone: string | undefined;
    let addr = s;
    const pct = s.indexOf('%');
    if (pct >= 0) {
      zone = s.slice(pct + 1);
      addr = s.slice(0, pct);
      if (zone === '') return undefined;
    }
    const bytes = parseIPv6(addr, false);
    if (!bytes) return undefined;
    return zone === undefined ? { bytes } : { bytes, zone };
  }
  const v4 = parseIPv4(s, false);
  return v4 ? { bytes: v4 } : undefined;
}

/** True for an IPv4-mapped IPv6 address (::ffff:a.b.c.d). */
export function is4In6(a: IpAddr): boolean {
  if (a.bytes.length !== 16) return false;
  for (let i = 0; i < 10; i++) if (a.bytes[i] !== 0) return false;
  return a.bytes[10] === 0xff && a.bytes[11] === 0xff;
}

/** netip.Addr.String(). */
export function formatAddr(a: IpAddr): string {
  const b = a.bytes;
  if (b.length === 4) return b.join('.');
  if (is4In6(a)) return `::ffff:${b.slice(12).join('.')}${a.zone ? `%${a.zone}` : ''}`;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i] << 8) | b[i + 1]);
  // longest run of >= 2 zero groups, first on ties
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += '::';
      i += bestLen - 1;
      continue;
    }
    if (out.length > 0 && !out.endsWith(':')) out += ':';
    out += groups[i].toString(16);
  }
  return out + (a.zone ? `%${a.zone}` : '');
}

/** A parsed CIDR prefix. */
export interface IpPrefix {
  readonly addr: IpAddr;
  readonly bits: number;
}

/** Go netip.ParsePrefix. */
export function netipParsePrefix(s: string): IpPrefix | undefined {
  const slash = s.lastIndexOf('/');
  if (slash < 0) return undefined;
  const addr = netipParseAddr(s.slice(0, slash));
  if (!addr || addr.zone !== undefined) return undefined;
  const bitsText = s.slice(slash + 1);
  if (!/^[0-9]+$/.test(bitsText) || (bitsText.length > 1 && bitsText[0] === '0')) return undefined;
  const bits = Number(bitsText);
  if (bits > addr.bytes.length * 8) return undefined;
  return { addr, bits };
}

/** Go net.ParseCIDR (sloppy: leading zeros in IPv4 accepted). */
export function goParseCIDR(s: string): boolean {
  const slash = s.indexOf('/');
  if (slash < 0) return false;
  const ip = goParseIP(s.slice(0, slash));
  if (!ip) return false;
  const bitsText = s.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(bitsText)) return false;
  return Number(bitsText) <= ip.length * 8;
}

/** The address with the host bits cleared. */
export function maskAddr(p: IpPrefix): IpAddr {
  const bytes = p.addr.bytes.map((b, i) => {
    const keep = Math.max(0, Math.min(8, p.bits - i * 8));
    return keep === 8 ? b : b & ((0xff << (8 - keep)) & 0xff);
  });
  return { bytes };
}

/** True if the prefix contains the address (same family). */
export function prefixContains(p: IpPrefix, a: IpAddr): boolean {
  if (a.bytes.length !== p.addr.bytes.length || a.zone !== undefined) return false;
  const m1 = maskAddr(p).bytes;
  const m2 = maskAddr({ addr: a, bits: p.bits }).bytes;
  return m1.every((b, i) => b === m2[i]);
}

/** Go net.ParseMAC. */
export function goParseMAC(s: string): boolean {
  if (s.length < 14) return false;
  if (s[2] === ':' || s[2] === '-') {
    if ((s.length + 1) % 3 !== 0) return false;
    const n = (s.length + 1) / 3;
    if (n !== 6 && n !== 8 && n !== 20) return false;
    const sep = s[2];
    for (let i = 0; i < n; i++) {
      const part = s.slice(i * 3, i * 3 + 2);
      if (!/^[0-9a-fA-F]{2}$/.test(part)) return false;
      if (i < n - 1 && s[i * 3 + 2] !== sep) return false;
    }
    return true;
  }
  if (s[4] === '.') {
    if ((s.length + 1) % 5 !== 0) return false;
    const n = (2 * (s.length + 1)) / 5;
    if (n !== 6 && n !== 8 && n !== 20) return false;
    for (let i = 0; i < n / 2; i++) {
      const part = s.slice(i * 5, i * 5 + 4);
      if (!/^[0-9a-fA-F]{4}$/.test(part)) return false;
      if (i < n / 2 - 1 && s[i * 5 + 4] !== '.') return false;
    }
    return true;
  }
  return false;
}

/** A URL as Go's net/url parses it. */
export interface GoUrl {
  readonly scheme: string;
  readonly opaque: string;
  readonly user?: string;
  readonly host: string;
  readonly path: string;
  readonly rawQuery: string;
  readonly fragment: string;
}

/** Thrown for a string that Go's net/url rejects. */
export class UrlError extends Error {}

function isHex(c: string): boolean {
  return /^[0-9a-fA-F]$/.test(c);
}

/** net/url unescape validation in the given mode; returns the unescaped text. */
function unescape(s: string, mode: 'host' | 'zone' | 'path' | 'userinfo' | 'fragment' | 'query'): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '%') {
      if (!(isHex(s[i + 1] ?? '') && isHex(s[i + 2] ?? ''))) {
        throw new UrlError(`invalid URL escape ${JSON.stringify(s.slice(i, i + 3))}`);
      }
      const v = parseInt(s.slice(i + 1, i + 3), 16);
      if (mode === 'host' && v < 0x80 && s.slice(i, i + 3) !== '%25') {
        throw new UrlError(`invalid URL escape ${JSON.stringify(s.slice(i, i + 3))}`);
      }
      if (mode === 'zone' && s.slice(i, i + 3) !== '%25' && v !== 0x20 && v < 0x80 && shouldEscapeHost(String.fromCharCode(v))) {
        throw new UrlError(`invalid URL escape ${JSON.stringify(s.slice(i, i + 3))}`);
      }
      out += String.fromCharCode(v);
      i += 2;
      continue;
    }
    if ((mode === 'host' || mode === 'zone') && c.charCodeAt(0) < 0x80 && shouldEscapeHost(c)) {
      throw new UrlError(`invalid character ${JSON.stringify(c)} in host name`);
    }
    out += c;
  }
  return out;
}

function shouldEscapeHost(c: string): boolean {
  if (/[A-Za-z0-9]/.test(c)) return false;
  if ('-_.~'.includes(c)) return false;
  // RFC 3986 sub-delims, ':' and '[' ']' and '<' '>' '"' are allowed in hosts by Go
  if ("!$&'()*+,;=:[]<>\"".includes(c)) return false;
  return true;
}

function validUserinfo(s: string): boolean {
  for (const c of s) {
    if (/[A-Za-z0-9]/.test(c)) continue;
    if ("-._:~!$&'()*+,;=%@".includes(c)) continue;
    return false;
  }
  return true;
}

function validOptionalPort(port: string): boolean {
  if (port === '') return true;
  if (port[0] !== ':') return false;
  return /^[0-9]*$/.test(port.slice(1));
}

function parseHost(host: string): string {
  if (host.startsWith('[')) {
    const i = host.lastIndexOf(']');
    if (i < 0) throw new UrlError('missing \']\' in host');
    const colonPort = host.slice(i + 1);
    if (!validOptionalPort(colonPort)) throw new UrlError(`invalid port ${JSON.stringify(colonPort)} after host`);
    const zone = host.slice(0, i).indexOf('%25');
    if (zone >= 0) {
      const host1 = unescape(host.slice(0, zone), 'host');
      const host2 = unescape(host.slice(zone, i), 'zone');
      const host3 = unescape(host.slice(i), 'host');
      return host1 + host2 + host3;
    }
  } else {
    const i = host.lastIndexOf(':');
    if (i >= 0) {
      const colonPort = host.slice(i);
      if (!validOptionalPort(colonPort)) throw new UrlError(`invalid port ${JSON.stringify(colonPort)} after host`);
    }
  }
  return unescape(host, 'host');
}

function hasCtl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

function getScheme(raw: string): [string, string] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (/[a-zA-Z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) return ['', raw];
      continue;
    }
    if (c === ':') {
      if (i === 0) throw new UrlError('missing protocol scheme');
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ['', raw];
  }
  return ['', raw];
}

function parseInternal(raw: string, viaRequest: boolean): GoUrl {
  if (hasCtl(raw)) throw new UrlError('invalid control character in URL');
  if (raw === '' && viaRequest) throw new UrlError('empty url');
  if (raw === '*') return { scheme: '', opaque: '', host: '', path: '*', rawQuery: '', fragment: '' };
  let [scheme, rest] = getScheme(raw);
  scheme = scheme.toLowerCase();
  let rawQuery = '';
  if (rest.endsWith('?') && rest.split('?').length === 2) {
    rest = rest.slice(0, -1);
  } else {
    const q = rest.indexOf('?');
    if (q >= 0) {
      rawQuery = rest.slice(q + 1);
      rest = rest.slice(0, q);
    }
  }
  if (!rest.startsWith('/')) {
    if (scheme !== '') {
      return { scheme, opaque: rest, host: '', path: '', rawQuery, fragment: '' };
    }
    if (viaRequest) throw new UrlError('invalid URI for request');
    const seg = rest.split('/')[0];
    if (seg.includes(':')) throw new UrlError('first path segment in URL cannot contain colon');
  }
  let user: string | undefined;
  let host = '';
  if ((scheme !== '' || (!viaRequest && !rest.startsWith('///'))) && rest.startsWith('//')) {
    let authority = rest.slice(2);
    rest = '';
    const slash = authority.indexOf('/');
    if (slash >= 0) {
      rest = authority.slice(slash);
      authority = authority.slice(0, slash);
    }
    const at = authority.lastIndexOf('@');
    if (at >= 0) {
      const userinfo = authority.slice(0, at);
      if (!validUserinfo(userinfo)) throw new UrlError('net/url: invalid userinfo');
      user = userinfo;
      host = parseHost(authority.slice(at + 1));
    } else {
      host = parseHost(authority);
    }
  }
  const path = unescape(rest, 'path');
  return user === undefined
    ? { scheme, opaque: '', host, path, rawQuery, fragment: '' }
    : { scheme, opaque: '', user, host, path, rawQuery, fragment: '' };
}

/** Go url.ParseRequestURI (what Kubernetes' isURL() and url() use). */
export function parseRequestURI(raw: string): GoUrl {
  return parseInternal(raw, true);
}

/** Go url.Parse (with fragment). */
export function parseURL(raw: string): GoUrl {
  const hash = raw.indexOf('#');
  const base = hash >= 0 ? raw.slice(0, hash) : raw;
  const frag = hash >= 0 ? raw.slice(hash + 1) : '';
  const u = parseInternal(base, false);
  if (frag !== '') unescape(frag, 'fragment');
  return { ...u, fragment: frag };
}

/** url.URL.Hostname(): the host without port, IPv6 brackets removed. */
export function urlHostname(u: GoUrl): string {
  const host = u.host;
  if (host.startsWith('[')) {
    const i = host.indexOf(']');
    return i >= 0 ? host.slice(1, i) : host.slice(1);
  }
  const colon = host.lastIndexOf(':');
  return colon >= 0 && validOptionalPort(host.slice(colon)) ? host.slice(0, colon) : host;
}

/** url.URL.Port(). */
export function urlPort(u: GoUrl): string {
  const host = u.host;
  const colon = host.lastIndexOf(':');
  if (colon < 0) return '';
  if (host.startsWith('[') && host.lastIndexOf(']') > colon) return '';
  const port = host.slice(colon + 1);
  return /^[0-9]*$/.test(port) ? port : '';
}

/** url.URL.EscapedPath() (approximately: escapes what Go's PathEscape-ish encodePath escapes). */
export function urlEscapedPath(u: GoUrl): string {
  let out = '';
  for (const c of u.path) {
    if (/[A-Za-z0-9\-_.~$&+,/:;=@!'()*]/.test(c)) out += c;
    else out += encodeURIComponent(c).replace(/[!'()*]/g, ch => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  }
  return out;
}

/** url.ParseQuery, ignoring malformed pairs like Go's URL.Query(). */
export function urlQuery(u: GoUrl): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of u.rawQuery.split('&')) {
    if (part === '' || part.includes(';')) continue;
    const eq = part.indexOf('=');
    const rawKey = eq >= 0 ? part.slice(0, eq) : part;
    const rawValue = eq >= 0 ? part.slice(eq + 1) : '';
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
    } catch {
      continue;
    }
    const list = out.get(key) ?? [];
    list.push(value);
    out.set(key, list);
  }
  return out;
}
