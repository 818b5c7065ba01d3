// Istio's "Egress Gateways" task, HTTP traffic: the workloads reach
// http://edition.cnn.com through the egress gateway, and (lock-down) no host that
// is not declared.
// https://istio.io/latest/docs/tasks/traffic-management/egress/egress-gateway/#egress-gateway-for-http-traffic
//
// The sidecar-to-gateway leg is plaintext here only to reproduce the task exactly:
// EgressTls.MUTUAL (Istio mutual TLS to the gateway on 443, sni = the host) is the
// default, and what to use unless you have a reason not to.
import { App, Chart } from 'cdk8s';
import { EgressGateway, EgressTls, EgressTraffic, IstioValidation } from 'cdk8s-istio';

const app = new App();
IstioValidation.enable(app, { strict: true });

// no namespace: like the task, the objects go to the namespace they are applied to
const chart = new Chart(app, 'egress-http');

const egress = new EgressGateway(chart, 'egress', { sidecarToGatewayTls: EgressTls.PLAIN });
// the port name and subset name of the task
egress.addHost('edition.cnn.com', EgressTraffic.http({ portName: 'http-port' }), { subsetName: 'cnn' });

app.synth();
