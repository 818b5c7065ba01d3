import { ApiObject, Testing } from 'cdk8s';
import { ServiceAccount } from 'cdk8s-plus-32';
import { findObject, objectsOf, synthValid } from './util';
import { Principal } from '../src/core/principal';
import { PolicyTargetRef } from '../src/core/target-ref';
import { WorkloadSelector } from '../src/core/workload-selector';
import { AuthorizationAction, AuthorizationPolicy } from '../src/security/authorization-policy';

describe('AuthorizationPolicy', () => {
  test('defaults: ALLOW without rules, which allows nothing', () => {
    const chart = Testing.chart();
    new AuthorizationPolicy(chart, 'deny-by-default', { metadata: { name: 'allow-nothing', namespace: 'bookinfo' } });
    const manifests = synthValid(chart);
    const ap = findObject(manifests, 'AuthorizationPolicy', 'allow-nothing');
    expect(ap.apiVersion).toBe('security.istio.io/v1');
    expect(ap.metadata.namespace).toBe('bookinfo');
    expect(ap.spec).toEqual({ action: 'ALLOW' });
    expect(manifests).toHaveLength(1);
  });

  test('allowAll: ALLOW with one empty rule', () => {
    const chart = Testing.chart();
    AuthorizationPolicy.allowAll(chart, 'allow-all', { selector: WorkloadSelector.fromLabels({ app: 'httpbin' }) });
    const ap = findObject(synthValid(chart), 'AuthorizationPolicy', 'test-allow-all');
    expect(ap.spec).toEqual({ selector: { matchLabels: { app: 'httpbin' } }, action: 'ALLOW', rules: [{}] });
  });

  test('denyAll: DENY with one empty rule', () => {
    const chart = Testing.chart();
    const ap = AuthorizationPolicy.denyAll(chart, 'deny-all', { metadata: { namespace: 'foo' } });
    expect(ap.action).toBe(AuthorizationAction.DENY);
    expect(ap.ruleCount).toBe(1);
    const out = findObject(synthValid(chart), 'AuthorizationPolicy', 'test-deny-all');
    expect(out.spec).toEqual({ action: 'DENY', rules: [{}] });
  });

  test('allowNothing: ALLOW with an empty spec otherwise; narrower rules can be added', () => {
    const chart = Testing.chart();
    AuthorizationPolicy.allowNothing(chart, 'allow-nothing', { targetRefs: [PolicyTargetRef.gateway('public')] });
    const ap = findObject(synthValid(chart), 'AuthorizationPolicy', 'test-allow-nothing');
    expect(ap.spec).toEqual({
      action: 'ALLOW',
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public' }],
    });
  });

  test('rules added after construction appear in the output, in order', () => {
    const chart = Testing.chart();
    const ap = new AuthorizationPolicy(chart, 'reviews', { selector: WorkloadSelector.fromLabels({ app: 'reviews' }) });
    ap.addRule({ from: [{ principals: [Principal.serviceAccount('bookinfo', 'productpage')] }], to: [{ methods: ['GET'] }] });
    ap.addRule({ to: [{ ports: [9080] }] });
    const out = findObject(synthValid(chart), 'AuthorizationPolicy');
    expect(out.spec.rules).toEqual([
      { from: [{ source: { principals: ['cluster.local/ns/bookinfo/sa/productpage'] } }], to: [{ operation: { methods: ['GET'] } }] },
      { to: [{ operation: { ports: ['9080'] } }] },
    ]);
  });

  test('every option: each action, provider, selector, targetRefs of every kind, every source, operation and condition field', () => {
    const chart = Testing.chart();
    const sa = new ServiceAccount(chart, 'ratings-sa', { metadata: { name: 'ratings', namespace: 'bookinfo' } });

    const allow = new AuthorizationPolicy(chart, 'allow', {
      metadata: { namespace: 'bookinfo' },
      action: AuthorizationAction.ALLOW,
      selector: WorkloadSelector.fromLabels({ app: 'reviews', version: 'v2' }),
      rules: [{
        from: [
          {
            principals: [Principal.serviceAccount('bookinfo', 'productpage'), Principal.fromServiceAccount(sa), Principal.of('spiffe.example.org/ns/ext/sa/*')],
            notPrincipals: [Principal.serviceAccount('bookinfo', 'legacy', 'old.td')],
            requestPrincipals: ['https://auth.example.com/*'],
            notRequestPrincipals: ['https://auth.example.com/banned'],
            namespaces: ['bookinfo', 'prod-*'],
            notNamespaces: ['sandbox'],
            trustDomains: ['cluster.local'],
            notTrustDomains: ['untrusted.example.org'],
            ipBlocks: ['10.0.0.0/8', '203.0.113.4'],
            notIpBlocks: ['10.1.0.0/16'],
            remoteIpBlocks: ['198.51.100.0/24', '2001:db8::/32'],
            notRemoteIpBlocks: ['198.51.100.7'],
          },
          { serviceAccounts: ['bookinfo/details', 'bookinfo/ratings'], notServiceAccounts: ['bookinfo/old'] },
        ],
        to: [{
          hosts: ['reviews.bookinfo.svc.cluster.local', '*.example.com'],
          notHosts: ['admin.example.com'],
          methods: ['GET', 'HEAD'],
          notMethods: ['DELETE'],
          paths: ['/reviews/*', '/users/{*}/info', '/static/{**}', '*.png'],
          notPaths: ['/admin*'],
          ports: [9080],
          notPorts: [15000],
        }],
        when: [
          { key: 'request.auth.claims[iss]', values: ['https://auth.example.com'] },
          { key: 'request.auth.claims[groups][admin]', notValues: ['false'] },
          { key: 'request.headers[x-tenant]', values: ['acme'], notValues: ['evil'] },
          { key: 'source.ip', values: ['10.0.0.0/8'] },
          { key: 'remote.ip', notValues: ['192.0.2.1'] },
          { key: 'source.namespace', values: ['bookinfo'] },
          { key: 'source.serviceAccount', values: ['bookinfo/productpage'] },
          { key: 'source.principal', values: ['cluster.local/ns/bookinfo/sa/productpage'] },
          { key: 'request.auth.principal', values: ['https://auth.example.com/alice'] },
          { key: 'request.auth.audiences', values: ['bookinfo'] },
          { key: 'request.auth.presenter', values: ['frontend'] },
          { key: 'destination.ip', values: ['10.0.0.1'] },
          { key: 'destination.port', values: ['9080'] },
          { key: 'connection.sni', values: ['reviews.example.com'] },
          { key: 'experimental.envoy.filters.network.mysql_proxy[db.table]', values: ['[update]'] },
        ],
      }],
    });
    new AuthorizationPolicy(chart, 'deny', {
      metadata: { namespace: 'bookinfo' },
      action: AuthorizationAction.DENY,
      targetRefs: [PolicyTargetRef.service('reviews'), PolicyTargetRef.serviceEntry('external-api')],
      rules: [{ from: [{ notPrincipals: [Principal.any()] }] }],
    });
    new AuthorizationPolicy(chart, 'audit', {
      metadata: { namespace: 'istio-system' },
      action: AuthorizationAction.AUDIT,
      targetRefs: [PolicyTargetRef.gatewayClass('istio-waypoint')],
      rules: [{ to: [{ paths: ['/payments*'] }] }],
    });
    const custom = new AuthorizationPolicy(chart, 'custom', {
      metadata: { namespace: 'istio-ingress' },
      action: AuthorizationAction.CUSTOM,
      provider: 'oauth2-proxy',
      targetRefs: [PolicyTargetRef.gateway('public', 'istio-ingress')],
    });
    custom.addRule({ to: [{ hosts: ['app.example.com'], notPaths: ['/healthz'] }], when: [{ key: 'request.headers[x-skip-auth]', notValues: ['*'] }] });
    custom.addTargetRef(PolicyTargetRef.gateway('internal'));

    const manifests = synthValid(chart);
    expect(objectsOf(manifests, 'AuthorizationPolicy')).toHaveLength(4);
    const a = findObject(manifests, 'AuthorizationPolicy', 'test-allow');
    expect(a.spec.action).toBe('ALLOW');
    expect(a.spec.selector).toEqual({ matchLabels: { app: 'reviews', version: 'v2' } });
    expect(a.spec.rules[0].from[0].source.principals).toEqual([
      'cluster.local/ns/bookinfo/sa/productpage',
      'cluster.local/ns/bookinfo/sa/ratings',
      'spiffe.example.org/ns/ext/sa/*',
    ]);
    expect(a.spec.rules[0].from[0].source.notPrincipals).toEqual(['old.td/ns/bookinfo/sa/legacy']);
    expect(a.spec.rules[0].from[1].source).toEqual({ serviceAccounts: ['bookinfo/details', 'bookinfo/ratings'], notServiceAccounts: ['bookinfo/old'] });
    expect(a.spec.rules[0].to[0].operation.ports).toEqual(['9080']);
    expect(a.spec.rules[0].to[0].operation.notPorts).toEqual(['15000']);
    expect(a.spec.rules[0].when).toHaveLength(15);
    expect(a.spec.rules[0].when[2]).toEqual({ key: 'request.headers[x-tenant]', values: ['acme'], notValues: ['evil'] });
    expect(allow.ruleCount).toBe(1);

    const d = findObject(manifests, 'AuthorizationPolicy', 'test-deny');
    expect(d.spec).toEqual({
      action: 'DENY',
      targetRefs: [
        { group: '', kind: 'Service', name: 'reviews' },
        { group: 'networking.istio.io', kind: 'ServiceEntry', name: 'external-api' },
      ],
      rules: [{ from: [{ source: { notPrincipals: ['*'] } }] }],
    });
    const au = findObject(manifests, 'AuthorizationPolicy', 'test-audit');
    expect(au.spec.targetRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'GatewayClass', name: 'istio-waypoint' }]);
    const c = findObject(manifests, 'AuthorizationPolicy', 'test-custom');
    expect(c.spec).toEqual({
      action: 'CUSTOM',
      provider: { name: 'oauth2-proxy' },
      targetRefs: [
        { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public' },
        { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'internal' },
      ],
      rules: [{
        to: [{ operation: { hosts: ['app.example.com'], notPaths: ['/healthz'] } }],
        when: [{ key: 'request.headers[x-skip-auth]', notValues: ['*'] }],
      }],
    });
    expect(custom.targetRefs.map(r => r.name)).toEqual(['public', 'internal']);
  });

  test('a principal from a service account reads its namespace from the chart at synth', () => {
    const chart = Testing.chart();
    const sa = new ApiObject(chart, 'sa', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'productpage', namespace: 'shop' } });
    const ap = new AuthorizationPolicy(chart, 'ap');
    ap.addRule({ from: [{ principals: [Principal.fromServiceAccount(sa, 'example.org')] }] });
    const out = findObject(synthValid(chart), 'AuthorizationPolicy');
    expect(out.spec.rules[0].from[0].source.principals).toEqual(['example.org/ns/shop/sa/productpage']);
  });

  test('later changes to the arrays given to addRule do not reach the output', () => {
    const chart = Testing.chart();
    const methods = ['GET'];
    const ap = new AuthorizationPolicy(chart, 'ap');
    ap.addRule({ to: [{ methods }] });
    methods.push('get');
    const out = findObject(synthValid(chart), 'AuthorizationPolicy');
    expect(out.spec.rules[0].to[0].operation.methods).toEqual(['GET']);
  });
});

