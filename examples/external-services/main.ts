// External services registered with ExternalService, and nothing else reachable:
// Istio's "Egress TLS Origination" task (the app calls http://edition.cnn.com, the
// sidecar opens TLS to port 443), the MySQL database of Istio's "Consuming External
// TCP Services", a public API called over HTTPS, and the lock-down Sidecar
// (REGISTRY_ONLY) that makes undeclared hosts unreachable.
// https://istio.io/latest/docs/tasks/traffic-management/egress/egress-tls-origination/
// https://istio.io/latest/blog/2018/egress-tcp/
import { App, Chart } from 'cdk8s';
import { ClientTls, ExternalPort, ExternalService, IstioValidation, Sidecar } from 'cdk8s-istio';

const app = new App();
IstioValidation.enable(app, { strict: true });

// no namespace: like the tasks, the objects go to the namespace they are applied to
const chart = new Chart(app, 'external-services');

// only hosts of the registry are reachable from this namespace
new Sidecar(chart, 'lock-down');

new ExternalService(chart, 'cnn', {
  name: 'edition-cnn-com',
  host: 'edition.cnn.com',
  ports: [
    ExternalPort.http(80, {
      name: 'http-port',
      // the CA bundle of the istio-proxy image: the sidecar verifies edition.cnn.com
      originateTls: ClientTls.simple({ caCertificates: '/etc/ssl/certs/ca-certificates.crt' }),
    }),
    ExternalPort.https(443, { name: 'https-port' }),
  ],
});

new ExternalService(chart, 'mysql', {
  name: 'mysql-external',
  host: 'mysql.example.com',
  // server-first: declared TCP, routed by the database's address
  ports: [ExternalPort.mysql(3306, { name: 'tcp' })],
  addresses: ['203.0.113.10/32'],
});

new ExternalService(chart, 'github', {
  host: 'api.github.com',
  ports: [ExternalPort.https()],
});

app.synth();
