import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Duration, Yaml } from 'cdk8s';
import { codeBlocks, readRepoFile } from './doc-snippets';
import { synthValid } from './util';
import {
  AuthorizationPolicy,
  ClientTls,
  DestinationRule,
  Gateway,
  IstioValidation,
  MtlsMode,
  PeerAuthentication,
  Principal,
  Protocol,
  RequestAuthentication,
  RetryOn,
  RouteDestination,
  ServiceEntry,
  ServiceEntryLocation,
  ServiceEntryResolution,
  Sidecar,
  SimpleLb,
  StringMatch,
  VirtualService,
  WorkloadEntry,
  WorkloadGroup,
  WorkloadSelector,
} from '../src';

/**
 * docs/resource-constructs.md: every TypeScript sample stands verbatim in this file (the
 * import block with '../src' for 'cdk8s-istio', the others indented in a test); each runs
 * in the chart the page sets up, is synthesized through synthValid under strict (CRD
 * schema and CEL, webhook rules, analyzer; warnings fail too), and the YAML block that
 * follows it is, as text, what cdk8s writes for it (`Yaml.stringify`, as `cdk8s synth`).
 * The page's Secure defaults rows stand word for word in the README, each page section
 * has its API.md link, and every "throws when" the page lists is the name of a test in
 * the construct's test files.
 */
const PAGE = 'docs/resource-constructs.md';
const page = readRepoFile(PAGE);
const readme = readRepoFile('README.md');

/** The test files of each construct (by name prefix), where its "throws when" tests stand. */
const TESTS_OF: Record<string, string[]> = {
  VirtualService: ['virtual-service'],
  DestinationRule: ['destination-rule', 'traffic-policy'],
  Gateway: ['gateway.'],
  ServiceEntry: ['service-entry'],
  Sidecar: ['sidecar'],
  PeerAuthentication: ['peer-authentication'],
  RequestAuthentication: ['request-authentication'],
  AuthorizationPolicy: ['authorization-policy'],
  WorkloadEntry: ['vm-workload'],
  WorkloadGroup: ['vm-workload'],
};

/** The YAML blocks in page order; each test takes the next one, in page order too. */
const yamlBlocks = codeBlocks(page, 'yaml', 'end');

/** The n-th YAML block of the page, compared as text with what the chart synthesizes. */
function expectShown(chart: Chart, n: number): void {
  const written = Yaml.stringify(...synthValid(chart, { strict: true }));
  expect(yamlBlocks[n]).toBeDefined();
  expect(written.trimEnd()).toBe(yamlBlocks[n]);
}

