/**
 * The pieces under the validator: RE2 translation, Go parsers, the Kubernetes CEL
 * libraries, property-name escaping, the schema walk on synthetic schemas (int-or-string,
 * nullable, defaults, list types, unevaluable rules) and the data file lookup.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isCelError, parse, plan } from '@bufbuild/cel';
import { compileRule, escapePropertyName, getEnv } from '../../../src/validation/crd/cel';
import { packageRoot } from '../../../src/validation/crd/data';
import { formatCheck } from '../../../src/validation/crd/formats';
import { formatAddr, goParseIP, netipParseAddr, parseRequestURI } from '../../../src/validation/crd/net';
import { compileRe2, translateRe2 } from '../../../src/validation/crd/regex';
import { compileSchema, Walker } from '../../../src/validation/crd/schema';
import { FindingLevel } from '../../../src/validation/findings';

function cel(expr: string): unknown {
  const r = plan(getEnv(), parse(expr))({});
  if (isCelError(r)) return `error: ${r.message}`;
  return r;
}

function celList(expr: string): unknown[] {
  return [...(cel(expr) as Iterable<unknown>)];
}

describe('RE2 patterns', () => {
  test.each([
    ['^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', 'my-name', true],
    ['^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', 'My-name', false],
    ['^(?i)\\.?[a-z_][a-z_0-9]*$', '.Greeter', true],
    ['a.b', 'a\rb', true], // RE2 . matches \r (a JS . does not)
    ['a.b', 'a\nb', false],
    ['^\\s$', '\u00a0', false], // RE2 \s is ASCII only
    ['^[[:alpha:]]+$', 'abc', true], // POSIX class: run by RE2
    ['^\\pL+$', 'héllo', true], // Unicode class: run by RE2
    ['^(?P<x>a)b$', 'ab', true], // named group: run by RE2
    ['^([0-9]{1,5}(h|m|s|ms)){1,4}$', '1h30m', true],
  ])('%s on %j is %s', (pattern, text, expected) => {
    expect(compileRe2(pattern).test(text)).toBe(expected);
  });

  test('only exact translations are run as ECMAScript', () => {
    expect(translateRe2('^[a-z]+$')).toBeInstanceOf(RegExp);
    expect(translateRe2('^[[:alpha:]]$')).toBeUndefined();
    expect(translateRe2('\\z')).toBeUndefined();
    expect(translateRe2('(?P<n>x)')).toBeUndefined();
    expect(() => compileRe2('(')).toThrow(/invalid RE2 pattern/);
  });
});

describe('Go parsers', () => {
  test('IPs', () => {
    expect(goParseIP('10.0.0.1')).toEqual([10, 0, 0, 1]);
    expect(goParseIP('010.0.0.1')).toEqual([10, 0, 0, 1]); // ParseIPSloppy
    expect(goParseIP('256.0.0.1')).toBeUndefined();
    expect(goParseIP('::1')).toHaveLength(16);
    expect(goParseIP('1::2::3')).toBeUndefined();
    expect(goParseIP('::ffff:1.2.3.4')).toHaveLength(16);
    expect(netipParseAddr('010.0.0.1')).toBeUndefined();
    expect(netipParseAddr('fe80::1%eth0')?.zone).toBe('eth0');
    expect(formatAddr(netipParseAddr('2001:0db8:0000:0000:0000:0000:0000:0001')!)).toBe('2001:db8::1');
    expect(formatAddr(netipParseAddr('1:0:0:1:0:0:0:1')!)).toBe('1:0:0:1::1');
    expect(formatAddr(netipParseAddr('1:0:1:1:1:1:1:1')!)).toBe('1:0:1:1:1:1:1:1');
  });

  test('request URIs', () => {
    expect(parseRequestURI('oci://ghcr.io/a/b:1').scheme).toBe('oci');
    expect(parseRequestURI('/path').path).toBe('/path');
    expect(parseRequestURI('localhost:5000/x').scheme).toBe('localhost');
    expect(() => parseRequestURI('registry.io/x')).toThrow(/invalid URI for request/);
    expect(() => parseRequestURI('')).toThrow(/empty url/);
    expect(() => parseRequestURI(':x')).toThrow(/missing protocol scheme/);
    expect(() => parseRequestURI('http://a b/')).toThrow(/invalid character/);
    expect(() => parseRequestURI('http://host:port/')).toThrow(/invalid port/);
    expect(() => parseRequestURI('http://a/%zz')).toThrow(/invalid URL escape/);
  });

  test('formats', () => {
    expect(formatCheck('date-time')!.test('2024-02-29T10:00:00Z')).toBe(true);
    expect(formatCheck('date-time')!.test('2023-02-29T10:00:00Z')).toBe(false);
    expect(formatCheck('byte')!.test('aGVsbG8=')).toBe(true);
    expect(formatCheck('byte')!.test('aGVsbG8')).toBe(false);
    expect(formatCheck('ipv4')!.test('1.2.3.4')).toBe(true);
    expect(formatCheck('ipv4')!.test('::1')).toBe(false);
    expect(formatCheck('ipv6')!.test('::1')).toBe(true);
    expect(formatCheck('int32')).toBeUndefined();
    expect(formatCheck('no-such-format')).toBeUndefined();
  });
});

describe('Kubernetes CEL libraries', () => {
  test.each([
    ["isURL('https://example.com/a')", true],
    ["isURL('example.com/a')", false],
    ["url('https://example.com:8443/a').getScheme()", 'https'],
    ["url('https://example.com:8443/a').getHost()", 'example.com:8443'],
    ["url('https://example.com:8443/a').getHostname()", 'example.com'],
    ["url('https://[::1]:80/').getHostname()", '::1'],
    ["url('https://example.com:8443/a').getPort()", '8443'],
    ["url('https://example.com/a b').getEscapedPath()", '/a%20b'],
    ["url('https://example.com/?x=1&x=2').getQuery()['x'].size()", 2n],
    ["url('x')", 'error: URL parse error during conversion from string: invalid URI for request'],
    ["isIP('10.0.0.1')", true],
    ["isIP('::ffff:1.2.3.4')", false],
    ["isIP('fe80::1%eth0')", false],
    ["isIP('01.2.3.4')", false],
    ["ip('2001:db8::1').family()", 6n],
    ["ip('10.0.0.1').family()", 4n],
    ["ip.isCanonical('2001:db8::1')", true],
    ["ip.isCanonical('2001:DB8::1')", false],
    ["ip('127.0.0.1').isLoopback()", true],
    ["ip('0.0.0.0').isUnspecified()", true],
    ["ip('fe80::1').isLinkLocalUnicast()", true],
    ["ip('224.0.0.1').isLinkLocalMulticast()", true],
    ["ip('8.8.8.8').isGlobalUnicast()", true],
    ["isCIDR('10.0.0.0/8')", true],
    ["isCIDR('10.0.0.0/33')", false],
    ["cidr('10.0.0.0/8').containsIP('10.1.2.3')", true],
    ["cidr('10.0.0.0/8').containsIP(ip('11.1.2.3'))", false],
    ["cidr('10.0.0.0/8').containsCIDR('10.1.0.0/16')", true],
    ["cidr('10.0.0.0/16').containsCIDR(cidr('10.0.0.0/8'))", false],
    ["string(cidr('10.1.2.3/16').masked())", '10.1.0.0/16'],
    ["cidr('10.0.0.0/8').prefixLength()", 8n],
    ["string(cidr('2001:db8::/32').ip())", '2001:db8::'],
    ["ip('10.0.0.1') == ip('10.0.0.1') && ip('10.0.0.1') != ip('10.0.0.2')", true],
    ['[1, 2, 3].isSorted() && ![3, 1].isSorted()', true],
    ['[1, 2, 3].sum()', 6n],
    ['[3, 1, 2].min()', 1n],
    ["['b', 'a'].max()", 'b'],
    ['[1, 2, 1].indexOf(1) == 0 && [1, 2, 1].lastIndexOf(1) == 2', true],
    ["'abc123def456'.find('[0-9]+')", '123'],
    ["int('42')", 42n],
    ["int(' 42')", 'error: cannot convert string " 42" to int'],
    ["'Ab'.matches('^(?i)ab$')", true],
    ["duration('1h30m') == duration('90m')", true],
    ["duration('1.5s') == duration('1500ms')", true],
    ["'ABC'.lowerAscii() + 'a,b'.split(',').join('-') + ' x '.trim() + 'abc'.substring(1, 2) + 'hello'.replace('l', 'L')", 'abca-bxbheLLo'],
    ["'héllo'.size() == 5 && 'abc'.indexOf('c') == 2 && 'abc'.startsWith('a') && 'abc'.endsWith('c') && 'abc'.contains('b')", true],
    ["[1, 2].exists_one(x, x == 1) && [1, 2].map(x, x * 2) == [2, 4] && [1, 2, 3].filter(x, x > 1).size() == 2 && {'a': 1}.all(k, k == 'a') && [1].exists(x, x == 1)", true],
  ])('%s', (expr, expected) => {
    expect(cel(expr)).toEqual(expected);
  });

  test('findAll', () => {
    expect(celList("'abc123def456'.findAll('[0-9]+')")).toEqual(['123', '456']);
    expect(celList("'abc123def456'.findAll('[0-9]+', 1)")).toEqual(['123']);
  });

  test("Kubernetes' escaping of property names", () => {
    expect(escapePropertyName('namespace')).toBe('__namespace__');
    expect(escapePropertyName('x-y')).toBe('x__dash__y');
    expect(escapePropertyName('a.b/c')).toBe('a__dot__b__slash__c');
    expect(escapePropertyName('a__b')).toBe('a__underscores__b');
    expect(escapePropertyName('1abc')).toBeUndefined();
    expect(escapePropertyName('a b')).toBeUndefined();
    expect(escapePropertyName('plain_name')).toBe('plain_name');
  });

  test('transition rules are recognized; compilation is cached', () => {
    expect(compileRule({ rule: 'self == oldSelf' }).transition).toBe(true);
    expect(compileRule({ rule: 'self > 1' })).toBe(compileRule({ rule: 'self > 1' }));
  });
});

/** Walks a value against a synthetic schema and returns the problems and the pruned, defaulted copy. */
function walk(schema: any, value: unknown): { problems: string[]; out: unknown } {
  const problems: string[] = [];
  const sink = {
    schema: (p: string, m: string) => problems.push(`CRD001 ${p}: ${m}`),
    rule: (p: string, m: string) => problems.push(`CRD002 ${p}: ${m}`),
    unevaluable: (p: string, m: string) => problems.push(`CRD003 ${p}: ${m}`),
  };
  const out = new Walker(sink).walk(value, compileSchema(schema), 'x');
  return { problems, out };
}

