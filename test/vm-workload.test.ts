import { App, Chart, Testing } from 'cdk8s';
import { findObject, objectsOf, synthValid } from './util';
import { Protocol } from '../src/core/protocol';
import { WorkloadEntry } from '../src/networking/workload-entry';
import { WorkloadGroup } from '../src/networking/workload-group';
import { VmWorkload, VmWorkloadProps } from '../src/patterns/vm-workload';
import { IstioValidation } from '../src/validation/app';
import { Analyzer } from '../src/validation/engine';
import { FindingLevel } from '../src/validation/findings';

function chartIn(namespace: string | undefined = 'vm'): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

const BILLING: VmWorkloadProps = {
  hosts: ['billing.vm.example.com'],
  ports: [{ number: 8080, protocol: Protocol.HTTP }],
  serviceAccount: 'billing',
};

describe('VmWorkload', () => {
  test('makes the ServiceAccount, the WorkloadGroup, a WorkloadEntry per VM and the ServiceEntry that selects them', () => {
    const chart = chartIn();
    const vms = new VmWorkload(chart, 'billing', { ...BILLING, version: 'v1', network: 'vm-net', vms: { 'vm-1': { address: '10.0.0.11' } } });
    vms.addVm('vm-2', { address: '10.0.0.12', locality: 'us-east1/us-east1-b', weight: 2, labels: { 'instance-id': 'i-2' } });
    const manifests = synthValid(chart);
    expect(findObject(manifests, 'ServiceAccount').metadata).toEqual({ name: 'billing', namespace: 'vm' });
    expect(findObject(manifests, 'WorkloadGroup').spec).toEqual({
      metadata: { labels: { app: 'billing', version: 'v1' } },
      template: { serviceAccount: 'billing', network: 'vm-net' },
    });
    expect(findObject(manifests, 'ServiceEntry').spec).toEqual({
      hosts: ['billing.vm.example.com'],
      ports: [{ number: 8080, protocol: 'HTTP', name: 'http-8080' }],
      location: 'MESH_INTERNAL',
      resolution: 'STATIC',
      workloadSelector: { labels: { app: 'billing' } },
    });
    expect(objectsOf(manifests, 'WorkloadEntry').map(e => [e.metadata.name, e.spec])).toEqual([
      ['billing-vm-1', { address: '10.0.0.11', labels: { app: 'billing', version: 'v1' }, serviceAccount: 'billing', network: 'vm-net' }],
      ['billing-vm-2', {
        address: '10.0.0.12',
        labels: { 'app': 'billing', 'version': 'v1', 'instance-id': 'i-2' },
        serviceAccount: 'billing',
        network: 'vm-net',
        locality: 'us-east1/us-east1-b',
        weight: 2,
      }],
    ]);
    expect(vms.selector.toLabels()).toEqual({ app: 'billing', version: 'v1' });
    expect(vms.workloadEntries.map(e => e.name)).toEqual(['billing-vm-1', 'billing-vm-2']);
  });

  test('createServiceAccount: false makes no ServiceAccount', () => {
    const chart = chartIn();
    new VmWorkload(chart, 'billing', { ...BILLING, createServiceAccount: false });
    expect(objectsOf(synthValid(chart), 'ServiceAccount')).toEqual([]);
  });

  test('throws when the name is not a DNS label, or labels repeat app/version', () => {
    const chart = chartIn();
    expect(() => new VmWorkload(chart, 'Billing', BILLING))
      .toThrow("VmWorkload 'test/Billing': invalid name \"Billing\": the construct id is used as the name and a name is a DNS label");
    expect(() => new VmWorkload(chart, 'b', { ...BILLING, labels: { app: 'x' } }))
      .toThrow("VmWorkload 'test/b': invalid labels[\"app\"] \"x\": the app label is the name prop");
  });

  test('throws when the service account, hosts or ports are missing or invalid', () => {
    const chart = chartIn();
    expect(() => new VmWorkload(chart, 'a', { ...BILLING, serviceAccount: 'Billing' }))
      .toThrow(/invalid serviceAccount "Billing": a service account name: a DNS subdomain/);
    expect(() => new VmWorkload(chart, 'b', { ...BILLING, hosts: [] }))
      .toThrow(/invalid hosts \[\]: give at least one host the VMs are called by/);
    expect(() => new VmWorkload(chart, 'c', { ...BILLING, ports: [] }))
      .toThrow(/invalid ports \[\]: give at least one port the VMs serve/);
  });

  test('throws when a VM address is not an IP, its id repeats, or its labels change what the ServiceEntry selects', () => {
    const chart = chartIn();
    const vms = new VmWorkload(chart, 'billing', BILLING);
    expect(() => vms.addVm('vm-1', { address: 'vm1.example.com' }))
      .toThrow("VmWorkload 'test/billing': invalid addVm(vm-1).address \"vm1.example.com\": an IP address: the ServiceEntry resolves STATIC, by the IPs of the WorkloadEntries it selects");
    vms.addVm('vm-1', { address: '10.0.0.11' });
    expect(() => vms.addVm('vm-1', { address: '10.0.0.12' })).toThrow(/invalid addVm\(vm-1\) "vm-1": VM ids are unique in a VmWorkload/);
    expect(() => vms.addVm('vm-3', { address: '10.0.0.13', labels: { app: 'other' } }))
      .toThrow("VmWorkload 'test/billing': invalid addVm(vm-3).labels[\"app\"] \"other\": the group's app is \"billing\", which the ServiceEntry selects by: the VM would get no traffic; give this VM other keys");
  });

  test('synthesizes clean under strict validation with its defaults, and the closed-world analysis is quiet', () => {
    const app = new App({ outdir: '/tmp/cdk8s-istio-vm-workload' });
    IstioValidation.enable(app, { strict: true, printWarnings: false });
    const chart = new Chart(app, 'vm', { namespace: 'vm' });
    new VmWorkload(chart, 'billing', { ...BILLING, vms: { 'vm-1': { address: '10.0.0.11' } } });
    expect(() => app.synth()).not.toThrow();
    expect(IstioValidation.findings(app).filter(f => f.level !== FindingLevel.INFO)).toEqual([]);
    const closed = Analyzer.analyze(Testing.synth(chart), { openWorld: false });
    expect(closed.filter(f => f.level !== FindingLevel.INFO)).toEqual([]);
  });

  test('closed world: a service account made elsewhere is reported (CDK8S-ISTIO-A032); at synth (open world) it is Info', () => {
    const chart = chartIn();
    new VmWorkload(chart, 'billing', { ...BILLING, createServiceAccount: false, vms: { 'vm-1': { address: '10.0.0.11' } } });
    const manifests = synthValid(chart);
    const closed = Analyzer.analyze(manifests, { openWorld: false }).filter(f => f.code === 'CDK8S-ISTIO-A032');
    expect(closed.map(f => [f.kind, f.level])).toEqual([['WorkloadGroup', FindingLevel.WARNING], ['WorkloadEntry', FindingLevel.WARNING]]);
    const open = Analyzer.analyze(manifests, { openWorld: true }).filter(f => f.code === 'CDK8S-ISTIO-A032');
    expect(open.map(f => f.level)).toEqual([FindingLevel.INFO, FindingLevel.INFO]);
  });
});

