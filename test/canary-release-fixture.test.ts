import { Chart, Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { findObject, synthValid } from './util';
import { SimpleLb } from '../src/networking/traffic-load-balancer';
import { CanaryRelease } from '../src/patterns/canary-release';
import { CanaryWorkload } from '../src/patterns/canary-workload';

/*
 * Istio's published task manifests for "Traffic Shifting" with Bookinfo
 * (https://istio.io/latest/docs/tasks/traffic-management/traffic-shifting/), copied
 * verbatim from istio/istio `samples/bookinfo/networking/`:
 * - virtual-service-reviews-90-10.yaml (commit d929cf5b80ce5267361fbe184136ed70b809a8ef)
 * - destination-rule-reviews.yaml (commit 595f032692f3805a475d607c288b0aa92dd9b634)
 * - destination-rule-all-mtls.yaml, the `reviews` document (commit 461f85ba4afe2d21406d53a1e122cbb2558b0fc2)
 */
const VIRTUAL_SERVICE_REVIEWS_90_10 = `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts:
    - reviews
  http:
  - route:
    - destination:
        host: reviews
        subset: v1
      weight: 90
    - destination:
        host: reviews
        subset: v2
      weight: 10
`;

const DESTINATION_RULE_REVIEWS = `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
spec:
  host: reviews
  trafficPolicy:
    loadBalancer:
      simple: RANDOM
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
  - name: v3
    labels:
      version: v3
`;

const DESTINATION_RULE_ALL_MTLS_REVIEWS = `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
spec:
  host: reviews
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
  - name: v3
    labels:
      version: v3
`;

/**
 * The fields the documented secure defaults of CanaryRelease add (see its doc
 * comment): ignored when the published manifest leaves them out.
 */
const SECURE_DEFAULT_EXTRAS = ['DestinationRule.spec.trafficPolicy.tls.mode'];

interface Difference {
  readonly path: string;
  readonly published?: unknown;
  readonly ours?: unknown;
  readonly why?: string;
}

function parse(text: string): any {
  const docs = parseAllDocuments(text);
  expect(docs).toHaveLength(1);
  return docs[0].toJS();
}

/**
 * Flattens an object into leaf paths; list items with a `name` are keyed by it
 * (`subsets[name=v1]`), so that list order does not count for named items. Object
 * field order never counts.
 */
function flatten(value: unknown, path: string, out: Map<string, unknown>): Map<string, unknown> {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      const key = item && typeof item === 'object' && typeof (item as any).name === 'string' ? `name=${(item as any).name}` : String(i);
      flatten(item, `${path}[${key}]`, out);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, `${path}.${k}`, out);
  } else {
    out.set(path, value);
  }
  return out;
}

/**
 * The differences between a published object and ours, on `apiVersion`, `kind` and
 * `spec` (names and labels ignored), without the secure-default extras.
 */
function differences(published: any, ours: any): Difference[] {
  const strip = (o: any) => ({ apiVersion: o.apiVersion, kind: o.kind, spec: o.spec });
  const kind = published.kind;
  const a = flatten(strip(published), kind, new Map());
  const b = flatten(strip(ours), kind, new Map());
  const diffs: Difference[] = [];
  for (const path of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const p = a.get(path);
    const o = b.get(path);
    if (p === o) continue;
    if (p === undefined && SECURE_DEFAULT_EXTRAS.includes(path)) continue;
    diffs.push({ path, ...(p !== undefined ? { published: p } : {}), ...(o !== undefined ? { ours: o } : {}) });
  }
  return diffs;
}

/** The reviews canary of the example app (examples/canary-reviews): v1 90 / v2 10. */
function reviewsCanary(chart: Chart): CanaryRelease {
  return new CanaryRelease(chart, 'reviews', {
    host: 'reviews',
    stable: CanaryWorkload.fromLabels({ app: 'reviews', version: 'v1' }),
    canary: CanaryWorkload.fromLabels({ app: 'reviews', version: 'v2' }),
    stableSubsetName: 'v1',
    canarySubsetName: 'v2',
    canaryWeight: 10,
  });
}

