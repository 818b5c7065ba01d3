// Istio's "Egress Gateways" task, HTTP traffic: the workloads reach
// http://edition.cnn.com through the egress gateway, and (lock-down) no host that
// is not declared.
// https://istio.io/latest/docs/tasks/traffic-management/egress/egress-gateway/#egress-gateway-for-http-traffic
//
// The sidecar-to-gateway leg is plaintext here only to reproduce the task exactly:
// EgressTls.MUTUAL (Istio mutual TLS to the gateway on 443, sni = the host) is the
// default, and what to use unless you have a reason not to. README.md lists what
// still differs from the task, and why.
import { App, Chart } from 'cdk8s';
import { EgressGateway, EgressTls, EgressTraffic, IstioValidation, Protocol } from 'cdk8s-istio';

const app = new App();
IstioValidation.enable(app, { strict: true });

// no namespace: like the task, the objects go to the namespace they are applied to
const chart = new Chart(app, 'egress-http');

const egress = new EgressGateway(chart, 'egress', { sidecarToGatewayTls: EgressTls.PLAIN });
// the port name and subset name of the task
egress.addHost('edition.cnn.com', EgressTraffic.http({ portName: 'http-port' }), { subsetName: 'cnn' });
// the task's second port: CNN redirects http:// to https://, and curl -L follows it
// on 443 straight from the sidecar, not through the gateway. EgressGateway declares
// only the ports it routes (a declared port without a route bypasses the gateway):
// this one is added by hand, as the task does.
egress.host('edition.cnn.com').serviceEntry.addPort({ number: 443, name: 'https', protocol: Protocol.HTTPS });

app.synth();
