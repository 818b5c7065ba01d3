// Egress through a waypoint (ambient mode): the external host httpbin.org is a
// ServiceEntry in the namespace istio-egress, which is enrolled in the waypoint there,
// so every call from the mesh to it goes through the waypoint. The waypoint checks an
// L7 policy attached to the ServiceEntry (only GET, only from curl) and originates TLS
// (the app calls http://httpbin.org, the waypoint sends HTTPS to port 443).
import { ApiObject, App, Chart } from 'cdk8s';
import { AmbientNamespace, EgressTraffic, IstioValidation, Principal, WaypointEgress } from 'cdk8s-istio';

const app = new App();
IstioValidation.enable(app, { strict: true });

// the egress namespace: its waypoint, enrolled with the whole namespace, and the external
// hosts it lets out, each a ServiceEntry with the policy the waypoint enforces
const egress = new Chart(app, 'egress', { namespace: 'istio-egress' });
const gateway = new WaypointEgress(egress, 'egress');

// the app calls http://httpbin.org; the waypoint originates TLS to port 443, verifying
// httpbin.org's certificate, and lets curl GET only
gateway.addHost('httpbin.org', EgressTraffic.tlsOrigination({ caCertificates: '/etc/ssl/certs/ca-certificates.crt' }), {
  allowFrom: [Principal.serviceAccount('default', 'curl')],
  methods: ['GET'],
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
