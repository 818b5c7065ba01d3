// A service that runs on VMs outside Kubernetes joins the mesh with VmWorkload: the
// VMs' ServiceAccount (their mTLS identity), a WorkloadGroup (their template), a
// WorkloadEntry per VM, and the ServiceEntry that selects them, so that pods call
// billing.vm.example.com over mutual TLS.
import { App, Chart } from 'cdk8s';
import { AuthorizationPolicy, IstioValidation, Principal, Protocol, VmWorkload } from 'cdk8s-istio';

const app = new App();
IstioValidation.enable(app, { strict: true });
const chart = new Chart(app, 'vm', { namespace: 'vm' });

const billing = new VmWorkload(chart, 'billing', {
  hosts: ['billing.vm.example.com'],
  ports: [{ number: 8080, protocol: Protocol.HTTP }],
  serviceAccount: 'billing',
  network: 'vm-network',
  version: 'v1',
});
billing.addVm('vm-1', { address: '10.128.0.11', locality: 'us-east1/us-east1-b' });
billing.addVm('vm-2', { address: '10.128.0.12', locality: 'us-east1/us-east1-c' });

// only the orders service may call the VMs (their sidecars enforce it)
new AuthorizationPolicy(chart, 'billing-callers', {
  selector: billing.selector,
  rules: [{ from: [{ principals: [Principal.serviceAccount('shop', 'orders')] }] }],
});

app.synth();
