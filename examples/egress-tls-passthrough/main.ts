// Istio's "Egress Gateways" task, HTTPS traffic: the workloads call
// https://edition.cnn.com; the egress gateway passes their TLS through untouched,
// routed by SNI, and (lock-down) no host that is not declared is reachable.
// https://istio.io/latest/docs/tasks/traffic-management/egress/egress-gateway/#egress-gateway-for-https-traffic
//
// As in the task, the sidecar-to-gateway leg is plaintext (the app's TLS passes
// through it). EgressTls.MUTUAL, the default, wraps that leg in Istio mutual TLS too:
// the gateway server then ends the mesh's mTLS and forwards the app's TLS as TCP.
import { App, Chart } from 'cdk8s';
import { EgressGateway, EgressTls, EgressTraffic, IstioValidation } from 'cdk8s-istio';

const app = new App();
IstioValidation.enable(app, { strict: true });

// no namespace: like the task, the objects go to the namespace they are applied to
const chart = new Chart(app, 'egress-tls-passthrough');

const egress = new EgressGateway(chart, 'egress', { sidecarToGatewayTls: EgressTls.PLAIN });
// the port name and subset name of the task
egress.addHost('edition.cnn.com', EgressTraffic.httpsPassthrough({ portName: 'tls' }), { subsetName: 'cnn' });

app.synth();
