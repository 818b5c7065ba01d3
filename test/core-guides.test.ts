import * as fs from 'fs';
import * as path from 'path';
import { Chart, Duration, Testing, Yaml } from 'cdk8s';
import { synthValid } from './util';
import {
  CanaryMatch,
  CanaryRelease,
  CanaryWorkload,
  EgressGateway,
  EgressTraffic,
  FaultAbort,
  JwtIssuer,
  JwtProtectedIngress,
  Protocol,
  RetryOn,
  RouteDestination,
  StrictMtlsNamespace,
  StringMatch,
} from '../src';

/**
 * The guides of the four core patterns (CanaryRelease, EgressGateway,
 * JwtProtectedIngress, StrictMtlsNamespace) show TypeScript next to the YAML it
 * produces. Each TypeScript snippet stands verbatim in one of the guide's example apps
 * (which `npm run examples` compiles, synthesizes and validates under strict) or in a
 * mirror below; each YAML snippet is part of an example's committed output
 * (examples/<name>/dist) or of a mirror's output. The mirrors cover what the examples
 * do not show; each is synthesized through `synthValid` (CRD schema, CEL, webhook
 * rules and the analyzer), so a snippet that stops compiling, or output the API server
 * would reject, fails here.
 */
const root = path.join(__dirname, '..');

/**
 * The features the examples do not show, as the guides write them: the guide, the chart
 * (its id and namespace; `mesh` has no namespace, the construct names its own), a name,
 * and the code.
 */
const MIRRORS: Array<[string, string, string, (chart: Chart) => void]> = [
  ['docs/canary-release.md', 'bookinfo', 'host split', chart => {
    new CanaryRelease(chart, 'ratings', {
      host: 'ratings',
      canaryHost: 'ratings-v2',
      canaryWeight: 25,
    });
  }],
  ['docs/canary-release.md', 'bookinfo', 'matches and mirroring', chart => {
    new CanaryRelease(chart, 'reviews', {
      host: 'reviews',
      stable: CanaryWorkload.fromLabels({ version: 'v1' }),
      canary: CanaryWorkload.fromLabels({ version: 'v2' }),
      canaryWeight: 10,
      // jason, and whoever carries the beta cookie, always get v2...
      canaryMatches: [
        CanaryMatch.header('end-user', StringMatch.exact('jason')),
        CanaryMatch.cookie('beta', 'true'),
      ],
      // ...and v2 also sees a copy of 20% of the other requests (its answers are dropped)
      mirrorPercentage: 20,
    });
  }],
  ['docs/canary-release.md', 'bookinfo', 'affinity and resilience', chart => {
    new CanaryRelease(chart, 'details', {
      host: 'details',
      stable: CanaryWorkload.fromLabels({ version: 'v1' }),
      canary: CanaryWorkload.fromLabels({ version: 'v2' }),
      canaryWeight: 50,
      // the same pod (within the version) for an hour; the proxy sets the cookie
      sessionCookie: { name: 'details-session', ttl: Duration.hours(1) },
      timeout: Duration.seconds(3),
      retries: { attempts: 2, perTryTimeout: Duration.seconds(1), retryOn: [RetryOn.GATEWAY_ERROR, RetryOn.CONNECT_FAILURE] },
      // a resilience test: 5% of the requests fail with 503
      fault: { abort: FaultAbort.httpStatus(503, 5) },
    });
  }],
  ['docs/canary-release.md', 'bookinfo', 'gateways', chart => {
    new CanaryRelease(chart, 'productpage', {
      host: 'productpage',
      stable: CanaryWorkload.fromLabels({ version: 'v1' }),
      canary: CanaryWorkload.fromLabels({ version: 'v2' }),
      canaryWeight: 20,
      gatewayNames: ['istio-ingress/public'],
      gatewayHosts: ['bookinfo.example.com'],
    });
  }],
  ['docs/canary-release.md', 'bookinfo', 'tcp and tls', chart => {
    new CanaryRelease(chart, 'mongodb', {
      host: 'mongodb',
      protocol: Protocol.MONGO,
      port: 27017,
      stable: CanaryWorkload.fromLabels({ version: 'v1' }),
      canary: CanaryWorkload.fromLabels({ version: 'v2' }),
      canaryWeight: 10,
    });
    new CanaryRelease(chart, 'ledger', {
      host: 'ledger',
      canaryHost: 'ledger-v2',
      protocol: Protocol.TLS,
      port: 443,
      canaryWeight: 10,
    });
  }],
  ['docs/egress-gateway.md', 'shop', 'mutual leg, origination, tcp, wildcard', chart => {
    const egress = new EgressGateway(chart, 'egress');
    egress.addHost('httpbin.org', EgressTraffic.http());
    egress.addHost('api.example.com', EgressTraffic.tlsOrigination({ credentialName: 'example-ca' }));
    egress.addHost('db.example.com', EgressTraffic.tcp({ port: 5432, addresses: ['203.0.113.10'] }));
    egress.addHost('*.wikipedia.org', EgressTraffic.httpsPassthrough({ wildcardViaHost: 'www.wikipedia.org' }));
  }],
  ['docs/jwt-protected-ingress.md', 'shop', 'oauth2-proxy', chart => {
    new JwtProtectedIngress(chart, 'grafana', {
      hosts: ['grafana.example.com'],
      credentialName: 'grafana-example-com-tls',
      issuers: [JwtIssuer.oauth2Proxy({
        // the name of oauth2-proxy's extension provider in the mesh config
        provider: 'oauth2-proxy',
        issuer: 'https://accounts.google.com',
        jwksUri: 'https://www.googleapis.com/oauth2/v3/certs',
      })],
      publicPaths: ['/api/health'],
      routes: [{ destination: RouteDestination.to('grafana', { port: 3000 }) }],
      gatewayPorts: [8443, 8080],
    });
  }],
  ['docs/strict-mtls-namespace.md', 'mesh', 'migration', chart => {
    // step 1 of a migration: mutual TLS accepted, plaintext still let in
    new StrictMtlsNamespace(chart, 'mtls', { namespace: 'legacy', migration: true });
  }],
  ['docs/strict-mtls-namespace.md', 'mesh', 'ambient', chart => {
    new StrictMtlsNamespace(chart, 'mtls', { namespace: 'orders', ambient: true });
  }],
];

