import { ApiObject, Chart, Duration, Testing } from 'cdk8s';
import { findObject, objectsOf, synthValid } from './util';
import { StringMatch } from '../src/core/string-match';
import { Gateway } from '../src/networking/gateway';
import { RouteDestination } from '../src/networking/vs-destination';
import { JwtIssuer, JwtIssuerKind } from '../src/patterns/jwt-issuer';
import { JwtProtectedIngress, JwtProtectedIngressProps } from '../src/patterns/jwt-protected-ingress';
import { AuthorizationAction } from '../src/security/authorization-policy';

const JWKS = JSON.stringify({ keys: [{ kty: 'RSA', kid: 'k1', use: 'sig', alg: 'RS256', n: 'xjlCRBqkQRLxtXrTY3fTQnZrQvQ', e: 'AQAB' }] });
const ISTIO_TEST_JWKS = 'https://raw.githubusercontent.com/istio/istio/release-1.30/security/tools/jwt/samples/jwks.json';

/** A chart in namespace `shop` with the backend Services the routes point at (closed-world validation). */
function shopChart(): Chart {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
  for (const [name, port] of [['api', 8080], ['web', 8080], ['login', 9000]] as const) {
    new ApiObject(chart, `svc-${name}`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name },
      spec: { selector: { app: name }, ports: [{ name: 'http', port }] },
    });
  }
  return chart;
}

const ISSUER = JwtIssuer.custom({ issuer: 'testing@secure.istio.io', jwksUri: ISTIO_TEST_JWKS });

/** The smallest valid props, to override in each test. */
function minimal(overrides: Partial<JwtProtectedIngressProps> = {}): JwtProtectedIngressProps {
  return {
    hosts: ['api.example.com'],
    credentialName: 'api-tls',
    issuers: [ISSUER],
    routes: [{ destination: RouteDestination.to('api', { port: 8080 }) }],
    ...overrides,
  };
}

