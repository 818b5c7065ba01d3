import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

/*
 * Istio's current ambient getting-started guide
 * (https://istio.io/latest/docs/ambient/getting-started/), step by step, against the
 * synthesized output of examples/ambient-bookinfo (examples/ambient-bookinfo/dist,
 * refreshed by `npm run examples`). The published objects are copied from the guide's
 * pages in istio/istio.io, `content/en/docs/ambient/getting-started/`:
 * - deploy-sample-app/index.md (commit dc3100c28440ea5305b828c020d8f7ca9b707826), which applies
 *   istio/istio `samples/bookinfo/gateway-api/bookinfo-gateway.yaml` (commit
 *   6adb779e56a8dc981c4af505c12e648918fd87fc) and `platform/kube/bookinfo-versions.yaml`;
 * - secure-and-visualize/index.md (commit 270c5be034101ce299a24b3da0bda73b445e340b);
 * - enforce-auth-policies/index.md (deploy_l4_policy, deploy_waypoint, deploy_l7_policy, update_l4_policy);
 * - manage-traffic/index.md (commit 97d38b89cd4e320fdab8f62774fd3cfdee1bb654, deploy_httproute).
 * `kubectl label`, `kubectl annotate` and `istioctl waypoint apply` are written out as the
 * objects they produce. Names and namespaces are not compared; labels and annotations are
 * (they carry ambient's configuration).
 */
const PUBLISHED: { [step: string]: string } = {
  // Deploy the sample application: bookinfo-versions.yaml and gateway-api/bookinfo-gateway.yaml,
  // then `kubectl annotate gateway bookinfo-gateway networking.istio.io/service-type=ClusterIP`
  '0 reviews-v1 Service': `
apiVersion: v1
kind: Service
metadata:
  name: reviews-v1
spec:
  ports:
  - port: 9080
    name: http
  selector:
    app: reviews
    version: v1
`,
  '0 bookinfo-gateway Gateway': `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: bookinfo-gateway
  annotations:
    networking.istio.io/service-type: ClusterIP
spec:
  gatewayClassName: istio
  listeners:
  - name: http
    port: 80
    protocol: HTTP
    allowedRoutes:
      namespaces:
        from: Same
`,
  '0 bookinfo HTTPRoute': `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: bookinfo
spec:
  parentRefs:
  - name: bookinfo-gateway
  rules:
  - matches:
    - path:
        type: Exact
        value: /productpage
    - path:
        type: PathPrefix
        value: /static
    - path:
        type: Exact
        value: /login
    - path:
        type: Exact
        value: /logout
    - path:
        type: PathPrefix
        value: /api/v1/products
    backendRefs:
    - name: productpage
      port: 9080
`,
  // 1. `kubectl label namespace default istio.io/dataplane-mode=ambient`, and 3.
  // `istioctl waypoint apply --enroll-namespace` (istio.io/use-waypoint=waypoint)
  '1+3 default Namespace': `
apiVersion: v1
kind: Namespace
metadata:
  name: default
  labels:
    istio.io/dataplane-mode: ambient
    istio.io/use-waypoint: waypoint
`,
  // 2. Enforce Layer 4 authorization policy, as updated in 4. to let the waypoint in
  '2+4 productpage-ztunnel AuthorizationPolicy': `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: productpage-ztunnel
  namespace: default
spec:
  selector:
    matchLabels:
      app: productpage
  action: ALLOW
  rules:
  - from:
    - source:
        principals:
        - cluster.local/ns/default/sa/bookinfo-gateway-istio
        - cluster.local/ns/default/sa/waypoint
`,
  // 3. `istioctl waypoint apply --enroll-namespace --wait` (istioctl waypoint generate)
  '3 waypoint Gateway': `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  labels:
    istio.io/waypoint-for: service
  name: waypoint
  namespace: default
spec:
  gatewayClassName: istio-waypoint
  listeners:
  - name: mesh
    port: 15008
    protocol: HBONE
`,
  // 4. Enforce Layer 7 authorization policy
  '4 productpage-waypoint AuthorizationPolicy': `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: productpage-waypoint
  namespace: default
spec:
  targetRefs:
  - kind: Service
    group: ""
    name: productpage
  action: ALLOW
  rules:
  - from:
    - source:
        principals:
        - cluster.local/ns/default/sa/curl
    to:
    - operation:
        methods: ["GET"]
`,
  // 5. Manage traffic: 90/10 between reviews v1 and v2
  '5 reviews HTTPRoute': `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: reviews
spec:
  parentRefs:
  - group: ""
    kind: Service
    name: reviews
    port: 9080
  rules:
  - backendRefs:
    - name: reviews-v1
      port: 9080
      weight: 90
    - name: reviews-v2
      port: 9080
      weight: 10
`,
};

