/**
 * Task fixture: JwtProtectedIngress against the manifests Istio publishes for
 * "Authentication Policy" > "End-user authentication" (ingress gateway variant),
 * https://istio.io/v1.30/docs/tasks/security/authentication/authn-policy/#end-user-authentication
 * with `samples/httpbin/httpbin-gateway.yaml` applied in namespace `foo`.
 *
 * What is compared is chart `foo` of examples/jwt-ingress, which builds the task with
 * the task's issuer and JWKS. The comparison ignores object names, labels, field and
 * list order, the apiVersion version (the sample still writes v1alpha3), and the fields
 * the construct's documented secure defaults add (listed in SECURE_DEFAULT_EXTRAS).
 * Every other difference is listed, with its reason and category, in the expected data
 * and asserted exactly; examples/jwt-ingress/README.md lists the same.
 */
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { ApiObject, Chart, Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { synthValid } from './util';
import { RouteDestination } from '../src/networking/vs-destination';
import { JwtIssuer } from '../src/patterns/jwt-issuer';
import { JwtProtectedIngress } from '../src/patterns/jwt-protected-ingress';

const JWKS_URI = 'https://raw.githubusercontent.com/istio/istio/release-1.30/security/tools/jwt/samples/jwks.json';
const SELECTOR = { matchLabels: { istio: 'ingressgateway' } };

/** samples/httpbin/httpbin-gateway.yaml, applied with `-n foo`. */
const PUBLISHED_GATEWAY = {
  apiVersion: 'networking.istio.io/v1alpha3',
  kind: 'Gateway',
  metadata: { name: 'httpbin-gateway', namespace: 'foo' },
  spec: {
    selector: { istio: 'ingressgateway' },
    servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }],
  },
};
const PUBLISHED_VIRTUAL_SERVICE = {
  apiVersion: 'networking.istio.io/v1alpha3',
  kind: 'VirtualService',
  metadata: { name: 'httpbin', namespace: 'foo' },
  spec: {
    hosts: ['*'],
    gateways: ['httpbin-gateway'],
    http: [{ route: [{ destination: { host: 'httpbin', port: { number: 8000 } } }] }],
  },
};
/** The task's RequestAuthentication on the ingress gateway. */
const PUBLISHED_REQUEST_AUTHENTICATION = {
  apiVersion: 'security.istio.io/v1',
  kind: 'RequestAuthentication',
  metadata: { name: 'jwt-example', namespace: 'istio-system' },
  spec: { selector: SELECTOR, jwtRules: [{ issuer: 'testing@secure.istio.io', jwksUri: JWKS_URI }] },
};
/** The task's "require a valid token" step. */
const PUBLISHED_REQUIRE_TOKEN = {
  apiVersion: 'security.istio.io/v1',
  kind: 'AuthorizationPolicy',
  metadata: { name: 'frontend-ingress', namespace: 'istio-system' },
  spec: { selector: SELECTOR, action: 'DENY', rules: [{ from: [{ source: { notRequestPrincipals: ['*'] } }] }] },
};
/** The task's "require valid tokens per-path" step: only /headers needs a token. */
const PUBLISHED_REQUIRE_TOKEN_PER_PATH = {
  ...PUBLISHED_REQUIRE_TOKEN,
  spec: {
    ...PUBLISHED_REQUIRE_TOKEN.spec,
    rules: [{ from: [{ source: { notRequestPrincipals: ['*'] } }], to: [{ operation: { paths: ['/headers'] } }] }],
  },
};

/** What the secure defaults add, ignored by the comparison (paths after list sorting). */
const SECURE_DEFAULT_EXTRAS = [
  { kind: 'Gateway', path: 'spec.servers[0].tls', why: 'httpsRedirect: the port 80 server only redirects to HTTPS' },
  { kind: 'Gateway', path: 'spec.servers[1]', why: 'the HTTPS server (443, tls SIMPLE with credentialName): HTTPS only' },
  { kind: 'AuthorizationPolicy', path: 'spec.rules[0].to[0].operation.hosts', why: 'scoped to the construct hosts (host and host:*), so other hosts of the shared gateway are untouched' },
  { kind: 'AuthorizationPolicy', path: 'spec.rules[0].to[0].operation.notPaths', why: 'publicPaths carved out of the token requirement' },
  {
    kind: 'AuthorizationPolicy',
    path: 'spec.rules[0].to[0].operation.ports',
    why: 'gatewayPorts (the gateway pods\' HTTP and HTTPS ports): Istio applies a DENY rule with HTTP attributes to TCP traffic as deny-all, so the policy is limited to the ports it is meant for',
  },
  { kind: 'ServiceEntry', path: '', why: 'the JWKS host raw.githubusercontent.com declared for egress (MESH_EXTERNAL, DNS, exported to istio-system only)' },
];

