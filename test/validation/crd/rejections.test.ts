/**
 * Rejections: what the API server rejects on create is reported, with the object, the
 * field path and the rule in the message.
 */
import { CrdValidator } from '../../../src/validation/crd';
import { Finding, FindingLayer, FindingLevel } from '../../../src/validation/findings';

function vs(spec: any, name = 'reviews'): any {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace: 'bookinfo' }, spec };
}

const route = [{ destination: { host: 'reviews', subset: 'v1' } }];

function only(findings: Finding[], code?: string): Finding {
  const matching = code ? findings.filter(f => f.code === code) : findings;
  expect(matching.map(f => f.message)).toHaveLength(1);
  return matching[0];
}

describe('schema violations (CDK8S-ISTIO-CRD001)', () => {
  test('an unknown field', () => {
    const f = only(CrdValidator.validate(vs({ hosts: ['reviews'], htttp: [{ route }] })));
    expect(f).toMatchObject({
      code: 'CDK8S-ISTIO-CRD001',
      level: FindingLevel.ERROR,
      layer: FindingLayer.CRD,
      kind: 'VirtualService',
      name: 'reviews',
      namespace: 'bookinfo',
      apiVersion: 'networking.istio.io/v1',
      field: 'spec.htttp',
    });
    expect(f.message).toContain('VirtualService bookinfo/reviews');
    expect(f.message).toContain('spec.htttp');
    expect(f.message).toContain("unknown field 'htttp'");
    expect(f.message).toContain("did you mean 'http'");
  });

  test('unknown fields deep inside, and in metadata', () => {
    const o = vs({ hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subsett: 'v1' } }] }] });
    o.metadata.lables = { app: 'x' };
    const fields = CrdValidator.validate(o).map(f => f.field);
    expect(fields).toEqual(['metadata.lables', 'spec.http[0].route[0].destination.subsett']);
  });

  test('a wrong enum value', () => {
    const f = only(CrdValidator.validate({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'deny', namespace: 'foo' },
      spec: { action: 'ALLOWED' },
    }));
    expect(f.field).toBe('spec.action');
    expect(f.message).toBe('AuthorizationPolicy foo/deny: spec.action: must be one of ALLOW, DENY, AUDIT, CUSTOM; got "ALLOWED"');
  });

  test('a bad metadata.name, a bad namespace, a missing name', () => {
    const f = only(CrdValidator.validate(vs({ hosts: ['reviews'] }, 'Bad_Name')));
    expect(f.field).toBe('metadata.name');
    expect(f.message).toContain('VirtualService bookinfo/Bad_Name');
    expect(f.message).toContain('metadata.name');
    expect(f.message).toContain('RFC 1123 subdomain');
    expect(f.message).toContain('"Bad_Name"');

    const ns = vs({ hosts: ['reviews'] });
    ns.metadata.namespace = 'Book.Info';
    expect(only(CrdValidator.validate(ns)).field).toBe('metadata.namespace');

    const unnamed = vs({ hosts: ['reviews'] });
    delete unnamed.metadata.name;
    expect(only(CrdValidator.validate(unnamed)).message).toContain('metadata.name: name or generateName is required');

    const long = vs({ hosts: ['reviews'] }, 'a'.repeat(254));
    expect(only(CrdValidator.validate(long)).message).toContain('no more than 253 characters');
  });

  test('bad labels and annotations', () => {
    const o = vs({ hosts: ['reviews'] });
    o.metadata.labels = { 'app': 'x'.repeat(64), 'bad key!': 'v' };
    o.metadata.annotations = { 'example.com/ok': 'fine', 'Example.com/': 'x' };
    expect(CrdValidator.validate(o).map(f => f.field)).toEqual([
      'metadata.labels[app]', 'metadata.labels[bad key!]', 'metadata.annotations[Example.com/]',
    ]);
  });

  test('wrong types, with the value given', () => {
    const f = CrdValidator.validate(vs({ hosts: 'reviews', http: [{ route, timeout: 5 }] }));
    expect(f.map(x => x.message)).toEqual([
      'VirtualService bookinfo/reviews: spec.hosts: must be of type array; got string "reviews"',
      'VirtualService bookinfo/reviews: spec.http[0].timeout: must be of type string; got integer 5',
    ]);
  });

  test('required fields, bounds, lengths and patterns', () => {
    const dr = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'r' },
      spec: {
        trafficPolicy: { loadBalancer: { warmup: { duration: '10s', aggression: -0.5, minimumPercent: 101 } } },
        subsets: [{ name: 'v1', labels: { version: 'v1' } }],
      },
    };
    const messages = CrdValidator.validate(dr).map(f => `${f.field}: ${f.message}`);
    expect(messages).toEqual(expect.arrayContaining([
      expect.stringMatching(/^spec\.host: .*spec\.host: required field is missing$/),
      expect.stringMatching(/^spec\.trafficPolicy\.loadBalancer\.warmup\.aggression: .*must be greater than or equal to 0; got -0.5$/),
      expect.stringMatching(/^spec\.trafficPolicy\.loadBalancer\.warmup\.minimumPercent: .*must be less than or equal to 100; got 101$/),
    ]));
    expect(messages).toHaveLength(3);
    const gw = CrdValidator.validate({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'gw' },
      spec: { gatewayClassName: '', listeners: [{ name: 'Web', port: 80, protocol: 'HTTP', hostname: 'x'.repeat(254) }] },
    }).map(f => `${f.field}: ${f.message}`);
    expect(gw).toEqual([
      expect.stringMatching(/^spec\.gatewayClassName: .*must not be empty; got ""$/),
      expect.stringMatching(/^spec\.listeners\[0\]\.name: .*must match the regular expression .*; got "Web"$/),
      expect.stringMatching(/^spec\.listeners\[0\]\.hostname: .*must be at most 253 characters long; got 254 characters/),
    ]);
    const port = CrdValidator.validate({
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: 'se' },
      spec: { hosts: ['a.example.com'], ports: [{ number: 70000, name: 'http', protocol: 'HTTP' }], resolution: 'DNS' },
    });
    expect(port.map(f => f.field)).toContain('spec.ports[0].number');
  });

  test('a oneOf violation: StringMatch with both exact and prefix', () => {
    const f = only(CrdValidator.validate(vs({ hosts: ['reviews'], http: [{ match: [{ uri: { exact: '/a', prefix: '/b' } }], route }] })));
    expect(f.code).toBe('CDK8S-ISTIO-CRD001');
    expect(f.field).toBe('spec.http[0].match[0].uri');
    expect(f.message).toContain("'exact', 'prefix' and 'regex' are mutually exclusive");
    expect(f.message).toContain("got 'exact' and 'prefix' set");
  });

  test('a oneOf violation in a DestinationRule consistentHash (allOf of two one-ofs)', () => {
    const f = CrdValidator.validate({
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'r' },
      spec: { host: 'r', trafficPolicy: { loadBalancer: { consistentHash: { useSourceIp: true, httpHeaderName: 'x', ringHash: {}, maglev: {} } } } },
    });
    expect(f.map(x => x.message)).toEqual([
      expect.stringContaining("'httpHeaderName', 'httpCookie', 'useSourceIp' and 'httpQueryParameterName' are mutually exclusive"),
      expect.stringContaining("'ringHash' and 'maglev' are mutually exclusive"),
    ]);
  });

  test('a generic oneOf: a Gateway API address of type IPAddress must be an IP', () => {
    const f = only(CrdValidator.validate({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'gw' },
      spec: { gatewayClassName: 'istio', addresses: [{ value: 'not-an-ip' }], listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
    }));
    expect(f.field).toBe('spec.addresses[0]');
    expect(f.message).toContain('must satisfy exactly one of 2 alternatives');
    expect(f.message).toContain('an IPv4 address');
    expect(f.message).toContain('must not be IPAddress');
  });

  test('a duplicate list-map key: Gateway API listeners with the same name', () => {
    const findings = CrdValidator.validate({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'gw', namespace: 'ingress' },
      spec: {
        gatewayClassName: 'istio',
        listeners: [{ name: 'web', port: 80, protocol: 'HTTP' }, { name: 'web', port: 8080, protocol: 'HTTP' }],
      },
    });
    const dup = only(findings, 'CDK8S-ISTIO-CRD001');
    expect(dup.field).toBe('spec.listeners[1]');
    expect(dup.message).toContain('Gateway ingress/gw');
    expect(dup.message).toContain('duplicate entry with name="web"');
    expect(dup.message).toContain('x-kubernetes-list-type map');
    // and the CEL rule that says the same
    const rule = only(findings, 'CDK8S-ISTIO-CRD002');
    expect(rule.message).toContain('Listener name must be unique within the Gateway');
  });

  test('int-or-string is only in status, which is dropped on create (status subresource)', () => {
    const o: any = vs({ hosts: ['reviews'] });
    o.status = { observedGeneration: true, bogus: 1 };
    expect(CrdValidator.validate(o)).toEqual([]);
  });

  test('nullable: null is kept for nullable fields, pruned for others, rejected in lists', () => {
    const base = { hosts: ['reviews'], http: [{ route, retries: { attempts: 3, retryRemoteLocalities: null } }] };
    expect(CrdValidator.validate(vs(base))).toEqual([]);
    expect(CrdValidator.validate(vs({ ...base, gateways: null }))).toEqual([]);
    const f = only(CrdValidator.validate(vs({ ...base, gateways: ['mesh', null] })));
    expect(f.field).toBe('spec.gateways[1]');
    expect(f.message).toContain('must be of type string; got null');
  });
});

