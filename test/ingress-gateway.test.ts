import { ApiObject, App, Chart, Duration, Testing } from 'cdk8s';
import { findObject, objectsOf, synthValid } from './util';
import { Protocol } from '../src/core/protocol';
import { StringMatch } from '../src/core/string-match';
import { Gateway, TlsProtocolVersion } from '../src/networking/gateway';
import { HttpMethod } from '../src/networking/http-policies';
import { VirtualService } from '../src/networking/virtual-service';
import { RouteDestination } from '../src/networking/vs-destination';
import { IngressGateway, IngressGatewayProps, IngressTls } from '../src/patterns/ingress-gateway';
import { IstioValidation } from '../src/validation/app';
import { FindingLevel } from '../src/validation/findings';

const AT = "IngressGateway 'test/ingress'";
const HTTPBIN = RouteDestination.to('httpbin', { port: 8000 });

function chart(): Chart {
  const c = new Chart(Testing.app(), 'test', { namespace: 'shop' });
  for (const [name, port] of [['httpbin', 8000], ['my-nginx', 443]] as const) {
    new ApiObject(c, `${name}-svc`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name },
      spec: { selector: { app: name }, ports: [{ name: port === 443 ? 'https' : 'http', port }] },
    });
  }
  return c;
}

function make(props: Partial<IngressGatewayProps> = {}, c: Chart = chart()): IngressGateway {
  return new IngressGateway(c, 'ingress', {
    hosts: [{ host: 'httpbin.example.com', tls: IngressTls.simple('httpbin-credential') }],
    routes: [{ host: 'httpbin.example.com', destination: HTTPBIN }],
    ...props,
  });
}

