// Onboarding a Kubernetes workload: a cdk8s-plus Deployment and its Service join the
// mesh with MeshWorkload. The pods get the canonical labels (app, version), the
// injection label and the sidecar options; the Service ports declare their protocol;
// the metrics port, scraped in plaintext by a Prometheus outside the mesh, is left out
// of inbound capture, and a DestinationRule makes clients send it plaintext.
import { App, Chart, Size } from 'cdk8s';
import { Deployment } from 'cdk8s-plus-32';
import { IstioValidation, MeshWorkload, Protocol, StrictMtlsNamespace } from 'cdk8s-istio';

const app = new App();
IstioValidation.enable(app, { strict: true });
const chart = new Chart(app, 'shop', { namespace: 'shop' });

// the namespace, with sidecar injection and STRICT mutual TLS
new StrictMtlsNamespace(chart, 'mtls');

const orders = new Deployment(chart, 'orders', {
  containers: [{
    image: 'ghcr.io/example/orders:2.1.0',
    ports: [{ number: 8080, name: 'http' }, { number: 9090, name: 'metrics' }],
  }],
});
const service = orders.exposeViaService({
  name: 'orders',
  ports: [{ port: 80, targetPort: 8080, name: 'web' }, { port: 9090, name: 'metrics' }],
});

const mesh = new MeshWorkload(chart, 'orders-mesh', {
  workload: orders,
  name: 'orders',
  version: 'v2',
  // Prometheus outside the mesh scrapes 9090 in plaintext: no sidecar on that port,
  // and clients are told to send plaintext to it
  excludeInboundPorts: [9090],
  plaintextToExcludedPorts: true,
  proxyResources: { cpuMillis: 100, memory: Size.mebibytes(128) },
});
mesh.addService(service, [
  { port: 80, protocol: Protocol.HTTP },
  { port: 9090, protocol: Protocol.HTTP },
]);

app.synth();
