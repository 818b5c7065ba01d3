import { ApiObject, App, Chart, Size, Testing } from 'cdk8s';
import { DaemonSet, Deployment, Pod, Service, StatefulSet } from 'cdk8s-plus-32';
import { findObject, objectsOf, synthValid } from './util';
import { Protocol } from '../src/core/protocol';
import { WorkloadSelector } from '../src/core/workload-selector';
import { CanaryRelease } from '../src/patterns/canary-release';
import { CanaryWorkload } from '../src/patterns/canary-workload';
import { CanonicalLabels, MeshWorkload } from '../src/patterns/mesh-workload';
import { IstioValidation } from '../src/validation/app';
import { FindingLevel } from '../src/validation/findings';

function chartIn(namespace: string | undefined = 'shop'): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

/** A cdk8s-plus Deployment `web` with ports 8080 (http) and 9090 (metrics), and its Service (80 -> 8080, 9090). */
function web(chart: Chart): { deployment: Deployment; service: Service } {
  const deployment = new Deployment(chart, 'web', {
    containers: [{ image: 'example/web:1.0', ports: [{ number: 8080, name: 'http' }, { number: 9090, name: 'metrics' }] }],
  });
  const service = deployment.exposeViaService({ name: 'web', ports: [{ port: 80, targetPort: 8080, name: 'web' }, { port: 9090, name: 'metrics' }] });
  return { deployment, service };
}

function l1Deployment(chart: Chart, id: string, template: any, extra: any = {}): ApiObject {
  return new ApiObject(chart, id, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: id },
    spec: { selector: { matchLabels: template.metadata?.labels ?? { name: id } }, template, ...extra },
  });
}

function pod(manifests: any[], kind = 'Deployment'): any {
  const obj = findObject(manifests, kind);
  return kind === 'Pod' ? obj : obj.spec.template;
}