describe('AuthorizationPolicy.replaceRule', () => {
  test('replaces a rule with the same checks as addRule', () => {
    const chart = Testing.chart();
    const ap = new AuthorizationPolicy(chart, 'deny', { action: AuthorizationAction.DENY, rules: [{ from: [{ notPrincipals: [Principal.any()] }] }] });
    ap.replaceRule(0, { from: [{ notPrincipals: [Principal.any()] }], to: [{ notPorts: [9090] }] });
    const out = findObject(synthValid(chart), 'AuthorizationPolicy');
    expect(out.spec.rules).toEqual([{ from: [{ source: { notPrincipals: ['*'] } }], to: [{ operation: { notPorts: ['9090'] } }] }]);
  });

  test('throws when the index names no rule', () => {
    const chart = Testing.chart();
    const ap = new AuthorizationPolicy(chart, 'deny', { action: AuthorizationAction.DENY, rules: [{}] });
    expect(() => ap.replaceRule(1, {})).toThrow("AuthorizationPolicy 'test/deny': invalid replaceRule(index) 1: the index of an existing rule, 0 to 0");
  });

  test('throws when the new rule is invalid', () => {
    const chart = Testing.chart();
    const ap = new AuthorizationPolicy(chart, 'deny', { action: AuthorizationAction.DENY, rules: [{}] });
    expect(() => ap.replaceRule(0, { to: [{ ports: [70000] }] })).toThrow("AuthorizationPolicy 'test/deny': invalid rules[0].to[0].operation.ports[0] 70000");
  });
});

describe('WorkloadSelector.workload', () => {
  test('is the construct of fromWorkload, and undefined for fromLabels', () => {
    const chart = Testing.chart();
    const pod = new ApiObject(chart, 'pod', { apiVersion: 'v1', kind: 'Pod', metadata: { labels: { app: 'x' } } });
    expect(WorkloadSelector.fromWorkload(pod).workload).toBe(pod);
    expect(WorkloadSelector.fromLabels({ app: 'x' }).workload).toBeUndefined();
  });
});
