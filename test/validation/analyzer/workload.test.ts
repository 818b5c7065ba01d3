import { deployment, findings, namespace, service, single } from './fixtures';
import { FindingLevel } from '../../../src/validation/findings';

const MESSAGE = 'User ID (UID) 1337 is reserved for the sidecar proxy.';

describe('IST0144 InvalidApplicationUID', () => {
  test('fails validation when a container runs as 1337 (container or pod securityContext)', () => {
    const objects = [
      deployment('a', { app: 'a' }, { podSpec: { containers: [{ name: 'app', image: 'a', securityContext: { runAsUser: 1337 } }] } }),
      deployment('b', { app: 'b' }, { podSpec: { securityContext: { runAsUser: 1337 }, containers: [{ name: 'app', image: 'b' }] } }),
    ];
    const found = findings(objects, 'IST0144');
    expect(found.map(f => `${f.name} ${f.field}`)).toEqual([
      'a spec.template.spec.containers[0].securityContext.runAsUser',
      'b spec.template.spec.securityContext.runAsUser',
    ]);
    expect(found[0]).toMatchObject({ level: FindingLevel.WARNING, message: MESSAGE });
  });

  test('reads Pods, StatefulSets, DaemonSets, Jobs and CronJobs', () => {
    const podSpec = { containers: [{ name: 'app', image: 'x', securityContext: { runAsUser: 1337 } }] };
    const template = { metadata: { labels: { app: 'x' } }, spec: podSpec };
    const objects = [
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod' }, spec: podSpec },
      { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'sts' }, spec: { template } },
      { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'ds' }, spec: { template } },
      { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'job' }, spec: { template } },
      { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cron' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template } } } },
    ];
    expect(findings(objects, 'IST0144').map(f => `${f.kind} ${f.field}`)).toEqual([
      'Pod spec.containers[0].securityContext.runAsUser',
      'StatefulSet spec.template.spec.containers[0].securityContext.runAsUser',
      'DaemonSet spec.template.spec.containers[0].securityContext.runAsUser',
      'Job spec.template.spec.containers[0].securityContext.runAsUser',
      'CronJob spec.jobTemplate.spec.template.spec.containers[0].securityContext.runAsUser',
    ]);
  });

  test('passes for init containers, the istio-proxy container, other UIDs and Istio\'s own workloads', () => {
    const objects = [
      deployment('a', { app: 'a' }, {
        podSpec: {
          initContainers: [{ name: 'wait', image: 'w', securityContext: { runAsUser: 1337 } }],
          containers: [{ name: 'app', image: 'a', securityContext: { runAsUser: 1000 } }, { name: 'istio-proxy', image: 'p', securityContext: { runAsUser: 1337 } }],
        },
      }),
      { ...deployment('gw', { istio: 'ingressgateway' }, { podSpec: { securityContext: { runAsUser: 1337 }, containers: [] } }), metadata: { name: 'gw', labels: { istio: 'ingressgateway' } } },
    ];
    expect(findings(objects, 'IST0144')).toEqual([]);
  });
});

