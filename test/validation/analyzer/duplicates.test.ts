import { app, istio } from './fixtures';
import { CrossResourceAnalyzer } from '../../../src/validation/analyzer';
import { Analyzer } from '../../../src/validation/engine';
import { Finding, FindingLevel, ManifestSource } from '../../../src/validation/findings';

/** CDK8S-ISTIO-A002: one object defined twice is applied once by kubectl (the later wins), so it is analyzed once. */

const CODE = 'CDK8S-ISTIO-A002';
const route = (host: string) => ({ route: [{ destination: { host } }] });
const reviews = (host: string, ns?: string) => istio('VirtualService', 'reviews', { hosts: ['reviews'], http: [route(host)] }, ns);
const analyze = (sources: ManifestSource[], openWorld = false): Finding[] => CrossResourceAnalyzer.analyze(sources, { openWorld });
const summary = (found: Finding[]) => found.map(f => `${f.level} ${f.code} ${f.kind} ${f.name} ${f.file ?? ''}`);

describe('CDK8S-ISTIO-A002 DuplicateDefinition', () => {
  test('two files defining one VirtualService: one Warning, the later analyzed only, no IST0109', () => {
    const found = analyze([
      ...app('reviews').map(object => ({ object, file: 'platform.yaml' })),
      // the default namespace written or not is the same object
      { object: reviews('reveiws'), file: 'a/reviews.yaml' },
      { object: reviews('reviews', 'default'), file: 'b/reviews.yaml' },
    ]);
    expect(summary(found)).toEqual(['Warning CDK8S-ISTIO-A002 VirtualService reviews b/reviews.yaml']);
    expect(found[0]).toMatchObject({
      level: FindingLevel.WARNING,
      field: 'metadata.name',
      namespace: 'default',
      message: 'VirtualService default/reviews is defined in a/reviews.yaml and b/reviews.yaml; the later replaces the earlier, as kubectl apply does. Keep one definition (analyzed here: the last).',
    });
  });

  test('the earlier definition is the one dropped', () => {
    const found = analyze([
      ...app('reviews').map(object => ({ object, file: 'platform.yaml' })),
      { object: reviews('reviews'), file: 'a.yaml' },
      { object: reviews('reveiws'), file: 'b.yaml' },
    ]);
    expect(summary(found)).toEqual(['Warning CDK8S-ISTIO-A002 VirtualService reviews b.yaml', 'Error IST0101 VirtualService reviews b.yaml']);
  });

  test('every kind, known to the analyzer or not; cluster-scoped kinds ignore the namespace', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } };
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
    const crd = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'shop' } };
    const found = analyze([
      { object: cm, file: 'a.yaml' }, { object: { ...cm, metadata: { name: 'settings', namespace: 'default' } }, file: 'b.yaml' },
      { object: ns, file: 'a.yaml' }, { object: { ...ns, metadata: { name: 'shop', namespace: 'x' } }, file: 'b.yaml' },
      { object: crd, file: 'a.yaml' }, { object: crd, file: 'c.yaml' },
    ]).filter(f => f.code === CODE);
    expect(found.map(f => f.message.split(';')[0])).toEqual([
      'ConfigMap default/settings is defined in a.yaml and b.yaml',
      'Namespace shop is defined in a.yaml and b.yaml',
      'Widget shop/w is defined in a.yaml and c.yaml',
    ]);
  });

  test('distinct objects stay distinct: another API group, namespace, name or kind', () => {
    const istioGateway = istio('Gateway', 'gateway', { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 8080, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] });
    const apiGateway = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'gateway' }, spec: { gatewayClassName: 'istio', listeners: [] } };
    const found = analyze([
      { object: istioGateway, file: 'a.yaml' }, { object: apiGateway, file: 'b.yaml' },
      { object: reviews('reviews', 'team-a'), file: 'a.yaml' }, { object: reviews('reviews', 'team-b'), file: 'b.yaml' },
      { object: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews' }, spec: {} }, file: 'c.yaml' },
      // the same group in another version is the same object
      { object: { ...istioGateway, apiVersion: 'networking.istio.io/v1beta1' }, file: 'd.yaml' },
    ]).filter(f => f.code === CODE);
    expect(found.map(f => f.message.split(';')[0])).toEqual(['Gateway default/gateway is defined in a.yaml and d.yaml']);
  });

  test('sources without a file: defined twice, with the construct paths or the input positions', () => {
    const byPath = analyze([{ object: reviews('reviews'), constructPath: 'app/a/reviews' }, { object: reviews('reviews'), constructPath: 'app/b/reviews' }]).filter(f => f.code === CODE);
    expect(byPath.map(f => f.message)).toEqual([
      'VirtualService default/reviews is defined twice (app/a/reviews and app/b/reviews); the later replaces the earlier, as kubectl apply does. Keep one definition (analyzed here: the last).',
    ]);
    expect(byPath[0].constructPath).toBe('app/b/reviews');
    const list = { apiVersion: 'v1', kind: 'List', items: [reviews('reviews'), reviews('reviews')] };
    const byPosition = analyze([{ object: reviews('reviews') }, { object: list }]).filter(f => f.code === CODE);
    expect(byPosition.map(f => f.message.split(';')[0])).toEqual([
      'VirtualService default/reviews is defined 3 times (input object 1, input object 2 (item 1) and input object 2 (item 2))',
    ]);
    expect(byPosition[0].message).toContain('the last replaces the others');
  });

  test('twice in one file', () => {
    const found = analyze([{ object: reviews('reviews'), file: 'all.yaml' }, { object: reviews('reviews'), file: 'all.yaml' }]).filter(f => f.code === CODE);
    expect(found.map(f => f.message.split(';')[0])).toEqual(['VirtualService default/reviews is defined twice in all.yaml']);
  });

  test('objects without a name are left alone', () => {
    const unnamed = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'x-' } };
    expect(analyze([{ object: unnamed }, { object: unnamed }]).filter(f => f.code === CODE)).toEqual([]);
  });

  test('the CRD and webhook layers still see each document', () => {
    const bad = istio('VirtualService', 'reviews', { hosts: ['reviews'], http: [{ timeout: '0s', ...route('reviews') }] });
    const found = Analyzer.analyzeSources([{ object: bad, file: 'a.yaml' }, { object: bad, file: 'b.yaml' }], { openWorld: true });
    expect(found.filter(f => f.code === 'CDK8S-ISTIO-CRD002').map(f => f.file)).toEqual(['a.yaml', 'b.yaml']);
    expect(found.filter(f => f.code === CODE).map(f => f.file)).toEqual(['b.yaml']);
  });
});