describe('JwtProtectedIngress', () => {
  test('defaults: HTTPS Gateway with redirect, VirtualService, RequestAuthentication and the token policy on the ingress gateway', () => {
    const chart = shopChart();
    const ingress = new JwtProtectedIngress(chart, 'api', minimal());
    const out = synthValid(chart);

    const gw = findObject(out, 'Gateway', 'test-api-gateway');
    expect(gw.metadata.namespace).toBe('shop');
    expect(gw.spec).toEqual({
      selector: { istio: 'ingressgateway' },
      servers: [
        { port: { number: 443, protocol: 'HTTPS', name: 'https-443' }, hosts: ['api.example.com'], tls: { mode: 'SIMPLE', credentialName: 'api-tls' } },
        { port: { number: 80, protocol: 'HTTP', name: 'http-80' }, hosts: ['api.example.com'], tls: { httpsRedirect: true } },
      ],
    });
    expect(findObject(out, 'VirtualService', 'test-api-virtualservice').spec).toEqual({
      hosts: ['api.example.com'],
      gateways: ['shop/test-api-gateway'],
      http: [{ route: [{ destination: { host: 'api', port: { number: 8080 } } }] }],
    });
    const ra = findObject(out, 'RequestAuthentication', 'test-api-requestauthentication');
    expect(ra.metadata.namespace).toBe('istio-system');
    expect(ra.spec).toEqual({
      selector: { matchLabels: { istio: 'ingressgateway' } },
      jwtRules: [{ issuer: 'testing@secure.istio.io', jwksUri: ISTIO_TEST_JWKS }],
    });
    const deny = findObject(out, 'AuthorizationPolicy', 'test-api-requiretoken');
    expect(deny.metadata.namespace).toBe('istio-system');
    expect(deny.spec).toEqual({
      selector: { matchLabels: { istio: 'ingressgateway' } },
      action: 'DENY',
      rules: [{
        from: [{ source: { notRequestPrincipals: ['testing@secure.istio.io/*'] } }],
        to: [{ operation: { hosts: ['api.example.com', 'api.example.com:*'] } }],
      }],
    });
    const se = findObject(out, 'ServiceEntry', 'test-api-jwks-raw-githubusercontent-com');
    expect(se.metadata.namespace).toBe('istio-system');
    expect(se.spec).toEqual({
      hosts: ['raw.githubusercontent.com'],
      ports: [{ number: 443, protocol: 'HTTPS', name: 'https-443' }],
      location: 'MESH_EXTERNAL',
      resolution: 'DNS',
      exportTo: ['.'],
    });
    expect(out.map(o => o.kind).filter(k => k !== 'Service').sort())
      .toEqual(['AuthorizationPolicy', 'Gateway', 'RequestAuthentication', 'ServiceEntry', 'VirtualService']);

    expect(ingress.gateway?.name).toBe('test-api-gateway');
    expect(ingress.virtualService!.name).toBe('test-api-virtualservice');
    expect(ingress.requestAuthentication.issuers).toEqual(['testing@secure.istio.io']);
    expect(ingress.requireTokenPolicy?.action).toBe(AuthorizationAction.DENY);
    expect(ingress.externalAuthorizationPolicy).toBeUndefined();
    expect(ingress.claimPolicies).toEqual([]);
    expect(ingress.jwksServiceEntries.map(s => s.hosts)).toEqual([['raw.githubusercontent.com']]);
    expect(ingress.hosts).toEqual(['api.example.com']);
    expect(ingress.publicPaths).toEqual([]);
    expect(ingress.gatewayNamespace).toBe('istio-system');
  });

  test('every option: presets with every JWT rule option, routes, public paths, claims, selector, namespace; and an existing gateway', () => {
    const chart = shopChart();
    const ingress = new JwtProtectedIngress(chart, 'shop', {
      hosts: ['shop.example.com', 'www.example.com'],
      credentialName: 'shop-tls',
      httpsRedirect: false,
      gatewaySelector: { istio: 'ingressgateway', tier: 'edge' },
      gatewayNamespace: 'edge',
      issuers: [
        JwtIssuer.auth0('my-tenant.eu.auth0.com', {
          audiences: ['https://shop.example.com/api'],
          fromHeaders: [{ name: 'Authorization', prefix: 'Bearer ' }, { name: 'x-jwt' }],
          fromParams: ['token'],
          fromCookies: ['session'],
          forwardOriginalToken: true,
          outputPayloadToHeader: 'x-jwt-payload',
          outputClaimToHeaders: [{ header: 'x-jwt-sub', claim: 'sub' }],
          spaceDelimitedClaims: ['roles'],
          timeout: Duration.seconds(10),
        }),
        JwtIssuer.keycloak({ realm: 'shop', serviceHost: 'keycloak.auth.svc.cluster.local', port: 8081, externalIssuerUrl: 'https://auth.example.com/' }),
        JwtIssuer.custom({ issuer: 'https://issuer.internal.example.com', jwks: JWKS, audiences: ['shop'] }),
      ],
      routes: [
        { pathPrefix: '/api/', destination: RouteDestination.to('api', { port: 8080 }), timeout: Duration.seconds(5) },
        { path: StringMatch.exact('/login'), destination: RouteDestination.to('login', { port: 9000 }) },
      ],
      publicPaths: ['/healthz', '/login', '/static/*', '/{*}/status'],
      requireClaims: [{ claim: 'groups', values: ['shoppers', 'admin'] }],
      scopePoliciesToHosts: true,
      declareJwksHosts: true,
      gatewayPorts: [8443],
    });
    const catchAll = ingress.addRoute({ destination: RouteDestination.to('web', { port: 8080 }) });
    catchAll!.addMatch({ uri: StringMatch.prefix('/') });
    ingress.addClaimRequirement({ claim: 'realm_access', nested: ['roles'], values: ['shop-user'] });

    // an existing gateway (in an open world: it lives in another repository)
    const shared = Gateway.fromGatewayName(chart, 'shared', 'istio-system/public');
    const blog = new JwtProtectedIngress(chart, 'blog', {
      hosts: ['*.blog.example.com'],
      gateway: shared,
      gatewayHosts: ['istio-system/*.example.com'],
      scopePoliciesToHosts: false,
      declareJwksHosts: false,
      issuers: [JwtIssuer.auth0('blog.eu.auth0.com', { audiences: ['blog'] })],
      routes: [{ destination: RouteDestination.to('web', { port: 8080 }) }],
    });

    const out = synthValid(chart, { openWorld: true });
    expect(findObject(out, 'Gateway', 'test-shop-gateway').spec).toEqual({
      selector: { istio: 'ingressgateway', tier: 'edge' },
      servers: [{
        port: { number: 443, protocol: 'HTTPS', name: 'https-443' },
        hosts: ['shop.example.com', 'www.example.com'],
        tls: { mode: 'SIMPLE', credentialName: 'shop-tls' },
      }],
    });
    expect(findObject(out, 'VirtualService', 'test-shop-virtualservice').spec.http).toEqual([
      { match: [{ uri: { prefix: '/api/' } }], route: [{ destination: { host: 'api', port: { number: 8080 } } }], timeout: '5s' },
      { match: [{ uri: { exact: '/login' } }], route: [{ destination: { host: 'login', port: { number: 9000 } } }] },
      { match: [{ uri: { prefix: '/' } }], route: [{ destination: { host: 'web', port: { number: 8080 } } }] },
    ]);
    const ra = findObject(out, 'RequestAuthentication', 'test-shop-requestauthentication');
    expect(ra.metadata.namespace).toBe('edge');
    expect(ra.spec).toEqual({
      selector: { matchLabels: { istio: 'ingressgateway', tier: 'edge' } },
      jwtRules: [
        {
          issuer: 'https://my-tenant.eu.auth0.com/',
          jwksUri: 'https://my-tenant.eu.auth0.com/.well-known/jwks.json',
          audiences: ['https://shop.example.com/api'],
          fromHeaders: [{ name: 'Authorization', prefix: 'Bearer ' }, { name: 'x-jwt' }],
          fromParams: ['token'],
          fromCookies: ['session'],
          forwardOriginalToken: true,
          outputPayloadToHeader: 'x-jwt-payload',
          outputClaimToHeaders: [{ header: 'x-jwt-sub', claim: 'sub' }],
          spaceDelimitedClaims: ['roles'],
          timeout: '10s',
        },
        {
          issuer: 'https://auth.example.com/realms/shop',
          jwksUri: 'http://keycloak.auth.svc.cluster.local:8081/realms/shop/protocol/openid-connect/certs',
        },
        { issuer: 'https://issuer.internal.example.com', jwks: JWKS, audiences: ['shop'] },
      ],
    });
    const protectedOperation = {
      hosts: ['shop.example.com', 'shop.example.com:*', 'www.example.com', 'www.example.com:*'],
      notPaths: ['/healthz', '/login', '/static/*', '/{*}/status'],
      ports: ['8443'],
    };
    const deny = findObject(out, 'AuthorizationPolicy', 'test-shop-requiretoken');
    expect(deny.metadata.namespace).toBe('edge');
    expect(deny.spec).toEqual({
      selector: { matchLabels: { istio: 'ingressgateway', tier: 'edge' } },
      action: 'DENY',
      rules: [{
        from: [{
          source: {
            notRequestPrincipals: ['https://my-tenant.eu.auth0.com//*', 'https://auth.example.com/realms/shop/*', 'https://issuer.internal.example.com/*'],
          },
        }],
        to: [{ operation: protectedOperation }],
      }],
    });
    expect(findObject(out, 'AuthorizationPolicy', 'test-shop-claim-groups').spec).toEqual({
      selector: { matchLabels: { istio: 'ingressgateway', tier: 'edge' } },
      action: 'DENY',
      rules: [{ to: [{ operation: protectedOperation }], when: [{ key: 'request.auth.claims[groups]', notValues: ['shoppers', 'admin'] }] }],
    });
    expect(findObject(out, 'AuthorizationPolicy', 'test-shop-claim-realm-access-roles').spec.rules[0].when)
      .toEqual([{ key: 'request.auth.claims[realm_access][roles]', notValues: ['shop-user'] }]);
    // keys of Keycloak (in-cluster) and inline keys need no ServiceEntry: only Auth0's host gets one
    expect(objectsOf(out, 'ServiceEntry').map(s => [s.metadata.name, s.metadata.namespace, s.spec.hosts]))
      .toEqual([['test-shop-jwks-my-tenant-eu-auth0-com', 'edge', ['my-tenant.eu.auth0.com']]]);
    expect(ingress.claimPolicies.map(p => p.name)).toEqual(['test-shop-claim-groups', 'test-shop-claim-realm-access-roles']);

    // the existing gateway: no Gateway object, unscoped policies, no ServiceEntry
    expect(blog.gateway).toBeUndefined();
    expect(findObject(out, 'VirtualService', 'test-blog-virtualservice').spec.gateways).toEqual(['istio-system/public']);
    expect(findObject(out, 'AuthorizationPolicy', 'test-blog-requiretoken').spec.rules)
      .toEqual([{ from: [{ source: { notRequestPrincipals: ['https://blog.eu.auth0.com//*'] } }] }]);
    expect(blog.jwksServiceEntries).toEqual([]);
    expect(objectsOf(out, 'Gateway').map(g => g.metadata.name)).toEqual(['test-shop-gateway']);
  });

  test('secure by default: the token policy is always made, and public paths are only carved out of it', () => {
    const chart = shopChart();
    const ingress = new JwtProtectedIngress(chart, 'api', minimal({ publicPaths: ['/healthz'] }));
    const deny = findObject(synthValid(chart), 'AuthorizationPolicy', ingress.requireTokenPolicy!.name);
    expect(deny.spec.action).toBe('DENY');
    expect(deny.spec.rules[0].from).toEqual([{ source: { notRequestPrincipals: ['testing@secure.istio.io/*'] } }]);
    expect(deny.spec.rules[0].to[0].operation.notPaths).toEqual(['/healthz']);
  });

  test('scopePoliciesToHosts false: "*" host on a dedicated gateway, policies without `to` unless paths are public', () => {
    const chart = shopChart();
    new JwtProtectedIngress(chart, 'api', minimal({ hosts: ['*'], scopePoliciesToHosts: false, requireClaims: [{ claim: 'iss', values: ['testing@secure.istio.io'] }] }));
    new JwtProtectedIngress(chart, 'web', minimal({
      hosts: ['*.example.com'],
      scopePoliciesToHosts: false,
      publicPaths: ['/healthz'],
      gatewaySelector: { istio: 'web-gateway' },
      gatewayNamespace: 'web-gateway',
      routes: [{ destination: RouteDestination.to('web', { port: 8080 }) }],
    }));
    const out = synthValid(chart, { openWorld: true });
    expect(findObject(out, 'AuthorizationPolicy', 'test-api-requiretoken').spec.rules)
      .toEqual([{ from: [{ source: { notRequestPrincipals: ['testing@secure.istio.io/*'] } }] }]);
    expect(findObject(out, 'AuthorizationPolicy', 'test-api-claim-iss').spec.rules)
      .toEqual([{ when: [{ key: 'request.auth.claims[iss]', notValues: ['testing@secure.istio.io'] }] }]);
    expect(findObject(out, 'AuthorizationPolicy', 'test-web-requiretoken').spec.rules[0].to).toEqual([{ operation: { notPaths: ['/healthz'] } }]);
    expect(findObject(out, 'Gateway', 'test-api-gateway').spec.servers[0].hosts).toEqual(['*']);
  });

  test('JWKS ServiceEntries: one per external host, ports merged, none with declareJwksHosts false', () => {
    const chart = shopChart();
    const ingress = new JwtProtectedIngress(chart, 'api', minimal({
      issuers: [
        JwtIssuer.custom({ issuer: 'https://a.example.com', jwksUri: 'https://keys.example.com/a.json' }),
        JwtIssuer.custom({ issuer: 'https://b.example.com', jwksUri: 'https://keys.example.com:8443/b.json' }),
        JwtIssuer.custom({ issuer: 'https://c.example.com', jwksUri: 'https://keys.example.com/c.json' }),
        JwtIssuer.custom({ issuer: 'http://dex.auth.svc.cluster.local:5556', jwksUri: 'http://dex.auth.svc.cluster.local:5556/keys' }),
      ],
    }));
    new JwtProtectedIngress(chart, 'quiet', minimal({ hosts: ['quiet.example.com'], declareJwksHosts: false }));
    const out = synthValid(chart);
    expect(objectsOf(out, 'ServiceEntry').map(s => s.spec)).toEqual([{
      hosts: ['keys.example.com'],
      ports: [{ number: 443, protocol: 'HTTPS', name: 'https-443' }, { number: 8443, protocol: 'HTTPS', name: 'https-8443' }],
      location: 'MESH_EXTERNAL',
      resolution: 'DNS',
      exportTo: ['.'],
    }]);
    expect(ingress.jwksServiceEntries).toHaveLength(1);
  });

  test('issuer presets: kind, issuer, keys and audiences', () => {
    const auth0 = JwtIssuer.auth0('login.example.com', { audiences: ['api'] });
    expect([auth0.kind, auth0.issuer, auth0.jwksUri, auth0.jwks, auth0.audiences])
      .toEqual([JwtIssuerKind.AUTH0, 'https://login.example.com/', 'https://login.example.com/.well-known/jwks.json', undefined, ['api']]);
    const keycloak = JwtIssuer.keycloak({ realm: 'mesh', serviceHost: 'keycloak.auth.svc.cluster.local' });
    expect([keycloak.kind, keycloak.issuer, keycloak.jwksUri, keycloak.audiences]).toEqual([
      JwtIssuerKind.KEYCLOAK,
      'https://keycloak.auth.svc.cluster.local/realms/mesh',
      'http://keycloak.auth.svc.cluster.local:8080/realms/mesh/protocol/openid-connect/certs',
      undefined,
    ]);
    const custom = JwtIssuer.custom({ issuer: 'me', jwks: JWKS });
    expect([custom.kind, custom.issuer, custom.jwksUri, custom.jwks]).toEqual([JwtIssuerKind.CUSTOM, 'me', undefined, JWKS]);

    const chart = shopChart();
    new JwtProtectedIngress(chart, 'api', minimal({ issuers: [keycloak] }));
    expect(objectsOf(synthValid(chart), 'ServiceEntry')).toEqual([]);
  });

  test('routes and claim requirements added after construction appear; the returned rule can grow', () => {
    const chart = shopChart();
    const ingress = new JwtProtectedIngress(chart, 'api', minimal({ routes: [] }));
    const rule = ingress.addRoute({ pathPrefix: '/v1/', destination: RouteDestination.to('api', { port: 8080 }) });
    rule!.addMatch({ uri: StringMatch.prefix('/v2/') });
    const policy = ingress.addClaimRequirement({ claim: 'https://example.com/roles', values: ['admin'] });
    const out = synthValid(chart);
    expect(findObject(out, 'VirtualService').spec.http[0].match).toEqual([{ uri: { prefix: '/v1/' } }, { uri: { prefix: '/v2/' } }]);
    expect(policy.name).toBe('test-api-claim-https-example-com-roles');
    expect(findObject(out, 'AuthorizationPolicy', policy.name).spec.rules[0].when)
      .toEqual([{ key: 'request.auth.claims[https://example.com/roles]', notValues: ['admin'] }]);
  });

  test('gatewayPorts: the policies are limited to the pod ports, checked against the gateway Service of the app', () => {
    const chart = shopChart();
    const system = new Chart(chart.node.scope as any, 'system', { namespace: 'istio-system' });
    new ApiObject(system, 'gateway-service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'istio-ingressgateway' },
      spec: {
        selector: { istio: 'ingressgateway' },
        ports: [{ name: 'http2', port: 80, targetPort: 8080 }, { name: 'https', port: 443, targetPort: 8443 }],
      },
    });
    new JwtProtectedIngress(chart, 'api', minimal({ gatewayPorts: [8443, 8080], requireClaims: [{ claim: 'groups', values: ['a'] }] }));
    const out = synthValid(chart);
    expect(findObject(out, 'AuthorizationPolicy', 'test-api-requiretoken').spec.rules[0].to)
      .toEqual([{ operation: { hosts: ['api.example.com', 'api.example.com:*'], ports: ['8443', '8080'] } }]);
    expect(findObject(out, 'AuthorizationPolicy', 'test-api-claim-groups').spec.rules[0].to[0].operation.ports).toEqual(['8443', '8080']);
  });
});
