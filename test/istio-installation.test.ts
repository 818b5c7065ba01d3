import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import {
  Analyzer, CniRepairMode, GatewayServiceType, InstallProfile, IstioHelmChart, IstioInstallation, IstioInstallationProps,
  IstioValidation, MeshConfig, MeshWorkload,
} from '../src';
import { findObject, synthValid } from './util';

/** An installation in a chart of its own, in a fresh app. */
function install(props: IstioInstallationProps = {}, app: App = Testing.app(), chartId = 'install'): IstioInstallation {
  return new IstioInstallation(new Chart(app, chartId), 'istio', props);
}

function operatorOf(i: IstioInstallation): any {
  return findObject(synthValid(Chart.of(i)), 'IstioOperator');
}

describe('IstioInstallation', () => {
  test('defaults: the default profile, an IstioOperator named after the construct, in istio-system', () => {
    const op = operatorOf(install());
    expect(op).toEqual({
      apiVersion: 'install.istio.io/v1alpha1',
      kind: 'IstioOperator',
      metadata: { name: 'install-istio', namespace: 'istio-system' },
      spec: { profile: 'default' },
    });
  });

  test('the library\'s validation leaves the IstioOperator alone (no CRD among the vendored ones, no finding)', () => {
    const app = Testing.app();
    IstioValidation.enable(app, { strict: true });
    install({ profile: InstallProfile.AMBIENT, revision: 'canary', version: '1.30.3' }, app);
    const objects = app.charts.flatMap(c => Testing.synth(c));
    expect(Analyzer.analyze(objects, { strict: true })).toEqual([]);
    expect(() => app.synthYaml()).not.toThrow();
  });

  test('a revisioned sidecar installation with CNI: revision, tag, CNI settings, pilot.cni.enabled', () => {
    const op = operatorOf(install({
      revision: '1-30-3',
      version: '1.30.3',
      cni: {
        cniBinDir: '/home/kubernetes/bin',
        cniConfDir: '/etc/cni/net.d',
        cniConfFileName: '10-calico.conflist',
        chained: true,
        excludeNamespaces: ['kube-system', 'istio-system'],
        repair: CniRepairMode.LABEL_PODS,
      },
    }));
    expect(op.spec).toEqual({
      profile: 'default',
      revision: '1-30-3',
      tag: '1.30.3',
      components: { cni: { enabled: true } },
      values: {
        pilot: { cni: { enabled: true } },
        cni: {
          cniBinDir: '/home/kubernetes/bin',
          cniConfDir: '/etc/cni/net.d',
          cniConfFileName: '10-calico.conflist',
          chained: true,
          excludeNamespaces: ['kube-system', 'istio-system'],
          repair: { deletePods: false, labelPods: true, repairPods: false },
        },
      },
    });
  });

  test('the ambient profile: CNI and ztunnel come with it', () => {
    const i = install({ profile: InstallProfile.AMBIENT });
    expect(operatorOf(i).spec).toEqual({ profile: 'ambient', values: { pilot: { cni: { enabled: true } } } });
    expect([i.cniEnabled, i.ztunnelEnabled, i.pilotCni]).toEqual([true, true, true]);
    expect(i.helmReleases().map(r => r.command)).toEqual([
      'helm upgrade --install istio-base istio/base -n istio-system -f values-base.yaml',
      'helm upgrade --install istiod istio/istiod -n istio-system -f values-istiod.yaml',
      'helm upgrade --install istio-cni istio/cni -n istio-system -f values-cni.yaml',
      'helm upgrade --install ztunnel istio/ztunnel -n istio-system -f values-ztunnel.yaml',
    ]);
    expect(i.helmValues(IstioHelmChart.ISTIOD)).toEqual({ profile: 'ambient', cni: { enabled: true } });
    expect(i.helmValues(IstioHelmChart.CNI)).toEqual({ profile: 'ambient' });
  });

  test('meshConfig: the MeshConfig construct\'s settings, in spec.meshConfig and the istiod values', () => {
    const app = Testing.app();
    const mesh = new MeshConfig(new Chart(app, 'mesh'), 'mesh', { revision: 'canary', accessLogFile: '/dev/stdout' });
    const i = install({ revision: 'canary', meshConfig: mesh }, app);
    expect(operatorOf(i).spec.meshConfig).toEqual(mesh.toMeshConfig());
    expect(i.helmValues(IstioHelmChart.ISTIOD).meshConfig).toEqual(mesh.toMeshConfig());
    expect(mesh.toMeshConfig().accessLogFile).toBe('/dev/stdout');
  });

  test('gateways: the given list replaces the profile\'s, and the status port comes first', () => {
    const i = install({
      ingressGateways: [{ name: 'internal-ingress', labels: { istio: 'internal-ingress' }, serviceType: GatewayServiceType.CLUSTER_IP, ports: [{ name: 'http2', port: 80, targetPort: 8080 }] }],
      egressGateways: [{}],
    });
    const spec = operatorOf(i).spec;
    expect(spec.components.ingressGateways).toEqual([
      { name: 'istio-ingressgateway', enabled: false },
      {
        name: 'internal-ingress',
        enabled: true,
        label: { istio: 'internal-ingress' },
        k8s: { service: { type: 'ClusterIP', ports: [{ name: 'status-port', port: 15021, targetPort: 15021, protocol: 'TCP' }, { name: 'http2', port: 80, targetPort: 8080, protocol: 'TCP' }] } },
      },
    ]);
    expect(spec.components.egressGateways).toEqual([{ name: 'istio-egressgateway', enabled: true }]);
    expect(i.helmReleases().filter(r => r.chart === IstioHelmChart.GATEWAY).map(r => r.releaseName)).toEqual(['internal-ingress', 'istio-egressgateway']);
    expect(i.helmValues(IstioHelmChart.GATEWAY, 'internal-ingress')).toEqual({
      labels: { istio: 'internal-ingress' },
      service: { type: 'ClusterIP', ports: [{ name: 'status-port', port: 15021, targetPort: 15021, protocol: 'TCP' }, { name: 'http2', port: 80, targetPort: 8080, protocol: 'TCP' }] },
    });
  });

  test('the CNI node agent alone (empty profile), for a cluster of revisioned control planes', () => {
    const app = Testing.app();
    const cni = install({ profile: InstallProfile.EMPTY, cni: { excludeNamespaces: ['kube-system', 'istio-system'] } }, app, 'cni');
    const canary = install({ revision: 'canary', pilotCni: true }, app, 'canary');
    expect(operatorOf(cni).spec).toEqual({
      profile: 'empty', components: { cni: { enabled: true } }, values: { cni: { excludeNamespaces: ['kube-system', 'istio-system'] } },
    });
    expect(cni.helmReleases().map(r => r.chart)).toEqual(['cni']);
    expect(operatorOf(canary).spec.values).toEqual({ pilot: { cni: { enabled: true } } });
    expect(() => app.synthYaml()).not.toThrow();
  });

  test('another namespace and hub reach the IstioOperator and every chart', () => {
    const i = install({ namespace: 'istio-control', hub: 'registry.example.com/istio', profile: InstallProfile.MINIMAL });
    const op = operatorOf(i);
    expect(op.metadata.namespace).toBe('istio-control');
    expect(op.spec).toEqual({ profile: 'minimal', hub: 'registry.example.com/istio', values: { global: { istioNamespace: 'istio-control' } } });
    expect(i.helmValues(IstioHelmChart.ISTIOD)).toEqual({ global: { istioNamespace: 'istio-control', hub: 'registry.example.com/istio' } });
    expect(i.helmReleases().map(r => r.namespace)).toEqual(['istio-control', 'istio-control']);
  });

  test('writeHelmValues writes one file a release, the same bytes each time', () => {
    const i = install({ profile: InstallProfile.AMBIENT, version: '1.30.3' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'istio-values-'));
    const files = i.writeHelmValues(dir);
    expect(files.map(f => path.basename(f))).toEqual(['values-base.yaml', 'values-istiod.yaml', 'values-cni.yaml', 'values-ztunnel.yaml']);
    const first = files.map(f => fs.readFileSync(f, 'utf8'));
    expect(first[1]).toBe('# helm upgrade --install istiod istio/istiod -n istio-system --version 1.30.3 -f values-istiod.yaml\nprofile: ambient\ncni:\n  enabled: true\n');
    expect(parse(first[2])).toEqual({ profile: 'ambient' });
    i.writeHelmValues(dir);
    expect(files.map(f => fs.readFileSync(f, 'utf8'))).toEqual(first);
    fs.rmSync(dir, { recursive: true });
  });

  test('throws when helmValues names a chart the installation does not install', () => {
    const i = install({ profile: InstallProfile.MINIMAL });
    expect(() => i.helmValues(IstioHelmChart.CNI)).toThrow('IstioInstallation \'install/istio\': invalid helmValues "cni": this installation\'s releases are: base, istiod');
    expect(() => i.helmValues(IstioHelmChart.GATEWAY)).toThrow('(name the gateway)');
  });
});

