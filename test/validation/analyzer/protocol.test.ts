import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-32';
import { analyze, deployment, findings, istio, service, single } from './fixtures';
import { CanaryRelease } from '../../../src/patterns/canary-release';
import { CanaryWorkload } from '../../../src/patterns/canary-workload';
import { IstioValidation } from '../../../src/validation/app';
import { FindingLevel } from '../../../src/validation/findings';

const A010 = 'CDK8S-ISTIO-A010';
const A011 = 'CDK8S-ISTIO-A011';
const A012 = 'CDK8S-ISTIO-A012';

const vs = (spec: any, ns?: string) => istio('VirtualService', 'reviews', { hosts: ['reviews'], ...spec }, ns);
const RETRIES = { http: [{ retries: { attempts: 3, perTryTimeout: '2s' }, route: [{ destination: { host: 'reviews' } }] }] };

describe('CDK8S-ISTIO-A010 HttpRulesOnTcpPort', () => {
  test('warns when the host\'s Service declares its port TCP (name or appProtocol)', () => {
    for (const port of [{ name: 'tcp-web', port: 9080 }, { name: 'tcp', port: 9080 }, { name: 'web', appProtocol: 'tcp', port: 9080 }, { name: 'tls', port: 9080 }]) {
      const f = single([service('reviews', { ports: [port] }), vs(RETRIES)], A010);
      expect(f).toMatchObject({ level: FindingLevel.WARNING, kind: 'VirtualService', name: 'reviews', field: 'spec.http[0]' });
      expect(f.message).toContain('Service default/reviews declares port 9080');
      expect(f.message).toContain('ignores HTTP rules');
      expect(f.message).toContain('name it "http-…" (or set appProtocol: http)');
    }
  });

  test('header matches and faults on a TCP port, one finding per rule', () => {
    const objects = [service('reviews', { ports: [{ name: 'tcp-web', port: 9080 }] }), vs({
      http: [
        { match: [{ headers: { end_user: { exact: 'jason' } } }], route: [{ destination: { host: 'reviews' } }] },
        { fault: { abort: { httpStatus: 500, percentage: { value: 10 } } }, route: [{ destination: { host: 'reviews' } }] },
      ],
    })];
    expect(findings(objects, A010).map(f => f.field)).toEqual(['spec.http[0]', 'spec.http[1]']);
  });

  test('Info, not Warning, when the port declares no protocol (Istio sniffs it: plaintext HTTP is routed)', () => {
    const f = single([service('reviews', { ports: [{ name: 'web', port: 9080 }] }), vs(RETRIES)], A010);
    expect(f.level).toBe(FindingLevel.INFO);
    expect(f.message).toContain('declares no protocol for port 9080 ("web")');
    expect(f.message).toContain('plaintext HTTP/1.1 and h2c');
  });

  test('quiet for an HTTP port, a Service with one HTTP port among TCP ones, a port match on the HTTP port, gateway-only VirtualServices and hosts not in the input', () => {
    expect(findings([service('reviews', { ports: [{ name: 'http', port: 9080 }] }), vs(RETRIES)], A010)).toEqual([]);
    expect(findings([service('reviews', { ports: [{ name: 'http', port: 9080 }, { name: 'tcp-db', port: 3306 }] }), vs(RETRIES)], A010)).toEqual([]);
    const matchHttp = { http: [{ match: [{ port: 9080 }], route: [{ destination: { host: 'reviews', port: { number: 9080 } } }] }] };
    expect(findings([service('reviews', { ports: [{ name: 'http', port: 9080 }, { name: 'tcp-db', port: 3306 }] }), vs(matchHttp)], A010)).toEqual([]);
    expect(findings([service('reviews', { ports: [{ name: 'tcp-web', port: 9080 }] }), vs({ gateways: ['istio-system/gw'], ...RETRIES })], A010)).toEqual([]);
    // open world: the host's Service is elsewhere
    expect(findings([vs(RETRIES)], A010, { openWorld: true })).toEqual([]);
    expect(findings([vs(RETRIES)], A010)).toEqual([]);
  });

  test('a port match on the TCP port of a mixed Service warns', () => {
    const objects = [
      service('reviews', { ports: [{ name: 'http', port: 9080 }, { name: 'tcp-db', port: 3306 }] }),
      vs({ http: [{ match: [{ port: 3306 }], route: [{ destination: { host: 'reviews', port: { number: 3306 } } }] }] }),
    ];
    expect(single(objects, A010).message).toContain('port 3306 ("tcp-db") as TCP');
  });

  test('a CanaryRelease split on a TCP port warns at synth, through the switch', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'test');
    new kplus.Deployment(chart, 'reviews-v1', {
      podMetadata: { labels: { app: 'reviews', version: 'v1' } },
      containers: [{ image: 'example/reviews', portNumber: 9080, securityContext: { ensureNonRoot: false } }],
    });
    new kplus.Service(chart, 'reviews', { metadata: { name: 'reviews' }, selector: kplus.Pods.select(chart, 'pods', { labels: { app: 'reviews' } }), ports: [{ name: 'tcp-web', port: 9080 }] });
    new CanaryRelease(chart, 'canary', {
      host: 'reviews',
      stable: CanaryWorkload.fromLabels({ app: 'reviews', version: 'v1' }),
      canary: CanaryWorkload.fromLabels({ app: 'reviews', version: 'v2' }),
      canaryWeight: 10,
    });
    const found = IstioValidation.findings(app).filter(f => f.code === A010);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ level: FindingLevel.WARNING, kind: 'VirtualService', constructPath: 'test/canary/VirtualService' });
  });
});

