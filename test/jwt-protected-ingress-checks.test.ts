import { ApiObject, Chart, Testing } from 'cdk8s';
import { synthValid } from './util';
import { StringMatch } from '../src/core/string-match';
import { Gateway } from '../src/networking/gateway';
import { RouteDestination } from '../src/networking/vs-destination';
import { JwtIssuer } from '../src/patterns/jwt-issuer';
import { JwtProtectedIngress, JwtProtectedIngressProps } from '../src/patterns/jwt-protected-ingress';

const JWKS = JSON.stringify({ keys: [{ kty: 'RSA', kid: 'k1', n: 'xjlCRBqkQRLxtXrTY3fTQnZrQvQ', e: 'AQAB' }] });
const ISSUER = JwtIssuer.custom({ issuer: 'testing@secure.istio.io', jwks: JWKS });
const AT = "JwtProtectedIngress 'test/api'";

function chart(): Chart {
  const c = new Chart(Testing.app(), 'test', { namespace: 'shop' });
  new ApiObject(c, 'svc', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'api' },
    spec: { selector: { app: 'api' }, ports: [{ name: 'http', port: 8080 }] },
  });
  return c;
}

function props(overrides: Partial<JwtProtectedIngressProps> = {}): JwtProtectedIngressProps {
  return {
    hosts: ['api.example.com'],
    credentialName: 'api-tls',
    issuers: [ISSUER],
    routes: [{ destination: RouteDestination.to('api', { port: 8080 }) }],
    ...overrides,
  };
}

function make(overrides: Partial<JwtProtectedIngressProps> = {}): JwtProtectedIngress {
  return new JwtProtectedIngress(chart(), 'api', props(overrides));
}

