// A shop behind the shared Istio ingress gateway that requires a JWT: HTTPS with an
// HTTP-to-HTTPS redirect, tokens from Keycloak (in the cluster) or Auth0, a required
// scope, and two public paths. The pattern writes the Gateway, the VirtualService,
// the RequestAuthentication and the DENY policies on the gateway pods, and a
// ServiceEntry for Auth0's key set; the validation switch checks every object at synth.
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-32';
import { IstioValidation, JwtIssuer, JwtProtectedIngress, RouteDestination } from 'cdk8s-istio';

const app = new App();
IstioValidation.enable(app, { strict: true });

const chart = new Chart(app, 'shop', { namespace: 'shop' });

// the backends
const services: { [name: string]: kplus.Service } = {};
for (const name of ['api', 'web']) {
  const deployment = new kplus.Deployment(chart, name, {
    metadata: { name },
    podMetadata: { labels: { app: name } },
    containers: [{
      name,
      image: `ghcr.io/example/shop-${name}:2.3.0`,
      ports: [{ number: 8080 }],
      securityContext: { user: 1000, group: 1000 },
    }],
  });
  services[name] = deployment.exposeViaService({ name, ports: [{ name: 'http', port: 8080 }] });
}

const ingress = new JwtProtectedIngress(chart, 'ingress', {
  hosts: ['shop.example.com'],
  // a Secret with tls.crt and tls.key in istio-system, where the gateway pods run
  credentialName: 'shop-example-com-tls',
  issuers: [
    JwtIssuer.keycloak({
      realm: 'shop',
      serviceHost: 'keycloak.auth.svc.cluster.local',
      externalIssuerUrl: 'https://auth.example.com',
    }),
    JwtIssuer.auth0('my-tenant.eu.auth0.com', {
      audiences: ['https://shop.example.com/api'],
      outputClaimToHeaders: [{ header: 'x-shop-user', claim: 'sub' }],
    }),
  ],
  // every other path needs a valid token of one of the two issuers...
  publicPaths: ['/healthz', '/login'],
  // ...granting the `shop` scope
  requireClaims: [{ claim: 'scope', values: ['shop'] }],
  // the pod ports of istioctl's ingress gateway for Service ports 443 and 80: the token
  // policies leave the gateway's other (TCP) ports alone
  gatewayPorts: [8443, 8080],
});
ingress.addRoute({ pathPrefix: '/api/', destination: RouteDestination.toService(services.api, { port: 8080 }) });
ingress.addRoute({ pathPrefix: '/', destination: RouteDestination.toService(services.web, { port: 8080 }) });

app.synth();
