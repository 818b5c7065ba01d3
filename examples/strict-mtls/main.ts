// Namespace `payments` accepts mutual TLS only, in a mesh that does too: the Namespace
// with sidecar injection, PeerAuthentication `default` (STRICT), a DENY policy for
// plaintext callers, default-deny with an allow-list, and a metrics port left open to
// a Prometheus outside the mesh. Validation checks every object at synth.
import { App, Chart } from 'cdk8s';
import { Deployment } from 'cdk8s-plus-32';
import { IstioValidation, MtlsMode, Principal, StrictMtlsNamespace, WorkloadSelector } from 'cdk8s-istio';

const app = new App();
IstioValidation.enable(app, { strict: true });

// mesh-wide STRICT from the root namespace (istio-system); no mesh-wide deny-plaintext
// policy by default, since it would deny the external clients of the ingress gateways
const mesh = new Chart(app, 'mesh');
StrictMtlsNamespace.meshWide(mesh, 'mtls');

const chart = new Chart(app, 'payments', { namespace: 'payments' });

const payments = new StrictMtlsNamespace(chart, 'mtls', {
  // default-deny: only these callers get in (all of them over mTLS)
  allowFrom: { namespaces: ['payments'] },
});
payments.allow(Principal.serviceAccount('frontend', 'web'));

// created after the Namespace, so that it comes after it in the manifest (kubectl apply order)
const ledger = new Deployment(chart, 'ledger', {
  containers: [{
    name: 'ledger',
    image: 'ghcr.io/example/ledger:1.4.2',
    ports: [{ number: 8080, name: 'http' }, { number: 9102, name: 'metrics' }],
  }],
});
ledger.podMetadata.addLabel('app', 'ledger');

// Prometheus scrapes the ledger's metrics port in plaintext
payments.addPortException({ selector: WorkloadSelector.fromWorkload(ledger), port: 9102, mode: MtlsMode.PERMISSIVE, name: 'ledger-metrics' });

app.synth();
