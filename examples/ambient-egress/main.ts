// Egress through a waypoint (ambient mode): the external host httpbin.org is a
// ServiceEntry in the namespace istio-egress, which is enrolled in the waypoint there,
// so every call from the mesh to it goes through the waypoint. The waypoint checks an
// L7 policy attached to the ServiceEntry (only GET, only from curl) and originates TLS
// (the app calls http://httpbin.org, the waypoint sends HTTPS to port 443).
import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import {
  AmbientNamespace, AuthorizationPolicy, ClientTls, DestinationRule, IstioValidation, PolicyTargetRef, Principal,
  Protocol, ServiceEntry, ServiceEntryLocation, ServiceEntryResolution, Waypoint,
} from 'cdk8s-istio';

const app = new App();
IstioValidation.enable(app, { strict: true });

// the egress namespace: its waypoint and the external hosts it lets out
const egress = new Chart(app, 'egress', { namespace: 'istio-egress' });
const namespace = new ApiObject(egress, 'namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-egress' } });
namespace.addJsonPatch(JsonPatch.remove('/metadata/namespace')); // cluster-scoped
const waypoint = new Waypoint(egress, 'waypoint', { metadata: { name: 'waypoint' } });
// every Service and ServiceEntry of the namespace goes through the waypoint
waypoint.enroll(namespace);

const httpbin = new ServiceEntry(egress, 'httpbin', {
  metadata: { name: 'httpbin.org' },
  hosts: ['httpbin.org'],
  location: ServiceEntryLocation.MESH_EXTERNAL,
  resolution: ServiceEntryResolution.DNS,
  // the app speaks HTTP on port 80; the waypoint sends it to port 443
  ports: [{ number: 80, name: 'http', protocol: Protocol.HTTP, targetPort: 443 }],
});

// TLS origination at the waypoint, verifying httpbin.org's certificate
new DestinationRule(egress, 'httpbin-tls', {
  metadata: { name: 'httpbin.org-tls' },
  host: 'httpbin.org',
  trafficPolicy: { tls: ClientTls.simple({ caCertificates: '/etc/ssl/certs/ca-certificates.crt' }) },
});

// an L7 policy the waypoint enforces: attached to the ServiceEntry with targetRefs
new AuthorizationPolicy(egress, 'httpbin-get', {
  metadata: { name: 'httpbin-get' },
  ambient: true,
  targetRefs: [PolicyTargetRef.serviceEntry('httpbin.org')],
  rules: [{
    from: [{ principals: [Principal.serviceAccount('default', 'curl')] }],
    to: [{ methods: ['GET'] }],
  }],
});

// the client: the curl sample in the ambient namespace default
const clients = new Chart(app, 'clients', { namespace: 'default' });
new AmbientNamespace(clients, 'ambient', { namespace: 'default' });
new ApiObject(clients, 'curl-account', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'curl' } });
new ApiObject(clients, 'curl', {
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'curl' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'curl' } },
    template: {
      metadata: { labels: { app: 'curl' } },
      spec: { serviceAccountName: 'curl', containers: [{ name: 'curl', image: 'curlimages/curl', command: ['/bin/sleep', 'infinity'] }] },
    },
  },
});

app.synth();
