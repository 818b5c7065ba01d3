import { EXAMPLES } from './examples';
import { Finding, FindingLevel } from '../../../src/validation/findings';
import { WebhookValidator } from '../../../src/validation/webhook';
import { RULES, RuleName } from '../../../src/validation/webhook/rules';

type Spec = Record<string, any>;

function obj(apiVersion: string, kind: string, spec: Spec, metadata: Spec = { name: 'x', namespace: 'default' }) {
  return { apiVersion, kind, metadata, spec };
}
const vs = (spec: Spec) => obj('networking.istio.io/v1', 'VirtualService', spec);
const dr = (spec: Spec) => obj('networking.istio.io/v1', 'DestinationRule', spec);
const gw = (spec: Spec) => obj('networking.istio.io/v1', 'Gateway', spec);
const se = (spec: Spec) => obj('networking.istio.io/v1', 'ServiceEntry', spec);
const sc = (spec: Spec) => obj('networking.istio.io/v1', 'Sidecar', spec);
const ap = (spec: Spec, metadata?: Spec) => obj('security.istio.io/v1', 'AuthorizationPolicy', spec, metadata);

/** The findings of one rule. */
function of(rule: RuleName, o: any): Finding[] {
  return WebhookValidator.validate(o).filter(f => f.code === RULES[rule].code);
}
function errors(o: any): Finding[] {
  return WebhookValidator.validate(o).filter(f => f.level === FindingLevel.ERROR);
}
const route = (host = 'reviews') => [{ destination: { host } }];