/** Each guide, the examples whose code and output it shows, and the README name of its construct. */
const GUIDES: Array<[string, string[], string]> = [
  ['docs/canary-release.md', ['canary-reviews', 'gateway-api-canary', 'cdk8s-plus-interop'], 'CanaryRelease'],
  ['docs/egress-gateway.md', ['egress-http', 'egress-tls-passthrough', 'gateway-api-egress'], 'EgressGateway'],
  ['docs/jwt-protected-ingress.md', ['jwt-ingress'], 'JwtProtectedIngress'],
  ['docs/strict-mtls-namespace.md', ['strict-mtls'], 'StrictMtlsNamespace'],
];

function blocks(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map(m => m[1].trimEnd());
}

/** Line by line without the indentation: a mirror's code is indented in this file, not in the guide. */
function unindented(text: string): string {
  return text.split('\n').map(line => line.trim()).join('\n');
}

function synthMirror(namespace: string, build: (chart: Chart) => void): any[] {
  const chart = new Chart(Testing.app(), namespace, namespace === 'mesh' ? {} : { namespace });
  build(chart);
  return synthValid(chart, { strict: true });
}

const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

/** The table rows of a README section (`## <heading>` up to the next `## `) whose first cell is the construct. */
function readmeRows(heading: string, construct: string): string[] {
  const section = readme.split(/^## /m).find(s => s.startsWith(heading + '\n')) ?? '';
  return section.split('\n').filter(line => line.startsWith('| `' + construct + '`'));
}

/** The mirrors' code, as written in this file. */
const mirrorSource = ((text: string) => text.slice(text.indexOf('const MIRRORS'), text.indexOf('const GUIDES')))(unindented(fs.readFileSync(__filename, 'utf8')));

test.each(MIRRORS.map(([guide, ns, name, build]) => [guide, name, ns, build] as const))('%s: the mirror "%s" synthesizes valid output (strict)', (_guide, _name, ns, build) => {
  expect(synthMirror(ns, build).length).toBeGreaterThan(0);
});

describe.each(GUIDES)('%s', (guide, examples, construct) => {
  const text = fs.readFileSync(path.join(root, guide), 'utf8');
  const sources = examples.map(e => unindented(fs.readFileSync(path.join(root, 'examples', e, 'main.ts'), 'utf8')));
  const outputs = examples.map(e => {
    const dist = path.join(root, 'examples', e, 'dist');
    return fs.readdirSync(dist).filter(f => f.endsWith('.yaml')).map(f => fs.readFileSync(path.join(dist, f), 'utf8')).join('\n');
  });
  let mirrored: string | undefined;
  const mirrorOutput = (): string => mirrored ??= MIRRORS.filter(m => m[0] === guide).map(([, ns, , build]) => Yaml.stringify(...synthMirror(ns, build))).join('\n');

  test('has TypeScript and YAML snippets, the secure defaults, the checks and the differences from Istio\'s task', () => {
    expect(blocks(text, 'ts').length).toBeGreaterThanOrEqual(3);
    expect(blocks(text, 'yaml').length).toBeGreaterThanOrEqual(4);
    for (const heading of ['## When to use it', '## Secure defaults', '## Checks', '## Differences from Istio\'s task']) expect(text).toContain(heading);
  });

  test('lists every README "Secure defaults" row of the construct, as the README words it', () => {
    const rows = readmeRows('Secure defaults', construct);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(text).toContain(row);
  });

  test('the README\'s Constructs table links the guide', () => {
    const rows = readmeRows('Constructs', construct);
    expect(rows.length).toBe(1);
    expect(rows[0]).toContain(`](${guide})`);
  });

  test.each(blocks(text, 'ts').map((s, i) => [i, s]))('TypeScript snippet %i stands verbatim in an example\'s main.ts or in a mirror here', (_i, snippet) => {
    const code = unindented(snippet);
    expect(sources.some(s => s.includes(code)) || mirrorSource.includes(code)).toBe(true);
  });

  test.each(blocks(text, 'yaml').map((s, i) => [i, s]))('YAML snippet %i is part of an example\'s output or of a mirror\'s', (_i, snippet) => {
    expect(outputs.some(o => o.includes(snippet)) || mirrorOutput().includes(snippet)).toBe(true);
  });
});