describe('IstioInstallation checks', () => {
  describe('pilot.cni.enabled on a revisioned control plane with CNI', () => {
    test('throws when a revision that installs CNI turns pilotCni off', () => {
      expect(() => install({ revision: 'canary', cni: {}, pilotCni: false })).toThrow(
        'IstioInstallation \'install/istio\': invalid pilotCni false: revision "canary" is installed with the CNI node agent: every revision needs pilotCni true (values.pilot.cni.enabled)');
    });

    test('throws when another installation of the app installs CNI and the revision does not set pilotCni', () => {
      const app = Testing.app();
      install({ profile: InstallProfile.EMPTY, cni: {} }, app, 'cni');
      install({ revision: 'canary' }, app, 'canary');
      expect(() => app.synthYaml()).toThrow(
        'IstioInstallation \'canary/istio\': invalid pilotCni (unset): IstioInstallation \'cni/istio\' installs the CNI node agent, so revision "canary" must set pilotCni: true (values.pilot.cni.enabled)');
    });

    test('a revision with CNI gets pilot.cni.enabled by default', () => {
      expect(operatorOf(install({ revision: 'canary', cni: {} })).spec.values.pilot).toEqual({ cni: { enabled: true } });
    });

    test('throws when pilotCni is set on an installation without a control plane', () => {
      expect(() => install({ profile: InstallProfile.EMPTY, cni: {}, pilotCni: true })).toThrow('invalid pilotCni true: the empty profile installs no control plane');
    });
  });

  describe('ambient needs CNI and ztunnel', () => {
    test('throws when the ambient profile turns CNI off and no other installation has it', () => {
      const i = install({ profile: InstallProfile.AMBIENT, cni: { enabled: false }, pilotCni: true });
      expect(() => Testing.synth(Chart.of(i))).toThrow(
        'IstioInstallation \'install/istio\': the ambient profile needs the Istio CNI node agent in ambient mode, and no IstioInstallation of the app installs the CNI node agent (cni)');
    });

    test('throws when the ambient profile turns ztunnel off', () => {
      const i = install({ profile: InstallProfile.AMBIENT, ztunnel: false });
      expect(() => Testing.synth(Chart.of(i))).toThrow('invalid ztunnel false: the ambient profile needs ztunnel (the node proxy), and no IstioInstallation of the app installs it');
    });

    test('throws when ztunnel is asked for without CNI', () => {
      const i = install({ profile: InstallProfile.MINIMAL, ztunnel: true });
      expect(() => Testing.synth(Chart.of(i))).toThrow('ztunnel needs the Istio CNI node agent in ambient mode');
    });

    test('throws when the CNI of another installation does not run in ambient mode', () => {
      const app = Testing.app();
      install({ profile: InstallProfile.EMPTY, cni: {} }, app, 'cni');
      install({ profile: InstallProfile.AMBIENT, revision: 'amb', cni: { enabled: false } }, app, 'amb');
      expect(() => app.synthYaml()).toThrow('the CNI node agent of IstioInstallation \'cni/istio\' does not run in ambient mode (set cni.ambient: true there)');
    });

    test('CNI in ambient mode from another installation is enough', () => {
      const app = Testing.app();
      const cni = install({ profile: InstallProfile.EMPTY, cni: { ambient: true } }, app, 'cni');
      install({ profile: InstallProfile.AMBIENT, revision: 'amb', cni: { enabled: false }, pilotCni: true }, app, 'amb');
      expect(() => app.synthYaml()).not.toThrow();
      expect(operatorOf(cni).spec.values).toEqual({ cni: { ambient: { enabled: true } } });
    });

    test('throws when two installations install the CNI node agent', () => {
      const app = Testing.app();
      install({ profile: InstallProfile.AMBIENT }, app, 'one');
      install({ profile: InstallProfile.AMBIENT, revision: 'two' }, app, 'two');
      expect(() => app.synthYaml()).toThrow('IstioInstallation \'two/istio\': IstioInstallation \'one/istio\' installs the CNI node agent (cni) too: it is one per cluster');
    });
  });

  describe('CNI version skew', () => {
    test('throws when the CNI agent is two minor versions behind the control plane', () => {
      expect(() => install({ version: '1.30.3', cni: { version: '1.28.0' } })).toThrow(
        'IstioInstallation \'install/istio\': invalid cni.version "1.28.0": the CNI node agent works with control planes at most one minor version away, and the control plane is 1.30.3: 2 minor versions apart');
    });

    test('one minor version apart is fine, either way', () => {
      expect(operatorOf(install({ version: '1.30.3', cni: { version: '1.29.5' } })).spec.values.cni).toEqual({ tag: '1.29.5' });
      expect(() => install({ version: '1.29.0', cni: { version: '1.30.3' } })).not.toThrow();
      expect(install({ cni: { version: '1.29.5' } }).helmReleases().find(r => r.chart === IstioHelmChart.CNI)!.chartVersion).toBe('1.29.5');
    });

    test('throws when a revision is more than one minor version from the app\'s CNI agent', () => {
      const app = Testing.app();
      install({ profile: InstallProfile.EMPTY, version: '1.29.2', cni: {} }, app, 'cni');
      install({ revision: '1-31-0', version: '1.31.0', pilotCni: true }, app, 'next');
      expect(() => app.synthYaml()).toThrow(
        'IstioInstallation \'next/istio\': the CNI node agent of IstioInstallation \'cni/istio\' is 1.29.2 and this control plane 1.31.0: 2 minor versions apart');
    });

    test('throws when a version is not an Istio version', () => {
      expect(() => install({ version: 'latest' })).toThrow('invalid version "latest": an Istio version, e.g. "1.30.3"');
    });
  });

  describe('UID 1337, cross-checked with workload onboarding', () => {
    function workload(app: App, uid: number, revision?: string): void {
      const chart = new Chart(app, 'apps', { namespace: 'shop' });
      const deployment = new ApiObject(chart, 'web', {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web' },
        spec: {
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              initContainers: [{ name: 'fetch-config', image: 'curlimages/curl:8.8.0', securityContext: { runAsUser: uid } }],
              containers: [{ name: 'web', image: 'nginx:1.27', securityContext: { runAsUser: 101 } }],
            },
          },
        },
      });
      new MeshWorkload(chart, 'mesh', { workload: deployment, revision });
    }

    test('throws when an injected pod\'s init container runs as 1337 and its control plane has no CNI', () => {
      const app = Testing.app();
      install({}, app);
      workload(app, 1337);
      expect(() => app.synthYaml()).toThrow(
        'Deployment \'apps/web\': init container "fetch-config" runs as UID 1337 (spec.template.spec.initContainers[0].securityContext.runAsUser), the sidecar proxy\'s, and IstioInstallation \'install/istio\' (the default revision) does not use Istio CNI');
    });

    test('with CNI, an init container may run as 1337', () => {
      const app = Testing.app();
      install({ cni: {} }, app);
      workload(app, 1337);
      expect(() => app.synthYaml()).not.toThrow();
    });

    test('the pod\'s revision picks the installation', () => {
      const app = Testing.app();
      install({}, app, 'stable');
      // the CNI agent installed outside the app: the canary's injector relies on it
      install({ revision: 'canary', pilotCni: true }, app, 'canary');
      workload(app, 1337, 'canary');
      expect(() => app.synthYaml()).not.toThrow();
      const other = Testing.app();
      install({}, other, 'stable');
      install({ revision: 'canary', pilotCni: true }, other, 'canary');
      workload(other, 1337);
      expect(() => other.synthYaml()).toThrow('IstioInstallation \'stable/istio\' (the default revision) does not use Istio CNI');
    });

    test('another UID is fine without CNI', () => {
      const app = Testing.app();
      install({}, app);
      workload(app, 1000);
      expect(() => app.synthYaml()).not.toThrow();
    });
  });

  describe('props', () => {
    test('throws when the chart holds other objects', () => {
      const app = Testing.app();
      const i = install({}, app);
      new ApiObject(Chart.of(i), 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } });
      expect(() => app.synthYaml()).toThrow('IstioInstallation \'install/istio\': its chart \'install\' also holds Namespace \'install/ns\': give the IstioInstallation a chart of its own');
    });

    test('throws when the revision is not a DNS label', () => {
      expect(() => install({ revision: '1.30.3' })).toThrow('invalid revision "1.30.3": a revision is a DNS label');
      expect(() => install({ revision: 'default' })).toThrow('invalid revision "default"');
    });

    test('throws when the MeshConfig is for another revision or namespace', () => {
      const app = Testing.app();
      const mesh = new MeshConfig(new Chart(app, 'mesh'), 'mesh');
      expect(() => install({ revision: 'canary', meshConfig: mesh }, app)).toThrow(
        'IstioInstallation \'install/istio\': invalid meshConfig "mesh/mesh": its revision is (default) and the installation\'s canary');
      const other = new MeshConfig(new Chart(app, 'mesh2'), 'mesh', { namespace: 'istio-control' });
      expect(() => install({ meshConfig: other }, app, 'install2')).toThrow('its namespace is istio-control and istiod\'s istio-system');
    });

    test('throws when CNI settings are given with cni.enabled false', () => {
      expect(() => install({ cni: { enabled: false, cniBinDir: '/opt/cni/bin' } })).toThrow(
        'invalid cni.cniBinDir "/opt/cni/bin": cni.enabled is false: the settings of the CNI node agent apply only where it is installed');
    });

    test('throws when a CNI directory is relative or a namespace is malformed', () => {
      expect(() => install({ cni: { cniConfDir: 'etc/cni' } })).toThrow('invalid cni.cniConfDir "etc/cni": an absolute node directory');
      expect(() => install({ cni: { excludeNamespaces: ['Kube_System'] } })).toThrow('invalid cni.excludeNamespaces[0] "Kube_System"');
      expect(() => install({ cni: { cniConfFileName: 'net.d/10.conflist' } })).toThrow('invalid cni.cniConfFileName');
    });

    test('throws when gateway ports are out of range or repeated, or names collide', () => {
      expect(() => install({ ingressGateways: [{ ports: [{ name: 'http2', port: 0 }] }] })).toThrow('invalid ingressGateways[0].ports[0].port 0: a port number from 1 to 65535');
      expect(() => install({ ingressGateways: [{ ports: [{ name: 'http2', port: 80 }, { name: 'http', port: 80 }] }] })).toThrow('invalid ingressGateways[0].ports[1].port 80: ports are unique in a Service');
      expect(() => install({ ingressGateways: [{ name: 'gw' }], egressGateways: [{ name: 'gw' }] })).toThrow('invalid egressGateways.name "gw": ingressGateways has this name in namespace istio-system too');
      expect(() => install({ ingressGateways: [{ labels: {} }] })).toThrow('invalid ingressGateways[0].labels {}');
    });
  });
});
