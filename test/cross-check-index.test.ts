/**
 * The contract of the cross-check index (src/core/cross-check.ts): per-instance checks
 * get keyed queries only, each query family is built once per index and only when asked
 * for, checks and the constructs' own validations run once per app.synth() although
 * cdk8s validates the app for every chart, and every object is rendered once per synth.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { CanaryRelease, CanaryWorkload, Gateway, Protocol, RouteDestination, StrictMtlsNamespace, VirtualService } from '../src';
import { addAppCheck, addCrossCheck, addSynthValidation, IndexQueries, ManifestIndex } from '../src/core/cross-check';

function app(): App {
  return new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-')) });
}

function vs(chart: Chart, id: string, spec: any, namespace?: string): ApiObject {
  return new ApiObject(chart, id, { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: id, namespace }, spec });
}

describe('the cross-check index', () => {
  test('a per-instance check gets the keyed queries, not all or ofKind', () => {
    const a = app();
    const chart = new Chart(a, 'c', { namespace: 'ns' });
    const seen: IndexQueries[] = [];
    addCrossCheck(chart, index => {
      seen.push(index);
      return [];
    });
    a.synthYaml();
    expect(seen).toHaveLength(1);
    expect((seen[0] as any).all).toBeUndefined();
    expect((seen[0] as any).ofKind).toBeUndefined();
    expect(Object.isFrozen(seen[0])).toBe(true);
  });

  test('an app-wide check gets the whole index, and addAppCheck registers once per slot', () => {
    const a = app();
    const chart = new Chart(a, 'c');
    new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap' });
    const slot = Symbol('test');
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) addAppCheck(chart, slot, (index: ManifestIndex) => [`${runs.push(index.all.length)}`].filter(() => false));
    a.synthYaml();
    expect(runs).toEqual([1]);
  });

  test('answers keyed queries in tree order', () => {
    const a = app();
    const one = new Chart(a, 'one', { namespace: 'one' });
    const two = new Chart(a, 'two', { namespace: 'two' });
    const pa = (c: Chart, id: string, namespace?: string) => new ApiObject(c, id, { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: id, namespace } });
    pa(one, 'a');
    pa(two, 'b');
    pa(one, 'c');
    pa(two, 'd', 'one');
    vs(one, 'ingress', { hosts: ['x.example.com'], gateways: ['istio-system/public'], http: [{ route: [{ destination: { host: 'reviews' } }, { destination: { host: 'reviews.one.svc.cluster.local', subset: 'v1' } }] }] });
    vs(two, 'other', { hosts: ['y.example.com'], gateways: ['public.istio-system', 'mesh'], tcp: [{ match: [{ gateways: ['mesh'] }], route: [{ destination: { host: 'reviews.one.svc.cluster.local' } }] }] });
    vs(two, 'bare', { hosts: ['z.example.com'], gateways: ['public', 'public'] }, 'istio-system');
    let result: any;
    addCrossCheck(one, index => {
      const names = (l: { apiObject: ApiObject }[]) => l.map(e => e.apiObject.node.id);
      result = {
        inOne: names(index.inNamespace('PeerAuthentication', 'one')),
        inBoth: names(index.inNamespaces('PeerAuthentication', ['two', 'one'])),
        none: names(index.inNamespace('PeerAuthentication', undefined)),
        routes: index.routesTo('reviews.one.svc.cluster.local').map(r => `${r.virtualService.apiObject.node.id} ${r.kind}[${r.rule}].route[${r.route}] ${r.gateways.join(',')}`),
        bound: names(index.boundTo('public', 'istio-system')),
        boundElsewhere: names(index.boundTo('public', 'other')),
        found: names(index.find('VirtualService', 'two', 'other')),
      };
      return [];
    });
    a.synthYaml();
    expect(result).toEqual({
      inOne: ['a', 'c', 'd'],
      inBoth: ['a', 'c', 'b', 'd'],
      none: [],
      routes: ['ingress http[0].route[0] istio-system/public', 'ingress http[0].route[1] istio-system/public', 'other tcp[0].route[0] mesh'],
      bound: ['ingress', 'other', 'bare'],
      boundElsewhere: [],
      found: ['other'],
    });
  });

  test('builds each query family once per index, and only when asked for', () => {
    const a = app();
    const chart = new Chart(a, 'c');
    const family = Symbol('family');
    const unused = Symbol('unused');
    let builds = 0;
    let unusedBuilds = 0;
    for (let i = 0; i < 5; i++) {
      addCrossCheck(new Chart(a, `c${i}`), index => {
        index.memo(family, () => ++builds);
        return [];
      });
    }
    addCrossCheck(chart, index => (false ? [String(index.memo(unused, () => ++unusedBuilds))] : []));
    a.synthYaml();
    expect([builds, unusedBuilds]).toEqual([1, 0]);
    a.synthYaml();
    expect(builds).toBe(2);
  });

  test('a construct\'s own validation runs once per app.synth(), however many charts', () => {
    const a = app();
    const charts = [0, 1, 2, 3].map(i => new Chart(a, `c${i}`));
    charts.forEach((c, i) => new ApiObject(c, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm${i}` } }));
    let runs = 0;
    addSynthValidation(charts[0], () => {
      runs++;
      return [];
    });
    a.synthYaml();
    expect(runs).toBe(1);
    a.synth();
    expect(runs).toBe(2);
  });

  test('every object is rendered once per synth, with the patterns\' cross-checks, and gets its toJson back after', () => {
    const a = app();
    for (const ns of ['one', 'two', 'three']) {
      const chart = new Chart(a, ns, { namespace: ns });
      new StrictMtlsNamespace(chart, 'mtls');
      for (const svc of ['a', 'b']) {
        new CanaryRelease(chart, svc, {
          host: svc,
          stable: CanaryWorkload.fromLabels({ app: svc, version: 'v1' }),
          canary: CanaryWorkload.fromLabels({ app: svc, version: 'v2' }),
          canaryWeight: 10,
        });
      }
      const gw = new Gateway(chart, 'gw', { servers: [{ port: { number: 80, protocol: Protocol.HTTP }, hosts: [`${ns}.example.com`] }] });
      new VirtualService(chart, 'edge', { hosts: [`${ns}.example.com`], gateways: [gw], http: [{ destinations: [RouteDestination.to(`a.${ns}.svc.cluster.local`, { subset: 'stable' })] }] });
    }
    const objects = a.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
    const spy = jest.spyOn(ApiObject.prototype, 'toJson');
    try {
      const yaml = a.synthYaml();
      expect(spy).toHaveBeenCalledTimes(objects.length);
      expect(objects.every(o => !Object.prototype.hasOwnProperty.call(o, 'toJson'))).toBe(true);
      spy.mockClear();
      expect(a.synthYaml()).toBe(yaml);
      expect(spy).toHaveBeenCalledTimes(objects.length);
    } finally {
      spy.mockRestore();
    }
  });

  test('an object that fails to render is left to synth, which reports it', () => {
    const a = app();
    const chart = new Chart(a, 'c');
    const broken = new ApiObject(chart, 'broken', { apiVersion: 'v1', kind: 'ConfigMap' });
    broken.addJsonPatch({ op: 'remove', path: '/nothing/here' } as any);
    addCrossCheck(chart, () => []);
    expect(() => a.synthYaml()).toThrow();
    expect(Object.prototype.hasOwnProperty.call(broken, 'toJson')).toBe(false);
  });
});