describe('MeshWorkload: what it writes', () => {
  test('a cdk8s-plus Deployment gets the canonical labels, the injection label and holdApplicationUntilProxyStarts', () => {
    const chart = chartIn();
    const { deployment } = web(chart);
    new MeshWorkload(chart, 'mesh', { workload: deployment, version: 'v1' });
    const manifests = synthValid(chart);
    const template = pod(manifests);
    expect(template.metadata.labels).toMatchObject({ 'app': 'web', 'version': 'v1', 'sidecar.istio.io/inject': 'true' });
    expect(template.metadata.annotations).toEqual({ 'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts":true}' });
  });

  test('the Deployment selector is left as it is', () => {
    const chart = chartIn();
    const { deployment } = web(chart);
    const before = ApiObject.of(deployment).toJson().spec.selector;
    new MeshWorkload(chart, 'mesh', { workload: deployment, name: 'shop-web' });
    expect(findObject(synthValid(chart), 'Deployment').spec.selector).toEqual(before);
  });

  test('labels and annotations the workload gets later are kept, and the merged labels are what selectors read', () => {
    const chart = chartIn();
    const { deployment } = web(chart);
    const mesh = new MeshWorkload(chart, 'mesh', { workload: deployment, version: 'v2' });
    deployment.podMetadata.addAnnotation('prometheus.io/scrape', 'true');
    deployment.podMetadata.addLabel('team', 'checkout');
    const template = pod(synthValid(chart));
    expect(template.metadata.annotations['prometheus.io/scrape']).toBe('true');
    expect(template.metadata.labels.team).toBe('checkout');
    expect(mesh.selector.toLabels()).toMatchObject({ app: 'web', version: 'v2', team: 'checkout' });
  });

  test('the name defaults to the canonical label the pod carries, else the workload id', () => {
    const chart = chartIn();
    const labelled = l1Deployment(chart, 'reviews-v1', { metadata: { labels: { 'app.kubernetes.io/name': 'reviews' } }, spec: { containers: [{ name: 'r', image: 'r' }] } });
    const plain = l1Deployment(chart, 'ratings', { metadata: { labels: { name: 'ratings' } }, spec: { containers: [{ name: 'r', image: 'r' }] } });
    expect(new MeshWorkload(chart, 'mesh-reviews', { workload: labelled, canonicalLabels: CanonicalLabels.KUBERNETES }).canonicalName).toBe('reviews');
    expect(new MeshWorkload(chart, 'mesh-ratings', { workload: plain }).canonicalName).toBe('ratings');
    synthValid(chart);
  });

  test.each([
    [CanonicalLabels.APP_VERSION, 'app', 'version'],
    [CanonicalLabels.KUBERNETES, 'app.kubernetes.io/name', 'app.kubernetes.io/version'],
    [CanonicalLabels.ISTIO, 'service.istio.io/canonical-name', 'service.istio.io/canonical-revision'],
  ])('canonicalLabels %s writes %s and %s', (style, nameKey, versionKey) => {
    const chart = chartIn();
    const { deployment } = web(chart);
    new MeshWorkload(chart, 'mesh', { workload: deployment, name: 'web', version: '1.0', canonicalLabels: style });
    const labels = pod(synthValid(chart)).metadata.labels;
    expect([labels[nameKey], labels[versionKey]]).toEqual(['web', '1.0']);
  });

  test('sidecar options become pod annotations', () => {
    const chart = chartIn();
    const { deployment } = web(chart);
    new MeshWorkload(chart, 'mesh', {
      workload: deployment,
      excludeOutboundPorts: [5432],
      excludeOutboundIpRanges: ['169.254.169.254/32', '10.96.0.0/12'],
      includeInboundPorts: [8080, 9090],
      proxyResources: { cpuMillis: 50, memory: Size.mebibytes(64), cpuLimitMillis: 500, memoryLimit: Size.gibibytes(1) },
      holdApplicationUntilProxyStarts: false,
    });
    expect(pod(synthValid(chart)).metadata.annotations).toEqual({
      'traffic.sidecar.istio.io/includeInboundPorts': '8080,9090',
      'traffic.sidecar.istio.io/excludeOutboundPorts': '5432',
      'traffic.sidecar.istio.io/excludeOutboundIPRanges': '169.254.169.254/32,10.96.0.0/12',
      'sidecar.istio.io/proxyCPU': '50m',
      'sidecar.istio.io/proxyMemory': '64Mi',
      'sidecar.istio.io/proxyCPULimit': '500m',
      'sidecar.istio.io/proxyMemoryLimit': '1Gi',
      'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts":false}',
    });
  });

  test('a revision writes istio.io/rev instead of sidecar.istio.io/inject', () => {
    const chart = chartIn();
    const { deployment } = web(chart);
    new MeshWorkload(chart, 'mesh', { workload: deployment, revision: '1-30-3' });
    const labels = pod(synthValid(chart)).metadata.labels;
    expect(labels['istio.io/rev']).toBe('1-30-3');
    expect(labels['sidecar.istio.io/inject']).toBeUndefined();
  });

  test('injection: false writes the opt-out label and no sidecar annotation', () => {
    const chart = chartIn();
    const { deployment } = web(chart);
    new MeshWorkload(chart, 'mesh', { workload: deployment, injection: false });
    const template = pod(synthValid(chart));
    expect(template.metadata.labels['sidecar.istio.io/inject']).toBe('false');
    expect(template.metadata.annotations).toBeUndefined();
  });

  test('a proxy.istio.io/config the pod already has is kept unless holdApplicationUntilProxyStarts is given', () => {
    const chart = chartIn();
    const obj = l1Deployment(chart, 'api', {
      metadata: { labels: { app: 'api' }, annotations: { 'proxy.istio.io/config': '{"terminationDrainDuration":"30s"}' } },
      spec: { containers: [{ name: 'api', image: 'api' }] },
    });
    new MeshWorkload(chart, 'mesh', { workload: obj });
    expect(pod(synthValid(chart)).metadata.annotations).toEqual({ 'proxy.istio.io/config': '{"terminationDrainDuration":"30s"}' });
  });

  test.each([
    ['StatefulSet', (chart: Chart) => new StatefulSet(chart, 'db', { containers: [{ image: 'db', portNumber: 5432 }] })],
    ['DaemonSet', (chart: Chart) => new DaemonSet(chart, 'agent', { containers: [{ image: 'agent' }] })],
    ['Pod', (chart: Chart) => new Pod(chart, 'job', { containers: [{ image: 'job' }] })],
  ])('a cdk8s-plus %s', (kind, make) => {
    const chart = chartIn();
    new MeshWorkload(chart, 'mesh', { workload: make(chart), version: 'v1' });
    const template = pod(synthValid(chart), kind);
    expect(template.metadata.labels).toMatchObject({ 'version': 'v1', 'sidecar.istio.io/inject': 'true' });
  });

  test('an ApiObject Pod without labels or annotations', () => {
    const chart = chartIn();
    const obj = new ApiObject(chart, 'debug', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debug' }, spec: { containers: [{ name: 'd', image: 'd' }] } });
    new MeshWorkload(chart, 'mesh', { workload: obj });
    expect(findObject(synthValid(chart), 'Pod').metadata).toMatchObject({
      labels: { 'app': 'debug', 'sidecar.istio.io/inject': 'true' },
      annotations: { 'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts":true}' },
    });
  });

  test('a CanaryRelease reads the versions MeshWorkload writes', () => {
    const chart = chartIn();
    const v1 = new Deployment(chart, 'reviews-v1', { containers: [{ image: 'reviews:1', portNumber: 9080 }] });
    const v2 = new Deployment(chart, 'reviews-v2', { containers: [{ image: 'reviews:2', portNumber: 9080 }] });
    new MeshWorkload(chart, 'mesh-v1', { workload: v1, name: 'reviews', version: 'v1' });
    new MeshWorkload(chart, 'mesh-v2', { workload: v2, name: 'reviews', version: 'v2' });
    new CanaryRelease(chart, 'canary', { host: 'reviews', stable: CanaryWorkload.fromWorkload(v1), canary: CanaryWorkload.fromWorkload(v2) });
    const dr = findObject(synthValid(chart), 'DestinationRule');
    expect(dr.spec.subsets.map((s: any) => s.labels.version)).toEqual(['v1', 'v2']);
  });
});

describe('MeshWorkload: checks made at once', () => {
  test('throws when the workload is not a Deployment, StatefulSet, DaemonSet or Pod', () => {
    const chart = chartIn();
    const job = new ApiObject(chart, 'job', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'job' }, spec: { template: { spec: { containers: [] } } } });
    expect(() => new MeshWorkload(chart, 'mesh', { workload: job }))
      .toThrow("MeshWorkload 'test/mesh': invalid workload \"Job 'test/job'\": a MeshWorkload takes a Deployment, StatefulSet, DaemonSet, Pod");
  });

  test('throws when the workload has no ApiObject', () => {
    const chart = chartIn();
    expect(() => new MeshWorkload(chart, 'mesh', { workload: chart.node.root }))
      .toThrow("MeshWorkload 'test/mesh': invalid workload \"\": a construct with an ApiObject");
  });

  test('throws when the workload is onboarded twice', () => {
    const chart = chartIn();
    const { deployment } = web(chart);
    new MeshWorkload(chart, 'mesh', { workload: deployment });
    expect(() => new MeshWorkload(chart, 'again', { workload: deployment }))
      .toThrow("MeshWorkload 'test/again': invalid workload \"test/web\": the workload is already onboarded by MeshWorkload 'test/mesh'");
  });

  test('throws when sidecars would be injected in kube-system, kube-public or istio-system', () => {
    const chart = chartIn('istio-system');
    const { deployment } = web(chart);
    expect(() => new MeshWorkload(chart, 'mesh', { workload: deployment }))
      .toThrow("MeshWorkload 'test/mesh': invalid injection true: automatic sidecar injection never happens in namespace istio-system");
    // opted out: fine
    new MeshWorkload(chart, 'out', { workload: deployment, injection: false });
  });

  test('throws when the injection opt-out comes with sidecar options', () => {
    const chart = chartIn();
    const { deployment } = web(chart);
    expect(() => new MeshWorkload(chart, 'mesh', { workload: deployment, injection: false, excludeInboundPorts: [9090], revision: 'canary' }))
      .toThrow("MeshWorkload 'test/mesh': invalid revision \"canary\": injection is false, so the pod gets no sidecar and revision, excludeInboundPorts would be ignored: remove them, or keep the sidecar");
    expect(() => new MeshWorkload(chart, 'hold', { workload: deployment, injection: false, holdApplicationUntilProxyStarts: true }))
      .toThrow(/injection is false, so the pod gets no sidecar and holdApplicationUntilProxyStarts would be ignored: remove it/);
  });

  test('throws when a port the sidecar reserves is excluded or captured', () => {
    const chart = chartIn();
    const { deployment } = web(chart);
    expect(() => new MeshWorkload(chart, 'mesh', { workload: deployment, excludeInboundPorts: [15020] }))
      .toThrow("MeshWorkload 'test/mesh': invalid excludeInboundPorts[0] 15020: the sidecar reserves port 15020 (merged Prometheus telemetry)");
    expect(() => new MeshWorkload(chart, 'mesh2', { workload: deployment, includeInboundPorts: [8080, 15006] }))
      .toThrow(/invalid includeInboundPorts\[1\] 15006: the sidecar reserves port 15006 \(inbound capture\)/);
  });

  test('throws when includeInboundPorts and excludeInboundPorts are combined', () => {
    const chart = chartIn();
    const { deployment } = web(chart);
    expect(() => new MeshWorkload(chart, 'mesh', { workload: deployment, includeInboundPorts: [8080], excludeInboundPorts: [9090] }))
      .toThrow(/invalid excludeInboundPorts \[9090\]: with an includeInboundPorts list only the listed ports are captured/);
  });

  test('throws when a port list is empty, repeats a port or holds an invalid port', () => {
    const chart = chartIn();
    const { deployment } = web(chart);
    expect(() => new MeshWorkload(chart, 'a', { workload: deployment, includeInboundPorts: [] }))
      .toThrow(/invalid includeInboundPorts \[\]: give at least one port \(leave the prop out to capture every port/);
    expect(() => new MeshWorkload(chart, 'b', { workload: deployment, excludeOutboundPorts: [5432, 5432] }))
      .toThrow(/invalid excludeOutboundPorts\[1\] 5432: each port once/);
    expect(() => new MeshWorkload(chart, 'c', { workload: deployment, excludeInboundPorts: [70000] }))
      .toThrow(/invalid excludeInboundPorts\[0\] 70000: a port is an integer from 1 to 65535/);
  });

  test('throws when plaintextToExcludedPorts is given without excluded ports', () => {
    const chart = chartIn();
    const { deployment } = web(chart);
    expect(() => new MeshWorkload(chart, 'mesh', { workload: deployment, plaintextToExcludedPorts: true }))
      .toThrow("MeshWorkload 'test/mesh': invalid plaintextToExcludedPorts true: no inbound port is excluded from capture: give excludeInboundPorts (or includeInboundPorts), or leave the prop out");
  });

  test('throws when an outbound IP range is not a CIDR block, or is everything', () => {
    const chart = chartIn();
    const { deployment } = web(chart);
    expect(() => new MeshWorkload(chart, 'a', { workload: deployment, excludeOutboundIpRanges: ['169.254.169.254'] }))
      .toThrow("MeshWorkload 'test/a': invalid excludeOutboundIpRanges[0] \"169.254.169.254\": a CIDR block such as \"169.254.169.254/32\" or \"10.0.0.0/8\"");
    expect(() => new MeshWorkload(chart, 'b', { workload: deployment, excludeOutboundIpRanges: ['0.0.0.0/0'] }))
      .toThrow(/invalid excludeOutboundIpRanges\[0\] "0.0.0.0\/0": it takes every outbound connection out of the mesh/);
  });

  test('throws when a proxy limit is below its request, or a value is not positive', () => {
    const chart = chartIn();
    const { deployment } = web(chart);
    expect(() => new MeshWorkload(chart, 'a', { workload: deployment, proxyResources: { cpuMillis: 500, cpuLimitMillis: 100 } }))
      .toThrow("MeshWorkload 'test/a': invalid proxyResources.cpuLimitMillis 100: must be at least the request (cpuMillis 500)");
    expect(() => new MeshWorkload(chart, 'b', { workload: deployment, proxyResources: { memory: Size.mebibytes(256), memoryLimit: Size.mebibytes(128) } }))
      .toThrow("MeshWorkload 'test/b': invalid proxyResources.memoryLimit \"128Mi\": must be at least the request (memory 256Mi)");
    expect(() => new MeshWorkload(chart, 'c', { workload: deployment, proxyResources: { cpuMillis: 0.5 } }))
      .toThrow(/invalid proxyResources.cpuMillis 0.5: millicores: a positive integer/);
  });

  test('throws when the name, version or revision is not a label value', () => {
    const chart = chartIn();
    const { deployment } = web(chart);
    expect(() => new MeshWorkload(chart, 'a', { workload: deployment, version: 'v 2' }))
      .toThrow(/invalid version "v 2": a version is a label value/);
    expect(() => new MeshWorkload(chart, 'b', { workload: deployment, name: '-web' }))
      .toThrow(/invalid name "-web": a canonical name is a label value/);
    expect(() => new MeshWorkload(chart, 'c', { workload: deployment, revision: '1.30/3' }))
      .toThrow(/invalid revision "1.30\/3": a revision is a label value/);
  });
});

