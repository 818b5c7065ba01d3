import { deployment, findings, istio, namespace, single } from './fixtures';
import { FindingLevel } from '../../../src/validation/findings';

const sidecar = (name: string, labels?: Record<string, string>, ns?: string) =>
  istio('Sidecar', name, { ...(labels ? { workloadSelector: { labels } } : {}), egress: [{ hosts: ['./*'] }] }, ns);
const telemetry = (name: string, labels?: Record<string, string>, ns?: string) =>
  istio('Telemetry', name, { ...(labels ? { selector: { matchLabels: labels } } : {}), accessLogging: [{ providers: [{ name: 'envoy' }] }] }, ns);

describe('Sidecar selectors', () => {
  test('IST0111: fails validation when two Sidecars of a namespace have no selector', () => {
    const found = findings([sidecar('a'), sidecar('b')], 'IST0111');
    expect(found.map(f => f.name)).toEqual(['a', 'b']);
    expect(found[0].level).toBe(FindingLevel.ERROR);
    expect(found[0].message).toBe('The Sidecars [a b] in namespace "default" have no workload selector, which can lead to undefined behavior.');
  });

  test('IST0110: fails validation when two Sidecars select one workload', () => {
    const objects = [deployment('web', { app: 'web', tier: 'front' }), sidecar('a', { app: 'web' }), sidecar('b', { tier: 'front' })];
    const found = findings(objects, 'IST0110');
    expect(found.map(f => f.name)).toEqual(['a', 'b']);
    expect(found[0]).toMatchObject({ level: FindingLevel.ERROR, field: 'spec.workloadSelector' });
    expect(found[0].message).toBe('The Sidecars [a b] in namespace "default" select the same workload pod "web", which can lead to undefined behavior.');
  });

  test('IST0101: fails validation when a Sidecar selects no workload of its namespace', () => {
    const f = single([deployment('web', { app: 'web' }, { ns: 'other' }), sidecar('a', { app: 'web' })], 'IST0101');
    expect(f).toMatchObject({ level: FindingLevel.ERROR, kind: 'Sidecar', field: 'spec.workloadSelector' });
    expect(f.message).toBe('Referenced selector not found: "app=web"');
  });

  test('passes for one default and disjoint selectors in each namespace', () => {
    const objects = [
      deployment('web', { app: 'web' }), deployment('api', { app: 'api' }),
      sidecar('default'), sidecar('web', { app: 'web' }), sidecar('api', { app: 'api' }), sidecar('default', undefined, 'other'),
    ];
    expect(findings(objects, 'IST0111')).toEqual([]);
    expect(findings(objects, 'IST0110')).toEqual([]);
    expect(findings(objects, 'IST0101')).toEqual([]);
  });
});

describe('Telemetry selectors', () => {
  test('IST0160: fails validation when two Telemetries of a namespace have no selector', () => {
    const found = findings([telemetry('a'), telemetry('b')], 'IST0160');
    expect(found[0].level).toBe(FindingLevel.ERROR);
    expect(found[0].message).toBe('The Telemetries [a b] in namespace "default" have no workload selector, which can lead to undefined behavior.');
  });

  test('IST0159: fails validation when two Telemetries select one workload', () => {
    const f = findings([deployment('web', { app: 'web' }), telemetry('a', { app: 'web' }), telemetry('b', { app: 'web' })], 'IST0159');
    expect(f.map(x => x.name)).toEqual(['a', 'b']);
    expect(f[0].message).toBe('The Telemetries [a b] in namespace "default" select the same workload pod "web", which can lead to undefined behavior.');
  });

  test('IST0101: fails validation when a Telemetry selects no workload', () => {
    expect(single([telemetry('a', { app: 'ghost' })], 'IST0101').message).toBe('Referenced selector not found: "app=ghost"');
  });

  test('passes for a default, a selected workload and a targetRefs Telemetry', () => {
    const objects = [
      deployment('web', { app: 'web' }), telemetry('default'), telemetry('web', { app: 'web' }),
      istio('Telemetry', 'waypoint', { targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'waypoint' }], tracing: [{ randomSamplingPercentage: 10 }] }),
    ];
    expect(findings(objects, 'IST0160')).toEqual([]);
    expect(findings(objects, 'IST0159')).toEqual([]);
    expect(findings(objects, 'IST0101')).toEqual([]);
  });
});

describe('IST0127 NoMatchingWorkloadsFound', () => {
  test('fails validation when an AuthorizationPolicy selects no workload', () => {
    const f = single([deployment('web', { app: 'web' }), istio('AuthorizationPolicy', 'allow', { selector: { matchLabels: { app: 'api' } }, rules: [{}] })], 'IST0127');
    expect(f).toMatchObject({ level: FindingLevel.WARNING, kind: 'AuthorizationPolicy', field: 'spec.selector' });
    expect(f.message).toBe('No matching workloads for this resource with the following labels: app=api (the workloads of namespace default have app=web)');
  });

  test('fails validation when a namespace-wide AuthorizationPolicy has no workload in its namespace', () => {
    const f = single([istio('AuthorizationPolicy', 'deny-all', {}, 'empty')], 'IST0127');
    expect(f.message).toBe('No matching workloads for this resource with the following labels: ');
  });

  test('fails validation when a RequestAuthentication or PeerAuthentication selects no workload', () => {
    const objects = [
      istio('RequestAuthentication', 'jwt', { selector: { matchLabels: { app: 'api' } }, jwtRules: [{ issuer: 'https://i.example.com' }] }),
      istio('PeerAuthentication', 'strict', { selector: { matchLabels: { app: 'api' } }, mtls: { mode: 'STRICT' } }),
    ];
    expect(findings(objects, 'IST0127').map(f => f.kind)).toEqual(['RequestAuthentication', 'PeerAuthentication']);
  });

  test('passes for a root-namespace policy selecting a workload of any namespace, and for targetRefs', () => {
    const objects = [
      deployment('web', { app: 'web' }, { ns: 'shop' }),
      istio('AuthorizationPolicy', 'mesh', { selector: { matchLabels: { app: 'web' } }, action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin'] } }] }] }, 'istio-system'),
      istio('AuthorizationPolicy', 'ns-wide', {}, 'shop'),
      istio('AuthorizationPolicy', 'mesh-wide', {}, 'istio-system'),
      istio('AuthorizationPolicy', 'waypoint', { targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'waypoint' }] }, 'shop'),
    ];
    expect(findings(objects, 'IST0127')).toEqual([]);
  });
});

describe('IST0101 ReferencedResourceNotFound (AuthorizationPolicy namespaces)', () => {
  const policy = (namespaces: string[]) => istio('AuthorizationPolicy', 'from', { rules: [{ from: [{ source: { namespaces } }] }] }, 'shop');

  test('fails validation when a source namespace does not exist', () => {
    const f = single([deployment('web', { app: 'web' }, { ns: 'shop' }), policy(['frontend'])], 'IST0101');
    expect(f).toMatchObject({ level: FindingLevel.ERROR, field: 'spec.rules[0].from[0].source.namespaces[0]' });
    expect(f.message).toBe('Referenced namespace not found: "frontend"');
  });

  test('passes for Namespace objects, namespaces objects live in, system namespaces and patterns', () => {
    const objects = [deployment('web', { app: 'web' }, { ns: 'shop' }), namespace('frontend'), policy(['frontend', 'shop', 'istio-system', 'front*', '*end', '*'])];
    expect(findings(objects, 'IST0101')).toEqual([]);
  });
});