/** The differences that remain in both steps (published value -> synthesized value). */
const COMMON_DIFFERENCES: Array<Difference & { why: string; category: 'secure default' | 'same meaning' }> = [
  {
    kind: 'Gateway',
    path: 'spec.servers[0].hosts[0]',
    published: '*',
    synthesized: 'httpbin.example.com',
    why: 'the construct serves concrete hosts: its policies are scoped to them, and Istio cannot scope "*" (use scopePoliciesToHosts: false on a dedicated gateway); here the shop shares the gateway pods',
    category: 'secure default',
  },
  {
    kind: 'Gateway',
    path: 'spec.servers[0].port.name',
    published: 'http',
    synthesized: 'http-80',
    why: 'port names default to <protocol>-<number>; a Gateway server\'s port name is a label only, the protocol is the same',
    category: 'same meaning',
  },
  {
    kind: 'VirtualService',
    path: 'spec.gateways[0]',
    published: 'httpbin-gateway',
    synthesized: 'foo/httpbin-gateway',
    why: 'the gateway is referenced as <namespace>/<name>; same gateway (names mapped)',
    category: 'same meaning',
  },
  {
    kind: 'VirtualService',
    path: 'spec.hosts[0]',
    published: '*',
    synthesized: 'httpbin.example.com',
    why: 'concrete host, as on the Gateway',
    category: 'secure default',
  },
  {
    kind: 'AuthorizationPolicy',
    path: 'spec.rules[0].from[0].source.notRequestPrincipals[0]',
    published: '*',
    synthesized: 'testing@secure.istio.io/*',
    why: 'a token of this construct\'s issuer is required, not of any issuer another RequestAuthentication on the shared gateway accepts',
    category: 'secure default',
  },
];

interface Difference {
  readonly kind: string;
  readonly path: string;
  readonly published: unknown;
  readonly synthesized: unknown;
}

/** Sorts keys and lists (lists by the canonical JSON of their items). */
function canonical(value: any): any {
  if (Array.isArray(value)) {
    return value.map(canonical).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map(k => [k, canonical(value[k])]));
  }
  return value;
}

/** The object as compared: group instead of apiVersion, namespace only in metadata, our names replaced by the published ones. */
function normalize(object: any, names: Map<string, string>): any {
  let text = JSON.stringify({
    group: String(object.apiVersion).split('/')[0],
    kind: object.kind,
    metadata: { namespace: object.metadata?.namespace },
    spec: object.spec,
  });
  for (const [ours, published] of names) text = text.split(ours).join(published);
  return canonical(JSON.parse(text));
}

/** Leaf-level differences; a side that lacks an object or list compares as an empty one. */
function diff(kind: string, published: any, synthesized: any, path = ''): Difference[] {
  const isObject = (v: any) => v !== null && typeof v === 'object';
  if (published === undefined && isObject(synthesized)) published = Array.isArray(synthesized) ? [] : {};
  if (synthesized === undefined && isObject(published)) synthesized = Array.isArray(published) ? [] : {};
  if (isObject(published) && isObject(synthesized) && Array.isArray(published) === Array.isArray(synthesized)) {
    const keys = Array.isArray(published)
      ? [...Array(Math.max(published.length, synthesized.length)).keys()].map(String)
      : [...new Set([...Object.keys(published), ...Object.keys(synthesized)])].sort();
    return keys.flatMap(k => diff(kind, published[k], synthesized[k], Array.isArray(published) ? `${path}[${k}]` : path ? `${path}.${k}` : k));
  }
  return JSON.stringify(published) === JSON.stringify(synthesized) ? [] : [{ kind, path, published, synthesized }];
}

/** The documented extra that explains a difference, if any. */
function extraOf(d: Difference): typeof SECURE_DEFAULT_EXTRAS[number] | undefined {
  return SECURE_DEFAULT_EXTRAS.find(e => e.kind === d.kind
    && (e.path === '' || d.path === e.path || d.path.startsWith(`${e.path}.`) || d.path.startsWith(`${e.path}[`)));
}

interface Comparison {
  /** The differences no documented extra explains. */
  readonly remaining: Difference[];
  /** The documented extras seen, as `kind path`. */
  readonly extras: string[];
}