describe('the schema walk', () => {
  test('x-kubernetes-int-or-string accepts integers and strings only; CEL sees an int or a string', () => {
    const schema = {
      'x-kubernetes-int-or-string': true,
      'anyOf': [{ type: 'integer' }, { type: 'string' }],
      'x-kubernetes-validations': [{ rule: "type(self) == int ? self > 0 : self.endsWith('%')", message: 'positive or a percentage' }],
    };
    expect(walk(schema, 5).problems).toEqual([]);
    expect(walk(schema, '50%').problems).toEqual([]);
    expect(walk(schema, 0).problems).toEqual(['CRD002 x: positive or a percentage; got 0; rule: type(self) == int ? self > 0 : self.endsWith(\'%\')']);
    expect(walk(schema, '50').problems).toHaveLength(1);
    expect(walk(schema, 1.5).problems).toEqual(['CRD001 x: must be of type integer or string; got number 1.5']);
    expect(walk(schema, true).problems).toEqual(['CRD001 x: must be of type integer or string; got boolean true']);
  });

  test('nullable: null kept (and rules skipped) where nullable, pruned where not, defaulted where a default exists', () => {
    const schema = {
      type: 'object',
      properties: {
        a: { 'type': 'integer', 'nullable': true, 'x-kubernetes-validations': [{ rule: 'self > 100' }] },
        b: { type: 'string' },
        c: { type: 'string', default: 'dflt' },
        d: { type: 'array', items: { type: 'string' } },
      },
      required: ['b'],
    };
    const r = walk(schema, { a: null, b: null, c: null, d: ['x', null] });
    expect(r.out).toEqual({ a: null, c: 'dflt', d: ['x', undefined] });
    expect(r.problems).toEqual(['CRD001 x.d[1]: must be of type string; got null', 'CRD001 x.b: required field is missing']);
  });

  test('defaults are applied recursively, before rules; the input is not touched', () => {
    const schema = {
      type: 'object',
      properties: {
        tls: {
          'type': 'object',
          'default': {},
          'properties': { mode: { type: 'string', default: 'Terminate' }, certs: { type: 'array', items: { type: 'string' } } },
          'x-kubernetes-validations': [{ rule: "self.mode == 'Terminate' ? has(self.certs) : true", message: 'certs are required to terminate' }],
        },
      },
    };
    const input = {};
    const r = walk(schema, input);
    expect(r.out).toEqual({ tls: { mode: 'Terminate' } });
    expect(r.problems).toEqual(['CRD002 x.tls: certs are required to terminate; got {"mode":"Terminate"}; rule: self.mode == \'Terminate\' ? has(self.certs) : true']);
    expect(input).toEqual({});
    expect(walk(schema, { tls: { mode: 'Passthrough' } }).problems).toEqual([]);
  });

  test('list types: set, map (with defaulted keys), atomic', () => {
    const set = { 'type': 'array', 'items': { type: 'string' }, 'x-kubernetes-list-type': 'set' };
    expect(walk(set, ['a', 'b', 'a']).problems).toEqual(['CRD001 x[2]: duplicate entry "a" (same as x[0]); x-kubernetes-list-type set requires unique items']);
    const map = {
      'type': 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name', 'protocol'],
      'items': { type: 'object', required: ['name'], properties: { name: { type: 'string' }, protocol: { type: 'string', default: 'TCP' } } },
    };
    expect(walk(map, [{ name: 'a' }, { name: 'a', protocol: 'UDP' }]).problems).toEqual([]);
    expect(walk(map, [{ name: 'a' }, { name: 'a', protocol: 'TCP' }]).problems).toEqual([
      'CRD001 x[1]: duplicate entry with name="a", protocol="TCP" (same as x[0]); x-kubernetes-list-type map requires unique name and protocol',
    ]);
    expect(walk({ 'type': 'array', 'items': { type: 'string' }, 'x-kubernetes-list-type': 'atomic' }, ['a', 'a']).problems).toEqual([]);
  });

  test('preserve-unknown-fields keeps anything; additionalProperties maps; strings measured in runes', () => {
    expect(walk({ 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true }, { any: { thing: [1, 'x'] } }).problems).toEqual([]);
    const map = { type: 'object', additionalProperties: { type: 'string', maxLength: 2 }, maxProperties: 2 };
    expect(walk(map, { a: 'ok', b: 'toolong', c: 'x' }).problems).toEqual([
      'CRD001 x[b]: must be at most 2 characters long; got 7 characters ("toolong")',
      'CRD001 x: must have at most 2 entries; got 3',
    ]);
    expect(walk({ type: 'string', maxLength: 2 }, '😀😀').problems).toEqual([]);
    expect(walk({ type: 'string', minLength: 3 }, '😀😀').problems).toHaveLength(1);
  });

  test('CEL sees integers as int, numbers as double, escaped names, and map keys', () => {
    const schema = {
      'type': 'object',
      'properties': { 'port': { type: 'integer' }, 'ratio': { type: 'number' }, 'namespace': { type: 'string' }, 'x-y': { type: 'string' } },
      'x-kubernetes-validations': [
        { rule: 'type(self.port) == int && type(self.ratio) == double' },
        { rule: "self.__namespace__ == 'ns' && self.x__dash__y == 'z'" },
      ],
    };
    expect(walk(schema, { 'port': 80, 'ratio': 1, 'namespace': 'ns', 'x-y': 'z' }).problems).toEqual([]);
  });

  test('a rule that cannot be compiled or evaluated is CRD003, never a silent pass', () => {
    const bad = { 'type': 'string', 'x-kubernetes-validations': [{ rule: 'self.quantityValue() > 0' }] };
    expect(walk(bad, 'x').problems).toEqual([
      "CRD003 x: the CEL rule could not be compiled (undeclared reference to function 'quantityValue' (not implemented by this validator)); rule: self.quantityValue() > 0",
    ]);
    const overload = { 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true, 'x-kubernetes-validations': [{ rule: 'self.a > 1' }] };
    expect(walk(overload, { a: 'text' }).problems).toEqual([
      expect.stringMatching(/^CRD003 x: the CEL rule could not be evaluated \(found no matching overload/),
    ]);
  });

  test('messageExpression, fieldPath and reason', () => {
    const schema = {
      'type': 'object',
      'properties': { replicas: { type: 'integer' } },
      'x-kubernetes-validations': [{
        rule: 'self.replicas < 10',
        messageExpression: "'replicas must be below 10, not ' + string(self.replicas)",
        fieldPath: '.replicas',
        reason: 'FieldValueForbidden',
      }],
    };
    expect(walk(schema, { replicas: 12 }).problems).toEqual([
      'CRD002 x.replicas: Forbidden: replicas must be below 10, not 12; got {"replicas":12}; rule: self.replicas < 10',
    ]);
  });
});

describe('allowUnevaluableRules and data loading', () => {
  test('unevaluable rules are warnings when allowed, errors otherwise', () => {
    jest.isolateModules(() => {
      jest.doMock('../../../src/validation/crd/data', () => ({
        crdData: () => ({
          format: 1,
          sources: [],
          crds: [{ group: 'networking.istio.io', kind: 'Fake', plural: 'fakes', scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true, schema: 0 }] }],
          schemas: [{ type: 'object', properties: { spec: { 'type': 'object', 'x-kubernetes-validations': [{ rule: 'self.notAFunction()' }] } } }],
        }),
      }));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { CrdValidator } = require('../../../src/validation/crd');
      const obj = { apiVersion: 'networking.istio.io/v1', kind: 'Fake', metadata: { name: 'f' }, spec: {} };
      const strict = CrdValidator.validate(obj);
      expect(strict.map((f: any) => [f.code, f.level, f.field])).toEqual([['CDK8S-ISTIO-CRD003', FindingLevel.ERROR, 'spec']]);
      expect(strict[0].message).toContain('notAFunction');
      const lax = CrdValidator.validate(obj, { allowUnevaluableRules: true });
      expect(lax.map((f: any) => [f.code, f.level])).toEqual([['CDK8S-ISTIO-CRD003', FindingLevel.WARNING]]);
    });
    jest.dontMock('../../../src/validation/crd/data');
  });

  test('the data file is read on first validation, not on import', () => {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const spy = jest.spyOn(require('fs') as typeof fs, 'readFileSync');
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { CrdValidator } = require('../../../src/validation/crd');
        const reads = () => spy.mock.calls.filter(c => String(c[0]).endsWith('crd-schemas.json')).length;
        expect(reads()).toBe(0);
        CrdValidator.validate({ apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name: 's' }, spec: {} });
        CrdValidator.validate({ apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name: 's' }, spec: {} });
        expect(reads()).toBe(1);
      } finally {
        spy.mockRestore();
      }
    });
  });

  test('the package directory is found by walking up to the cdk8s-istio package.json', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-data-'));
    try {
      const pkg = path.join(tmp, 'node_modules', 'cdk8s-istio');
      const nested = path.join(pkg, 'lib', 'src', 'validation', 'crd');
      fs.mkdirSync(nested, { recursive: true });
      fs.writeFileSync(path.join(tmp, 'package.json'), JSON.stringify({ name: 'my-app' }));
      fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'cdk8s-istio' }));
      expect(packageRoot(nested)).toBe(pkg);
      expect(() => packageRoot(tmp)).toThrow(/cannot find the cdk8s-istio package/);
      // and from the sources (ts-jest)
      expect(fs.existsSync(path.join(packageRoot(), 'data', 'crd-schemas.json'))).toBe(true);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
