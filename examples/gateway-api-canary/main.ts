// bookinfo's reviews and ratings shifted with the Kubernetes Gateway API instead of a
// VirtualService: one option (OutputMode) makes the patterns of the app write
// HTTPRoutes. The versioned Services (reviews-v1, reviews-v3, ratings-v2) are those of
// Istio's samples/bookinfo/platform/kube/bookinfo-versions.yaml. Validation checks
// every object at synth (CRD schema and CEL of the Gateway API v1.5.1 CRDs).
import { App, Chart, Duration } from 'cdk8s';
import { ApiMode, CanaryMatch, CanaryRelease, IstioValidation, OutputMode, StringMatch } from 'cdk8s-istio';

const app = new App();
// before any construct: the patterns read the mode when they are made
OutputMode.set(app, ApiMode.GATEWAY_API);
IstioValidation.enable(app, { strict: true });

const chart = new Chart(app, 'bookinfo', { namespace: 'bookinfo' });

// mesh (GAMMA): the route's parent is the Service clients call, its backends one Service per version
new CanaryRelease(chart, 'reviews', {
  host: 'reviews',
  stableHost: 'reviews-v1',
  canaryHost: 'reviews-v3',
  port: 9080,
  canaryWeight: 50,
});

// host-level: ratings is the stable version; jason always gets the canary; a 5s timeout
new CanaryRelease(chart, 'ratings', {
  host: 'ratings',
  canaryHost: 'ratings-v2',
  port: 9080,
  canaryWeight: 10,
  canaryMatches: [CanaryMatch.header('end-user', StringMatch.exact('jason'))],
  timeout: Duration.seconds(5),
});

// ingress: the same split for the public Gateway (class istio) of the ingress namespace,
// whose listener must admit routes from bookinfo (allowedRoutes)
new CanaryRelease(chart, 'productpage', {
  host: 'productpage',
  stableHost: 'productpage-v1',
  canaryHost: 'productpage-v2',
  port: 9080,
  canaryWeight: 20,
  gatewayNames: ['istio-ingress/public'],
  gatewayHosts: ['bookinfo.example.com'],
});

app.synth();
