// Bookinfo with STRICT mutual TLS: a namespace-wide PeerAuthentication (L2), a raw
// L1 DestinationRule, and the validation switch that checks every object at synth.
import { App, Chart } from 'cdk8s';
import { IstioValidation, MtlsMode, PeerAuthentication, WorkloadSelector, networking } from 'cdk8s-istio';

const app = new App();
IstioValidation.enable(app, { strict: true });

const chart = new Chart(app, 'bookinfo', { namespace: 'bookinfo' });

new PeerAuthentication(chart, 'default', { metadata: { name: 'default' } });

// the metrics port stays PERMISSIVE for a Prometheus outside the mesh (port-level settings need a selector)
new PeerAuthentication(chart, 'ratings-metrics', {
  selector: WorkloadSelector.fromLabels({ app: 'ratings' }),
  mtlsMode: MtlsMode.STRICT,
  portLevelMtls: { 9090: MtlsMode.PERMISSIVE },
});

// drop down to the L1 when no L2 covers what you need
new networking.DestinationRule(chart, 'reviews', {
  metadata: { name: 'reviews' },
  spec: {
    host: 'reviews',
    trafficPolicy: { tls: { mode: networking.DestinationRuleSpecTrafficPolicyTlsMode.ISTIO_UNDERSCORE_MUTUAL } },
    subsets: [
      { name: 'v1', labels: { version: 'v1' } },
      { name: 'v2', labels: { version: 'v2' } },
    ],
  },
});

app.synth();
