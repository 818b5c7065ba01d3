import { analyze, app, deployment, findings, istio, service, single } from './fixtures';
import { editDistance, isNearMiss, NameIndex } from '../../../src/validation/analyzer/util';
import { FindingLevel } from '../../../src/validation/findings';

/** Issue 10: an unresolved reference is Info in an open world unless it is most likely a typo of a known name. */

const OPEN = { openWorld: true };
const route = (host: string, extra: any = {}) => ({ route: [{ destination: { host, ...extra } }] });
const vs = (name: string, spec: any, ns?: string) => istio('VirtualService', name, spec, ns);

describe('near misses', () => {
  test('edit distance counts a transposition once and stops past the bound', () => {
    expect(editDistance('reviews', 'reveiws', 2)).toBe(1);
    expect(editDistance('reviews', 'review', 2)).toBe(1);
    expect(editDistance('ratings', 'rating', 2)).toBe(1);
    expect(editDistance('productpage', 'details', 2)).toBe(3);
    expect(editDistance('abcdef', 'ghijkl', 2)).toBe(3);
    expect(editDistance('kitten', 'sitting', 3)).toBe(3);
  });

  test('a near miss is a case difference, or 1-2 edits of a long enough name, never a change of digits only', () => {
    expect(isNearMiss('Reviews', 'reviews')).toBe(true);
    expect(isNearMiss('V1', 'v1')).toBe(true);
    expect(isNearMiss('reveiws', 'reviews')).toBe(true);
    expect(isNearMiss('review', 'reviews')).toBe(true);
    expect(isNearMiss('istio-sytem', 'istio-system')).toBe(true);
    // short names are a couple of edits apart from many others
    expect(isNearMiss('v3', 'v1')).toBe(false);
    expect(isNearMiss('db', 'dc')).toBe(false);
    expect(isNearMiss('api', 'app')).toBe(false);
    // 4-5 characters: one edit only
    expect(isNearMiss('cart', 'carts')).toBe(true);
    expect(isNearMiss('cart', 'care')).toBe(true);
    expect(isNearMiss('cart', 'cure')).toBe(false);
    // versions and ordinals of distinct objects
    expect(isNearMiss('orders-v2', 'orders-v1')).toBe(false);
    expect(isNearMiss('svc-4999', 'svc-5000')).toBe(false);
    expect(isNearMiss('reviews', 'reviews')).toBe(false);
    // words of a name: a short word replaced is another object (regions, tiers), a long word mistyped is a typo
    expect(isNearMiss('orders-eu', 'orders-us')).toBe(false);
    expect(isNearMiss('payment-api', 'payment-app')).toBe(false);
    expect(isNearMiss('api-eu.example.com', 'api-us.example.com')).toBe(false);
    expect(isNearMiss('ordres-eu', 'orders-eu')).toBe(true);
    expect(isNearMiss('api.githb.com', 'api.github.com')).toBe(true);
    expect(isNearMiss('productpage', 'product-page')).toBe(true);
  });

  test('the index suggests the case variant first, then the nearest, ties alphabetically', () => {
    const names = new NameIndex();
    for (const n of ['reviews', 'Ratings', 'ratingz', 'details']) names.add('default', n);
    expect(names.nearest('default', 'ratings')).toBe('Ratings');
    expect(names.nearest('default', 'reveiws')).toBe('reviews');
    expect(names.nearest('default', 'detail')).toBe('details');
    expect(names.nearest('default', 'reviews')).toBeUndefined();
    expect(names.nearest('default', 'payments')).toBeUndefined();
    expect(names.nearest('other', 'reveiws')).toBeUndefined();
    expect(names.otherScopes('other', 'reviews')).toEqual(['default']);
  });

  test('a lookup only compares the names that share enough bigrams with the reference', () => {
    const names = new NameIndex();
    for (let i = 0; i < 5000; i++) names.add('team', `orders-${i}`);
    for (let i = 0; i < 1000; i++) expect(names.nearest('team', `payments-${i}`)).toBeUndefined();
    expect(names.compared).toBe(0);
    expect(names.nearest('team', 'ordres-12')).toBe('orders-12');
    expect(names.nearest('team', 'orders-5000')).toBeUndefined();
    // a repeated reference is looked up once
    const before = names.compared;
    names.nearest('team', 'ordres-12');
    expect(names.compared).toBe(before);
  });
});

