import { ApiObject, App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-32';
import { deployment, findings, istio, namespace, service, single } from './fixtures';
import { WorkloadSelector } from '../../../src/core/workload-selector';
import { StrictMtlsNamespace } from '../../../src/patterns/strict-mtls-namespace';
import { MtlsMode } from '../../../src/security/peer-authentication';
import { IstioValidation } from '../../../src/validation/app';
import { FindingLevel } from '../../../src/validation/findings';

const A013 = 'CDK8S-ISTIO-A013';
const A014 = 'CDK8S-ISTIO-A014';
const A015 = 'CDK8S-ISTIO-A015';

const EXCLUDE = { 'traffic.sidecar.istio.io/excludeInboundPorts': '9090' };
const metricsApp = (annotations: Record<string, string> = EXCLUDE, ns?: string) => [
  deployment('api', { app: 'api' }, { ns, annotations }),
  service('api', { ns, ports: [{ name: 'http', port: 8080 }, { name: 'http-metrics', port: 9090 }] }),
];
const strict = (ns: string, selector?: Record<string, string>, portLevelMtls?: any) =>
  istio('PeerAuthentication', selector ? 'api' : 'default', { ...(selector ? { selector: { matchLabels: selector } } : {}), mtls: { mode: 'STRICT' }, ...(portLevelMtls ? { portLevelMtls } : {}) }, ns);

describe('CDK8S-ISTIO-A013 ExcludedInboundPortGetsMtls', () => {
  test('warns for an excluded inbound port that a Service sends to, under STRICT (namespace or mesh) and by default', () => {
    const f = single([...metricsApp(), strict('default')], A013);
    expect(f).toMatchObject({ level: FindingLevel.WARNING, kind: 'Deployment', name: 'api', field: 'spec.template.metadata.annotations' });
    expect(f.message).toContain('port 9090 is excluded from inbound capture');
    expect(f.message).toContain('through Service default/api port 9090');
    expect(f.message).toContain('STRICT mTLS (namespace default)');
    expect(f.message).toContain('portLevelSettings [{ port: { number: 9090 }, tls: { mode: DISABLE } }]');
    expect(single([...metricsApp(), strict('istio-system')], A013).message).toContain('STRICT mTLS (mesh-wide)');
    // PERMISSIVE (the default): clients with a sidecar still pick mTLS
    expect(findings(metricsApp(), A013)).toHaveLength(1);
  });

  test('an includeInboundPorts list leaves the other Service target ports uncaptured too', () => {
    const f = single(metricsApp({ 'traffic.sidecar.istio.io/includeInboundPorts': '8080' }), A013);
    expect(f.message).toContain('port 9090 is excluded from inbound capture (not in traffic.sidecar.istio.io/includeInboundPorts)');
    expect(findings(metricsApp({ 'traffic.sidecar.istio.io/includeInboundPorts': '*' }), A013)).toEqual([]);
    expect(findings(metricsApp({ 'traffic.sidecar.istio.io/includeInboundPorts': '8080,9090' }), A013)).toEqual([]);
  });

  test('a port-level PeerAuthentication exception does not help: clients ignore it', () => {
    const objects = [...metricsApp(), strict('default'), strict('default', { app: 'api' }, { 9090: { mode: 'DISABLE' } })];
    expect(findings(objects, A013)).toHaveLength(1);
  });

  test('quiet with a DestinationRule that disables TLS for the port, a DISABLE namespace, no Service on the port, no annotation, or no sidecar', () => {
    const dr = (tls: any) => istio('DestinationRule', 'api', { host: 'api', trafficPolicy: tls });
    expect(findings([...metricsApp(), strict('default'), dr({ portLevelSettings: [{ port: { number: 9090 }, tls: { mode: 'DISABLE' } }] })], A013)).toEqual([]);
    expect(findings([...metricsApp(), dr({ tls: { mode: 'DISABLE' } })], A013)).toEqual([]);
    // a DestinationRule for another port does not help
    expect(findings([...metricsApp(), dr({ portLevelSettings: [{ port: { number: 8080 }, tls: { mode: 'DISABLE' } }] })], A013)).toHaveLength(1);
    expect(findings([...metricsApp(), istio('PeerAuthentication', 'default', { mtls: { mode: 'DISABLE' } })], A013)).toEqual([]);
    expect(findings([deployment('api', { app: 'api' }, { annotations: EXCLUDE }), service('api')], A013)).toEqual([]);
    expect(findings(metricsApp({}), A013)).toEqual([]);
    expect(findings(metricsApp({ ...EXCLUDE, 'sidecar.istio.io/inject': 'false' }), A013)).toEqual([]);
    expect(findings([...metricsApp(EXCLUDE, 'legacy'), namespace('legacy')], A013)).toEqual([]);
  });
});

describe('CDK8S-ISTIO-A014 PortLevelMtlsOnServicePort', () => {
  const web = () => [
    deployment('web', { app: 'web' }, { podSpec: { containers: [{ name: 'app', image: 'web', ports: [{ containerPort: 8080 }, { containerPort: 9090 }] }] } }),
    service('web', { ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'http-metrics', port: 9091, targetPort: 'metrics' }] }),
  ];
  const pa = (portLevelMtls: any) => istio('PeerAuthentication', 'web', { selector: { matchLabels: { app: 'web' } }, mtls: { mode: 'STRICT' }, portLevelMtls });

  test('warns for a key that is a Service port sent to another targetPort', () => {
    const f = single([...web(), pa({ 80: { mode: 'PERMISSIVE' } })], A014);
    expect(f).toMatchObject({ level: FindingLevel.WARNING, kind: 'PeerAuthentication', field: 'spec.portLevelMtls.80' });
    expect(f.message).toContain('port 80 is a port of Service default/web, which sends it to targetPort 8080');
    expect(f.message).toContain('Use 8080 as the key');
  });

  test('resolves a named targetPort through the containers', () => {
    const objects = [
      deployment('web', { app: 'web' }, { podSpec: { containers: [{ name: 'app', image: 'web', ports: [{ name: 'metrics', containerPort: 9090 }] }] } }),
      service('web', { ports: [{ name: 'http-metrics', port: 9091, targetPort: 'metrics' }] }),
      pa({ 9091: { mode: 'DISABLE' } }),
    ];
    expect(single(objects, A014).message).toContain('targetPort 9090');
  });

  test('quiet for a workload port key, a Service port equal to its targetPort, unknown workloads, and a port the pod also listens on', () => {
    expect(findings([...web(), pa({ 8080: { mode: 'PERMISSIVE' } })], A014)).toEqual([]);
    expect(findings([deployment('web', { app: 'web' }), service('web', { ports: [{ name: 'http', port: 9080 }] }), pa({ 9080: { mode: 'DISABLE' } })], A014)).toEqual([]);
    expect(findings([pa({ 80: { mode: 'PERMISSIVE' } })], A014, { openWorld: true })).toEqual([]);
    const listens80 = deployment('web', { app: 'web' }, { podSpec: { containers: [{ name: 'app', image: 'web', ports: [{ containerPort: 80 }, { containerPort: 8080 }] }] } });
    expect(findings([listens80, web()[1], pa({ 80: { mode: 'PERMISSIVE' } })], A014)).toEqual([]);
  });
});

