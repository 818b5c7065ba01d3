/**
 * The OpenAPI `format`s Kubernetes validates on strings
 * (apiextensions-apiserver's supported formats over kube-openapi's strfmt registry).
 * Kubernetes ignores every other format, and checks formats on string values only:
 * `int32`, `int64`, `double` etc. are documentation for numbers, not validated.
 */
import { goParseCIDR, goParseIP, goParseMAC, parseURL } from './net';

/** A string format check. */
export interface FormatCheck {
  /** What the value must be, for messages. */
  readonly description: string;
  test(value: string): boolean;
}

function re(r: RegExp, description: string): FormatCheck {
  return { description, test: v => r.test(v) };
}

function luhn(digits: string): boolean {
  let sum = 0;
  let alt = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let n = digits.charCodeAt(i) - 48;
    if (alt) {
      n *= 2;
      if (n > 9) n -= 9;
    }
    sum += n;
    alt = !alt;
  }
  return sum % 10 === 0;
}

function isbn10(s: string): boolean {
  const v = s.replace(/[\s-]/g, '');
  if (!/^[0-9]{9}[0-9X]$/.test(v)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (i + 1) * (v.charCodeAt(i) - 48);
  sum += v[9] === 'X' ? 100 : 10 * (v.charCodeAt(9) - 48);
  return sum % 11 === 0;
}

function isbn13(s: string): boolean {
  const v = s.replace(/[\s-]/g, '');
  if (!/^[0-9]{13}$/.test(v)) return false;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += (v.charCodeAt(i) - 48) * (i % 2 === 0 ? 1 : 3);
  return (10 - (sum % 10)) % 10 === v.charCodeAt(12) - 48;
}

function daysIn(year: number, month: number): number {
  return [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

function validDate(y: string, m: string, d: string): boolean {
  const month = Number(m);
  const day = Number(d);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysIn(Number(y), month);
}

const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const DATE_TIME = /^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?([Zz]|[+-][0-9]{2}:?[0-9]{2})?$/;

function dateTime(s: string): boolean {
  const m = DATE_TIME.exec(s);
  if (!m) return false;
  return validDate(m[1], m[2], m[3]) && Number(m[4]) < 24 && Number(m[5]) < 60 && Number(m[6]) < 60;
}

const GO_DURATION = /^[-+]?(0|([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h)(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))*)$/;
const STRFMT_DURATION = /^[-+]?[0-9]+\s*(ns|us|µs|ms|s|m|h|d|w|nanoseconds?|microseconds?|milliseconds?|seconds?|minutes?|hours?|days?|weeks?|sec|secs|min|mins|hr|hrs)$/i;

function base64(s: string): boolean {
  // Go base64.StdEncoding: padded, standard alphabet (CR/LF ignored)
  const v = s.replace(/[\r\n]/g, '');
  return v.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(v);
}

const HOSTNAME = /^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9\-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$/u;
const RGB = /^rgb\(\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*\)$/;
const CREDIT_CARD = /^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|(222[1-9]|22[3-9][0-9]|2[3-6][0-9]{2}|27[01][0-9]|2720)[0-9]{12}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11}|6[27][0-9]{14})$/;

/**
 * The formats Kubernetes validates (the apiextensions-apiserver supported set; `date-time`
 * is strfmt's `datetime` after its name normalization).
 */
export const FORMATS: { readonly [name: string]: FormatCheck } = {
  bsonobjectid: re(/^[0-9a-fA-F]{24}$/, 'a BSON object id (24 hex digits)'),
  uri: {
    description: 'a URI',
    test: v => {
      try {
        parseURL(v);
        return true;
      } catch {
        return false;
      }
    },
  },
  email: re(/^(?:[^\s@<>"]+|"[^"]*")@[^\s@<>]+$|^[^<>]*<[^\s@<>]+@[^\s@<>]+>$/, 'an email address'),
  hostname: { description: 'a hostname', test: v => v.length <= 255 && HOSTNAME.test(v) },
  ipv4: { description: 'an IPv4 address', test: v => goParseIP(v) !== undefined && v.includes('.') },
  ipv6: { description: 'an IPv6 address', test: v => goParseIP(v) !== undefined && v.includes(':') },
  cidr: { description: 'a CIDR (like 10.0.0.0/8)', test: goParseCIDR },
  mac: { description: 'a MAC address', test: goParseMAC },
  uuid: re(/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i, 'a UUID'),
  uuid3: re(/^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i, 'a version 3 UUID'),
  uuid4: re(/^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i, 'a version 4 UUID'),
  uuid5: re(/^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i, 'a version 5 UUID'),
  isbn: { description: 'an ISBN', test: v => isbn10(v) || isbn13(v) },
  isbn10: { description: 'an ISBN-10', test: isbn10 },
  isbn13: { description: 'an ISBN-13', test: isbn13 },
  creditcard: { description: 'a credit card number', test: v => { const d = v.replace(/[ -]/g, ''); return CREDIT_CARD.test(d) && luhn(d); } },
  ssn: re(/^\d{3}[- ]?\d{2}[- ]?\d{4}$/, 'a US social security number'),
  hexcolor: re(/^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, 'a hex color'),
  rgbcolor: re(RGB, 'an rgb(r, g, b) color'),
  byte: { description: 'base64-encoded bytes', test: base64 },
  password: { description: 'a password', test: () => true },
  date: { description: 'a date (YYYY-MM-DD)', test: v => { const m = DATE.exec(v); return m !== null && validDate(m[1], m[2], m[3]); } },
  duration: { description: 'a duration', test: v => GO_DURATION.test(v) || STRFMT_DURATION.test(v) },
  datetime: { description: 'an RFC 3339 date-time', test: dateTime },
};

/**
 * Formats that appear in the CRDs but that Kubernetes does not validate
 * (numeric formats, which apply to numbers; Kubernetes checks formats on strings only).
 */
export const IGNORED_FORMATS: readonly string[] = ['int32', 'int64', 'float', 'double', 'int-or-string'];

/** The check for a format name, after strfmt's name normalization; undefined if Kubernetes ignores it. */
export function formatCheck(name: string): FormatCheck | undefined {
  const normalized = name.replace(/[-_ ]/g, '').toLowerCase();
  return Object.prototype.hasOwnProperty.call(FORMATS, normalized) ? FORMATS[normalized] : undefined;
}
