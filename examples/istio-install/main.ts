// Installation config for three clusters, one app each (an app is one cluster: the
// installation checks look across its installations):
// - dist/default: sidecars, the default profile (istio-init in every pod), its ingress
//   gateway on a NodePort Service;
// - dist/ambient: Istio in ambient mode (the ambient profile brings the CNI node agent
//   and ztunnel), and a namespace enrolled in the ambient data plane;
// - dist/sidecar: sidecars with the Istio CNI node agent, installed on its own, and two
//   revisioned control planes for a canary upgrade from 1.29.4 to 1.30.3, each with
//   pilotCni; the mesh config of the new revision is shared with its installation.
// Each installation is alone in its chart, so that istioctl reads the chart's file
// (e.g. istioctl install -f dist/sidecar/install-canary.k8s.yaml); the Helm values of the
// same installations are written to helm/.
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { Deployment } from 'cdk8s-plus-32';
import {
  AmbientNamespace, CniRepairMode, GatewayServiceType, InstallProfile, IstioInstallation, IstioValidation, MeshConfig, MeshWorkload,
} from 'cdk8s-istio';

// ---- cluster 1: sidecars, the default profile
const defaultApp = new App({ outdir: 'dist/default' });
IstioValidation.enable(defaultApp, { strict: true });

const sidecar = new IstioInstallation(new Chart(defaultApp, 'install-default'), 'istio', {
  version: '1.30.3',
  ingressGateways: [{
    serviceType: GatewayServiceType.NODE_PORT,
    ports: [{ name: 'http2', port: 80, targetPort: 8080 }, { name: 'https', port: 443, targetPort: 8443 }],
  }],
});

// ---- cluster 2: ambient mode
const ambientApp = new App({ outdir: 'dist/ambient' });
IstioValidation.enable(ambientApp, { strict: true });

const ambient = new IstioInstallation(new Chart(ambientApp, 'install-ambient'), 'istio', {
  profile: InstallProfile.AMBIENT,
  version: '1.30.3',
});

new AmbientNamespace(new Chart(ambientApp, 'bookstore', { namespace: 'bookstore' }), 'ambient');

// ---- cluster 3: sidecars with the Istio CNI node agent, and a canary upgrade
const sidecarApp = new App({ outdir: 'dist/sidecar' });
IstioValidation.enable(sidecarApp, { strict: true });

// the CNI node agent is one per cluster: installed on its own, upgraded first
const cni = new IstioInstallation(new Chart(sidecarApp, 'install-cni'), 'istio', {
  profile: InstallProfile.EMPTY,
  version: '1.30.3',
  cni: {
    excludeNamespaces: ['kube-system', 'istio-system'],
    repair: CniRepairMode.REPAIR_PODS,
  },
});

// the running control plane, revision 1-29-4
const stable = new IstioInstallation(new Chart(sidecarApp, 'install-stable'), 'istio', {
  profile: InstallProfile.MINIMAL,
  revision: '1-29-4',
  version: '1.29.4',
  pilotCni: true,
});

// the canary, revision 1-30-3, with the mesh config the app writes for it
const meshConfig = new MeshConfig(new Chart(sidecarApp, 'mesh'), 'mesh', {
  revision: '1-30-3',
  accessLogFile: '/dev/stdout',
});
const canary = new IstioInstallation(new Chart(sidecarApp, 'install-canary'), 'istio', {
  profile: InstallProfile.MINIMAL,
  revision: '1-30-3',
  version: '1.30.3',
  pilotCni: true,
  meshConfig,
});

// a workload moved to the canary; its init container fetches its configuration
// before the sidecar starts: under Istio CNI it runs as the proxy's UID 1337
const shop = new Chart(sidecarApp, 'shop', { namespace: 'shop' });
const web = new Deployment(shop, 'web', {
  initContainers: [{ name: 'fetch-config', image: 'curlimages/curl:8.8.0', securityContext: { user: 1337 } }],
  containers: [{ name: 'web', image: 'ghcr.io/example/web:1.0.0', ports: [{ number: 8080, name: 'http' }] }],
});
new MeshWorkload(shop, 'web-mesh', { workload: web, name: 'web', version: 'v1', revision: '1-30-3' });

defaultApp.synth();
ambientApp.synth();
sidecarApp.synth();

// the same installations as Helm values, one directory each
const helm = path.join(__dirname, 'helm');
sidecar.writeHelmValues(path.join(helm, 'default'));
ambient.writeHelmValues(path.join(helm, 'ambient'));
cni.writeHelmValues(path.join(helm, 'sidecar-cni'));
stable.writeHelmValues(path.join(helm, 'sidecar-1-29-4'));
canary.writeHelmValues(path.join(helm, 'sidecar-1-30-3'));
