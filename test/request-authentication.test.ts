import { Duration, Testing } from 'cdk8s';
import { findObject, synthValid } from './util';
import { PolicyTargetRef } from '../src/core/target-ref';
import { WorkloadSelector } from '../src/core/workload-selector';
import { RequestAuthentication } from '../src/security/request-authentication';

const JWKS = JSON.stringify({ keys: [{ kty: 'RSA', kid: 'k1', use: 'sig', alg: 'RS256', n: 'xjlCRBqkQRLxtXrTY3fTQnZrQvQ', e: 'AQAB' }] });

describe('RequestAuthentication', () => {
  test('one issuer with its JWKS URL, for the namespace', () => {
    const chart = Testing.chart();
    new RequestAuthentication(chart, 'jwt', {
      metadata: { name: 'jwt', namespace: 'bookinfo' },
      jwtRules: [{ issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/.well-known/jwks.json' }],
    });
    const ra = findObject(synthValid(chart), 'RequestAuthentication', 'jwt');
    expect(ra.apiVersion).toBe('security.istio.io/v1');
    expect(ra.metadata.namespace).toBe('bookinfo');
    expect(ra.spec).toEqual({
      jwtRules: [{ issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/.well-known/jwks.json' }],
    });
  });

  test('every option: selector, every JWT rule field, rules added after construction', () => {
    const chart = Testing.chart();
    const ra = new RequestAuthentication(chart, 'ingress-jwt', {
      selector: WorkloadSelector.fromLabels({ istio: 'ingressgateway' }),
      jwtRules: [{
        issuer: 'https://auth.example.com',
        jwksUri: 'http://keycloak.auth.svc.cluster.local:8080/realms/mesh/protocol/openid-connect/certs',
        audiences: ['bookinfo', 'reviews'],
        fromHeaders: [{ name: 'Authorization', prefix: 'Bearer ' }, { name: 'x-jwt-assertion' }],
        fromParams: ['access_token'],
        fromCookies: ['session'],
        forwardOriginalToken: true,
        outputPayloadToHeader: 'x-jwt-payload',
        outputClaimToHeaders: [{ header: 'x-jwt-sub', claim: 'sub' }, { header: 'x-jwt-team', claim: 'org.team' }],
        spaceDelimitedClaims: ['roles'],
        timeout: Duration.seconds(10),
      }],
    });
    ra.addJwtRule({ issuer: 'testing@secure.istio.io', jwks: JWKS, timeout: Duration.millis(1500) });
    ra.addJwtRule({ jwksUri: 'https://keys.example.org/jwks.json' });

    const out = findObject(synthValid(chart), 'RequestAuthentication', 'test-ingress-jwt');
    expect(out.spec).toEqual({
      selector: { matchLabels: { istio: 'ingressgateway' } },
      jwtRules: [
        {
          issuer: 'https://auth.example.com',
          jwksUri: 'http://keycloak.auth.svc.cluster.local:8080/realms/mesh/protocol/openid-connect/certs',
          audiences: ['bookinfo', 'reviews'],
          fromHeaders: [{ name: 'Authorization', prefix: 'Bearer ' }, { name: 'x-jwt-assertion' }],
          fromParams: ['access_token'],
          fromCookies: ['session'],
          forwardOriginalToken: true,
          outputPayloadToHeader: 'x-jwt-payload',
          outputClaimToHeaders: [{ header: 'x-jwt-sub', claim: 'sub' }, { header: 'x-jwt-team', claim: 'org.team' }],
          spaceDelimitedClaims: ['roles'],
          timeout: '10s',
        },
        { issuer: 'testing@secure.istio.io', jwks: JWKS, timeout: '1500ms' },
        { jwksUri: 'https://keys.example.org/jwks.json' },
      ],
    });
    expect(ra.issuers).toEqual(['https://auth.example.com', 'testing@secure.istio.io']);
  });

  test('targetRefs: a Gateway API gateway in the policy namespace, and one added later', () => {
    const chart = Testing.chart();
    const ra = new RequestAuthentication(chart, 'jwt', {
      metadata: { namespace: 'ingress' },
      targetRefs: [PolicyTargetRef.gateway('public', 'ingress')],
      jwtRules: [{ issuer: 'https://auth.example.com' }],
    });
    ra.addTargetRef(PolicyTargetRef.gateway('internal'));
    const out = findObject(synthValid(chart), 'RequestAuthentication');
    expect(out.spec.targetRefs).toEqual([
      { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public' },
      { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'internal' },
    ]);
    expect(out.spec.selector).toBeUndefined();
    expect(ra.targetRefs.map(r => r.name)).toEqual(['public', 'internal']);
  });

  test('throws when selector and targetRefs are both set', () => {
    const chart = Testing.chart();
    expect(() => new RequestAuthentication(chart, 'ra', {
      selector: WorkloadSelector.fromLabels({ app: 'x' }),
      targetRefs: [PolicyTargetRef.gateway('gw')],
    })).toThrow("RequestAuthentication 'test/ra': selector (labels) and targetRefs (Gateway gateway.networking.k8s.io/gw) exclude each other");
  });

  test('throws when a target ref is added to a policy with a selector', () => {
    const chart = Testing.chart();
    const ra = new RequestAuthentication(chart, 'ra', { selector: WorkloadSelector.fromLabels({ app: 'x' }) });
    expect(() => ra.addTargetRef(PolicyTargetRef.service('x')))
      .toThrow("RequestAuthentication 'test/ra': invalid targetRefs[0] \"Service x\": targetRefs and selector (labels) exclude each other");
  });

  test('throws when targetRefs is empty', () => {
    const chart = Testing.chart();
    expect(() => new RequestAuthentication(chart, 'ra', { targetRefs: [] }))
      .toThrow("RequestAuthentication 'test/ra': invalid targetRefs []: must not be empty");
  });

  test('throws when a rule has neither issuer nor jwksUri', () => {
    const chart = Testing.chart();
    const ra = new RequestAuthentication(chart, 'ra');
    expect(() => ra.addJwtRule({ jwks: JWKS }))
      .toThrow("RequestAuthentication 'test/ra': invalid jwtRules[0].issuer undefined: a JWT rule needs an issuer or a jwksUri");
  });

  test('throws when the issuer is empty or padded', () => {
    const chart = Testing.chart();
    const ra = new RequestAuthentication(chart, 'ra');
    expect(() => ra.addJwtRule({ issuer: '' })).toThrow('invalid jwtRules[0].issuer "": must be the exact `iss` claim');
    expect(() => ra.addJwtRule({ issuer: ' https://a.example.com' })).toThrow('invalid jwtRules[0].issuer " https://a.example.com"');
  });

  test('throws when two rules have the same issuer', () => {
    const chart = Testing.chart();
    const ra = new RequestAuthentication(chart, 'ra', { jwtRules: [{ issuer: 'https://a.example.com', audiences: ['x'] }] });
    expect(() => ra.addJwtRule({ issuer: 'https://a.example.com', audiences: ['y'] }))
      .toThrow("RequestAuthentication 'test/ra': invalid jwtRules[1].issuer \"https://a.example.com\": jwtRules[0] already has this issuer and Istio leaves two rules for one issuer undefined: merge their audiences and token locations into one rule");
  });

  test('throws when jwks and jwksUri are both set', () => {
    const chart = Testing.chart();
    const ra = new RequestAuthentication(chart, 'ra');
    expect(() => ra.addJwtRule({ issuer: 'i', jwksUri: 'https://k.example.com/jwks', jwks: JWKS }))
      .toThrow('invalid jwtRules[0].jwks "{...}": jwks and jwksUri exclude each other');
  });

  test('throws when the jwksUri is not an http(s) URL', () => {
    const chart = Testing.chart();
    const ra = new RequestAuthentication(chart, 'ra');
    for (const bad of ['auth.example.com/jwks', 'ftp://auth.example.com/jwks', 'https://', `https://a.example.com/${'x'.repeat(2048)}`]) {
      expect(() => ra.addJwtRule({ issuer: 'i', jwksUri: bad })).toThrow('must be an absolute http:// or https:// URL of at most 2048 characters');
    }
  });

  test('throws when jwks is not a JSON Web Key Set', () => {
    const chart = Testing.chart();
    const ra = new RequestAuthentication(chart, 'ra');
    expect(() => ra.addJwtRule({ issuer: 'i', jwks: '{keys:' })).toThrow('invalid jwtRules[0].jwks "{keys:": must be a JSON Web Key Set as JSON text');
    expect(() => ra.addJwtRule({ issuer: 'i', jwks: '{"keys":[]}' })).toThrow('must be a JSON Web Key Set ({"keys":[...]}, each key with a "kty") or a single JSON Web Key');
    expect(() => ra.addJwtRule({ issuer: 'i', jwks: '{"keys":[{"n":"x"}]}' })).toThrow('each key with a "kty"');
  });

  test('throws when a list is empty', () => {
    const chart = Testing.chart();
    const ra = new RequestAuthentication(chart, 'ra');
    expect(() => ra.addJwtRule({ issuer: 'i', audiences: [] })).toThrow('invalid jwtRules[0].audiences []: must not be empty: leave the prop out instead');
    expect(() => ra.addJwtRule({ issuer: 'i', fromHeaders: [] })).toThrow('invalid jwtRules[0].fromHeaders []');
    expect(() => ra.addJwtRule({ issuer: 'i', fromParams: [] })).toThrow('invalid jwtRules[0].fromParams []');
    expect(() => ra.addJwtRule({ issuer: 'i', fromCookies: [] })).toThrow('invalid jwtRules[0].fromCookies []');
    expect(() => ra.addJwtRule({ issuer: 'i', outputClaimToHeaders: [] })).toThrow('invalid jwtRules[0].outputClaimToHeaders []');
    expect(() => ra.addJwtRule({ issuer: 'i', spaceDelimitedClaims: [] })).toThrow('invalid jwtRules[0].spaceDelimitedClaims []');
  });

  test('throws when an audience, parameter or claim name is empty', () => {
    const chart = Testing.chart();
    const ra = new RequestAuthentication(chart, 'ra');
    expect(() => ra.addJwtRule({ issuer: 'i', audiences: [''] })).toThrow('invalid jwtRules[0].audiences[0] "": an audience is a non-empty string');
    expect(() => ra.addJwtRule({ issuer: 'i', fromParams: ['a b'] })).toThrow('invalid jwtRules[0].fromParams[0] "a b": a query parameter name is non-empty');
    expect(() => ra.addJwtRule({ issuer: 'i', spaceDelimitedClaims: [''] })).toThrow('invalid jwtRules[0].spaceDelimitedClaims[0] "": a claim name is a non-empty string');
    expect(() => ra.addJwtRule({ issuer: 'i', outputClaimToHeaders: [{ header: 'x-a', claim: '' }] }))
      .toThrow('invalid jwtRules[0].outputClaimToHeaders[0].claim "": must name a claim');
  });

  test('throws when a header or cookie name is invalid', () => {
    const chart = Testing.chart();
    const ra = new RequestAuthentication(chart, 'ra');
    expect(() => ra.addJwtRule({ issuer: 'i', fromHeaders: [{ name: 'Authorization:' }] }))
      .toThrow("RequestAuthentication 'test/ra': invalid jwtRules[0].fromHeaders[0].name \"Authorization:\": must be an HTTP header name");
    expect(() => ra.addJwtRule({ issuer: 'i', fromCookies: ['my cookie'] })).toThrow('invalid jwtRules[0].fromCookies[0] "my cookie": a cookie name is a token');
    expect(() => ra.addJwtRule({ issuer: 'i', outputPayloadToHeader: 'x payload' })).toThrow('invalid jwtRules[0].outputPayloadToHeader "x payload": must be an HTTP header name');
    expect(() => ra.addJwtRule({ issuer: 'i', outputClaimToHeaders: [{ header: 'x.sub', claim: 'sub' }] }))
      .toThrow('invalid jwtRules[0].outputClaimToHeaders[0].header "x.sub": must be letters, digits, "-" and "_"');
  });

  test('throws when there are more than 64 space-delimited claims', () => {
    const chart = Testing.chart();
    const ra = new RequestAuthentication(chart, 'ra');
    const claims = Array.from({ length: 65 }, (_, i) => `c${i}`);
    expect(() => ra.addJwtRule({ issuer: 'i', spaceDelimitedClaims: claims })).toThrow('invalid jwtRules[0].spaceDelimitedClaims "65 claims": at most 64 are allowed');
  });

  test('throws when the timeout is under 1ms', () => {
    const chart = Testing.chart();
    const ra = new RequestAuthentication(chart, 'ra');
    expect(() => ra.addJwtRule({ issuer: 'i', timeout: Duration.millis(0) }))
      .toThrow("RequestAuthentication 'test/ra': invalid jwtRules[0].timeout \"0ms\": must be at least 1ms");
  });

  test('fails validation when no JWT rule was added', () => {
    const chart = Testing.chart();
    new RequestAuthentication(chart, 'ra');
    expect(() => Testing.synth(chart)).toThrow("RequestAuthentication 'test/ra': no jwtRules: a RequestAuthentication without rules validates nothing");
  });

  test('throws when a target is in another namespace', () => {
    const chart = Testing.chart();
    expect(() => new RequestAuthentication(chart, 'ra', {
      metadata: { namespace: 'apps' },
      targetRefs: [PolicyTargetRef.gateway('public', 'istio-ingress')],
    }))
      .toThrow("RequestAuthentication 'test/ra': invalid targetRefs[0] \"istio-ingress/public\": a target must be in the policy's own namespace (\"apps\")");
  });
});