describe('open world: Info unless a typo, in every kind of reference', () => {
  test('issue 10: a host outside the input stays Info although another file holds a ServiceEntry of the namespace', () => {
    const se = istio('ServiceEntry', 'ext', { hosts: ['httpbin.org'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], resolution: 'DNS' });
    const f = single([se, vs('productpage', { hosts: ['productpage'], http: [route('productpage')] })], 'IST0101', OPEN);
    expect(f.level).toBe(FindingLevel.INFO);
    expect(f.message).toBe('Referenced host not found: "productpage"');
  });

  test('a destination host: a near miss, or the same name in another namespace', () => {
    const typo = single([...app('reviews'), vs('reviews', { hosts: ['reviews'], http: [route('Reviews')] })], 'IST0101', OPEN);
    expect(typo).toMatchObject({ level: FindingLevel.ERROR, message: 'Referenced host not found: "Reviews"; did you mean "reviews"?' });
    const elsewhere = single([...app('productpage', { ns: 'bookinfo' }), vs('pp', { hosts: ['pp.example.com'], http: [route('productpage')] })], 'IST0101', OPEN);
    expect(elsewhere).toMatchObject({ level: FindingLevel.ERROR, message: 'Referenced host not found: "productpage"; did you mean "productpage.bookinfo.svc.cluster.local"?' });
  });

  test('a Service written as Kubernetes DNS resolves it, not as Istio\'s registry knows it', () => {
    for (const host of ['reviews.default', 'reviews.default.svc']) {
      expect(single([...app('reviews'), vs('r', { hosts: ['r.example.com'], http: [route(host)] })], 'IST0101', OPEN)).toMatchObject({
        level: FindingLevel.ERROR, message: `Referenced host not found: "${host}"; did you mean "reviews.default.svc.cluster.local"?`,
      });
    }
  });

  test('two distinct names are no typo when both exist: reviews and review', () => {
    const objects = [...app('reviews'), ...app('review'), vs('r', { hosts: ['r.example.com'], http: [{ route: [{ destination: { host: 'review', port: { number: 9080 } }, weight: 50 }, { destination: { host: 'reviews' }, weight: 50 }] }] })];
    expect(findings(objects, 'IST0101', OPEN)).toEqual([]);
    expect(findings(objects, 'IST0101')).toEqual([]);
  });

  test('versions are no typo: orders-v2 beside orders-v1', () => {
    const f = single([...app('orders-v1'), vs('o', { hosts: ['o.example.com'], http: [route('orders-v2')] })], 'IST0101', OPEN);
    expect(f).toMatchObject({ level: FindingLevel.INFO, message: 'Referenced host not found: "orders-v2"' });
    // nor another region
    expect(single([...app('orders-eu'), vs('o', { hosts: ['o.example.com'], http: [route('orders-us')] })], 'IST0101', OPEN).level).toBe(FindingLevel.INFO);
  });

  test('closed world: the level is unchanged, the message says what was meant', () => {
    const typo = single([...app('reviews'), vs('reviews', { hosts: ['reviews'], http: [route('reveiws')] })], 'IST0101');
    expect(typo).toMatchObject({ level: FindingLevel.ERROR, message: 'Referenced host not found: "reveiws"; did you mean "reviews"?' });
    const unrelated = single([...app('reviews'), vs('reviews', { hosts: ['reviews'], http: [route('payments')] })], 'IST0101');
    expect(unrelated).toMatchObject({ level: FindingLevel.ERROR, message: 'Referenced host not found: "payments"' });
  });

  test('a gateway: a near miss, or the same name in another namespace', () => {
    const gw = istio('Gateway', 'bookinfo-gateway', { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 8080, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] }, 'istio-system');
    const ref = (g: string) => [...app('productpage', { ns: 'bookinfo' }), gw, vs('bookinfo', { hosts: ['*'], gateways: [g], http: [route('productpage')] }, 'bookinfo')];
    expect(single(ref('bookinfo-gateway'), 'IST0101', OPEN)).toMatchObject({
      level: FindingLevel.ERROR, message: 'Referenced gateway not found: "bookinfo-gateway"; did you mean "istio-system/bookinfo-gateway"?',
    });
    expect(single(ref('istio-system/bookinfo-gatewy'), 'IST0101', OPEN)).toMatchObject({
      level: FindingLevel.ERROR, message: 'Referenced gateway not found: "istio-system/bookinfo-gatewy"; did you mean "istio-system/bookinfo-gateway"?',
    });
    expect(single(ref('edge/public'), 'IST0101', OPEN).level).toBe(FindingLevel.INFO);
    expect(findings(ref('istio-system/bookinfo-gateway'), 'IST0101', OPEN)).toEqual([]);
  });

  test('a subset: a case variant only for short names, never v1 for v3', () => {
    const dr = istio('DestinationRule', 'reviews', { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'canary', labels: { version: 'v1' } }] });
    const ref = (subset: string) => [...app('reviews'), dr, vs('reviews', { hosts: ['reviews'], http: [route('reviews', { subset })] })];
    expect(single(ref('V1'), 'IST0101', OPEN)).toMatchObject({ level: FindingLevel.ERROR, message: 'Referenced host+subset in destinationrule not found: "reviews+V1"; did you mean "v1"?' });
    expect(single(ref('canray'), 'IST0101', OPEN)).toMatchObject({ level: FindingLevel.ERROR, message: 'Referenced host+subset in destinationrule not found: "reviews+canray"; did you mean "canary"?' });
    expect(single(ref('v3'), 'IST0101', OPEN)).toMatchObject({ level: FindingLevel.INFO, message: 'Referenced host+subset in destinationrule not found: "reviews+v3"' });
    expect(single(ref('v3'), 'IST0101').level).toBe(FindingLevel.ERROR);
    expect(findings(ref('v1'), 'IST0101', OPEN)).toEqual([]);
  });

  test('a Sidecar or Telemetry selector: a near miss of the labels the workloads carry', () => {
    const sidecar = (labels: any) => istio('Sidecar', 'sc', { workloadSelector: { labels }, egress: [{ hosts: ['./*'] }] });
    expect(single([...app('reviews'), sidecar({ app: 'reveiws' })], 'IST0101', OPEN)).toMatchObject({
      level: FindingLevel.ERROR, message: 'Referenced selector not found: "app=reveiws"; did you mean "app=reviews"? (the workloads of namespace default have app=reviews)',
    });
    expect(single([...app('reviews'), sidecar({ app: 'reviews', versoin: 'v1' })], 'IST0101', OPEN)).toMatchObject({
      level: FindingLevel.ERROR, message: expect.stringContaining('did you mean "app=reviews,version=v1"?'),
    });
    // a short key is a couple of edits away from many others: no typo
    expect(single([...app('reviews'), sidecar({ apps: 'reviews' })], 'IST0101', OPEN).level).toBe(FindingLevel.INFO);
    expect(single([...app('reviews'), sidecar({ app: 'payments' })], 'IST0101', OPEN).level).toBe(FindingLevel.INFO);
    expect(findings([...app('reviews'), sidecar({ app: 'reviews' })], 'IST0101', OPEN)).toEqual([]);
    const telemetry = istio('Telemetry', 't', { selector: { matchLabels: { app: 'Reviews' } }, accessLogging: [{ providers: [{ name: 'envoy' }] }] });
    expect(single([...app('reviews'), telemetry], 'IST0101', OPEN).level).toBe(FindingLevel.ERROR);
  });

  test('a Gateway selector: the default installation\'s labels count', () => {
    const gw = (selector: any) => istio('Gateway', 'gw', { selector, servers: [{ port: { number: 8080, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] });
    expect(single([gw({ istio: 'ingress-gateway' })], 'IST0101', OPEN)).toMatchObject({ level: FindingLevel.ERROR, message: expect.stringContaining('did you mean "istio=ingressgateway"?') });
    expect(single([gw({ app: 'my-gateway' })], 'IST0101', OPEN).level).toBe(FindingLevel.INFO);
  });

  test('a policy selector (IST0127) keeps its Warning for a near miss', () => {
    const ap = (labels: any) => istio('AuthorizationPolicy', 'ap', { selector: { matchLabels: labels }, rules: [{}] });
    expect(single([deployment('web', { app: 'web-frontend' }), ap({ app: 'web-frontnd' })], 'IST0127', OPEN).level).toBe(FindingLevel.WARNING);
    expect(single([deployment('web', { app: 'web-frontend' }), ap({ app: 'billing' })], 'IST0127', OPEN).level).toBe(FindingLevel.INFO);
    // another short word is another workload
    expect(single([deployment('web', { app: 'web-api' }), ap({ app: 'web-app' })], 'IST0127', OPEN).level).toBe(FindingLevel.INFO);
  });

  test('an AuthorizationPolicy source namespace', () => {
    const ap = (ns: string) => istio('AuthorizationPolicy', 'ap', { rules: [{ from: [{ source: { namespaces: [ns] } }] }] });
    expect(single([deployment('web', { app: 'web' }), ap('istio-sytem')], 'IST0101', OPEN)).toMatchObject({
      level: FindingLevel.ERROR, message: 'Referenced namespace not found: "istio-sytem"; did you mean "istio-system"?',
    });
    expect(single([deployment('web', { app: 'web' }), ap('monitoring')], 'IST0101', OPEN).level).toBe(FindingLevel.INFO);
    expect(findings([deployment('web', { app: 'web' }), ap('kube-system')], 'IST0101', OPEN)).toEqual([]);
  });

  test('a DestinationRule host (IST0174)', () => {
    const dr = (host: string) => istio('DestinationRule', 'dr', { host, trafficPolicy: { loadBalancer: { simple: 'LEAST_REQUEST' } } });
    expect(single([...app('ratings'), dr('ratngs')], 'IST0174', OPEN)).toMatchObject({ level: FindingLevel.WARNING, message: expect.stringContaining('Did you mean "ratings"?') });
    expect(single([...app('ratings'), dr('payments')], 'IST0174', OPEN).level).toBe(FindingLevel.INFO);
  });

  test('a Service that exists but is not exported to the namespace keeps its level', () => {
    const hidden = service('private', { ns: 'team-a', annotations: { 'networking.istio.io/exportTo': '.' } });
    const f = single([hidden, vs('caller', { hosts: ['c.example.com'], http: [route('private.team-a.svc.cluster.local')] }, 'team-b')], 'IST0101', OPEN);
    expect(f.level).toBe(FindingLevel.ERROR);
  });

  test('IST0162: a gateway port is checked against the gateway pods\' Services only when the input holds one of them', () => {
    const gw = istio('Gateway', 'gw', { selector: { app: 'edge' }, servers: [{ port: { number: 9443, name: 'https', protocol: 'HTTPS' }, hosts: ['*'], tls: { mode: 'PASSTHROUGH' } }] }, 'edge');
    const pods = deployment('edge', { app: 'edge' }, { ns: 'edge' });
    // changed with issue 10: another Service of the namespace does not make the gateway's own Service known
    expect(single([gw, pods, service('other', { ns: 'edge' })], 'IST0162', OPEN).level).toBe(FindingLevel.INFO);
    expect(single([gw, pods, service('edge', { ns: 'edge', ports: [{ name: 'https', port: 443, targetPort: 8443 }] })], 'IST0162', OPEN).level).toBe(FindingLevel.WARNING);
  });

  test('IST0149: Info in an open world, unless a RequestAuthentication meant for the gateway selects nothing', () => {
    const gw = istio('Gateway', 'gw', { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 8080, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] }, 'istio-system');
    const claims = vs('claims', { hosts: ['*'], gateways: ['istio-system/gw'], http: [{ match: [{ headers: { '@request.auth.claims.group': { exact: 'admin' } } }], ...route('productpage') }] });
    const ra = istio('RequestAuthentication', 'jwt', { selector: { matchLabels: { istio: 'ingress-gateway' } }, jwtRules: [{ issuer: 'https://issuer.example.com' }] }, 'istio-system');
    expect(single([...app('productpage'), gw, claims], 'IST0149', OPEN).level).toBe(FindingLevel.INFO);
    expect(single([...app('productpage'), gw, claims, ra], 'IST0149', OPEN).level).toBe(FindingLevel.ERROR);
    // a RequestAuthentication for workloads elsewhere is no typo
    const other = istio('RequestAuthentication', 'jwt', { selector: { matchLabels: { app: 'billing' } }, jwtRules: [{ issuer: 'https://issuer.example.com' }] }, 'istio-system');
    expect(single([...app('productpage'), gw, claims, other], 'IST0149', OPEN).level).toBe(FindingLevel.INFO);
    expect(single([...app('productpage'), gw, claims], 'IST0149').level).toBe(FindingLevel.ERROR);
  });
});

