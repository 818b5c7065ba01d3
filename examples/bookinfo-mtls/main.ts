// Bookinfo's ratings and reviews with STRICT mutual TLS: a namespace-wide
// PeerAuthentication (L2), a workload-scoped one that keeps a metrics port
// PERMISSIVE, a raw L1 DestinationRule, and the validation switch that checks
// every object at synth (cdk8s.yaml also loads the validation plugin).
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-32';
import { IstioValidation, MtlsMode, PeerAuthentication, WorkloadSelector, networking } from 'cdk8s-istio';

const app = new App();
IstioValidation.enable(app, { strict: true });

const chart = new Chart(app, 'bookinfo', { namespace: 'bookinfo' });

function workload(name: string, version: string, port: number): kplus.Deployment {
  const deployment = new kplus.Deployment(chart, `${name}-${version}`, {
    metadata: { name: `${name}-${version}`, labels: { app: name, version } },
    podMetadata: { labels: { app: name, version } },
    containers: [{ image: `docker.io/istio/examples-bookinfo-${name}-${version}:1.20.2`, portNumber: port, securityContext: { user: 1000, group: 1000 } }],
  });
  return deployment;
}

const ratings = workload('ratings', 'v1', 9080);
new kplus.Service(chart, 'ratings', {
  metadata: { name: 'ratings' },
  selector: ratings,
  ports: [{ name: 'http', port: 9080, targetPort: 9080 }],
});
const reviews = workload('reviews', 'v1', 9080);
workload('reviews', 'v2', 9080);
workload('reviews', 'v3', 9080);
new kplus.Service(chart, 'reviews', {
  metadata: { name: 'reviews' },
  selector: kplus.Pods.select(chart, 'reviews-pods', { labels: { app: 'reviews' } }),
  ports: [{ name: 'http', port: 9080, targetPort: 9080 }],
});

new PeerAuthentication(chart, 'default', { metadata: { name: 'default' } });

// ratings' metrics port stays PERMISSIVE for a Prometheus outside the mesh
// (port-level settings need a selector: here, the pods of the ratings Deployment)
new PeerAuthentication(chart, 'ratings-metrics', {
  selector: WorkloadSelector.fromWorkload(ratings),
  mtlsMode: MtlsMode.STRICT,
  portLevelMtls: { 9090: MtlsMode.PERMISSIVE },
});

// drop down to the L1 when no L2 covers what you need: the `reviews` rule of
// samples/bookinfo/networking/destination-rule-all-mtls.yaml, field for field
new networking.DestinationRule(chart, 'reviews-dr', {
  metadata: { name: 'reviews' },
  spec: {
    host: 'reviews',
    trafficPolicy: { tls: { mode: networking.DestinationRuleSpecTrafficPolicyTlsMode.ISTIO_UNDERSCORE_MUTUAL } },
    subsets: [
      // the version label of the reviews-v1 pods, read from the Deployment
      { name: 'v1', labels: { version: WorkloadSelector.podLabelsOf(reviews).version } },
      { name: 'v2', labels: { version: 'v2' } },
      { name: 'v3', labels: { version: 'v3' } },
    ],
  },
});

app.synth();
