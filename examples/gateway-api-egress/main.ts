// Istio's "Egress Gateways" task, Gateway API tab: the workloads of namespace `shop`
// reach edition.cnn.com (HTTP, and HTTPS originated by the gateway) and api.stripe.com
// (HTTPS passed through) only through an egress gateway that Istio deploys from a
// Gateway of class istio (Service type ClusterIP). Validation checks every object at synth.
import { App, Chart } from 'cdk8s';
import { ApiMode, EgressGateway, EgressTraffic, IstioValidation, OutputMode } from 'cdk8s-istio';

const app = new App();
OutputMode.set(app, ApiMode.GATEWAY_API);
IstioValidation.enable(app, { strict: true });

const chart = new Chart(app, 'shop', { namespace: 'shop' });

const egress = new EgressGateway(chart, 'egress');
egress.addHost('edition.cnn.com', EgressTraffic.http());
egress.addHost('api.stripe.com', EgressTraffic.httpsPassthrough());
egress.addHost('api.example.com', EgressTraffic.tlsOrigination({ credentialName: 'example-ca' }));

app.synth();