describe('IST0116 DeploymentAssociatedToMultipleServices', () => {
  test('fails validation when two Services of a pod give one port two protocols', () => {
    const objects = [
      deployment('dns', { app: 'dns' }),
      service('dns-tcp', { selector: { app: 'dns' }, ports: [{ name: 'tcp-dns', port: 53, protocol: 'TCP' }] }),
      service('dns-udp', { selector: { app: 'dns' }, ports: [{ name: 'udp-dns', port: 53, protocol: 'UDP' }] }),
    ];
    const f = single(objects, 'IST0116');
    expect(f).toMatchObject({ level: FindingLevel.WARNING, kind: 'Deployment', name: 'dns' });
    expect(f.message).toBe('This deployment dns is associated with multiple services using port 53 but different protocols: [default/dns-tcp default/dns-udp]');
  });

  test('fails validation when two Services name one port for two Istio protocols', () => {
    const objects = [
      deployment('web', { app: 'web' }),
      service('web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 8080 }] }),
      service('web-raw', { selector: { app: 'web' }, ports: [{ name: 'tcp-raw', port: 8080 }] }),
    ];
    expect(single(objects, 'IST0116').message).toBe('This deployment web is associated with multiple services using port 8080 but different protocols: [default/web default/web-raw]');
  });

  test('passes when the Services agree, or the pod opts out of injection', () => {
    const objects = [
      deployment('web', { app: 'web' }),
      service('web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 8080 }] }),
      service('web-alias', { selector: { app: 'web' }, ports: [{ name: 'http-alias', port: 8080 }, { name: 'metrics', port: 9090 }] }),
      deployment('legacy', { 'app': 'legacy', 'sidecar.istio.io/inject': 'false' }),
      service('legacy-a', { selector: { app: 'legacy' }, ports: [{ name: 'http', port: 80 }] }),
      service('legacy-b', { selector: { app: 'legacy' }, ports: [{ name: 'tcp', port: 80 }] }),
      namespace('off', { 'istio-injection': 'disabled' }),
      deployment('off', { app: 'off' }, { ns: 'off' }),
      service('off-a', { ns: 'off', selector: { app: 'off' }, ports: [{ name: 'http', port: 80 }] }),
      service('off-b', { ns: 'off', selector: { app: 'off' }, ports: [{ name: 'tcp', port: 80 }] }),
    ];
    expect(findings(objects, 'IST0116')).toEqual([]);
  });
});

describe('IST0137 DeploymentConflictingPorts', () => {
  test('fails validation when two Services send one targetPort to different ports', () => {
    const objects = [
      deployment('web', { app: 'web' }),
      service('web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] }),
      service('web-alt', { selector: { app: 'web' }, ports: [{ name: 'http', port: 8080 }] }),
    ];
    const f = single(objects, 'IST0137');
    expect(f.level).toBe(FindingLevel.WARNING);
    expect(f.message).toBe('This deployment web is associated with multiple services [default/web default/web-alt] using targetPort "8080" but different ports: [80 8080].');
  });

  test('passes when they agree, and for one Service with two ports to one targetPort', () => {
    const objects = [
      deployment('web', { app: 'web' }),
      service('web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'http-alt', port: 8080 }] }),
      service('web-2', { selector: { app: 'web' }, ports: [{ name: 'http', port: 9090 }] }),
    ];
    expect(findings(objects, 'IST0137')).toEqual([]);
  });
});

describe('IST0135 DeprecatedAnnotation', () => {
  test('fails validation when a deprecated annotation is used (object or pod template)', () => {
    const objects = [
      deployment('web', { app: 'web' }, { annotations: { 'sidecar.istio.io/inject': 'true', 'sidecar.istio.io/statsInclusionPrefixes': 'x' } }),
    ];
    const found = findings(objects, 'IST0135');
    expect(found.map(f => f.field)).toEqual(['spec.template.metadata.annotations', 'spec.template.metadata.annotations']);
    expect(found[0].level).toBe(FindingLevel.INFO);
    expect(found.map(f => f.message)).toEqual([
      'Annotation "sidecar.istio.io/inject" has been deprecated in favor of the "sidecar.istio.io/inject" label and may not work in future Istio versions.',
      'Annotation "sidecar.istio.io/statsInclusionPrefixes" has been deprecated and may not work in future Istio versions.',
    ]);
  });

  test('passes when the inject label is there too, and for current annotations', () => {
    const objects = [
      deployment('web', { 'app': 'web', 'sidecar.istio.io/inject': 'true' }, { annotations: { 'sidecar.istio.io/inject': 'true', 'proxy.istio.io/config': '{}' } }),
    ];
    expect(findings(objects, 'IST0135')).toEqual([]);
  });
});
