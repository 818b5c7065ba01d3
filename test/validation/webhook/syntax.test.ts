import { celEnv, isCelError } from '@bufbuild/cel';
import { parseGoDuration } from '../../../src/validation/webhook/syntax/duration';
import {
  checkFqdn, checkGatewayBoundHost, checkIpOrCidr, checkLabelKey, checkWildcardDomain, hostSubsetOf, hostsOverlap, isDnsLabel,
  isLabelValue, isPartialWildcard, parseProtocol,
} from '../../../src/validation/webhook/syntax/names';
import { checkRe2 } from '../../../src/validation/webhook/syntax/re2';

describe('Go durations', () => {
  test.each([
    ['0', 0n], ['1ns', 1n], ['1us', 1_000n], ['1µs', 1_000n], ['1μs', 1_000n], ['250ms', 250_000_000n], ['1.5s', 1_500_000_000n],
    ['1m30s', 90_000_000_000n], ['2h', 7_200_000_000_000n], ['-2s', -2_000_000_000n], ['+5s', 5_000_000_000n], ['.5s', 500_000_000n],
    ['1.s', 1_000_000_000n], ['1h2m3.004s', 3_723_004_000_000n], ['0.0005s', 500_000n], ['0s', 0n],
  ])('%s parses to %s ns', (s, ns) => {
    expect(parseGoDuration(s)).toBe(ns);
  });

  test.each(['', '5', '1.5', 's', '.s', '1x', '1 s', '1s ', '--1s', '1d', '10000000000h', 'abc', '1ss'])('%j does not parse', s => {
    expect(parseGoDuration(s)).toBeUndefined();
  });
});

