import { App, Chart, Testing } from 'cdk8s';
import { Deployment, ServiceAccount } from 'cdk8s-plus-32';
import { findObject, objectsOf, synthValid } from './util';
import { Principal } from '../src/core/principal';
import { WorkloadSelector } from '../src/core/workload-selector';
import { StrictMtlsNamespace } from '../src/patterns/strict-mtls-namespace';
import { MtlsMode } from '../src/security/peer-authentication';

function chartIn(namespace?: string): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

const PLAINTEXT = { source: { notPrincipals: ['*'] } };

describe('StrictMtlsNamespace', () => {
  test('defaults: the Namespace with injection, PeerAuthentication default STRICT, deny-plaintext; no default-deny', () => {
    const chart = chartIn('foo');
    const ns = new StrictMtlsNamespace(chart, 'foo');
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();

    expect(manifests.map(m => `${m.kind}/${m.metadata.name}`)).toEqual([
      'Namespace/foo', 'PeerAuthentication/default', 'AuthorizationPolicy/deny-plaintext',
    ]);
    const namespace = findObject(manifests, 'Namespace');
    expect(namespace).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'foo', labels: { 'istio-injection': 'enabled' } } });
    expect(findObject(manifests, 'PeerAuthentication', 'default')).toMatchObject({ metadata: { namespace: 'foo' }, spec: { mtls: { mode: 'STRICT' } } });
    expect(findObject(manifests, 'AuthorizationPolicy', 'deny-plaintext')).toMatchObject({
      metadata: { namespace: 'foo' },
      spec: { action: 'DENY', rules: [{ from: [PLAINTEXT] }] },
    });

    expect(ns.namespaceName).toBe('foo');
    expect(ns.isMeshWide).toBe(false);
    expect(ns.migration).toBe(false);
    expect(ns.mtlsMode).toBe(MtlsMode.STRICT);
    expect(ns.namespace?.kind).toBe('Namespace');
    expect(ns.peerAuthentication.name).toBe('default');
    expect(ns.denyPlaintextPolicy?.name).toBe('deny-plaintext');
    expect(ns.allowPolicy).toBeUndefined();
    expect(ns.portExceptions).toEqual([]);
    expect(ns.plaintextAllowPolicies).toEqual([]);
  });

  test('the namespace prop wins over the chart\'s; the cluster-scoped Namespace carries no metadata.namespace', () => {
    const chart = chartIn('elsewhere');
    new StrictMtlsNamespace(chart, 'ns', { namespace: 'payments' });
    const manifests = synthValid(chart);
    expect(findObject(manifests, 'Namespace').metadata).toEqual({ name: 'payments', labels: { 'istio-injection': 'enabled' } });
    for (const m of manifests.filter(o => o.kind !== 'Namespace')) expect(m.metadata.namespace).toBe('payments');
  });

  test('revision: istio.io/rev instead of istio-injection (the two exclude each other)', () => {
    const chart = chartIn();
    new StrictMtlsNamespace(chart, 'ns', { namespace: 'foo', revision: '1-30-3' });
    expect(findObject(synthValid(chart), 'Namespace').metadata.labels).toEqual({ 'istio.io/rev': '1-30-3' });
  });

  test('createNamespace: false makes only the policies (the namespace exists)', () => {
    const chart = chartIn('foo');
    const ns = new StrictMtlsNamespace(chart, 'ns', { createNamespace: false });
    const manifests = synthValid(chart);
    expect(ns.namespace).toBeUndefined();
    expect(objectsOf(manifests, 'Namespace')).toEqual([]);
    expect(manifests.map(m => m.kind)).toEqual(['PeerAuthentication', 'AuthorizationPolicy']);
  });

  test('sidecarInjection: false leaves the injection label out; namespaceLabels are added', () => {
    const chart = chartIn('foo');
    new StrictMtlsNamespace(chart, 'ns', { sidecarInjection: false, namespaceLabels: { team: 'payments' } });
    expect(findObject(synthValid(chart), 'Namespace').metadata.labels).toEqual({ team: 'payments' });
  });

  test('migration: PERMISSIVE, no deny-plaintext; a server-first port can be made STRICT', () => {
    const chart = chartIn('legacy');
    const ns = new StrictMtlsNamespace(chart, 'ns', { migration: true, serverFirstPorts: [3306] });
    ns.addPortException({ selector: WorkloadSelector.fromLabels({ app: 'mysql' }), port: 3306, mode: MtlsMode.STRICT });
    const manifests = synthValid(chart);
    expect(ns.mtlsMode).toBe(MtlsMode.PERMISSIVE);
    expect(ns.denyPlaintextPolicy).toBeUndefined();
    expect(objectsOf(manifests, 'AuthorizationPolicy')).toEqual([]);
    expect(findObject(manifests, 'PeerAuthentication', 'default').spec).toEqual({ mtls: { mode: 'PERMISSIVE' } });
    expect(findObject(manifests, 'PeerAuthentication', 'mysql-port-mtls').spec).toEqual({
      selector: { matchLabels: { app: 'mysql' } },
      mtls: { mode: 'PERMISSIVE' },
      portLevelMtls: { 3306: { mode: 'STRICT' } },
    });
  });

  test('denyPlaintext: false leaves the DENY policy out', () => {
    const chart = chartIn('foo');
    const ns = new StrictMtlsNamespace(chart, 'ns', { denyPlaintext: false });
    expect(ns.denyPlaintextPolicy).toBeUndefined();
    expect(objectsOf(synthValid(chart), 'AuthorizationPolicy')).toEqual([]);
  });

  test('defaultDeny alone: ALLOW without rules (allow nothing)', () => {
    const chart = chartIn('foo');
    const ns = new StrictMtlsNamespace(chart, 'ns', { defaultDeny: true });
    expect(ns.allowPolicy?.ruleCount).toBe(0);
    expect(findObject(synthValid(chart), 'AuthorizationPolicy', 'allowlist').spec).toEqual({ action: 'ALLOW' });
  });

  test('allowFrom implies default-deny; allow*() after construction add rules in order', () => {
    const app = Testing.app();
    const frontend = new Chart(app, 'frontend', { namespace: 'frontend' });
    const web = new ServiceAccount(frontend, 'web');
    const chart = new Chart(app, 'test', { namespace: 'foo' });
    new StrictMtlsNamespace(chart, 'frontend', { namespace: 'frontend' }); // the namespace allowed below exists
    const ns = new StrictMtlsNamespace(chart, 'ns', {
      allowFrom: { principals: [Principal.fromServiceAccount(web)], namespaces: ['foo'], serviceAccounts: ['frontend/batch'] },
    });
    ns.allow(Principal.serviceAccount('frontend', 'api'));
    ns.allowNamespaces('frontend');
    ns.allowServiceAccounts('foo/cron');
    const ap = findObject(synthValid(chart), 'AuthorizationPolicy', 'allowlist');
    expect(ap.spec).toEqual({
      action: 'ALLOW',
      rules: [
        { from: [{ source: { principals: [`cluster.local/ns/frontend/sa/${web.name}`] } }, { source: { namespaces: ['foo'] } }, { source: { serviceAccounts: ['frontend/batch'] } }] },
        { from: [{ source: { principals: ['cluster.local/ns/frontend/sa/api'] } }] },
        { from: [{ source: { namespaces: ['frontend'] } }] },
        { from: [{ source: { serviceAccounts: ['foo/cron'] } }] },
      ],
    });
  });

  test('allow*() alone turns default-deny on', () => {
    const chart = chartIn('foo');
    const ns = new StrictMtlsNamespace(chart, 'ns');
    expect(ns.allowPolicy).toBeUndefined();
    ns.allowNamespaces('foo');
    expect(findObject(synthValid(chart), 'AuthorizationPolicy', 'allowlist').spec.rules).toEqual([{ from: [{ source: { namespaces: ['foo'] } }] }]);
  });

  test('port exceptions: one workload PeerAuthentication per selector, opened ports left out of deny-plaintext (sorted)', () => {
    const chart = chartIn('foo');
    const ns = new StrictMtlsNamespace(chart, 'ns');
    const ledger = ns.addPortException({ selector: WorkloadSelector.fromLabels({ app: 'ledger' }), port: 9102, mode: MtlsMode.PERMISSIVE });
    const again = ns.addPortException({ selector: WorkloadSelector.fromLabels({ app: 'ledger' }), port: 8081, mode: MtlsMode.DISABLE });
    ns.addPortException({ selector: WorkloadSelector.fromLabels({ app: 'ledger' }), port: 8081, mode: MtlsMode.DISABLE }); // repeated: no change
    ns.addPortException({ selector: WorkloadSelector.fromLabels({ app: 'ledger' }), port: 5432, mode: MtlsMode.STRICT });
    ns.addPortException({ selector: WorkloadSelector.fromLabels({ app: 'smtp-relay', tier: 'mail' }), port: 25, mode: MtlsMode.DISABLE });
    expect(again).toBe(ledger);
    expect(ns.portExceptions.map(p => p.name)).toEqual(['ledger-port-mtls', 'smtp-relay-mail-port-mtls']);

    const manifests = synthValid(chart);
    expect(findObject(manifests, 'PeerAuthentication', 'ledger-port-mtls').spec).toEqual({
      selector: { matchLabels: { app: 'ledger' } },
      mtls: { mode: 'STRICT' },
      portLevelMtls: { 5432: { mode: 'STRICT' }, 8081: { mode: 'DISABLE' }, 9102: { mode: 'PERMISSIVE' } },
    });
    expect(findObject(manifests, 'PeerAuthentication', 'smtp-relay-mail-port-mtls').spec).toEqual({
      selector: { matchLabels: { app: 'smtp-relay', tier: 'mail' } },
      mtls: { mode: 'STRICT' },
      portLevelMtls: { 25: { mode: 'DISABLE' } },
    });
    // STRICT exceptions change nothing for plaintext: 5432 stays denied
    expect(findObject(manifests, 'AuthorizationPolicy', 'deny-plaintext').spec.rules).toEqual([
      { from: [PLAINTEXT], to: [{ operation: { notPorts: ['25', '8081', '9102'] } }] },
    ]);
    expect(ns.plaintextAllowPolicies).toEqual([]); // no default-deny
    expect(findObject(manifests, 'PeerAuthentication', 'default').spec).toEqual({ mtls: { mode: 'STRICT' } });
  });

  test('under default-deny, opened ports are allowed for plaintext callers on the excepted workloads only, whenever default-deny comes on', () => {
    const chart = chartIn('foo');
    const ns = new StrictMtlsNamespace(chart, 'ns', {
      portExceptions: [{ selector: WorkloadSelector.fromLabels({ app: 'ledger' }), port: 9102, mode: MtlsMode.PERMISSIVE, name: 'ledger-metrics' }],
    });
    ns.allow(Principal.serviceAccount('foo', 'web')); // default-deny comes on after the exception
    ns.addPortException({ selector: WorkloadSelector.fromLabels({ app: 'ledger' }), port: 8081, mode: MtlsMode.DISABLE, name: 'ledger-metrics' });
    ns.addPortException({ selector: WorkloadSelector.fromLabels({ app: 'ledger' }), port: 5432, mode: MtlsMode.STRICT, name: 'ledger-metrics' });
    expect(ns.plaintextAllowPolicies.map(p => p.name)).toEqual(['ledger-metrics']);
    const manifests = synthValid(chart);
    const allow = objectsOf(manifests, 'AuthorizationPolicy').find(ap => ap.metadata.name === 'ledger-metrics');
    expect(allow.spec).toEqual({
      selector: { matchLabels: { app: 'ledger' } },
      action: 'ALLOW',
      rules: [
        { from: [PLAINTEXT], to: [{ operation: { ports: ['9102'] } }] },
        { from: [PLAINTEXT], to: [{ operation: { ports: ['8081'] } }] },
      ],
    });
    expect(findObject(manifests, 'PeerAuthentication', 'ledger-metrics').spec.portLevelMtls)
      .toEqual({ 5432: { mode: 'STRICT' }, 8081: { mode: 'DISABLE' }, 9102: { mode: 'PERMISSIVE' } });
  });

  test('a workload selector reads the pod labels at synth; the name comes from the workload id', () => {
    const chart = chartIn('foo');
    const deployment = new Deployment(chart, 'Ledger', { containers: [{ image: 'ledger:1', portNumber: 8080 }] });
    deployment.podMetadata.addLabel('app', 'ledger');
    const ns = new StrictMtlsNamespace(chart, 'ns');
    ns.addPortException({ selector: WorkloadSelector.fromWorkload(deployment), port: 9102, mode: MtlsMode.PERMISSIVE });
    ns.addPortException({ selector: WorkloadSelector.fromWorkload(deployment), port: 9103, mode: MtlsMode.PERMISSIVE });
    deployment.podMetadata.addLabel('version', 'v1'); // after the exceptions: still selected
    const pa = findObject(synthValid(chart), 'PeerAuthentication', 'ledger-port-mtls');
    expect(pa.spec.selector.matchLabels).toMatchObject({ app: 'ledger', version: 'v1' });
    expect(Object.keys(pa.spec.portLevelMtls)).toEqual(['9102', '9103']);
  });

  test('meshWide: PeerAuthentication default in istio-system; no Namespace, no injection label, no deny-plaintext (it would cut off ingress gateways)', () => {
    const chart = chartIn('ignored');
    const mesh = StrictMtlsNamespace.meshWide(chart, 'mesh');
    const manifests = synthValid(chart);
    expect(mesh.isMeshWide).toBe(true);
    expect(mesh.namespace).toBeUndefined();
    expect(mesh.namespaceName).toBe('istio-system');
    expect(mesh.denyPlaintextPolicy).toBeUndefined();
    expect(manifests).toEqual([{
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: 'istio-system' },
      spec: { mtls: { mode: 'STRICT' } },
    }]);
  });

  test('meshWide: denyPlaintext on demand, in the root namespace', () => {
    const chart = chartIn();
    StrictMtlsNamespace.meshWide(chart, 'mesh', { denyPlaintext: true });
    expect(findObject(synthValid(chart), 'AuthorizationPolicy', 'deny-plaintext')).toMatchObject({
      metadata: { namespace: 'istio-system' },
      spec: { action: 'DENY', rules: [{ from: [PLAINTEXT] }] },
    });
  });

  test('meshWide: rootNamespace, plaintext ports for namespace exceptions, default-deny, migration', () => {
    const chart = chartIn();
    const mesh = StrictMtlsNamespace.meshWide(chart, 'mesh', { rootNamespace: 'mesh-root', denyPlaintext: true, plaintextPorts: [9102], defaultDeny: true });
    mesh.addPlaintextPort(8081);
    mesh.allowNamespaces('mesh-root');
    const manifests = synthValid(chart);
    expect(manifests.every(m => m.metadata.namespace === 'mesh-root')).toBe(true);
    expect(findObject(manifests, 'AuthorizationPolicy', 'deny-plaintext').spec.rules[0].to).toEqual([{ operation: { notPorts: ['8081', '9102'] } }]);
    expect(findObject(manifests, 'AuthorizationPolicy', 'allowlist').spec).toEqual({ action: 'ALLOW', rules: [{ from: [{ source: { namespaces: ['mesh-root'] } }] }] });

    const migrating = chartIn();
    StrictMtlsNamespace.meshWide(migrating, 'mesh', { migration: true });
    expect(synthValid(migrating).map(m => [m.kind, m.spec])).toEqual([['PeerAuthentication', { mtls: { mode: 'PERMISSIVE' } }]]);
  });

  test('a namespace exception and the mesh-wide policy that leaves its port alone pass together', () => {
    const app = new App({ outdir: Testing.app().outdir });
    const mesh = new Chart(app, 'mesh');
    StrictMtlsNamespace.meshWide(mesh, 'mtls', { denyPlaintext: true, plaintextPorts: [9102] });
    const chart = new Chart(app, 'payments', { namespace: 'payments' });
    const ns = new StrictMtlsNamespace(chart, 'mtls');
    ns.addPortException({ selector: WorkloadSelector.fromLabels({ app: 'ledger' }), port: 9102, mode: MtlsMode.PERMISSIVE });
    expect(synthValid(chart).map(m => m.metadata.name)).toContain('ledger-port-mtls');
  });

  test('every option at once', () => {
    const chart = chartIn();
    const ns = new StrictMtlsNamespace(chart, 'ns', {
      namespace: 'payments',
      createNamespace: true,
      sidecarInjection: true,
      revision: 'stable',
      namespaceLabels: { team: 'payments' },
      migration: false,
      denyPlaintext: true,
      defaultDeny: true,
      allowFrom: { principals: [Principal.serviceAccount('payments', 'api')], namespaces: ['payments'], serviceAccounts: ['payments/worker'] },
      serverFirstPorts: [6379],
      portExceptions: [
        { selector: WorkloadSelector.fromLabels({ app: 'ledger' }), port: 9102, mode: MtlsMode.PERMISSIVE, name: 'ledger-metrics' },
        { selector: WorkloadSelector.fromLabels({ app: 'redis' }), port: 6379, mode: MtlsMode.STRICT },
      ],
    });
    const manifests = synthValid(chart);
    expect(manifests.map(m => `${m.kind}/${m.metadata.name}`)).toEqual([
      'Namespace/payments',
      'PeerAuthentication/default',
      'AuthorizationPolicy/deny-plaintext',
      'AuthorizationPolicy/allowlist',
      'PeerAuthentication/ledger-metrics',
      'AuthorizationPolicy/ledger-metrics',
      'PeerAuthentication/redis-port-mtls',
    ]);
    expect(findObject(manifests, 'Namespace').metadata.labels).toEqual({ 'team': 'payments', 'istio.io/rev': 'stable' });
    expect(findObject(manifests, 'AuthorizationPolicy', 'deny-plaintext').spec.rules[0].to).toEqual([{ operation: { notPorts: ['9102'] } }]);
    expect(ns.allowPolicy?.ruleCount).toBe(1);
    expect(ns.plaintextAllowPolicies).toHaveLength(1);
    expect(ns.portExceptions.map(p => p.name)).toEqual(['ledger-metrics', 'redis-port-mtls']);
  });
});
