import { ApiObject, Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-32';
import { findingsOf, synthValid } from './util';
import * as l1 from '../imports/networking.istio.io';
import { Protocol } from '../src/core/protocol';
import { StringMatch } from '../src/core/string-match';
import { Gateway } from '../src/networking/gateway';
import { FaultAbort } from '../src/networking/http-policies';
import { ConsistentHash, SimpleLb } from '../src/networking/traffic-load-balancer';
import { ClientTls } from '../src/networking/traffic-tls';
import { VirtualService } from '../src/networking/virtual-service';
import { RouteDestination } from '../src/networking/vs-destination';
import { CanaryMatch } from '../src/patterns/canary-match';
import { CanaryRelease, CanaryReleaseProps, CanarySplitStyle } from '../src/patterns/canary-release';
import { CanaryWorkload } from '../src/patterns/canary-workload';

function bookinfo(): Chart {
  return new Chart(Testing.app(), 'bookinfo', { namespace: 'bookinfo' });
}

const V1 = CanaryWorkload.fromLabels({ app: 'reviews', version: 'v1' });
const V2 = CanaryWorkload.fromLabels({ app: 'reviews', version: 'v2' });
const SUBSETS: CanaryReleaseProps = { host: 'reviews', stable: V1, canary: V2 };
const HOSTS: CanaryReleaseProps = { host: 'reviews', canaryHost: 'reviews-canary' };
const PATH = "CanaryRelease 'bookinfo/reviews'";

/** The chart's objects as JSON, without running the construct validations (to feed the analyzer alone). */
function objectsWithoutValidation(chart: Chart): any[] {
  return chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map(o => o.toJson());
}

function make(props: CanaryReleaseProps, chart: Chart = bookinfo()): CanaryRelease {
  return new CanaryRelease(chart, 'reviews', props);
}

describe('CanaryRelease checks at once', () => {
  test.each([-1, 101, 10.5])('throws when the canary weight is %p', weight => {
    expect(() => make({ ...SUBSETS, canaryWeight: weight }))
      .toThrow(`${PATH}: invalid canaryWeight ${weight}: an integer from 0 to 100 (the stable version gets 100 minus it)`);
  });

  test('throws when the host is a wildcard', () => {
    expect(() => make({ ...SUBSETS, host: '*.example.com' }))
      .toThrow(`${PATH}: invalid host "*.example.com": the host of a Service, not a wildcard: routes send to one service`);
    expect(() => make({ ...SUBSETS, host: '*' }))
      .toThrow(`${PATH}: invalid host "*": "*" is not allowed here`);
  });

  test('throws when the host is not a DNS name', () => {
    expect(() => make({ ...SUBSETS, host: 'reviews_v1' })).toThrow(`${PATH}: invalid host "reviews_v1": a DNS name`);
  });

  test('throws when the port is out of range', () => {
    expect(() => make({ ...SUBSETS, port: 70000 })).toThrow(`${PATH}: invalid port 70000: a port is an integer from 1 to 65535`);
  });

  test('throws when the mirror percentage is out of range', () => {
    expect(() => make({ ...SUBSETS, mirrorPercentage: 120 })).toThrow(`${PATH}: invalid mirrorPercentage 120: a percentage from 0 to 100`);
  });

  test('throws when mirroring with a canary weight of 100', () => {
    expect(() => make({ ...SUBSETS, canaryWeight: 100, mirrorPercentage: 10 }))
      .toThrow(`${PATH}: invalid mirrorPercentage 10: with canaryWeight 100 every request already goes to the canary: mirroring would only send it duplicates; leave mirrorPercentage out`);
  });

  test('throws when the subset-level style is given a canary host', () => {
    expect(() => make({ ...SUBSETS, splitStyle: CanarySplitStyle.SUBSET, canaryHost: 'reviews-canary' }))
      .toThrow(`${PATH}: invalid canaryHost "reviews-canary": the subset-level style splits one host by subsets: leave canaryHost out, or use splitStyle HOST`);
  });

  test.each(['stable', 'canary'] as const)('throws when the subset-level style lacks the %s workload', prop => {
    expect(() => make({ ...SUBSETS, [prop]: undefined }))
      .toThrow(`${PATH}: invalid ${prop} undefined: the subset-level style needs the ${prop} pods: CanaryWorkload.fromWorkload(deployment) or CanaryWorkload.fromLabels({ version: ... })`);
  });

  test('throws when the host-level style lacks the canary host', () => {
    expect(() => make({ host: 'reviews', splitStyle: CanarySplitStyle.HOST }))
      .toThrow(`${PATH}: invalid canaryHost undefined: the host-level style needs the canary version's Service host`);
  });

  test.each<[string, Partial<CanaryReleaseProps>, string]>([
    ['stable', { stable: V1 }, '"labels": the host-level style takes no stable: the Services select the pods'],
    ['canary', { canary: V2 }, '"labels": the host-level style takes no canary: the Services select the pods'],
    ['versionLabel', { versionLabel: 'track' }, '"track": the host-level style takes no versionLabel: there are no subsets'],
    ['stableSubsetName', { stableSubsetName: 'v1' }, '"v1": the host-level style takes no stableSubsetName: there are no subsets'],
    ['canarySubsetName', { canarySubsetName: 'v2' }, '"v2": the host-level style takes no canarySubsetName: there are no subsets'],
    ['tls', { tls: ClientTls.disable() }, '{"mode":"DISABLE","settings":{}}: the host-level style takes no tls: there is no DestinationRule'],
    ['trafficPolicy', { trafficPolicy: {} }, '{}: the host-level style takes no trafficPolicy: there is no DestinationRule'],
    ['sessionCookie', { sessionCookie: { name: 's' } }, '{"name":"s"}: the host-level style takes no sessionCookie: there is no DestinationRule'],
  ])('throws when the host-level style is given %s', (prop, extra, message) => {
    expect(() => make({ ...HOSTS, ...extra })).toThrow(`${PATH}: invalid ${prop} ${message} (use a DestinationRule per host, or the subset-level style)`);
  });

  test('throws when the canary host is the stable host', () => {
    expect(() => make({ host: 'reviews', canaryHost: 'Reviews' }))
      .toThrow(`${PATH}: invalid canaryHost "Reviews": the stable version has that host too: give the canary Service its own host (or use the subset-level style)`);
  });

  test.each<[keyof CanaryReleaseProps, Partial<CanaryReleaseProps>]>([
    ['canaryMatches', { canaryMatches: [CanaryMatch.cookie('user', 'jason')] }],
    ['mirrorPercentage', { mirrorPercentage: 10 }],
    ['timeout', { timeout: Duration.seconds(1) }],
    ['retries', { retries: { attempts: 1 } }],
    ['fault', { fault: { abort: FaultAbort.httpStatus(503) } }],
    ['sessionCookie', { sessionCookie: { name: 'session' } }],
  ])('throws when %s is given for a TCP service', (prop, extra) => {
    expect(() => make({ ...SUBSETS, protocol: Protocol.TCP, ...extra }))
      .toThrow(`${PATH}: invalid ${prop} "TCP": ${prop} applies to HTTP routes only; a TCP service gets tcp routes`);
  });

  test('throws when an HTTP-only option is given for a TLS service', () => {
    expect(() => make({ ...HOSTS, protocol: Protocol.TLS, timeout: Duration.seconds(1) }))
      .toThrow(`${PATH}: invalid timeout "TLS": timeout applies to HTTP routes only; a TLS service gets tls routes`);
  });

  test('throws when SNI hosts are given for a service that is not TLS', () => {
    expect(() => make({ ...SUBSETS, protocol: Protocol.GRPC, sniHosts: ['reviews'] }))
      .toThrow(`${PATH}: invalid sniHosts ["reviews"]: SNI matches apply to TLS and HTTPS services only, not GRPC`);
  });

  test('throws when the protocol is not a Protocol value', () => {
    expect(() => make({ ...SUBSETS, protocol: 'UDP' as Protocol })).toThrow(`${PATH}: invalid protocol "UDP": one of the Protocol values`);
  });

  test('throws when a session cookie meets a load balancer algorithm or another hash key', () => {
    expect(() => make({ ...SUBSETS, sessionCookie: { name: 'session' }, trafficPolicy: { loadBalancer: { simple: SimpleLb.RANDOM } } }))
      .toThrow(`${PATH}: invalid sessionCookie "session": trafficPolicy.loadBalancer.simple (RANDOM) excludes consistent hashing: leave one of them out`);
    expect(() => make({ ...SUBSETS, sessionCookie: { name: 'session' }, trafficPolicy: { loadBalancer: { consistentHash: ConsistentHash.sourceIp() } } }))
      .toThrow(`${PATH}: invalid sessionCookie "session": trafficPolicy.loadBalancer.consistentHash is given too: give the hash key one way`);
  });

  test('throws when TLS is given twice', () => {
    expect(() => make({ ...SUBSETS, tls: ClientTls.disable(), trafficPolicy: { tls: ClientTls.istioMutual() } }))
      .toThrow(`${PATH}: invalid tls "DISABLE": trafficPolicy.tls (ISTIO_MUTUAL) is given too: give the TLS settings one way`);
  });

  test('throws when gateways come without gateway hosts', () => {
    expect(() => make({ ...SUBSETS, gatewayNames: ['istio-system/public'] }))
      .toThrow(`${PATH}: invalid gatewayHosts undefined: gateways istio-system/public need the hosts they serve for this service (e.g. "reviews.example.com"), added to the VirtualService's hosts`);
  });

  test('throws when gateway hosts come without gateways', () => {
    expect(() => make({ ...SUBSETS, gatewayHosts: ['reviews.example.com'] }))
      .toThrow(`${PATH}: invalid gatewayHosts ["reviews.example.com"]: gateway hosts need gateways (or gatewayNames) to serve them`);
  });

  test('throws when a gateway host is "*"', () => {
    expect(() => make({ ...SUBSETS, gatewayNames: ['public'], gatewayHosts: ['reviews.example.com', '*'] }))
      .toThrow(`${PATH}: invalid gatewayHosts[1] "*": the VirtualService also applies to the mesh, where "*" is not allowed: name the hosts the gateways serve`);
  });

  test('throws when a subset name is not a DNS label', () => {
    expect(() => make({ ...SUBSETS, canarySubsetName: 'Canary' }))
      .toThrow(`${PATH}: invalid canarySubsetName "Canary": a subset name is a DNS-1123 label`);
    expect(() => make({ ...SUBSETS, stableSubsetName: 'v1.0' }))
      .toThrow(`${PATH}: invalid stableSubsetName "v1.0": a subset name is a DNS-1123 label`);
  });

  test('throws when the two subsets have the same name', () => {
    expect(() => make({ ...SUBSETS, stableSubsetName: 'v1', canarySubsetName: 'v1' }))
      .toThrow(`${PATH}: invalid canarySubsetName "v1": the stable subset has that name too: give the two subsets different names (e.g. "v1" and "v2")`);
  });

  test('throws when the version label is empty', () => {
    expect(() => make({ ...SUBSETS, versionLabel: '' }))
      .toThrow(`${PATH}: invalid versionLabel "": a pod label key, e.g. "version" or "app.kubernetes.io/version"`);
  });

  test('throws when a workload carries no pod labels', () => {
    const chart = bookinfo();
    const cm = new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap' });
    expect(() => make({ ...SUBSETS, canary: CanaryWorkload.fromWorkload(cm) }, chart))
      .toThrow(`${PATH}: invalid canary "workload 'bookinfo/cm'": ConfigMap 'bookinfo/cm' carries no pod labels (spec.template.metadata.labels): give the labels with WorkloadSelector.fromLabels()`);
  });

  test('throws when a workload has no ApiObject', () => {
    const chart = bookinfo();
    const group = new Chart(chart, 'group');
    expect(() => make({ ...SUBSETS, stable: CanaryWorkload.fromWorkload(group) }, chart))
      .toThrow(`${PATH}: invalid stable "workload 'bookinfo/group'": 'bookinfo/group' is not a workload: it has no ApiObject to read pod labels from`);
  });

  test('throws when the pods lack the version label', () => {
    const chart = bookinfo();
    const deployment = new kplus.Deployment(chart, 'reviews-v2', {
      containers: [{ image: 'reviews:v2', portNumber: 9080 }],
      podMetadata: { labels: { app: 'reviews', track: 'canary' } },
    });
    expect(() => make({ ...SUBSETS, canary: CanaryWorkload.fromWorkload(deployment) }, chart))
      .toThrow(`${PATH}: invalid canary {"app":"reviews","cdk8s.io/metadata.addr":"bookinfo-reviews-v2-c8aa66d8","track":"canary"}: the pods (workload 'bookinfo/reviews-v2') carry no "version" label: add it to the pod labels (e.g. version: v2), or name the label that tells the versions apart with versionLabel`);
    expect(() => make({ ...SUBSETS, stable: CanaryWorkload.fromLabels({ app: 'reviews' }) }))
      .toThrow(`${PATH}: invalid stable {"app":"reviews"}: the pods (labels) carry no "version" label`);
  });

  test('throws when the stable and canary pods carry the same version', () => {
    expect(() => make({ ...SUBSETS, canary: CanaryWorkload.fromLabels({ app: 'reviews-next', version: 'v1' }) }))
      .toThrow(`${PATH}: invalid canary "version=v1": the stable pods (labels) carry the same version label, so both subsets would select the same pods: give the canary pods another version`);
  });

  test('throws when a cookie name or value is not RFC 6265', () => {
    expect(() => make({ ...SUBSETS, canaryMatches: [CanaryMatch.cookie('user id', 'jason')] }))
      .toThrow(`${PATH}: invalid canaryMatches[0].cookie name "user id": a cookie name is an RFC 6265 token`);
    expect(() => make({ ...SUBSETS, canaryMatches: [CanaryMatch.header('x', StringMatch.exact('1')), CanaryMatch.cookie('user', 'a;b')] }))
      .toThrow(`${PATH}: invalid canaryMatches[1].cookie value "a;b": a cookie value is one or more RFC 6265 cookie octets`);
  });

  test('throws (from the VirtualService) when a header match key is not lowercase', () => {
    expect(() => make({ ...SUBSETS, canaryMatches: [CanaryMatch.header('End-User', StringMatch.exact('jason'))] }))
      .toThrow("VirtualService 'bookinfo/reviews/VirtualService': invalid http[0].match[0].headers key \"End-User\"");
  });
});

describe('CanaryRelease checks at validation', () => {
  test('fails validation when a workload\'s version label changes after the CanaryRelease was made', () => {
    const chart = bookinfo();
    const v2 = new kplus.Deployment(chart, 'reviews-v2', {
      containers: [{ image: 'reviews:v2', portNumber: 9080 }],
      podMetadata: { labels: { app: 'reviews', version: 'v2' } },
    });
    make({ ...SUBSETS, canary: CanaryWorkload.fromWorkload(v2) }, chart);
    v2.podMetadata.addLabel('version', 'v3');
    expect(() => Testing.synth(chart))
      .toThrow(`${PATH}: invalid canary "version=v3": the pods (workload 'bookinfo/reviews-v2') carried version=v2 when the CanaryRelease was made, and subset "canary" selects that: set the pod labels before making the CanaryRelease`);
  });

  describe('an ingress route past the split (IST0140)', () => {
    /** Another team's ingress VirtualService routing the host straight to the Service. */
    function ingress(chart: Chart, destination: RouteDestination): void {
      new Gateway(chart, 'public', { metadata: { name: 'public' }, servers: [{ port: { number: 80, protocol: Protocol.HTTP }, hosts: ['*.example.com'] }] });
      new VirtualService(chart, 'ingress', {
        metadata: { name: 'ingress' },
        hosts: ['reviews.example.com'],
        gatewayNames: ['public'],
        http: [{ destinations: [destination] }],
      });
    }

    test('fails validation when another VirtualService bound to a gateway routes the host without a subset', () => {
      const chart = bookinfo();
      make({ ...SUBSETS, canaryWeight: 10 }, chart);
      ingress(chart, RouteDestination.to('reviews.bookinfo.svc.cluster.local'));
      // Istio's analyzer reports the same trap on the manifests, as a warning
      expect(findingsOf(objectsWithoutValidation(chart)).filter(f => f.code === 'IST0140').map(f => `${f.kind}/${f.name}`)).toEqual(['VirtualService/ingress']);
      expect(() => Testing.synth(chart)).toThrow(
        `${PATH}: VirtualService 'bookinfo/ingress' (gateways public) routes host "reviews.bookinfo.svc.cluster.local" at http[0].route[0] past the canary split: `
        + 'a gateway applies only the VirtualServices bound to it, so the split of the mesh VirtualService is ignored for ingress traffic '
        + '(IST0140 IngressRouteRulesNotAffected). Bind the gateway to the CanaryRelease (gateways + gatewayHosts) and drop this route, '
        + 'or give it subset "stable" or "canary" explicitly');
    });

    test('fails validation when the app binds the same gateway to the CanaryRelease and to another VirtualService for the host', () => {
      const chart = bookinfo();
      ingress(chart, RouteDestination.to('reviews'));
      make({ ...SUBSETS, canaryWeight: 10, gatewayNames: ['public'], gatewayHosts: ['reviews.example.com'] }, chart);
      expect(() => Testing.synth(chart)).toThrow(`${PATH}: VirtualService 'bookinfo/ingress' (gateways public) routes host "reviews" at http[0].route[0] past the canary split`);
    });

    test('fails validation for a host-level split, and for raw L1 VirtualServices (tcp routes too)', () => {
      const chart = bookinfo();
      make({ ...HOSTS, canaryWeight: 10 }, chart);
      new l1.VirtualService(chart, 'raw', {
        metadata: { name: 'raw' },
        spec: {
          hosts: ['reviews'],
          gateways: ['istio-system/tcp-gateway'],
          tcp: [{ match: [{ port: 9000 }], route: [{ destination: { host: 'reviews' } }] }],
        },
      });
      expect(() => Testing.synth(chart)).toThrow(
        `${PATH}: VirtualService 'bookinfo/raw' (gateways istio-system/tcp-gateway) routes host "reviews" at tcp[0].route[0] past the canary split: `
        + 'a gateway applies only the VirtualServices bound to it, so the split of the mesh VirtualService is ignored for ingress traffic '
        + '(as IST0140 IngressRouteRulesNotAffected reports for subset splits). Bind the gateway to the CanaryRelease (gateways + gatewayHosts) and drop this route, '
        + 'or route it to the canary host explicitly');
    });

    test('fails validation when a rule is bound to a gateway through its matches', () => {
      const chart = bookinfo();
      make({ ...SUBSETS, canaryWeight: 10 }, chart);
      new VirtualService(chart, 'frontdoor', {
        hosts: ['reviews.example.com'],
        gatewayNames: ['istio-system/public', 'mesh'],
        http: [{ match: [{ gatewayNames: ['istio-system/public'] }], destinations: [RouteDestination.to('reviews')] }],
      });
      expect(() => Testing.synth(chart)).toThrow("VirtualService 'bookinfo/frontdoor' (gateways istio-system/public) routes host \"reviews\" at http[0].route[0]");
    });

    test('passes when the other VirtualService routes the host for the mesh only, or another host', () => {
      const chart = bookinfo();
      make({ ...SUBSETS, canaryWeight: 10 }, chart);
      new VirtualService(chart, 'frontdoor', {
        hosts: ['reviews.example.com'],
        gatewayNames: ['istio-system/public', 'mesh'],
        http: [
          { match: [{ gatewayNames: ['mesh'] }], destinations: [RouteDestination.to('reviews')] },
          { destinations: [RouteDestination.to('reviews.other.svc.cluster.local')] },
        ],
      });
      expect(() => synthValid(chart)).not.toThrow();
    });
  });
});