describe('MeshWorkload: checks at synth', () => {
  test('fails when the pods carry the label with another value (here one the selector matches on)', () => {
    const chart = chartIn();
    const obj = l1Deployment(chart, 'api', { metadata: { labels: { app: 'api-server' } }, spec: { containers: [{ name: 'api', image: 'api' }] } });
    new MeshWorkload(chart, 'mesh', { workload: obj, name: 'api' });
    expect(() => Testing.synth(chart)).toThrow(
      "MeshWorkload 'test/mesh': the workload's pods already carry the label app=\"api-server\" (the workload's selector matches on it, and a selector cannot change), and the MeshWorkload writes \"api\": give name \"api-server\", or remove the label from the workload (spec.template.metadata.labels)");
  });

  test('fails when a label Istio reads first names another service; quiet when it agrees', () => {
    const chart = chartIn();
    const obj = l1Deployment(chart, 'api', { metadata: { labels: { 'name': 'api', 'app.kubernetes.io/name': 'legacy' } }, spec: { containers: [{ name: 'api', image: 'api' }] } });
    new MeshWorkload(chart, 'mesh', { workload: obj, name: 'api' });
    expect(() => Testing.synth(chart)).toThrow(
      "MeshWorkload 'test/mesh': invalid name \"api\": the pods also carry app.kubernetes.io/name=\"legacy\", which Istio reads before app: remove it, or choose canonicalLabels to write app.kubernetes.io/name");

    const ok = chartIn();
    const same = l1Deployment(ok, 'api', { metadata: { labels: { 'name': 'api', 'app.kubernetes.io/name': 'api' } }, spec: { containers: [{ name: 'api', image: 'api' }] } });
    new MeshWorkload(ok, 'mesh', { workload: same });
    synthValid(ok);
  });

  test('fails when an application container runs as UID 1337; quiet for an init container', () => {
    const chart = chartIn();
    const obj = l1Deployment(chart, 'api', {
      metadata: { labels: { app: 'api' } },
      spec: { securityContext: { runAsUser: 1337 }, containers: [{ name: 'api', image: 'api' }] },
    });
    new MeshWorkload(chart, 'mesh', { workload: obj });
    expect(() => Testing.synth(chart)).toThrow(
      "MeshWorkload 'test/mesh': container \"api\" runs as UID 1337 (securityContext.runAsUser), the sidecar's: the sidecar does not capture that UID's traffic");

    const ok = chartIn();
    const cni = l1Deployment(ok, 'api', {
      metadata: { labels: { app: 'api' } },
      spec: { initContainers: [{ name: 'init', image: 'init', securityContext: { runAsUser: 1337 } }], containers: [{ name: 'api', image: 'api', securityContext: { runAsUser: 1000 } }] },
    });
    new MeshWorkload(ok, 'mesh', { workload: cni });
    synthValid(ok);
  });

  test('fails when the pods carry an annotation the MeshWorkload writes with another value, or the opt-out annotation', () => {
    const chart = chartIn();
    const obj = l1Deployment(chart, 'api', {
      metadata: { labels: { app: 'api' }, annotations: { 'traffic.sidecar.istio.io/excludeInboundPorts': '9000', 'sidecar.istio.io/inject': 'false' } },
      spec: { containers: [{ name: 'api', image: 'api' }] },
    });
    new MeshWorkload(chart, 'mesh', { workload: obj, excludeInboundPorts: [9090] });
    expect(() => Testing.synth(chart)).toThrow(/the workload's pods carry the annotation sidecar.istio.io\/inject: "false", which keeps the sidecar out/);
    expect(() => Testing.synth(chart)).toThrow(
      /the workload's pods already carry the annotation traffic.sidecar.istio.io\/excludeInboundPorts: "9000", and the MeshWorkload writes "9090": set it in one place/);
  });
});

describe('MeshWorkload.addService', () => {
  test('declares the protocols with appProtocol', () => {
    const chart = chartIn();
    const { deployment, service } = web(chart);
    const mesh = new MeshWorkload(chart, 'mesh', { workload: deployment });
    mesh.addService(service, [{ port: 80, protocol: Protocol.HTTP }, { port: 9090, protocol: Protocol.HTTP }]);
    const manifests = synthValid(chart);
    expect(findObject(manifests, 'Service', 'web').spec.ports.map((p: any) => p.appProtocol)).toEqual(['http', 'http']);
  });

  test('leaves a port whose name declares the protocol', () => {
    const chart = chartIn();
    const { deployment } = web(chart);
    const mesh = new MeshWorkload(chart, 'mesh', { workload: deployment });
    const grpc = new Service(chart, 'grpc', { metadata: { name: 'grpc' }, selector: deployment, ports: [{ port: 8080, name: 'grpc-api' }] });
    mesh.addService(grpc, [{ port: 8080, protocol: Protocol.GRPC }]);
    expect(findObject(synthValid(chart), 'Service', 'grpc').spec.ports).toEqual([{ name: 'grpc-api', port: 8080 }]);
  });

  test('throws when a port name declares another protocol', () => {
    const chart = chartIn();
    const { deployment } = web(chart);
    const mesh = new MeshWorkload(chart, 'mesh', { workload: deployment });
    const db = new Service(chart, 'db', { selector: deployment, ports: [{ port: 3306, name: 'http-db' }] });
    expect(() => mesh.addService(db, [{ port: 3306, protocol: Protocol.TCP }]))
      .toThrow("MeshWorkload 'test/mesh': invalid addService(test/db).ports[0].protocol \"TCP\": the Service port is named \"http-db\", which declares HTTP: rename the port (e.g. \"tcp-http-db\") or declare HTTP");
  });

  test('throws when the Service has no such port, or the call repeats a Service', () => {
    const chart = chartIn();
    const { deployment, service } = web(chart);
    const mesh = new MeshWorkload(chart, 'mesh', { workload: deployment });
    expect(() => mesh.addService(service, [{ port: 443, protocol: Protocol.HTTPS }]))
      .toThrow("MeshWorkload 'test/mesh': invalid addService(test/web/webService).ports[0].port 443: the Service has no such port (ports: 80, 9090); add it to the Service before addService()");
    mesh.addService(service, [{ port: 80, protocol: Protocol.HTTP }]);
    expect(() => mesh.addService(service, [{ port: 9090, protocol: Protocol.HTTP }]))
      .toThrow(/the Service is already added: declare all its ports in one call/);
  });

  test('throws when one port carries two protocols across Services (IST0116); quiet when they agree', () => {
    const chart = chartIn();
    const { deployment, service } = web(chart);
    const mesh = new MeshWorkload(chart, 'mesh', { workload: deployment });
    mesh.addService(service, [{ port: 80, protocol: Protocol.HTTP }, { port: 9090, protocol: Protocol.HTTP }]);
    const agreeing = new Service(chart, 'metrics', { selector: deployment, ports: [{ port: 9090, name: 'scrape' }] });
    mesh.addService(agreeing, [{ port: 9090, protocol: Protocol.HTTP }]);
    const raw = new Service(chart, 'raw', { selector: deployment, ports: [{ port: 81, targetPort: 8080, name: 'raw' }] });
    expect(() => mesh.addService(raw, [{ port: 81, protocol: Protocol.TCP }]))
      .toThrow("MeshWorkload 'test/mesh': invalid addService(test/raw).ports[0].protocol \"TCP\": workload port 8080 is already HTTP through addService(test/web/webService): one port carries one protocol across the Services of a workload (Istio builds one inbound listener per workload port, IST0116)");
    synthValid(chart);
  });

  test('two workloads behind one Service (stable and canary) declare it alike, or throw', () => {
    const chart = chartIn();
    const template = (image: string) => ({ metadata: { labels: { app: 'reviews' } }, spec: { containers: [{ name: 'reviews', image, ports: [{ containerPort: 9080 }] }] } });
    const v1 = l1Deployment(chart, 'reviews-v1', template('reviews:1'));
    const v2 = l1Deployment(chart, 'reviews-v2', template('reviews:2'));
    const svc = new ApiObject(chart, 'reviews', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews' }, spec: { selector: { app: 'reviews' }, ports: [{ port: 9080 }] } });
    const m1 = new MeshWorkload(chart, 'm1', { workload: v1, version: 'v1' });
    const m2 = new MeshWorkload(chart, 'm2', { workload: v2, version: 'v2' });
    m1.addService(svc, [{ port: 9080, protocol: Protocol.HTTP }]);
    expect(() => m2.addService(svc, [{ port: 9080, protocol: Protocol.GRPC }]))
      .toThrow("MeshWorkload 'test/m2': invalid addService(test/reviews).ports[0].protocol \"GRPC\": MeshWorkload 'test/m1' declared this Service port HTTP");
    m2.addService(svc, [{ port: 9080, protocol: Protocol.HTTP }]);
    expect(findObject(synthValid(chart), 'Service').spec.ports).toEqual([{ port: 9080, appProtocol: 'http' }]);
  });

  test('throws when a Service port sends to a port the sidecar reserves', () => {
    const chart = chartIn();
    const { deployment } = web(chart);
    const mesh = new MeshWorkload(chart, 'mesh', { workload: deployment });
    const svc = new ApiObject(chart, 'bad', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'bad' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 15021 }] } });
    expect(() => mesh.addService(svc, [{ port: 80, protocol: Protocol.HTTP }]))
      .toThrow(/invalid addService\(test\/bad\).ports\[0\].port 80: it sends to workload port 15021, which the sidecar reserves \(health checks\)/);
  });

  test('throws when the Service is in another namespace or is not a Service', () => {
    const chart = chartIn();
    const { deployment } = web(chart);
    const mesh = new MeshWorkload(chart, 'mesh', { workload: deployment });
    const other = new ApiObject(chart, 'other', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'other', namespace: 'billing' }, spec: { ports: [{ port: 80 }] } });
    expect(() => mesh.addService(other, [{ port: 80, protocol: Protocol.HTTP }]))
      .toThrow("MeshWorkload 'test/mesh': invalid addService(test/other) \"billing\": a Service selects pods of its own namespace only; the workload's is shop");
    expect(() => mesh.addService(deployment, [{ port: 80, protocol: Protocol.HTTP }]))
      .toThrow(/invalid addService\(test\/web\) "apps\/v1\/Deployment": a v1 Service/);
  });

  test('fails at synth when the Service does not select the workload', () => {
    const chart = chartIn();
    const { deployment } = web(chart);
    const mesh = new MeshWorkload(chart, 'mesh', { workload: deployment });
    const svc = new ApiObject(chart, 'elsewhere', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'elsewhere' }, spec: { selector: { app: 'other' }, ports: [{ port: 80 }] } });
    mesh.addService(svc, [{ port: 80, protocol: Protocol.HTTP }]);
    expect(() => Testing.synth(chart)).toThrow(/MeshWorkload 'test\/mesh': Service 'test\/elsewhere' does not select the workload's pods \(selector \{"app":"other"\}/);
  });
});

