import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { analyze, app, deployment, findings, istio } from './fixtures';
import { CrossResourceAnalyzer } from '../../../src/validation/analyzer';
import { FindingLayer, FindingLevel } from '../../../src/validation/findings';

const bookinfo: any[] = parseAllDocuments(fs.readFileSync(path.join(__dirname, 'bookinfo.yaml'), 'utf-8')).map(d => d.toJS());
const summary = (objects: any[], openWorld: boolean) => analyze(objects, { openWorld }).map(f => `${f.level} [${f.code}] ${f.kind} ${f.name} ${f.field ?? ''}`);

describe('bookinfo', () => {
  test('has no Error finding in an open world', () => {
    expect(summary(bookinfo, true)).toEqual([
      // istioctl's documented example of IST0140: the mesh route to subset v1 does not apply to gateway traffic
      'Warning [IST0140] VirtualService bookinfo spec.http[0].route[0].destination.host',
      // destination-rule-all.yaml names versions bookinfo.yaml does not deploy
      'Info [IST0173] DestinationRule ratings spec.subsets[1]',
      'Info [IST0173] DestinationRule ratings spec.subsets[2]',
      'Info [IST0173] DestinationRule ratings spec.subsets[3]',
      'Info [IST0173] DestinationRule details spec.subsets[1]',
    ]);
  });

  test('reports the undeployed subsets as errors in a closed world, as istioctl analyze does', () => {
    expect(summary(bookinfo, false).filter(s => s.startsWith('Error'))).toEqual([
      'Error [IST0173] DestinationRule ratings spec.subsets[1]',
      'Error [IST0173] DestinationRule ratings spec.subsets[2]',
      'Error [IST0173] DestinationRule ratings spec.subsets[3]',
      'Error [IST0173] DestinationRule details spec.subsets[1]',
    ]);
  });
});

describe('open and closed world', () => {
  const route = (host: string) => istio('VirtualService', 'frontend', { hosts: ['frontend'], http: [{ route: [{ destination: { host } }] }] }, 'web');

  test('a reference outside the input is an Error in a closed world', () => {
    const [f] = findings([...app('frontend', { ns: 'web' }), route('orders.shop.svc.cluster.local')], 'IST0101');
    expect(f.level).toBe(FindingLevel.ERROR);
  });

  test('a reference outside the input is Info in an open world', () => {
    const [f] = findings([...app('frontend', { ns: 'web' }), route('orders.shop.svc.cluster.local')], 'IST0101', { openWorld: true });
    expect(f.level).toBe(FindingLevel.INFO);
    expect(f.message).toBe('Referenced host not found: "orders.shop.svc.cluster.local"');
  });

  test('an open world keeps the normal level for a near miss of a known name (a typo)', () => {
    const objects = [...app('frontend', { ns: 'web' }), ...app('orders', { ns: 'shop' }), route('ordres.shop.svc.cluster.local')];
    const [f] = findings(objects, 'IST0101', { openWorld: true });
    expect(f.level).toBe(FindingLevel.ERROR);
    expect(f.message).toBe('Referenced host not found: "ordres.shop.svc.cluster.local"; did you mean "orders.shop.svc.cluster.local"?');
    // a short name is compared with the Services of the VirtualService's own namespace
    expect(findings([...app('frontend', { ns: 'web' }), route('frontnd')], 'IST0101', { openWorld: true })[0].level).toBe(FindingLevel.ERROR);
  });

  // changed with issue 10: the input holding objects of the kind in the namespace no longer makes a missing one an Error
  test('an open world keeps Info for a name unlike any known one, even where the input holds objects of that kind', () => {
    const objects = [...app('frontend', { ns: 'web' }), ...app('orders', { ns: 'shop' }), route('payments.shop.svc.cluster.local')];
    expect(findings(objects, 'IST0101', { openWorld: true })[0].level).toBe(FindingLevel.INFO);
    expect(findings([...app('frontend', { ns: 'web' }), route('catalog')], 'IST0101', { openWorld: true })[0].level).toBe(FindingLevel.INFO);
  });

  test('an open world compares external hosts with the ServiceEntry hosts', () => {
    const se = istio('ServiceEntry', 'github', { hosts: ['api.github.com'], ports: [{ number: 443, name: 'tls', protocol: 'TLS' }], resolution: 'DNS' }, 'web');
    // changed with issue 10: a ServiceEntry for another host in the namespace does not make this one a typo
    expect(findings([...app('frontend', { ns: 'web' }), se, route('api.stripe.com')], 'IST0101', { openWorld: true })[0].level).toBe(FindingLevel.INFO);
    const [typo] = findings([...app('frontend', { ns: 'web' }), se, route('api.githb.com')], 'IST0101', { openWorld: true });
    expect(typo.level).toBe(FindingLevel.ERROR);
    expect(typo.message).toBe('Referenced host not found: "api.githb.com"; did you mean "api.github.com"?');
  });

  test('an open world applies to gateways, subsets, selectors and DestinationRule hosts', () => {
    const objects = [
      istio('VirtualService', 'vs', { hosts: ['a.example.com'], gateways: ['edge/gw'], http: [{ route: [{ destination: { host: 'api.edge.svc.cluster.local', subset: 'v1' } }] }] }, 'web'),
      istio('Sidecar', 'sc', { workloadSelector: { labels: { app: 'x' } } }, 'web'),
      istio('DestinationRule', 'dr', { host: 'api.edge.svc.cluster.local' }, 'web'),
      istio('AuthorizationPolicy', 'ap', { selector: { matchLabels: { app: 'x' } }, rules: [{}] }, 'web'),
    ];
    expect(analyze(objects, { openWorld: true }).map(f => `${f.level} ${f.code} ${f.kind} ${f.field}`)).toEqual([
      'Info IST0101 VirtualService spec.gateways[0]',
      'Info IST0101 VirtualService spec.http[0].route[0].destination.host',
      // changed with issue 10: a DestinationRule in the namespace (for the host, without subsets) does not make the subset a typo
      'Info IST0101 VirtualService spec.http[0].route[0].destination.subset',
      'Info IST0101 Sidecar spec.workloadSelector',
      'Info IST0174 DestinationRule spec.host',
      'Info IST0127 AuthorizationPolicy spec.selector',
    ]);
    expect(analyze(objects).map(f => `${f.level} ${f.code}`)).toEqual([
      'Error IST0101', 'Error IST0101', 'Error IST0101', 'Error IST0101', 'Warning IST0174', 'Warning IST0127',
    ]);
  });

  test('the default installation is assumed in both worlds', () => {
    const objects = [
      istio('Gateway', 'gw', { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] }, 'istio-system'),
      istio('VirtualService', 'egress', { hosts: ['x.example.com'], gateways: ['istio-system/gw'], http: [{ route: [{ destination: { host: 'istio-egressgateway.istio-system.svc.cluster.local', port: { number: 80 } } }] }] }),
    ];
    expect(analyze(objects)).toEqual([]);
    expect(analyze(objects, { openWorld: true })).toEqual([]);
  });

  test('the root namespace comes from the mesh config', () => {
    const objects = [deployment('web', { app: 'web' }, { ns: 'shop' }), istio('AuthorizationPolicy', 'mesh', { selector: { matchLabels: { app: 'web' } }, rules: [{}] }, 'mesh-root')];
    expect(findings(objects, 'IST0127')).toHaveLength(1);
    expect(findings(objects, 'IST0127', { meshConfig: { rootNamespace: 'mesh-root' } })).toEqual([]);
  });
});

