import { Chart, Duration, Testing } from 'cdk8s';
import { findObject, objectsOf, synthValid } from './util';
import { ApiMode, OutputMode } from '../src/core/output-mode';
import { StringMatch } from '../src/core/string-match';
import { TlsProtocolVersion } from '../src/networking/gateway';
import { RouteDestination } from '../src/networking/vs-destination';
import { IngressGateway, IngressTls } from '../src/patterns/ingress-gateway';

function gatewayApiChart(): Chart {
  const app = Testing.app();
  OutputMode.set(app, ApiMode.GATEWAY_API);
  return new Chart(app, 'test', { namespace: 'ingress' });
}

const HTTPBIN = { host: 'httpbin.example.com', tls: IngressTls.simple('httpbin-credential') };

describe('IngressGateway in gateway-api mode', () => {
  test('a Gateway of class istio with an HTTPS listener per host (certificateRefs), an HTTP redirect, an HTTPRoute per host', () => {
    const chart = gatewayApiChart();
    const ingress = new IngressGateway(chart, 'ingress', {
      hosts: [HTTPBIN, { host: 'bookinfo.example.com', tls: IngressTls.passthrough() }],
      routes: [
        { host: 'httpbin.example.com', pathPrefix: '/status', destination: RouteDestination.to('httpbin', { port: 8000 }), timeout: Duration.seconds(3) },
        { host: 'httpbin.example.com', path: StringMatch.exact('/headers'), destination: RouteDestination.to('httpbin', { port: 8000 }), headers: { response: { remove: ['server'] } } },
        { host: 'bookinfo.example.com', destination: RouteDestination.to('productpage', { port: 9443 }) },
      ],
    });
    const manifests = synthValid(chart);
    expect(ingress.gateway).toBeUndefined();
    expect(objectsOf(manifests, 'VirtualService')).toEqual([]);
    const gateway = findObject(manifests, 'Gateway');
    expect(gateway.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(gateway.metadata).toEqual({ name: 'test-ingress', namespace: 'ingress' });
    expect(gateway.spec).toEqual({
      gatewayClassName: 'istio',
      listeners: [
        {
          name: 'httpbin-example-com',
          hostname: 'httpbin.example.com',
          port: 443,
          protocol: 'HTTPS',
          tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: 'httpbin-credential' }] },
          allowedRoutes: { namespaces: { from: 'Same' } },
        },
        { name: 'bookinfo-example-com', hostname: 'bookinfo.example.com', port: 443, protocol: 'TLS', tls: { mode: 'Passthrough' }, allowedRoutes: { namespaces: { from: 'Same' } } },
        { name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Same' } } },
      ],
    });
    expect(ingress.route('httpbin.example.com').kind).toBe('HTTPRoute');
    expect(findObject(manifests, 'HTTPRoute', 'test-ingress-httpbin-example-com').spec).toEqual({
      parentRefs: [{ name: 'test-ingress', sectionName: 'httpbin-example-com' }],
      hostnames: ['httpbin.example.com'],
      rules: [
        { matches: [{ path: { type: 'PathPrefix', value: '/status' } }], backendRefs: [{ name: 'httpbin', port: 8000 }], timeouts: { request: '3s' } },
        {
          matches: [{ path: { type: 'Exact', value: '/headers' } }],
          filters: [{ type: 'ResponseHeaderModifier', responseHeaderModifier: { remove: ['server'] } }],
          backendRefs: [{ name: 'httpbin', port: 8000 }],
        },
      ],
    });
    expect(findObject(manifests, 'TLSRoute').spec).toEqual({
      parentRefs: [{ name: 'test-ingress', sectionName: 'bookinfo-example-com' }],
      hostnames: ['bookinfo.example.com'],
      rules: [{ backendRefs: [{ name: 'productpage', port: 9443 }] }],
    });
    expect(findObject(manifests, 'HTTPRoute', 'test-ingress-https-redirect').spec).toEqual({
      parentRefs: [{ name: 'test-ingress', sectionName: 'http' }],
      hostnames: ['httpbin.example.com', 'bookinfo.example.com'],
      rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }],
    });
  });

  test('a rewrite after a prefix replaces the prefix; a backend in another namespace gets a ReferenceGrant', () => {
    const chart = gatewayApiChart();
    const ingress = new IngressGateway(chart, 'ingress', { hosts: [HTTPBIN], httpsRedirect: false });
    ingress.addRoute({
      host: 'httpbin.example.com',
      pathPrefix: '/api/',
      rewrite: { uri: '/' },
      destination: RouteDestination.to('httpbin.apps.svc.cluster.local', { port: 8000 }),
    });
    const manifests = synthValid(chart);
    expect(findObject(manifests, 'HTTPRoute').spec.rules[0]).toEqual({
      matches: [{ path: { type: 'PathPrefix', value: '/api/' } }],
      filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } }],
      backendRefs: [{ name: 'httpbin', namespace: 'apps', port: 8000 }],
    });
    expect(findObject(manifests, 'Gateway').spec.listeners.map((l: any) => l.name)).toEqual(['httpbin-example-com']);
    expect(findObject(manifests, 'ReferenceGrant')).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'ReferenceGrant',
      metadata: { name: 'test-ingress-from-ingress', namespace: 'apps' },
      spec: {
        from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'ingress' }],
        to: [{ group: '', kind: 'Service', name: 'httpbin' }],
      },
    });
  });

  test('throws when a host has no route', () => {
    const chart = gatewayApiChart();
    new IngressGateway(chart, 'ingress', { hosts: [HTTPBIN] });
    expect(() => synthValid(chart)).toThrow(/IngressGateway 'test\/ingress': host "httpbin.example.com" has no route/);
  });

  test('throws when asked for what the Gateway API rendering cannot express', () => {
    const chart = gatewayApiChart();
    const MODE = 'cannot be expressed in ApiMode.GATEWAY_API';
    expect(() => new IngressGateway(chart, 'a', { hosts: [HTTPBIN], selector: { istio: 'ingressgateway' } }))
      .toThrow(new RegExp(`invalid selector .*existing gateway pods selected by labels ${MODE}`));
    expect(() => new IngressGateway(chart, 'b', { hosts: [HTTPBIN], minProtocolVersion: TlsProtocolVersion.TLSV1_3 }))
      .toThrow(new RegExp(`invalid minProtocolVersion .*a minimum TLS version ${MODE}`));
    expect(() => new IngressGateway(chart, 'c', { hosts: [{ host: 'a.example.com', tls: IngressTls.mutual('a-credential') }] }))
      .toThrow(new RegExp(`invalid hosts\\[0\\].tls "MUTUAL": client certificate validation .*${MODE}`));
    const ingress = new IngressGateway(chart, 'd', { hosts: [HTTPBIN] });
    const dest = RouteDestination.to('httpbin', { port: 8000 });
    expect(() => ingress.addRoute({ host: 'httpbin.example.com', destination: dest, corsPolicy: { allowOrigins: [StringMatch.exact('https://a.example.com')] } }))
      .toThrow(new RegExp(`invalid routes\\["httpbin.example.com"\\]\\[0\\].corsPolicy "CorsPolicy": a CORS policy ${MODE}`));
    expect(() => ingress.addRoute({ host: 'httpbin.example.com', destination: RouteDestination.to('httpbin', { port: 8000, subset: 'v1' }) }))
      .toThrow(new RegExp(`destination.subset "v1": a DestinationRule subset as a backend ${MODE}`));
    expect(() => ingress.addRoute({ host: 'httpbin.example.com', destination: RouteDestination.to('httpbin') }))
      .toThrow(new RegExp(`destination.port undefined: a backendRef to a Service without a port ${MODE}`));
    expect(() => ingress.addRoute({ host: 'httpbin.example.com', destination: dest, rewrite: { uri: '/v2' } }))
      .toThrow(new RegExp(`rewrite.uri "/v2": a path rewrite without a path match ${MODE}`));
    expect(() => ingress.addRoute({ host: 'httpbin.example.com', destination: dest })).not.toThrow();
  });
});
