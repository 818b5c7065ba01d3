import { ApiObject, Duration, JsonPatch, Testing } from 'cdk8s';
import { findObject, objectsOf, synthValid } from './util';
import { WorkloadSelector } from '../src/core/workload-selector';
import { DestinationRule } from '../src/networking/destination-rule';
import { SimpleLb } from '../src/networking/traffic-load-balancer';
import { ClientTls } from '../src/networking/traffic-tls';

describe('DestinationRule', () => {
  test('defaults: only the host, name derived from the construct path', () => {
    const chart = Testing.chart();
    const dr = new DestinationRule(chart, 'reviews', { host: 'reviews.prod.svc.cluster.local' });
    const out = findObject(synthValid(chart), 'DestinationRule');
    expect(out.apiVersion).toBe('networking.istio.io/v1');
    expect(out.metadata.name).toBe('test-reviews');
    expect(out.spec).toEqual({ host: 'reviews.prod.svc.cluster.local' });
    expect(dr.host).toBe('reviews.prod.svc.cluster.local');
    expect(dr.subsetNames).toEqual([]);
    expect(dr.verifiesServerCertificate).toBe(true);
    expect(dr.warnings).toEqual([]);
  });

  test('every option: metadata, host, trafficPolicy, subsets (labels, selector, policy), exportTo, workloadSelector, add* after construction', () => {
    const chart = Testing.chart();
    const deployment = new ApiObject(chart, 'reviews-v3', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      spec: { selector: { matchLabels: { app: 'reviews' } }, template: { metadata: { labels: { app: 'reviews', version: 'v3' } } } },
    });
    const dr = new DestinationRule(chart, 'dr', {
      metadata: { name: 'reviews', namespace: 'bookinfo', labels: { team: 'books' } },
      host: 'reviews',
      workloadSelector: WorkloadSelector.fromLabels({ app: 'productpage' }),
      exportTo: ['.'],
      trafficPolicy: {
        loadBalancer: { simple: SimpleLb.LEAST_REQUEST },
        tls: ClientTls.mutual({ credentialName: 'reviews-client' }),
        portLevelSettings: [{ port: 9080, connectionPool: { http: { maxRequestsPerConnection: 10 } } }],
      },
      subsets: [
        { name: 'v1', labels: { version: 'v1' } },
        { name: 'v2', labels: { version: 'v2' }, trafficPolicy: { loadBalancer: { simple: SimpleLb.ROUND_ROBIN } } },
      ],
    });
    dr.addSubset('v3', { selector: WorkloadSelector.fromWorkload(deployment) });
    dr.addSubset('all');
    dr.addPortTrafficPolicy({ port: 9443, outlierDetection: { interval: Duration.seconds(10) } });

    const out = findObject(synthValid(chart), 'DestinationRule', 'reviews');
    expect(out.metadata).toEqual({ name: 'reviews', namespace: 'bookinfo', labels: { team: 'books' } });
    expect(out.spec).toEqual({
      host: 'reviews',
      exportTo: ['.'],
      workloadSelector: { matchLabels: { app: 'productpage' } },
      trafficPolicy: {
        loadBalancer: { simple: 'LEAST_REQUEST' },
        tls: { mode: 'MUTUAL', credentialName: 'reviews-client' },
        portLevelSettings: [
          { port: { number: 9080 }, connectionPool: { http: { maxRequestsPerConnection: 10 } } },
          { port: { number: 9443 }, outlierDetection: { interval: '10s' } },
        ],
      },
      subsets: [
        { name: 'v1', labels: { version: 'v1' } },
        { name: 'v2', labels: { version: 'v2' }, trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } } },
        { name: 'v3', labels: { app: 'reviews', version: 'v3' } },
        { name: 'all' },
      ],
    });
    expect(dr.subsetNames).toEqual(['v1', 'v2', 'v3', 'all']);
    expect(dr.namespace).toBe('bookinfo');
    expect(dr.exportTo).toEqual(['.']);
    expect(dr.workloadSelector?.toLabels()).toEqual({ app: 'productpage' });
  });

  test('a subset selector reads labels added to the workload later', () => {
    const chart = Testing.chart();
    const deployment = new ApiObject(chart, 'ratings', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      spec: { selector: { matchLabels: { app: 'ratings' } }, template: { metadata: { labels: { app: 'ratings' } } } },
    });
    new DestinationRule(chart, 'dr', { host: 'ratings', subsets: [{ name: 'v2', selector: WorkloadSelector.fromWorkload(deployment) }] });
    deployment.addJsonPatch(JsonPatch.add('/spec/template/metadata/labels/version', 'v2'));
    const out = findObject(synthValid(chart), 'DestinationRule');
    expect(out.spec.subsets).toEqual([{ name: 'v2', labels: { app: 'ratings', version: 'v2' } }]);
  });

  test('exports to all namespaces or to named ones', () => {
    const chart = Testing.chart();
    new DestinationRule(chart, 'all', { host: 'a.example.com', exportTo: ['*'] });
    new DestinationRule(chart, 'some', { host: 'b.example.com', exportTo: ['.', 'istio-system'] });
    const out = synthValid(chart);
    expect(findObject(out, 'DestinationRule', 'test-all').spec.exportTo).toEqual(['*']);
    expect(findObject(out, 'DestinationRule', 'test-some').spec.exportTo).toEqual(['.', 'istio-system']);
  });

  test('accepts short names, FQDNs with a trailing dot and partial wildcards', () => {
    const chart = Testing.chart();
    for (const [id, host] of [['a', 'reviews'], ['b', 'api.example.com.'], ['c', '*.example.com'], ['d', '*-api.example.com']]) {
      new DestinationRule(chart, id, { host });
    }
    expect(objectsOf(synthValid(chart), 'DestinationRule').map(o => o.spec.host)).toEqual(['reviews', 'api.example.com.', '*.example.com', '*-api.example.com']);
  });

  describe('fromDestinationRuleName', () => {
    test('refers to a rule by name and namespace', () => {
      const chart = Testing.chart();
      const a = DestinationRule.fromDestinationRuleName(chart, 'a', 'reviews', { namespace: 'bookinfo' });
      const b = DestinationRule.fromDestinationRuleName(chart, 'b', 'istio-system/egress');
      const c = DestinationRule.fromDestinationRuleName(chart, 'c', 'ratings');
      expect([a.name, a.namespace]).toEqual(['reviews', 'bookinfo']);
      expect([b.name, b.namespace]).toEqual(['egress', 'istio-system']);
      expect([c.name, c.namespace]).toEqual(['ratings', undefined]);
      expect(synthValid(chart)).toEqual([]);
    });

    test('throws when the namespace is given twice and differs', () => {
      const chart = Testing.chart();
      expect(() => DestinationRule.fromDestinationRuleName(chart, 'x', 'istio-system/egress', { namespace: 'default' }))
        .toThrow('DestinationRule \'test/x\': invalid namespace "default": the name "istio-system/egress" already names namespace "istio-system"');
    });

    test('throws when the name is not a Kubernetes name', () => {
      const chart = Testing.chart();
      expect(() => DestinationRule.fromDestinationRuleName(chart, 'x', 'Reviews'))
        .toThrow('DestinationRule \'test/x\': invalid name "Reviews": a Kubernetes object name (a lower case DNS-1123 subdomain), or namespace/name');
      expect(() => DestinationRule.fromDestinationRuleName(chart, 'y', 'Bad_NS/reviews'))
        .toThrow('DestinationRule \'test/y\': invalid namespace "Bad_NS": a namespace name (a DNS-1123 label)');
    });
  });

  describe('host', () => {
    test('throws when the host is `*`', () => {
      const chart = Testing.chart();
      expect(() => new DestinationRule(chart, 'dr', { host: '*' }))
        .toThrow('DestinationRule \'test/dr\': invalid host "*": a host name or a partial wildcard such as "*.example.com": `*` alone would apply to every host of the mesh');
    });

    test('throws when the host is not a DNS name', () => {
      const chart = Testing.chart();
      expect(() => new DestinationRule(chart, 'a', { host: 'api.*.example.com' }))
        .toThrow('DestinationRule \'test/a\': invalid host "api.*.example.com": a DNS name such as "reviews.prod.svc.cluster.local" or "*.example.com": label "*" is not a DNS-1123 label');
      expect(() => new DestinationRule(chart, 'b', { host: 'reviews_v1' }))
        .toThrow('invalid host "reviews_v1": a DNS name such as "reviews.prod.svc.cluster.local" or "*.example.com": label "reviews_v1" is not a DNS-1123 label');
      expect(() => new DestinationRule(chart, 'c', { host: '' })).toThrow('invalid host "": a DNS name such as "reviews.prod.svc.cluster.local" or "*.example.com": it is empty');
      expect(() => new DestinationRule(chart, 'd', { host: 'example.123' })).toThrow('the top-level domain "123" is all digits');
    });
  });

  describe('subsets', () => {
    test('throws when a subset name is not a DNS-1123 label', () => {
      const chart = Testing.chart();
      const dr = new DestinationRule(chart, 'dr', { host: 'reviews' });
      expect(() => dr.addSubset('V1'))
        .toThrow('DestinationRule \'test/dr\': invalid subsets[0].name "V1": a DNS-1123 label (lower case letters, digits and `-`, at most 63 characters), e.g. "v1"');
      expect(() => new DestinationRule(chart, 'dr2', { host: 'reviews', subsets: [{ name: 'v1.0' }] }))
        .toThrow('DestinationRule \'test/dr2\': invalid subsets[0].name "v1.0": a DNS-1123 label');
    });

    test('throws when a subset name is used twice', () => {
      const chart = Testing.chart();
      const dr = new DestinationRule(chart, 'dr', { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] });
      expect(() => dr.addSubset('v1', { labels: { version: 'v2' } }))
        .toThrow('DestinationRule \'test/dr\': invalid subsets[1].name "v1": a subset of that name already exists; subset names must be unique');
    });

    test('throws when a subset has both labels and a selector', () => {
      const chart = Testing.chart();
      const dr = new DestinationRule(chart, 'dr', { host: 'reviews' });
      expect(() => dr.addSubset('v1', { labels: { version: 'v1' }, selector: WorkloadSelector.fromLabels({ version: 'v1' }) }))
        .toThrow('DestinationRule \'test/dr\': subsets[0].labels and subsets[0].selector exclude each other: give the labels one way');
    });

    test('throws when subset labels are not Kubernetes labels', () => {
      const chart = Testing.chart();
      const dr = new DestinationRule(chart, 'dr', { host: 'reviews' });
      expect(() => dr.addSubset('v1', { labels: { version: 'v1*' } }))
        .toThrow('DestinationRule \'test/dr\': invalid subsets[0].labels {"version":"v1*"}: label value "v1*" of "version" is not a valid label value');
      expect(() => dr.addSubset('v2', { labels: { '': 'x' } })).toThrow('label key "" is not a valid label name');
      expect(() => dr.addSubset('v3', { labels: { 'Example.com/app': 'x' } })).toThrow('label key "Example.com/app" has an invalid prefix');
    });

    test('fails validation when selector labels are not Kubernetes labels', () => {
      const chart = Testing.chart();
      new DestinationRule(chart, 'dr', { host: 'reviews', subsets: [{ name: 'v1', selector: WorkloadSelector.fromLabels({ version: 'v*' }) }] });
      expect(() => Testing.synth(chart))
        .toThrow('DestinationRule \'test/dr\': invalid subsets[0].selector {"version":"v*"}: label value "v*" of "version" is not a valid label value (labels from labels)');
    });
  });

  describe('exportTo', () => {
    test('throws when an entry is not ".", "*" or a namespace', () => {
      const chart = Testing.chart();
      expect(() => new DestinationRule(chart, 'dr', { host: 'reviews', exportTo: ['~'] }))
        .toThrow('DestinationRule \'test/dr\': invalid exportTo "~": "." (this namespace), "*" (all namespaces) or a namespace name');
    });

    test('throws when an entry is listed twice, "." included', () => {
      const chart = Testing.chart();
      expect(() => new DestinationRule(chart, 'a', { metadata: { namespace: 'shop' }, host: 'reviews', exportTo: ['.', 'shop'] }))
        .toThrow('DestinationRule \'test/a\': invalid exportTo [".","shop"]: "shop" is listed twice');
      expect(() => new DestinationRule(chart, 'b', { host: 'reviews', exportTo: ['x', 'x'] }))
        .toThrow('invalid exportTo ["x","x"]: "x" is listed twice');
    });

    test('throws when "*" is combined with other entries', () => {
      const chart = Testing.chart();
      expect(() => new DestinationRule(chart, 'dr', { host: 'reviews', exportTo: ['*', '.'] }))
        .toThrow('DestinationRule \'test/dr\': invalid exportTo ["*","."]: "*" already exports to all namespaces and cannot be combined with other entries');
    });

    test('throws when a rule with a workloadSelector is exported beyond its namespace', () => {
      const chart = Testing.chart();
      expect(() => new DestinationRule(chart, 'dr', { host: 'reviews', workloadSelector: WorkloadSelector.fromLabels({ app: 'a' }), exportTo: ['*'] }))
        .toThrow('DestinationRule \'test/dr\': invalid exportTo ["*"]: a DestinationRule with a workloadSelector can only be exported to its own namespace: use ["."]');
    });
  });

  describe('server certificate verification (IST0128/IST0129)', () => {
    test('SIMPLE without a CA is reported by warnings and verifiesServerCertificate, at every level', () => {
      const chart = Testing.chart();
      const dr = new DestinationRule(chart, 'dr', {
        host: 'api.example.com',
        trafficPolicy: { tls: ClientTls.simple({ sni: 'api.example.com' }), portLevelSettings: [{ port: 8443, tls: ClientTls.mutual({ clientCertificate: '/c.pem', privateKey: '/k.pem' }) }] },
        subsets: [{ name: 'v1', trafficPolicy: { tls: ClientTls.simple() } }],
      });
      synthValid(chart);
      expect(dr.verifiesServerCertificate).toBe(false);
      expect(dr.warnings).toEqual([
        'DestinationRule \'test/dr\': trafficPolicy.tls: mode SIMPLE without caCertificates or credentialName does not verify the server certificate against a CA of yours (IST0128): set caCertificates or credentialName, or insecureSkipVerify: true to opt out explicitly',
        'DestinationRule \'test/dr\': trafficPolicy.portLevelSettings[0].tls: mode MUTUAL without caCertificates or credentialName does not verify the server certificate against a CA of yours (IST0129): set caCertificates or credentialName, or insecureSkipVerify: true to opt out explicitly',
        'DestinationRule \'test/dr\': subsets[0].trafficPolicy.tls: mode SIMPLE without caCertificates or credentialName does not verify the server certificate against a CA of yours (IST0128): set caCertificates or credentialName, or insecureSkipVerify: true to opt out explicitly',
      ]);
    });

    test('a CA, a credentialName or an explicit insecureSkipVerify count as a decision', () => {
      const chart = Testing.chart();
      const dr = new DestinationRule(chart, 'dr', {
        host: 'api.example.com',
        trafficPolicy: {
          tls: ClientTls.simple({ caCertificates: '/etc/ca.pem' }),
          portLevelSettings: [
            { port: 8443, tls: ClientTls.simple({ credentialName: 'api-ca' }) },
            { port: 9443, tls: ClientTls.simple({ insecureSkipVerify: true }) },
            { port: 15443, tls: ClientTls.istioMutual() },
          ],
        },
      });
      synthValid(chart);
      expect(dr.verifiesServerCertificate).toBe(true);
      expect(dr.warnings).toEqual([]);
    });
  });

  describe('rules sharing a host (cross-construct)', () => {
    test('fails validation when two rules for one host and namespace define the same subset (L2 and raw L1)', () => {
      const chart = Testing.chart();
      new DestinationRule(chart, 'a', { metadata: { namespace: 'shop' }, host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] });
      new ApiObject(chart, 'raw', {
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: { name: 'raw', namespace: 'shop' },
        spec: { host: 'reviews.shop.svc.cluster.local', subsets: [{ name: 'v1', labels: { version: 'v1b' } }, { name: 'v2', labels: { version: 'v2' } }] },
      });
      expect(() => Testing.synth(chart)).toThrow(
        'DestinationRule \'test/raw\': subset "v1" of host "reviews.shop.svc.cluster.local" in namespace "shop" is also defined by DestinationRule \'test/a\'; Istio merges the two rules and keeps only one definition: define each subset once');
    });

    test('fails validation when two rules for one host and namespace both set a trafficPolicy', () => {
      const chart = Testing.chart();
      new DestinationRule(chart, 'a', { host: 'reviews.example.com', trafficPolicy: { loadBalancer: { simple: SimpleLb.RANDOM } } });
      new DestinationRule(chart, 'b', { host: 'reviews.example.com', trafficPolicy: { tls: ClientTls.istioMutual() } });
      expect(() => Testing.synth(chart)).toThrow(
        'DestinationRule \'test/b\': trafficPolicy of host "reviews.example.com" is also set by DestinationRule \'test/a\'; Istio merges the two rules and keeps the top-level trafficPolicy of only one: set it in one rule');
    });

    test('rules that split subsets, live in other namespaces or select workloads do not conflict', () => {
      const chart = Testing.chart();
      new DestinationRule(chart, 'a', { metadata: { namespace: 'shop' }, host: 'reviews', trafficPolicy: { loadBalancer: { simple: SimpleLb.RANDOM } }, subsets: [{ name: 'v1' }] });
      new DestinationRule(chart, 'b', { metadata: { namespace: 'shop' }, host: 'reviews', subsets: [{ name: 'v2' }] });
      new DestinationRule(chart, 'c', { metadata: { namespace: 'other' }, host: 'reviews.shop.svc.cluster.local', trafficPolicy: { loadBalancer: { simple: SimpleLb.RANDOM } }, subsets: [{ name: 'v1' }] });
      new DestinationRule(chart, 'd', {
        metadata: { namespace: 'shop' },
        host: 'reviews',
        workloadSelector: WorkloadSelector.fromLabels({ app: 'x' }),
        trafficPolicy: { loadBalancer: { simple: SimpleLb.RANDOM } },
        subsets: [{ name: 'v1' }],
      });
      expect(objectsOf(synthValid(chart), 'DestinationRule')).toHaveLength(4);
    });
  });
});
