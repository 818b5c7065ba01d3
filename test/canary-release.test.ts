import { ApiObject, Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-32';
import { findObject, objectsOf, synthValid } from './util';
import { Protocol } from '../src/core/protocol';
import { StringMatch } from '../src/core/string-match';
import { Gateway } from '../src/networking/gateway';
import { FaultAbort, RetryOn } from '../src/networking/http-policies';
import { SimpleLb } from '../src/networking/traffic-load-balancer';
import { ClientTls } from '../src/networking/traffic-tls';
import { VirtualService } from '../src/networking/virtual-service';
import { RouteDestination } from '../src/networking/vs-destination';
import { CanaryMatch } from '../src/patterns/canary-match';
import { CanaryRelease, CanarySplitStyle } from '../src/patterns/canary-release';
import { CanaryWorkload } from '../src/patterns/canary-workload';

function bookinfo(): Chart {
  return new Chart(Testing.app(), 'bookinfo', { namespace: 'bookinfo' });
}

function reviewsDeployment(chart: Chart, version: string): kplus.Deployment {
  return new kplus.Deployment(chart, `reviews-${version}`, {
    containers: [{ image: `docker.io/istio/examples-bookinfo-reviews-${version}:1.20.3`, portNumber: 9080 }],
    podMetadata: { labels: { app: 'reviews', version } },
  });
}

const V1 = CanaryWorkload.fromLabels({ app: 'reviews', version: 'v1' });
const V2 = CanaryWorkload.fromLabels({ app: 'reviews', version: 'v2' });

describe('CanaryRelease', () => {
  test('defaults: subset-level, canary weight 0, both destinations written, ISTIO_MUTUAL, mesh only', () => {
    const chart = bookinfo();
    const canary = new CanaryRelease(chart, 'reviews', { host: 'reviews', stable: V1, canary: V2 });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();

    expect(canary.splitStyle).toBe(CanarySplitStyle.SUBSET);
    expect(canary.canaryWeight).toBe(0);
    expect(canary.stableWeight).toBe(100);
    expect(canary.stableSubsetName).toBe('stable');
    expect(canary.canarySubsetName).toBe('canary');
    expect(canary.virtualService?.node.id).toBe('VirtualService');
    expect(canary.destinationRule?.node.id).toBe('DestinationRule');

    const vs = findObject(manifests, 'VirtualService', 'bookinfo-reviews');
    expect(vs.metadata.namespace).toBe('bookinfo');
    expect(vs.spec).toEqual({
      hosts: ['reviews'],
      http: [{
        route: [
          { destination: { host: 'reviews', subset: 'stable' }, weight: 100 },
          { destination: { host: 'reviews', subset: 'canary' }, weight: 0 },
        ],
      }],
    });
    const dr = findObject(manifests, 'DestinationRule', 'bookinfo-reviews');
    expect(dr.spec).toEqual({
      host: 'reviews',
      trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
      subsets: [
        { name: 'stable', labels: { version: 'v1' } },
        { name: 'canary', labels: { version: 'v2' } },
      ],
    });
  });

  test('every option at once (one release per style and protocol) passes validation', () => {
    const chart = bookinfo();
    const gateway = new Gateway(chart, 'public', {
      metadata: { name: 'public' },
      servers: [{ port: { number: 80, protocol: Protocol.HTTP }, hosts: ['reviews.example.com', 'ratings.example.com'] }],
    });

    // subset-level HTTP: every HTTP and DestinationRule option
    const reviews = new CanaryRelease(chart, 'reviews', {
      host: 'reviews',
      splitStyle: CanarySplitStyle.SUBSET,
      stable: CanaryWorkload.fromWorkload(reviewsDeployment(chart, 'v1')),
      canary: CanaryWorkload.fromWorkload(reviewsDeployment(chart, 'v2')),
      versionLabel: 'version',
      stableSubsetName: 'v1',
      canarySubsetName: 'v2',
      canaryWeight: 25,
      protocol: Protocol.HTTP,
      port: 9080,
      canaryMatches: [
        CanaryMatch.cookie('user', 'jason'),
        CanaryMatch.header('end-user', StringMatch.exact('jason')),
        CanaryMatch.request({ uri: StringMatch.prefix('/beta/'), queryParams: { canary: StringMatch.exact('1') } }),
      ],
      mirrorPercentage: 5,
      timeout: Duration.seconds(10),
      retries: { attempts: 3, perTryTimeout: Duration.seconds(2), retryOn: [RetryOn.GATEWAY_ERROR, RetryOn.CONNECT_FAILURE] },
      fault: { abort: FaultAbort.httpStatus(503, 1) },
      sessionCookie: { name: 'session', ttl: Duration.hours(1), path: '/' },
      tls: ClientTls.istioMutual(),
      trafficPolicy: { outlierDetection: { consecutive5xxErrors: 5, interval: Duration.seconds(10), baseEjectionTime: Duration.seconds(30) } },
      gateways: [gateway],
      gatewayNames: ['istio-system/internal'],
      gatewayHosts: ['reviews.example.com'],
      name: 'reviews',
      namespace: 'bookinfo',
    });

    // host-level HTTP
    new CanaryRelease(chart, 'ratings', {
      host: 'ratings',
      splitStyle: CanarySplitStyle.HOST,
      canaryHost: 'ratings-canary',
      canaryWeight: 50,
      gatewayNames: ['public'],
      gatewayHosts: ['ratings.example.com'],
    });

    // TCP, matched by port
    new CanaryRelease(chart, 'mysql', {
      host: 'mysqldb',
      stable: CanaryWorkload.fromLabels({ 'app': 'mysqldb', 'app.kubernetes.io/version': '8.0' }),
      canary: CanaryWorkload.fromLabels({ 'app': 'mysqldb', 'app.kubernetes.io/version': '8.4' }),
      versionLabel: 'app.kubernetes.io/version',
      protocol: Protocol.MYSQL,
      port: 3306,
      canaryWeight: 20,
      tls: ClientTls.istioMutual(),
    });

    // TLS passthrough, matched by SNI
    new CanaryRelease(chart, 'api', {
      host: 'api.bookinfo.svc.cluster.local',
      canaryHost: 'api-canary.bookinfo.svc.cluster.local',
      protocol: Protocol.TLS,
      port: 443,
      sniHosts: ['api.bookinfo.svc.cluster.local'],
      canaryWeight: 1,
    });

    const manifests = synthValid(chart);

    const vs = findObject(manifests, 'VirtualService', 'reviews');
    expect(vs.spec.hosts).toEqual(['reviews', 'reviews.example.com']);
    expect(vs.spec.gateways).toEqual(['bookinfo/public', 'istio-system/internal', 'mesh']);
    const policies = {
      timeout: '10s',
      retries: { attempts: 3, perTryTimeout: '2s', retryOn: 'gateway-error,connect-failure' },
      fault: { abort: { httpStatus: 503, percentage: { value: 1 } } },
    };
    expect(vs.spec.http).toEqual([
      {
        match: [
          { headers: { cookie: { regex: '^(.*?;\\s*)?(user=jason)(;.*)?$' } } },
          { headers: { 'end-user': { exact: 'jason' } } },
          { uri: { prefix: '/beta/' }, queryParams: { canary: { exact: '1' } } },
        ],
        route: [{ destination: { host: 'reviews', port: { number: 9080 }, subset: 'v2' } }],
        ...policies,
      },
      {
        route: [
          { destination: { host: 'reviews', port: { number: 9080 }, subset: 'v1' }, weight: 75 },
          { destination: { host: 'reviews', port: { number: 9080 }, subset: 'v2' }, weight: 25 },
        ],
        mirror: { host: 'reviews', port: { number: 9080 }, subset: 'v2' },
        mirrorPercentage: { value: 5 },
        ...policies,
      },
    ]);
    const dr = findObject(manifests, 'DestinationRule', 'reviews');
    expect(dr.spec.subsets).toEqual([{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }]);
    expect(dr.spec.trafficPolicy).toEqual({
      tls: { mode: 'ISTIO_MUTUAL' },
      loadBalancer: { consistentHash: { httpCookie: { name: 'session', ttl: '1h', path: '/' } } },
      outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s' },
    });
    expect(reviews.stableWeight).toBe(75);

    const ratings = findObject(manifests, 'VirtualService', 'bookinfo-ratings');
    expect(ratings.spec).toEqual({
      hosts: ['ratings', 'ratings.example.com'],
      gateways: ['public', 'mesh'],
      http: [{
        route: [
          { destination: { host: 'ratings' }, weight: 50 },
          { destination: { host: 'ratings-canary' }, weight: 50 },
        ],
      }],
    });

    expect(findObject(manifests, 'VirtualService', 'bookinfo-mysql').spec).toEqual({
      hosts: ['mysqldb'],
      tcp: [{
        match: [{ port: 3306 }],
        route: [
          { destination: { host: 'mysqldb', port: { number: 3306 }, subset: 'stable' }, weight: 80 },
          { destination: { host: 'mysqldb', port: { number: 3306 }, subset: 'canary' }, weight: 20 },
        ],
      }],
    });
    expect(findObject(manifests, 'DestinationRule', 'bookinfo-mysql').spec.subsets).toEqual([
      { name: 'stable', labels: { 'app.kubernetes.io/version': '8.0' } },
      { name: 'canary', labels: { 'app.kubernetes.io/version': '8.4' } },
    ]);

    expect(findObject(manifests, 'VirtualService', 'bookinfo-api').spec).toEqual({
      hosts: ['api.bookinfo.svc.cluster.local'],
      tls: [{
        match: [{ sniHosts: ['api.bookinfo.svc.cluster.local'], port: 443 }],
        route: [
          { destination: { host: 'api.bookinfo.svc.cluster.local', port: { number: 443 } }, weight: 99 },
          { destination: { host: 'api-canary.bookinfo.svc.cluster.local', port: { number: 443 } }, weight: 1 },
        ],
      }],
    });
    // host-level releases make no DestinationRule
    expect(objectsOf(manifests, 'DestinationRule').map(d => d.metadata.name).sort()).toEqual(['bookinfo-mysql', 'reviews']);
  });

  test('subset labels come from cdk8s-plus Deployments: the version label only', () => {
    const chart = bookinfo();
    new CanaryRelease(chart, 'reviews', {
      host: 'reviews',
      stable: CanaryWorkload.fromWorkload(reviewsDeployment(chart, 'v1')),
      canary: CanaryWorkload.fromWorkload(reviewsDeployment(chart, 'v2')),
      canaryWeight: 10,
    });
    const dr = findObject(synthValid(chart), 'DestinationRule');
    expect(dr.spec.subsets).toEqual([
      { name: 'stable', labels: { version: 'v1' } },
      { name: 'canary', labels: { version: 'v2' } },
    ]);
  });

  test('subset labels come from any construct whose ApiObject carries pod labels', () => {
    const chart = bookinfo();
    const workload = (version: string) => new ApiObject(chart, `reviews-${version}`, {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      spec: { selector: { matchLabels: { app: 'reviews', version } }, template: { metadata: { labels: { app: 'reviews', version } } } },
    });
    new CanaryRelease(chart, 'reviews', {
      host: 'reviews',
      stable: CanaryWorkload.fromWorkload(workload('v1')),
      canary: CanaryWorkload.fromWorkload(workload('v2')),
    });
    expect(findObject(synthValid(chart), 'DestinationRule').spec.subsets.map((s: any) => s.labels)).toEqual([{ version: 'v1' }, { version: 'v2' }]);
  });

  test('the host-level style is implied by canaryHost and makes no DestinationRule', () => {
    const chart = bookinfo();
    const canary = new CanaryRelease(chart, 'reviews', { host: 'reviews', canaryHost: 'reviews-canary', canaryWeight: 10 });
    const manifests = synthValid(chart);
    expect(canary.splitStyle).toBe(CanarySplitStyle.HOST);
    expect(canary.destinationRule).toBeUndefined();
    expect(canary.stableSubsetName).toBeUndefined();
    expect(objectsOf(manifests, 'DestinationRule')).toEqual([]);
    expect(findObject(manifests, 'VirtualService').spec.http).toEqual([{
      route: [
        { destination: { host: 'reviews' }, weight: 90 },
        { destination: { host: 'reviews-canary' }, weight: 10 },
      ],
    }]);
  });

  test('canary weight 100 sends everything to the canary, the stable destination stays with weight 0', () => {
    const chart = bookinfo();
    const canary = new CanaryRelease(chart, 'reviews', { host: 'reviews', stable: V1, canary: V2, canaryWeight: 100 });
    expect(canary.stableWeight).toBe(0);
    expect(findObject(synthValid(chart), 'VirtualService').spec.http[0].route.map((r: any) => r.weight)).toEqual([0, 100]);
  });

  test('a cookie match quotes regex metacharacters of the name and value', () => {
    const chart = bookinfo();
    new CanaryRelease(chart, 'reviews', {
      host: 'reviews',
      stable: V1,
      canary: V2,
      canaryMatches: [CanaryMatch.cookie('beta.user', 'a+b')],
    });
    const regex = findObject(synthValid(chart), 'VirtualService').spec.http[0].match[0].headers.cookie.regex;
    expect(regex).toBe('^(.*?;\\s*)?(beta\\.user=a\\+b)(;.*)?$');
    const re = new RegExp(regex);
    expect(re.test('beta.user=a+b')).toBe(true);
    expect(re.test('theme=dark; beta.user=a+b; lang=en')).toBe(true);
    expect(re.test('theme=dark;beta.user=a+b')).toBe(true);
    expect(re.test('betaXuser=a+b')).toBe(false);
    expect(re.test('beta.user=a+bc')).toBe(false);
    expect(re.test('xbeta.user=a+b')).toBe(false);
  });

  test('the TLS route matches the hosts by SNI unless sniHosts is given', () => {
    const chart = bookinfo();
    new CanaryRelease(chart, 'api', { host: 'api', canaryHost: 'api-canary', protocol: Protocol.HTTPS, canaryWeight: 30 });
    expect(findObject(synthValid(chart), 'VirtualService').spec.tls).toEqual([{
      match: [{ sniHosts: ['api'] }],
      route: [{ destination: { host: 'api' }, weight: 70 }, { destination: { host: 'api-canary' }, weight: 30 }],
    }]);
  });

  test('a TCP route without port matches every connection', () => {
    const chart = bookinfo();
    new CanaryRelease(chart, 'redis', { host: 'redis', stable: CanaryWorkload.fromLabels({ version: 'v6' }), canary: CanaryWorkload.fromLabels({ version: 'v7' }), protocol: Protocol.TCP });
    expect(findObject(synthValid(chart), 'VirtualService').spec.tcp).toEqual([{
      route: [
        { destination: { host: 'redis', subset: 'stable' }, weight: 100 },
        { destination: { host: 'redis', subset: 'canary' }, weight: 0 },
      ],
    }]);
  });

  test('a gateway given by name binds it with mesh, and the gateway hosts join the hosts', () => {
    const chart = bookinfo();
    new CanaryRelease(chart, 'reviews', {
      host: 'reviews',
      stable: V1,
      canary: V2,
      canaryWeight: 10,
      gatewayNames: ['istio-system/public'],
      gatewayHosts: ['reviews.example.com'],
    });
    const spec = findObject(synthValid(chart), 'VirtualService').spec;
    expect(spec.gateways).toEqual(['istio-system/public', 'mesh']);
    expect(spec.hosts).toEqual(['reviews', 'reviews.example.com']);
  });

  test('the TLS mode and the rest of the traffic policy can be told otherwise', () => {
    const chart = bookinfo();
    new CanaryRelease(chart, 'plain', { host: 'legacy', stable: V1, canary: V2, tls: ClientTls.disable() });
    new CanaryRelease(chart, 'random', {
      host: 'reviews',
      stable: V1,
      canary: V2,
      trafficPolicy: { loadBalancer: { simple: SimpleLb.RANDOM }, tls: ClientTls.istioMutual({ sni: 'reviews.bookinfo.svc.cluster.local' }) },
    });
    const manifests = synthValid(chart);
    expect(findObject(manifests, 'DestinationRule', 'bookinfo-plain').spec.trafficPolicy).toEqual({ tls: { mode: 'DISABLE' } });
    expect(findObject(manifests, 'DestinationRule', 'bookinfo-random').spec.trafficPolicy).toEqual({
      loadBalancer: { simple: 'RANDOM' },
      tls: { mode: 'ISTIO_MUTUAL', sni: 'reviews.bookinfo.svc.cluster.local' },
    });
  });

  test('the parts stay open: a subset added to the DestinationRule appears in the output', () => {
    const chart = bookinfo();
    const canary = new CanaryRelease(chart, 'reviews', { host: 'reviews', stable: V1, canary: V2 });
    canary.destinationRule!.addSubset('v3', { labels: { version: 'v3' } });
    expect(findObject(synthValid(chart), 'DestinationRule').spec.subsets.map((s: any) => s.name)).toEqual(['stable', 'canary', 'v3']);
  });

  test('an ingress VirtualService that routes the host with a subset is a deliberate choice and passes', () => {
    const chart = bookinfo();
    const canary = new CanaryRelease(chart, 'reviews', { host: 'reviews', stable: V1, canary: V2, canaryWeight: 10 });
    new VirtualService(chart, 'ingress', {
      hosts: ['reviews.example.com'],
      gatewayNames: ['istio-system/public'],
      http: [{ destinations: [RouteDestination.to('reviews', { subset: canary.stableSubsetName })] }],
    });
    expect(() => synthValid(chart)).not.toThrow();
  });
});