describe('WebhookValidator.validate', () => {
  test('accepts every served API version', () => {
    const spec = { hosts: ['*'], http: [{ route: route() }] };
    for (const v of ['v1', 'v1beta1', 'v1alpha3']) {
      expect(of('vsMeshWildcardHost', obj(`networking.istio.io/${v}`, 'VirtualService', spec))).toHaveLength(1);
    }
    for (const v of ['v1', 'v1beta1']) {
      expect(of('denyWithoutRules', obj(`security.istio.io/${v}`, 'AuthorizationPolicy', { action: 'DENY' }))).toHaveLength(1);
    }
    for (const v of ['v1', 'v1alpha1']) {
      expect(of('telemetryProviderName', obj(`telemetry.istio.io/${v}`, 'Telemetry', { accessLogging: [{ providers: [{}] }] }))).toHaveLength(1);
    }
  });

  test('returns [] for kinds it does not know', () => {
    expect(WebhookValidator.validate(obj('gateway.networking.k8s.io/v1', 'Gateway', { servers: [] }))).toEqual([]);
    expect(WebhookValidator.validate(obj('v1', 'Service', { ports: [] }))).toEqual([]);
    expect(WebhookValidator.validate(obj('networking.istio.io/v1', 'Unknown', {}))).toEqual([]);
    expect(WebhookValidator.validate(obj('networking.istio.io/v1', 'toString', {}))).toEqual([]);
    expect(WebhookValidator.validate(obj('networking.istio.io/v1', 'constructor', {}))).toEqual([]);
    expect(WebhookValidator.validate(obj('__proto__/v1', 'toString', {}))).toEqual([]);
    expect(WebhookValidator.validate(obj('VirtualService', 'VirtualService', {}))).toEqual([]);
  });

  test('fills kind, name, apiVersion; namespace only when set', () => {
    const [f] = WebhookValidator.validate({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'r' }, spec: { hosts: ['r'] } });
    expect(f).toMatchObject({ kind: 'VirtualService', name: 'r', apiVersion: 'networking.istio.io/v1', field: 'spec' });
    expect(f).not.toHaveProperty('namespace');
    const [g] = WebhookValidator.validate({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', spec: { hosts: ['r'] } });
    expect(g.name).toBe('');
  });

  test('a missing spec is an empty spec; a spec of the wrong type is left to the CRD layer', () => {
    expect(of('vsNoRoutes', { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'r' } })).toHaveLength(1);
    expect(of('sidecarEmpty', { apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name: 's' }, spec: null })).toHaveLength(1);
    expect(WebhookValidator.validate({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', spec: 'oops' })).toEqual([]);
  });

  test('never throws on garbage, and the internal-error safety net never fires', () => {
    const garbage: any[] = [null, undefined, 0, 'x', true, [], {}, [null], [1, 'a'], { a: 1 }, -1, 1e309, NaN, { toString: 1 }, Object.create(null)];
    let seed = 1;
    const pick = () => garbage[(seed = (seed * 16807) % 2147483647) % garbage.length];
    // replace, one at a time, every value of every example by garbage
    const mutate = (o: any, visit: (copy: any) => void) => {
      const walk = (node: any, path: (string | number)[]) => {
        if (node === null || typeof node !== 'object') return;
        for (const k of Object.keys(node)) {
          for (let n = 0; n < 3; n++) {
            const copy = JSON.parse(JSON.stringify(o));
            let target = copy;
            for (const p of path) target = target[p];
            target[k] = pick();
            visit(copy);
          }
          walk(node[k], [...path, Array.isArray(node) ? Number(k) : k]);
        }
      };
      walk(o, []);
    };
    let runs = 0;
    for (const e of EXAMPLES) {
      for (const o of [e.bad, e.fixed]) {
        if (o === undefined || JSON.stringify(o).length > 5000) continue;
        mutate(o, copy => {
          runs++;
          const findings = WebhookValidator.validate(copy);
          expect(findings.filter(f => f.code === RULES.internalError.code)).toEqual([]);
        });
      }
    }
    expect(runs).toBeGreaterThan(5000);
    for (const g of garbage) expect(() => WebhookValidator.validate(g)).not.toThrow();
  });
  // speed is measured by `npm run bench` (scripts/bench.ts), never by a timed test
});

describe('VirtualService', () => {
  test('fails validation when a mesh-and-gateway VirtualService uses host *', () => {
    expect(of('vsMeshWildcardHost', vs({ hosts: ['*'], gateways: ['mesh', 'istio-system/gw'], http: [{ route: route() }] }))).toHaveLength(1);
    expect(of('vsMeshWildcardHost', vs({ hosts: ['*'], gateways: ['istio-system/gw'], http: [{ route: route() }] }))).toHaveLength(0);
  });

  test('fails validation when JWT claim routing is used on a VirtualService bound to mesh and a gateway', () => {
    const spec = { hosts: ['a.example.com'], gateways: ['mesh', 'istio-system/gw'], http: [{ match: [{ withoutHeaders: { '@request.auth.claims[group]': { exact: 'x' } } }], route: route() }] };
    const [f] = of('vsJwtClaimMeshBound', vs(spec));
    expect(f.field).toBe('spec.http[0].match[0].withoutHeaders["@request.auth.claims[group]"]');
  });

  test('fails validation when a delegate VirtualService delegates again, or has tcp/tls routes', () => {
    const findings = of('vsDelegate', vs({ http: [{ delegate: { name: 'x' } }], tcp: [{ route: route() }], tls: [{ match: [{ sniHosts: ['a.com'] }], route: route() }] }));
    expect(findings.map(f => f.field).sort()).toEqual(['spec.http[0].delegate', 'spec.tcp', 'spec.tls']);
  });

  test('fails validation when a root route with delegate has a redirect', () => {
    const [f] = of('vsRootRoute', vs({ hosts: ['a.example.com'], http: [{ delegate: { name: 'x' }, redirect: { uri: '/x' } }] }));
    expect(f.message).toContain('must not also have redirect');
  });

  test('fails validation when an http route has both redirect and directResponse', () => {
    const [f] = of('httpRouteAction', vs({ hosts: ['a'], http: [{ redirect: { uri: '/x' }, directResponse: { status: 200 } }] }));
    expect(f.field).toBe('spec.http[0].directResponse');
  });

  test('fails validation when fault is combined with directResponse', () => {
    const [f] = of('httpRouteConflict', vs({ hosts: ['a'], http: [{ directResponse: { status: 503 }, fault: { abort: { httpStatus: 500 } } }] }));
    expect(f.message).toContain('cannot combine fault with directResponse');
  });

  test('fails validation when tcp or tls destinations have weights summing to 0', () => {
    const [f] = of('weightTotalZero', vs({ hosts: ['db'], tcp: [{ route: [{ destination: { host: 'a' } }, { destination: { host: 'b' } }] }] }));
    expect(f.field).toBe('spec.tcp[0].route');
    expect(of('weightTotalZero', vs({ hosts: ['db'], tcp: [{ route: route() }] }))).toEqual([]);
  });

  test('retryOn accepts Envoy policies and known HTTP status codes', () => {
    expect(of('retryOnUnknown', vs({ hosts: ['a'], http: [{ route: route(), retries: { attempts: 2, retryOn: 'gateway-error,connect-failure,refused-stream,retriable-status-codes,503,unavailable,cancelled' } }] }))).toEqual([]);
    const [f] = of('retryOnUnknown', vs({ hosts: ['a'], http: [{ route: route(), retries: { attempts: 2, retryOn: '5xx,599' } }] }));
    expect(f.message).toContain('retryOn policy "599" is not valid');
  });

  test('fails validation when retry attempts are negative', () => {
    const [f] = of('retriesInvalid', vs({ hosts: ['a'], http: [{ route: route(), retries: { attempts: -1 } }] }));
    expect(f.message).toBe('retry attempts -1 is negative; use 0 to disable retries');
  });

  test('durations: unparsable and sub-millisecond values', () => {
    const spec = { hosts: ['a'], http: [{ route: route(), timeout: '5', retries: { attempts: 1, perTryTimeout: '1.0005s' }, fault: { delay: { fixedDelay: '500us' } } }] };
    const findings = of('durationInvalid', vs(spec));
    expect(findings.map(f => [f.field, f.message])).toEqual([
      ['spec.http[0].fault.delay.fixedDelay', 'duration "500us" is shorter than 1ms; durations must be at least 1ms (leave the field out for the default)'],
      ['spec.http[0].retries.perTryTimeout', 'duration "1.0005s" is not a whole number of milliseconds; only millisecond precision is supported'],
      ['spec.http[0].timeout', '"5" is not a duration; write it like "250ms", "1.5s" or "1m30s"'],
    ]);
    expect(of('durationInvalid', vs({ hosts: ['a'], http: [{ route: route(), timeout: '1m30s' }] }))).toEqual([]);
  });

  test('regex limits: at most 1024 characters, non-empty', () => {
    const [long] = of('regexInvalid', vs({ hosts: ['a'], http: [{ match: [{ authority: { regex: 'a'.repeat(1025) } }], route: route() }] }));
    expect(long.message).toContain('regex of 1025 characters is too long; Envoy allows at most 1024');
    const [empty] = of('stringMatchEmpty', vs({ hosts: ['a'], http: [{ match: [{ uri: { regex: '' } }], route: route() }] }));
    expect(empty.field).toBe('spec.http[0].match[0].uri.regex');
  });

  test('an empty uri prefix is allowed; withoutHeaders regex "*" means present', () => {
    expect(errors(vs({ hosts: ['a'], http: [{ match: [{ uri: { prefix: '' }, withoutHeaders: { 'x-debug': { regex: '*' } } }], route: route() }] }))).toEqual([]);
  });

  test('pseudo-headers and JWT claims are valid match header names', () => {
    const spec = { hosts: ['a.example.com'], gateways: ['istio-system/gw'], http: [{ match: [{ headers: { ':method': { exact: 'GET' }, '@request.auth.claims.sub': { exact: 'x' } } }], route: route() }] };
    expect(errors(vs(spec))).toEqual([]);
  });

  test('header values: % must be escaped or start a variable', () => {
    const set = (v: string) => vs({ hosts: ['a'], http: [{ route: route(), headers: { response: { set: { 'x-v': v } } } }] });
    for (const ok of ['100%%', '%HOSTNAME%', 'pre %START_TIME% post', '%REQ(x-foo)%', '%PER_REQUEST_STATE(["a", "b"])%']) expect(of('headerOperationInvalid', set(ok))).toEqual([]);
    for (const bad of ['50%', 'abc%123', '%START_TIME%%', 'a\nb']) expect(of('headerOperationInvalid', set(bad))).toHaveLength(1);
  });

  test('fails validation when the Host header is set, or the authority is rewritten twice', () => {
    const [host] = of('headerOperationInvalid', vs({ hosts: ['a'], http: [{ route: route(), headers: { response: { set: { Host: 'x' } } } }] }));
    expect(host.message).toContain('header "Host" cannot be set or removed here');
    const [twice] = of('headerOperationInvalid', vs({ hosts: ['a'], http: [{ route: route(), rewrite: { authority: 'a.example.com' }, headers: { request: { set: { host: 'b.example.com' } } } }] }));
    expect(twice.field).toBe('spec.http[0].headers.request.set.host');
    expect(twice.message).toContain('the authority is set more than once: "a.example.com" at spec.http[0].rewrite.authority and "b.example.com" here');
    expect(of('headerOperationInvalid', vs({ hosts: ['a'], http: [{ route: route(), headers: { request: { set: { ':authority': 'b.example.com' } } } }] }))).toEqual([]);
  });

  test('route destination headers are checked too', () => {
    const [f] = of('headerOperationInvalid', vs({ hosts: ['a'], http: [{ route: [{ destination: { host: 'a' }, headers: { request: { remove: [':path'] } } }] }] }));
    expect(f.field).toBe('spec.http[0].route[0].headers.request.remove[0]');
  });

  test('mirror percentages are 0..100', () => {
    const [a] = of('percentageOutOfRange', vs({ hosts: ['a'], http: [{ route: route(), mirror: { host: 'b' }, mirrorPercentage: { value: 101 } }] }));
    expect(a.field).toBe('spec.http[0].mirrorPercentage.value');
    const [b] = of('percentageOutOfRange', vs({ hosts: ['a'], http: [{ route: route(), mirrors: [{ destination: { host: 'b' }, percentage: { value: -1 } }] }] }));
    expect(b.field).toBe('spec.http[0].mirrors[0].percentage.value');
    const [c] = of('percentageOutOfRange', vs({ hosts: ['a'], http: [{ route: route(), mirror: { host: 'b' }, mirror_percent: 120 }] }));
    expect(c.field).toBe('spec.http[0].mirror_percent');
  });

  test('sniHosts are matched against the hosts, wildcard-aware', () => {
    const tls = (hosts: string[], sni: string) => vs({ hosts, tls: [{ match: [{ sniHosts: [sni] }], route: route('a.example.com') }] });
    expect(of('sniHostNotInHosts', tls(['*.example.com'], 'api.example.com'))).toEqual([]);
    expect(of('sniHostNotInHosts', tls(['*.example.com'], '*.api.example.com'))).toEqual([]);
    expect(of('sniHostNotInHosts', tls(['api.example.com'], '*.example.com'))).toHaveLength(1);
    expect(of('sniHostNotInHosts', tls(['*.example.com'], '*.com'))).toHaveLength(1);
  });

  test('gateway-bound TLS VirtualServices accept AUTO_PASSTHROUGH outbound_ hosts', () => {
    const o = vs({ hosts: ['outbound_.9080_._.reviews.default.svc.cluster.local'], gateways: ['istio-system/cross-network'], tls: [{ match: [{ sniHosts: ['outbound_.9080_._.reviews.default.svc.cluster.local'] }], route: route() }] });
    expect(errors(o)).toEqual([]);
  });

  test('IP hosts are allowed', () => {
    expect(errors(vs({ hosts: ['10.0.0.1'], tcp: [{ route: route() }] }))).toEqual([]);
  });

  test('fails validation when directResponse bodies exceed 1MB (bytes are base64)', () => {
    const [f] = of('directResponseInvalid', vs({ hosts: ['a'], http: [{ directResponse: { status: 200, body: { bytes: 'A'.repeat(1.5 * 1024 * 1024) } } }] }));
    expect(f.message).toContain('is too large; it must be under 1MB');
  });

  test('fault aborts: gRPC status names and http2Error', () => {
    expect(of('faultInvalid', vs({ hosts: ['a'], http: [{ route: route(), fault: { abort: { grpcStatus: 'UNAVAILABLE' } } }] }))).toEqual([]);
    expect(of('faultInvalid', vs({ hosts: ['a'], http: [{ route: route(), fault: { abort: { grpcStatus: '14' } } }] }))).toHaveLength(1);
    expect(of('faultInvalid', vs({ hosts: ['a'], http: [{ route: route(), fault: { abort: { http2Error: 'x' } } }] }))).toHaveLength(1);
  });
});

describe('DestinationRule', () => {
  test('client TLS MUTUAL with inline certificates is fine', () => {
    expect(errors(dr({ host: 'a', trafficPolicy: { tls: { mode: 'MUTUAL', clientCertificate: '/c.pem', privateKey: '/k.pem' } } }))).toEqual([]);
  });

  test('client TLS checks apply to port-level and subset policies too', () => {
    const [f] = of('clientTlsMutualNoCert', dr({ host: 'a', subsets: [{ name: 'v1', trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'MUTUAL' } }] } }] }));
    expect(f.field).toBe('spec.subsets[0].trafficPolicy.portLevelSettings[0].tls');
  });

  test('fails validation when a DestinationRule with a workloadSelector is exported beyond its namespace', () => {
    const [f] = of('exportToInvalid', dr({ host: 'a', workloadSelector: { matchLabels: { app: 'a' } }, exportTo: ['*'] }));
    expect(f.message).toContain('cannot be exported beyond its namespace "default"');
    expect(of('exportToInvalid', dr({ host: 'a', workloadSelector: { matchLabels: { app: 'a' } }, exportTo: ['.'] }))).toEqual([]);
  });

  test('fails validation when localities overlap or failover names a zone', () => {
    const overlap = of('localityLbInvalid', dr({ host: 'a', trafficPolicy: { loadBalancer: { localityLbSetting: { distribute: [{ from: 'us-west/*', to: { 'us-west/*': 50, 'us-west/zone1/*': 50 } }] } } } }));
    expect(overlap[0].message).toContain('overlaps with a previous one');
    const zone = of('localityLbInvalid', dr({ host: 'a', trafficPolicy: { outlierDetection: {}, loadBalancer: { localityLbSetting: { failover: [{ from: 'us-east/zone1', to: 'eu-west' }] } } } }));
    expect(zone[0].message).toContain('must name regions only');
  });

  test('a tcp idleTimeout of 0s disables it and is allowed', () => {
    expect(of('durationInvalid', dr({ host: 'a', trafficPolicy: { connectionPool: { tcp: { idleTimeout: '0s' } } } }))).toEqual([]);
    expect(of('durationInvalid', dr({ host: 'a', trafficPolicy: { connectionPool: { http: { idleTimeout: '0s' } } } }))).toHaveLength(1);
  });
});

