import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-32';
import { parseAllDocuments } from 'yaml';
import { findingsOf, findObject, synthValid } from './util';
import { Principal } from '../src/core/principal';
import { WorkloadSelector } from '../src/core/workload-selector';
import { CanaryRelease } from '../src/patterns/canary-release';
import { CanaryWorkload } from '../src/patterns/canary-workload';
import { AuthorizationAction, AuthorizationPolicy } from '../src/security/authorization-policy';
import { PeerAuthentication } from '../src/security/peer-authentication';

/**
 * examples/cdk8s-plus-interop: cdk8s-plus Deployments and ServiceAccounts feed a
 * CanaryRelease and an AuthorizationPolicy. `build` is the example's main.ts (its
 * imports aside); the last test checks that the example's committed output is what
 * it builds, so the two cannot drift apart.
 */
function build(app: App): Chart {
  const chart = new Chart(app, 'shop', { namespace: 'shop' });

  const checkoutAccount = new kplus.ServiceAccount(chart, 'checkout-sa', { metadata: { name: 'checkout' } });
  function checkout(version: string, tag: string): kplus.Deployment {
    return new kplus.Deployment(chart, `checkout-${version}`, {
      metadata: { name: `checkout-${version}` },
      podMetadata: { labels: { app: 'checkout', version } },
      serviceAccount: checkoutAccount,
      containers: [{
        name: 'checkout',
        image: `ghcr.io/example/checkout:${tag}`,
        ports: [{ number: 8080 }],
        securityContext: { user: 1000, group: 1000 },
      }],
    });
  }
  const v1 = checkout('v1', '1.8.0');
  const v2 = checkout('v2', '2.0.0');

  const service = new kplus.Service(chart, 'checkout', {
    metadata: { name: 'checkout' },
    ports: [{ name: 'http', port: 8080 }],
  });
  service.selectLabel('app', 'checkout');

  const frontendAccount = new kplus.ServiceAccount(chart, 'frontend-sa', { metadata: { name: 'frontend' } });
  new kplus.Deployment(chart, 'frontend', {
    metadata: { name: 'frontend' },
    podMetadata: { labels: { app: 'frontend', version: 'v1' } },
    serviceAccount: frontendAccount,
    containers: [{
      name: 'frontend',
      image: 'ghcr.io/example/frontend:3.1.0',
      ports: [{ number: 8080 }],
      securityContext: { user: 1000, group: 1000 },
    }],
  });

  new CanaryRelease(chart, 'checkout-canary', {
    name: 'checkout',
    host: 'checkout',
    stable: CanaryWorkload.fromWorkload(v1),
    canary: CanaryWorkload.fromWorkload(v2),
    canaryWeight: 20,
  });

  new PeerAuthentication(chart, 'default', { metadata: { name: 'default' } });

  new AuthorizationPolicy(chart, 'checkout-callers', {
    selector: WorkloadSelector.fromLabels({ app: 'checkout' }),
    action: AuthorizationAction.ALLOW,
    rules: [{
      from: [{ principals: [Principal.fromServiceAccount(frontendAccount)] }],
      to: [{ methods: ['GET', 'POST'], ports: [8080] }],
    }],
  });
  return chart;
}

describe('examples/cdk8s-plus-interop', () => {
  test('the canary subsets select the version labels of the two cdk8s-plus Deployments', () => {
    const out = synthValid(build(Testing.app()), { strict: true });
    const dr = findObject(out, 'DestinationRule', 'checkout');
    expect(dr.spec.subsets).toEqual([
      { name: 'stable', labels: { version: 'v1' } },
      { name: 'canary', labels: { version: 'v2' } },
    ]);
    // and the Deployments' pods carry them
    const podLabels = ['checkout-v1', 'checkout-v2'].map(n => findObject(out, 'Deployment', n).spec.template.metadata.labels.version);
    expect(podLabels).toEqual(['v1', 'v2']);
    const vs = findObject(out, 'VirtualService', 'checkout');
    expect(vs.spec.http[0].route.map((r: any) => [r.destination.subset, r.weight])).toEqual([['stable', 80], ['canary', 20]]);
  });

  test('the policy\'s principal is the cdk8s-plus ServiceAccount the frontend pods run as', () => {
    const out = synthValid(build(Testing.app()), { strict: true });
    const policy = findObject(out, 'AuthorizationPolicy');
    expect(policy.spec).toEqual({
      action: 'ALLOW',
      selector: { matchLabels: { app: 'checkout' } },
      rules: [{
        from: [{ source: { principals: ['cluster.local/ns/shop/sa/frontend'] } }],
        to: [{ operation: { methods: ['GET', 'POST'], ports: ['8080'] } }],
      }],
    });
    expect(findObject(out, 'Deployment', 'frontend').spec.template.spec.serviceAccountName).toBe('frontend');
  });

  test('zero findings, in a closed world too', () => {
    const out = synthValid(build(Testing.app()), { strict: true });
    expect(findingsOf(out, { openWorld: true })).toEqual([]);
    expect(findingsOf(out, { openWorld: false })).toEqual([]);
  });

  test('the example\'s committed output is what this test builds', () => {
    const dist = join(__dirname, '..', 'examples', 'cdk8s-plus-interop', 'dist');
    const committed = readdirSync(dist).filter(f => f.endsWith('.k8s.yaml'))
      .flatMap(f => parseAllDocuments(readFileSync(join(dist, f), 'utf8')).map(d => d.toJSON()))
      .filter(o => o !== null);
    expect(committed).toEqual(synthValid(build(Testing.app()), { strict: true }));
  });
});
