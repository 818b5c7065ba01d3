import { App, Chart, Duration, Testing } from 'cdk8s';
import { findObject, objectsOf, synthValid } from './util';
import { ApiMode, OutputMode } from '../src/core/output-mode';
import { Protocol } from '../src/core/protocol';
import { StringMatch } from '../src/core/string-match';
import { Gateway } from '../src/networking/gateway';
import { FaultAbort, RetryOn } from '../src/networking/http-policies';
import { CanaryMatch } from '../src/patterns/canary-match';
import { CanaryRelease } from '../src/patterns/canary-release';
import { CanaryWorkload } from '../src/patterns/canary-workload';

/** A chart in gateway-api mode, namespace bookinfo. */
function gatewayApiChart(namespace: string | undefined = 'bookinfo'): Chart {
  const app = Testing.app();
  OutputMode.set(app, ApiMode.GATEWAY_API);
  return new Chart(app, 'bookinfo', { namespace });
}

const REVIEWS = { host: 'reviews', stableHost: 'reviews-v1', canaryHost: 'reviews-v2', port: 9080 };

describe('OutputMode', () => {
  test('istio unless set; a chart setting wins over the app', () => {
    const app = Testing.app();
    expect(OutputMode.of(app)).toBe(ApiMode.ISTIO);
    OutputMode.set(app, ApiMode.GATEWAY_API);
    const a = new Chart(app, 'a');
    const b = new Chart(app, 'b');
    OutputMode.set(b, ApiMode.ISTIO);
    expect(OutputMode.of(a)).toBe(ApiMode.GATEWAY_API);
    expect(OutputMode.of(b)).toBe(ApiMode.ISTIO);
  });

  test('the context key works as set by hand', () => {
    const app = new App({ outdir: '/tmp/ga' });
    app.node.setContext(OutputMode.CONTEXT_KEY, 'gateway-api');
    expect(OutputMode.of(new Chart(app, 'c'))).toBe(ApiMode.GATEWAY_API);
  });

  test('throws when set after constructs were added', () => {
    const app = Testing.app();
    new Chart(app, 'early');
    expect(() => OutputMode.set(app, ApiMode.GATEWAY_API)).toThrow(/set the API mode before adding constructs to '<app>' \(it has 'early'\)/);
  });

  test('throws when the mode is not one of the values', () => {
    expect(() => OutputMode.set(Testing.app(), 'gateway_api' as ApiMode)).toThrow(/invalid mode "gateway_api": one of "istio", "gateway-api"/);
  });

  test('throws when the context holds another value', () => {
    const app = Testing.app();
    app.node.setContext(OutputMode.CONTEXT_KEY, 'gatewayapi');
    const chart = new Chart(app, 'c');
    expect(() => new CanaryRelease(chart, 'reviews', REVIEWS)).toThrow(/CanaryRelease 'c\/reviews': invalid context "cdk8s-istio:apiMode" "gatewayapi": one of "istio", "gateway-api"/);
  });
});