const ap = (spec: any, ns?: string) => istio('AuthorizationPolicy', 'policy', { selector: { matchLabels: { app: 'db' } }, ...spec }, ns);
const db = (ports: any[]) => [deployment('db', { app: 'db' }), service('db', { ports })];

describe('CDK8S-ISTIO-A011 HttpAuthorizationOnTcp', () => {
  test('an ALLOW rule with methods, paths, hosts or request principals on a workload whose ports are all TCP', () => {
    for (const rule of [
      { to: [{ operation: { methods: ['GET'] } }] },
      { to: [{ operation: { notPaths: ['/admin'] } }] },
      { to: [{ operation: { hosts: ['db.example.com'] } }] },
      { from: [{ source: { requestPrincipals: ['*'] } }] },
      { when: [{ key: 'request.auth.claims[iss]', values: ['x'] }] },
    ]) {
      const f = single([...db([{ name: 'tcp-mysql', port: 3306 }]), ap({ rules: [rule] })], A011);
      expect(f).toMatchObject({ level: FindingLevel.WARNING, kind: 'AuthorizationPolicy', field: 'spec.rules[0]' });
      expect(f.message).toContain('Deployment default/db: Service default/db port 3306 ("tcp-mysql")');
      expect(f.message).toContain('allows nothing there');
    }
  });

  test('a DENY rule with HTTP-only fields on a workload that serves a TCP port (mixed ports too)', () => {
    const objects = [...db([{ name: 'http', port: 8080 }, { name: 'tcp-mysql', port: 3306 }]), ap({ action: 'DENY', rules: [{ to: [{ operation: { methods: ['DELETE'] } }] }] })];
    const f = single(objects, A011);
    expect(f.message).toContain('denies every connection, not only the requests');
    expect(f.message).toContain('List the HTTP ports in to.operation.ports');
    const withSource = ap({ action: 'DENY', rules: [{ from: [{ source: { namespaces: ['x'] } }], to: [{ operation: { methods: ['DELETE'] } }] }] });
    expect(single([...db([{ name: 'tcp-mysql', port: 3306 }]), withSource], A011).message).toContain('denies every connection its other conditions match');
  });

  test('quiet when the workload has an HTTP or sniffed port in scope, the rule is limited to HTTP ports, has only TCP fields, or the workloads are unknown', () => {
    const allow = ap({ rules: [{ to: [{ operation: { methods: ['GET'] } }] }] });
    expect(findings([...db([{ name: 'http', port: 8080 }]), allow], A011)).toEqual([]);
    expect(findings([...db([{ name: 'http', port: 8080 }, { name: 'tcp-mysql', port: 3306 }]), allow], A011)).toEqual([]);
    expect(findings([...db([{ name: 'web', port: 8080 }]), allow], A011)).toEqual([]);
    const limited = ap({ action: 'DENY', rules: [{ to: [{ operation: { methods: ['DELETE'], ports: ['8080'] } }] }] });
    expect(findings([...db([{ name: 'http', port: 8080 }, { name: 'tcp-mysql', port: 3306 }]), limited], A011)).toEqual([]);
    const tcpOnly = ap({ rules: [{ from: [{ source: { principals: ['cluster.local/ns/default/sa/app'] } }], to: [{ operation: { ports: ['3306'] } }] }] });
    expect(findings([...db([{ name: 'tcp-mysql', port: 3306 }]), tcpOnly], A011)).toEqual([]);
    expect(findings([allow], A011, { openWorld: true })).toEqual([]);
    expect(findings([deployment('db', { app: 'db' }), allow], A011)).toEqual([]);
  });

  test('gateway pods: the Gateway servers decide, not the gateway Service\'s port names', () => {
    const policy = istio('AuthorizationPolicy', 'require-token', {
      selector: { matchLabels: { istio: 'ingressgateway' } },
      action: 'DENY',
      rules: [{ from: [{ source: { notRequestPrincipals: ['*'] } }], to: [{ operation: { hosts: ['api.example.com'] } }] }],
    }, 'istio-system');
    const https = istio('Gateway', 'api', {
      selector: { istio: 'ingressgateway' },
      servers: [
        { port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['api.example.com'], tls: { mode: 'SIMPLE', credentialName: 'api-tls' } },
        { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['api.example.com'], tls: { httpsRedirect: true } },
      ],
    }, 'istio-system');
    // closed world: the default installation's ingress gateway, HTTP servers only
    expect(findings([policy, https], A011)).toEqual([]);
    const tcp = istio('Gateway', 'db', { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 31400, name: 'tcp', protocol: 'TCP' }, hosts: ['*'] }] }, 'istio-system');
    const f = single([policy, https, tcp], A011);
    expect(f.message).toContain('Deployment istio-system/istio-ingressgateway: Gateway istio-system/db server 0 (TCP, port 31400)');
    expect(f.message).toContain('JwtProtectedIngress: the gatewayPorts prop');
    // limited to the HTTPS pod port (8443 behind 443): quiet
    const limited = { ...policy, spec: { ...policy.spec, rules: [{ ...policy.spec.rules[0], to: [{ operation: { hosts: ['api.example.com'], ports: ['8443', '8080'] } }] }] } };
    expect(findings([limited, https, tcp], A011)).toEqual([]);
  });
});