describe('CEL rules (CDK8S-ISTIO-CRD002)', () => {
  test('timeout: 0s on a VirtualService http route', () => {
    const f = only(CrdValidator.validate(vs({ hosts: ['reviews'], http: [{ route, timeout: '0s' }] })));
    expect(f).toMatchObject({ code: 'CDK8S-ISTIO-CRD002', level: FindingLevel.ERROR, field: 'spec.http[0].timeout' });
    expect(f.message).toBe("VirtualService bookinfo/reviews: spec.http[0].timeout: must be a valid duration greater than 1ms; got \"0s\"; rule: duration(self) >= duration('1ms')");
  });

  test('an unparsable duration is rejected too (the rule fails on the value)', () => {
    const f = only(CrdValidator.validate(vs({ hosts: ['reviews'], http: [{ route, timeout: '10 seconds' }] })));
    expect(f.code).toBe('CDK8S-ISTIO-CRD002');
    expect(f.message).toContain('Failed to parse duration');
  });

  test('selector together with targetRef on an AuthorizationPolicy and a RequestAuthentication', () => {
    for (const kind of ['AuthorizationPolicy', 'RequestAuthentication']) {
      const f = only(CrdValidator.validate({
        apiVersion: 'security.istio.io/v1',
        kind,
        metadata: { name: 'p', namespace: 'foo' },
        spec: {
          selector: { matchLabels: { app: 'httpbin' } },
          targetRef: { kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'waypoint' },
        },
      }));
      expect(f.code).toBe('CDK8S-ISTIO-CRD002');
      expect(f.field).toBe('spec');
      expect(f.message).toContain(`${kind} foo/p: spec:`);
      expect(f.message).toContain('only one of targetRefs or selector can be set');
      expect(f.message).toContain('has(self.selector)');
    }
  });

  test('a Gateway API listener duplicate: same port, protocol and hostname', () => {
    const f = only(CrdValidator.validate({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'gw' },
      spec: {
        gatewayClassName: 'istio',
        listeners: [
          { name: 'a', port: 80, protocol: 'HTTP', hostname: 'a.example.com' },
          { name: 'b', port: 80, protocol: 'HTTP', hostname: 'a.example.com' },
          { name: 'c', port: 80, protocol: 'HTTP', hostname: 'c.example.com' },
        ],
      },
    }));
    expect(f.code).toBe('CDK8S-ISTIO-CRD002');
    expect(f.field).toBe('spec.listeners');
    expect(f.message).toContain('Combination of port, protocol and hostname must be unique for each listener');
    expect(f.message).toContain('self.all(l1, self.exists_one(l2');
  });

  test('a default applied before CEL: HTTPRoute path type defaults to PathPrefix', () => {
    const route1 = (path: any) => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'r' },
      spec: { parentRefs: [{ name: 'gw' }], rules: [{ matches: [{ path }], backendRefs: [{ name: 'svc', port: 80 }] }] },
    });
    // no type given: the default PathPrefix makes the "absolute path" rule apply
    const f = only(CrdValidator.validate(route1({ value: 'relative' })));
    expect(f.code).toBe('CDK8S-ISTIO-CRD002');
    expect(f.field).toBe('spec.rules[0].matches[0].path');
    expect(f.message).toContain("value must be an absolute path and start with '/'");
    expect(f.message).toContain('"type":"PathPrefix"');
    // with a RegularExpression type the rule does not apply
    expect(CrdValidator.validate(route1({ type: 'RegularExpression', value: 'relative.*' }))).toEqual([]);
  });

  test('a default applied before CEL: URLRewrite ReplacePrefixMatch needs one PathPrefix match, which the default provides', () => {
    const rule = (matches?: any[]) => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'r' },
      spec: {
        parentRefs: [{ name: 'gw' }],
        rules: [{
          ...(matches ? { matches } : {}),
          filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/v2' } } }],
          backendRefs: [{ name: 'svc', port: 80 }],
        }],
      },
    });
    // matches defaults to [{path: {type: PathPrefix, value: /}}]
    expect(CrdValidator.validate(rule())).toEqual([]);
    const f = only(CrdValidator.validate(rule([{ path: { type: 'Exact', value: '/a' } }])));
    expect(f.field).toBe('spec.rules[0]');
    expect(f.message).toContain('When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified');
  });

  test('a rule whose field is missing fails on the data, as on the API server (Terminate TLS without certificates)', () => {
    const f = only(CrdValidator.validate({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'gw' },
      spec: { gatewayClassName: 'istio', listeners: [{ name: 'https', port: 443, protocol: 'HTTPS', tls: {} }] },
    }));
    expect(f.code).toBe('CDK8S-ISTIO-CRD002');
    expect(f.field).toBe('spec.listeners[0].tls');
    expect(f.message).toContain('certificateRefs or options must be specified when mode is Terminate');
  });

  test('Kubernetes library functions: isURL/url().getScheme() (WasmPlugin url), isIP (ServiceEntry hosts)', () => {
    const wasm = (url: string) => ({
      apiVersion: 'extensions.istio.io/v1alpha1', kind: 'WasmPlugin', metadata: { name: 'w' }, spec: { url },
    });
    expect(CrdValidator.validate(wasm('oci://ghcr.io/x/y:1'))).toEqual([]);
    expect(CrdValidator.validate(wasm('ghcr.io/x/y:1'))).toEqual([]);
    expect(only(CrdValidator.validate(wasm('ftp://example.com/x.wasm'))).message).toContain('url must have schema one of [http, https, file, oci]');
    const se = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: 'se' },
      spec: { hosts: ['*'], ports: [{ number: 80, name: 'http' }], resolution: 'DNS' },
    };
    const f = only(CrdValidator.validate(se));
    expect(f.field).toBe('spec.hosts[0]');
    expect(f.message).toContain('hostname cannot be wildcard');
    const tls = (hostnames: string[]) => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'TLSRoute',
      metadata: { name: 't' },
      spec: { parentRefs: [{ name: 'gw' }], hostnames, rules: [{ backendRefs: [{ name: 'svc', port: 443 }] }] },
    });
    expect(CrdValidator.validate(tls(['app.example.com']))).toEqual([]);
    const ip = only(CrdValidator.validate(tls(['10.0.0.1'])));
    expect(ip.field).toBe('spec.hostnames');
    expect(ip.message).toContain('Hostnames cannot contain an IP');
    expect(ip.message).toContain('!isIP(h)');
  });

  test('a property escaped for CEL (__namespace__) is seen by the rule', () => {
    const f = CrdValidator.validate({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'r' },
      spec: {
        parentRefs: [{ name: 'gw', namespace: 'a', sectionName: 'x' }, { name: 'gw', namespace: 'a', sectionName: 'x' }],
      },
    });
    expect(f.map(x => x.code)).toContain('CDK8S-ISTIO-CRD002');
    expect(f.map(x => x.message).join('\n')).toContain('sectionName or port must be unique when parentRefs includes 2 or more references to the same parent');
    // different namespaces: distinct parents
    expect(CrdValidator.validate({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'r' },
      spec: { parentRefs: [{ name: 'gw', namespace: 'a' }, { name: 'gw', namespace: 'b' }] },
    })).toEqual([]);
  });

  test('rules on a node run only when the node is present', () => {
    expect(CrdValidator.validate(vs({ hosts: ['reviews'], http: [{ route }] }))).toEqual([]);
  });

  test('CEL is not run on a subtree with a blocking schema error (as the API server)', () => {
    const f = CrdValidator.validate({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'p' },
      spec: { action: 'ALLOWED', selector: { matchLabels: { app: 'x' } }, targetRef: { kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'w' } },
    });
    expect(f.map(x => x.code)).toEqual(['CDK8S-ISTIO-CRD001']);
  });
});