describe('CanaryRelease in gateway-api mode', () => {
  test('mesh: an HTTPRoute whose parent is the Service, weighted backendRefs to one Service per version', () => {
    const chart = gatewayApiChart();
    const canary = new CanaryRelease(chart, 'reviews', { ...REVIEWS, canaryWeight: 10 });
    const manifests = synthValid(chart);
    expect(canary.virtualService).toBeUndefined();
    expect(canary.route?.node.id).toBe('Route');
    expect(objectsOf(manifests, 'VirtualService')).toEqual([]);
    expect(objectsOf(manifests, 'DestinationRule')).toEqual([]);
    const route = findObject(manifests, 'HTTPRoute', 'bookinfo-reviews');
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route.metadata.namespace).toBe('bookinfo');
    expect(route.spec).toEqual({
      parentRefs: [{ group: '', kind: 'Service', name: 'reviews' }],
      rules: [{
        backendRefs: [
          { name: 'reviews-v1', port: 9080, weight: 90 },
          { name: 'reviews-v2', port: 9080, weight: 10 },
        ],
      }],
    });
  });

  test('host-level without stableHost: the called Service is the stable backend', () => {
    const chart = gatewayApiChart();
    new CanaryRelease(chart, 'reviews', { host: 'reviews', canaryHost: 'reviews-canary', port: 9080 });
    const route = findObject(synthValid(chart), 'HTTPRoute');
    expect(route.spec.rules[0].backendRefs).toEqual([
      { name: 'reviews', port: 9080, weight: 100 },
      { name: 'reviews-canary', port: 9080, weight: 0 },
    ]);
  });

  test('ingress: a second route whose parents are the Gateways (class istio), with the gateway hosts', () => {
    const chart = gatewayApiChart();
    const canary = new CanaryRelease(chart, 'reviews', {
      ...REVIEWS, canaryWeight: 50, gatewayNames: ['istio-ingress/public'], gatewayHosts: ['reviews.example.com'],
    });
    const manifests = synthValid(chart);
    expect(canary.ingressRoute?.node.id).toBe('IngressRoute');
    const ingress = findObject(manifests, 'HTTPRoute', 'bookinfo-reviews-ingress');
    expect(ingress.spec).toEqual({
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', namespace: 'istio-ingress' }],
      hostnames: ['reviews.example.com'],
      rules: [{ backendRefs: [{ name: 'reviews-v1', port: 9080, weight: 50 }, { name: 'reviews-v2', port: 9080, weight: 50 }] }],
    });
    expect(findObject(manifests, 'HTTPRoute', 'bookinfo-reviews').spec.parentRefs[0].kind).toBe('Service');
  });

  test('A/B: header and cookie matches first, then the split; timeout, retries and mirror on both rules', () => {
    const chart = gatewayApiChart();
    new CanaryRelease(chart, 'reviews', {
      ...REVIEWS,
      canaryWeight: 10,
      canaryMatches: [CanaryMatch.header('end-user', StringMatch.exact('jason')), CanaryMatch.cookie('user', 'jason')],
      timeout: Duration.seconds(5),
      retries: { attempts: 3, perTryTimeout: Duration.seconds(2), retryOnStatusCodes: [503], backoff: Duration.millis(250) },
      mirrorPercentage: 20,
    });
    const route = findObject(synthValid(chart), 'HTTPRoute');
    const policies = { timeouts: { request: '5s', backendRequest: '2s' }, retry: { attempts: 3, backoff: '250ms', codes: [503] } };
    expect(route.spec.rules).toEqual([
      {
        matches: [
          { headers: [{ type: 'Exact', name: 'end-user', value: 'jason' }] },
          { headers: [{ type: 'RegularExpression', name: 'cookie', value: '^(.*?;\\s*)?(user=jason)(;.*)?$' }] },
        ],
        backendRefs: [{ name: 'reviews-v2', port: 9080 }],
        ...policies,
      },
      {
        backendRefs: [{ name: 'reviews-v1', port: 9080, weight: 90 }, { name: 'reviews-v2', port: 9080, weight: 10 }],
        filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'reviews-v2', port: 9080 }, percent: 20 } }],
        ...policies,
      },
    ]);
  });

  test('a fractional mirror percentage is a fraction', () => {
    const chart = gatewayApiChart();
    new CanaryRelease(chart, 'reviews', { ...REVIEWS, mirrorPercentage: 12.5 });
    const route = findObject(synthValid(chart), 'HTTPRoute');
    expect(route.spec.rules[0].filters[0].requestMirror.fraction).toEqual({ numerator: 125, denominator: 1000 });
  });

  test('GRPC: a GRPCRoute; TCP: a TCPRoute with the port on the parent; TLS: a TLSRoute with SNI hostnames', () => {
    const chart = gatewayApiChart();
    new CanaryRelease(chart, 'grpc', { host: 'ratings', canaryHost: 'ratings-v2', port: 9090, protocol: Protocol.GRPC, canaryWeight: 5 });
    new CanaryRelease(chart, 'db', { host: 'mysql', canaryHost: 'mysql-v2', port: 3306, protocol: Protocol.TCP, canaryWeight: 5 });
    new CanaryRelease(chart, 'tls', { host: 'secure', canaryHost: 'secure-v2', port: 443, protocol: Protocol.TLS, canaryWeight: 5 });
    const manifests = synthValid(chart);
    const grpc = findObject(manifests, 'GRPCRoute');
    expect(grpc.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(grpc.spec.rules[0].backendRefs[1]).toEqual({ name: 'ratings-v2', port: 9090, weight: 5 });
    const tcp = findObject(manifests, 'TCPRoute');
    expect(tcp.apiVersion).toBe('gateway.networking.k8s.io/v1alpha2');
    expect(tcp.spec).toEqual({
      parentRefs: [{ group: '', kind: 'Service', name: 'mysql', port: 3306 }],
      rules: [{ backendRefs: [{ name: 'mysql', port: 3306, weight: 95 }, { name: 'mysql-v2', port: 3306, weight: 5 }] }],
    });
    const tls = findObject(manifests, 'TLSRoute');
    expect(tls.spec.hostnames).toEqual(['secure']);
    expect(tls.spec.parentRefs).toEqual([{ group: '', kind: 'Service', name: 'secure', port: 443 }]);
  });

  test('a backend in another namespace gets a ReferenceGrant there', () => {
    const chart = gatewayApiChart();
    const canary = new CanaryRelease(chart, 'reviews', { ...REVIEWS, canaryHost: 'reviews-v2.canaries.svc.cluster.local', canaryWeight: 1 });
    const manifests = synthValid(chart);
    expect(canary.referenceGrants).toHaveLength(1);
    expect(findObject(manifests, 'HTTPRoute').spec.rules[0].backendRefs[1]).toEqual({ name: 'reviews-v2', namespace: 'canaries', port: 9080, weight: 1 });
    const grant = findObject(manifests, 'ReferenceGrant');
    expect(grant.metadata).toEqual({ name: 'bookinfo-reviews-from-bookinfo', namespace: 'canaries' });
    expect(grant.spec).toEqual({
      from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'bookinfo' }],
      to: [{ group: '', kind: 'Service', name: 'reviews-v2' }],
    });
  });

  test('the same chart in istio mode still makes the VirtualService, with stableHost as the stable destination', () => {
    const chart = new Chart(Testing.app(), 'bookinfo', { namespace: 'bookinfo' });
    new CanaryRelease(chart, 'reviews', { ...REVIEWS, canaryWeight: 10 });
    const manifests = synthValid(chart);
    expect(objectsOf(manifests, 'HTTPRoute')).toEqual([]);
    expect(findObject(manifests, 'VirtualService').spec).toEqual({
      hosts: ['reviews'],
      http: [{
        route: [
          { destination: { host: 'reviews-v1', port: { number: 9080 } }, weight: 90 },
          { destination: { host: 'reviews-v2', port: { number: 9080 } }, weight: 10 },
        ],
      }],
    });
  });
});

