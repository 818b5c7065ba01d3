import { ApiObject, Chart, Duration, Testing } from 'cdk8s';
import { findingsOf, findObject, objectsOf, synthValid } from './util';
import { Gateway } from '../src/networking/gateway';
import { RouteDestination } from '../src/networking/vs-destination';
import { JwtIssuer, JwtIssuerKind, OAuth2ProxyIssuerOptions } from '../src/patterns/jwt-issuer';
import { JwtProtectedIngress, JwtProtectedIngressProps } from '../src/patterns/jwt-protected-ingress';
import { AuthorizationAction } from '../src/security/authorization-policy';

const JWKS = JSON.stringify({ keys: [{ kty: 'RSA', kid: 'k1', use: 'sig', alg: 'RS256', n: 'xjlCRBqkQRLxtXrTY3fTQnZrQvQ', e: 'AQAB' }] });
const GOOGLE = { provider: 'oauth2-proxy', issuer: 'https://accounts.google.com', jwksUri: 'https://www.googleapis.com/oauth2/v3/certs' };
const AT = "JwtProtectedIngress 'test/web'";

/** A chart in namespace `shop` with the backend Services the routes point at (closed-world validation). */
function shopChart(): Chart {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
  for (const [name, port] of [['web', 8080], ['grafana', 3000]] as const) {
    new ApiObject(chart, `svc-${name}`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name },
      spec: { selector: { app: name }, ports: [{ name: 'http', port }] },
    });
  }
  return chart;
}

/** The gateway pods' Service (as istioctl installs it: 443 -> 8443, 80 -> 8080), in a chart of its own namespace. */
function gatewayService(chart: Chart, namespace: string, selector: { [key: string]: string }): void {
  const system = new Chart(chart.node.scope as any, 'system', { namespace });
  new ApiObject(system, 'gateway-service', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'ingress-gateway' },
    spec: { selector, ports: [{ name: 'http2', port: 80, targetPort: 8080 }, { name: 'https', port: 443, targetPort: 8443 }] },
  });
}

function props(issuer: Partial<OAuth2ProxyIssuerOptions> = {}, overrides: Partial<JwtProtectedIngressProps> = {}): JwtProtectedIngressProps {
  return {
    hosts: ['shop.example.com'],
    credentialName: 'shop-tls',
    issuers: [JwtIssuer.oauth2Proxy({ ...GOOGLE, ...issuer })],
    routes: [{ destination: RouteDestination.to('web', { port: 8080 }) }],
    ...overrides,
  };
}

function make(issuer: Partial<OAuth2ProxyIssuerOptions> = {}, overrides: Partial<JwtProtectedIngressProps> = {}): JwtProtectedIngress {
  return new JwtProtectedIngress(shopChart(), 'web', props(issuer, overrides));
}

