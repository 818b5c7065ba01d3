// httpbin and a TLS-passthrough backend exposed through a Gateway API Gateway (class
// istio) instead of Istio's Gateway and VirtualServices: HTTPS with the certificate of
// a Secret, plain HTTP redirected to HTTPS, HTTPRoutes per host, and a ReferenceGrant
// for the backend in another namespace. And an API that requires a JWT: its own Gateway,
// with the RequestAuthentication and the token policy attached to it by targetRefs.
// Validation checks every object at synth.
import { App, Chart, Duration } from 'cdk8s';
import {
  ApiMode, IngressGateway, IngressTls, IstioValidation, JwtIssuer, JwtProtectedIngress, OutputMode, RouteDestination, StringMatch,
} from 'cdk8s-istio';

const app = new App();
OutputMode.set(app, ApiMode.GATEWAY_API);
IstioValidation.enable(app, { strict: true });

const chart = new Chart(app, 'ingress', { namespace: 'istio-ingress' });

const ingress = new IngressGateway(chart, 'public', {
  hosts: [
    { host: 'httpbin.example.com', tls: IngressTls.simple('httpbin-credential') },
    { host: 'shop.example.com', tls: IngressTls.passthrough() },
  ],
});
ingress.addRoute({
  host: 'httpbin.example.com',
  pathPrefix: '/status',
  destination: RouteDestination.to('httpbin.apps.svc.cluster.local', { port: 8000 }),
  timeout: Duration.seconds(3),
});
ingress.addRoute({
  host: 'httpbin.example.com',
  path: StringMatch.exact('/headers'),
  destination: RouteDestination.to('httpbin.apps.svc.cluster.local', { port: 8000 }),
  headers: { response: { remove: ['server'] } },
});
ingress.addRoute({ host: 'shop.example.com', destination: RouteDestination.to('shop.apps.svc.cluster.local', { port: 8443 }) });

const api = new Chart(app, 'api', { namespace: 'api' });
new JwtProtectedIngress(api, 'orders', {
  hosts: ['orders.example.com'],
  credentialName: 'orders-tls',
  gatewayNamespace: 'api-gateway',
  issuers: [JwtIssuer.custom({ issuer: 'https://idp.example.com', jwksUri: 'https://idp.example.com/.well-known/jwks.json' })],
  publicPaths: ['/healthz'],
  routes: [{ pathPrefix: '/', destination: RouteDestination.to('orders', { port: 8080 }) }],
});

app.synth();