describe('findings', () => {
  test('carry the layer, the object and the construct path and file of its source', () => {
    const [f] = CrossResourceAnalyzer.analyze([
      { object: istio('VirtualService', 'vs', { hosts: ['a'], http: [{ route: [{ destination: { host: 'missing' } }] }] }, 'web'), constructPath: 'app/web/vs', file: 'dist/web.k8s.yaml' },
    ]);
    expect(f).toEqual({
      code: 'IST0101',
      level: FindingLevel.ERROR,
      message: 'Referenced host not found: "missing"',
      layer: FindingLayer.ANALYZER,
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      name: 'vs',
      namespace: 'web',
      field: 'spec.http[0].route[0].destination.host',
      constructPath: 'app/web/vs',
      file: 'dist/web.k8s.yaml',
    });
  });

  test('reads List objects', () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [istio('VirtualService', 'vs', { hosts: ['a'], http: [{ route: [{ destination: { host: 'missing' } }] }] })] };
    expect(findings([list], 'IST0101')).toHaveLength(1);
  });

  test('never throws on garbage input', () => {
    const garbage: any[] = [
      null, 42, 'text', [], {}, { kind: 'VirtualService' },
      { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: 'x', spec: 'y' },
      istio('VirtualService', 'a', { hosts: 'x', gateways: [1, null, {}], http: [null, 1, { match: 'm', route: [null, { destination: 7 }], mirror: 'x', mirrors: [1] }], tcp: {}, tls: [{ match: [null] }] }),
      istio('VirtualService', 'b', { hosts: [null], http: [{ match: [{ uri: 'x', headers: 1 }, null] }, { match: [{ uri: { prefix: 3 } }] }] }),
      istio('DestinationRule', 'a', { host: 5, subsets: [null, { name: 1, labels: 'x' }], trafficPolicy: { tls: 'x', portLevelSettings: [null, { tls: { mode: 'SIMPLE' } }] } }),
      istio('DestinationRule', 'b', { host: 'x', subsets: 'y' }),
      istio('Gateway', 'a', { selector: 'x', servers: [null, { port: 'x', hosts: 3 }, { port: { number: 'a' } }] }),
      istio('Gateway', 'b', { selector: { istio: 1 }, servers: 'x' }),
      istio('ServiceEntry', 'a', { hosts: [1], ports: [null, { protocol: 5 }], addresses: 'x', endpoints: 'y', workloadSelector: 'z' }),
      istio('Sidecar', 'a', { workloadSelector: 'x' }), istio('Telemetry', 'a', { selector: { matchLabels: [] } }),
      istio('AuthorizationPolicy', 'a', { selector: 1, rules: [null, { from: [null, { source: { namespaces: 'x', notNamespaces: [1] } }] }] }),
      istio('EnvoyFilter', 'a', { workloadSelector: null }),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc', annotations: 'x' }, spec: { selector: 'x', ports: [null, { port: 'x', name: 7 }] } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 's2' }, spec: { selector: { app: 'x' }, ports: 'x' } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', labels: [] }, spec: { template: { metadata: { labels: { app: 'x' } }, spec: { containers: [null, 1, { securityContext: 'x' }], securityContext: 5 } } } },
      { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { jobTemplate: 'x' } },
      { apiVersion: 'v1', kind: 'Pod', metadata: null, spec: null },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { labels: 'x' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio', namespace: 'istio-system' }, data: { mesh: ': : not yaml [' } },
    ];
    expect(() => CrossResourceAnalyzer.analyze(garbage.map(object => ({ object })))).not.toThrow();
    expect(() => CrossResourceAnalyzer.analyze(garbage.map(object => ({ object })), { openWorld: true, meshConfig: 'x' })).not.toThrow();
    expect(() => CrossResourceAnalyzer.analyze([null as any, undefined as any, {} as any])).not.toThrow();
  });

  test('are deterministic', () => {
    expect(analyze(bookinfo)).toEqual(analyze(bookinfo));
  });
});
