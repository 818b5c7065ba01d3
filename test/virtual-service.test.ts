import { ApiObject, Chart, Duration, Testing } from 'cdk8s';
import { findObject, synthValid } from './util';
import { StringMatch } from '../src/core/string-match';
import { Gateway } from '../src/networking/gateway';
import {
  DirectResponseBody, FaultAbort, GrpcStatusCode, HttpMethod, RedirectPort, RetryOn, UnmatchedPreflights,
} from '../src/networking/http-policies';
import { VirtualService } from '../src/networking/virtual-service';
import { MirrorPolicy, RouteDestination } from '../src/networking/vs-destination';

function namespacedChart(namespace = 'bookinfo'): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

describe('VirtualService', () => {
  test('a weighted canary: hosts and destinations, mesh by default (no gateways written)', () => {
    const chart = namespacedChart();
    new VirtualService(chart, 'reviews', {
      hosts: ['reviews'],
      http: [{
        destinations: [
          RouteDestination.to('reviews', { subset: 'v1', weight: 90 }),
          RouteDestination.to('reviews', { subset: 'v2', weight: 10 }),
        ],
      }],
    });
    const vs = findObject(synthValid(chart), 'VirtualService', 'test-reviews');
    expect(vs.apiVersion).toBe('networking.istio.io/v1');
    expect(vs.metadata.namespace).toBe('bookinfo');
    expect(vs.spec).toEqual({
      hosts: ['reviews'],
      http: [{
        route: [
          { destination: { host: 'reviews', subset: 'v1' }, weight: 90 },
          { destination: { host: 'reviews', subset: 'v2' }, weight: 10 },
        ],
      }],
    });
  });

  test('every option at once passes CRD validation', () => {
    const chart = namespacedChart();
    const gateway = Gateway.fromGatewayName(chart, 'public', 'istio-system/public');
    const delegate = new VirtualService(chart, 'reviews-routes', {
      metadata: { name: 'reviews-routes' },
      http: [{ destinations: [RouteDestination.to('reviews')] }],
    });
    new VirtualService(chart, 'bookinfo', {
      metadata: { name: 'bookinfo' },
      gateways: [gateway],
      gatewayNames: ['bookinfo-gateway'],
      includeMesh: true,
      hosts: ['bookinfo.example.com', '*.bookinfo.example.com', 'reviews'],
      exportTo: ['.'],
      http: [
        {
          name: 'everything',
          match: [{
            name: 'api',
            uri: StringMatch.prefix('/api/'),
            scheme: StringMatch.exact('https'),
            method: StringMatch.regex('^(GET|HEAD)$'),
            authority: StringMatch.exact('bookinfo.example.com'),
            headers: { 'end-user': StringMatch.exact('jason') },
            withoutHeaders: { 'x-canary': StringMatch.prefix('no') },
            queryParams: { debug: StringMatch.exact('1') },
            ignoreUriCase: true,
            port: 80,
            sourceLabels: { app: 'productpage' },
            sourceNamespace: 'frontend',
            gateways: [gateway],
            gatewayNames: ['mesh'],
            statPrefix: 'api',
          }],
          destinations: [
            RouteDestination.to('reviews', {
              port: 9080,
              subset: 'v1',
              weight: 75,
              headers: { request: { set: { 'x-version': 'v1' } }, response: { remove: ['x-debug'] } },
            }),
            RouteDestination.to('reviews.bookinfo.svc.cluster.local', { subset: 'v2', weight: 25 }),
          ],
          rewrite: { uri: '/', authority: 'reviews' },
          timeout: Duration.seconds(10),
          retries: {
            attempts: 3,
            perTryTimeout: Duration.millis(500),
            retryOn: [RetryOn.GATEWAY_ERROR, RetryOn.CONNECT_FAILURE, RetryOn.REFUSED_STREAM],
            retryOnStatusCodes: [503],
            retryRemoteLocalities: true,
            retryIgnorePreviousHosts: false,
            backoff: Duration.millis(25),
          },
          fault: {
            delay: { fixedDelay: Duration.seconds(5), percentage: 10 },
            abort: FaultAbort.httpStatus(503, 0.5),
          },
          mirror: MirrorPolicy.to('reviews', { port: 9080, subset: 'v3', percentage: 20 }),
          corsPolicy: {
            allowOrigins: [StringMatch.exact('https://example.com'), StringMatch.regex('https://.*\\.example\\.com')],
            allowMethods: [HttpMethod.GET, HttpMethod.POST],
            allowHeaders: ['x-custom'],
            exposeHeaders: ['x-request-id'],
            maxAge: Duration.hours(24),
            allowCredentials: true,
            unmatchedPreflights: UnmatchedPreflights.IGNORE,
          },
          headers: {
            request: { set: { 'x-forwarded-by': 'istio' }, add: { 'x-trace': 'on' }, remove: ['cookie'] },
            response: { set: { 'cache-control': 'no-store' } },
          },
        },
        {
          name: 'mirrors',
          match: [{ uri: StringMatch.regex('^/v(?P<version>[0-9]+)/.*') }],
          destinations: [RouteDestination.to('details')],
          mirrors: [MirrorPolicy.to('details', { subset: 'shadow', percentage: 5 })],
          rewrite: { uriRegexRewrite: { match: '^/v[0-9]+/(.*)', rewrite: '/\\1' } },
          fault: { abort: FaultAbort.grpcStatus(GrpcStatusCode.UNAVAILABLE) },
        },
        {
          name: 'old',
          match: [{ uri: StringMatch.exact('/old') }],
          redirect: { uri: '/new', authority: 'new.example.com', scheme: 'https', port: RedirectPort.toPort(8443), redirectCode: 308 },
        },
        {
          name: 'health',
          match: [{ uri: StringMatch.exact('/healthz') }],
          directResponse: { status: 200, body: DirectResponseBody.fromString('ok') },
        },
        {
          name: 'reviews-delegate',
          match: [{ uri: StringMatch.prefix('/reviews') }],
          delegate,
        },
      ],
      tcp: [{
        match: [{
          port: 3306,
          destinationSubnets: ['10.0.0.0/8'],
          sourceSubnet: '10.1.0.0/16',
          sourceLabels: { app: 'ratings' },
          sourceNamespace: 'bookinfo',
          gatewayNames: ['mesh'],
        }],
        destinations: [RouteDestination.to('mysql', { port: 3306 })],
      }],
      tls: [{
        match: [{
          sniHosts: ['api.bookinfo.example.com'],
          port: 443,
          destinationSubnets: ['192.168.0.1'],
          sourceLabels: { app: 'web' },
          sourceNamespace: 'frontend',
          gateways: [gateway],
        }],
        destinations: [RouteDestination.to('api', { port: 443, weight: 100 })],
      }],
    });

    const manifests = synthValid(chart);
    const spec = findObject(manifests, 'VirtualService', 'bookinfo').spec;
    expect(spec.gateways).toEqual(['istio-system/public', 'bookinfo-gateway', 'mesh']);
    expect(spec.exportTo).toEqual(['.']);
    const [all, mirrors, redirect, direct, delegated] = spec.http;
    expect(all.match[0]).toEqual({
      name: 'api',
      uri: { prefix: '/api/' },
      scheme: { exact: 'https' },
      method: { regex: '^(GET|HEAD)$' },
      authority: { exact: 'bookinfo.example.com' },
      headers: { 'end-user': { exact: 'jason' } },
      withoutHeaders: { 'x-canary': { prefix: 'no' } },
      queryParams: { debug: { exact: '1' } },
      ignoreUriCase: true,
      port: 80,
      sourceLabels: { app: 'productpage' },
      sourceNamespace: 'frontend',
      gateways: ['istio-system/public', 'mesh'],
      statPrefix: 'api',
    });
    expect(all.route[0]).toEqual({
      destination: { host: 'reviews', port: { number: 9080 }, subset: 'v1' },
      weight: 75,
      headers: { request: { set: { 'x-version': 'v1' } }, response: { remove: ['x-debug'] } },
    });
    expect(all.timeout).toBe('10s');
    expect(all.retries).toEqual({
      attempts: 3,
      perTryTimeout: '500ms',
      retryOn: 'gateway-error,connect-failure,refused-stream,503',
      retryRemoteLocalities: true,
      retryIgnorePreviousHosts: false,
      backoff: '25ms',
    });
    expect(all.fault).toEqual({ delay: { fixedDelay: '5s', percentage: { value: 10 } }, abort: { httpStatus: 503, percentage: { value: 0.5 } } });
    expect(all.mirror).toEqual({ host: 'reviews', port: { number: 9080 }, subset: 'v3' });
    expect(all.mirrorPercentage).toEqual({ value: 20 });
    expect(all.corsPolicy).toEqual({
      allowOrigins: [{ exact: 'https://example.com' }, { regex: 'https://.*\\.example\\.com' }],
      allowMethods: ['GET', 'POST'],
      allowHeaders: ['x-custom'],
      exposeHeaders: ['x-request-id'],
      maxAge: '24h',
      allowCredentials: true,
      unmatchedPreflights: 'IGNORE',
    });
    expect(all.headers.request).toEqual({ set: { 'x-forwarded-by': 'istio' }, add: { 'x-trace': 'on' }, remove: ['cookie'] });
    expect(mirrors.mirrors).toEqual([{ destination: { host: 'details', subset: 'shadow' }, percentage: { value: 5 } }]);
    expect(mirrors.rewrite).toEqual({ uriRegexRewrite: { match: '^/v[0-9]+/(.*)', rewrite: '/\\1' } });
    expect(mirrors.fault).toEqual({ abort: { grpcStatus: 'UNAVAILABLE' } });
    expect(redirect.redirect).toEqual({ uri: '/new', authority: 'new.example.com', scheme: 'https', port: 8443, redirectCode: 308 });
    expect(direct.directResponse).toEqual({ status: 200, body: { string: 'ok' } });
    expect(delegated.delegate).toEqual({ name: 'reviews-routes', namespace: 'bookinfo' });
    expect(spec.tcp).toEqual([{
      match: [{ port: 3306, destinationSubnets: ['10.0.0.0/8'], sourceSubnet: '10.1.0.0/16', sourceLabels: { app: 'ratings' }, sourceNamespace: 'bookinfo', gateways: ['mesh'] }],
      route: [{ destination: { host: 'mysql', port: { number: 3306 } } }],
    }]);
    expect(spec.tls).toEqual([{
      match: [{
        sniHosts: ['api.bookinfo.example.com'],
        port: 443,
        destinationSubnets: ['192.168.0.1'],
        sourceLabels: { app: 'web' },
        sourceNamespace: 'frontend',
        gateways: ['istio-system/public'],
      }],
      route: [{ destination: { host: 'api', port: { number: 443 } }, weight: 100 }],
    }]);
    const delegateSpec = findObject(manifests, 'VirtualService', 'reviews-routes').spec;
    expect(delegateSpec).toEqual({ http: [{ route: [{ destination: { host: 'reviews' } }] }] });
  });

  test('JWT claim routing on a VirtualService bound to gateways alone', () => {
    const chart = namespacedChart();
    const gw = Gateway.fromGatewayName(chart, 'gw', 'istio-system/public');
    new VirtualService(chart, 'admin', {
      hosts: ['admin.example.com'],
      gateways: [gw],
      http: [{ match: [{ headers: { '@request.auth.claims.group': StringMatch.exact('admin') } }], destinations: [RouteDestination.to('admin')] }],
    });
    const spec = findObject(synthValid(chart), 'VirtualService', 'test-admin').spec;
    expect(spec.http[0].match).toEqual([{ headers: { '@request.auth.claims.group': { exact: 'admin' } } }]);
  });

  test('fails validation when JWT claim routing is bound to the mesh', () => {
    const chart = namespacedChart();
    new VirtualService(chart, 'admin', {
      hosts: ['admin'],
      http: [{ match: [{ withoutHeaders: { '@request.auth.claims.group': StringMatch.exact('guest') } }], destinations: [RouteDestination.to('admin')] }],
    });
    expect(() => Testing.synth(chart)).toThrow(
      'VirtualService \'test/admin\': invalid http[0].match[0].withoutHeaders "@request.auth.claims.group": JWT claim routing ("@request.auth.claims.*") is only supported on VirtualServices bound to gateways alone');
  });

  test('throws when hosts overlap, as Istio\'s webhook counts wildcard duplicates', () => {
    const chart = namespacedChart();
    const vs = new VirtualService(chart, 'web', { hosts: ['*.example.com'], includeMesh: true });
    expect(() => vs.addHost('shop.example.com')).toThrow(
      'VirtualService \'test/web\': invalid hosts[1] "shop.example.com": each host is listed once, and hosts may not overlap: it overlaps "*.example.com"');
  });

  test('gateways: mesh is written explicitly only when gateways are listed and the mesh is wanted', () => {
    const chart = namespacedChart();
    const gw = Gateway.fromGatewayName(chart, 'gw', 'istio-system/public');
    const gatewayOnly = new VirtualService(chart, 'gateway-only', { hosts: ['*'], gateways: [gw], http: [{ destinations: [RouteDestination.to('web')] }] });
    // distinct hosts: mesh-bound VirtualServices for one host conflict (IST0109)
    const both = new VirtualService(chart, 'both', { hosts: ['web'], gateways: [gw], includeMesh: true, http: [{ destinations: [RouteDestination.to('web')] }] });
    const meshByName = new VirtualService(chart, 'mesh-by-name', { hosts: ['api'], gatewayNames: ['istio-system/public', 'mesh'], http: [{ destinations: [RouteDestination.to('api')] }] });
    const meshOnly = new VirtualService(chart, 'mesh-only', { hosts: ['ratings'], includeMesh: true, http: [{ destinations: [RouteDestination.to('ratings')] }] });
    const manifests = synthValid(chart);
    expect(findObject(manifests, 'VirtualService', 'test-gateway-only').spec.gateways).toEqual(['istio-system/public']);
    expect(findObject(manifests, 'VirtualService', 'test-both').spec.gateways).toEqual(['istio-system/public', 'mesh']);
    expect(findObject(manifests, 'VirtualService', 'test-mesh-by-name').spec.gateways).toEqual(['istio-system/public', 'mesh']);
    expect(findObject(manifests, 'VirtualService', 'test-mesh-only').spec.gateways).toBeUndefined();
    expect([gatewayOnly.bindsToMesh, both.bindsToMesh, meshByName.bindsToMesh, meshOnly.bindsToMesh]).toEqual([false, true, true, true]);
  });

  test('add* calls after construction appear in the output', () => {
    const chart = namespacedChart();
    const vs = new VirtualService(chart, 'ratings');
    vs.addGatewayName('istio-system/public');
    vs.addHost('ratings.example.com');
    vs.addHost('*.example.org');
    const rule = vs.addHttpRoute({ timeout: Duration.seconds(2) });
    rule.addMatch({ uri: StringMatch.prefix('/ratings') });
    rule.addDestination(RouteDestination.to('ratings', { subset: 'v1', weight: 50 }));
    rule.addDestination(RouteDestination.to('ratings', { subset: 'v2', weight: 50 }));
    rule.addMirror(MirrorPolicy.to('ratings', { subset: 'v3' }));
    const tcp = vs.addTcpRoute();
    tcp.addMatch({ port: 27017 });
    tcp.addDestination(RouteDestination.to('mongodb', { port: 27017 }));
    const tls = vs.addTlsRoute({ match: [{ sniHosts: ['ratings.example.com'] }] });
    tls.addMatch({ sniHosts: ['anything.example.org'] });
    tls.addDestination(RouteDestination.to('ratings', { port: 443 }));
    const spec = findObject(synthValid(chart), 'VirtualService', 'test-ratings').spec;
    expect(spec.hosts).toEqual(['ratings.example.com', '*.example.org']);
    expect(spec.gateways).toEqual(['istio-system/public']);
    expect(spec.http).toEqual([{
      match: [{ uri: { prefix: '/ratings' } }],
      route: [
        { destination: { host: 'ratings', subset: 'v1' }, weight: 50 },
        { destination: { host: 'ratings', subset: 'v2' }, weight: 50 },
      ],
      mirrors: [{ destination: { host: 'ratings', subset: 'v3' } }],
      timeout: '2s',
    }]);
    expect(spec.tcp).toEqual([{ match: [{ port: 27017 }], route: [{ destination: { host: 'mongodb', port: { number: 27017 } } }] }]);
    expect(spec.tls[0].match).toEqual([{ sniHosts: ['ratings.example.com'] }, { sniHosts: ['anything.example.org'] }]);
    expect(vs.hosts).toEqual(['ratings.example.com', '*.example.org']);
    expect(vs.httpRoutes[0].destinations.map(d => d.toString())).toEqual(['ratings/v1', 'ratings/v2']);
    expect(vs.tcpRoutes).toHaveLength(1);
    expect(vs.tlsRoutes[0].destinations.map(d => d.host)).toEqual(['ratings']);
  });

  test('redirect ports derived from the protocol or the request, and a binary direct response', () => {
    const chart = namespacedChart();
    new VirtualService(chart, 'web', {
      hosts: ['web.example.com'],
      gatewayNames: ['istio-system/public'],
      http: [
        { match: [{ scheme: StringMatch.exact('http') }], redirect: { scheme: 'https', port: RedirectPort.fromProtocolDefault() } },
        { match: [{ uri: StringMatch.prefix('/same-port') }], redirect: { authority: 'www.example.com', port: RedirectPort.fromRequestPort() } },
        { directResponse: { status: 503, body: DirectResponseBody.fromBase64('aGVsbG8=') } },
      ],
    });
    const http = findObject(synthValid(chart), 'VirtualService', 'test-web').spec.http;
    expect(http[0].redirect).toEqual({ scheme: 'https', derivePort: 'FROM_PROTOCOL_DEFAULT' });
    expect(http[1].redirect).toEqual({ authority: 'www.example.com', derivePort: 'FROM_REQUEST_PORT' });
    expect(http[2].directResponse).toEqual({ status: 503, body: { bytes: 'aGVsbG8=' } });
  });

  test('fromVirtualServiceName refers to a delegate by namespace/name or by name', () => {
    const chart = namespacedChart();
    const inOther = VirtualService.fromVirtualServiceName(chart, 'other', 'reviews-team/reviews');
    const byOption = VirtualService.fromVirtualServiceName(chart, 'opt', 'ratings', { namespace: 'ratings-team' });
    const sameNs = VirtualService.fromVirtualServiceName(chart, 'same', 'details');
    new VirtualService(chart, 'root', {
      hosts: ['bookinfo.example.com'],
      gatewayNames: ['istio-system/public'],
      http: [
        { match: [{ uri: StringMatch.prefix('/reviews') }], delegate: inOther },
        { match: [{ uri: StringMatch.prefix('/ratings') }], delegate: byOption },
        { delegate: sameNs },
      ],
    });
    const http = findObject(synthValid(chart), 'VirtualService', 'test-root').spec.http;
    expect(http.map((r: any) => r.delegate)).toEqual([
      { name: 'reviews', namespace: 'reviews-team' },
      { name: 'ratings', namespace: 'ratings-team' },
      { name: 'details' },
    ]);
  });

  test('RouteDestination.toService reads the host of a Service object', () => {
    const chart = namespacedChart();
    const svc = new ApiObject(chart, 'svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews' } });
    new VirtualService(chart, 'reviews', {
      hosts: ['reviews'],
      http: [{ destinations: [RouteDestination.toService(svc, { port: 9080 })] }],
    });
    const route = findObject(synthValid(chart), 'VirtualService', 'test-reviews').spec.http[0].route;
    expect(route).toEqual([{ destination: { host: 'reviews.bookinfo.svc.cluster.local', port: { number: 9080 } } }]);
  });

  test('RE2-only regex syntax is accepted: named groups, inline flags, \\A and \\z', () => {
    const chart = namespacedChart();
    new VirtualService(chart, 'api', {
      hosts: ['api'],
      http: [{
        match: [
          { uri: StringMatch.regex('(?i)^/API/(?P<id>[0-9]+)$') },
          { uri: StringMatch.regex('\\A/(?i:items)/\\Q.json\\E\\z') },
          { headers: { 'x-id': StringMatch.regex('[]a-z]+') } },
        ],
        destinations: [RouteDestination.to('api')],
      }],
    });
    const match = findObject(synthValid(chart), 'VirtualService', 'test-api').spec.http[0].match;
    expect(match[0].uri).toEqual({ regex: '(?i)^/API/(?P<id>[0-9]+)$' });
  });

  test('StringMatch exposes its type and value', () => {
    const m = StringMatch.prefix('/api');
    expect([m.matchType, m.value, m.toString()]).toEqual(['prefix', '/api', 'prefix:"/api"']);
  });
});