describe('JwtProtectedIngress checks', () => {
  describe('hosts', () => {
    test('throws when there is no host', () => {
      expect(() => make({ hosts: [] })).toThrow(`${AT}: invalid hosts []: at least one host is required`);
    });

    test('throws when a host is not fully qualified', () => {
      expect(() => make({ hosts: ['api'] }))
        .toThrow(`${AT}: invalid hosts[0] "api": a fully qualified host name such as "api.example.com"`);
      expect(() => make({ hosts: ['API.example.com'] })).toThrow(`${AT}: invalid hosts[0] "API.example.com": a fully qualified host name`);
      expect(() => make({ hosts: ['10.0.0.1'] })).toThrow(`${AT}: invalid hosts[0] "10.0.0.1"`);
      expect(() => make({ hosts: ['*api.example.com'] })).toThrow(`${AT}: invalid hosts[0] "*api.example.com"`);
    });

    test('throws when a wildcard host would need a policy scoped to hosts', () => {
      expect(() => make({ hosts: ['api.example.com', '*.example.com'] })).toThrow(
        `${AT}: invalid hosts[1] "*.example.com": the token policy is scoped to the hosts, and Istio cannot match a wildcard host together with a port `
        + 'in the Host header ("a.example.com:443" would get past it): list concrete hosts, or set scopePoliciesToHosts: false');
      expect(() => make({ hosts: ['*'] })).toThrow(`${AT}: invalid hosts[0] "*": the token policy is scoped to the hosts`);
    });

    test('throws when a host is listed twice', () => {
      expect(() => make({ hosts: ['api.example.com', 'www.example.com', 'api.example.com'] }))
        .toThrow(`${AT}: invalid hosts[2] "api.example.com": hosts[0] is the same host: list each host once`);
    });
  });

  describe('issuers', () => {
    test('throws when there is no issuer', () => {
      expect(() => make({ issuers: [] })).toThrow(`${AT}: invalid issuers []: at least one issuer is required`);
    });

    test('throws when an issuer is given twice', () => {
      expect(() => make({ issuers: [ISSUER, JwtIssuer.custom({ issuer: 'testing@secure.istio.io', jwksUri: 'https://keys.example.com/jwks.json' })] }))
        .toThrow(`${AT}: invalid issuers[1].issuer "testing@secure.istio.io": issuers[0] has the same issuer: give each issuer once, with all its audiences`);
    });

    test('throws when an Auth0 domain is not a host name', () => {
      expect(() => make({ issuers: [JwtIssuer.auth0('https://my-tenant.auth0.com', { audiences: ['api'] })] }))
        .toThrow(`${AT}: invalid issuers[0].domain "https://my-tenant.auth0.com": an Auth0 domain is a DNS name such as "my-tenant.eu.auth0.com" (no scheme, no path)`);
    });

    test('throws when an Auth0 issuer has no audiences', () => {
      expect(() => make({ issuers: [JwtIssuer.auth0('my-tenant.eu.auth0.com')] }))
        .toThrow(`${AT}: invalid issuers[0].audiences undefined: an Auth0 tenant issues tokens for all its APIs: give the audiences`);
      expect(() => make({ issuers: [JwtIssuer.auth0('my-tenant.eu.auth0.com', { audiences: [] })] }))
        .toThrow(`${AT}: invalid issuers[0].audiences []`);
    });

    test('throws when a Keycloak realm is not a plain name', () => {
      expect(() => make({ issuers: [JwtIssuer.keycloak({ realm: 'a/b', serviceHost: 'keycloak.auth.svc.cluster.local' })] }))
        .toThrow(`${AT}: invalid issuers[0].realm "a/b": a realm name is letters, digits, ".", "_" and "-"`);
    });

    test('throws when Keycloak is not reached as an in-cluster Service', () => {
      expect(() => make({ issuers: [JwtIssuer.keycloak({ realm: 'mesh', serviceHost: 'auth.example.com' })] }))
        .toThrow(`${AT}: invalid issuers[0].serviceHost "auth.example.com": the keys are fetched over plain HTTP, so Keycloak must be reached as an in-cluster Service`);
      expect(() => make({ issuers: [JwtIssuer.keycloak({ realm: 'mesh', serviceHost: 'keycloak' })] }))
        .toThrow(`${AT}: invalid issuers[0].serviceHost "keycloak"`);
    });

    test('throws when the Keycloak port is out of range', () => {
      expect(() => make({ issuers: [JwtIssuer.keycloak({ realm: 'mesh', serviceHost: 'keycloak.auth.svc', port: 0 })] }))
        .toThrow(`${AT}: invalid issuers[0].port 0: a port is an integer from 1 to 65535`);
    });

    test('throws when the Keycloak external URL is not https', () => {
      expect(() => make({ issuers: [JwtIssuer.keycloak({ realm: 'mesh', serviceHost: 'keycloak.auth.svc', externalIssuerUrl: 'http://auth.example.com' })] }))
        .toThrow(`${AT}: invalid issuers[0].externalIssuerUrl "http://auth.example.com": the public base URL of Keycloak, https://`);
      expect(() => make({ issuers: [JwtIssuer.keycloak({ realm: 'mesh', serviceHost: 'keycloak.auth.svc', externalIssuerUrl: 'auth.example.com' })] }))
        .toThrow(`${AT}: invalid issuers[0].externalIssuerUrl "auth.example.com"`);
    });

    test('throws when a custom issuer is empty or holds whitespace', () => {
      expect(() => make({ issuers: [JwtIssuer.custom({ issuer: '', jwks: JWKS })] }))
        .toThrow(`${AT}: invalid issuers[0].issuer "": the exact \`iss\` claim of the tokens: not empty, no whitespace`);
      expect(() => make({ issuers: [JwtIssuer.custom({ issuer: 'my issuer', jwks: JWKS })] })).toThrow(`${AT}: invalid issuers[0].issuer "my issuer"`);
    });

    test('throws when an issuer URL outside the cluster is not https', () => {
      expect(() => make({ issuers: [JwtIssuer.custom({ issuer: 'http://auth.example.com', jwks: JWKS })] }))
        .toThrow(`${AT}: invalid issuers[0].issuer "http://auth.example.com": an issuer URL is https:// (http:// only for an issuer inside the cluster`);
      expect(() => make({ issuers: [JwtIssuer.custom({ issuer: 'ftp://auth.example.com', jwks: JWKS })] })).toThrow(`${AT}: invalid issuers[0].issuer "ftp://auth.example.com"`);
    });

    test('throws when a custom issuer has no keys, or both jwksUri and jwks', () => {
      expect(() => make({ issuers: [JwtIssuer.custom({ issuer: 'https://auth.example.com' })] }))
        .toThrow(`${AT}: invalid issuers[0].jwksUri undefined: give the keys: jwksUri (a URL) or jwks (the key set inline)`);
      expect(() => make({ issuers: [JwtIssuer.custom({ issuer: 'https://auth.example.com', jwks: JWKS, jwksUri: 'https://auth.example.com/jwks' })] }))
        .toThrow(`${AT}: invalid issuers[0].jwksUri "https://auth.example.com/jwks": give jwksUri or jwks, not both`);
    });

    test('throws when a jwksUri is not https outside the cluster, or not a URL', () => {
      const allowed = 'an https:// URL with a DNS host name (keys fetched over plain HTTP from outside the cluster can be tampered with)';
      expect(() => make({ issuers: [JwtIssuer.custom({ issuer: 'https://auth.example.com', jwksUri: 'http://auth.example.com/jwks' })] }))
        .toThrow(`${AT}: invalid issuers[0].jwksUri "http://auth.example.com/jwks": ${allowed}`);
      expect(() => make({ issuers: [JwtIssuer.custom({ issuer: 'https://auth.example.com', jwksUri: '/jwks.json' })] }))
        .toThrow(`${AT}: invalid issuers[0].jwksUri "/jwks.json": ${allowed}`);
      expect(() => make({ issuers: [JwtIssuer.custom({ issuer: 'https://auth.example.com', jwksUri: 'https://203.0.113.7/jwks' })] }))
        .toThrow(`${AT}: invalid issuers[0].jwksUri "https://203.0.113.7/jwks": ${allowed}`);
    });

    test('throws when a JWT option is invalid (checked by the RequestAuthentication)', () => {
      expect(() => make({ issuers: [JwtIssuer.custom({ issuer: 'me', jwks: JWKS, fromHeaders: [{ name: 'bad header' }] })] }))
        .toThrow("RequestAuthentication 'test/api/RequestAuthentication': invalid jwtRules[0].fromHeaders[0].name \"bad header\"");
    });
  });

  describe('public paths', () => {
    test('throws when a public path is not absolute', () => {
      const allowed = 'a public path is absolute ("/healthz", "/public/*"): a suffix or "*" would exempt paths of every prefix from the token';
      expect(() => make({ publicPaths: ['healthz'] })).toThrow(`${AT}: invalid publicPaths[0] "healthz": ${allowed}`);
      expect(() => make({ publicPaths: ['/login', '*.png'] })).toThrow(`${AT}: invalid publicPaths[1] "*.png": ${allowed}`);
      expect(() => make({ publicPaths: ['*'] })).toThrow(`${AT}: invalid publicPaths[0] "*": ${allowed}`);
    });

    test('throws when a public path is not one Istio can match', () => {
      expect(() => make({ publicPaths: ['/users/{id}'] }))
        .toThrow(`${AT}: invalid publicPaths[0] "/users/{id}": Istio rejects "{" and "}" outside the path templates "{*}" and "{**}"`);
      expect(() => make({ publicPaths: ['/a/*/b'] })).toThrow(`${AT}: invalid publicPaths[0] "/a/*/b": Istio matches exactly, by prefix`);
    });

    test('throws when a public path is listed twice', () => {
      expect(() => make({ publicPaths: ['/healthz', '/healthz'] }))
        .toThrow(`${AT}: invalid publicPaths[1] "/healthz": publicPaths[0] is the same path: list each path once`);
    });
  });

  describe('gateway', () => {
    test('throws when the gateway namespace or selector is invalid', () => {
      expect(() => make({ gatewayNamespace: 'Istio_System' }))
        .toThrow(`${AT}: invalid gatewayNamespace "Istio_System": a namespace name (DNS label)`);
      expect(() => make({ gatewaySelector: {} }))
        .toThrow(`${AT}: invalid gatewaySelector {}: an empty selector would apply the policies to every pod of the namespace`);
    });

    test('throws when a Gateway is to be made without a certificate', () => {
      expect(() => make({ credentialName: undefined })).toThrow(
        `${AT}: invalid credentialName undefined: the Gateway made here serves HTTPS only: give the Secret with the certificate (tls.crt/tls.key) in the gateway namespace, or bind an existing gateway with gateway`);
    });

    test('throws when the credential is not a Secret name', () => {
      expect(() => make({ credentialName: 'API_TLS' })).toThrow(`${AT}: invalid credentialName "API_TLS": a Secret name`);
      expect(() => make({ credentialName: 'api..tls' })).toThrow(`${AT}: invalid credentialName "api..tls": a Secret name`);
    });

    test('throws when Gateway options are given with an existing gateway', () => {
      const c = chart();
      const gateway = Gateway.fromGatewayName(c, 'public', 'istio-system/public');
      expect(() => new JwtProtectedIngress(c, 'api', props({ gateway })))
        .toThrow(`${AT}: invalid credentialName "api-tls": credentialName configures the Gateway made here; the existing gateway "test/public" keeps its own servers`);
      expect(() => new JwtProtectedIngress(c, 'api2', props({ gateway, credentialName: undefined, httpsRedirect: false })))
        .toThrow("JwtProtectedIngress 'test/api2': invalid httpsRedirect false: httpsRedirect configures the Gateway made here");
    });

    test('throws when gatewayPorts is empty, out of range or repeats a port', () => {
      expect(() => make({ gatewayPorts: [] })).toThrow(`${AT}: invalid gatewayPorts []: must not be empty: leave it out to cover every port of the gateway pods`);
      expect(() => make({ gatewayPorts: [8443, 70000] })).toThrow(`${AT}: invalid gatewayPorts[1] 70000: a port is an integer from 1 to 65535`);
      expect(() => make({ gatewayPorts: [8443, 8443] })).toThrow(`${AT}: invalid gatewayPorts[1] 8443: gatewayPorts[0] is the same port: list each port once`);
    });

    test('fails validation when gatewayPorts misses the pod port of a server (the gateway Service is in the app)', () => {
      const c = chart();
      const system = new Chart(c.node.scope as any, 'system', { namespace: 'istio-system' });
      new ApiObject(system, 'gateway-service', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'istio-ingressgateway' },
        spec: {
          selector: { istio: 'ingressgateway' },
          ports: [{ name: 'http2', port: 80, targetPort: 8080 }, { name: 'https', port: 443, targetPort: 8443 }],
        },
      });
      new JwtProtectedIngress(c, 'api', props({ gatewayPorts: [443, 8080] }));
      expect(() => synthValid(c)).toThrow(
        `${AT}: invalid gatewayPorts [443,8080]: the gateway server on port 443 listens on pod port 8443 (Service 'istio-system/istio-ingressgateway'), `
        + 'which is not listed: requests there would not need a token; add it');
    });

    test('throws when gatewayHosts is given without a gateway', () => {
      expect(() => make({ gatewayHosts: ['*'] })).toThrow(`${AT}: invalid gatewayHosts ["*"]: gatewayHosts describes an existing gateway`);
    });

    test('throws when the existing gateway does not serve a host (IST0132)', () => {
      const c = chart();
      const gateway = Gateway.fromGatewayName(c, 'public', 'istio-system/public');
      expect(() => new JwtProtectedIngress(c, 'api', props({
        hosts: ['api.example.com', 'api.example.org'], gateway, gatewayHosts: ['*/*.example.com', 'www.example.org'], credentialName: undefined,
      }))).toThrow(`${AT}: invalid hosts[1] "api.example.org": the gateway serves ["*/*.example.com","www.example.org"], not this host (IST0132 VirtualServiceHostNotFoundInGateway)`);
    });
  });

  describe('routes', () => {
    test('fails validation when there is no route', () => {
      const c = chart();
      new JwtProtectedIngress(c, 'api', props({ routes: [] }));
      expect(() => synthValid(c)).toThrow(`${AT}: has no route: add one with addRoute(`);
    });

    test('throws when a route has both pathPrefix and path', () => {
      expect(() => make({ routes: [{ pathPrefix: '/a', path: StringMatch.exact('/b'), destination: RouteDestination.to('api') }] }))
        .toThrow(`${AT}: invalid routes[0].pathPrefix "/a": give pathPrefix or path, not both (path is exact:"/b")`);
    });

    test('throws when a path prefix is not absolute', () => {
      const ingress = make();
      expect(() => ingress.addRoute({ pathPrefix: 'api/', destination: RouteDestination.to('api') }))
        .toThrow(`${AT}: invalid routes[1].pathPrefix "api/": a path prefix starts with "/"`);
    });

    test('fails validation when a host is added to the VirtualService directly', () => {
      const c = chart();
      const ingress = new JwtProtectedIngress(c, 'api', props());
      ingress.virtualService!.addHost('admin.example.com');
      expect(() => synthValid(c)).toThrow(
        `${AT}: the VirtualService has host "admin.example.com", which is not in hosts ["api.example.com"]: the Gateway does not serve it (IST0132) `
        + 'and the token policy does not cover it; pass it in hosts instead of adding it to the VirtualService');
    });
  });

  describe('claims', () => {
    test('throws when a claim name is empty or holds brackets', () => {
      const ingress = make();
      expect(() => ingress.addClaimRequirement({ claim: '', values: ['a'] }))
        .toThrow(`${AT}: invalid requireClaims[0].claim "": a claim name is not empty, without whitespace, "[" or "]"`);
      expect(() => ingress.addClaimRequirement({ claim: 'groups]', values: ['a'] })).toThrow(`${AT}: invalid requireClaims[0].claim "groups]"`);
      expect(() => ingress.addClaimRequirement({ claim: 'realm_access', nested: ['a', 'ro les'], values: ['a'] }))
        .toThrow(`${AT}: invalid requireClaims[0].nested[1] "ro les"`);
    });

    test('throws when a claim requirement has no value', () => {
      expect(() => make({ requireClaims: [{ claim: 'groups', values: [] }] }))
        .toThrow(`${AT}: invalid requireClaims[0].values []: give at least one accepted value, none empty`);
      expect(() => make({ requireClaims: [{ claim: 'groups', values: ['a', ''] }] })).toThrow(`${AT}: invalid requireClaims[0].values ["a",""]`);
    });

    test('throws when a claim is required twice', () => {
      expect(() => make({ requireClaims: [{ claim: 'groups', values: ['a'] }, { claim: 'groups', values: ['b'] }] }))
        .toThrow(`${AT}: invalid requireClaims[1].claim "request.auth.claims[groups]": requireClaims[0] already requires this claim: merge the accepted values into one requirement`);
    });

    test('claims whose ids would collide get distinct policies', () => {
      const c = chart();
      const ingress = new JwtProtectedIngress(c, 'api', props({ requireClaims: [{ claim: 'a.b', values: ['x'] }, { claim: 'a-b', values: ['y'] }] }));
      expect(ingress.claimPolicies.map(p => p.name)).toEqual(['test-api-claim-a-b', 'test-api-claim-a-b-2']);
      expect(synthValid(c).filter(o => o.kind === 'AuthorizationPolicy')).toHaveLength(3);
    });
  });
});