/** A text as a regular expression that matches it literally. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The section of the page for a construct (`## <Name>` up to the next `## `). */
function section(name: string): string {
  return page.split(/^## /m).find(s => s.startsWith(name + '\n')) ?? '';
}

describe('docs/resource-constructs.md, the page', () => {
  test('the TypeScript stands verbatim in this test, each sample in the test of its YAML block, in page order', () => {
    const source = fs.readFileSync(__filename, 'utf-8');
    const [imports, setup, ...samples] = codeBlocks(page, 'ts', 'end');
    // the imports: the same names from 'cdk8s-istio' as this test from '../src'; those from 'cdk8s' among this test's
    const names = (text: string, from: string) => (text.match(new RegExp(`import \\{([^}]*)\\} from '${from}';`))?.[1] ?? '').split(',').map(n => n.trim()).filter(n => n);
    expect(names(imports, 'cdk8s-istio')).toEqual(names(source, '../src'));
    expect(names(source, 'cdk8s')).toEqual(expect.arrayContaining(names(imports, 'cdk8s')));
    expect(names(imports, 'cdk8s').length).toBeGreaterThan(0);
    // the chart of the page, then the sample, then the comparison with the n-th YAML block
    const indent = (text: string) => text.split('\n').map(l => (l ? `    ${l}` : l)).join('\n');
    const mirrored = [...source.matchAll(new RegExp(`${escape(indent(setup))}\n\n([\\s\\S]*?)\n    // end of the sample\n\n    expectShown\\(chart, (\\d+)\\);`, 'g'))];
    expect(mirrored.map(m => Number(m[2]))).toEqual(samples.map((_, i) => i));
    expect(mirrored.map(m => m[1])).toEqual(samples.map(indent));
    expect(samples.length).toBe(15);
  });

  test('every YAML block is checked by a test below', () => {
    expect(yamlBlocks.length).toBe(15);
  });

  test('one section per construct, in order, each with purpose, samples, checks and its API.md link', () => {
    const headings = [...page.matchAll(/^## (\S+)$/gm)].map(m => m[1]);
    expect(headings).toEqual(Object.keys(TESTS_OF));
    for (const name of Object.keys(TESTS_OF)) {
      const text = section(name);
      expect(text).toContain('```ts\n');
      expect(text).toContain('```yaml\n');
      expect(text).toContain('Throws when');
      expect(text).toContain(`](../API.md#${name})`);
      expect(readRepoFile('API.md')).toContain(`<a id="${name}"></a>`);
    }
  });

  test('the Secure defaults rows stand word for word in the README, under the construct they name', () => {
    const readmeDefaults = readme.split(/^## /m).find(s => s.startsWith('Secure defaults\n')) ?? '';
    const rows = page.split('\n').filter(l => l.startsWith('| `'));
    expect(rows.map(r => r.split(' | ')[0])).toEqual(['| `Sidecar`', '| `PeerAuthentication`', '| `AuthorizationPolicy`']);
    for (const row of rows) {
      expect(readmeDefaults.split('\n')).toContain(row);
      const construct = row.split('`')[1];
      expect(section(construct)).toContain(row);
    }
  });

  test('every "throws when" listed is a test of the construct, and names the prop that fixes it', () => {
    const read = (prefixes: string[]) => fs.readdirSync(__dirname)
      .filter(f => f.endsWith('.test.ts') && prefixes.some(p => f.startsWith(p)))
      .map(f => fs.readFileSync(path.join(__dirname, f), 'utf-8')).join('\n');
    const bullets = page.split('\n').filter(l => l.startsWith('- '));
    expect(bullets.filter(l => !/^- .+? \(fix: .+\)$/.test(l))).toEqual([]);
    let listed = 0;
    for (const [name, prefixes] of Object.entries(TESTS_OF)) {
      const tests = read(prefixes);
      const items = section(name).split('\n').map(l => /^- (.+?) \(fix: .+\)$/.exec(l)?.[1]).filter((i): i is string => i !== undefined);
      expect({ name, items: items.length > 0 }).toEqual({ name, items: true });
      for (const item of items) {
        // as the test names it (backticks in the page set off code, unless the test name has them too)
        const named = [item, item.replace(/`/g, '')].some(n => ['when', 'for'].some(w => tests.includes(`test('throws ${w} ${n.replace(/'/g, "\\'")}'`)));
        expect({ name, item, named }).toEqual({ name, item, named: true });
      }
      listed += items.length;
    }
    expect(listed).toBe(bullets.length);
  });
});

describe('docs/resource-constructs.md, the samples', () => {
  test('fails validation under strict when TLS origination names no CA (IST0128), as the page says', () => {
    const chart = new Chart(new App(), 'bookinfo', { namespace: 'bookinfo' });
    const dr = new DestinationRule(chart, 'payments-tls', { host: 'api.payments.example.com', trafficPolicy: { tls: ClientTls.simple({ sni: 'api.payments.example.com' }) } });
    expect(dr.warnings.length).toBeGreaterThan(0);
    expect(() => synthValid(chart, { strict: true })).toThrow(/IST0128/);
  });

  test('VirtualService: a header match and a weighted split in the mesh', () => {
    const app = new App();
    IstioValidation.enable(app, { strict: true });
    const chart = new Chart(app, 'bookinfo', { namespace: 'bookinfo' });

    new VirtualService(chart, 'reviews', {
      metadata: { name: 'reviews' },
      hosts: ['reviews'],
      http: [
        {
          match: [{ headers: { 'end-user': StringMatch.exact('jason') } }],
          destinations: [RouteDestination.to('reviews', { subset: 'v2' })],
        },
        {
          destinations: [
            RouteDestination.to('reviews', { subset: 'v1', weight: 90 }),
            RouteDestination.to('reviews', { subset: 'v2', weight: 10 }),
          ],
          timeout: Duration.seconds(5),
          retries: { attempts: 3, perTryTimeout: Duration.seconds(2), retryOn: [RetryOn.GATEWAY_ERROR, RetryOn.CONNECT_FAILURE] },
        },
      ],
    });
    // end of the sample

    expectShown(chart, 0);
  });

  test('VirtualService: bound to a gateway, by path', () => {
    const app = new App();
    IstioValidation.enable(app, { strict: true });
    const chart = new Chart(app, 'bookinfo', { namespace: 'bookinfo' });

    const publicGateway = Gateway.fromGatewayName(chart, 'public', 'istio-system/public');

    new VirtualService(chart, 'bookinfo', {
      metadata: { name: 'bookinfo' },
      hosts: ['bookinfo.example.com'],
      gateways: [publicGateway],
      http: [{
        match: [{ uri: StringMatch.exact('/productpage') }, { uri: StringMatch.prefix('/static/') }],
        destinations: [RouteDestination.to('productpage', { port: 9080 })],
      }],
    });
    // end of the sample

    expectShown(chart, 1);
  });

  test('DestinationRule: subsets and a traffic policy', () => {
    const app = new App();
    IstioValidation.enable(app, { strict: true });
    const chart = new Chart(app, 'bookinfo', { namespace: 'bookinfo' });

    new DestinationRule(chart, 'reviews', {
      metadata: { name: 'reviews' },
      host: 'reviews',
      trafficPolicy: {
        loadBalancer: { simple: SimpleLb.LEAST_REQUEST },
        connectionPool: {
          tcp: { maxConnections: 100, connectTimeout: Duration.millis(500) },
          http: { http2MaxRequests: 1000, maxRequestsPerConnection: 10 },
        },
        outlierDetection: {
          consecutive5xxErrors: 5,
          interval: Duration.seconds(10),
          baseEjectionTime: Duration.seconds(30),
          maxEjectionPercent: 50,
        },
        tls: ClientTls.istioMutual(),
      },
      subsets: [
        { name: 'v1', labels: { version: 'v1' } },
        { name: 'v2', labels: { version: 'v2' } },
      ],
    });
    // end of the sample

    expectShown(chart, 2);
  });

  test('DestinationRule: TLS origination to an external host', () => {
    const app = new App();
    IstioValidation.enable(app, { strict: true });
    const chart = new Chart(app, 'bookinfo', { namespace: 'bookinfo' });

    new DestinationRule(chart, 'payments-tls', {
      metadata: { name: 'payments-tls' },
      host: 'api.payments.example.com',
      trafficPolicy: {
        tls: ClientTls.simple({ caCertificates: '/etc/ssl/certs/ca-certificates.crt', sni: 'api.payments.example.com' }),
      },
    });
    // end of the sample

    expectShown(chart, 3);
  });

  test('Gateway: HTTPS with a redirect from HTTP, and the route that serves it', () => {
    const app = new App();
    IstioValidation.enable(app, { strict: true });
    const chart = new Chart(app, 'bookinfo', { namespace: 'bookinfo' });

    const gateway = new Gateway(chart, 'bookinfo-gateway', {
      metadata: { name: 'bookinfo-gateway' },
      servers: [
        { port: { number: 80, protocol: Protocol.HTTP }, hosts: ['bookinfo.example.com'], tls: { httpsRedirect: true } },
        { port: { number: 443, protocol: Protocol.HTTPS }, hosts: ['bookinfo.example.com'], tls: { credentialName: 'bookinfo-cert' } },
      ],
    });

    new VirtualService(chart, 'bookinfo', {
      metadata: { name: 'bookinfo' },
      hosts: ['bookinfo.example.com'],
      gateways: [gateway],
      http: [{ destinations: [RouteDestination.to('productpage', { port: 9080 })] }],
    });
    // end of the sample

    expectShown(chart, 4);
  });

  test('ServiceEntry: an external HTTPS API', () => {
    const app = new App();
    IstioValidation.enable(app, { strict: true });
    const chart = new Chart(app, 'bookinfo', { namespace: 'bookinfo' });

    new ServiceEntry(chart, 'payments', {
      metadata: { name: 'payments' },
      hosts: ['api.payments.example.com'],
      ports: [{ number: 443, protocol: Protocol.TLS }],
      exportTo: ['.'],
    });
    // end of the sample

    expectShown(chart, 5);
  });

  test('ServiceEntry: a database at fixed addresses', () => {
    const app = new App();
    IstioValidation.enable(app, { strict: true });
    const chart = new Chart(app, 'bookinfo', { namespace: 'bookinfo' });

    new ServiceEntry(chart, 'orders-db', {
      metadata: { name: 'orders-db' },
      hosts: ['orders-db.internal.example.com'],
      addresses: ['10.20.0.12'],
      ports: [{ number: 5432, protocol: Protocol.TCP, name: 'tcp-postgres' }],
      resolution: ServiceEntryResolution.STATIC,
      endpoints: [{ address: '10.20.0.12' }],
    });
    // end of the sample

    expectShown(chart, 6);
  });

  test('Sidecar: egress only to the namespace and istio-system', () => {
    const app = new App();
    IstioValidation.enable(app, { strict: true });
    const chart = new Chart(app, 'bookinfo', { namespace: 'bookinfo' });

    new Sidecar(chart, 'default', {
      metadata: { name: 'default' },
      egress: [{ hosts: ['./*', 'istio-system/*'] }],
    });
    // end of the sample

    expectShown(chart, 7);
  });

  test('PeerAuthentication: STRICT for the namespace, one port PERMISSIVE on one workload', () => {
    const app = new App();
    IstioValidation.enable(app, { strict: true });
    const chart = new Chart(app, 'bookinfo', { namespace: 'bookinfo' });

    new PeerAuthentication(chart, 'default', { metadata: { name: 'default' } });

    new PeerAuthentication(chart, 'ratings-metrics', {
      metadata: { name: 'ratings-metrics' },
      selector: WorkloadSelector.fromLabels({ app: 'ratings' }),
      portLevelMtls: { 9090: MtlsMode.PERMISSIVE },
    });
    // end of the sample

    expectShown(chart, 8);
  });

  test('RequestAuthentication: one issuer on the ingress gateway', () => {
    const app = new App();
    IstioValidation.enable(app, { strict: true });
    const chart = new Chart(app, 'bookinfo', { namespace: 'bookinfo' });

    new RequestAuthentication(chart, 'ingress-jwt', {
      metadata: { name: 'ingress-jwt', namespace: 'istio-system' },
      selector: WorkloadSelector.fromLabels({ istio: 'ingressgateway' }),
      jwtRules: [{
        issuer: 'https://auth.example.com',
        jwksUri: 'https://auth.example.com/.well-known/jwks.json',
        audiences: ['bookinfo'],
      }],
    });
    // end of the sample

    expectShown(chart, 9);
  });

  test('AuthorizationPolicy: the default, ALLOW with no rules', () => {
    const app = new App();
    IstioValidation.enable(app, { strict: true });
    const chart = new Chart(app, 'bookinfo', { namespace: 'bookinfo' });

    new AuthorizationPolicy(chart, 'allow-nothing', { metadata: { name: 'allow-nothing' } });
    // end of the sample

    expectShown(chart, 10);
  });

  test('AuthorizationPolicy: one caller, by its service account, for GET', () => {
    const app = new App();
    IstioValidation.enable(app, { strict: true });
    const chart = new Chart(app, 'bookinfo', { namespace: 'bookinfo' });

    const reviews = new AuthorizationPolicy(chart, 'reviews-viewer', {
      metadata: { name: 'reviews-viewer' },
      selector: WorkloadSelector.fromLabels({ app: 'reviews' }),
      rules: [{
        from: [{ principals: [Principal.serviceAccount('bookinfo', 'bookinfo-productpage')] }],
        to: [{ methods: ['GET'], paths: ['/reviews/*'] }],
      }],
    });
    reviews.addRule({ from: [{ namespaces: ['monitoring'] }], to: [{ ports: [15020] }] });
    // end of the sample

    expectShown(chart, 11);
  });

  test('AuthorizationPolicy: allowAll, denyAll, allowNothing', () => {
    const app = new App();
    IstioValidation.enable(app, { strict: true });
    const chart = new Chart(app, 'bookinfo', { namespace: 'bookinfo' });

    AuthorizationPolicy.allowAll(chart, 'allow-all', { metadata: { name: 'allow-all' }, selector: WorkloadSelector.fromLabels({ app: 'productpage' }) });
    AuthorizationPolicy.denyAll(chart, 'deny-all', { metadata: { name: 'deny-all' }, selector: WorkloadSelector.fromLabels({ app: 'legacy' }) });
    AuthorizationPolicy.allowNothing(chart, 'default-deny', { metadata: { name: 'default-deny' } });
    // end of the sample

    expectShown(chart, 12);
  });

  test('WorkloadEntry: a VM selected by a ServiceEntry', () => {
    const app = new App();
    IstioValidation.enable(app, { strict: true });
    const chart = new Chart(app, 'bookinfo', { namespace: 'bookinfo' });

    new WorkloadEntry(chart, 'details-vm-1', {
      metadata: { name: 'details-vm-1' },
      address: '10.128.0.15',
      labels: { app: 'details-legacy' },
      serviceAccount: 'details-legacy',
    });

    new ServiceEntry(chart, 'details-legacy', {
      metadata: { name: 'details-legacy' },
      hosts: ['details-legacy.bookinfo.svc.cluster.local'],
      ports: [{ number: 9080, protocol: Protocol.HTTP }],
      location: ServiceEntryLocation.MESH_INTERNAL,
      resolution: ServiceEntryResolution.STATIC,
      workloadSelector: WorkloadSelector.fromLabels({ app: 'details-legacy' }),
    });
    // end of the sample

    expectShown(chart, 13);
  });

  test('WorkloadGroup: the template of auto-registered VMs', () => {
    const app = new App();
    IstioValidation.enable(app, { strict: true });
    const chart = new Chart(app, 'bookinfo', { namespace: 'bookinfo' });

    new WorkloadGroup(chart, 'details-legacy', {
      metadata: { name: 'details-legacy' },
      labels: { app: 'details-legacy', version: 'v1' },
      template: { serviceAccount: 'details-legacy', network: 'vm-network' },
    });
    // end of the sample

    expectShown(chart, 14);
  });
});