describe('Gateway', () => {
  const server = (s: Spec) => gw({ selector: { istio: 'ingressgateway' }, servers: [{ hosts: ['a.example.com'], ...s }] });

  test('an HTTP server with only httpsRedirect is fine', () => {
    expect(errors(server({ port: { number: 80, name: 'http', protocol: 'HTTP' }, tls: { httpsRedirect: true } }))).toEqual([]);
  });

  test('fails validation when a plain HTTP server terminates TLS', () => {
    const [f] = of('serverTlsRequired', server({ port: { number: 80, name: 'http', protocol: 'HTTP' }, tls: { mode: 'SIMPLE', credentialName: 'c' } }));
    expect(f.message).toContain('a plain HTTP server cannot have TLS settings other than httpsRedirect');
  });

  test('fails validation when a TCP server has TLS settings', () => {
    const [f] = of('serverTlsRequired', server({ port: { number: 3306, name: 'mysql', protocol: 'TCP' }, tls: { mode: 'SIMPLE', credentialName: 'c' } }));
    expect(f.message).toContain('a TCP server cannot have TLS settings; use protocol TLS or HTTPS');
  });

  test('PASSTHROUGH and ISTIO_MUTUAL servers need no certificates', () => {
    expect(errors(server({ port: { number: 443, name: 'tls', protocol: 'TLS' }, tls: { mode: 'PASSTHROUGH' } }))).toEqual([]);
    expect(errors(server({ port: { number: 443, name: 'https', protocol: 'HTTPS' }, tls: { mode: 'ISTIO_MUTUAL' } }))).toEqual([]);
  });

  test('hosts: namespace/host, IPs, and the rejected forms', () => {
    expect(errors(server({ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['./a.example.com', '*/b.example.com', 'prod/*.example.com', '10.0.0.1'] }))).toEqual([]);
    const bad = of('serverHostsInvalid', server({ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['/a.example.com', 'Bad_NS/a.example.com', 'a*.example.com', ''] }));
    expect(bad.map(f => f.field)).toEqual(['spec.servers[0].hosts[0]', 'spec.servers[0].hosts[1]', 'spec.servers[0].hosts[2]', 'spec.servers[0].hosts[3]']);
  });

  test('fails validation when a server binds to a CIDR instead of an IP', () => {
    const [f] = of('ipInvalid', server({ port: { number: 80, name: 'http', protocol: 'HTTP' }, bind: '10.0.0.0/8' }));
    expect(f).toMatchObject({ field: 'spec.servers[0].bind', message: 'bind address "10.0.0.0/8" is not an IP address (or unix:///path where allowed)' });
    expect(of('ipInvalid', server({ port: { number: 80, name: 'http', protocol: 'HTTP' }, bind: '10.0.0.1' }))).toEqual([]);
  });

  test('fails validation when tlsCertificates entries lack a key', () => {
    const [f] = of('serverTlsCertRequired', server({ port: { number: 443, name: 'https', protocol: 'HTTPS' }, tls: { mode: 'SIMPLE', tlsCertificates: [{ serverCertificate: '/a.pem', privateKey: '/a.key' }, { serverCertificate: '/b.pem' }] } }));
    expect(f.field).toBe('spec.servers[0].tls.tlsCertificates[1]');
  });
});

