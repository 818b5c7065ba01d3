/**
 * One bad and one fixed manifest per webhook rule, with the field and message
 * the bad one must produce. The rule tests run them, and docs/validation-webhook.md (webhook layer)
 * is generated from them, so the docs show inputs that are tested.
 */
import { RuleName } from '../../../src/validation/webhook/rules';

export interface Example {
  readonly rule: RuleName;
  /** A manifest that triggers the rule. */
  readonly bad: any;
  /** The same manifest, fixed (undefined when the rule has no "fixed" form). */
  readonly fixed?: any;
  /** The field path of the finding. */
  readonly field: string;
  /** A part of the finding's message. */
  readonly message: string;
  /** What the docs show instead of a huge value, keyed by the JSON path in `bad`/`fixed`. */
  readonly docsNote?: string;
}

type Spec = Record<string, any>;

function make(apiVersion: string, kind: string, name: string) {
  return (spec: Spec, metadata: Spec = {}) => ({ apiVersion, kind, metadata: { name, namespace: 'default', ...metadata }, spec });
}

const vs = make('networking.istio.io/v1', 'VirtualService', 'reviews');
const dr = make('networking.istio.io/v1', 'DestinationRule', 'reviews');
const gw = make('networking.istio.io/v1', 'Gateway', 'bookinfo-gateway');
const se = make('networking.istio.io/v1', 'ServiceEntry', 'external-api');
const sc = make('networking.istio.io/v1', 'Sidecar', 'default');
const ef = make('networking.istio.io/v1alpha3', 'EnvoyFilter', 'tweak');
const we = make('networking.istio.io/v1', 'WorkloadEntry', 'vm-1');
const wg = make('networking.istio.io/v1', 'WorkloadGroup', 'vms');
const pc = make('networking.istio.io/v1beta1', 'ProxyConfig', 'per-workload');
const ap = make('security.istio.io/v1', 'AuthorizationPolicy', 'policy');
const ra = make('security.istio.io/v1', 'RequestAuthentication', 'jwt');
const pa = make('security.istio.io/v1', 'PeerAuthentication', 'mtls');
const tel = make('telemetry.istio.io/v1', 'Telemetry', 'telemetry');
const wasm = make('extensions.istio.io/v1alpha1', 'WasmPlugin', 'plugin');

const annotated = (o: any, annotations: Spec) => ({ ...o, metadata: { ...o.metadata, annotations } });
const reviews = { destination: { host: 'reviews' } };
/** A VirtualService with one http route; `route` is merged into it. */
const vsHttp = (route: Spec, extra: Spec = {}) => vs({ hosts: ['reviews'], http: [{ route: [reviews], ...route }], ...extra });
const drPolicy = (trafficPolicy: Spec) => dr({ host: 'reviews', trafficPolicy });
const httpsServer = (tls: Spec | undefined, port: Spec = {}) => gw({
  selector: { istio: 'ingressgateway' },
  servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS', ...port }, hosts: ['bookinfo.example.com'], ...(tls ? { tls } : {}) }],
});
const allowTo = (to: Spec[]) => ap({ selector: { matchLabels: { app: 'reviews' } }, rules: [{ to }] });
const allowFrom = (source: Spec) => ap({ selector: { matchLabels: { app: 'reviews' } }, rules: [{ from: [{ source }] }] });
const jwtRule = (rule: Spec) => ra({ selector: { matchLabels: { app: 'reviews' } }, jwtRules: [rule] });
const ISSUER = { issuer: 'https://idp.example.com', jwksUri: 'https://idp.example.com/.well-known/jwks.json' };
const sePorts = [{ number: 443, name: 'https', protocol: 'HTTPS' }];
const sidecarEgress = (egress: Spec[]) => sc({ egress });
const patch = (p: Spec) => ef({ workloadSelector: { labels: { app: 'reviews' } }, configPatches: [p] });
const HCM = 'envoy.filters.network.http_connection_manager';
const CERTS = { serverCertificate: '/etc/certs/server.pem', privateKey: '/etc/certs/key.pem' };