/** The listed differences without their explanation, which every one must have. */
function withoutWhy(list: Difference[]): Difference[] {
  return list.map(({ why, ...rest }) => {
    if (!why) throw new Error(`difference ${rest.path} is not explained`);
    return rest;
  });
}

describe('CanaryRelease against Istio\'s traffic-shifting task (Bookinfo reviews 90/10)', () => {
  test('the VirtualService matches virtual-service-reviews-90-10.yaml', () => {
    const chart = new Chart(Testing.app(), 'bookinfo');
    reviewsCanary(chart);
    const ours = findObject(synthValid(chart), 'VirtualService');
    const expected: Difference[] = [];
    expect(differences(parse(VIRTUAL_SERVICE_REVIEWS_90_10), ours)).toEqual(expected);
  });

  test('the DestinationRule against destination-rule-all-mtls.yaml (reviews): the differences, listed', () => {
    const chart = new Chart(Testing.app(), 'bookinfo');
    reviewsCanary(chart);
    const ours = findObject(synthValid(chart), 'DestinationRule');
    const expected: Difference[] = [
      {
        path: 'DestinationRule.spec.subsets[name=v3].labels.version',
        published: 'v3',
        why: 'a canary release has two versions (stable v1, canary v2); the sample defines every Bookinfo version. Add v3 with destinationRule.addSubset() (the example app does).',
      },
      {
        path: 'DestinationRule.spec.subsets[name=v3].name',
        published: 'v3',
        why: 'same subset v3',
      },
    ];
    expect(differences(parse(DESTINATION_RULE_ALL_MTLS_REVIEWS), ours)).toEqual(withoutWhy(expected));
  });

  test('the DestinationRule against destination-rule-reviews.yaml: the differences, listed', () => {
    const chart = new Chart(Testing.app(), 'bookinfo');
    reviewsCanary(chart);
    const ours = findObject(synthValid(chart), 'DestinationRule');
    // the secure default is there, and the comparison ignores it as documented
    expect(ours.spec.trafficPolicy.tls).toEqual({ mode: 'ISTIO_MUTUAL' });
    const expected: Difference[] = [
      {
        path: 'DestinationRule.spec.subsets[name=v3].labels.version',
        published: 'v3',
        why: 'a canary release has two versions; add v3 with destinationRule.addSubset()',
      },
      {
        path: 'DestinationRule.spec.subsets[name=v3].name',
        published: 'v3',
        why: 'same subset v3',
      },
      {
        path: 'DestinationRule.spec.trafficPolicy.loadBalancer.simple',
        published: 'RANDOM',
        why: 'the sample picks RANDOM to make the demo visibly alternate; CanaryRelease keeps Istio\'s default (LEAST_REQUEST). Give trafficPolicy.loadBalancer to choose.',
      },
    ];
    expect(differences(parse(DESTINATION_RULE_REVIEWS), ours)).toEqual(withoutWhy(expected));
  });

  test('with v3 added (as the example app does) and RANDOM chosen, nothing but the secure default differs', () => {
    const chart = new Chart(Testing.app(), 'bookinfo');
    const canary = reviewsCanary(chart);
    canary.destinationRule!.addSubset('v3', { labels: { version: 'v3' } });
    const manifests = synthValid(chart);
    expect(differences(parse(DESTINATION_RULE_ALL_MTLS_REVIEWS), findObject(manifests, 'DestinationRule'))).toEqual([]);
    expect(differences(parse(VIRTUAL_SERVICE_REVIEWS_90_10), findObject(manifests, 'VirtualService'))).toEqual([]);

    const random = new Chart(Testing.app(), 'bookinfo');
    const withRandom = new CanaryRelease(random, 'reviews', {
      host: 'reviews',
      stable: CanaryWorkload.fromLabels({ version: 'v1' }),
      canary: CanaryWorkload.fromLabels({ version: 'v2' }),
      stableSubsetName: 'v1',
      canarySubsetName: 'v2',
      canaryWeight: 10,
      trafficPolicy: { loadBalancer: { simple: SimpleLb.RANDOM } },
    });
    withRandom.destinationRule!.addSubset('v3', { labels: { version: 'v3' } });
    expect(differences(parse(DESTINATION_RULE_REVIEWS), findObject(synthValid(random), 'DestinationRule'))).toEqual([]);
  });
});
