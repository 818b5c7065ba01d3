import { ApiObject, Chart, Duration, Testing } from 'cdk8s';
import { synthValid } from './util';
import { StringMatch } from '../src/core/string-match';
import { Gateway } from '../src/networking/gateway';
import {
  DirectResponseBody, FaultAbort, GrpcStatusCode, HttpMethod, RedirectPort, RetryOn,
} from '../src/networking/http-policies';
import { HttpRouteRuleProps } from '../src/networking/http-route';
import { VirtualService, VirtualServiceProps } from '../src/networking/virtual-service';
import { MirrorPolicy, RouteDestination } from '../src/networking/vs-destination';

const web = () => RouteDestination.to('web');

function chart(): Chart {
  return new Chart(Testing.app(), 'test', { namespace: 'web' });
}

/** Makes a VirtualService with hosts [web] and one HTTP rule with these props. */
function withRule(rule: HttpRouteRuleProps, props: VirtualServiceProps = {}): () => VirtualService {
  return () => new VirtualService(chart(), 'vs', { hosts: ['web'], ...props, http: [rule] });
}

describe('VirtualService checks at once', () => {
  describe('hosts, gateways, exportTo', () => {
    test('throws when "*" is a host of a VirtualService bound to the mesh', () => {
      expect(() => new VirtualService(chart(), 'vs', { hosts: ['*'] }))
        .toThrow('VirtualService \'test/vs\': invalid hosts[0] "*": a VirtualService that applies to the mesh (sidecars) cannot use the host "*"');
    });

    test('throws when "*" is a host and the mesh is included next to a gateway', () => {
      expect(() => new VirtualService(chart(), 'vs', { hosts: ['*'], gatewayNames: ['istio-system/public'], includeMesh: true }))
        .toThrow('invalid hosts[0] "*": a VirtualService that applies to the mesh');
    });

    test('throws when "mesh" is added after the "*" host', () => {
      const vs = new VirtualService(chart(), 'vs', { hosts: ['*'], gatewayNames: ['istio-system/public'] });
      expect(() => vs.addGatewayName(VirtualService.MESH)).toThrow('invalid hosts[0] "*": a VirtualService that applies to the mesh');
    });

    test('throws when a host is listed twice', () => {
      expect(() => new VirtualService(chart(), 'vs', { hosts: ['reviews', 'Reviews'] }))
        .toThrow('VirtualService \'test/vs\': invalid hosts[1] "Reviews": each host is listed once, and hosts may not overlap: it overlaps "reviews" (hosts: ["reviews"])');
    });

    test('throws when a host is not a DNS name', () => {
      expect(() => new VirtualService(chart(), 'vs', { hosts: ['reviews_v1'] }))
        .toThrow('invalid hosts[0] "reviews_v1": a DNS name (short, like "reviews", or fully qualified), optionally with a "*." prefix, or "*", or an IP address');
    });

    test('throws when a gateway name is malformed', () => {
      expect(() => new VirtualService(chart(), 'vs', { gatewayNames: ['a/b/c'] }))
        .toThrow('invalid gateways[0] "a/b/c": "mesh", "<name>" (same namespace) or "<namespace>/<name>"');
    });

    test('throws when a gateway name uses the legacy name.namespace form', () => {
      expect(() => new VirtualService(chart(), 'vs', { gatewayNames: ['public.istio-system'] }))
        .toThrow('the legacy "<name>.<namespace>" form is ambiguous: write "istio-system/public"');
    });

    test('throws when a gateway is listed twice', () => {
      const c = chart();
      const gw = Gateway.fromGatewayName(c, 'gw', 'istio-system/public');
      expect(() => new VirtualService(c, 'vs', { gateways: [gw], gatewayNames: ['istio-system/public'] }))
        .toThrow('invalid gateways[1] "istio-system/public": each gateway is listed once');
    });

    test('throws when "mesh" is listed but includeMesh is false', () => {
      expect(() => new VirtualService(chart(), 'vs', { includeMesh: false, gatewayNames: ['mesh'] }))
        .toThrow('invalid gateways[0] "mesh": includeMesh is false: drop "mesh" or includeMesh');
    });

    test('throws when exportTo combines "*" with other values', () => {
      expect(() => new VirtualService(chart(), 'vs', { exportTo: ['.', '*'] }))
        .toThrow('invalid exportTo[1] "*": "*" cannot be combined with other values');
    });

    test('throws when exportTo lists a value twice or a bad namespace', () => {
      expect(() => new VirtualService(chart(), 'vs', { exportTo: ['a', 'a'] })).toThrow('invalid exportTo[1] "a": each value is listed once');
      expect(() => new VirtualService(chart(), 'vs', { exportTo: ['Team_A'] })).toThrow('invalid exportTo[0] "Team_A": a namespace name is a DNS-1123 label');
    });
  });

  describe('destinations and weights', () => {
    test('throws when a weight is out of 0..100', () => {
      expect(withRule({ destinations: [RouteDestination.to('web', { weight: 120 })] }))
        .toThrow('VirtualService \'test/vs\': invalid http[0].route[0].weight 120: a weight is an integer from 0 to 100');
    });

    test('throws when the weights of several destinations do not sum to 100', () => {
      expect(withRule({
        destinations: [RouteDestination.to('web', { subset: 'v1', weight: 80 }), RouteDestination.to('web', { subset: 'v2', weight: 10 })],
      })).toThrow('VirtualService \'test/vs\': invalid http[0].route[].weight "web/v1 80 + web/v2 10 = 90": the weights of a route with several destinations must sum to 100');
    });

    test('throws when several TCP destinations carry no weights', () => {
      expect(() => new VirtualService(chart(), 'vs', { hosts: ['db'], tcp: [{ destinations: [RouteDestination.to('db-a'), RouteDestination.to('db-b')] }] }))
        .toThrow('invalid tcp[0].route[].weight "db-a 0 + db-b 0 = 0": the weights of a route with several destinations must sum to 100');
    });

    test('fails validation when destinations added later leave the weights off 100', () => {
      const c = chart();
      const vs = new VirtualService(c, 'vs', { hosts: ['web'] });
      const rule = vs.addHttpRoute({ destinations: [RouteDestination.to('web', { subset: 'v1', weight: 100 })] });
      rule.addDestination(RouteDestination.to('web', { subset: 'v2', weight: 10 }));
      expect(() => Testing.synth(c)).toThrow('invalid http[0].route[].weight "web/v1 100 + web/v2 10 = 110"');
    });

    test('throws when a destination host is "*"', () => {
      expect(withRule({ destinations: [RouteDestination.to('*')] }))
        .toThrow('invalid http[0].route[0].destination.host "*": "*" is not allowed here');
    });

    test('throws when a subset name is not a DNS label', () => {
      expect(withRule({ destinations: [RouteDestination.to('web', { subset: 'V1' })] }))
        .toThrow('invalid http[0].route[0].destination.subset "V1": a subset name is a DNS-1123 label');
    });

    test('throws when a destination port is out of range', () => {
      expect(withRule({ destinations: [RouteDestination.to('web', { port: 0 })] }))
        .toThrow('invalid http[0].route[0].destination.port.number 0: a port is an integer from 1 to 65535');
    });

    test('throws when a TCP destination manipulates headers', () => {
      expect(() => new VirtualService(chart(), 'vs', { hosts: ['db'], tcp: [{ destinations: [RouteDestination.to('db', { headers: { request: { remove: ['x'] } } })] }] }))
        .toThrow('invalid tcp[0].route[0].headers {"request":{"remove":["x"]}}: header manipulation applies to HTTP routes only');
    });

    test('throws when toService is given something that is not a Service', () => {
      const c = chart();
      const cm = new ApiObject(c, 'cm', { apiVersion: 'v1', kind: 'ConfigMap' });
      expect(() => RouteDestination.toService(cm)).toThrow("ConfigMap 'test/cm' is not a Kubernetes Service");
    });
  });

  describe('one action per rule', () => {
    test('throws when a rule has destinations and a redirect', () => {
      expect(withRule({ destinations: [web()], redirect: { uri: '/x' } }))
        .toThrow('invalid http[0] "destinations + redirect": a route rule has exactly one of destinations, redirect, directResponse or delegate');
    });

    test('throws when a rule has a direct response and a delegate', () => {
      const c = chart();
      const d = VirtualService.fromVirtualServiceName(c, 'd', 'routes');
      expect(() => new VirtualService(c, 'vs', { hosts: ['web'], http: [{ directResponse: { status: 404 }, delegate: d }] }))
        .toThrow('invalid http[0] "directResponse + delegate"');
    });

    test('throws when a destination is added to a redirect rule', () => {
      const vs = new VirtualService(chart(), 'vs', { hosts: ['web'] });
      const rule = vs.addHttpRoute({ redirect: { uri: '/x' } });
      expect(() => rule.addDestination(web())).toThrow('invalid http[0].route[0] "web": this rule has a redirect');
    });

    test('throws when fault injection is set on a redirect', () => {
      expect(withRule({ redirect: { uri: '/x' }, fault: { abort: FaultAbort.httpStatus(500) } }))
        .toThrow('invalid http[0].fault {"abort":{"httpStatusCode":500}}: a redirect rule never reaches a destination: fault injection does not apply');
    });

    test('throws when a rewrite is set on a direct response', () => {
      expect(withRule({ directResponse: { status: 200 }, rewrite: { uri: '/' } }))
        .toThrow('invalid http[0].rewrite {"uri":"/"}: a directResponse rule never reaches a destination: rewrite does not apply');
    });
  });

  describe('mirrors', () => {
    test('throws when mirror and mirrors are both given', () => {
      expect(withRule({ destinations: [web()], mirror: MirrorPolicy.to('a'), mirrors: [MirrorPolicy.to('b')] }))
        .toThrow('invalid http[0].mirrors ["b"]: give mirror or mirrors, not both');
    });

    test('throws when a mirror is added to a rule with a single mirror', () => {
      const vs = new VirtualService(chart(), 'vs', { hosts: ['web'] });
      const rule = vs.addHttpRoute({ destinations: [web()], mirror: MirrorPolicy.to('a') });
      expect(() => rule.addMirror(MirrorPolicy.to('b'))).toThrow('invalid http[0].mirrors[0] "b": this rule has a single mirror');
    });

    test('throws when a mirror percentage is out of 0..100', () => {
      expect(withRule({ destinations: [web()], mirror: MirrorPolicy.to('a', { percentage: 150 }) }))
        .toThrow('invalid http[0].mirrorPercentage.value 150: a percentage is a number from 0 to 100');
      expect(withRule({ destinations: [web()], mirrors: [MirrorPolicy.to('a', { percentage: -1 })] }))
        .toThrow('invalid http[0].mirrors[0].percentage.value -1');
    });
  });

  describe('matches', () => {
    test('throws when a regex is longer than 1024 characters', () => {
      expect(withRule({ destinations: [web()], match: [{ uri: StringMatch.regex(`/${'a'.repeat(1024)}`) }] }))
        .toThrow('invalid http[0].match[0].uri.regex');
      expect(withRule({ destinations: [web()], match: [{ uri: StringMatch.regex(`/${'a'.repeat(1024)}`) }] }))
        .toThrow('a regex is at most 1024 characters long (got 1025)');
    });

    test('throws when a regex is not valid RE2', () => {
      expect(withRule({ destinations: [web()], match: [{ uri: StringMatch.regex('/(api') }] }))
        .toThrow('invalid http[0].match[0].uri.regex "/(api": not a valid RE2 regular expression (Unterminated group)');
      expect(withRule({ destinations: [web()], match: [{ headers: { 'x-a': StringMatch.regex('foo(?=bar)') } }] }))
        .toThrow('invalid http[0].match[0].headers["x-a"].regex "foo(?=bar)": not a valid RE2 regular expression (lookahead and lookbehind are not supported by RE2)');
      expect(withRule({ destinations: [web()], match: [{ uri: StringMatch.regex('(a)\\1') }] }))
        .toThrow('backreferences are not supported by RE2');
      expect(withRule({ destinations: [web()], match: [{ uri: StringMatch.regex('') }] }))
        .toThrow('invalid http[0].match[0].uri.regex "": a regex must not be empty');
    });

    test('throws when a prefix match is empty', () => {
      expect(withRule({ destinations: [web()], match: [{ uri: StringMatch.prefix('') }] }))
        .toThrow('invalid http[0].match[0].uri.prefix "": a prefix match must not be empty');
    });

    test('throws when a query parameter matches by prefix', () => {
      expect(withRule({ destinations: [web()], match: [{ queryParams: { v: StringMatch.prefix('1') } }] }))
        .toThrow('invalid http[0].match[0].queryParams["v"] "prefix:\\"1\\"": query parameters match by exact or regex only');
    });

    test('throws when a header match key is not lowercase', () => {
      expect(withRule({ destinations: [web()], match: [{ headers: { 'End-User': StringMatch.exact('jason') } }] }))
        .toThrow('invalid http[0].match[0].headers key "End-User": header match keys are lowercase letters, digits, "-" and "_"');
    });

    test('throws when a match port, source namespace, labels or subnet is invalid', () => {
      expect(withRule({ destinations: [web()], match: [{ port: 70000 }] })).toThrow('invalid http[0].match[0].port 70000');
      expect(withRule({ destinations: [web()], match: [{ sourceNamespace: 'Front' }] })).toThrow('invalid http[0].match[0].sourceNamespace "Front"');
      expect(withRule({ destinations: [web()], match: [{ sourceLabels: { app: 'a b' } }] })).toThrow('invalid http[0].match[0].sourceLabels["app"] "a b"');
      expect(() => new VirtualService(chart(), 'vs', { hosts: ['db'], tcp: [{ match: [{ destinationSubnets: ['10.0.0.0/33'] }], destinations: [web()] }] }))
        .toThrow('invalid tcp[0].match[0].destinationSubnets[0] "10.0.0.0/33": an IP address or CIDR block');
    });

    test('throws when a TLS route SNI host is not covered by the hosts', () => {
      expect(() => new VirtualService(chart(), 'vs', {
        hosts: ['*.example.com'],
        tls: [{ match: [{ sniHosts: ['api.example.org'] }], destinations: [web()] }],
      })).toThrow('VirtualService \'test/vs\': invalid tls[0].match[0].sniHosts[0] "api.example.org": every SNI host must be one of the VirtualService hosts or covered by a wildcard host (hosts: ["*.example.com"])');
    });

    test('throws when a TLS route has no match', () => {
      expect(() => new VirtualService(chart(), 'vs', { hosts: ['web'], tls: [{ match: [], destinations: [web()] }] }))
        .toThrow('invalid tls[0].match []: a TLS route needs at least one match with sniHosts');
    });
  });

  describe('policies', () => {
    test('throws when a timeout is under 1ms', () => {
      expect(withRule({ destinations: [web()], timeout: Duration.millis(0) }))
        .toThrow('invalid http[0].timeout "0ms": must be at least 1ms');
    });

    test('throws when a retry condition is unknown', () => {
      expect(withRule({ destinations: [web()], retries: { retryOn: ['5xxx' as RetryOn] } }))
        .toThrow('invalid http[0].retries.retryOn[0] "5xxx": one of 5xx, gateway-error, reset, connect-failure, envoy-ratelimited, retriable-4xx, refused-stream, retriable-status-codes, retriable-headers, cancelled, deadline-exceeded, internal, resource-exhausted, unavailable');
    });

    test('throws when a retry status code is not an HTTP status', () => {
      expect(withRule({ destinations: [web()], retries: { retryOnStatusCodes: [5030] } }))
        .toThrow('invalid http[0].retries.retryOnStatusCodes[0] 5030: an HTTP status from 100 to 599');
    });

    test('throws when retry attempts are negative or a per-try timeout is under 1ms', () => {
      expect(withRule({ destinations: [web()], retries: { attempts: -1 } })).toThrow('invalid http[0].retries.attempts -1');
      expect(withRule({ destinations: [web()], retries: { perTryTimeout: Duration.millis(0) } })).toThrow('invalid http[0].retries.perTryTimeout "0ms"');
    });

    test('throws when a fault has neither delay nor abort', () => {
      expect(withRule({ destinations: [web()], fault: {} })).toThrow('invalid http[0].fault {}: a fault injects a delay, an abort or both');
    });

    test('throws when a fault abort status or percentage is out of range', () => {
      expect(withRule({ destinations: [web()], fault: { abort: FaultAbort.httpStatus(100) } }))
        .toThrow('invalid http[0].fault.abort.httpStatus 100: an HTTP status from 200 to 599');
      expect(withRule({ destinations: [web()], fault: { abort: FaultAbort.grpcStatus('NOPE' as GrpcStatusCode) } }))
        .toThrow('invalid http[0].fault.abort.grpcStatus "NOPE"');
      expect(withRule({ destinations: [web()], fault: { delay: { fixedDelay: Duration.seconds(1), percentage: 101 } } }))
        .toThrow('invalid http[0].fault.delay.percentage 101: a percentage is a number from 0 to 100');
    });

    test('throws when a redirect changes nothing, or has an unsupported code', () => {
      expect(withRule({ redirect: {} })).toThrow('invalid http[0].redirect {}: a redirect replaces at least one of uri, authority, port or scheme');
      expect(withRule({ redirect: { uri: '/x', redirectCode: 305 } })).toThrow('invalid http[0].redirect.redirectCode 305: one of 301, 302, 303, 307, 308');
      expect(withRule({ redirect: { port: RedirectPort.toPort(0) } })).toThrow('invalid http[0].redirect.port 0');
    });

    test('throws when a direct response status or body is invalid', () => {
      expect(withRule({ directResponse: { status: 600 } })).toThrow('invalid http[0].directResponse.status 600: an HTTP status from 200 to 599');
      expect(withRule({ directResponse: { status: 200, body: DirectResponseBody.fromBase64('not base64!') } }))
        .toThrow('invalid http[0].directResponse.body.bytes "not base64!": base64-encoded bytes');
    });

    test('throws when a rewrite has both uri and uriRegexRewrite, or nothing', () => {
      expect(withRule({ destinations: [web()], rewrite: { uri: '/', uriRegexRewrite: { match: '.*', rewrite: '/' } } }))
        .toThrow('invalid http[0].rewrite.uriRegexRewrite {"match":".*","rewrite":"/"}: rewrite uri or uriRegexRewrite, not both');
      expect(withRule({ destinations: [web()], rewrite: {} })).toThrow('invalid http[0].rewrite {}: a rewrite replaces at least one of');
      expect(withRule({ destinations: [web()], rewrite: { uriRegexRewrite: { match: '(', rewrite: '/' } } }))
        .toThrow('invalid http[0].rewrite.uriRegexRewrite.match "(": not a valid RE2 regular expression');
    });

    test('throws when a CORS method is unknown or maxAge is not whole seconds', () => {
      expect(withRule({ destinations: [web()], corsPolicy: { allowMethods: ['FETCH' as HttpMethod] } }))
        .toThrow('invalid http[0].corsPolicy.allowMethods[0] "FETCH": one of GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH');
      expect(withRule({ destinations: [web()], corsPolicy: { maxAge: Duration.millis(1500) } }))
        .toThrow('invalid http[0].corsPolicy.maxAge "1500ms": Istio takes maxAge in whole seconds');
    });

    test('throws when a header name is invalid', () => {
      expect(withRule({ destinations: [web()], headers: { request: { set: { 'x y': '1' } } } }))
        .toThrow('invalid http[0].headers.request.set key "x y": a header name is made of letters, digits, "-" and "_"');
      expect(withRule({ destinations: [web()], corsPolicy: { allowHeaders: ['a:b'] } })).toThrow('invalid http[0].corsPolicy.allowHeaders[0] "a:b"');
    });
  });

  test('throws when fromVirtualServiceName is given a malformed name', () => {
    expect(() => VirtualService.fromVirtualServiceName(chart(), 'd', 'a/b/c')).toThrow('invalid name "a/b/c": "<name>" or "<namespace>/<name>"');
    expect(() => VirtualService.fromVirtualServiceName(chart(), 'd', 'ns/routes', { namespace: 'other' }))
      .toThrow('invalid namespace "other": the name "ns/routes" already says namespace "ns"');
    expect(() => VirtualService.fromVirtualServiceName(chart(), 'd', 'Routes')).toThrow('invalid name "Routes": a Kubernetes object name');
  });
});

