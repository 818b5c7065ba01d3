// Bookinfo's traffic shifting as a CanaryRelease: reviews v1 keeps 90% of the traffic,
// v2 gets 10%, as Istio publishes it in samples/bookinfo/networking/
// virtual-service-reviews-90-10.yaml and destination-rule-reviews.yaml (load balancer
// RANDOM, subsets v1, v2, v3). The pattern writes the VirtualService and the
// DestinationRule (subsets by the pods' `version` label, and ISTIO_MUTUAL: the one
// deliberate difference, see README.md); the validation switch checks every object at synth.
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-32';
import { CanaryRelease, CanaryWorkload, IstioValidation, SimpleLb } from 'cdk8s-istio';

const app = new App();
IstioValidation.enable(app, { strict: true });

const chart = new Chart(app, 'bookinfo', { namespace: 'bookinfo' });

// the three versions of reviews, as Bookinfo deploys them
const reviews: { [version: string]: kplus.Deployment } = {};
for (const version of ['v1', 'v2', 'v3']) {
  reviews[version] = new kplus.Deployment(chart, `reviews-${version}`, {
    metadata: { name: `reviews-${version}` },
    podMetadata: { labels: { app: 'reviews', version } },
    containers: [{
      name: 'reviews',
      image: `docker.io/istio/examples-bookinfo-reviews-${version}:1.20.3`,
      ports: [{ number: 9080 }],
      securityContext: { user: 1000, group: 1000 },
    }],
  });
}

// one Service for every version: the split is made by subsets
const service = new kplus.Service(chart, 'reviews', {
  metadata: { name: 'reviews' },
  ports: [{ name: 'http', port: 9080 }],
});
service.selectLabel('app', 'reviews');

// samples/bookinfo/networking/virtual-service-reviews-90-10.yaml and destination-rule-reviews.yaml
const canary = new CanaryRelease(chart, 'reviews-canary', {
  name: 'reviews',
  host: 'reviews',
  stable: CanaryWorkload.fromWorkload(reviews.v1),
  canary: CanaryWorkload.fromWorkload(reviews.v2),
  stableSubsetName: 'v1',
  canarySubsetName: 'v2',
  canaryWeight: 10,
  // the sample's load balancer (Istio's default is LEAST_REQUEST)
  trafficPolicy: { loadBalancer: { simple: SimpleLb.RANDOM } },
});

// the DestinationRule is a part like any other: v3 completes the sample's subsets
canary.destinationRule!.addSubset('v3', { labels: { version: 'v3' } });

app.synth();