describe('IST0173 DestinationRuleSubsetNotSelectPods in an open world', () => {
  const subsets = [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }];
  const dr = (s: any[] = subsets) => istio('DestinationRule', 'reviews', { host: 'reviews', subsets: s });
  const toV2 = vs('reviews', { hosts: ['reviews'], http: [route('reviews', { subset: 'v2' })] });

  test('is an Error when the input holds the Service\'s pods and a VirtualService routes to the empty subset', () => {
    const f = single([...app('reviews'), dr(), toV2], 'IST0173', OPEN);
    expect(f).toMatchObject({ level: FindingLevel.ERROR, field: 'spec.subsets[1]' });
    expect(f.message).toBe('The Subset v2 defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream). '
      + 'The pods of reviews have version=v1. A VirtualService routes to subset v2: its requests fail.');
  });

  test('is an Error when the subset\'s labels are a near miss of the pods\' labels', () => {
    const f = single([...app('reviews'), deployment('reviews-v2', { app: 'reviews', version: 'v2' }), dr([{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { verison: 'v2' } }])], 'IST0173', OPEN);
    expect(f.level).toBe(FindingLevel.ERROR);
    expect(f.message).toContain('The pods of reviews have no verison label. Did you mean "version=v2"?');
  });

  test('is Info for a version not deployed and not routed to, and when the input holds no pod of the Service', () => {
    expect(single([...app('reviews'), dr()], 'IST0173', OPEN).level).toBe(FindingLevel.INFO);
    const noPods = findings([service('reviews'), dr(), toV2], 'IST0173', OPEN);
    expect(noPods.map(f => `${f.level} ${f.field}`)).toEqual(['Info spec.subsets[0]', 'Info spec.subsets[1]']);
    expect(noPods[0].message).toBe('The Subset v1 defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream).');
  });

  test('an external ServiceEntry has its endpoints written in it: a subset its endpoints lack is known to be empty', () => {
    const se = istio('ServiceEntry', 'vm', { hosts: ['vm.example.com'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], resolution: 'STATIC', endpoints: [{ address: '10.0.0.1', labels: { version: 'v1' } }] });
    const d = istio('DestinationRule', 'vm', { host: 'vm.example.com', subsets });
    const to = vs('vm', { hosts: ['vm.example.com'], http: [route('vm.example.com', { subset: 'v2' })] });
    expect(single([se, d, to], 'IST0173', OPEN)).toMatchObject({ level: FindingLevel.ERROR, message: expect.stringContaining('The endpoints of ServiceEntry default/vm have version=v1.') });
  });
});

