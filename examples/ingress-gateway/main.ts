// Istio's ingress tasks behind one IngressGateway: "Secure Gateways" (httpbin over
// HTTPS with a certificate from a Secret, and helloworld with mutual TLS) and
// "Ingress Gateway without TLS Termination" (nginx, passed through by SNI), plus an
// HTTP-to-HTTPS redirect and a route with CORS and header manipulation. The Secrets
// (httpbin-credential, helloworld-credential) live in istio-system, beside the
// gateway pods: create them with kubectl or cert-manager.
// https://istio.io/latest/docs/tasks/traffic-management/ingress/secure-ingress/
// https://istio.io/latest/docs/tasks/traffic-management/ingress/ingress-sni-passthrough/
import { App, Chart, Duration } from 'cdk8s';
import { HttpMethod, IngressGateway, IngressTls, IstioValidation, RouteDestination, StringMatch } from 'cdk8s-istio';

const app = new App();
IstioValidation.enable(app, { strict: true });

// no namespace: like the tasks, the objects go to the namespace they are applied to
const chart = new Chart(app, 'ingress');

const ingress = new IngressGateway(chart, 'public', {
  hosts: [
    { host: 'httpbin.example.com', tls: IngressTls.simple('httpbin-credential') },
    { host: 'helloworld.example.com', tls: IngressTls.mutual('helloworld-credential') },
    { host: 'nginx.example.com', tls: IngressTls.passthrough() },
  ],
});

const httpbin = RouteDestination.to('httpbin', { port: 8000 });
ingress.addRoute({ host: 'httpbin.example.com', pathPrefix: '/status', destination: httpbin });
ingress.addRoute({ host: 'httpbin.example.com', pathPrefix: '/delay', destination: httpbin });
ingress.addRoute({
  host: 'httpbin.example.com',
  pathPrefix: '/headers',
  destination: httpbin,
  corsPolicy: {
    allowOrigins: [StringMatch.exact('https://www.example.com')],
    allowMethods: [HttpMethod.GET],
    maxAge: Duration.hours(1),
  },
  headers: { response: { remove: ['server'] } },
});

ingress.addRoute({ host: 'helloworld.example.com', pathPrefix: '/hello', destination: RouteDestination.to('helloworld', { port: 5000 }) });

// passed through: the gateway routes the TLS connection by SNI, nginx holds the certificate
ingress.addRoute({ host: 'nginx.example.com', destination: RouteDestination.to('my-nginx', { port: 443 }) });

app.synth();