describe('AuthorizationPolicy', () => {
  test('the dry-run annotation takes a boolean on ALLOW/DENY policies only', () => {
    const annotated = (value: string, action: string) => ap({ action, rules: [{}], ...(action === 'CUSTOM' ? { provider: { name: 'p' } } : {}) }, { name: 'p', annotations: { 'istio.io/dry-run': value } });
    expect(of('dryRunAnnotation', annotated('true', 'DENY'))).toEqual([]);
    expect(of('dryRunAnnotation', annotated('yes', 'ALLOW'))[0].message).toContain('istio.io/dry-run value "yes" is not a boolean');
    expect(of('dryRunAnnotation', annotated('true', 'CUSTOM'))[0].message).toContain('only supports action ALLOW or DENY, found CUSTOM');
  });

  test('`rules: []` on a DENY policy counts as no rules (proto3)', () => {
    expect(of('denyWithoutRules', ap({ action: 'DENY', rules: [] }))).toHaveLength(1);
  });

  test('ALLOW with no rules is valid (it denies everything)', () => {
    expect(errors(ap({}))).toEqual([]);
  });

  test('fails validation when CUSTOM conditions use request.auth attributes', () => {
    const [f] = of('customUnsupportedField', ap({ action: 'CUSTOM', provider: { name: 'p' }, rules: [{ when: [{ key: 'request.auth.claims[iss]', values: ['x'] }] }] }));
    expect(f.field).toBe('spec.rules[0].when[0].key');
  });

  test('condition values must fit their key', () => {
    const when = (key: string, values: string[]) => ap({ rules: [{ when: [{ key, values }] }] });
    expect(of('conditionKeyInvalid', when('source.ip', ['10.0.0.0/8', '10.1.1.1']))).toEqual([]);
    expect(of('conditionKeyInvalid', when('source.ip', ['10.0.0.300']))[0].field).toBe('spec.rules[0].when[0].values');
    expect(of('conditionKeyInvalid', when('destination.port', ['80', 'http']))[0].message).toContain('port "http" is not a number in 0..65535');
    expect(of('conditionKeyInvalid', when('request.method', ['GET']))[0].message).toContain('unknown attribute');
    expect(of('conditionKeyInvalid', when('destination.labels[app]', ['x']))[0].message).toContain('replaced by the workload selector');
    expect(of('conditionKeyInvalid', when('request.headers[x-user]', ['a']))).toEqual([]);
  });

  test('fails validation when ipBlocks are not IPs or CIDRs', () => {
    const [f] = of('ipInvalid', ap({ rules: [{ from: [{ source: { ipBlocks: ['10.0.0.0/33'] } }] }] }));
    expect(f.field).toBe('spec.rules[0].from[0].source.ipBlocks[0]');
  });

  test('a DENY rule on ports or on TCP-capable sources is not warned about', () => {
    expect(of('denyHttpOnTcp', ap({ action: 'DENY', rules: [{ from: [{ source: { namespaces: ['x'] } }] }] }))).toEqual([]);
    expect(of('denyHttpOnTcp', ap({ action: 'DENY', rules: [{ from: [{ source: { requestPrincipals: ['*'] } }] }] }))).toHaveLength(1);
  });
});