describe('MeshWorkload: excluded inbound ports', () => {
  function build(plaintextToExcludedPorts?: boolean): App {
    const app = Testing.app();
    IstioValidation.enable(app, { strict: true, printWarnings: false });
    const chart = new Chart(app, 'test', { namespace: 'shop' });
    const { deployment, service } = web(chart);
    new ApiObject(chart, 'mtls', { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default' }, spec: { mtls: { mode: 'STRICT' } } });
    const mesh = new MeshWorkload(chart, 'mesh', { workload: deployment, excludeInboundPorts: [9090], plaintextToExcludedPorts });
    mesh.addService(service, [{ port: 80, protocol: Protocol.HTTP }, { port: 9090, protocol: Protocol.HTTP }]);
    return app;
  }

  test('without plaintextToExcludedPorts, validation warns that clients still send mTLS (CDK8S-ISTIO-A013)', () => {
    const app = build();
    const found = IstioValidation.findings(app).filter(f => f.code === 'CDK8S-ISTIO-A013');
    expect(found.map(f => [f.level, f.constructPath])).toEqual([[FindingLevel.WARNING, 'test/web']]);
    expect(() => app.synth()).toThrow(/CDK8S-ISTIO-A013/);
  });

  test('with plaintextToExcludedPorts, a DestinationRule disables TLS on the Service port, and strict synth is quiet', () => {
    const app = build(true);
    const manifests = app.synthYaml();
    expect(manifests).toContain('web-excluded-ports');
    const dr = objectsOf(Testing.synth(app.node.findChild('test') as Chart), 'DestinationRule')[0];
    expect(dr.spec).toEqual({ host: 'web.shop.svc.cluster.local', trafficPolicy: { portLevelSettings: [{ port: { number: 9090 }, tls: { mode: 'DISABLE' } }] } });
    expect(IstioValidation.findings(app).filter(f => f.level !== FindingLevel.INFO)).toEqual([]);
  });

  test('no DestinationRule when no Service sends to an excluded port', () => {
    const chart = chartIn();
    const { deployment, service } = web(chart);
    const mesh = new MeshWorkload(chart, 'mesh', { workload: deployment, excludeInboundPorts: [7000], plaintextToExcludedPorts: true });
    mesh.addService(service, [{ port: 80, protocol: Protocol.HTTP }]);
    expect(mesh.destinationRules).toEqual([]);
    expect(objectsOf(synthValid(chart), 'DestinationRule')).toEqual([]);
  });

  test('with includeInboundPorts, the Service ports sent to other ports are the excluded ones', () => {
    const chart = chartIn();
    const { deployment, service } = web(chart);
    const mesh = new MeshWorkload(chart, 'mesh', { workload: deployment, includeInboundPorts: [8080], plaintextToExcludedPorts: true });
    mesh.addService(service, [{ port: 80, protocol: Protocol.HTTP }, { port: 9090, protocol: Protocol.HTTP }]);
    expect(findObject(synthValid(chart), 'DestinationRule').spec.trafficPolicy.portLevelSettings).toEqual([{ port: { number: 9090 }, tls: { mode: 'DISABLE' } }]);
  });
});

describe('MeshWorkload under strict validation', () => {
  test('a cdk8s-plus Deployment and Service with the defaults synthesize clean', () => {
    const app = new App({ outdir: '/tmp/cdk8s-istio-mesh-workload' });
    IstioValidation.enable(app, { strict: true, printWarnings: false });
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    const { deployment, service } = web(chart);
    new MeshWorkload(chart, 'mesh', { workload: deployment }).addService(service, [{ port: 80, protocol: Protocol.HTTP }, { port: 9090, protocol: Protocol.HTTP }]);
    expect(() => app.synth()).not.toThrow();
    expect(IstioValidation.findings(app).filter(f => f.level !== FindingLevel.INFO)).toEqual([]);
  });

  test('the selector reads the merged labels', () => {
    const chart = chartIn();
    const { deployment } = web(chart);
    new MeshWorkload(chart, 'mesh', { workload: deployment, version: 'v3' });
    expect(WorkloadSelector.fromWorkload(deployment).toLabels()).toMatchObject({ app: 'web', version: 'v3' });
  });
});