describe('CDK8S-ISTIO-A015 SidecarReservedPort', () => {
  const withPort = (port: number, extra: any = {}) =>
    deployment('app', { app: 'app', ...extra.labels }, { ns: extra.ns, podSpec: { containers: [{ name: 'app', image: 'app', ports: [{ containerPort: 8080 }, { containerPort: port }] }] } });

  test('warns for each sidecar port a container listens on', () => {
    for (const port of [15000, 15001, 15004, 15006, 15008, 15020, 15021, 15053, 15090]) {
      const f = single([withPort(port)], A015);
      expect(f).toMatchObject({ level: FindingLevel.WARNING, field: 'spec.template.spec.containers[0].ports[1].containerPort' });
      expect(f.message).toContain(`listens on port ${port}, which the sidecar reserves`);
    }
  });

  test('quiet for other ports, init containers, istio-proxy, gateways and istiod, opted-out pods and namespaces without injection', () => {
    expect(findings([withPort(15010)], A015)).toEqual([]);
    expect(findings([withPort(15001, { labels: { 'sidecar.istio.io/inject': 'false' } })], A015)).toEqual([]);
    expect(findings([withPort(15021, { labels: { istio: 'ingressgateway' } })], A015)).toEqual([]);
    expect(findings([withPort(15021, { labels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' } })], A015)).toEqual([]);
    expect(findings([withPort(15001, { ns: 'kube-system' })], A015)).toEqual([]);
    expect(findings([withPort(15001, { ns: 'legacy' }), namespace('legacy', { 'istio-injection': 'disabled' })], A015)).toEqual([]);
    expect(findings([withPort(15001, { ns: 'shop' }), namespace('shop', { 'istio-injection': 'enabled' })], A015)).toHaveLength(1);
    const initAndProxy = deployment('app', { app: 'app' }, {
      podSpec: {
        initContainers: [{ name: 'init', image: 'i', ports: [{ containerPort: 15001 }] }],
        containers: [{ name: 'app', image: 'a' }, { name: 'istio-proxy', image: 'p', ports: [{ containerPort: 15090 }] }],
      },
    });
    expect(findings([initAndProxy], A015)).toEqual([]);
  });

  test('a cdk8s-plus Deployment in a Chart, at synth through the switch', () => {
    const app = new App({ outdir: '/tmp/cdk8s-istio-a015' });
    IstioValidation.enable(app, { strict: true, printWarnings: false });
    const chart = new Chart(app, 'test');
    new kplus.Deployment(chart, 'web', { containers: [{ image: 'example/web', portNumber: 15020, securityContext: { ensureNonRoot: false } }] });
    expect(() => app.synth()).toThrow(/Warning \[CDK8S-ISTIO-A015\] \(Deployment test-web-c8[0-9a-f]*\).*listens on port 15020/);
  });
});

describe('StrictMtlsNamespace.addPortException with a Service port', () => {
  function build(port: number): App {
    const app = new App({ outdir: '/tmp/cdk8s-istio-a014' });
    const chart = new Chart(app, 'test', { namespace: 'shop' });
    const ns = new StrictMtlsNamespace(chart, 'shop', { namespace: 'shop' });
    new ApiObject(chart, 'web', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web', ports: [{ containerPort: 8080 }] }] } } },
    });
    new ApiObject(chart, 'svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
    ns.addPortException({ selector: WorkloadSelector.fromLabels({ app: 'web' }), port, mode: MtlsMode.PERMISSIVE });
    return app;
  }

  test('is reported at synth with the target port to use; the workload port is quiet', () => {
    const found = IstioValidation.findings(build(80)).filter(f => f.code === A014);
    expect(found.map(f => f.constructPath)).toEqual(['test/shop/PortException-web-port-mtls']);
    expect(found[0].message).toContain('Use 8080 as the key');
    expect(IstioValidation.findings(build(8080)).filter(f => f.code === A014)).toEqual([]);
  });
});

describe('IST0144 InvalidApplicationUID, pod level', () => {
  test('a pod-level runAsUser 1337 is reported only when an application container inherits it', () => {
    const pod = (containers: any[]) => deployment('a', { app: 'a' }, { podSpec: { securityContext: { runAsUser: 1337 }, initContainers: [{ name: 'init', image: 'i' }], containers } });
    expect(findings([pod([{ name: 'app', image: 'a', securityContext: { runAsUser: 1000 } }])], 'IST0144')).toEqual([]);
    expect(findings([pod([{ name: 'app', image: 'a', securityContext: { runAsUser: 1000 } }, { name: 'log', image: 'l' }])], 'IST0144').map(f => f.field))
      .toEqual(['spec.template.spec.securityContext.runAsUser']);
  });
});