describe('unknown kinds and versions (CDK8S-ISTIO-CRD004)', () => {
  test('an unknown version', () => {
    const f = only(CrdValidator.validate({ apiVersion: 'networking.istio.io/v2', kind: 'VirtualService', metadata: { name: 'x' }, spec: {} }));
    expect(f).toMatchObject({ code: 'CDK8S-ISTIO-CRD004', level: FindingLevel.ERROR, kind: 'VirtualService', name: 'x' });
    expect(f.field).toBeUndefined();
    expect(f.message).toContain('networking.istio.io/v2 is not a version of VirtualService');
    expect(f.message).toContain('networking.istio.io/v1');
  });

  test('a version of another kind of the group is not served for this one', () => {
    // GRPCRoute is only served as v1
    const f = only(CrdValidator.validate({ apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'GRPCRoute', metadata: { name: 'x' }, spec: {} }));
    expect(f.code).toBe('CDK8S-ISTIO-CRD004');
    expect(f.message).toContain('served versions: gateway.networking.k8s.io/v1');
  });

  test('a known group without a kind', () => {
    const f = only(CrdValidator.validate({ apiVersion: 'security.istio.io/v1', metadata: { name: 'x' }, spec: {} }));
    expect(f).toMatchObject({ code: 'CDK8S-ISTIO-CRD004', field: 'kind', kind: '' });
  });

  test('an unknown kind in a known group', () => {
    const f = only(CrdValidator.validate({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualServce', metadata: { name: 'x' } }));
    expect(f.code).toBe('CDK8S-ISTIO-CRD004');
    expect(f.message).toContain('networking.istio.io has no kind "VirtualServce"');
  });
});

describe('the caller\'s object', () => {
  test('is not mutated by defaulting, pruning or CEL', () => {
    const o = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'r' },
      spec: { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'svc', port: 80 }] }], unknown: null },
      status: { parents: [] },
    };
    const before = JSON.stringify(o);
    const frozen = JSON.parse(before);
    deepFreeze(frozen);
    expect(CrdValidator.validate(o).map(f => f.field)).toEqual(['spec.unknown']);
    expect(JSON.stringify(o)).toBe(before);
    expect(Object.getOwnPropertySymbols(o.spec.rules[0])).toEqual([]);
    // a frozen object validates too (nothing is written to it)
    expect(CrdValidator.validate(frozen).map(f => f.field)).toEqual(['spec.unknown']);
  });
});

function deepFreeze(o: any): void {
  if (o && typeof o === 'object') {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
}
