// A shop behind the shared Istio ingress gateway that requires a JWT: HTTPS with an
// HTTP-to-HTTPS redirect, tokens from Keycloak (in the cluster) or Auth0, a required
// scope, and two public paths. The pattern writes the Gateway, the VirtualService,
// the RequestAuthentication and the DENY policies on the gateway pods, and a
// ServiceEntry for Auth0's key set; the validation switch checks every object at synth.
//
// Chart `foo` reproduces Istio's "End-user authentication" task at the ingress gateway
// (httpbin in namespace foo, the task's issuer and key set) on the same gateway pods:
// README.md lists what differs from the task's objects, and why.
// https://istio.io/v1.30/docs/tasks/security/authentication/authn-policy/#end-user-authentication
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

// Istio's task: httpbin (samples/httpbin/httpbin.yaml) in namespace foo...
const foo = new Chart(app, 'foo', { namespace: 'foo' });
const httpbin = new kplus.Deployment(foo, 'httpbin', {
  metadata: { name: 'httpbin' },
  podMetadata: { labels: { app: 'httpbin', version: 'v1' } },
  containers: [{
    name: 'httpbin',
    image: 'docker.io/mccutchen/go-httpbin:v2.15.0',
    ports: [{ number: 8080 }],
    securityContext: { user: 1000, group: 1000 },
  }],
});
httpbin.exposeViaService({ name: 'httpbin', ports: [{ name: 'http', port: 8000, targetPort: 8080 }] });

// ...behind the ingress gateway, with the task's issuer and key set: a valid token is
// required on every path (the task's "require a valid token" step)
new JwtProtectedIngress(foo, 'httpbin-ingress', {
  // a concrete host, not the task's "*": the policies are scoped to it, so the shop's
  // hosts on the same gateway pods are left alone
  hosts: ['httpbin.example.com'],
  credentialName: 'httpbin-credential',
  issuers: [JwtIssuer.custom({
    issuer: 'testing@secure.istio.io',
    jwksUri: 'https://raw.githubusercontent.com/istio/istio/release-1.30/security/tools/jwt/samples/jwks.json',
  })],
  // the task's short host name (the VirtualService is in foo, so is the Service)
  routes: [{ destination: RouteDestination.to('httpbin', { port: 8000 }) }],
  gatewayPorts: [8443, 8080],
});

app.synth();