describe('IST0173: Istio\'s endpoint labels (locality, hostname, network, cluster) are not the pods\' own', () => {
  const zone = 'topology.kubernetes.io/zone';

  test('a subset by locality only, or by locality and a label the pods have, passes', () => {
    const objects = [...app('httpbin'), istio('DestinationRule', 'httpbin', {
      host: 'httpbin',
      subsets: [
        { name: 'zone-a', labels: { [zone]: 'us-west-1a' } },
        { name: 'region', labels: { 'topology.kubernetes.io/region': 'us-west-1' } },
        { name: 'v1-in-a', labels: { version: 'v1', [zone]: 'us-west-1a' } },
        { name: 'net', labels: { 'topology.istio.io/network': 'network1', 'kubernetes.io/hostname': 'node-1' } },
      ],
    })];
    expect(findings(objects, 'IST0173')).toEqual([]);
  });

  test('a subset by locality and a label no pod has fails', () => {
    const objects = [...app('httpbin'), istio('DestinationRule', 'httpbin', { host: 'httpbin', subsets: [{ name: 'v2-in-a', labels: { version: 'v2', [zone]: 'us-west-1a' } }] })];
    expect(single(objects, 'IST0173').level).toBe(FindingLevel.ERROR);
  });
});

describe('IST0174: a DestinationRule exported to the namespace that sees the host', () => {
  const hidden = service('private', { ns: 'team-a', annotations: { 'networking.istio.io/exportTo': 'team-b' } });
  const dr = (exportTo?: string[]) => istio('DestinationRule', 'private', { host: 'private.team-a.svc.cluster.local', ...(exportTo ? { exportTo } : {}), trafficPolicy: { loadBalancer: { simple: 'LEAST_REQUEST' } } }, 'team-c');

  test('passes when the DestinationRule is exported to that namespace, or to all', () => {
    expect(findings([hidden, dr(['team-b'])], 'IST0174')).toEqual([]);
    expect(findings([hidden, dr(['*'])], 'IST0174')).toEqual([]);
  });

  test('fails when neither its namespace nor its exportTo sees the host', () => {
    expect(single([hidden, dr()], 'IST0174').level).toBe(FindingLevel.WARNING);
    expect(single([hidden, dr(['.'])], 'IST0174').level).toBe(FindingLevel.WARNING);
  });
});