describe('RE2 syntax', () => {
  test.each([
    'abc', '^/api/v[0-9]+/.*$', '(?i)foo', '(?i:foo)bar', '(?P<name>x)', '(?<name>x)', '\\12', '\\0', 'a*?', 'a{2,3}', 'a{,3}', 'a{',
    '{', '[]a]', '[^]a]', '[a-]', '[[:alpha:]]', '[[:^digit:]]', '\\pL', '\\p{Greek}', '\\p{^Greek}', '\\Q.*\\E', '\\Qabc', '\\z', '\\A',
    '\\b', '\\x41', '\\x{41}', '\\d\\D\\s\\S\\w\\W', '[\\d-z]', '^*', '()', '(?)', '(?:)', '(?-i)', '(?i-s:x)', '(?U)a*', '\\/', '\\-',
    '\\ ', '[\\]]', '\\377', '[\\x00-\\x{10FFFF}]', 'x{1,2}?', 'a{1000}', '(|a)', 'a||b', '😀+', '[😀-😂]', '.*\\.example\\.com$',
  ])('accepts %j', re => {
    expect(checkRe2(re)).toBeUndefined();
  });

  test.each([
    ['(?=x)', 'lookahead `(?=` at offset 0 is not supported by RE2'],
    ['a(?!x)', 'negative lookahead `(?!` at offset 1'],
    ['(?<=x)', 'lookbehind `(?<=`'],
    ['(?<!x)', 'negative lookbehind `(?<!`'],
    ['(a)\\1', 'backreference `\\1` at offset 3 is not supported by RE2'],
    ['(?P<n>a)(?P=n)', 'backreference `(?P=`'],
    ['\\k<n>', 'invalid escape sequence `\\k` at offset 0 (backreferences are not supported by RE2)'],
    ['(?>x)', 'atomic group `(?>`'],
    ['a*+', 'invalid nested repetition operator `+` at offset 2 (RE2 has no possessive or stacked quantifiers)'],
    ['a**', 'invalid nested repetition operator'],
    ['a{2}{3}', 'invalid nested repetition operator'],
    ['*a', 'missing argument to repetition operator `*` at offset 0'],
    ['(*)', 'missing argument to repetition operator'],
    ['a|*', 'missing argument to repetition operator'],
    ['a{1001}', 'invalid repeat count `{1001}`'],
    ['a{3,2}', 'invalid repeat count `{3,2}`'],
    ['(a', 'missing closing )'],
    ['a)', 'unexpected ) at offset 1'],
    ['[a', 'missing closing ] for the class at offset 0'],
    ['[z-a]', 'invalid character class range `z-a`'],
    ['[[:foo:]]', 'invalid character class range `[:foo:]`'],
    ['\\p{Foo}', 'invalid Unicode class `\\p{Foo}`'],
    ['\\Z', 'invalid escape sequence `\\Z` at offset 0 (use \\z)'],
    ['\\8', 'backreference `\\8`'],
    ['\\xZZ', 'invalid escape sequence `\\xZZ`'],
    ['[\\b]', 'invalid escape sequence `\\b` in a character class'],
    ['(?P<a>x)(?P<a>y)', 'duplicate capture group name `a`'],
    ['(?i-)', 'invalid or unsupported Perl syntax `(?i-)`'],
    ['(?x)a', 'invalid or unsupported Perl syntax `(?x`'],
    ['x\\', 'trailing backslash at end of expression'],
    ['(?#c)', 'comment group'],
    ['(?(1)a|b)', 'conditional'],
    ['(?R)', 'recursion'],
  ])('rejects %j: %s', (re, message) => {
    expect(checkRe2(re)).toContain(message);
  });

  test('agrees with the RE2 engine of @bufbuild/cel (a port of Go\'s regexp) on a corpus', () => {
    const matches = celEnv().funcs.find('matches')!;
    const engineError = (p: string) => {
      const r = matches.call(0, '', [p]);
      return isCelError(r) ? r.message : undefined;
    };
    // generated from RE2 metacharacters; `{` followed by a repeat operator is left out:
    // RE2JS rejects it (`{?`), Go's regexp takes the `{` as a literal
    const atoms = ['a', '.', '^', '$', '(', ')', '(?:', '(?i)', '(?P<n>', '[', ']', '-', '\\d', '\\', 'x', '{2}', '{1,', '}', ',', '*', '+', '?', '|', '=', '!', '<', '\\Q', '\\E', '[:alpha:]', '\\pL', '1', '0', 'Z'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) % atoms.length;
    const disagreements: string[] = [];
    for (let i = 0; i < 20000; i++) {
      let p = '';
      for (let k = 0; k < 1 + (i % 6); k++) p += atoms[next()];
      if (/\{[*+?]/.test(p)) continue;
      const mine = checkRe2(p);
      const engine = engineError(p);
      if ((mine === undefined) !== (engine === undefined)) disagreements.push(`${p}: ${mine ?? 'ok'} / ${engine ?? 'ok'}`);
    }
    expect(disagreements).toEqual([]);
  });
});

describe('names', () => {
  test('DNS labels allow either case, as Istio does', () => {
    expect(isDnsLabel('v1')).toBe(true);
    expect(isDnsLabel('V1')).toBe(true);
    expect(isDnsLabel('v1.0')).toBe(false);
    expect(isDnsLabel('-v1')).toBe(false);
    expect(isDnsLabel('a'.repeat(64))).toBe(false);
  });

  test.each(['reviews', 'reviews.default.svc.cluster.local', '*', '*.example.com', '*-foo.example.com', 'istio.io.'])('wildcard domain %j is valid', d => {
    expect(checkWildcardDomain(d)).toBeUndefined();
  });

  test.each([
    ['', 'empty domain name'], ['a..b', 'label "" is not a DNS label'], ['foo.*.com', 'label "*" is not a DNS label'],
    ['10.0.0.1', 'top-level label "1" cannot be all-numeric'], ['under_score.com', 'label "under_score"'], [`${'a'.repeat(256)}`, 'longer than 255'],
  ])('wildcard domain %j is invalid: %s', (d, why) => {
    expect(checkWildcardDomain(d)).toContain(why);
  });

  test('FQDNs have no wildcard', () => {
    expect(checkFqdn('api.example.com')).toBeUndefined();
    expect(checkFqdn('*.example.com')).toContain('label "*"');
  });

  test('gateway-bound SNI hosts may use the AUTO_PASSTHROUGH outbound_ form', () => {
    expect(checkGatewayBoundHost(true, 'outbound_.9080_._.reviews.default.svc.cluster.local')).toBeUndefined();
    expect(checkGatewayBoundHost(true, 'outbound_.x_._.reviews')).toContain('outbound_.<PORT>_._.<HOSTNAME>');
    expect(checkGatewayBoundHost(false, 'outbound_.9080_._.reviews.default.svc.cluster.local')).toContain('is not a DNS label');
  });

  test('partial wildcards', () => {
    expect(isPartialWildcard('*')).toBe(false);
    expect(isPartialWildcard('*.example.com')).toBe(false);
    expect(isPartialWildcard('api*.example.com')).toBe(true);
    expect(isPartialWildcard('*api.example.com')).toBe(true);
  });

  test.each(['10.0.0.1', '::1', 'fe80::1%eth0', '10.0.0.0/8', '2001:db8::/32', '0.0.0.0/0'])('IP or CIDR %j is valid', s => {
    expect(checkIpOrCidr(s)).toBeUndefined();
  });

  test.each(['10.0.0.300', '010.0.0.1', 'example.com', '10.0.0.0/33', '10.0.0.0/', '::1/129', 'fe80::1%eth0/64', '10.0.0.0/8/8', '10.0.0.0/08'])('IP or CIDR %j is invalid', s => {
    expect(checkIpOrCidr(s)).toBeDefined();
  });

  test('label keys and values', () => {
    expect(checkLabelKey('app')).toBeUndefined();
    expect(checkLabelKey('app.kubernetes.io/name')).toBeUndefined();
    expect(checkLabelKey('-app')).toContain('invalid label key');
    expect(checkLabelKey(`${'a'.repeat(64)}`)).toContain('name longer than 63');
    expect(isLabelValue('')).toBe(true);
    expect(isLabelValue('v1.2_3-x')).toBe(true);
    expect(isLabelValue('v1!')).toBe(false);
  });

  test('protocols parse case-insensitively', () => {
    expect(parseProtocol('http')).toBe('HTTP');
    expect(parseProtocol('GRPC-Web')).toBe('GRPC-WEB');
    expect(parseProtocol('HTTP_PROXY')).toBe('HTTP_PROXY');
    expect(parseProtocol('websocket')).toBe('UNSUPPORTED');
  });

  test('host overlap and subset are wildcard-aware', () => {
    expect(hostsOverlap('*.example.com', 'a.example.com')).toBe(true);
    expect(hostsOverlap('*.com', '*.example.com')).toBe(true);
    expect(hostsOverlap('*', 'anything')).toBe(true);
    expect(hostsOverlap('a.example.com', 'b.example.com')).toBe(false);
    expect(hostSubsetOf('a.example.com', '*.example.com')).toBe(true);
    expect(hostSubsetOf('*.a.example.com', '*.example.com')).toBe(true);
    expect(hostSubsetOf('*.example.com', 'a.example.com')).toBe(false);
    expect(hostSubsetOf('*.example.com', '*.a.example.com')).toBe(false);
    expect(hostSubsetOf('a.example.com', 'a.example.com')).toBe(true);
  });
});