export const EXAMPLES: Example[] = [
  // ---- shared ----
  {
    rule: 'selectorOneOf',
    bad: ap({ selector: { matchLabels: { app: 'reviews' } }, targetRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }, rules: [{}] }),
    fixed: ap({ targetRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }, rules: [{}] }),
    field: 'spec',
    message: 'selector and targetRef are set; only one of selector, targetRef or targetRefs may be',
  },
  {
    rule: 'targetRefInvalid',
    bad: ap({ targetRefs: [{ group: 'apps', kind: 'Deployment', name: 'reviews' }], rules: [{}] }),
    fixed: ap({ targetRefs: [{ group: '', kind: 'Service', name: 'reviews' }], rules: [{}] }),
    field: 'spec.targetRefs[0]',
    message: 'targetRef to "apps/Deployment" is not supported',
  },
  {
    rule: 'selectorLabelInvalid',
    bad: ap({ selector: { matchLabels: { app: 'reviews-*' } }, rules: [{}] }),
    fixed: ap({ selector: { matchLabels: { app: 'reviews' } }, rules: [{}] }),
    field: 'spec.selector.matchLabels.app',
    message: 'wildcard is not supported in a selector: "app=reviews-*"',
  },
  {
    rule: 'selectorWithoutLabels',
    bad: pa({ selector: {}, mtls: { mode: 'STRICT' } }),
    fixed: pa({ selector: { matchLabels: { app: 'reviews' } }, mtls: { mode: 'STRICT' } }),
    field: 'spec.selector',
    message: 'selector has no matchLabels: it selects every workload in the namespace',
  },
  {
    rule: 'exportToInvalid',
    bad: vsHttp({}, { exportTo: ['*', 'istio-system'] }),
    fixed: vsHttp({}, { exportTo: ['*'] }),
    field: 'spec.exportTo',
    message: '"*" cannot be combined with other exportTo entries',
  },
  {
    rule: 'labelsInvalid',
    bad: dr({ host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1!' } }] }),
    fixed: dr({ host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] }),
    field: 'spec.subsets[0].labels.version',
    message: 'invalid label value "v1!"',
  },
  {
    rule: 'portOutOfRange',
    bad: vs({ hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', port: { number: 90800 } } }] }] }),
    fixed: vs({ hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', port: { number: 9080 } } }] }] }),
    field: 'spec.http[0].route[0].destination.port.number',
    message: 'port 90800 is out of range; port numbers are 1..65535',
  },
  {
    rule: 'durationInvalid',
    bad: vsHttp({ timeout: '0s' }),
    fixed: vsHttp({ timeout: '10s' }),
    field: 'spec.http[0].timeout',
    message: 'duration "0s" is shorter than 1ms',
  },
  {
    rule: 'dryRunAnnotation',
    bad: annotated(vsHttp({}), { 'istio.io/dry-run': 'true' }),
    fixed: vsHttp({}),
    field: 'metadata.annotations["istio.io/dry-run"]',
    message: 'the istio.io/dry-run annotation is only supported on AuthorizationPolicy, not VirtualService',
  },
  {
    rule: 'regexInvalid',
    bad: vsHttp({ match: [{ uri: { regex: '^/api/(?!internal).*' } }] }),
    fixed: vsHttp({ match: [{ uri: { regex: '^/api/(public|v1)/.*' } }] }),
    field: 'spec.http[0].match[0].uri.regex',
    message: 'negative lookahead `(?!` at offset 6 is not supported by RE2',
  },
  {
    rule: 'portNameInvalid',
    bad: se({ hosts: ['api.example.com'], ports: [{ number: 443, name: 'https_443', protocol: 'TLS' }], resolution: 'DNS', location: 'MESH_EXTERNAL' }),
    fixed: se({ hosts: ['api.example.com'], ports: [{ number: 443, name: 'https-443', protocol: 'TLS' }], resolution: 'DNS', location: 'MESH_EXTERNAL' }),
    field: 'spec.ports[0].name',
    message: 'port name "https_443" is not a DNS label',
  },
  {
    rule: 'protocolUnsupported',
    bad: gw({ selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'ws', protocol: 'WEBSOCKET' }, hosts: ['*'] }] }),
    fixed: gw({ selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'ws', protocol: 'HTTP' }, hosts: ['*'] }] }),
    field: 'spec.servers[0].port.protocol',
    message: 'protocol "WEBSOCKET" is not supported',
  },
  {
    rule: 'ipInvalid',
    bad: se({ hosts: ['db.example.com'], addresses: ['10.0.0.300'], ports: [{ number: 5432, name: 'tcp-pg', protocol: 'TCP' }], location: 'MESH_EXTERNAL', resolution: 'NONE' }),
    fixed: se({ hosts: ['db.example.com'], addresses: ['10.0.0.30'], ports: [{ number: 5432, name: 'tcp-pg', protocol: 'TCP' }], location: 'MESH_EXTERNAL', resolution: 'NONE' }),
    field: 'spec.addresses[0]',
    message: 'address "10.0.0.300" is not a valid IP address',
  },
  {
    rule: 'percentageOutOfRange',
    bad: vsHttp({ fault: { abort: { httpStatus: 503, percentage: { value: 150 } } } }),
    fixed: vsHttp({ fault: { abort: { httpStatus: 503, percentage: { value: 15 } } } }),
    field: 'spec.http[0].fault.abort.percentage.value',
    message: 'percentage 150 is out of range; it is 0 or between 0.0001 and 100',
  },
  {
    rule: 'hostnameInvalid',
    bad: dr({ host: 'reviews_v1.default.svc.cluster.local' }),
    fixed: dr({ host: 'reviews.default.svc.cluster.local' }),
    field: 'spec.host',
    message: 'host "reviews_v1.default.svc.cluster.local" is not a valid DNS name: label "reviews_v1" is not a DNS label or wildcard',
  },
  {
    rule: 'unixAddressInvalid',
    bad: we({ address: 'unix://var/run/app.sock' }),
    fixed: we({ address: 'unix:///var/run/app.sock' }),
    field: 'spec.address',
    message: 'unix address "var/run/app.sock" is not an absolute path to a file',
  },
  {
    rule: 'headerNameInvalid',
    bad: vsHttp({ match: [{ headers: { 'end user': { exact: 'jason' } } }] }),
    fixed: vsHttp({ match: [{ headers: { 'end-user': { exact: 'jason' } } }] }),
    field: 'spec.http[0].match[0].headers["end user"]',
    message: 'header name "end user" is not a valid header name',
  },

  // ---- VirtualService ----
  {
    rule: 'vsNoRoutes',
    bad: vs({ hosts: ['reviews'] }),
    fixed: vsHttp({}),
    field: 'spec',
    message: 'a VirtualService needs at least one http, tcp or tls route',
  },
  {
    rule: 'vsMeshWildcardHost',
    bad: vs({ hosts: ['*'], http: [{ route: [{ destination: { host: 'productpage' } }] }] }),
    fixed: vs({ hosts: ['*'], gateways: ['bookinfo-gateway'], http: [{ route: [{ destination: { host: 'productpage' } }] }] }),
    field: 'spec.hosts[0]',
    message: 'host "*" is not allowed for a VirtualService bound to the mesh',
  },
  {
    rule: 'vsDuplicateHosts',
    bad: vs({ hosts: ['reviews.default.svc.cluster.local', '*.default.svc.cluster.local'], http: [{ route: [reviews] }] }),
    fixed: vs({ hosts: ['reviews.default.svc.cluster.local'], http: [{ route: [reviews] }] }),
    field: 'spec.hosts[1]',
    message: 'duplicate hosts in VirtualService: "reviews.default.svc.cluster.local" and "*.default.svc.cluster.local" overlap',
  },
  {
    rule: 'vsDelegate',
    bad: vs({ gateways: ['bookinfo-gateway'], http: [{ route: [reviews] }] }),
    fixed: vs({ http: [{ route: [reviews] }] }),
    field: 'spec.gateways',
    message: 'a delegate VirtualService (no hosts) takes its gateways from the root',
  },
  {
    rule: 'vsRootRoute',
    bad: vs({ hosts: ['bookinfo.example.com'], gateways: ['bookinfo-gateway'], http: [{ match: [{ uri: { prefix: '/reviews' } }], delegate: { name: 'reviews', namespace: 'default' }, route: [reviews] }] }),
    fixed: vs({ hosts: ['bookinfo.example.com'], gateways: ['bookinfo-gateway'], http: [{ match: [{ uri: { prefix: '/reviews' } }], delegate: { name: 'reviews', namespace: 'default' } }] }),
    field: 'spec.http[0].route',
    message: 'an http route with delegate must not also have route',
  },
  {
    rule: 'gatewayRefInvalid',
    bad: vs({ hosts: ['bookinfo.example.com'], gateways: ['istio-system/Bookinfo_Gateway'], http: [{ route: [reviews] }] }),
    fixed: vs({ hosts: ['bookinfo.example.com'], gateways: ['istio-system/bookinfo-gateway'], http: [{ route: [reviews] }] }),
    field: 'spec.gateways[0]',
    message: 'gateway name "Bookinfo_Gateway" is not a DNS label',
  },
  {
    rule: 'gatewayRefLegacy',
    bad: vs({ hosts: ['bookinfo.example.com'], gateways: ['bookinfo-gateway.istio-system'], http: [{ route: [reviews] }] }),
    fixed: vs({ hosts: ['bookinfo.example.com'], gateways: ['istio-system/bookinfo-gateway'], http: [{ route: [reviews] }] }),
    field: 'spec.gateways[0]',
    message: 'uses the legacy <name>.<namespace> format; write "istio-system/bookinfo-gateway"',
  },
  {
    rule: 'vsJwtClaimMeshBound',
    bad: vs({ hosts: ['reviews'], http: [{ match: [{ headers: { '@request.auth.claims.group': { exact: 'beta' } } }], route: [reviews] }] }),
    fixed: vs({ hosts: ['bookinfo.example.com'], gateways: ['istio-system/bookinfo-gateway'], http: [{ match: [{ headers: { '@request.auth.claims.group': { exact: 'beta' } } }], route: [reviews] }] }),
    field: 'spec.http[0].match[0].headers["@request.auth.claims.group"]',
    message: 'JWT claim based routing ("@request.auth.claims.group") is only supported on gateway-bound VirtualServices',
  },
  {
    rule: 'httpRouteAction',
    bad: vs({ hosts: ['reviews'], http: [{ match: [{ uri: { prefix: '/v2' } }] }] }),
    fixed: vs({ hosts: ['reviews'], http: [{ match: [{ uri: { prefix: '/v2' } }], route: [reviews] }] }),
    field: 'spec.http[0]',
    message: 'http route has none of route, redirect, directResponse or delegate',
  },
  {
    rule: 'httpRouteConflict',
    bad: vs({ hosts: ['reviews'], http: [{ redirect: { uri: '/v2/reviews' }, rewrite: { uri: '/v2' } }] }),
    fixed: vs({ hosts: ['reviews'], http: [{ redirect: { uri: '/v2/reviews' } }] }),
    field: 'spec.http[0].rewrite',
    message: 'http route cannot combine rewrite with redirect',
  },
  {
    rule: 'mirrorAndMirrors',
    bad: vsHttp({ mirror: { host: 'reviews-shadow' }, mirrors: [{ destination: { host: 'reviews-canary' } }] }),
    fixed: vsHttp({ mirrors: [{ destination: { host: 'reviews-shadow' } }, { destination: { host: 'reviews-canary' } }] }),
    field: 'spec.http[0].mirrors',
    message: 'http route sets both mirror and mirrors',
  },
  {
    rule: 'weightNegative',
    bad: vs({ hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 110 }, { destination: { host: 'reviews', subset: 'v2' }, weight: -10 }] }] }),
    fixed: vs({ hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 90 }, { destination: { host: 'reviews', subset: 'v2' }, weight: 10 }] }] }),
    field: 'spec.http[0].route[1].weight',
    message: 'weight -10 is negative; weights must be >= 0',
  },
  {
    rule: 'weightTotalZero',
    bad: vs({ hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' } }, { destination: { host: 'reviews', subset: 'v2' } }] }] }),
    fixed: vs({ hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 50 }, { destination: { host: 'reviews', subset: 'v2' }, weight: 50 }] }] }),
    field: 'spec.http[0].route',
    message: 'the 2 destinations have weights summing to 0',
  },
  {
    rule: 'destinationRequired',
    bad: vs({ hosts: ['reviews'], http: [{ route: [{ weight: 100 }] }] }),
    fixed: vs({ hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' }, weight: 100 }] }] }),
    field: 'spec.http[0].route[0].destination',
    message: 'route entry has no destination',
  },
  {
    rule: 'destinationHostWildcard',
    bad: vs({ hosts: ['reviews'], http: [{ route: [{ destination: { host: '*' } }] }] }),
    fixed: vsHttp({}),
    field: 'spec.http[0].route[0].destination.host',
    message: 'destination host "*" is invalid',
  },
  {
    rule: 'subsetNameInvalid',
    bad: vs({ hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1.0' } }] }] }),
    fixed: vs({ hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1-0' } }] }] }),
    field: 'spec.http[0].route[0].destination.subset',
    message: 'subset name "v1.0" is not a DNS label',
  },
  {
    rule: 'retryOnUnknown',
    bad: vsHttp({ retries: { attempts: 3, retryOn: '5xx, gateway-error' } }),
    fixed: vsHttp({ retries: { attempts: 3, retryOn: '5xx,gateway-error' } }),
    field: 'spec.http[0].retries.retryOn',
    message: 'retryOn policy " gateway-error" is not valid (remove the spaces around the commas)',
  },
  {
    rule: 'retriesInvalid',
    bad: vsHttp({ retries: { perTryTimeout: '2s', retryOn: '5xx' } }),
    fixed: vsHttp({ retries: { attempts: 3, perTryTimeout: '2s', retryOn: '5xx' } }),
    field: 'spec.http[0].retries.attempts',
    message: 'retries sets perTryTimeout, retryOn but attempts is unset (0), which disables retries',
  },
  {
    rule: 'stringMatchEmpty',
    bad: vsHttp({ match: [{ method: { prefix: '' } }] }),
    fixed: vsHttp({ match: [{ method: { exact: 'GET' } }] }),
    field: 'spec.http[0].match[0].method.prefix',
    message: 'prefix string match is empty',
  },
  {
    rule: 'headerOperationInvalid',
    bad: vsHttp({ headers: { request: { set: { ':path': '/v2' } } } }),
    fixed: vsHttp({ rewrite: { uri: '/v2' } }),
    field: 'spec.http[0].headers.request.set[":path"]',
    message: 'header ":path" cannot be changed: pseudo-headers (":" prefix) are managed by Envoy',
  },
  {
    rule: 'redirectInvalid',
    bad: vs({ hosts: ['reviews'], http: [{ redirect: { uri: '/v2/reviews', redirectCode: 200 } }] }),
    fixed: vs({ hosts: ['reviews'], http: [{ redirect: { uri: '/v2/reviews', redirectCode: 308 } }] }),
    field: 'spec.http[0].redirect.redirectCode',
    message: 'redirectCode 200 is not a redirect; use a 3xx code',
  },
  {
    rule: 'directResponseInvalid',
    bad: vs({ hosts: ['reviews'], http: [{ directResponse: { status: 700, body: { string: 'unavailable' } } }] }),
    fixed: vs({ hosts: ['reviews'], http: [{ directResponse: { status: 503, body: { string: 'unavailable' } } }] }),
    field: 'spec.http[0].directResponse.status',
    message: 'HTTP status 700 is not in range 200-599',
  },
  {
    rule: 'directResponseLarge',
    bad: vs({ hosts: ['reviews'], http: [{ directResponse: { status: 200, body: { string: 'x'.repeat(150 * 1024) } } }] }),
    fixed: vs({ hosts: ['reviews'], http: [{ directResponse: { status: 200, body: { string: 'x'.repeat(1024) } } }] }),
    field: 'spec.http[0].directResponse.body',
    message: 'direct response body of 153600 bytes is over 100KB',
    docsNote: 'bad: a 150KB body; fixed: a 1KB body',
  },
  {
    rule: 'faultInvalid',
    bad: vsHttp({ fault: {} }),
    fixed: vsHttp({ fault: { delay: { fixedDelay: '5s', percentage: { value: 10 } } } }),
    field: 'spec.http[0].fault',
    message: 'fault injection needs an abort and/or a delay',
  },
  {
    rule: 'faultAbortNoType',
    bad: vsHttp({ fault: { abort: { percentage: { value: 10 } } } }),
    fixed: vsHttp({ fault: { abort: { httpStatus: 503, percentage: { value: 10 } } } }),
    field: 'spec.http[0].fault.abort',
    message: 'abort is configured without httpStatus or grpcStatus',
  },
  {
    rule: 'rewriteInvalid',
    bad: vsHttp({ rewrite: {} }),
    fixed: vsHttp({ rewrite: { uri: '/v2' } }),
    field: 'spec.http[0].rewrite',
    message: 'rewrite must set uri, uriRegexRewrite or authority',
  },
  {
    rule: 'corsInvalid',
    bad: vsHttp({ corsPolicy: { allowOrigins: [{ exact: 'https://example.com' }], allowMethods: ['get'] } }),
    fixed: vsHttp({ corsPolicy: { allowOrigins: [{ exact: 'https://example.com' }], allowMethods: ['GET'] } }),
    field: 'spec.http[0].corsPolicy.allowMethods[0]',
    message: '"get" is not a supported HTTP method',
  },
  {
    rule: 'tlsRouteMatch',
    bad: vs({ hosts: ['api.example.com'], tls: [{ route: [{ destination: { host: 'api.example.com' } }] }] }),
    fixed: vs({ hosts: ['api.example.com'], tls: [{ match: [{ sniHosts: ['api.example.com'] }], route: [{ destination: { host: 'api.example.com' } }] }] }),
    field: 'spec.tls[0].match',
    message: 'a tls route needs at least one match with sniHosts',
  },
  {
    rule: 'sniHostNotInHosts',
    bad: vs({ hosts: ['api.example.com'], tls: [{ match: [{ sniHosts: ['api.example.org'] }], route: [{ destination: { host: 'api.example.com' } }] }] }),
    fixed: vs({ hosts: ['api.example.com'], tls: [{ match: [{ sniHosts: ['api.example.com'] }], route: [{ destination: { host: 'api.example.com' } }] }] }),
    field: 'spec.tls[0].match[0].sniHosts[0]',
    message: 'SNI host "api.example.org" is not within any of the VirtualService hosts [api.example.com]',
  },
  {
    rule: 'sniHostIp',
    bad: vs({ hosts: ['api.example.com'], tls: [{ match: [{ sniHosts: ['10.0.0.1'] }], route: [{ destination: { host: 'api.example.com' } }] }] }),
    fixed: vs({ hosts: ['api.example.com'], tls: [{ match: [{ sniHosts: ['api.example.com'] }], route: [{ destination: { host: 'api.example.com' } }] }] }),
    field: 'spec.tls[0].match[0].sniHosts[0]',
    message: 'SNI host "10.0.0.1" is an IP address',
  },
  {
    rule: 'l4RouteRequired',
    bad: vs({ hosts: ['mysql'], tcp: [{ match: [{ port: 3306 }] }] }),
    fixed: vs({ hosts: ['mysql'], tcp: [{ match: [{ port: 3306 }], route: [{ destination: { host: 'mysql' } }] }] }),
    field: 'spec.tcp[0].route',
    message: 'a tcp route needs a route with at least one destination',
  },
  {
    rule: 'sourceNamespaceInvalid',
    bad: vsHttp({ match: [{ sourceNamespace: 'Front_End' }] }),
    fixed: vsHttp({ match: [{ sourceNamespace: 'frontend' }] }),
    field: 'spec.http[0].match[0].sourceNamespace',
    message: 'sourceNamespace "Front_End" is not a valid namespace name',
  },
  {
    rule: 'mirrorPercentDeprecated',
    bad: vsHttp({ mirror: { host: 'reviews-shadow' }, mirrorPercent: 50 }),
    fixed: vsHttp({ mirror: { host: 'reviews-shadow' }, mirrorPercentage: { value: 50 } }),
    field: 'spec.http[0].mirrorPercent',
    message: 'mirrorPercent is deprecated; use mirrorPercentage',
  },

  // ---- DestinationRule ----
  {
    rule: 'subsetDuplicate',
    bad: dr({ host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v1', labels: { version: 'v2' } }] }),
    fixed: dr({ host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] }),
    field: 'spec.subsets[1].name',
    message: 'duplicate subset name "v1"',
  },
  {
    rule: 'trafficPolicyEmpty',
    bad: drPolicy({}),
    fixed: drPolicy({ tls: { mode: 'ISTIO_MUTUAL' } }),
    field: 'spec.trafficPolicy',
    message: 'trafficPolicy is empty',
  },
  {
    rule: 'portPolicyNoPort',
    bad: drPolicy({ portLevelSettings: [{ tls: { mode: 'DISABLE' } }] }),
    fixed: drPolicy({ portLevelSettings: [{ port: { number: 9080 }, tls: { mode: 'DISABLE' } }] }),
    field: 'spec.trafficPolicy.portLevelSettings[0].port',
    message: 'a portLevelSettings entry needs port.number',
  },
  {
    rule: 'tunnelInvalid',
    bad: drPolicy({ tunnel: { protocol: 'GET', targetHost: 'proxy.example.com', targetPort: 3128 } }),
    fixed: drPolicy({ tunnel: { protocol: 'CONNECT', targetHost: 'proxy.example.com', targetPort: 3128 } }),
    field: 'spec.trafficPolicy.tunnel.protocol',
    message: 'tunnel protocol "GET" is invalid; use CONNECT or POST',
  },
  {
    rule: 'outlierInvalid',
    bad: drPolicy({ outlierDetection: { consecutiveLocalOriginFailures: 5 } }),
    fixed: drPolicy({ outlierDetection: { consecutiveLocalOriginFailures: 5, splitExternalLocalOriginErrors: true } }),
    field: 'spec.trafficPolicy.outlierDetection.consecutiveLocalOriginFailures',
    message: 'consecutiveLocalOriginFailures 5 has no effect unless splitExternalLocalOriginErrors is true',
  },
  {
    rule: 'outlierDeprecated',
    bad: drPolicy({ outlierDetection: { consecutiveErrors: 5 } }),
    fixed: drPolicy({ outlierDetection: { consecutive5xxErrors: 5 } }),
    field: 'spec.trafficPolicy.outlierDetection.consecutiveErrors',
    message: 'consecutiveErrors is deprecated',
  },
  {
    rule: 'connectionPoolInvalid',
    bad: drPolicy({ connectionPool: { tcp: { maxConnections: -1 } } }),
    fixed: drPolicy({ connectionPool: { tcp: { maxConnections: 100 } } }),
    field: 'spec.trafficPolicy.connectionPool.tcp.maxConnections',
    message: 'maxConnections -1 is negative',
  },
  {
    rule: 'loadBalancerInvalid',
    bad: drPolicy({ loadBalancer: { consistentHash: { httpHeaderName: 'x-user', maglev: { tableSize: 65536 } } } }),
    fixed: drPolicy({ loadBalancer: { consistentHash: { httpHeaderName: 'x-user', maglev: { tableSize: 65537 } } } }),
    field: 'spec.trafficPolicy.loadBalancer.consistentHash.maglev.tableSize',
    message: 'maglev tableSize 65536 must be a prime number',
  },
  {
    rule: 'minimumRingSizeDeprecated',
    bad: drPolicy({ loadBalancer: { consistentHash: { httpHeaderName: 'x-user', minimumRingSize: 1024 } } }),
    fixed: drPolicy({ loadBalancer: { consistentHash: { httpHeaderName: 'x-user', ringHash: { minimumRingSize: 1024 } } } }),
    field: 'spec.trafficPolicy.loadBalancer.consistentHash.minimumRingSize',
    message: 'consistentHash.minimumRingSize is deprecated',
  },
  {
    rule: 'localityLbInvalid',
    bad: drPolicy({ loadBalancer: { localityLbSetting: { distribute: [{ from: 'us-west/zone1/*', to: { 'us-west/zone1/*': 80, 'us-west/zone2/*': 10 } }] } } }),
    fixed: drPolicy({ loadBalancer: { localityLbSetting: { distribute: [{ from: 'us-west/zone1/*', to: { 'us-west/zone1/*': 80, 'us-west/zone2/*': 20 } }] } } }),
    field: 'spec.trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to',
    message: 'locality weights sum to 90; they must sum to 100',
  },
  {
    rule: 'localityFailoverNoOutlier',
    bad: drPolicy({ loadBalancer: { localityLbSetting: { failover: [{ from: 'us-east', to: 'eu-west' }] } } }),
    fixed: drPolicy({
      loadBalancer: { localityLbSetting: { failover: [{ from: 'us-east', to: 'eu-west' }] } },
      outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s' },
    }),
    field: 'spec.trafficPolicy.loadBalancer.localityLbSetting',
    message: 'locality failover needs outlierDetection',
  },
  {
    rule: 'clientTlsMutualNoCert',
    bad: drPolicy({ tls: { mode: 'MUTUAL', caCertificates: '/etc/certs/ca.pem' } }),
    fixed: drPolicy({ tls: { mode: 'MUTUAL', credentialName: 'reviews-client-cert' } }),
    field: 'spec.trafficPolicy.tls',
    message: 'TLS mode MUTUAL needs clientCertificate and privateKey, or a credentialName',
  },
  {
    rule: 'clientTlsCredentialConflict',
    bad: drPolicy({ tls: { mode: 'SIMPLE', credentialName: 'api-ca', caCertificates: '/etc/certs/ca.pem' } }),
    fixed: drPolicy({ tls: { mode: 'SIMPLE', credentialName: 'api-ca' } }),
    field: 'spec.trafficPolicy.tls.credentialName',
    message: 'credentialName "api-ca" cannot be combined with caCertificates',
  },
  {
    rule: 'clientTlsIstioMutualCerts',
    bad: drPolicy({ tls: { mode: 'ISTIO_MUTUAL', caCertificates: '/etc/certs/ca.pem' } }),
    fixed: drPolicy({ tls: { mode: 'ISTIO_MUTUAL' } }),
    field: 'spec.trafficPolicy.tls',
    message: 'TLS mode ISTIO_MUTUAL uses Istio\'s certificates; caCertificates is ignored',
  },
  {
    rule: 'clientTlsInsecureSkipVerify',
    bad: drPolicy({ tls: { mode: 'SIMPLE', insecureSkipVerify: true, caCertificates: '/etc/certs/ca.pem' } }),
    fixed: drPolicy({ tls: { mode: 'SIMPLE', caCertificates: '/etc/certs/ca.pem' } }),
    field: 'spec.trafficPolicy.tls.insecureSkipVerify',
    message: 'insecureSkipVerify cannot be combined with caCertificates, credentialName or subjectAltNames',
  },

  // ---- Gateway ----
  {
    rule: 'gatewayNoServers',
    bad: gw({ selector: { istio: 'ingressgateway' }, servers: [] }),
    fixed: gw({ selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] }),
    field: 'spec.servers',
    message: 'a Gateway needs at least one server',
  },
  {
    rule: 'gatewayNameInvalid',
    bad: { ...gw({ selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] }), metadata: { name: 'bookinfo.gateway', namespace: 'default' } },
    fixed: gw({ selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] }),
    field: 'metadata.name',
    message: 'Gateway name "bookinfo.gateway" is not a DNS label (no dots)',
  },
  {
    rule: 'serverHostsInvalid',
    bad: gw({ selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['productpage'] }] }),
    fixed: gw({ selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['bookinfo.example.com'] }] }),
    field: 'spec.servers[0].hosts[0]',
    message: 'server host "productpage" is invalid: short names are not allowed',
  },
  {
    rule: 'serverPortInvalid',
    bad: gw({ selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, protocol: 'HTTP' }, hosts: ['*'] }] }),
    fixed: gw({ selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] }),
    field: 'spec.servers[0].port.name',
    message: 'server port needs a name',
  },
  {
    rule: 'serverPortNameDuplicate',
    bad: gw({
      selector: { istio: 'ingressgateway' },
      servers: [
        { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['a.example.com'] },
        { port: { number: 8080, name: 'http', protocol: 'HTTP' }, hosts: ['b.example.com'] },
      ],
    }),
    fixed: gw({
      selector: { istio: 'ingressgateway' },
      servers: [
        { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['a.example.com'] },
        { port: { number: 8080, name: 'http-8080', protocol: 'HTTP' }, hosts: ['b.example.com'] },
      ],
    }),
    field: 'spec.servers[1].port.name',
    message: 'port name "http" is used by another server',
  },
  {
    rule: 'serverTlsRequired',
    bad: httpsServer(undefined),
    fixed: httpsServer({ mode: 'SIMPLE', credentialName: 'bookinfo-cert' }),
    field: 'spec.servers[0].tls',
    message: 'server with protocol HTTPS needs tls settings',
  },
  {
    rule: 'serverTlsCertRequired',
    bad: httpsServer({ mode: 'SIMPLE', serverCertificate: '/etc/certs/server.pem' }),
    fixed: httpsServer({ mode: 'SIMPLE', ...CERTS }),
    field: 'spec.servers[0].tls',
    message: 'SIMPLE TLS needs privateKey, or a credentialName',
  },
  {
    rule: 'serverTlsCaRequired',
    bad: httpsServer({ mode: 'MUTUAL', ...CERTS }),
    fixed: httpsServer({ mode: 'MUTUAL', ...CERTS, caCertificates: '/etc/certs/ca.pem' }),
    field: 'spec.servers[0].tls.caCertificates',
    message: 'MUTUAL TLS needs caCertificates to verify clients',
  },
  {
    rule: 'serverTlsMultipleSources',
    bad: httpsServer({ mode: 'SIMPLE', credentialName: 'bookinfo-cert', ...CERTS }),
    fixed: httpsServer({ mode: 'SIMPLE', credentialName: 'bookinfo-cert' }),
    field: 'spec.servers[0].tls',
    message: 'server TLS has 2 certificate sources (serverCertificate/privateKey, credentialName)',
  },
  {
    rule: 'serverTlsIstioMutualCerts',
    bad: httpsServer({ mode: 'ISTIO_MUTUAL', credentialName: 'bookinfo-cert' }),
    fixed: httpsServer({ mode: 'ISTIO_MUTUAL' }),
    field: 'spec.servers[0].tls',
    message: 'ISTIO_MUTUAL server TLS uses Istio\'s certificates and cannot have credentialName',
  },
  {
    rule: 'serverTlsPassthroughCerts',
    bad: httpsServer({ credentialName: 'bookinfo-cert' }),
    fixed: httpsServer({ mode: 'SIMPLE', credentialName: 'bookinfo-cert' }),
    field: 'spec.servers[0].tls',
    message: 'PASSTHROUGH mode (the default when mode is unset) does not use certificates',
  },
  {
    rule: 'serverTlsCrl',
    bad: httpsServer({ mode: 'SIMPLE', ...CERTS, caCrl: '/etc/certs/crl.pem' }),
    fixed: httpsServer({ mode: 'MUTUAL', ...CERTS, caCertificates: '/etc/certs/ca.pem', caCrl: '/etc/certs/crl.pem' }),
    field: 'spec.servers[0].tls.caCrl',
    message: 'caCrl is not supported with SIMPLE TLS',
  },
  {
    rule: 'httpsRedirectNonHttp',
    bad: httpsServer({ mode: 'SIMPLE', credentialName: 'bookinfo-cert', httpsRedirect: true }),
    fixed: gw({
      selector: { istio: 'ingressgateway' },
      servers: [
        { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['bookinfo.example.com'], tls: { httpsRedirect: true } },
        { port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['bookinfo.example.com'], tls: { mode: 'SIMPLE', credentialName: 'bookinfo-cert' } },
      ],
    }),
    field: 'spec.servers[0].tls.httpsRedirect',
    message: 'httpsRedirect only works on HTTP servers, this one is "HTTPS"',
  },
  {
    rule: 'serverBindInvalid',
    bad: gw({ selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 8080, name: 'http', protocol: 'HTTP' }, bind: 'unix:///var/run/gateway.sock', hosts: ['*'] }] }),
    fixed: gw({ selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 0, name: 'http', protocol: 'HTTP' }, bind: 'unix:///var/run/gateway.sock', hosts: ['*'] }] }),
    field: 'spec.servers[0].port.number',
    message: 'a server bound to a unix domain socket uses port number 0, got 8080',
  },
  {
    rule: 'serverTlsCiphers',
    bad: httpsServer({ mode: 'SIMPLE', credentialName: 'bookinfo-cert', cipherSuites: ['ECDHE-RSA-AES256-GCM-SHA384', 'RC4-MD5'] }),
    fixed: httpsServer({ mode: 'SIMPLE', credentialName: 'bookinfo-cert', cipherSuites: ['ECDHE-RSA-AES256-GCM-SHA384'] }),
    field: 'spec.servers[0].tls.cipherSuites',
    message: 'unknown cipher suites ["RC4-MD5"] are ignored',
  },

  // ---- AuthorizationPolicy ----
  {
    rule: 'customWithoutRules',
    bad: ap({ selector: { matchLabels: { app: 'productpage' } }, action: 'CUSTOM', provider: { name: 'oauth2-proxy' } }),
    fixed: ap({ selector: { matchLabels: { app: 'productpage' } }, action: 'CUSTOM', provider: { name: 'oauth2-proxy' }, rules: [{}] }),
    field: 'spec.rules',
    message: 'a CUSTOM policy without rules never triggers',
  },
  {
    rule: 'customWithoutProvider',
    bad: ap({ selector: { matchLabels: { app: 'productpage' } }, action: 'CUSTOM', rules: [{}] }),
    fixed: ap({ selector: { matchLabels: { app: 'productpage' } }, action: 'CUSTOM', provider: { name: 'oauth2-proxy' }, rules: [{}] }),
    field: 'spec.provider.name',
    message: 'a CUSTOM policy needs provider.name',
  },
  {
    rule: 'customUnsupportedField',
    bad: ap({ action: 'CUSTOM', provider: { name: 'ext-authz' }, rules: [{ from: [{ source: { principals: ['cluster.local/ns/default/sa/frontend'] } }] }] }),
    fixed: ap({ action: 'CUSTOM', provider: { name: 'ext-authz' }, rules: [{ to: [{ operation: { paths: ['/admin/*'] } }] }] }),
    field: 'spec.rules[0].from[0].source.principals',
    message: 'principals is not supported with action CUSTOM',
  },
  {
    rule: 'providerWithoutCustom',
    bad: ap({ action: 'ALLOW', provider: { name: 'ext-authz' }, rules: [{}] }),
    fixed: ap({ action: 'ALLOW', rules: [{}] }),
    field: 'spec.provider',
    message: 'provider is only allowed with action CUSTOM, found action ALLOW',
  },
  {
    rule: 'denyWithoutRules',
    bad: ap({ selector: { matchLabels: { app: 'reviews' } }, action: 'DENY' }),
    fixed: ap({ selector: { matchLabels: { app: 'reviews' } }, action: 'DENY', rules: [{}] }),
    field: 'spec.rules',
    message: 'a DENY policy without rules never triggers',
  },
  {
    rule: 'ruleEmptyList',
    bad: ap({ selector: { matchLabels: { app: 'reviews' } }, rules: [{ from: [], to: [{ operation: { methods: ['GET'] } }] }] }),
    fixed: ap({ selector: { matchLabels: { app: 'reviews' } }, rules: [{ to: [{ operation: { methods: ['GET'] } }] }] }),
    field: 'spec.rules[0].from',
    message: '`from` is an empty list',
  },
  {
    rule: 'ruleMissingSourceOrOperation',
    bad: allowTo([{}]),
    fixed: allowTo([{ operation: { methods: ['GET'] } }]),
    field: 'spec.rules[0].to[0].operation',
    message: '`to` entry has no operation',
  },
  {
    rule: 'ruleEmptySourceOrOperation',
    bad: allowFrom({}),
    fixed: allowFrom({ namespaces: ['frontend'] }),
    field: 'spec.rules[0].from[0].source',
    message: 'source is empty',
  },
  {
    rule: 'serviceAccountsMixed',
    bad: allowFrom({ namespaces: ['frontend'], serviceAccounts: ['frontend/web'] }),
    fixed: allowFrom({ serviceAccounts: ['frontend/web'] }),
    field: 'spec.rules[0].from[0].source',
    message: 'serviceAccounts cannot be combined with principals or namespaces in one source',
  },
  {
    rule: 'emptyValue',
    bad: allowTo([{ operation: { methods: ['GET', ''] } }]),
    fixed: allowTo([{ operation: { methods: ['GET'] } }]),
    field: 'spec.rules[0].to[0].operation.methods[1]',
    message: 'empty value in methods',
  },
  {
    rule: 'serviceAccountInvalid',
    bad: allowFrom({ serviceAccounts: ['frontend/*'] }),
    fixed: allowFrom({ serviceAccounts: ['frontend/web'] }),
    field: 'spec.rules[0].from[0].source.serviceAccounts',
    message: 'serviceAccounts: "frontend/*" has a wildcard',
  },
  {
    rule: 'portValueInvalid',
    bad: allowTo([{ operation: { ports: ['http'] } }]),
    fixed: allowTo([{ operation: { ports: ['9080'] } }]),
    field: 'spec.rules[0].to[0].operation.ports[0]',
    message: 'port "http" is not a number in 0..65535',
  },
  {
    rule: 'pathTemplateInvalid',
    bad: allowTo([{ operation: { paths: ['/api/{**}/{*}'] } }]),
    fixed: allowTo([{ operation: { paths: ['/api/{*}/{**}'] } }]),
    field: 'spec.rules[0].to[0].operation.paths[0]',
    message: '{**} must be the last operator of the template',
  },
  {
    rule: 'conditionInvalid',
    bad: ap({ selector: { matchLabels: { app: 'reviews' } }, rules: [{ when: [{ key: 'request.auth.claims[iss]' }] }] }),
    fixed: ap({ selector: { matchLabels: { app: 'reviews' } }, rules: [{ when: [{ key: 'request.auth.claims[iss]', values: ['https://idp.example.com'] }] }] }),
    field: 'spec.rules[0].when[0]',
    message: 'condition "request.auth.claims[iss]" needs values or notValues',
  },
  {
    rule: 'conditionKeyInvalid',
    bad: ap({ selector: { matchLabels: { app: 'reviews' } }, rules: [{ when: [{ key: 'request.auth.claims.iss', values: ['https://idp.example.com'] }] }] }),
    fixed: ap({ selector: { matchLabels: { app: 'reviews' } }, rules: [{ when: [{ key: 'request.auth.claims[iss]', values: ['https://idp.example.com'] }] }] }),
    field: 'spec.rules[0].when[0].key',
    message: 'bad key format; write it as "request.auth.claims[iss]"',
  },
  {
    rule: 'denyHttpOnTcp',
    bad: ap({ selector: { matchLabels: { app: 'reviews' } }, action: 'DENY', rules: [{ to: [{ operation: { methods: ['DELETE'] } }] }] }),
    fixed: ap({ selector: { matchLabels: { app: 'reviews' } }, action: 'DENY', rules: [{ to: [{ operation: { methods: ['DELETE'], ports: ['9080'] } }] }] }),
    field: 'spec.rules[0]',
    message: 'this DENY rule uses only HTTP attributes, so it denies all traffic to TCP ports',
  },

  // ---- RequestAuthentication ----
  {
    rule: 'jwtIssuerOrJwksUri',
    bad: jwtRule({ audiences: ['bookinfo'] }),
    fixed: jwtRule({ ...ISSUER, audiences: ['bookinfo'] }),
    field: 'spec.jwtRules[0].issuer',
    message: 'a JWT rule needs an issuer or a jwksUri',
  },
  {
    rule: 'jwksUriInvalid',
    bad: jwtRule({ issuer: 'https://idp.example.com', jwksUri: 'ftp://idp.example.com/jwks.json' }),
    fixed: jwtRule(ISSUER),
    field: 'spec.jwtRules[0].jwksUri',
    message: 'jwksUri "ftp://idp.example.com/jwks.json" has scheme "ftp"; only http and https are supported',
  },
  {
    rule: 'jwksAndJwksUri',
    bad: jwtRule({ ...ISSUER, jwks: '{"keys":[{"kty":"RSA","e":"AQAB","n":"xyz"}]}' }),
    fixed: jwtRule(ISSUER),
    field: 'spec.jwtRules[0].jwks',
    message: 'both jwks and jwksUri are set; jwks is used and jwksUri ignored',
  },
  {
    rule: 'jwksInvalid',
    bad: jwtRule({ issuer: 'https://idp.example.com', jwks: '{"keys":[{"e":"AQAB","n":"xyz"}]}' }),
    fixed: jwtRule({ issuer: 'https://idp.example.com', jwks: '{"keys":[{"kty":"RSA","e":"AQAB","n":"xyz"}]}' }),
    field: 'spec.jwtRules[0].jwks',
    message: 'jwks is not a JSON Web Key Set: keys[0] has no "kty"',
  },
  {
    rule: 'jwtRuleEmptyValue',
    bad: jwtRule({ ...ISSUER, fromHeaders: [{ prefix: 'Bearer ' }] }),
    fixed: jwtRule({ ...ISSUER, fromHeaders: [{ name: 'Authorization', prefix: 'Bearer ' }] }),
    field: 'spec.jwtRules[0].fromHeaders[0].name',
    message: 'fromHeaders entries need a header name',
  },

  // ---- PeerAuthentication ----
  {
    rule: 'portMtlsWithoutSelector',
    bad: pa({ mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'DISABLE' } } }),
    fixed: pa({ selector: { matchLabels: { app: 'reviews' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'DISABLE' } } }),
    field: 'spec.portLevelMtls',
    message: 'port-level mTLS needs a workload selector with matchLabels',
  },
  {
    rule: 'portMtlsEmpty',
    bad: pa({ selector: { matchLabels: { app: 'reviews' } }, mtls: { mode: 'STRICT' }, portLevelMtls: {} }),
    fixed: pa({ selector: { matchLabels: { app: 'reviews' } }, mtls: { mode: 'STRICT' } }),
    field: 'spec.portLevelMtls',
    message: 'portLevelMtls is empty',
  },

  // ---- ServiceEntry ----
  {
    rule: 'seNoHosts',
    bad: se({ hosts: [], ports: sePorts, resolution: 'DNS' }),
    fixed: se({ hosts: ['api.example.com'], ports: sePorts, resolution: 'DNS' }),
    field: 'spec.hosts',
    message: 'a ServiceEntry needs at least one host',
  },
  {
    rule: 'seWildcardHost',
    bad: se({ hosts: ['*'], ports: sePorts, resolution: 'NONE' }),
    fixed: se({ hosts: ['*.example.com'], ports: sePorts, resolution: 'NONE' }),
    field: 'spec.hosts[0]',
    message: 'host "*" is not allowed in a ServiceEntry',
  },
  {
    rule: 'sePartialWildcard',
    bad: se({ hosts: ['api*.example.com'], ports: sePorts, resolution: 'NONE' }),
    fixed: se({ hosts: ['*.example.com'], ports: sePorts, resolution: 'NONE' }),
    field: 'spec.hosts[0]',
    message: 'partial wildcard "api*.example.com" is not supported',
  },
  {
    rule: 'seCidrResolution',
    bad: se({ hosts: ['db.example.com'], addresses: ['10.0.0.0/24'], ports: [{ number: 5432, name: 'tcp-pg', protocol: 'TCP' }], resolution: 'DNS' }),
    fixed: se({ hosts: ['db.example.com'], addresses: ['10.0.0.0/24'], ports: [{ number: 5432, name: 'tcp-pg', protocol: 'TCP' }], resolution: 'NONE' }),
    field: 'spec.addresses',
    message: 'CIDR addresses are only allowed with resolution NONE or STATIC, not DNS',
  },
  {
    rule: 'sePortDuplicate',
    bad: se({ hosts: ['api.example.com'], ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }, { number: 443, name: 'tls', protocol: 'TLS' }], resolution: 'DNS' }),
    fixed: se({ hosts: ['api.example.com'], ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }], resolution: 'DNS' }),
    field: 'spec.ports[1].number',
    message: 'port 443 is already defined',
  },
  {
    rule: 'seSelectorAndEndpoints',
    bad: se({ hosts: ['vm.example.com'], ports: sePorts, resolution: 'STATIC', workloadSelector: { labels: { app: 'vm' } }, endpoints: [{ address: '10.0.0.5' }] }),
    fixed: se({ hosts: ['vm.example.com'], ports: sePorts, resolution: 'STATIC', workloadSelector: { labels: { app: 'vm' } } }),
    field: 'spec.endpoints',
    message: 'workloadSelector and endpoints cannot both be set',
  },
  {
    rule: 'seNoneWithEndpoints',
    bad: se({ hosts: ['api.example.com'], ports: sePorts, resolution: 'NONE', endpoints: [{ address: '203.0.113.10' }] }),
    fixed: se({ hosts: ['api.example.com'], ports: sePorts, resolution: 'STATIC', endpoints: [{ address: '203.0.113.10' }] }),
    field: 'spec.endpoints',
    message: 'resolution NONE takes no endpoints',
  },
  {
    rule: 'seSelectorIgnored',
    bad: se({ hosts: ['vm.example.com'], ports: sePorts, resolution: 'DNS', workloadSelector: { labels: { app: 'vm' } } }),
    fixed: se({ hosts: ['vm.example.com'], ports: sePorts, resolution: 'STATIC', workloadSelector: { labels: { app: 'vm' } } }),
    field: 'spec.workloadSelector',
    message: 'workloadSelector has no effect with resolution DNS',
  },
  {
    rule: 'seDnsNeedsFqdn',
    bad: se({ hosts: ['*.example.com'], ports: sePorts, resolution: 'DNS', location: 'MESH_EXTERNAL' }),
    fixed: se({ hosts: ['*.example.com'], ports: sePorts, resolution: 'NONE', location: 'MESH_EXTERNAL' }),
    field: 'spec.hosts[0]',
    message: 'host "*.example.com" is not fully qualified; resolution DNS without endpoints resolves the hosts themselves',
  },
  {
    rule: 'seDnsRoundRobinEndpoints',
    bad: se({ hosts: ['api.example.com'], ports: sePorts, resolution: 'DNS_ROUND_ROBIN', endpoints: [{ address: 'api-1.example.com' }, { address: 'api-2.example.com' }] }),
    fixed: se({ hosts: ['api.example.com'], ports: sePorts, resolution: 'DNS', endpoints: [{ address: 'api-1.example.com' }, { address: 'api-2.example.com' }] }),
    field: 'spec.endpoints',
    message: 'resolution DNS_ROUND_ROBIN takes 0 or 1 endpoint, got 2',
  },
  {
    rule: 'seEndpointPorts',
    bad: se({ hosts: ['api.example.com'], ports: sePorts, resolution: 'STATIC', endpoints: [{ address: '203.0.113.10', ports: { 'https-alt': 8443 } }] }),
    fixed: se({ hosts: ['api.example.com'], ports: sePorts, resolution: 'STATIC', endpoints: [{ address: '203.0.113.10', ports: { https: 8443 } }] }),
    field: 'spec.endpoints[0].ports.https-alt',
    message: 'endpoint port "https-alt" is not a port name of the ServiceEntry (["https"])',
  },
  {
    rule: 'seMultipleHostsTcp',
    bad: se({ hosts: ['pg-a.example.com', 'pg-b.example.com'], ports: [{ number: 5432, name: 'tcp-pg', protocol: 'TCP' }], resolution: 'DNS' }),
    fixed: se({ hosts: ['pg-a.example.com'], ports: [{ number: 5432, name: 'tcp-pg', protocol: 'TCP' }], resolution: 'DNS' }),
    field: 'spec.hosts',
    message: '2 hosts share port "tcp-pg" with protocol "TCP", which cannot tell them apart',
  },
  {
    rule: 'seStaticNoEndpoints',
    bad: se({ hosts: ['vm.example.com'], ports: sePorts, resolution: 'STATIC' }),
    fixed: se({ hosts: ['vm.example.com'], ports: sePorts, resolution: 'STATIC', endpoints: [{ address: '10.0.0.5' }] }),
    field: 'spec',
    message: 'resolution STATIC without endpoints or workloadSelector',
  },

  // ---- Sidecar ----
  {
    rule: 'sidecarEmpty',
    bad: sc({ workloadSelector: { labels: { app: 'reviews' } } }),
    fixed: sc({ workloadSelector: { labels: { app: 'reviews' } }, egress: [{ hosts: ['./*', 'istio-system/*'] }] }),
    field: 'spec',
    message: 'empty Sidecar: set ingress, egress, outboundTrafficPolicy or inboundConnectionPool',
  },
  {
    rule: 'sidecarIngressPort',
    bad: sc({ workloadSelector: { labels: { app: 'reviews' } }, ingress: [{ defaultEndpoint: '127.0.0.1:9080' }] }),
    fixed: sc({ workloadSelector: { labels: { app: 'reviews' } }, ingress: [{ port: { number: 9080, name: 'http', protocol: 'HTTP' }, defaultEndpoint: '127.0.0.1:9080' }] }),
    field: 'spec.ingress[0].port',
    message: 'an ingress listener needs a port',
  },
  {
    rule: 'sidecarDefaultEndpoint',
    bad: sc({ workloadSelector: { labels: { app: 'reviews' } }, ingress: [{ port: { number: 9080, name: 'http', protocol: 'HTTP' }, defaultEndpoint: '10.0.0.5:9080' }] }),
    fixed: sc({ workloadSelector: { labels: { app: 'reviews' } }, ingress: [{ port: { number: 9080, name: 'http', protocol: 'HTTP' }, defaultEndpoint: '0.0.0.0:9080' }] }),
    field: 'spec.ingress[0].defaultEndpoint',
    message: 'defaultEndpoint host "10.0.0.5" is not allowed',
  },
  {
    rule: 'sidecarIngressTls',
    bad: sc({ workloadSelector: { labels: { app: 'reviews' } }, ingress: [{ port: { number: 9080, name: 'http', protocol: 'HTTP' }, defaultEndpoint: '127.0.0.1:9080', tls: { mode: 'SIMPLE', ...CERTS } }] }),
    fixed: sc({ workloadSelector: { labels: { app: 'reviews' } }, ingress: [{ port: { number: 9080, name: 'https', protocol: 'HTTPS' }, defaultEndpoint: '127.0.0.1:9080', tls: { mode: 'SIMPLE', ...CERTS } }] }),
    field: 'spec.ingress[0].tls',
    message: 'ingress port protocol "HTTP" cannot have TLS settings',
  },
  {
    rule: 'sidecarCatchAll',
    bad: sidecarEgress([{ hosts: ['./*'] }, { port: { number: 3306, name: 'tcp-mysql', protocol: 'TCP' }, hosts: ['db/*'] }]),
    fixed: sidecarEgress([{ port: { number: 3306, name: 'tcp-mysql', protocol: 'TCP' }, hosts: ['db/*'] }, { hosts: ['./*'] }]),
    field: 'spec.egress[0].port',
    message: 'the egress listener without a port (the catch-all) must be the last one',
  },
  {
    rule: 'sidecarEgressPort',
    bad: sidecarEgress([{ port: { number: 9080, name: 'http', protocol: 'HTTP' }, hosts: ['./*'] }, { port: { number: 9080, name: 'http-2', protocol: 'HTTP' }, hosts: ['istio-system/*'] }]),
    fixed: sidecarEgress([{ port: { number: 9080, name: 'http', protocol: 'HTTP' }, hosts: ['./*', 'istio-system/*'] }]),
    field: 'spec.egress[1].port.number',
    message: 'egress port 9080 is used by another listener',
  },
  {
    rule: 'sidecarEgressHosts',
    bad: sidecarEgress([{ hosts: ['reviews.default.svc.cluster.local'] }]),
    fixed: sidecarEgress([{ hosts: ['default/reviews.default.svc.cluster.local'] }]),
    field: 'spec.egress[0].hosts[0]',
    message: 'egress host "reviews.default.svc.cluster.local" must be <namespace>/<dnsName>',
  },
  {
    rule: 'sidecarEgressHostDuplicate',
    bad: sidecarEgress([{ hosts: ['default/*', 'default/reviews.default.svc.cluster.local'] }]),
    fixed: sidecarEgress([{ hosts: ['default/*'] }]),
    field: 'spec.egress[0].hosts[1]',
    message: 'egress host "default/reviews.default.svc.cluster.local" is already covered',
  },
  {
    rule: 'sidecarEgressProxy',
    bad: sc({ outboundTrafficPolicy: { mode: 'REGISTRY_ONLY', egressProxy: { host: 'proxy.example.com', port: { number: 3128 } } } }),
    fixed: sc({ outboundTrafficPolicy: { mode: 'ALLOW_ANY', egressProxy: { host: 'proxy.example.com', port: { number: 3128 } } } }),
    field: 'spec.outboundTrafficPolicy.mode',
    message: 'egressProxy needs outboundTrafficPolicy mode ALLOW_ANY, got REGISTRY_ONLY',
  },
  {
    rule: 'sidecarHttpPoolOnTcp',
    bad: sc({ workloadSelector: { labels: { app: 'mysql' } }, ingress: [{ port: { number: 3306, name: 'tcp', protocol: 'TCP' }, connectionPool: { http: { http1MaxPendingRequests: 10 } } }] }),
    fixed: sc({ workloadSelector: { labels: { app: 'mysql' } }, ingress: [{ port: { number: 3306, name: 'tcp', protocol: 'TCP' }, connectionPool: { tcp: { maxConnections: 10 } } }] }),
    field: 'spec.ingress[0].connectionPool.http',
    message: 'HTTP connection pool settings on port 3306 with protocol "TCP" are ignored',
  },

  // ---- Telemetry ----
  {
    rule: 'telemetryProviderName',
    bad: tel({ accessLogging: [{ providers: [{}] }] }),
    fixed: tel({ accessLogging: [{ providers: [{ name: 'envoy' }] }] }),
    field: 'spec.accessLogging[0].providers[0].name',
    message: 'provider name may not be empty',
  },
  {
    rule: 'telemetryCustomTag',
    bad: tel({ tracing: [{ customTags: { env: { literal: {} } } }] }),
    fixed: tel({ tracing: [{ customTags: { env: { literal: { value: 'prod' } } } }] }),
    field: 'spec.tracing[0].customTags.env.literal.value',
    message: 'literal custom tag "env" needs a value',
  },
  {
    rule: 'telemetryTagOverride',
    bad: tel({ metrics: [{ providers: [{ name: 'prometheus' }], overrides: [{ tagOverrides: { request_host: { operation: 'REMOVE', value: 'x' } } }] }] }),
    fixed: tel({ metrics: [{ providers: [{ name: 'prometheus' }], overrides: [{ tagOverrides: { request_host: { operation: 'REMOVE' } } }] }] }),
    field: 'spec.metrics[0].overrides[0].tagOverrides.request_host.value',
    message: 'tag override "request_host" with operation REMOVE takes no value',
  },
  {
    rule: 'telemetryMultiple',
    bad: tel({ tracing: [{ providers: [{ name: 'zipkin' }, { name: 'otel' }] }] }),
    fixed: tel({ tracing: [{ providers: [{ name: 'otel' }] }] }),
    field: 'spec.tracing[0].providers',
    message: '2 tracing providers are configured; only one is supported',
  },

  // ---- WasmPlugin ----
  {
    rule: 'wasmUrl',
    bad: wasm({ selector: { matchLabels: { istio: 'ingressgateway' } }, url: 'ftp://example.com/plugin.wasm' }),
    fixed: wasm({ selector: { matchLabels: { istio: 'ingressgateway' } }, url: 'oci://ghcr.io/example/plugin:1.0' }),
    field: 'spec.url',
    message: 'url scheme "ftp" is not supported',
  },
  {
    rule: 'wasmSha256',
    bad: wasm({ url: 'oci://ghcr.io/example/plugin:1.0', sha256: 'ABC123' }),
    fixed: wasm({ url: 'oci://ghcr.io/example/plugin:1.0', sha256: 'a'.repeat(64) }),
    field: 'spec.sha256',
    message: 'sha256 has 6 characters; it must be 64',
  },
  {
    rule: 'wasmLength',
    bad: wasm({ url: 'oci://ghcr.io/example/plugin:1.0', pluginName: 'p'.repeat(300) }),
    fixed: wasm({ url: 'oci://ghcr.io/example/plugin:1.0', pluginName: 'basic-auth' }),
    field: 'spec.pluginName',
    message: 'pluginName has 300 characters; at most 256 are allowed',
    docsNote: 'bad: a pluginName of 300 characters',
  },
  {
    rule: 'wasmEnv',
    bad: wasm({ url: 'oci://ghcr.io/example/plugin:1.0', vmConfig: { env: [{ name: 'POD_NAME', valueFrom: 'HOST', value: 'x' }] } }),
    fixed: wasm({ url: 'oci://ghcr.io/example/plugin:1.0', vmConfig: { env: [{ name: 'POD_NAME', valueFrom: 'HOST' }] } }),
    field: 'spec.vmConfig.env[0].value',
    message: 'value may only be set when valueFrom is INLINE, got valueFrom HOST',
  },

  // ---- EnvoyFilter ----
  {
    rule: 'efPatchIncomplete',
    bad: patch({ applyTo: 'HTTP_FILTER', patch: { operation: 'INSERT_BEFORE' } }),
    fixed: patch({ applyTo: 'HTTP_FILTER', patch: { operation: 'REMOVE' } }),
    field: 'spec.configPatches[0].patch.value',
    message: 'patch operation INSERT_BEFORE needs a value',
  },
  {
    rule: 'efMatchMismatch',
    bad: patch({ applyTo: 'CLUSTER', match: { listener: { portNumber: 9080 } }, patch: { operation: 'MERGE', value: { connect_timeout: '1s' } } }),
    fixed: patch({ applyTo: 'CLUSTER', match: { cluster: { portNumber: 9080 } }, patch: { operation: 'MERGE', value: { connect_timeout: '1s' } } }),
    field: 'spec.configPatches[0].match.listener',
    message: 'applyTo CLUSTER needs a cluster match, not listener',
  },
  {
    rule: 'efFilterMatch',
    bad: patch({ applyTo: 'NETWORK_FILTER', match: { listener: { filterChain: { filter: { name: HCM, subFilter: { name: 'envoy.filters.http.router' } } } } }, patch: { operation: 'MERGE', value: {} } }),
    fixed: patch({ applyTo: 'HTTP_FILTER', match: { listener: { filterChain: { filter: { name: HCM, subFilter: { name: 'envoy.filters.http.router' } } } } }, patch: { operation: 'INSERT_BEFORE', value: { name: 'envoy.filters.http.lua' } } }),
    field: 'spec.configPatches[0].match.listener.filterChain.filter.subFilter',
    message: 'a subFilter match only works with applyTo HTTP_FILTER, not NETWORK_FILTER',
  },
  {
    rule: 'efFilterMatchIgnored',
    bad: patch({ applyTo: 'LISTENER', match: { listener: { portNumber: 8080, filterChain: { filter: { name: HCM } } } }, patch: { operation: 'MERGE', value: { per_connection_buffer_limit_bytes: 1024 } } }),
    fixed: patch({ applyTo: 'LISTENER', match: { listener: { portNumber: 8080 } }, patch: { operation: 'MERGE', value: { per_connection_buffer_limit_bytes: 1024 } } }),
    field: 'spec.configPatches[0].match.listener.filterChain.filter',
    message: 'a filter match has no effect with applyTo LISTENER',
  },
  {
    rule: 'efOperationIgnored',
    bad: patch({ applyTo: 'CLUSTER', patch: { operation: 'INSERT_FIRST', value: { name: 'extra' } } }),
    fixed: patch({ applyTo: 'CLUSTER', patch: { operation: 'ADD', value: { name: 'extra' } } }),
    field: 'spec.configPatches[0].patch.operation',
    message: 'INSERT_FIRST only orders LISTENER_FILTER, NETWORK_FILTER, HTTP_FILTER or HTTP_ROUTE entries; for CLUSTER use ADD',
  },
  {
    rule: 'efInternalApi',
    bad: patch({ applyTo: 'HTTP_FILTER', patch: { operation: 'REMOVE' } }),
    field: 'spec',
    message: 'EnvoyFilter exposes Envoy internals',
  },

  // ---- ProxyConfig ----
  {
    rule: 'concurrencyNegative',
    bad: pc({ selector: { matchLabels: { app: 'reviews' } }, concurrency: -1 }),
    fixed: pc({ selector: { matchLabels: { app: 'reviews' } }, concurrency: 2 }),
    field: 'spec.concurrency',
    message: 'concurrency -1 is negative',
  },

  // ---- WorkloadEntry / WorkloadGroup ----
  {
    rule: 'weAddressRequired',
    bad: we({ labels: { app: 'vm' }, ports: { http: 8080 } }),
    fixed: we({ address: '10.0.0.5', labels: { app: 'vm' }, ports: { http: 8080 } }),
    field: 'spec.address',
    message: 'address is required',
  },
  {
    rule: 'weAddressUnset',
    bad: we({ network: 'vm-network', labels: { app: 'vm' } }),
    fixed: we({ address: '10.0.0.5', network: 'vm-network', labels: { app: 'vm' } }),
    field: 'spec.address',
    message: 'address is unset with network "vm-network"',
  },
  {
    rule: 'weAddressInvalid',
    bad: we({ address: 'vm_1.example.com' }),
    fixed: we({ address: 'vm-1.example.com' }),
    field: 'spec.address',
    message: 'address "vm_1.example.com" is not an IP address or a fully qualified domain name',
  },
  {
    rule: 'wgTemplateRequired',
    bad: wg({ metadata: { labels: { app: 'vm' } } }),
    fixed: wg({ metadata: { labels: { app: 'vm' } }, template: { serviceAccount: 'vm' } }),
    field: 'spec.template',
    message: 'a WorkloadGroup needs a template',
  },
  {
    rule: 'wgProbeInvalid',
    bad: wg({ template: { serviceAccount: 'vm' }, probe: { periodSeconds: 5 } }),
    fixed: wg({ template: { serviceAccount: 'vm' }, probe: { periodSeconds: 5, httpGet: { path: '/ready', port: 8080 } } }),
    field: 'spec.probe',
    message: 'probe needs a health check method: httpGet, tcpSocket or exec',
  },
];