describe('IngressGateway', () => {
  test('defaults: HTTPS SIMPLE with the credential, a redirect from HTTP, one VirtualService per host', () => {
    const c = chart();
    make({}, c);
    const manifests = synthValid(c);
    expect(findObject(manifests, 'Gateway')).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'test-ingress-gateway', namespace: 'shop' },
      spec: {
        selector: { istio: 'ingressgateway' },
        servers: [
          { port: { number: 443, protocol: 'HTTPS', name: 'https-443' }, hosts: ['httpbin.example.com'], tls: { mode: 'SIMPLE', credentialName: 'httpbin-credential' } },
          { port: { number: 80, protocol: 'HTTP', name: 'http-80' }, hosts: ['httpbin.example.com'], tls: { httpsRedirect: true } },
        ],
      },
    });
    expect(findObject(manifests, 'VirtualService')).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'test-ingress-httpbin-example-com', namespace: 'shop' },
      spec: {
        hosts: ['httpbin.example.com'],
        gateways: ['shop/test-ingress-gateway'],
        http: [{ route: [{ destination: { host: 'httpbin', port: { number: 8000 } } }] }],
      },
    });
  });

  test('several hosts: one server per certificate, MUTUAL, passthrough by SNI, CORS and headers', () => {
    const c = chart();
    const ingress = make({
      hosts: [
        { host: 'httpbin.example.com', tls: IngressTls.simple('example-credential') },
        { host: 'www.example.com', tls: IngressTls.simple('example-credential') },
        { host: 'partner.example.com', tls: IngressTls.mutual('partner-credential') },
        { host: 'nginx.example.com', tls: IngressTls.passthrough() },
      ],
      routes: [],
      minProtocolVersion: TlsProtocolVersion.TLSV1_3,
      selector: { istio: 'public-gateway' },
    }, c);
    ingress.addRoute({
      host: 'httpbin.example.com',
      pathPrefix: '/status',
      destination: HTTPBIN,
      timeout: Duration.seconds(5),
      corsPolicy: { allowOrigins: [StringMatch.exact('https://www.example.com')], allowMethods: [HttpMethod.GET], maxAge: Duration.hours(1) },
      headers: { request: { set: { 'x-forwarded-host': 'httpbin.example.com' } }, response: { remove: ['server'] } },
    });
    ingress.addRoute({ host: 'www.example.com', path: StringMatch.exact('/'), destination: HTTPBIN });
    ingress.addRoute({ host: 'partner.example.com', destination: HTTPBIN });
    expect(ingress.addRoute({ host: 'nginx.example.com', destination: RouteDestination.to('my-nginx', { port: 443 }) })).toBeUndefined();
    const manifests = synthValid(c);

    const gw = findObject(manifests, 'Gateway');
    expect(gw.spec.selector).toEqual({ istio: 'public-gateway' });
    expect(gw.spec.servers).toEqual([
      { port: { number: 443, protocol: 'HTTPS', name: 'https-443' }, hosts: ['httpbin.example.com', 'www.example.com'], tls: { mode: 'SIMPLE', credentialName: 'example-credential', minProtocolVersion: 'TLSV1_3' } },
      { port: { number: 443, protocol: 'HTTPS', name: 'https-443-2' }, hosts: ['partner.example.com'], tls: { mode: 'MUTUAL', credentialName: 'partner-credential', minProtocolVersion: 'TLSV1_3' } },
      { port: { number: 443, protocol: 'HTTPS', name: 'https-443-3' }, hosts: ['nginx.example.com'], tls: { mode: 'PASSTHROUGH' } },
      { port: { number: 80, protocol: 'HTTP', name: 'http-80' }, hosts: ['httpbin.example.com', 'www.example.com', 'partner.example.com', 'nginx.example.com'], tls: { httpsRedirect: true } },
    ]);
    expect(objectsOf(manifests, 'VirtualService').map(v => v.metadata.name)).toEqual([
      'test-ingress-httpbin-example-com', 'test-ingress-www-example-com', 'test-ingress-partner-example-com', 'test-ingress-nginx-example-com',
    ]);
    const httpbin = findObject(manifests, 'VirtualService', 'test-ingress-httpbin-example-com');
    expect(httpbin.spec.http[0]).toEqual({
      match: [{ uri: { prefix: '/status' } }],
      route: [{ destination: { host: 'httpbin', port: { number: 8000 } } }],
      timeout: '5s',
      corsPolicy: { allowOrigins: [{ exact: 'https://www.example.com' }], allowMethods: ['GET'], maxAge: '1h' },
      headers: { request: { set: { 'x-forwarded-host': 'httpbin.example.com' } }, response: { remove: ['server'] } },
    });
    expect(findObject(manifests, 'VirtualService', 'test-ingress-nginx-example-com').spec.tls).toEqual([
      { match: [{ port: 443, sniHosts: ['nginx.example.com'] }], route: [{ destination: { host: 'my-nginx', port: { number: 443 } } }] },
    ]);
  });

  test('hosts whose ids would collide get distinct VirtualServices', () => {
    const c = chart();
    make({
      hosts: [{ host: 'a-b.example.com', tls: IngressTls.simple('c') }, { host: 'a.b-example.com', tls: IngressTls.simple('c') }],
      routes: [{ host: 'a-b.example.com', destination: HTTPBIN }, { host: 'a.b-example.com', destination: HTTPBIN }],
    }, c);
    expect(objectsOf(synthValid(c), 'VirtualService').map(v => v.metadata.name)).toEqual(['test-ingress-a-b-example-com', 'test-ingress-a-b-example-com-2']);
  });

  test('without the redirect there is no HTTP server', () => {
    const c = chart();
    make({ httpsRedirect: false }, c);
    expect(findObject(synthValid(c), 'Gateway').spec.servers.map((s: any) => s.port.number)).toEqual([443]);
  });

  test('synthesizes under strict validation with its defaults', () => {
    const app = new App({ outdir: '/tmp/cdk8s-istio-ingress-strict' });
    IstioValidation.enable(app, { strict: true, printWarnings: false });
    const c = new Chart(app, 'test', { namespace: 'shop' });
    new IngressGateway(c, 'ingress', {
      hosts: [{ host: 'httpbin.example.com', tls: IngressTls.simple('httpbin-credential') }],
      routes: [{ host: 'httpbin.example.com', destination: HTTPBIN }],
    });
    expect(() => app.synth()).not.toThrow();
    expect(IstioValidation.findings(app).filter(f => f.level !== FindingLevel.INFO)).toEqual([]);
  });

  describe('checks', () => {
    test('throws when there is no host, or a host is "*", short or upper case', () => {
      expect(() => make({ hosts: [] })).toThrow(`${AT}: invalid hosts []: at least one host`);
      for (const host of ['*', 'httpbin', 'HTTPBIN.example.com', '*example.com']) {
        expect(() => make({ hosts: [{ host, tls: IngressTls.simple('c') }], routes: [] })).toThrow(
          `${AT}: invalid hosts[0].host ${JSON.stringify(host)}: a fully qualified lower-case host such as "httpbin.example.com", or "*.example.com" (not "*": list the hosts)`);
      }
    });

    test('throws when two hosts overlap', () => {
      expect(() => make({ hosts: [{ host: '*.example.com', tls: IngressTls.simple('a') }, { host: 'api.example.com', tls: IngressTls.simple('b') }], routes: [] }))
        .toThrow(`${AT}: invalid hosts[1].host "api.example.com": hosts[0] "*.example.com" overlaps it: list each host once`);
    });

    test('throws when a credential is not a Secret name', () => {
      expect(() => make({ hosts: [{ host: 'a.example.com', tls: IngressTls.simple('Bad_Name') }], routes: [] }))
        .toThrow(`${AT}: invalid hosts[0].tls.credentialName "Bad_Name": a Secret name`);
    });

    test('throws when one certificate would be served by two servers (IST0138)', () => {
      expect(() => make({
        hosts: [{ host: 'a.example.com', tls: IngressTls.simple('shared') }, { host: 'b.example.com', tls: IngressTls.mutual('shared') }],
        routes: [],
      })).toThrow(
        `${AT}: invalid hosts[1].tls "MUTUAL shared": hosts[0] "a.example.com" uses certificate "shared" with SIMPLE: one certificate in two servers makes clients that reuse `
        + 'an HTTP/2 connection get 404s (IST0138); give both hosts the same TLS settings, or each its own certificate');
    });

    test('throws when a route names a host that is not listed', () => {
      expect(() => make({ routes: [{ host: 'other.example.com', destination: HTTPBIN }] })).toThrow(
        `${AT}: invalid route.host "other.example.com": not a host of this IngressGateway (hosts: httpbin.example.com): list it in hosts`);
    });

    test('throws when a passthrough route has HTTP options, or a second route', () => {
      const nginx = RouteDestination.to('my-nginx', { port: 443 });
      const props = { hosts: [{ host: 'nginx.example.com', tls: IngressTls.passthrough() }] };
      expect(() => make({ ...props, routes: [{ host: 'nginx.example.com', destination: nginx, pathPrefix: '/' }] })).toThrow(
        `${AT}: invalid routes["nginx.example.com"][0].pathPrefix "/": the host is passed through (IngressTls.passthrough()): the gateway sees TLS, not HTTP`);
      expect(() => make({ ...props, routes: [{ host: 'nginx.example.com', destination: nginx }, { host: 'nginx.example.com', destination: nginx }] })).toThrow(
        `${AT}: invalid routes["nginx.example.com"][1] "my-nginx": a passthrough host has one route`);
    });

    test('throws when pathPrefix and path are both given, or the prefix is relative', () => {
      expect(() => make({ routes: [{ host: 'httpbin.example.com', destination: HTTPBIN, pathPrefix: '/a', path: StringMatch.exact('/b') }] }))
        .toThrow(`${AT}: invalid routes["httpbin.example.com"][0].pathPrefix "/a": give pathPrefix or path, not both`);
      expect(() => make({ routes: [{ host: 'httpbin.example.com', destination: HTTPBIN, pathPrefix: 'a' }] }))
        .toThrow(`${AT}: invalid routes["httpbin.example.com"][0].pathPrefix "a": a path prefix starts with "/"`);
    });

    test('throws when the redirect and HTTPS share a port', () => {
      expect(() => make({ httpPort: 443 })).toThrow(`${AT}: invalid httpPort 443: the redirect server needs a port of its own: httpsPort is 443 too`);
    });

    test('fails validation when a host has no route', () => {
      const c = chart();
      make({ hosts: [{ host: 'httpbin.example.com', tls: IngressTls.simple('c') }, { host: 'www.example.com', tls: IngressTls.simple('c') }] }, c);
      expect(() => Testing.synth(c)).toThrow(`${AT}: host "www.example.com" has no route: the gateway would answer 404`);
    });

    describe('across the app', () => {
      test('fails validation when another Gateway on the same pods claims a host on the same port (IST0145)', () => {
        const c = chart();
        make({}, c);
        new Gateway(c, 'legacy', { servers: [{ port: { number: 443, protocol: Protocol.HTTPS }, hosts: ['*.example.com'], tls: { credentialName: 'legacy-credential' } }] });
        expect(() => Testing.synth(c)).toThrow(
          `${AT}: host "httpbin.example.com" on port 443 is also claimed by Gateway 'test/legacy' (servers[0], hosts ["*.example.com"]) `
          + 'on the same gateway pods {"istio":"ingressgateway"}: Istio picks one of them (IST0145); serve the host from one Gateway only');
      });

      test('another Gateway on other pods, or with other hosts, is quiet', () => {
        const c = chart();
        make({}, c);
        new Gateway(c, 'internal', { selector: { istio: 'internal-gateway' }, servers: [{ port: { number: 443, protocol: Protocol.HTTPS }, hosts: ['httpbin.example.com'], tls: { credentialName: 'httpbin-credential' } }] });
        new Gateway(c, 'other', { servers: [{ port: { number: 443, protocol: Protocol.HTTPS }, hosts: ['other.example.org'], tls: { credentialName: 'other-credential' } }] });
        const vs = new VirtualService(c, 'other-routes', { hosts: ['other.example.org'], gateways: [Gateway.fromGatewayName(c, 'other-ref', 'shop/test-other')] });
        vs.addHttpRoute({ destinations: [HTTPBIN] });
        const internal = new VirtualService(c, 'internal-routes', { hosts: ['httpbin.example.com'], gateways: [Gateway.fromGatewayName(c, 'internal-ref', 'shop/test-internal')] });
        internal.addHttpRoute({ destinations: [HTTPBIN] });
        expect(() => synthValid(c)).not.toThrow();
      });

      test('fails validation when another Gateway on the same pods serves the same certificate (IST0138)', () => {
        const c = chart();
        make({}, c);
        new Gateway(c, 'other', { servers: [{ port: { number: 443, protocol: Protocol.HTTPS }, hosts: ['other.example.org'], tls: { credentialName: 'httpbin-credential' } }] });
        expect(() => Testing.synth(c)).toThrow(
          `${AT}: servers[0] uses certificate "httpbin-credential", which Gateway 'test/other' (servers[0]) also serves on the same gateway pods: `
          + 'clients that reuse an HTTP/2 connection get 404s (IST0138)');
      });

      test('fails validation when a VirtualService bound to the gateway has a host it does not serve (IST0132)', () => {
        const c = chart();
        const ingress = make({}, c);
        const vs = new VirtualService(c, 'stray', { hosts: ['shop.example.com'], gateways: [ingress.gateway!] });
        vs.addHttpRoute({ destinations: [HTTPBIN] });
        expect(() => Testing.synth(c)).toThrow(
          `${AT}: VirtualService 'test/stray' is bound to gateway "shop/test-ingress-gateway" with host "shop.example.com", which the gateway does not serve `
          + '(hosts: httpbin.example.com): its routes never apply (IST0132); add the host to this IngressGateway, or bind the VirtualService elsewhere');
      });

      test('a VirtualService bound to the gateway and the mesh may have mesh hosts: quiet (the analyzer still reports IST0132)', () => {
        const c = chart();
        const ingress = make({}, c);
        const vs = new VirtualService(c, 'both', { hosts: ['httpbin'], gateways: [ingress.gateway!], includeMesh: true });
        vs.addHttpRoute({ destinations: [HTTPBIN] });
        expect(() => synthValid(c)).not.toThrow();
      });

      test('a VirtualService of its own bound to the gateway for a served host is quiet', () => {
        const c = chart();
        const ingress = make({}, c);
        const vs = new VirtualService(c, 'extra', { hosts: ['httpbin.example.com'], gateways: [ingress.gateway!] });
        vs.addHttpRoute({ match: [{ uri: StringMatch.prefix('/extra') }], destinations: [HTTPBIN] });
        expect(() => synthValid(c)).not.toThrow();
      });
    });
  });
});
