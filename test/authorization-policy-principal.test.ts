import { ApiObject, Testing } from 'cdk8s';
import { findObject, synthValid } from './util';
import { Principal } from '../src/core/principal';
import { PolicyTargetRef } from '../src/core/target-ref';
import { AuthorizationAction, AuthorizationPolicy } from '../src/security/authorization-policy';

describe('Principal', () => {
  test('factories render the peer identities Istio matches', () => {
    const chart = Testing.chart();
    new AuthorizationPolicy(chart, 'ap', {
      action: AuthorizationAction.DENY,
      rules: [{
        from: [{
          principals: [
            Principal.serviceAccount('default', 'sleep'),
            Principal.serviceAccount('default', 'sleep', 'example.org'),
            Principal.namespace('prod'),
            Principal.namespace('prod', 'example.org'),
            Principal.any(),
            Principal.of('cluster.local/ns/*'),
            Principal.of('*/sa/admin'),
          ],
        }],
      }],
    });
    const ap = findObject(synthValid(chart), 'AuthorizationPolicy');
    expect(ap.spec.rules[0].from[0].source.principals).toEqual([
      'cluster.local/ns/default/sa/sleep',
      'example.org/ns/default/sa/sleep',
      'cluster.local/ns/prod/sa/*',
      'example.org/ns/prod/sa/*',
      '*',
      'cluster.local/ns/*',
      '*/sa/admin',
    ]);
    expect(Principal.DEFAULT_TRUST_DOMAIN).toBe('cluster.local');
    expect(Principal.serviceAccount('a', 'b').value).toBe('cluster.local/ns/a/sa/b');
  });

  test('throws when a principal carries the spiffe:// scheme', () => {
    expect(() => Principal.of('spiffe://cluster.local/ns/a/sa/b'))
      .toThrow('Principal.of: invalid principal "spiffe://cluster.local/ns/a/sa/b": leave out the "spiffe://" scheme: write "cluster.local/ns/a/sa/b"');
  });

  test('throws when a principal is empty or has a misplaced wildcard', () => {
    expect(() => Principal.of('')).toThrow('Principal.of: invalid principal "": must not be empty (use Principal.any() for any authenticated peer)');
    expect(() => Principal.of('cluster.local/ns/*/sa/x')).toThrow('"*" is only allowed alone, at the start (suffix match) or at the end (prefix match)');
    expect(() => Principal.of('*/ns/a/*')).toThrow('"*" may be at the start or at the end, not both');
    expect(() => Principal.of('a b')).toThrow('must not contain whitespace');
  });

  test('throws when a namespace, service account name or trust domain is invalid', () => {
    expect(() => Principal.serviceAccount('Default', 'sleep'))
      .toThrow('Principal.serviceAccount: invalid namespace "Default": must be a DNS label');
    expect(() => Principal.serviceAccount('default', 'sleep/x')).toThrow('Principal.serviceAccount: invalid name "sleep/x": must be a DNS subdomain');
    expect(() => Principal.namespace('a_b')).toThrow('Principal.namespace: invalid namespace "a_b"');
    expect(() => Principal.serviceAccount('a', 'b', 'spiffe://td')).toThrow('Principal.serviceAccount: invalid trustDomain "spiffe://td": a trust domain is lower case letters');
  });

  test('throws when fromServiceAccount is given something other than a ServiceAccount', () => {
    const chart = Testing.chart();
    const cm = new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap' });
    expect(() => Principal.fromServiceAccount(cm)).toThrow("Principal.fromServiceAccount: 'test/cm' is a ConfigMap, not a ServiceAccount");
    expect(() => Principal.fromServiceAccount(chart)).toThrow("Principal.fromServiceAccount: 'test' has no ApiObject");
  });

  test('fails validation when a ServiceAccount principal has no namespace', () => {
    const chart = Testing.chart();
    const sa = new ApiObject(chart, 'sa', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'api' } });
    new AuthorizationPolicy(chart, 'ap', { rules: [{ from: [{ principals: [Principal.fromServiceAccount(sa)] }] }] });
    expect(() => Testing.synth(chart)).toThrow("Principal.fromServiceAccount: ServiceAccount 'test/sa' has no namespace");
  });
});

describe('PolicyTargetRef', () => {
  test('factories give the kinds and groups Istio accepts', () => {
    expect([PolicyTargetRef.gateway('gw'), PolicyTargetRef.gatewayClass('istio'), PolicyTargetRef.service('svc'), PolicyTargetRef.serviceEntry('se')]
      .map(r => [r.group, r.kind, r.name])).toEqual([
      ['gateway.networking.k8s.io', 'Gateway', 'gw'],
      ['gateway.networking.k8s.io', 'GatewayClass', 'istio'],
      ['', 'Service', 'svc'],
      ['networking.istio.io', 'ServiceEntry', 'se'],
    ]);
    expect(PolicyTargetRef.gateway('gw', 'ns').namespace).toBe('ns');
  });

  test('a gateway in the policy\'s namespace is rendered without the namespace', () => {
    const chart = Testing.chart();
    AuthorizationPolicy.allowNothing(chart, 'ap', { metadata: { namespace: 'edge' }, targetRefs: [PolicyTargetRef.gateway('public', 'edge')] });
    const ap = findObject(synthValid(chart), 'AuthorizationPolicy');
    expect(ap.spec.targetRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public' }]);
  });

  test('throws when a target name is invalid', () => {
    expect(() => PolicyTargetRef.service('my.svc')).toThrow('PolicyTargetRef.service: invalid name "my.svc": must be a DNS label');
    expect(() => PolicyTargetRef.gateway('')).toThrow('PolicyTargetRef.gateway: invalid name "": must be a DNS subdomain');
    expect(() => PolicyTargetRef.serviceEntry('Ext')).toThrow('PolicyTargetRef.serviceEntry: invalid name "Ext"');
    expect(() => PolicyTargetRef.gatewayClass('a_b')).toThrow('PolicyTargetRef.gatewayClass: invalid name "a_b"');
  });
});
