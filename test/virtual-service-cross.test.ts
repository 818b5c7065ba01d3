import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Chart, Include, Testing } from 'cdk8s';
import { synthValid } from './util';
import * as l1 from '../imports/networking.istio.io';
import { DestinationRule } from '../src/networking/destination-rule';
import { VirtualService } from '../src/networking/virtual-service';
import { MirrorPolicy, RouteDestination } from '../src/networking/vs-destination';

function chart(namespace: string | null = 'bookinfo'): Chart {
  return new Chart(Testing.app(), 'test', { namespace: namespace ?? undefined });
}

/** A raw L1 DestinationRule for a host with these subsets. */
function l1Rule(scope: Chart, id: string, host: string, subsets: string[], namespace?: string): void {
  new l1.DestinationRule(scope, id, {
    metadata: { name: id, namespace },
    spec: { host, subsets: subsets.map(name => ({ name, labels: { version: name } })) },
  });
}

function reviews(scope: Chart, ...destinations: RouteDestination[]): VirtualService {
  return new VirtualService(scope, 'reviews', { hosts: ['reviews'], http: [{ destinations }] });
}

describe('VirtualService cross-checks', () => {
  test('fails validation when a subset is not defined by the app\'s DestinationRule for the host (L1)', () => {
    const c = chart();
    l1Rule(c, 'reviews-dr', 'reviews', ['v1', 'v2']);
    reviews(c, RouteDestination.to('reviews', { subset: 'v1', weight: 50 }), RouteDestination.to('reviews', { subset: 'v3', weight: 50 }));
    expect(() => Testing.synth(c)).toThrow(
      'VirtualService \'test/reviews\': invalid http[0].route[1].destination.subset "v3": no DestinationRule for host "reviews.bookinfo.svc.cluster.local" in this app defines this subset (DestinationRule \'test/reviews-dr\' defines: v1, v2); add the subset or fix the name');
  });

  test('fails validation when a subset is missing from a DestinationRule L2, short and long host names resolved alike', () => {
    const c = chart();
    new DestinationRule(c, 'reviews-rule', { host: 'reviews.bookinfo.svc.cluster.local', subsets: [{ name: 'v1', labels: { version: 'v1' } }] });
    reviews(c, RouteDestination.to('reviews', { subset: 'v2' }));
    expect(() => Testing.synth(c)).toThrow('invalid http[0].route[0].destination.subset "v2": no DestinationRule for host "reviews.bookinfo.svc.cluster.local"');
  });

  test('passes when the subset is defined, by L1 or L2, in the VirtualService\'s namespace', () => {
    const c = chart();
    l1Rule(c, 'reviews-dr', 'reviews', ['v1']);
    new DestinationRule(c, 'ratings-rule', { host: 'ratings', subsets: [{ name: 'v2', labels: { version: 'v2' } }] });
    new VirtualService(c, 'vs', {
      hosts: ['reviews', 'ratings'],
      http: [
        { destinations: [RouteDestination.to('reviews.bookinfo.svc.cluster.local', { subset: 'v1' })] },
        { destinations: [RouteDestination.to('ratings', { subset: 'v2' })] },
      ],
    });
    expect(() => synthValid(c)).not.toThrow();
  });

  test('is lenient: no DestinationRule for the host in the app means no finding', () => {
    const c = chart();
    // (in another namespace: the analyzer layer rightly reports an unknown subset as an
    // Error once the input holds DestinationRules in the namespace searched, IST0101)
    l1Rule(c, 'other', 'details', ['v1'], 'other-team');
    reviews(c, RouteDestination.to('reviews', { subset: 'v9' }));
    expect(() => synthValid(c)).not.toThrow();
  });

  test('is lenient: a DestinationRule of another namespace does not define subsets for a short name here', () => {
    const c = chart();
    l1Rule(c, 'elsewhere', 'reviews', ['v1'], 'other-team');
    reviews(c, RouteDestination.to('reviews', { subset: 'v2' }));
    expect(() => synthValid(c)).not.toThrow();
  });

  test('an object without namespace counts as "default" on both sides', () => {
    const c = chart(null);
    l1Rule(c, 'reviews-dr', 'reviews', ['v1']);
    reviews(c, RouteDestination.to('reviews.default.svc.cluster.local', { subset: 'v2' }));
    expect(() => Testing.synth(c)).toThrow('no DestinationRule for host "reviews.default.svc.cluster.local" in this app defines this subset');
  });

  test('fails validation when a mirror subset is not defined', () => {
    const c = chart();
    l1Rule(c, 'reviews-dr', 'reviews', ['v1']);
    new VirtualService(c, 'vs', {
      hosts: ['reviews'],
      http: [
        { destinations: [RouteDestination.to('reviews', { subset: 'v1' })], mirror: MirrorPolicy.to('reviews', { subset: 'shadow' }) },
        { destinations: [RouteDestination.to('reviews', { subset: 'v1' })], mirrors: [MirrorPolicy.to('reviews', { subset: 'v1' }), MirrorPolicy.to('reviews', { subset: 'v4' })] },
      ],
    });
    expect(() => Testing.synth(c)).toThrow('invalid http[0].mirror.subset "shadow": no DestinationRule for host');
    expect(() => Testing.synth(c)).toThrow('invalid http[1].mirrors[1].destination.subset "v4"');
  });

  test('fails validation when a TCP or TLS destination subset is not defined by a DestinationRule from included YAML', () => {
    const c = chart();
    const dir = mkdtempSync(join(tmpdir(), 'vs-cross-'));
    const file = join(dir, 'dr.yaml');
    writeFileSync(file, [
      'apiVersion: networking.istio.io/v1',
      'kind: DestinationRule',
      'metadata: { name: mysql, namespace: bookinfo }',
      'spec: { host: mysql.bookinfo.svc.cluster.local, subsets: [{ name: primary, labels: { role: primary } }] }',
    ].join('\n'));
    new Include(c, 'included', { url: file });
    new VirtualService(c, 'db', {
      hosts: ['mysql', 'db.example.com'],
      tcp: [{ match: [{ port: 3306 }], destinations: [RouteDestination.to('mysql', { subset: 'replica' })] }],
      tls: [{ match: [{ sniHosts: ['db.example.com'] }], destinations: [RouteDestination.to('mysql', { subset: 'primary' })] }],
    });
    expect(() => Testing.synth(c)).toThrow(
      'invalid tcp[0].route[0].destination.subset "replica": no DestinationRule for host "mysql.bookinfo.svc.cluster.local" in this app defines this subset (DestinationRule \'test/included/mysql-destinationrule-bookinfo\' defines: primary)');
  });

  test('fails validation when a delegate target made in the app has hosts', () => {
    const c = chart();
    const target = new VirtualService(c, 'routes', { metadata: { name: 'reviews-routes' }, hosts: ['reviews'], http: [{ destinations: [RouteDestination.to('reviews')] }] });
    new VirtualService(c, 'root', { hosts: ['bookinfo.example.com'], gatewayNames: ['istio-system/public'], http: [{ delegate: target }] });
    expect(() => Testing.synth(c)).toThrow(
      'VirtualService \'test/root\': invalid http[0].delegate "bookinfo/reviews-routes": VirtualService \'test/routes\' has hosts, and Istio only delegates to a VirtualService without hosts; remove its hosts');
  });

  test('a delegate target without hosts passes', () => {
    const c = chart();
    const target = new VirtualService(c, 'routes', { metadata: { name: 'reviews-routes' }, http: [{ destinations: [RouteDestination.to('reviews')] }] });
    new VirtualService(c, 'root', { hosts: ['bookinfo.example.com'], gatewayNames: ['istio-system/public'], http: [{ delegate: target }] });
    expect(() => synthValid(c)).not.toThrow();
  });
});
