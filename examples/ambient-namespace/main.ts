// A namespace in ambient mode with an L4 and an L7 policy: the Namespace `shop` labelled
// istio.io/dataplane-mode=ambient and enrolled in its waypoint, an L4 policy on the api
// pods (enforced by ztunnel) that admits the waypoint and the ingress gateway only, and
// an L7 policy on the api Service (enforced by the waypoint) that lets the web front end
// read and nobody write. A batch job stays out of the mesh.
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-32';
import {
  AmbientNamespace, AuthorizationPolicy, IstioValidation, PolicyTargetRef, Principal, Waypoint, WorkloadSelector,
} from 'cdk8s-istio';

const app = new App();
IstioValidation.enable(app, { strict: true });
const chart = new Chart(app, 'shop', { namespace: 'shop' });

// the namespace in ambient mode, enrolled in its waypoint
const shop = new AmbientNamespace(chart, 'ambient');
const waypoint = new Waypoint(chart, 'waypoint', { metadata: { name: 'waypoint' } });
shop.useWaypoint(waypoint);

const api = new kplus.Deployment(chart, 'api', {
  metadata: { name: 'api' },
  podMetadata: { labels: { app: 'api' } },
  containers: [{ name: 'api', image: 'ghcr.io/example/api:2.1.0', ports: [{ number: 8080 }], securityContext: { user: 1000, group: 1000 } }],
});
const service = new kplus.Service(chart, 'api-service', { metadata: { name: 'api' }, ports: [{ name: 'http', port: 8080 }] });
service.selectLabel('app', 'api');

// L4, enforced by ztunnel: the pods take the waypoint's calls (and the ingress gateway's) only,
// so nothing reaches them around the waypoint
const l4 = new AuthorizationPolicy(chart, 'api-ztunnel', {
  metadata: { name: 'api-ztunnel' },
  ambient: true,
  selector: WorkloadSelector.fromWorkload(api),
  rules: [{ from: [{ principals: [Principal.serviceAccount('istio-ingress', 'shop-gateway-istio')] }], to: [{ ports: [8080] }] }],
});
l4.allowWaypoint(waypoint.principal);

// L7, enforced by the waypoint: the web front end may read, nobody may write
new AuthorizationPolicy(chart, 'api-waypoint', {
  metadata: { name: 'api-waypoint' },
  ambient: true,
  targetRefs: [PolicyTargetRef.service('api')],
  rules: [{
    from: [{ principals: [Principal.serviceAccount('shop', 'web')] }],
    to: [{ methods: ['GET', 'HEAD'], paths: ['/api/*'] }],
  }],
});

// a batch job that talks to a legacy database outside the mesh: kept out of ambient
const job = new kplus.Deployment(chart, 'report', {
  metadata: { name: 'report' },
  podMetadata: { labels: { app: 'report' } },
  containers: [{ name: 'report', image: 'ghcr.io/example/report:1.0.0', securityContext: { user: 1000, group: 1000 } }],
});
shop.optOut(job);

app.synth();