describe('CanaryRelease in gateway-api mode: what it cannot express', () => {
  const MODE = /cannot be expressed in ApiMode.GATEWAY_API \("gateway-api", set by OutputMode on this app or chart\): .*, or set ApiMode.ISTIO \("istio"\) for this chart/;

  test('throws when the split is by subsets', () => {
    let n = 0;
    const chart = gatewayApiChart();
    const build = () => new CanaryRelease(chart, `reviews${n++ || ''}`, {
      host: 'reviews', stable: CanaryWorkload.fromLabels({ version: 'v1' }), canary: CanaryWorkload.fromLabels({ version: 'v2' }), port: 9080,
    });
    expect(build).toThrow(/CanaryRelease 'bookinfo\/reviews': invalid splitStyle "SUBSET": a split by DestinationRule subsets cannot be expressed/);
    expect(build).toThrow(MODE);
  });

  test('throws when fault injection is asked for (HTTPRoute has no fault filter)', () => {
    const chart = gatewayApiChart();
    expect(() => new CanaryRelease(chart, 'reviews', { ...REVIEWS, fault: { abort: FaultAbort.httpStatus(503, 10) } }))
      .toThrow(/invalid fault .*: fault injection \(delays and aborts\) cannot be expressed in ApiMode.GATEWAY_API .*HTTPRoute has no fault filter.*or set ApiMode.ISTIO/);
  });

  test('throws when retries name retry conditions; status codes alone are fine', () => {
    const chart = gatewayApiChart();
    expect(() => new CanaryRelease(chart, 'a', { ...REVIEWS, retries: { attempts: 2, retryOn: [RetryOn.GATEWAY_ERROR] } }))
      .toThrow(/invalid retries.retryOn \["gateway-error"\]: retry conditions .* cannot be expressed in ApiMode.GATEWAY_API/);
    expect(() => new CanaryRelease(chart, 'b', { ...REVIEWS, retries: { attempts: 2, retryOnStatusCodes: [503] } })).not.toThrow();
    synthValid(chart);
  });

  test('throws when the per-try timeout exceeds the request timeout', () => {
    const chart = gatewayApiChart();
    expect(() => new CanaryRelease(chart, 'a', { ...REVIEWS, timeout: Duration.seconds(1), retries: { perTryTimeout: Duration.seconds(2) } }))
      .toThrow(/invalid retries.perTryTimeout .*timeouts.backendRequest must not exceed timeouts.request/);
  });

  test('throws when a gRPC service asks for a timeout (GRPCRoute has none)', () => {
    const chart = gatewayApiChart();
    expect(() => new CanaryRelease(chart, 'g', { host: 'ratings', canaryHost: 'ratings-v2', port: 9090, protocol: Protocol.GRPC, timeout: Duration.seconds(1) }))
      .toThrow(/invalid timeout "GRPC": timeout on a gRPC service cannot be expressed .*GRPCRoute \(Gateway API v1.5\) has no timeouts field/);
  });

  test('throws when a header match is a prefix; exact and regex are fine', () => {
    const chart = gatewayApiChart();
    expect(() => new CanaryRelease(chart, 'a', { ...REVIEWS, canaryMatches: [CanaryMatch.header('end-user', StringMatch.prefix('ja'))] }))
      .toThrow(/invalid canaryMatches\[0\].headers.end-user .*a header prefix match cannot be expressed .*StringMatch.regex\("\^ja.\*"\)/);
    expect(() => new CanaryRelease(chart, 'b', { ...REVIEWS, canaryMatches: [CanaryMatch.header('end-user', StringMatch.regex('^ja.*'))] })).not.toThrow();
  });

  test('throws when a canary match is more than headers', () => {
    const chart = gatewayApiChart();
    expect(() => new CanaryRelease(chart, 'a', { ...REVIEWS, canaryMatches: [CanaryMatch.request({ uri: StringMatch.prefix('/beta') })] }))
      .toThrow(/invalid canaryMatches\[0\] "request match": a canary match on uri cannot be expressed/);
  });

  test('throws when a header canary is asked of a TCP service (in either mode)', () => {
    const chart = gatewayApiChart();
    expect(() => new CanaryRelease(chart, 'db', {
      host: 'mysql', canaryHost: 'mysql-v2', port: 3306, protocol: Protocol.TCP, canaryMatches: [CanaryMatch.header('x', StringMatch.exact('y'))],
    })).toThrow(/invalid canaryMatches "TCP": canaryMatches applies to HTTP routes only/);
  });

  test('throws when the port is left out (Service backendRefs need one)', () => {
    const chart = gatewayApiChart();
    expect(() => new CanaryRelease(chart, 'a', { host: 'reviews', canaryHost: 'reviews-v2' }))
      .toThrow(/invalid port undefined: a backendRef to a Service without a port cannot be expressed .*give port/);
  });

  test('throws when a host is not a Kubernetes Service', () => {
    const chart = gatewayApiChart();
    expect(() => new CanaryRelease(chart, 'a', { host: 'api.example.com', canaryHost: 'api-v2.example.com', port: 443 }))
      .toThrow(/invalid host "api.example.com": a route to a host that is not a Kubernetes Service cannot be expressed/);
  });

  test('throws when bound to an Istio (networking.istio.io) Gateway', () => {
    const chart = gatewayApiChart();
    const gateway = Gateway.fromGatewayName(chart, 'gw', 'istio-system/public');
    expect(() => new CanaryRelease(chart, 'a', { ...REVIEWS, gateways: [gateway], gatewayHosts: ['reviews.example.com'] })).not.toThrow();
    const istioGateway = new Gateway(chart, 'istio-gw', { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: Protocol.HTTP }, hosts: ['reviews.example.com'] }] });
    expect(() => new CanaryRelease(chart, 'b', { ...REVIEWS, gateways: [istioGateway], gatewayHosts: ['reviews.example.com'] }))
      .toThrow(/invalid gateways "bookinfo\/bookinfo-istio-gw": a route bound to a networking.istio.io\/v1 Gateway cannot be expressed/);
  });
});