interface Difference {
  readonly step: string;
  readonly path: string;
  readonly published?: unknown;
  readonly ours?: unknown;
  readonly why?: string;
}

/** The differences, each explained. */
const EXPECTED: Difference[] = [
  {
    step: '5 reviews HTTPRoute',
    path: 'HTTPRoute.spec.parentRefs[0].port',
    published: 9080,
    why: 'CanaryRelease (gateway-api mode) attaches the route to the whole reviews Service, not to its port 9080: the same traffic, since reviews has that one port',
  },
];

const dist = path.join(__dirname, '..', 'examples', 'ambient-bookinfo', 'dist');
const ours = fs.readdirSync(dist).filter(f => f.endsWith('.yaml'))
  .flatMap(f => parseAllDocuments(fs.readFileSync(path.join(dist, f), 'utf8')).map(d => d.toJS()));

function flatten(value: unknown, p: string, out: Map<string, unknown>): Map<string, unknown> {
  if (Array.isArray(value)) {
    value.forEach((item, i) => flatten(item, `${p}[${i}]`, out));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, `${p}.${k}`, out);
  } else {
    out.set(p, value);
  }
  return out;
}

function compared(o: any): any {
  return { apiVersion: o.apiVersion, kind: o.kind, labels: o.metadata?.labels, annotations: o.metadata?.annotations, spec: o.spec };
}

function differences(step: string, published: any, mine: any): Difference[] {
  const a = flatten(compared(published), published.kind, new Map());
  const b = flatten(compared(mine), published.kind, new Map());
  const out: Difference[] = [];
  for (const p of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    if (a.get(p) === b.get(p)) continue;
    out.push({ step, path: p, ...(a.has(p) ? { published: a.get(p) } : {}), ...(b.has(p) ? { ours: b.get(p) } : {}) });
  }
  return out;
}

test('each step\'s objects match the ambient getting-started guide, but for the listed differences', () => {
  const found: Difference[] = [];
  for (const [step, text] of Object.entries(PUBLISHED)) {
    const published = parseAllDocuments(text)[0].toJS();
    const mine = ours.filter(o => o.kind === published.kind && o.metadata?.name === published.metadata.name);
    expect([step, mine.length]).toEqual([step, 1]);
    found.push(...differences(step, published, mine[0]));
  }
  expect(found).toEqual(EXPECTED.map(({ why, ...rest }) => {
    expect(why).toBeTruthy();
    return rest;
  }));
});

test('every Bookinfo Service, ServiceAccount and Deployment of the guide is there', () => {
  const names = (kind: string) => ours.filter(o => o.kind === kind).map(o => o.metadata.name).sort();
  expect(names('Service')).toEqual(['curl', 'details', 'productpage', 'ratings', 'reviews', 'reviews-v1', 'reviews-v2', 'reviews-v3']);
  expect(names('ServiceAccount')).toEqual(['bookinfo-details', 'bookinfo-productpage', 'bookinfo-ratings', 'bookinfo-reviews', 'curl']);
  expect(names('Deployment')).toEqual(['curl', 'details-v1', 'productpage-v1', 'ratings-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3']);
  // the Namespace comes first, for kubectl apply
  expect(ours[0].kind).toBe('Namespace');
});