describe('WorkloadEntry', () => {
  test('renders its fields', () => {
    const chart = chartIn();
    new WorkloadEntry(chart, 'db', { metadata: { name: 'db-1' }, address: '10.0.0.5', labels: { app: 'db' }, ports: { 'tcp-3306': 3306 }, serviceAccount: 'db' });
    expect(findObject(synthValid(chart), 'WorkloadEntry').spec).toEqual({ address: '10.0.0.5', labels: { app: 'db' }, ports: { 'tcp-3306': 3306 }, serviceAccount: 'db' });
  });

  test('throws when the address is missing without a network, or invalid', () => {
    const chart = chartIn();
    expect(() => new WorkloadEntry(chart, 'a', {}))
      .toThrow("WorkloadEntry 'test/a': invalid address undefined: a workload entry needs an address (or a network, to be reached through that network's gateway)");
    expect(() => new WorkloadEntry(chart, 'b', { address: 'not an address' }))
      .toThrow(/invalid address "not an address": an IP address, a DNS name with a dot, or unix:\/\/<absolute path>/);
    expect(() => new WorkloadEntry(chart, 'c', { address: 'unix:///var/run/app.sock', ports: { http: 80 } }))
      .toThrow(/invalid ports \{"http":80\}: a unix socket entry takes no ports/);
    new WorkloadEntry(chart, 'd', { network: 'remote' });
  });

  test('throws for bad labels, ports, locality, weight or service account', () => {
    const chart = chartIn();
    expect(() => new WorkloadEntry(chart, 'a', { address: '10.0.0.1', labels: { app: 'a b' } })).toThrow(/invalid labels\["app"\] "a b"/);
    expect(() => new WorkloadEntry(chart, 'b', { address: '10.0.0.1', ports: { HTTP: 80 } })).toThrow(/invalid ports "HTTP": keys are the port names/);
    expect(() => new WorkloadEntry(chart, 'c', { address: '10.0.0.1', locality: 'a/b/c/d' })).toThrow(/invalid locality "a\/b\/c\/d": a locality is "region"/);
    expect(() => new WorkloadEntry(chart, 'd', { address: '10.0.0.1', weight: 0 })).toThrow(/invalid weight 0: a weight is an integer of 1 or more/);
    expect(() => new WorkloadEntry(chart, 'e', { address: '10.0.0.1', serviceAccount: 'A' })).toThrow(/invalid serviceAccount "A"/);
  });
});

describe('WorkloadGroup', () => {
  test('renders labels, annotations and the template', () => {
    const chart = chartIn();
    new WorkloadGroup(chart, 'g', { labels: { app: 'g' }, annotations: { team: 'x' }, template: { serviceAccount: 'g', ports: { http: 8080 } } });
    expect(findObject(synthValid(chart), 'WorkloadGroup').spec).toEqual({
      metadata: { labels: { app: 'g' }, annotations: { team: 'x' } },
      template: { serviceAccount: 'g', ports: { http: 8080 } },
    });
  });

  test('throws when the template carries labels (they belong in labels)', () => {
    const chart = chartIn();
    expect(() => new WorkloadGroup(chart, 'g', { template: { labels: { app: 'g' } } }))
      .toThrow("WorkloadGroup 'test/g': invalid template.labels {\"app\":\"g\"}: Istio takes the labels of the group's workloads from spec.metadata.labels: give them in `labels`");
  });
});