describe('JwtProtectedIngress with JwtIssuer.oauth2Proxy', () => {
  test('defaults: the gate is a CUSTOM policy to oauth2-proxy scoped to the hosts; no token DENY policy; the RequestAuthentication keeps the token', () => {
    const chart = shopChart();
    const ingress = new JwtProtectedIngress(chart, 'web', props());
    const out = synthValid(chart, { strict: true });
    // the mesh config (with the oauth2-proxy provider) and the certificate Secret live
    // outside the chart: CDK8S-ISTIO-A030 and IST0101 say so at Info level, nothing else is found
    const found = findingsOf(out, { openWorld: true });
    expect(found.map(f => `${f.code} ${f.level} ${f.kind}`).sort()).toEqual([
      'CDK8S-ISTIO-A030 Info AuthorizationPolicy',
      'IST0101 Info Gateway',
    ]);
    expect(found.find(f => f.code === 'IST0101')!.message).toContain('shop-tls');

    const custom = findObject(out, 'AuthorizationPolicy', 'test-web-externalauthorization');
    expect(custom.metadata.namespace).toBe('istio-system');
    expect(custom.spec).toEqual({
      selector: { matchLabels: { istio: 'ingressgateway' } },
      action: 'CUSTOM',
      provider: { name: 'oauth2-proxy' },
      rules: [{ to: [{ operation: { hosts: ['shop.example.com', 'shop.example.com:*'] } }] }],
    });
    // the only AuthorizationPolicy: no notRequestPrincipals DENY (jwt_authn never sees the ID token oauth2-proxy adds)
    expect(objectsOf(out, 'AuthorizationPolicy')).toHaveLength(1);
    const ra = findObject(out, 'RequestAuthentication', 'test-web-requestauthentication');
    expect(ra.metadata.namespace).toBe('istio-system');
    expect(ra.spec).toEqual({
      selector: { matchLabels: { istio: 'ingressgateway' } },
      jwtRules: [{ issuer: 'https://accounts.google.com', jwksUri: 'https://www.googleapis.com/oauth2/v3/certs', forwardOriginalToken: true }],
    });
    // the provider's keys are outside the cluster: declared as for Auth0
    expect(findObject(out, 'ServiceEntry', 'test-web-jwks-www-googleapis-com').spec).toEqual({
      hosts: ['www.googleapis.com'],
      ports: [{ number: 443, protocol: 'HTTPS', name: 'https-443' }],
      location: 'MESH_EXTERNAL',
      resolution: 'DNS',
      exportTo: ['.'],
    });
    expect(findObject(out, 'Gateway').spec.servers.map((s: any) => s.port.number)).toEqual([443, 80]);
    expect(out.map(o => o.kind).filter(k => k !== 'Service').sort())
      .toEqual(['AuthorizationPolicy', 'Gateway', 'RequestAuthentication', 'ServiceEntry', 'VirtualService']);

    expect(ingress.requireTokenPolicy).toBeUndefined();
    expect(ingress.externalAuthorizationPolicy?.action).toBe(AuthorizationAction.CUSTOM);
    expect(ingress.externalAuthorizationPolicy?.provider).toBe('oauth2-proxy');
    expect(ingress.externalAuthorizationPolicy?.name).toBe('test-web-externalauthorization');
    expect(ingress.claimPolicies).toEqual([]);
  });

  test('the preset: kind, issuer, keys, provider and audiences', () => {
    const issuer = JwtIssuer.oauth2Proxy({ ...GOOGLE, audiences: ['client-id'] });
    expect([issuer.kind, issuer.issuer, issuer.jwksUri, issuer.jwks, issuer.provider, issuer.audiences])
      .toEqual([JwtIssuerKind.OAUTH2_PROXY, 'https://accounts.google.com', 'https://www.googleapis.com/oauth2/v3/certs', undefined, 'oauth2-proxy', ['client-id']]);
    // the other presets have no provider
    expect(JwtIssuer.custom({ issuer: 'me', jwks: JWKS }).provider).toBeUndefined();
  });

  test('every option: in-cluster keys, every JWT option it allows, public paths, ports, selector, namespace; and an existing gateway with unscoped policies', () => {
    const chart = shopChart();
    gatewayService(chart, 'edge', { istio: 'edge' });
    const ingress = new JwtProtectedIngress(chart, 'web', {
      hosts: ['shop.example.com', 'www.example.com'],
      credentialName: 'shop-tls',
      httpsRedirect: true,
      gatewaySelector: { istio: 'edge' },
      gatewayNamespace: 'edge',
      gatewayPorts: [8443, 8080],
      scopePoliciesToHosts: true,
      declareJwksHosts: true,
      publicPaths: ['/healthz', '/static/*'],
      issuers: [JwtIssuer.oauth2Proxy({
        provider: 'edge.oauth2-proxy',
        issuer: 'https://auth.example.com/realms/shop',
        jwksUri: 'http://keycloak.auth.svc.cluster.local:8080/realms/shop/protocol/openid-connect/certs',
        audiences: ['shop-web'],
        fromHeaders: [{ name: 'Authorization', prefix: 'Bearer ' }],
        fromParams: ['access_token'],
        fromCookies: ['id_token'],
        forwardOriginalToken: true,
        spaceDelimitedClaims: ['roles'],
        timeout: Duration.seconds(3),
      })],
      routes: [{ pathPrefix: '/', destination: RouteDestination.to('web', { port: 8080 }) }],
    });

    // an existing gateway dedicated to grafana, wildcard host, inline keys, nothing public: one empty rule
    const shared = Gateway.fromGatewayName(chart, 'shared', 'istio-system/grafana');
    const grafana = new JwtProtectedIngress(chart, 'grafana', {
      hosts: ['*.grafana.example.com'],
      gateway: shared,
      gatewayHosts: ['istio-system/*.grafana.example.com'],
      gatewaySelector: { istio: 'grafana-gateway' },
      scopePoliciesToHosts: false,
      declareJwksHosts: false,
      issuers: [JwtIssuer.oauth2Proxy({ provider: 'oauth2-proxy', issuer: 'https://login.example.com', jwks: JWKS })],
      routes: [{ destination: RouteDestination.to('grafana', { port: 3000 }) }],
    });

    const out = synthValid(chart, { strict: true });
    expect(findObject(out, 'AuthorizationPolicy', 'test-web-externalauthorization')).toEqual(expect.objectContaining({
      metadata: expect.objectContaining({ namespace: 'edge' }),
      spec: {
        selector: { matchLabels: { istio: 'edge' } },
        action: 'CUSTOM',
        provider: { name: 'edge.oauth2-proxy' },
        rules: [{
          to: [{
            operation: {
              hosts: ['shop.example.com', 'shop.example.com:*', 'www.example.com', 'www.example.com:*'],
              notPaths: ['/healthz', '/static/*'],
              ports: ['8443', '8080'],
            },
          }],
        }],
      },
    }));
    expect(findObject(out, 'RequestAuthentication', 'test-web-requestauthentication').spec).toEqual({
      selector: { matchLabels: { istio: 'edge' } },
      jwtRules: [{
        issuer: 'https://auth.example.com/realms/shop',
        jwksUri: 'http://keycloak.auth.svc.cluster.local:8080/realms/shop/protocol/openid-connect/certs',
        audiences: ['shop-web'],
        fromHeaders: [{ name: 'Authorization', prefix: 'Bearer ' }],
        fromParams: ['access_token'],
        fromCookies: ['id_token'],
        forwardOriginalToken: true,
        spaceDelimitedClaims: ['roles'],
        timeout: '3s',
      }],
    });
    expect(findObject(out, 'Gateway', 'test-web-gateway').spec.selector).toEqual({ istio: 'edge' });
    // in-cluster keys and inline keys: no ServiceEntry
    expect(objectsOf(out, 'ServiceEntry')).toEqual([]);
    expect(ingress.jwksServiceEntries).toEqual([]);

    expect(findObject(out, 'AuthorizationPolicy', 'test-grafana-externalauthorization').spec).toEqual({
      selector: { matchLabels: { istio: 'grafana-gateway' } },
      action: 'CUSTOM',
      provider: { name: 'oauth2-proxy' },
      rules: [{}],
    });
    expect(findObject(out, 'VirtualService', 'test-grafana-virtualservice').spec.gateways).toEqual(['istio-system/grafana']);
    expect(grafana.requireTokenPolicy).toBeUndefined();
    expect(objectsOf(out, 'AuthorizationPolicy').map(p => p.spec.action)).toEqual(['CUSTOM', 'CUSTOM']);
  });

  test('fails validation when gatewayPorts misses the pod port of a server: the CUSTOM gate would fail open there', () => {
    const chart = shopChart();
    gatewayService(chart, 'istio-system', { istio: 'ingressgateway' });
    new JwtProtectedIngress(chart, 'web', props({}, { gatewayPorts: [8080] }));
    expect(() => synthValid(chart)).toThrow(
      `${AT}: invalid gatewayPorts [8080]: the gateway server on port 443 listens on pod port 8443 (Service 'istio-system/ingress-gateway'), which is not listed`);
  });

  describe('checks', () => {
    test('throws when an oauth2Proxy issuer is mixed with other issuers', () => {
      const allowed = 'issuers[0] is JwtIssuer.oauth2Proxy, which sends every request through oauth2-proxy instead of requiring a token of the issuers: '
        + 'one gate per JwtProtectedIngress, so give it alone (oauth2-proxy can accept tokens of other issuers itself, --extra-jwt-issuers), '
        + 'or put the other issuers on a JwtProtectedIngress of their own';
      expect(() => make({}, { issuers: [JwtIssuer.oauth2Proxy(GOOGLE), JwtIssuer.auth0('my-tenant.eu.auth0.com', { audiences: ['api'] })] }))
        .toThrow(`${AT}: invalid issuers ["OAUTH2_PROXY","AUTH0"]: ${allowed}`);
      expect(() => make({}, { issuers: [JwtIssuer.custom({ issuer: 'me', jwks: JWKS }), JwtIssuer.oauth2Proxy(GOOGLE)] }))
        .toThrow(`${AT}: invalid issuers ["CUSTOM","OAUTH2_PROXY"]: issuers[1] is JwtIssuer.oauth2Proxy`);
      expect(() => make({}, { issuers: [JwtIssuer.oauth2Proxy(GOOGLE), JwtIssuer.oauth2Proxy({ ...GOOGLE, issuer: 'https://login.example.com' })] }))
        .toThrow(`${AT}: invalid issuers ["OAUTH2_PROXY","OAUTH2_PROXY"]: issuers[0] is JwtIssuer.oauth2Proxy`);
    });

    test('throws when claims are required of an oauth2Proxy-gated ingress', () => {
      const allowed = 'claims are read by the gateway\'s JWT filter, which runs before oauth2-proxy and never sees the ID token oauth2-proxy forwards: '
        + 'a browser session has no claims there, so every request would be denied. Require them in oauth2-proxy (--allowed-group, --email-domain), '
        + 'or on the backend\'s sidecar (a RequestAuthentication and an AuthorizationPolicy there)';
      expect(() => make({}, { requireClaims: [{ claim: 'groups', values: ['admin'] }] }))
        .toThrow(`${AT}: invalid requireClaims[0].claim "groups": ${allowed}`);
      const ingress = make();
      expect(() => ingress.addClaimRequirement({ claim: 'email', values: ['*@example.com'] }))
        .toThrow(`${AT}: invalid requireClaims[0].claim "email": ${allowed}`);
    });

    test('throws when the provider name is empty or holds whitespace', () => {
      const allowed = 'the name of the mesh config\'s extensionProviders entry (envoyExtAuthzHttp) that points at oauth2-proxy, e.g. "oauth2-proxy": not empty, no whitespace';
      expect(() => make({ provider: '' })).toThrow(`${AT}: invalid issuers[0].provider "": ${allowed}`);
      expect(() => make({ provider: 'oauth2 proxy' })).toThrow(`${AT}: invalid issuers[0].provider "oauth2 proxy": ${allowed}`);
      expect(() => make({ provider: undefined })).toThrow(`${AT}: invalid issuers[0].provider undefined: ${allowed}`);
    });

    test('throws when the issuer is not a URL, or not https outside the cluster', () => {
      expect(() => make({ issuer: 'accounts.google.com' })).toThrow(
        `${AT}: invalid issuers[0].issuer "accounts.google.com": the URL of the OIDC provider oauth2-proxy logs users in with (its --oidc-issuer-url), `
        + 'exactly as in the ID tokens\' `iss` claim, e.g. "https://auth.example.com/realms/shop"');
      expect(() => make({ issuer: '' })).toThrow(`${AT}: invalid issuers[0].issuer "": the URL of the OIDC provider`);
      expect(() => make({ issuer: 'http://accounts.example.com' })).toThrow(
        `${AT}: invalid issuers[0].issuer "http://accounts.example.com": an issuer URL is https:// (http:// only for an issuer inside the cluster`);
    });

    test('throws when the keys are missing, doubled, or fetched over http from outside the cluster', () => {
      expect(() => make({ jwksUri: undefined }))
        .toThrow(`${AT}: invalid issuers[0].jwksUri undefined: give the keys: jwksUri (a URL) or jwks (the key set inline)`);
      expect(() => make({ jwks: JWKS })).toThrow(`${AT}: invalid issuers[0].jwksUri "https://www.googleapis.com/oauth2/v3/certs": give jwksUri or jwks, not both`);
      expect(() => make({ jwksUri: 'http://www.googleapis.com/oauth2/v3/certs' })).toThrow(
        `${AT}: invalid issuers[0].jwksUri "http://www.googleapis.com/oauth2/v3/certs": an https:// URL with a DNS host name (keys fetched over plain HTTP from outside the cluster can be tampered with)`);
    });

    test('throws when forwardOriginalToken is false (oauth2-proxy must see the token the gateway checked)', () => {
      expect(() => make({ forwardOriginalToken: false })).toThrow(
        `${AT}: invalid issuers[0].forwardOriginalToken false: oauth2-proxy runs after the gateway's JWT check and must see the bearer token of API clients `
        + '(--skip-jwt-bearer-tokens): leave forwardOriginalToken out (it defaults to true here)');
    });

    test('throws when claims or the payload would be copied to headers a browser session could forge', () => {
      const allowed = 'the gateway verifies a token only when the client sends one: for a browser session oauth2-proxy adds the ID token after the JWT check, '
        + 'so a client could send this header itself and the backend would get it unchanged; pass the user with oauth2-proxy\'s X-Auth-Request-* headers '
        + '(--set-xauthrequest, listed in headersToUpstreamOnAllow) instead';
      expect(() => make({ outputClaimToHeaders: [{ header: 'x-user', claim: 'sub' }] }))
        .toThrow(`${AT}: invalid issuers[0].outputClaimToHeaders [{"header":"x-user","claim":"sub"}]: ${allowed}`);
      expect(() => make({ outputPayloadToHeader: 'x-jwt-payload' }))
        .toThrow(`${AT}: invalid issuers[0].outputPayloadToHeader "x-jwt-payload": ${allowed}`);
    });

    test('throws when the token is read from oauth2-proxy\'s session cookie', () => {
      expect(() => make({ fromCookies: ['id_token', '_oauth2_proxy'] })).toThrow(
        `${AT}: invalid issuers[0].fromCookies[1] "_oauth2_proxy": oauth2-proxy's session cookie is not a JWT: the gateway would reject every logged-in request (401); leave it out`);
    });

    test('throws when a wildcard host would need the scoped gate', () => {
      expect(() => make({}, { hosts: ['*.example.com'] }))
        .toThrow(`${AT}: invalid hosts[0] "*.example.com": the token policy is scoped to the hosts, and Istio cannot match a wildcard host together with a port`);
    });
  });
});