describe('IST0101: Sidecar egress hosts', () => {
  const sidecar = (hosts: string[], ns = 'bookinfo') => istio('Sidecar', 'default', { egress: [{ hosts }] }, ns);
  const objects = (hosts: string[]) => [
    ...app('reviews', { ns: 'bookinfo' }),
    istio('ServiceEntry', 'ext', { hosts: ['api.example.com'], ports: [{ number: 443, name: 'tls', protocol: 'TLS' }], resolution: 'DNS' }, 'bookinfo'),
    sidecar(hosts),
  ];

  test('pass for wildcards, hosts defined in the namespace named, the installation, and ~', () => {
    const found = findings(objects(['./*', 'istio-system/*', '~/*', 'bookinfo/reviews.bookinfo.svc.cluster.local', './api.example.com', '*/reviews.bookinfo.svc.cluster.local',
      'istio-system/istio-egressgateway.istio-system.svc.cluster.local', 'bookinfo/*.example.com']), 'IST0101');
    expect(found).toEqual([]);
  });

  test('fail for a namespace that does not exist', () => {
    const f = single(objects(['istio-sytem/*']), 'IST0101', OPEN);
    expect(f).toMatchObject({ level: FindingLevel.ERROR, field: 'spec.egress[0].hosts[0]', message: 'Referenced namespace not found: "istio-sytem"; did you mean "istio-system/*"?' });
    expect(single(objects(['monitoring/*']), 'IST0101').level).toBe(FindingLevel.ERROR);
    expect(single(objects(['monitoring/*']), 'IST0101', OPEN).level).toBe(FindingLevel.INFO);
  });

  test('fail for a host the namespace named does not define', () => {
    expect(single(objects(['bookinfo/reveiws.bookinfo.svc.cluster.local']), 'IST0101', OPEN)).toMatchObject({
      level: FindingLevel.ERROR,
      message: 'Referenced host not found: "bookinfo/reveiws.bookinfo.svc.cluster.local": no Service, ServiceEntry or VirtualService of namespace bookinfo defines reveiws.bookinfo.svc.cluster.local; did you mean "bookinfo/reviews.bookinfo.svc.cluster.local"?',
    });
    // the ServiceEntry lives in bookinfo, not in istio-system
    expect(single(objects(['istio-system/api.example.com']), 'IST0101', OPEN)).toMatchObject({ level: FindingLevel.ERROR, message: expect.stringContaining('did you mean "bookinfo/api.example.com"?') });
    expect(single(objects(['./api.stripe.com']), 'IST0101', OPEN).level).toBe(FindingLevel.INFO);
  });

  test('a VirtualService host of the namespace counts', () => {
    const routed = [...objects(['./reviews.example.com']), vs('reviews', { hosts: ['reviews.example.com'], http: [route('reviews')] }, 'bookinfo')];
    expect(findings(routed, 'IST0101')).toEqual([]);
  });
});

test('every finding of the folder-less cases is deterministic', () => {
  const objects = [...app('reviews'), vs('reviews', { hosts: ['reviews'], http: [route('reveiws'), route('Reviews')] })];
  expect(analyze(objects, OPEN)).toEqual(analyze(objects, OPEN));
});
