import { Testing } from 'cdk8s';
import { synthValid } from './util';
import { Principal } from '../src/core/principal';
import { PolicyTargetRef } from '../src/core/target-ref';
import { WorkloadSelector } from '../src/core/workload-selector';
import { AuthorizationAction, AuthorizationPolicy } from '../src/security/authorization-policy';

function policy(action = AuthorizationAction.ALLOW, provider?: string): AuthorizationPolicy {
  return new AuthorizationPolicy(Testing.chart(), 'ap', { action, provider });
}

describe('AuthorizationPolicy checks', () => {
  test('throws when a provider is given without action CUSTOM', () => {
    expect(() => policy(AuthorizationAction.DENY, 'oauth2-proxy'))
      .toThrow("AuthorizationPolicy 'test/ap': invalid provider \"oauth2-proxy\": a provider is only allowed with action CUSTOM, not DENY");
  });

  test('throws when action CUSTOM has no provider', () => {
    expect(() => policy(AuthorizationAction.CUSTOM))
      .toThrow("AuthorizationPolicy 'test/ap': invalid provider undefined: action CUSTOM needs the name of an extensionProviders entry of the mesh config");
    expect(() => policy(AuthorizationAction.CUSTOM, ' ')).toThrow('invalid provider " ": action CUSTOM needs the name');
  });

  test('fails validation when a DENY or CUSTOM policy has no rules', () => {
    for (const [action, provider] of [[AuthorizationAction.DENY, undefined], [AuthorizationAction.CUSTOM, 'ext-authz']] as const) {
      const chart = Testing.chart();
      new AuthorizationPolicy(chart, 'ap', { action, provider });
      expect(() => Testing.synth(chart))
        .toThrow(`AuthorizationPolicy 'test/ap': action ${action} without rules never triggers (Istio rejects it): add a rule with addRule(), or an empty rule addRule({}) to match every request`);
    }
  });

  test('an AUDIT policy and an ALLOW policy without rules pass', () => {
    const chart = Testing.chart();
    new AuthorizationPolicy(chart, 'allow');
    new AuthorizationPolicy(chart, 'audit', { action: AuthorizationAction.AUDIT });
    expect(synthValid(chart)).toHaveLength(2);
  });

  test('throws when a CUSTOM rule uses an identity field', () => {
    const ap = policy(AuthorizationAction.CUSTOM, 'ext-authz');
    expect(() => ap.addRule({ from: [{ principals: [Principal.serviceAccount('a', 'b')] }] }))
      .toThrow("AuthorizationPolicy 'test/ap': invalid rules[0].from[0].source.principals [\"cluster.local/ns/a/sa/b\"]: Istio does not support identity fields");
    expect(() => ap.addRule({ from: [{ requestPrincipals: ['*'] }] })).toThrow('invalid rules[0].from[0].source.requestPrincipals ["*"]');
    expect(() => ap.addRule({ from: [{ namespaces: ['x'] }] })).toThrow('invalid rules[0].from[0].source.namespaces ["x"]');
    expect(() => ap.addRule({ from: [{ notServiceAccounts: ['x/y'] }] })).toThrow('invalid rules[0].from[0].source.notServiceAccounts ["x/y"]');
    ap.addRule({ from: [{ ipBlocks: ['10.0.0.0/8'] }] });
    expect(ap.ruleCount).toBe(1);
  });

  test('throws when a CUSTOM rule uses an identity condition', () => {
    const ap = policy(AuthorizationAction.CUSTOM, 'ext-authz');
    for (const key of ['source.namespace', 'source.serviceAccount', 'source.principal', 'request.auth.claims[iss]', 'request.auth.principal']) {
      expect(() => ap.addRule({ when: [{ key, values: ['x'] }] }))
        .toThrow(`invalid rules[0].when[0].key "${key}": Istio does not support source.namespace, source.serviceAccount, source.principal and request.auth.* conditions with action CUSTOM`);
    }
  });

  test('throws when from, to or when is an empty list', () => {
    const ap = policy();
    expect(() => ap.addRule({ from: [] })).toThrow("AuthorizationPolicy 'test/ap': invalid rules[0].from []: must not be empty: leave it out instead");
    expect(() => ap.addRule({ to: [] })).toThrow('invalid rules[0].to []: must not be empty');
    expect(() => ap.addRule({ when: [] })).toThrow('invalid rules[0].when []: must not be empty');
  });

  test('throws when a source or an operation is empty', () => {
    const ap = policy();
    expect(() => ap.addRule({ from: [{}] }))
      .toThrow("AuthorizationPolicy 'test/ap': invalid rules[0].from[0].source {}: a source must set at least one field; leave `from` out to match any source");
    expect(() => ap.addRule({ to: [{ methods: ['GET'] }, {}] }))
      .toThrow('invalid rules[0].to[1].operation {}: an operation must set at least one field; leave `to` out to match any operation');
  });

  test('throws when a field of a source or operation is an empty list', () => {
    const ap = policy();
    expect(() => ap.addRule({ from: [{ principals: [] }] })).toThrow('invalid rules[0].from[0].source.principals []: must not be empty');
    expect(() => ap.addRule({ to: [{ ports: [] }] })).toThrow('invalid rules[0].to[0].operation.ports []: must not be empty');
  });

  test('throws when a rule has an unknown field', () => {
    const ap = policy();
    expect(() => ap.addRule({ from: [{ principal: ['x'] } as any] }))
      .toThrow('invalid rules[0].from[0].source.principal ["x"]: unknown field; allowed: principals, notPrincipals');
    expect(() => ap.addRule({ where: [] } as any)).toThrow('invalid rules[0].where []: unknown field; allowed: from, to, when');
  });

  test('throws when serviceAccounts are combined with principals or namespaces', () => {
    const ap = policy();
    expect(() => ap.addRule({ from: [{ serviceAccounts: ['a/b'], namespaces: ['a'] }] }))
      .toThrow('invalid rules[0].from[0].source.serviceAccounts ["a/b"]: serviceAccounts and notServiceAccounts exclude principals, notPrincipals, namespaces and notNamespaces in one source');
  });

  test('throws when a service account is malformed or there are more than 16', () => {
    const ap = policy();
    expect(() => ap.addRule({ from: [{ serviceAccounts: ['a/b/c'] }] }))
      .toThrow('invalid rules[0].from[0].source.serviceAccounts[0] "a/b/c": a service account is written "namespace/name"');
    expect(() => ap.addRule({ from: [{ serviceAccounts: ['productpage'] }] })).toThrow('serviceAccounts[0] "productpage": a service account is written "namespace/name"');
    expect(() => ap.addRule({ from: [{ serviceAccounts: ['ns/*'] }] })).toThrow('wildcards are not allowed');
    expect(() => ap.addRule({ from: [{ serviceAccounts: ['/sa'] }] })).toThrow('invalid rules[0].from[0].source.serviceAccounts[0] "/sa"');
    const many = Array.from({ length: 17 }, (_, i) => `ns/sa${i}`);
    expect(() => ap.addRule({ from: [{ notServiceAccounts: many }] }))
      .toThrow('invalid rules[0].from[0].source.notServiceAccounts "17 entries": at most 16 service accounts are allowed');
  });

  test('throws when an IP block is not an IP address or CIDR', () => {
    const ap = policy();
    expect(() => ap.addRule({ from: [{ ipBlocks: ['10.0.0.0/33'] }] }))
      .toThrow('invalid rules[0].from[0].source.ipBlocks[0] "10.0.0.0/33": the prefix length after "/" must be a number from 0 to 32');
    expect(() => ap.addRule({ from: [{ remoteIpBlocks: ['example.com'] }] }))
      .toThrow('invalid rules[0].from[0].source.remoteIpBlocks[0] "example.com": must be an IP address');
    expect(() => ap.addRule({ from: [{ notIpBlocks: ['10.0.0.300'] }] })).toThrow('notIpBlocks[0] "10.0.0.300"');
    expect(() => ap.addRule({ from: [{ notRemoteIpBlocks: ['2001:db8::/129'] }] })).toThrow('from 0 to 128');
  });

  test('throws when a match string has a misplaced wildcard', () => {
    const ap = policy();
    expect(() => ap.addRule({ from: [{ requestPrincipals: ['https://a.example.com/*/x'] }] }))
      .toThrow('invalid rules[0].from[0].source.requestPrincipals[0] "https://a.example.com/*/x": Istio matches exactly, by prefix ("abc*"), by suffix ("*abc") or by presence ("*")');
    expect(() => ap.addRule({ from: [{ namespaces: ['*prod*'] }] })).toThrow('namespaces[0] "*prod*"');
    expect(() => ap.addRule({ to: [{ hosts: ['api.*.example.com'] }] })).toThrow('hosts[0] "api.*.example.com"');
    expect(() => ap.addRule({ to: [{ notHosts: [''] }] })).toThrow('notHosts[0] "": must not be empty');
  });

  test('throws when a method is not an upper-case HTTP method', () => {
    const ap = policy();
    expect(() => ap.addRule({ to: [{ methods: ['get'] }] }))
      .toThrow("AuthorizationPolicy 'test/ap': invalid rules[0].to[0].operation.methods[0] \"get\": HTTP methods are matched case-sensitively and are upper case: write \"GET\"");
    expect(() => ap.addRule({ to: [{ notMethods: ['GET /'] }] })).toThrow('notMethods[0] "GET /": must not contain whitespace');
    expect(() => ap.addRule({ to: [{ methods: ['P@ST'] }] })).toThrow('must be an upper-case HTTP method');
  });

  test('throws when a path cannot match', () => {
    const ap = policy();
    expect(() => ap.addRule({ to: [{ paths: ['api/users'] }] }))
      .toThrow('invalid rules[0].to[0].operation.paths[0] "api/users": a path starts with "/" (or "*" for a suffix match)');
    expect(() => ap.addRule({ to: [{ paths: ['/users/*/info'] }] })).toThrow('for a wildcard segment use a path template, e.g. "/users/{*}/info"');
    expect(() => ap.addRule({ to: [{ paths: ['/users/{id}'] }] })).toThrow('Istio rejects "{" and "}" outside the path templates');
    expect(() => ap.addRule({ to: [{ paths: ['/a/{**}/b/{*}'] }] })).toThrow('"{**}" must be the last operator of a path template');
    expect(() => ap.addRule({ to: [{ notPaths: ['/users/{*}/in*'] }] })).toThrow('the segment "in*" of a path template must be literal text');
    expect(() => ap.addRule({ to: [{ paths: ['/a/{id=*}/{*}'] }] })).toThrow('a path template supports only whole segments');
  });

  test('throws when a port is out of range', () => {
    const ap = policy();
    expect(() => ap.addRule({ to: [{ ports: [0] }] }))
      .toThrow("AuthorizationPolicy 'test/ap': invalid rules[0].to[0].operation.ports[0] 0: a port is an integer from 1 to 65535");
    expect(() => ap.addRule({ to: [{ notPorts: [65536] }] })).toThrow('notPorts[0] 65536');
  });

  test('throws when a condition key is not an Istio attribute', () => {
    const ap = policy();
    expect(() => ap.addRule({ when: [{ key: 'request.header[x-user]', values: ['a'] }] }))
      .toThrow('invalid rules[0].when[0].key "request.header[x-user]": unknown attribute; Istio supports request.headers[NAME], source.ip');
    expect(() => ap.addRule({ when: [{ key: 'request.auth.claims.iss', values: ['a'] }] })).toThrow('the name goes in square brackets');
    expect(() => ap.addRule({ when: [{ key: 'destination.namespace', values: ['a'] }] })).toThrow("destination.namespace is replaced by the policy's metadata.namespace");
    expect(() => ap.addRule({ when: [{ key: 'destination.labels[app]', values: ['a'] }] })).toThrow("destination.labels is replaced by the policy's selector");
    expect(() => ap.addRule({ when: [{ key: 'destination.user', values: ['a'] }] })).toThrow('only supported by the removed v1alpha1 API');
    expect(() => ap.addRule({ when: [{ key: 'experimental.envoy.filters.x', values: ['a'] }] })).toThrow('unknown attribute');
  });

  test('throws when a condition has neither values nor notValues', () => {
    const ap = policy();
    expect(() => ap.addRule({ when: [{ key: 'source.ip' }] }))
      .toThrow("AuthorizationPolicy 'test/ap': invalid rules[0].when[0] \"source.ip\": a condition needs values or notValues");
    expect(() => ap.addRule({ when: [{ key: 'source.ip', values: [] }] })).toThrow('invalid rules[0].when[0].values []: must not be empty');
  });

  test('throws when a condition value does not suit its key', () => {
    const ap = policy();
    expect(() => ap.addRule({ when: [{ key: 'source.ip', values: ['10.0.0.1/40'] }] })).toThrow('invalid rules[0].when[0].values[0] "10.0.0.1/40"');
    expect(() => ap.addRule({ when: [{ key: 'destination.port', notValues: ['http'] }] }))
      .toThrow('invalid rules[0].when[0].notValues[0] "http": a port is a number from 1 to 65535, as a string');
    expect(() => ap.addRule({ when: [{ key: 'source.serviceAccount', values: ['a/b/c'] }] })).toThrow('a service account is written "namespace/name"');
    expect(() => ap.addRule({ when: [{ key: 'request.headers[x]', values: [''] }] })).toThrow('invalid rules[0].when[0].values[0] "": must not be empty');
  });

  test('throws when selector and targetRefs are both set', () => {
    expect(() => new AuthorizationPolicy(Testing.chart(), 'ap', {
      selector: WorkloadSelector.fromLabels({ app: 'x' }),
      targetRefs: [PolicyTargetRef.gateway('gw')],
    })).toThrow("AuthorizationPolicy 'test/ap': selector (labels) and targetRefs (Gateway gateway.networking.k8s.io/gw) exclude each other");
  });

  test('throws when a target is listed twice or there are more than 16', () => {
    const ap = new AuthorizationPolicy(Testing.chart(), 'ap', { targetRefs: [PolicyTargetRef.service('a')] });
    expect(() => ap.addTargetRef(PolicyTargetRef.service('a'))).toThrow("AuthorizationPolicy 'test/ap': invalid targetRefs[1] \"Service a\": this target is already listed");
    for (let i = 1; i < 16; i++) ap.addTargetRef(PolicyTargetRef.service(`s${i}`));
    expect(() => ap.addTargetRef(PolicyTargetRef.service('s16'))).toThrow('invalid targetRefs[16] "Service s16": at most 16 targetRefs are allowed');
  });

  test('throws when a target is in another namespace than the policy', () => {
    expect(() => new AuthorizationPolicy(Testing.chart(), 'ap', { targetRefs: [PolicyTargetRef.gateway('public', 'istio-ingress')] }))
      .toThrow("AuthorizationPolicy 'test/ap': invalid targetRefs[0] \"istio-ingress/public\": a target must be in the policy's own namespace (the policy has none set)");
  });
});
