// cdk8s-plus and cdk8s-istio in one app: the workloads and their identities are
// cdk8s-plus objects, and the Istio constructs take them as they are. Two versions
// of a checkout Deployment feed a CanaryRelease (its subsets select the pods'
// `version` label, read from the Deployments), and the Deployments' ServiceAccounts
// feed an AuthorizationPolicy (its principals are read from the ServiceAccounts'
// names and namespace). Validation checks every object at synth.
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-32';
import {
  AuthorizationAction,
  AuthorizationPolicy,
  CanaryRelease,
  CanaryWorkload,
  IstioValidation,
  PeerAuthentication,
  Principal,
  WorkloadSelector,
} from 'cdk8s-istio';

const app = new App();
IstioValidation.enable(app, { strict: true });

const chart = new Chart(app, 'shop', { namespace: 'shop' });

// the identity of the checkout pods, and two versions of them
const checkoutAccount = new kplus.ServiceAccount(chart, 'checkout-sa', { metadata: { name: 'checkout' } });
function checkout(version: string, tag: string): kplus.Deployment {
  return new kplus.Deployment(chart, `checkout-${version}`, {
    metadata: { name: `checkout-${version}` },
    podMetadata: { labels: { app: 'checkout', version } },
    serviceAccount: checkoutAccount,
    containers: [{
      name: 'checkout',
      image: `ghcr.io/example/checkout:${tag}`,
      ports: [{ number: 8080 }],
      securityContext: { user: 1000, group: 1000 },
    }],
  });
}
const v1 = checkout('v1', '1.8.0');
const v2 = checkout('v2', '2.0.0');

// one Service for both versions: the split is made by subsets
const service = new kplus.Service(chart, 'checkout', {
  metadata: { name: 'checkout' },
  ports: [{ name: 'http', port: 8080 }],
});
service.selectLabel('app', 'checkout');

// the caller, with an identity of its own
const frontendAccount = new kplus.ServiceAccount(chart, 'frontend-sa', { metadata: { name: 'frontend' } });
new kplus.Deployment(chart, 'frontend', {
  metadata: { name: 'frontend' },
  podMetadata: { labels: { app: 'frontend', version: 'v1' } },
  serviceAccount: frontendAccount,
  containers: [{
    name: 'frontend',
    image: 'ghcr.io/example/frontend:3.1.0',
    ports: [{ number: 8080 }],
    securityContext: { user: 1000, group: 1000 },
  }],
});

// the cdk8s-plus Deployments as the two versions: 80% stay on v1, 20% try v2
new CanaryRelease(chart, 'checkout-canary', {
  name: 'checkout',
  host: 'checkout',
  stable: CanaryWorkload.fromWorkload(v1),
  canary: CanaryWorkload.fromWorkload(v2),
  canaryWeight: 20,
});

// mutual TLS only in the namespace, so that the callers' identities are proven
new PeerAuthentication(chart, 'default', { metadata: { name: 'default' } });

// only the frontend's ServiceAccount may call checkout (both versions), and only
// GET and POST on its port: cluster.local/ns/shop/sa/frontend, read from the object
new AuthorizationPolicy(chart, 'checkout-callers', {
  selector: WorkloadSelector.fromLabels({ app: 'checkout' }),
  action: AuthorizationAction.ALLOW,
  rules: [{
    from: [{ principals: [Principal.fromServiceAccount(frontendAccount)] }],
    to: [{ methods: ['GET', 'POST'], ports: [8080] }],
  }],
});

app.synth();