/** Synthesizes the construct and compares it with the published manifests. */
function compare(publicPaths: string[] | undefined, publishedPolicy: any): Comparison {
  const out = synthValid(exampleChart(publicPaths));
  const objects = out.filter(o => o.kind !== 'Service');
  const byKind = (kind: string) => objects.filter(o => o.kind === kind);
  const names = new Map([[byKind('Gateway')[0].metadata.name, 'httpbin-gateway']]);
  const pairs: Array<[any, any]> = [
    [PUBLISHED_GATEWAY, byKind('Gateway')[0]],
    [PUBLISHED_VIRTUAL_SERVICE, byKind('VirtualService')[0]],
    [PUBLISHED_REQUEST_AUTHENTICATION, byKind('RequestAuthentication')[0]],
    [publishedPolicy, byKind('AuthorizationPolicy')[0]],
    ...byKind('ServiceEntry').map(se => [undefined, se] as [any, any]),
  ];
  expect(pairs.length).toBe(objects.length); // every synthesized Istio object is compared, once
  expect(new Set(pairs.map(([, o]) => o)).size).toBe(pairs.length);
  const differences = pairs.flatMap(([published, synthesized]) =>
    diff(synthesized.kind, published ? normalize(published, names) : undefined, normalize(synthesized, names)));
  const extras = new Set(differences.map(extraOf).filter(e => e !== undefined).map(e => `${e.kind} ${e.path}`));
  return { remaining: differences.filter(d => !extraOf(d)), extras: [...extras].sort() };
}

/** Chart `foo` of examples/jwt-ingress/main.ts (the Deployment left out), with public paths for the per-path step. */
function exampleChart(publicPaths?: string[]): Chart {
  const chart = new Chart(Testing.app(), 'foo', { namespace: 'foo' });
  // the httpbin Service of samples/httpbin/httpbin.yaml (not compared)
  new ApiObject(chart, 'httpbin-service', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'httpbin' },
    spec: { selector: { app: 'httpbin' }, ports: [{ name: 'http', port: 8000, targetPort: 8080 }] },
  });
  new JwtProtectedIngress(chart, 'httpbin-ingress', {
    hosts: ['httpbin.example.com'],
    credentialName: 'httpbin-credential',
    issuers: [JwtIssuer.custom({ issuer: 'testing@secure.istio.io', jwksUri: JWKS_URI })],
    routes: [{ destination: RouteDestination.to('httpbin', { port: 8000 }) }],
    publicPaths,
    gatewayPorts: [8443, 8080],
  });
  return chart;
}

const ALL_EXTRAS = SECURE_DEFAULT_EXTRAS.map(e => `${e.kind} ${e.path}`).sort();

const strip = (list: Array<Difference & { why: string; category: 'secure default' | 'same meaning' }>) => list.map(({ why, category, ...d }) => d);

describe('JwtProtectedIngress task fixture (Istio "End-user authentication" at the ingress gateway)', () => {
  test('"require a valid token": only the listed differences remain', () => {
    const { remaining, extras } = compare(undefined, PUBLISHED_REQUIRE_TOKEN);
    expect(remaining).toEqual(strip(COMMON_DIFFERENCES));
    expect(extras).toEqual(ALL_EXTRAS.filter(e => !e.endsWith('notPaths'))); // no public path here
  });

  test('"require valid tokens per-path": the opt-in path list becomes the complement, public paths', () => {
    const PER_PATH_DIFFERENCES = [
      ...COMMON_DIFFERENCES,
      {
        kind: 'AuthorizationPolicy',
        path: 'spec.rules[0].to[0].operation.paths[0]',
        published: '/headers',
        synthesized: undefined,
        why: 'a token is required on every path but the public ones: the task protects /headers only, the construct exempts /ip (publicPaths) and protects the rest',
        category: 'secure default' as const,
      },
    ];
    const { remaining, extras } = compare(['/ip'], PUBLISHED_REQUIRE_TOKEN_PER_PATH);
    expect(remaining).toEqual(strip(PER_PATH_DIFFERENCES));
    expect(extras).toEqual(ALL_EXTRAS);
  });

  test('the example\'s committed output (examples/jwt-ingress/dist/foo.k8s.yaml) holds these Istio objects', () => {
    const dist = join(__dirname, '..', 'examples', 'jwt-ingress', 'dist');
    const committed = readdirSync(dist).filter(f => f === 'foo.k8s.yaml')
      .flatMap(f => parseAllDocuments(readFileSync(join(dist, f), 'utf8')).map(d => d.toJSON()))
      .filter(o => o !== null && String(o.apiVersion).includes('istio.io'));
    const ours = synthValid(exampleChart()).filter(o => String(o.apiVersion).includes('istio.io'));
    expect(committed).toEqual(ours);
  });
});