describe('other kinds', () => {
  test('ServiceEntry: wildcard hosts with DNS are fine with endpoints', () => {
    expect(errors(se({ hosts: ['*.example.com'], ports: [{ number: 443, name: 'tls', protocol: 'TLS' }], resolution: 'DNS', endpoints: [{ address: 'proxy.example.com' }] }))).toEqual([]);
  });

  test('ServiceEntry: exportTo "~" is allowed alone', () => {
    const base = { hosts: ['a.example.com'], ports: [{ number: 443, name: 'tls', protocol: 'TLS' }], resolution: 'DNS' };
    expect(of('exportToInvalid', se({ ...base, exportTo: ['~'] }))).toEqual([]);
    expect(of('exportToInvalid', se({ ...base, exportTo: ['~', '.'] }))[0].message).toContain('"~" (no one) cannot be combined');
    expect(of('exportToInvalid', vs({ hosts: ['a'], http: [{ route: route() }], exportTo: ['~'] }))[0].message).toContain('only allowed for ServiceEntry');
  });

  test('ServiceEntry: STATIC endpoints must be IPs, unix endpoints need one port', () => {
    const [f] = of('weAddressInvalid', se({ hosts: ['a.example.com'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], resolution: 'STATIC', endpoints: [{ address: 'a.example.com' }] }));
    expect(f.message).toContain('resolution STATIC needs IPs');
    const [u] = of('seEndpointPorts', se({ hosts: ['a.example.com'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }, { number: 81, name: 'http2', protocol: 'HTTP' }], resolution: 'STATIC', endpoints: [{ address: 'unix:///sock' }] }));
    expect(u.message).toContain('a unix endpoint needs exactly 1 service port, the ServiceEntry has 2');
  });

  test('Sidecar: only one catch-all egress listener', () => {
    const [f] = of('sidecarCatchAll', sc({ egress: [{ hosts: ['./*'] }, { hosts: ['istio-system/*'] }] }));
    expect(f.message).toContain('the egress listener without a port (the catch-all) must be the last one');
  });

  test('Sidecar: a unix socket egress listener', () => {
    const ok = sc({ egress: [{ port: { number: 0, protocol: 'HTTP', name: 'uds' }, bind: 'unix:///var/run/app.sock', hosts: ['./*'] }] });
    expect(errors(ok)).toEqual([]);
    const bad = sc({ egress: [{ port: { number: 0, protocol: 'HTTP', name: 'uds' }, bind: '127.0.0.1', captureMode: 'IPTABLES', hosts: ['./*'] }] });
    expect(of('sidecarEgressPort', bad).map(f => f.field)).toEqual(['spec.egress[0].bind', 'spec.egress[0].captureMode']);
  });

  test('Sidecar: egress hosts "~/*" and "*/*" are valid', () => {
    expect(errors(sc({ egress: [{ hosts: ['~/*'] }] }))).toEqual([]);
    expect(errors(sc({ egress: [{ hosts: ['*/*'] }] }))).toEqual([]);
  });

  test('PeerAuthentication: port keys are 1..65535', () => {
    const [f] = of('portOutOfRange', obj('security.istio.io/v1', 'PeerAuthentication', { selector: { matchLabels: { app: 'a' } }, portLevelMtls: { 0: { mode: 'DISABLE' } } }));
    expect(f.field).toBe('spec.portLevelMtls["0"]');
  });

  test('WorkloadEntry: unix addresses take no ports', () => {
    const [f] = of('weAddressInvalid', obj('networking.istio.io/v1', 'WorkloadEntry', { address: 'unix:///sock', ports: { http: 80 } }));
    expect(f.message).toContain('must not have ports');
  });

  test('Telemetry: randomSamplingPercentage is 0..100', () => {
    const [f] = of('percentageOutOfRange', obj('telemetry.istio.io/v1', 'Telemetry', { tracing: [{ randomSamplingPercentage: 101 }] }));
    expect(f.field).toBe('spec.tracing[0].randomSamplingPercentage');
  });

  test('EnvoyFilter: REPLACE outside filters and an invalid proxyVersion regex', () => {
    const ef = (p: Spec) => obj('networking.istio.io/v1alpha3', 'EnvoyFilter', { configPatches: [p] });
    expect(of('efOperationIgnored', ef({ applyTo: 'CLUSTER', patch: { operation: 'REPLACE', value: {} } }))[0].message).toContain('REPLACE only works with applyTo HTTP_FILTER or NETWORK_FILTER');
    expect(of('regexInvalid', ef({ applyTo: 'CLUSTER', match: { proxy: { proxyVersion: '^1\\.2(?!0)' } }, patch: { operation: 'MERGE', value: {} } }))[0].field).toBe('spec.configPatches[0].match.proxy.proxyVersion');
  });
});
