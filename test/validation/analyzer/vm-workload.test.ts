import { findings, istio, service, single } from './fixtures';
import { FindingLevel } from '../../../src/validation/findings';

const A031 = 'CDK8S-ISTIO-A031';
const A032 = 'CDK8S-ISTIO-A032';

const entry = (name: string, labels: Record<string, string>, ns = 'vm', serviceAccount?: string) =>
  istio('WorkloadEntry', name, { address: '10.0.0.11', labels, ...(serviceAccount ? { serviceAccount } : {}) }, ns);
const serviceEntry = (name: string, labels: Record<string, string>, ns = 'vm') =>
  istio('ServiceEntry', name, {
    hosts: [`${name}.vm.example.com`],
    location: 'MESH_INTERNAL',
    resolution: 'STATIC',
    ports: [{ number: 8080, name: 'http', protocol: 'HTTP' }],
    workloadSelector: { labels },
  }, ns);
const serviceAccount = (name: string, ns = 'vm') => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } });

describe('CDK8S-ISTIO-A031 WorkloadEntryNotSelected', () => {
  test('warns for a WorkloadEntry that no ServiceEntry or Service of its namespace selects', () => {
    const f = single([entry('billing-vm-1', { app: 'billing' }), serviceEntry('billing', { app: 'billng' })], A031);
    expect(f).toMatchObject({ level: FindingLevel.WARNING, kind: 'WorkloadEntry', name: 'billing-vm-1', namespace: 'vm', field: 'spec.labels' });
    expect(f.message).toContain('no ServiceEntry workloadSelector and no Service selector of namespace vm selects this WorkloadEntry\'s labels "app=billing"');
    expect(f.message).toContain('ServiceEntries with a workloadSelector in vm: billing (app=billng)); ServiceEntry billing (app=billng) is a near miss of these labels');
  });

  test('quiet when a ServiceEntry of the namespace selects it', () => {
    expect(findings([entry('billing-vm-1', { app: 'billing', version: 'v1' }), serviceEntry('billing', { app: 'billing' })], A031)).toEqual([]);
  });

  test('quiet when a Kubernetes Service of the namespace selects it', () => {
    expect(findings([entry('billing-vm-1', { app: 'billing' }), service('billing', { ns: 'vm', selector: { app: 'billing' } })], A031)).toEqual([]);
  });

  test('a ServiceEntry of another namespace does not select it', () => {
    expect(findings([entry('billing-vm-1', { app: 'billing' }), serviceEntry('billing', { app: 'billing' }, 'shop')], A031)).toHaveLength(1);
  });

  test('open world: Info, unless a ServiceEntry selector of the namespace is a near miss of the labels', () => {
    expect(single([entry('billing-vm-1', { app: 'billing' })], A031, { openWorld: true }).level).toBe(FindingLevel.INFO);
    expect(single([entry('billing-vm-1', { app: 'billing' }), serviceEntry('other', { app: 'payments' })], A031, { openWorld: true }).level).toBe(FindingLevel.INFO);
    expect(single([entry('billing-vm-1', { app: 'billing' }), serviceEntry('billing', { app: 'billng' })], A031, { openWorld: true }).level).toBe(FindingLevel.WARNING);
  });
});

describe('CDK8S-ISTIO-A032 WorkloadServiceAccountNotFound', () => {
  test('warns for a WorkloadEntry whose service account is not in its namespace, with a near miss', () => {
    const f = single([entry('billing-vm-1', { app: 'billing' }, 'vm', 'billing'), serviceEntry('billing', { app: 'billing' }), serviceAccount('biling')], A032);
    expect(f).toMatchObject({ level: FindingLevel.WARNING, kind: 'WorkloadEntry', field: 'spec.serviceAccount' });
    expect(f.message).toContain('service account "billing" is not in namespace vm; did you mean "biling"?');
    expect(f.message).toContain('spiffe://cluster.local/ns/vm/sa/billing');
  });

  test('warns for a WorkloadGroup template', () => {
    const group = istio('WorkloadGroup', 'billing', { metadata: { labels: { app: 'billing' } }, template: { serviceAccount: 'billing' } }, 'vm');
    expect(single([group], A032)).toMatchObject({ kind: 'WorkloadGroup', field: 'spec.template.serviceAccount' });
  });

  test('quiet when the ServiceAccount is in the namespace, or the account is default', () => {
    expect(findings([entry('a', { app: 'billing' }, 'vm', 'billing'), serviceAccount('billing'), serviceEntry('billing', { app: 'billing' })], A032)).toEqual([]);
    expect(findings([entry('a', { app: 'billing' }, 'vm', 'default')], A032)).toEqual([]);
    expect(findings([entry('a', { app: 'billing' }, 'vm')], A032)).toEqual([]);
  });

  test('a ServiceAccount of another namespace does not count', () => {
    expect(findings([entry('a', { app: 'billing' }, 'vm', 'billing'), serviceAccount('billing', 'shop')], A032)).toHaveLength(1);
  });

  test('open world: Info, unless a ServiceAccount of the namespace is a near miss', () => {
    expect(single([entry('a', { app: 'billing' }, 'vm', 'billing')], A032, { openWorld: true }).level).toBe(FindingLevel.INFO);
    expect(single([entry('a', { app: 'billing' }, 'vm', 'billing'), serviceAccount('payments')], A032, { openWorld: true }).level).toBe(FindingLevel.INFO);
    expect(single([entry('a', { app: 'billing' }, 'vm', 'billing'), serviceAccount('biling')], A032, { openWorld: true }).level).toBe(FindingLevel.WARNING);
  });
});
