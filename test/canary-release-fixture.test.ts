import { readFileSync } from 'fs';
import { join } from 'path';
import { Chart, Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { findObject, synthValid } from './util';
import { SimpleLb } from '../src/networking/traffic-load-balancer';
import { CanaryRelease } from '../src/patterns/canary-release';
import { CanaryWorkload } from '../src/patterns/canary-workload';

/*
 * Istio's published task manifests for "Traffic Shifting" with Bookinfo
 * (https://istio.io/latest/docs/tasks/traffic-management/traffic-shifting/), copied
 * verbatim from istio/istio `samples/bookinfo/networking/`. The 90/10 split is applied
 * together with destination-rule-reviews.yaml (load balancer RANDOM) where Istio's docs
 * shift reviews traffic 90/10 (the ambient getting-started "manage traffic" step):
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

/** The reviews canary's props with CanaryRelease's defaults: v1 90 / v2 10. */
const REVIEWS_CANARY = {
  host: 'reviews',
  stable: CanaryWorkload.fromLabels({ app: 'reviews', version: 'v1' }),
  canary: CanaryWorkload.fromLabels({ app: 'reviews', version: 'v2' }),
  stableSubsetName: 'v1',
  canarySubsetName: 'v2',
  canaryWeight: 10,
};

function reviewsCanary(chart: Chart): CanaryRelease {
  return new CanaryRelease(chart, 'reviews', REVIEWS_CANARY);
}

/** What examples/canary-reviews/main.ts builds: the defaults, the sample's RANDOM, and subset v3. */
function exampleCanary(chart: Chart): CanaryRelease {
  const canary = new CanaryRelease(chart, 'reviews', { ...REVIEWS_CANARY, trafficPolicy: { loadBalancer: { simple: SimpleLb.RANDOM } } });
  canary.destinationRule!.addSubset('v3', { labels: { version: 'v3' } });
  return canary;
}

/** The listed differences without their explanation, which every one must have. */
function withoutWhy(list: Difference[]): Difference[] {
  return list.map(({ why, ...rest }) => {
    if (!why) throw new Error(`difference ${rest.path} is not explained`);
    return rest;
  });
}

describe('CanaryRelease against Istio\'s traffic-shifting task (Bookinfo reviews 90/10)', () => {
  test('the example: the VirtualService is virtual-service-reviews-90-10.yaml, field for field', () => {
    const chart = new Chart(Testing.app(), 'bookinfo');
    exampleCanary(chart);
    const ours = findObject(synthValid(chart), 'VirtualService');
    expect(differences(parse(VIRTUAL_SERVICE_REVIEWS_90_10), ours)).toEqual([]);
  });

  test('the example: the DestinationRule is destination-rule-reviews.yaml, field for field, plus the secure default', () => {
    const chart = new Chart(Testing.app(), 'bookinfo');
    exampleCanary(chart);
    const ours = findObject(synthValid(chart), 'DestinationRule');
    // the one deliberate difference (examples/canary-reviews/README.md), ignored by the comparison
    expect(ours.spec.trafficPolicy.tls).toEqual({ mode: 'ISTIO_MUTUAL' });
    expect(ours.spec.trafficPolicy.loadBalancer).toEqual({ simple: 'RANDOM' });
    expect(differences(parse(DESTINATION_RULE_REVIEWS), ours)).toEqual([]);
  });

  test('the example\'s committed output (examples/canary-reviews/dist) holds the same two objects', () => {
    const dist = join(__dirname, '..', 'examples', 'canary-reviews', 'dist', 'bookinfo.k8s.yaml');
    const committed = parseAllDocuments(readFileSync(dist, 'utf8')).map(d => d.toJS()).filter(o => o !== null);
    expect(differences(parse(VIRTUAL_SERVICE_REVIEWS_90_10), findObject(committed, 'VirtualService', 'reviews'))).toEqual([]);
    expect(differences(parse(DESTINATION_RULE_REVIEWS), findObject(committed, 'DestinationRule', 'reviews'))).toEqual([]);
  });

  test('examples/bookinfo-mtls: its L1 DestinationRule (committed output) is destination-rule-all-mtls.yaml\'s reviews rule, field for field', () => {
    const dist = join(__dirname, '..', 'examples', 'bookinfo-mtls', 'dist', 'bookinfo.k8s.yaml');
    const committed = parseAllDocuments(readFileSync(dist, 'utf8')).map(d => d.toJS()).filter(o => o !== null);
    const ours = findObject(committed, 'DestinationRule', 'reviews');
    // tls is the published field here, not an ignored extra
    expect(ours.spec.trafficPolicy).toEqual({ tls: { mode: 'ISTIO_MUTUAL' } });
    expect(differences(parse(DESTINATION_RULE_ALL_MTLS_REVIEWS), ours)).toEqual([]);
  });

  test('the example against destination-rule-all-mtls.yaml (reviews): the differences, listed', () => {
    const chart = new Chart(Testing.app(), 'bookinfo');
    exampleCanary(chart);
    const ours = findObject(synthValid(chart), 'DestinationRule');
    const expected: Difference[] = [
      {
        path: 'DestinationRule.spec.trafficPolicy.loadBalancer.simple',
        ours: 'RANDOM',
        why: 'Istio publishes two rules for reviews: destination-rule-reviews.yaml (RANDOM, applied with the 90/10 split) and the mTLS variant without a load balancer; the example follows the first',
      },
    ];
    expect(differences(parse(DESTINATION_RULE_ALL_MTLS_REVIEWS), ours)).toEqual(withoutWhy(expected));
  });

  test('CanaryRelease\'s defaults against destination-rule-reviews.yaml: what the example adds, listed', () => {
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
      {
        path: 'DestinationRule.spec.trafficPolicy.loadBalancer.simple',
        published: 'RANDOM',
        why: 'the sample picks RANDOM; CanaryRelease keeps Istio\'s default (LEAST_REQUEST). trafficPolicy.loadBalancer chooses (the example app does).',
      },
    ];
    expect(differences(parse(DESTINATION_RULE_REVIEWS), ours)).toEqual(withoutWhy(expected));
  });
});