describe('CDK8S-ISTIO-A012 ServerFirstProtocolAsHttp', () => {
  test('MySQL, MongoDB, SMTP and DNS ports (port or targetPort) named or appProtocol-ed HTTP, HTTP2 or gRPC', () => {
    const ports = [
      { name: 'http-db', port: 3306 },
      { name: 'db', appProtocol: 'http2', port: 27017 },
      { name: 'grpc-mail', port: 2525, targetPort: 25 },
      { name: 'http', port: 53, protocol: 'TCP' },
    ];
    const found = findings([service('db', { ports })], A012);
    expect(found.map(f => `${f.level} ${f.field}`)).toEqual(['Warning spec.ports[0]', 'Warning spec.ports[1]', 'Warning spec.ports[2]', 'Warning spec.ports[3]']);
    expect(found[0].message).toContain('port 3306 ("http-db") is MySQL\'s port, a server-first protocol, but is declared HTTP');
    expect(found[0].message).toContain('Name the port "tcp-…"');
  });

  test('a port marked server-first by annotation, declared HTTP or left to sniffing', () => {
    const annotations = { 'cdk8s-istio.io/server-first-ports': '5432, nats' };
    const found = findings([service('db', { annotations, ports: [{ name: 'http-pg', port: 5432 }, { name: 'nats', port: 4222 }] })], A012);
    expect(found.map(f => f.field)).toEqual(['spec.ports[0]', 'spec.ports[1]']);
    expect(found[1].message).toContain('declares no protocol');
  });

  test('quiet for server-first ports declared TCP or left unnamed (Istio defaults them to TCP), and for HTTP on other ports', () => {
    const ports = [{ name: 'tcp-mysql', port: 3306 }, { name: 'mongo', port: 27017 }, { port: 25 }, { name: 'dns', port: 53, protocol: 'UDP' }, { name: 'http', port: 8080 }];
    expect(findings([service('db', { ports })], A012)).toEqual([]);
    const marked = service('db', { annotations: { 'cdk8s-istio.io/server-first-ports': '5432' }, ports: [{ name: 'tcp-pg', port: 5432 }] });
    expect(findings([marked], A012)).toEqual([]);
  });

  test('a cdk8s-plus Service in a Chart, at synth through the switch (strict fails)', () => {
    const app = new App({ outdir: '/tmp/cdk8s-istio-a012' });
    IstioValidation.enable(app, { strict: true, printWarnings: false });
    const chart = new Chart(app, 'test');
    const mysql = new kplus.Deployment(chart, 'mysql', {
      containers: [{ image: 'mysql:8', portNumber: 3306, securityContext: { ensureNonRoot: false } }],
    });
    mysql.exposeViaService({ name: 'mysql', ports: [{ name: 'http', port: 3306 }] });
    expect(() => app.synth()).toThrow(/Warning \[CDK8S-ISTIO-A012\] \(Service mysql\).*port 3306 \("http"\) is MySQL's port/);
  });
});

test('the analyzer runs A010-A012 once per object (no duplicates)', () => {
  const objects = [...db([{ name: 'tcp-mysql', port: 3306 }]), ap({ rules: [{ to: [{ operation: { methods: ['GET'] } }] }, { to: [{ operation: { paths: ['/x'] } }] }] })];
  expect(analyze(objects).filter(f => f.code === A011).map(f => f.field)).toEqual(['spec.rules[0]', 'spec.rules[1]']);
});
