import { Chart, Duration, Testing } from 'cdk8s';
import { findObject, objectsOf, synthValid } from './util';
import { ApiMode, OutputMode } from '../src/core/output-mode';
import { StringMatch } from '../src/core/string-match';
import { TlsProtocolVersion } from '../src/networking/gateway';
import { RouteDestination } from '../src/networking/vs-destination';
import { IngressGateway, IngressTls } from '../src/patterns/ingress-gateway';
import { JwtIssuer } from '../src/patterns/jwt-issuer';
import { JwtProtectedIngress } from '../src/patterns/jwt-protected-ingress';

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

describe('JwtProtectedIngress in gateway-api mode', () => {
  const ISSUER = JwtIssuer.custom({ issuer: 'https://idp.example.com', jwksUri: 'https://idp.example.com/.well-known/jwks.json' });

  function shop(): Chart {
    const app = Testing.app();
    OutputMode.set(app, ApiMode.GATEWAY_API);
    return new Chart(app, 'test', { namespace: 'shop' });
  }

  test('a Gateway of class istio in the gateway namespace, an HTTPRoute per host, policies that target the Gateway', () => {
    const chart = shop();
    const api = new JwtProtectedIngress(chart, 'api', {
      hosts: ['api.example.com'],
      credentialName: 'api-tls',
      gatewayNamespace: 'shop-gateway',
      issuers: [ISSUER],
      publicPaths: ['/healthz'],
      requireClaims: [{ claim: 'groups', values: ['admin'] }],
      routes: [{ pathPrefix: '/', destination: RouteDestination.to('api', { port: 8080 }) }],
    });
    const manifests = synthValid(chart);
    expect(api.virtualService).toBeUndefined();
    expect(objectsOf(manifests, 'VirtualService')).toEqual([]);
    const gateway = findObject(manifests, 'Gateway');
    expect(gateway.metadata).toEqual({ name: 'test-api', namespace: 'shop-gateway' });
    expect(gateway.spec.listeners[0]).toEqual({
      name: 'api-example-com',
      hostname: 'api.example.com',
      port: 443,
      protocol: 'HTTPS',
      tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: 'api-tls' }] },
      allowedRoutes: { namespaces: { from: 'Same' } },
    });
    // a short backend name is read in the chart's namespace, as the VirtualService would: a ReferenceGrant lets the route in
    expect(api.route('api.example.com').kind).toBe('HTTPRoute');
    expect(findObject(manifests, 'HTTPRoute', 'test-api-api-example-com').spec.rules).toEqual([
      { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'api', namespace: 'shop', port: 8080 }] },
    ]);
    expect(findObject(manifests, 'ReferenceGrant').metadata.namespace).toBe('shop');
    const targetRefs = [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'test-api' }];
    const ra = findObject(manifests, 'RequestAuthentication');
    expect(ra.metadata.namespace).toBe('shop-gateway');
    expect(ra.spec.targetRefs).toEqual(targetRefs);
    expect(ra.spec.selector).toBeUndefined();
    for (const policy of objectsOf(manifests, 'AuthorizationPolicy')) {
      expect(policy.spec.targetRefs).toEqual(targetRefs);
      expect(policy.spec.action).toBe('DENY');
    }
    expect(findObject(manifests, 'AuthorizationPolicy', 'test-api-requiretoken').spec.rules[0].from).toEqual([{ source: { notRequestPrincipals: ['https://idp.example.com/*'] } }]);
  });

  test('throws when given what only the istio mode has: an existing gateway, its selector or ports, an oauth2-proxy gate', () => {
    const chart = shop();
    const base = { hosts: ['api.example.com'], credentialName: 'api-tls', issuers: [ISSUER] };
    expect(() => new JwtProtectedIngress(chart, 'a', { ...base, gatewaySelector: { istio: 'ingressgateway' } }))
      .toThrow(/JwtProtectedIngress 'test\/a': invalid gatewaySelector .*gateway pods selected by labels cannot be expressed in ApiMode.GATEWAY_API/);
    expect(() => new JwtProtectedIngress(chart, 'b', { ...base, gatewayPorts: [8443] }))
      .toThrow(/invalid gatewayPorts \[8443\]: policies limited to pod ports .*cannot be expressed in ApiMode.GATEWAY_API/);
    expect(() => new JwtProtectedIngress(chart, 'c', { ...base, issuers: [JwtIssuer.oauth2Proxy({ provider: 'oauth2-proxy', issuer: 'https://accounts.google.com', jwksUri: 'https://www.googleapis.com/oauth2/v3/certs' })] }))
      .toThrow(/invalid issuers "JwtIssuer.oauth2Proxy": the oauth2-proxy login gate .*cannot be expressed in ApiMode.GATEWAY_API/);
    expect(() => new JwtProtectedIngress(chart, 'e', { ...base, hosts: ['*'], scopePoliciesToHosts: false }))
      .toThrow(/invalid hosts\[0\] "\*": a listener for every host cannot be expressed in ApiMode.GATEWAY_API/);
    expect(() => new JwtProtectedIngress(chart, 'd', { ...base, routes: [{ destination: RouteDestination.to('api', { port: 8080 }) }] })).not.toThrow();
  });
});

describe('Gateways that Istio deploys', () => {
  test('throws when the deployed Service name (<name>-istio) would pass 63 characters', () => {
    const chart = gatewayApiChart();
    const long = 'x'.repeat(55);
    expect(() => new IngressGateway(chart, long, { hosts: [HTTPBIN] }))
      .toThrow(new RegExp(`IngressGateway 'test/${long}': invalid id "test/${long}": Istio deploys the Gateway "test-${long}" as the Service "test-${long}-istio", longer than 63 characters`));
    expect(() => new IngressGateway(chart, 'x'.repeat(50), { hosts: [HTTPBIN], routes: [{ host: 'httpbin.example.com', destination: RouteDestination.to('httpbin', { port: 8000 }) }] })).not.toThrow();
  });
});
