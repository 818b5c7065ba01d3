import { App, Chart, Testing } from 'cdk8s';
import { findObject, findingsOf, objectsOf, synthValid } from './util';
import { WorkloadSelector } from '../src/core/workload-selector';
import { ServiceEntryResolution } from '../src/networking/service-entry';
import { Sidecar } from '../src/networking/sidecar';
import { ClientTls } from '../src/networking/traffic-tls';
import { ExternalPort, ExternalService, ExternalServiceProps } from '../src/patterns/external-service';
import { IstioValidation } from '../src/validation/app';
import { FindingLevel } from '../src/validation/findings';

const CA = '/etc/ssl/certs/ca-certificates.crt';
const AT = "ExternalService 'test/ext'";

function chart(namespace: string | undefined = 'shop'): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

function make(props: Partial<ExternalServiceProps> = {}, c: Chart = chart()): ExternalService {
  return new ExternalService(c, 'ext', { host: 'api.example.com', ports: [ExternalPort.https()], ...props });
}

describe('ExternalService', () => {
  test('a public API over HTTPS: MESH_EXTERNAL, DNS, exported to its namespace only', () => {
    const c = chart();
    const ext = make({}, c);
    const manifests = synthValid(c);
    expect(objectsOf(manifests, 'DestinationRule')).toEqual([]);
    expect(findObject(manifests, 'ServiceEntry')).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: 'test-ext', namespace: 'shop' },
      spec: {
        hosts: ['api.example.com'],
        ports: [{ number: 443, protocol: 'HTTPS', name: 'https-443' }],
        location: 'MESH_EXTERNAL',
        resolution: 'DNS',
        exportTo: ['.'],
      },
    });
    expect(ext.warnings).toEqual([]);
    expect(ext.sidecarEgressHost).toBe('shop/api.example.com');
  });

  test('Istio\'s TLS origination task: HTTP on 80 becomes TLS to 443, SNI the host, verified against a CA', () => {
    const c = chart();
    const ext = make({
      host: 'edition.cnn.com',
      ports: [ExternalPort.http(80, { name: 'http-port', originateTls: ClientTls.simple({ caCertificates: CA }) }), ExternalPort.https(443, { name: 'https-port' })],
    }, c);
    const manifests = synthValid(c);
    expect(findObject(manifests, 'ServiceEntry').spec.ports).toEqual([
      { number: 80, protocol: 'HTTP', name: 'http-port', targetPort: 443 },
      { number: 443, protocol: 'HTTPS', name: 'https-port' },
    ]);
    expect(findObject(manifests, 'DestinationRule')).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'test-ext', namespace: 'shop' },
      spec: {
        host: 'edition.cnn.com',
        exportTo: ['.'],
        trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'SIMPLE', caCertificates: CA, sni: 'edition.cnn.com' } }] },
      },
    });
    expect(ext.warnings).toEqual([]);
  });

  test('TLS origination without a CA is a warning (IST0129), and validation reports it', () => {
    const c = chart();
    const ext = make({ host: 'edition.cnn.com', ports: [ExternalPort.http(80, { originateTls: ClientTls.simple() })] }, c);
    expect(ext.warnings).toContain(
      `${AT}: ports[0].originateTls (SIMPLE): no caCertificates or credentialName: the sidecar does not verify "edition.cnn.com" against a CA of yours (IST0129); `
      + 'give caCertificates (e.g. the proxy image\'s /etc/ssl/certs/ca-certificates.crt) or credentialName');
    expect(findingsOf(Testing.synth(c)).map(f => f.code)).toContain('IST0129');
  });

  test('plain HTTP without origination is a warning', () => {
    const ext = make({ host: 'httpbin.org', ports: [ExternalPort.http()] });
    expect(ext.warnings).toEqual([`${AT}: ports[0] (80): plain HTTP leaves the mesh unencrypted: call the host over HTTPS (ExternalPort.https), or let the sidecar originate TLS (originateTls)`]);
  });

  test('a MySQL database: declared TCP (server-first), with its address', () => {
    const c = chart();
    make({ host: 'mysql.example.internal', ports: [ExternalPort.mysql()], addresses: ['192.0.2.10'] }, c);
    const se = findObject(synthValid(c), 'ServiceEntry');
    expect(se.spec).toEqual({
      hosts: ['mysql.example.internal'],
      addresses: ['192.0.2.10'],
      ports: [{ number: 3306, protocol: 'TCP', name: 'tcp-mysql' }],
      location: 'MESH_EXTERNAL',
      resolution: 'DNS',
      exportTo: ['.'],
    });
  });

  test('a MongoDB replica with static endpoints, and a CIDR without endpoints resolves NONE', () => {
    const c = chart();
    new ExternalService(c, 'mongo', { host: 'mongo.example.internal', ports: [ExternalPort.mongo()], addresses: ['192.0.2.20'], endpoints: ['192.0.2.20'] });
    new ExternalService(c, 'mysql', { host: 'mysql.example.internal', ports: [ExternalPort.mysql()], addresses: ['192.0.2.0/24'] });
    const manifests = synthValid(c);
    const mongo = findObject(manifests, 'ServiceEntry', 'test-mongo');
    expect(mongo.spec.resolution).toBe('STATIC');
    expect(mongo.spec.endpoints).toEqual([{ address: '192.0.2.20' }]);
    expect(mongo.spec.ports).toEqual([{ number: 27017, protocol: 'TCP', name: 'tcp-mongo' }]);
    expect(findObject(manifests, 'ServiceEntry', 'test-mysql').spec.resolution).toBe('NONE');
  });

  test('exportTo names the namespaces that need the host', () => {
    const c = chart();
    make({ exportTo: ['.', 'billing'], resolution: ServiceEntryResolution.DNS }, c);
    expect(findObject(synthValid(c), 'ServiceEntry').spec.exportTo).toEqual(['.', 'billing']);
  });

  test('synthesizes under strict validation with its defaults', () => {
    const app = new App({ outdir: '/tmp/cdk8s-istio-external-strict' });
    IstioValidation.enable(app, { strict: true, printWarnings: false });
    const c = new Chart(app, 'test', { namespace: 'shop' });
    new ExternalService(c, 'ext', { host: 'api.example.com', ports: [ExternalPort.https()] });
    new ExternalService(c, 'db', { host: 'mysql.example.internal', ports: [ExternalPort.mysql()], addresses: ['192.0.2.10'] });
    expect(() => app.synth()).not.toThrow();
    expect(IstioValidation.findings(app).filter(f => f.level !== FindingLevel.INFO)).toEqual([]);
  });

  describe('egress lock-down', () => {
    test('a namespace Sidecar (REGISTRY_ONLY by default) without egress hosts: the host is reachable, quiet', () => {
      const c = chart();
      new Sidecar(c, 'lock-down');
      make({}, c);
      const manifests = synthValid(c);
      expect(findObject(manifests, 'Sidecar').spec.outboundTrafficPolicy).toEqual({ mode: 'REGISTRY_ONLY' });
    });

    test('a Sidecar whose egress hosts import the host (sidecarEgressHost, or ./*): quiet', () => {
      const c = chart();
      const ext = make({}, c);
      new Sidecar(c, 'lock-down', { egress: [{ hosts: ['istio-system/*', ext.sidecarEgressHost] }] });
      new Sidecar(c, 'app', { workloadSelector: WorkloadSelector.fromLabels({ app: 'a' }), egress: [{ hosts: ['./*'] }] });
      expect(() => synthValid(c)).not.toThrow();
    });

    test('fails validation when a Sidecar of the namespace lists egress hosts without this one', () => {
      const c = chart();
      make({}, c);
      new Sidecar(c, 'lock-down', { egress: [{ hosts: ['istio-system/*', 'billing/*'] }] });
      expect(() => Testing.synth(c)).toThrow(
        `${AT}: Sidecar 'test/lock-down' of namespace "shop" lists egress hosts ["istio-system/*","billing/*"], none of which imports "api.example.com": `
        + 'its workloads cannot reach the service; add "shop/api.example.com" (sidecarEgressHost) or "./*" to its egress hosts');
    });

    test('a Sidecar of another namespace is not this one\'s business: quiet', () => {
      const app = Testing.app();
      const shop = new Chart(app, 'test', { namespace: 'shop' });
      make({}, shop);
      const billing = new Chart(app, 'other', { namespace: 'billing' });
      new Sidecar(billing, 'lock-down', { egress: [{ hosts: ['istio-system/*'] }] });
      expect(() => synthValid(shop)).not.toThrow();
      expect(() => synthValid(billing)).not.toThrow();
    });
  });

  describe('checks', () => {
    test('throws when the host is not a fully qualified name', () => {
      for (const host of ['api', '*.example.com', '192.0.2.1', 'API.example.com']) {
        expect(() => make({ host })).toThrow(`${AT}: invalid host ${JSON.stringify(host)}: a fully qualified lower-case host name such as "api.example.com" (no wildcard, no IP: give IPs as addresses)`);
      }
    });

    test('throws when no port is declared', () => {
      expect(() => make({ ports: [] })).toThrow(`${AT}: invalid ports []: declare every port the service is reached on, e.g. [ExternalPort.https()]`);
    });

    test('throws when a TCP port has no addresses (IST0134)', () => {
      expect(() => make({ host: 'mysql.example.internal', ports: [ExternalPort.mysql()] })).toThrow(
        `${AT}: invalid addresses undefined: ports[0] (3306) is TCP, which has no Host header or SNI: give the service's IP addresses or CIDR blocks, so that the sidecar routes only that traffic to it (IST0134)`);
    });

    test('throws when an address or endpoint is not an IP or name', () => {
      expect(() => make({ addresses: ['db.example.com'] })).toThrow(`${AT}: invalid addresses[0] "db.example.com": an IP address or CIDR block`);
      expect(() => make({ endpoints: ['not a host'] })).toThrow(`${AT}: invalid endpoints[0] "not a host": an IP address or a fully qualified DNS name`);
    });

    test('throws when TLS origination is not SIMPLE or MUTUAL', () => {
      expect(() => make({ ports: [ExternalPort.http(80, { originateTls: ClientTls.istioMutual() })] })).toThrow(
        `${AT}: invalid ports[0].originateTls "ISTIO_MUTUAL": TLS origination to an external host is ClientTls.simple() or ClientTls.mutual()`);
    });

    test('throws when exported to every namespace', () => {
      expect(() => make({ exportTo: ['*'] })).toThrow(`${AT}: invalid exportTo[0] "*": "." or namespace names`);
    });

    test('throws when two ports share a number (through the ServiceEntry)', () => {
      expect(() => make({ ports: [ExternalPort.https(443), ExternalPort.tls(443)] })).toThrow('invalid ports[1].number 443: port numbers must be unique');
    });
  });
});
