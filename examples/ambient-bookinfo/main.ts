// Istio's ambient getting-started walk-through, as one app: Bookinfo in the `default`
// namespace, enrolled in ambient mode (1), an L4 policy on productpage enforced by
// ztunnel (2), a waypoint for the namespace's services (3), an L7 policy on productpage
// attached to it (4), and reviews shifted 90/10 between v1 and v2 by an HTTPRoute whose
// parent is the reviews Service (5). Validation checks every object at synth.
import { ApiObject, App, Chart } from 'cdk8s';
import {
  AmbientNamespace, ApiMode, AuthorizationPolicy, CanaryRelease, gatewayApi, IstioValidation, OutputMode,
  PolicyTargetRef, Principal, Waypoint, WorkloadSelector,
} from 'cdk8s-istio';

const app = new App();
IstioValidation.enable(app, { strict: true });
// ambient mode routes with the Kubernetes Gateway API (HTTPRoute), not VirtualServices
OutputMode.set(app, ApiMode.GATEWAY_API);

const chart = new Chart(app, 'bookinfo', { namespace: 'default' });

// 1. The namespace in ambient mode: no sidecars, no restarts; ztunnel gives every pod mTLS
const ambient = new AmbientNamespace(chart, 'ambient', { namespace: 'default' });

// Bookinfo (samples/bookinfo/platform/kube/bookinfo.yaml and bookinfo-versions.yaml)
// and the curl client (samples/curl/curl.yaml), as plain Kubernetes objects
function bookinfoApp(name: string, port: number, versions: string[], account: string, image: (version: string) => string, command?: string[]) {
  new ApiObject(chart, `${name}-service`, {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name, labels: { app: name, service: name } },
    spec: { ports: [{ port, name: 'http' }], selector: { app: name } },
  });
  new ApiObject(chart, `${name}-account`, {
    apiVersion: 'v1', kind: 'ServiceAccount',
    metadata: { name: account, labels: { account: name } },
  });
  for (const version of versions) {
    const labels: { [key: string]: string } = command ? { app: name } : { app: name, version };
    new ApiObject(chart, `${name}-${version}`, {
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name: command ? name : `${name}-${version}`, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: account,
            containers: [{
              name, image: image(version), imagePullPolicy: 'IfNotPresent',
              ...(command ? { command } : { ports: [{ containerPort: port }] }),
            }],
          },
        },
      },
    });
  }
}
bookinfoApp('details', 9080, ['v1'], 'bookinfo-details', v => `docker.io/istio/examples-bookinfo-details-${v}:1.20.3`);
bookinfoApp('ratings', 9080, ['v1'], 'bookinfo-ratings', v => `docker.io/istio/examples-bookinfo-ratings-${v}:1.20.3`);
bookinfoApp('reviews', 9080, ['v1', 'v2', 'v3'], 'bookinfo-reviews', v => `docker.io/istio/examples-bookinfo-reviews-${v}:1.20.3`);
bookinfoApp('productpage', 9080, ['v1'], 'bookinfo-productpage', v => `docker.io/istio/examples-bookinfo-productpage-${v}:1.20.3`);
bookinfoApp('curl', 80, ['v1'], 'curl', () => 'curlimages/curl', ['/bin/sleep', 'infinity']);
for (const version of ['v1', 'v2', 'v3']) {
  new ApiObject(chart, `reviews-${version}-service`, {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: `reviews-${version}` },
    spec: { ports: [{ port: 9080, name: 'http' }], selector: { app: 'reviews', version } },
  });
}

// the ingress: samples/bookinfo/gateway-api/bookinfo-gateway.yaml, a Gateway of class
// istio (run as the service account bookinfo-gateway-istio) behind a ClusterIP Service
new gatewayApi.Gateway(chart, 'bookinfo-gateway', {
  metadata: { name: 'bookinfo-gateway', annotations: { 'networking.istio.io/service-type': 'ClusterIP' } },
  spec: {
    gatewayClassName: 'istio',
    listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: gatewayApi.GatewaySpecListenersAllowedRoutesNamespacesFrom.SAME } } }],
  },
});
const { EXACT, PATH_PREFIX } = gatewayApi.HttpRouteSpecRulesMatchesPathType;
new gatewayApi.HttpRoute(chart, 'bookinfo', {
  metadata: { name: 'bookinfo' },
  spec: {
    parentRefs: [{ name: 'bookinfo-gateway' }],
    rules: [{
      matches: [
        { path: { type: EXACT, value: '/productpage' } },
        { path: { type: PATH_PREFIX, value: '/static' } },
        { path: { type: EXACT, value: '/login' } },
        { path: { type: EXACT, value: '/logout' } },
        { path: { type: PATH_PREFIX, value: '/api/v1/products' } },
      ],
      backendRefs: [{ name: 'productpage', port: 9080 }],
    }],
  },
});
const gateway = Principal.serviceAccount('default', 'bookinfo-gateway-istio');

// 2. An L4 policy: only the ingress gateway may reach productpage, enforced by ztunnel
const productpageZtunnel = new AuthorizationPolicy(chart, 'productpage-ztunnel', {
  metadata: { name: 'productpage-ztunnel' },
  ambient: true,
  selector: WorkloadSelector.fromLabels({ app: 'productpage' }),
  rules: [{ from: [{ principals: [gateway] }] }],
});

// 3. A waypoint for the namespace's services, and the namespace enrolled in it
const waypoint = new Waypoint(chart, 'waypoint', { metadata: { name: 'waypoint' } });
ambient.useWaypoint(waypoint);

// 4. An L7 policy on productpage, enforced by the waypoint: only GET, only from curl
new AuthorizationPolicy(chart, 'productpage-waypoint', {
  metadata: { name: 'productpage-waypoint' },
  ambient: true,
  targetRefs: [PolicyTargetRef.service('productpage')],
  rules: [{
    from: [{ principals: [Principal.serviceAccount('default', 'curl')] }],
    to: [{ methods: ['GET'] }],
  }],
});
// ztunnel now sees the waypoint's identity for the calls that went through it: let it in
productpageZtunnel.replaceRule(0, { from: [{ principals: [gateway, waypoint.principal] }] });

// 5. reviews shifted 90/10 between v1 and v2: an HTTPRoute whose parent is the reviews
// Service, with one Service per version as backends
new CanaryRelease(chart, 'reviews', {
  name: 'reviews',
  host: 'reviews',
  stableHost: 'reviews-v1',
  canaryHost: 'reviews-v2',
  port: 9080,
  canaryWeight: 10,
});

app.synth();