describe('VirtualService checks at validation', () => {
  test('fails validation when a VirtualService has no route', () => {
    const c = chart();
    new VirtualService(c, 'vs', { hosts: ['web'] });
    expect(() => Testing.synth(c)).toThrow("VirtualService 'test/vs': has no http, tcp or tls route: add one with addHttpRoute(), addTcpRoute() or addTlsRoute()");
  });

  test('fails validation when an HTTP route has no destination', () => {
    const c = chart();
    new VirtualService(c, 'vs', { hosts: ['web'], http: [{ name: 'api', match: [{ uri: StringMatch.prefix('/api') }], mirror: MirrorPolicy.to('shadow') }] });
    expect(() => Testing.synth(c))
      .toThrow('VirtualService \'test/vs\': http[0] ("api") has no destination: give it destinations (addDestination()), a redirect, a directResponse or a delegate');
  });

  test('fails validation when a TCP or TLS route has no destination', () => {
    const c = chart();
    const vs = new VirtualService(c, 'vs', { hosts: ['db.example.com'] });
    vs.addTcpRoute({ match: [{ port: 3306 }] });
    vs.addTlsRoute({ match: [{ sniHosts: ['db.example.com'] }] });
    expect(() => Testing.synth(c)).toThrow("VirtualService 'test/vs': tcp[0] has no destination: add one with addDestination()");
    expect(() => Testing.synth(c)).toThrow("VirtualService 'test/vs': tls[0] has no destination");
  });

  test('fails validation when includeMesh is false and no gateway is listed', () => {
    const c = chart();
    new VirtualService(c, 'vs', { hosts: ['web'], includeMesh: false, http: [{ destinations: [web()] }] });
    expect(() => Testing.synth(c)).toThrow('invalid includeMesh false: with no gateway listed, the VirtualService would apply nowhere');
  });

  test('fails validation when a delegate VirtualService (no hosts) lists gateways or has tcp routes', () => {
    const c = chart();
    new VirtualService(c, 'vs', { gatewayNames: ['istio-system/public'], http: [{ destinations: [web()] }], tcp: [{ destinations: [web()] }] });
    expect(() => Testing.synth(c)).toThrow("VirtualService 'test/vs': has no hosts, so it is a delegate VirtualService (used only through another route's delegate): it cannot list gateways (istio-system/public)");
    expect(() => Testing.synth(c)).toThrow('it holds http routes only; add hosts for tcp and tls routes');
  });

  test('fails validation when a delegate VirtualService delegates again', () => {
    const c = chart();
    const other = VirtualService.fromVirtualServiceName(c, 'other', 'more-routes');
    new VirtualService(c, 'vs', { http: [{ delegate: other }] });
    expect(() => Testing.synth(c)).toThrow('invalid http[0].delegate "more-routes": has no hosts, so it is a delegate VirtualService (used only through another route\'s delegate): Istio allows one level of delegation');
  });

  test('a valid VirtualService passes', () => {
    const c = chart();
    new VirtualService(c, 'vs', { hosts: ['web'], http: [{ destinations: [web()] }] });
    expect(() => synthValid(c)).not.toThrow();
  });
});
