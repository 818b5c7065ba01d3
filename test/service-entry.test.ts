import { Testing } from 'cdk8s';
import { findObject, synthValid } from './util';
import { Protocol } from '../src/core/protocol';
import { WorkloadSelector } from '../src/core/workload-selector';
import { ServiceEntry, ServiceEntryLocation, ServiceEntryResolution } from '../src/networking/service-entry';

describe('ServiceEntry', () => {
  test('defaults: MESH_EXTERNAL, DNS for a concrete host, port named by protocol', () => {
    const chart = Testing.chart();
    new ServiceEntry(chart, 'cnn', {
      metadata: { name: 'cnn' },
      hosts: ['edition.cnn.com'],
      ports: [{ number: 443, protocol: Protocol.TLS }],
    });
    const out = findObject(synthValid(chart), 'ServiceEntry', 'cnn');
    expect(out.apiVersion).toBe('networking.istio.io/v1');
    expect(out.spec).toEqual({
      hosts: ['edition.cnn.com'],
      ports: [{ number: 443, protocol: 'TLS', name: 'tls-443' }],
      location: 'MESH_EXTERNAL',
      resolution: 'DNS',
    });
  });

  test('every option: hosts, addresses, ports, location, resolution, endpoints, exportTo, subjectAltNames, added later too', () => {
    const chart = Testing.chart();
    const se = new ServiceEntry(chart, 'mysql', {
      hosts: ['mysql.internal.example.com'],
      addresses: ['10.20.0.0/16'],
      ports: [{ number: 3306, protocol: Protocol.TCP, name: 'tcp-mysql', targetPort: 13306 }],
      location: ServiceEntryLocation.MESH_INTERNAL,
      resolution: ServiceEntryResolution.STATIC,
      endpoints: [{ address: '10.20.0.12', ports: { 'tcp-mysql': 3306 }, labels: { version: 'v1' }, network: 'vpc-1', locality: 'eu-west1/eu-west1-b', weight: 2, serviceAccount: 'mysql' }],
      exportTo: ['.', 'data'],
      subjectAltNames: ['spiffe://cluster.local/ns/data/sa/mysql'],
    });
    se.addAddress('10.30.0.5');
    se.addPort({ number: 33060, protocol: Protocol.TCP });
    se.addEndpoint({ address: '10.20.0.13' });
    se.addEndpoint({ network: 'vpc-2' });

    const out = findObject(synthValid(chart), 'ServiceEntry', 'test-mysql');
    expect(out.spec).toEqual({
      hosts: ['mysql.internal.example.com'],
      addresses: ['10.20.0.0/16', '10.30.0.5'],
      ports: [
        { number: 3306, protocol: 'TCP', name: 'tcp-mysql', targetPort: 13306 },
        { number: 33060, protocol: 'TCP', name: 'tcp-33060' },
      ],
      location: 'MESH_INTERNAL',
      resolution: 'STATIC',
      endpoints: [
        { address: '10.20.0.12', ports: { 'tcp-mysql': 3306 }, labels: { version: 'v1' }, network: 'vpc-1', locality: 'eu-west1/eu-west1-b', weight: 2, serviceAccount: 'mysql' },
        { address: '10.20.0.13' },
        { network: 'vpc-2' },
      ],
      exportTo: ['.', 'data'],
      subjectAltNames: ['spiffe://cluster.local/ns/data/sa/mysql'],
    });
    expect(se.warnings).toEqual([]);
  });

  test('every resolution and both locations render as given', () => {
    const chart = Testing.chart();
    const cases: [string, ServiceEntryResolution, string][] = [
      ['none', ServiceEntryResolution.NONE, '*.wikipedia.org'],
      ['dns', ServiceEntryResolution.DNS, 'en.wikipedia.org'],
      ['dns-rr', ServiceEntryResolution.DNS_ROUND_ROBIN, 'de.wikipedia.org'],
      ['dynamic', ServiceEntryResolution.DYNAMIC_DNS, '*.wikimedia.org'],
    ];
    for (const [id, resolution, host] of cases) {
      new ServiceEntry(chart, id, {
        hosts: [host],
        resolution,
        location: ServiceEntryLocation.MESH_EXTERNAL,
        ports: [{ number: 443, protocol: Protocol.HTTPS }],
      });
    }
    const out = synthValid(chart);
    expect(cases.map(([id]) => findObject(out, 'ServiceEntry', `test-${id}`).spec.resolution)).toEqual(['NONE', 'DNS', 'DNS_ROUND_ROBIN', 'DYNAMIC_DNS']);
  });

  test('resolution defaults follow hosts, addresses and endpoints', () => {
    const chart = Testing.chart();
    const port = { number: 443, protocol: Protocol.TLS };
    const wildcard = new ServiceEntry(chart, 'wildcard', { hosts: ['*.example.com'], ports: [port] });
    const cidr = new ServiceEntry(chart, 'cidr', { hosts: ['db.example.com'], addresses: ['192.168.0.0/24'], ports: [port] });
    const ips = new ServiceEntry(chart, 'ips', { hosts: ['api.example.com'], ports: [port], endpoints: [{ address: '203.0.113.7' }] });
    const names = new ServiceEntry(chart, 'names', { hosts: ['*.api.example.com'], ports: [port], endpoints: [{ address: 'lb.example.net' }] });
    const selected = new ServiceEntry(chart, 'vm', { hosts: ['vm.example.internal'], ports: [{ number: 8080, protocol: Protocol.HTTP }], workloadSelector: WorkloadSelector.fromLabels({ app: 'vm' }) });
    expect([wildcard, cidr, ips, names, selected].map(s => s.resolution)).toEqual(['NONE', 'NONE', 'STATIC', 'DNS', 'STATIC']);
    const out = synthValid(chart);
    expect(findObject(out, 'ServiceEntry', 'test-vm').spec).toEqual({
      hosts: ['vm.example.internal'],
      ports: [{ number: 8080, protocol: 'HTTP', name: 'http-8080' }],
      location: 'MESH_INTERNAL',
      resolution: 'STATIC',
      workloadSelector: { labels: { app: 'vm' } },
    });
  });

  test('fromServiceEntryName refers to one made elsewhere', () => {
    const chart = Testing.chart();
    const se = ServiceEntry.fromServiceEntryName(chart, 'ext', 'egress/cnn');
    const se2 = ServiceEntry.fromServiceEntryName(chart, 'ext2', 'cnn', { namespace: 'egress' });
    expect([se.name, se.namespace, se2.name, se2.namespace]).toEqual(['cnn', 'egress', 'cnn', 'egress']);
    new ServiceEntry(chart, 'own', { hosts: ['example.org'], ports: [{ number: 80, protocol: Protocol.HTTP }] });
    expect(findObject(synthValid(chart), 'ServiceEntry').metadata.name).toBe('test-own');
    expect(() => ServiceEntry.fromServiceEntryName(chart, 'bad', 'Egress/cnn'))
      .toThrow("ServiceEntry 'test/bad': invalid name \"Egress/cnn\": the name and namespace must be DNS labels");
  });

  describe('warnings', () => {
    test('a TCP-like port without addresses on a MESH_EXTERNAL entry warns (IST0134)', () => {
      const chart = Testing.chart();
      const se = new ServiceEntry(chart, 'mongo', {
        hosts: ['mongo.example.com'],
        ports: [{ number: 27017, protocol: Protocol.MONGO }, { number: 443, protocol: Protocol.TLS }],
      });
      expect(se.warnings).toEqual([
        "ServiceEntry 'test/mongo': ports[0] \"mongo-27017\" is MONGO, which has no Host header or SNI to route by: set addresses "
        + "(the service's IPs or CIDRs), or enable DNS proxying with IP auto-allocation (IST0134)",
      ]);
      se.addAddress('198.51.100.10');
      expect(se.warnings).toEqual([]);
      synthValid(chart);
    });
  });

  describe('checks of its own props', () => {
    const tls = { number: 443, protocol: Protocol.TLS };

    test('throws when a host is a bare "*" or malformed', () => {
      const se = new ServiceEntry(Testing.chart(), 'se');
      expect(() => se.addHost('*')).toThrow("ServiceEntry 'test/se': invalid hosts[0] \"*\": a bare \"*\" host is not allowed");
      expect(() => se.addHost('*foo.example.com')).toThrow('no partial wildcards');
      expect(() => se.addHost('API.example.com')).toThrow('a host is a lowercase DNS name');
      se.addHost('api.example.com');
      expect(() => se.addHost('api.example.com')).toThrow('invalid hosts[1] "api.example.com": hosts must be unique');
    });

    test('fails validation when a wildcard host has DNS resolution and no endpoints', () => {
      const chart = Testing.chart();
      new ServiceEntry(chart, 'se', { hosts: ['*.example.com'], resolution: ServiceEntryResolution.DNS, ports: [tls] });
      expect(() => Testing.synth(chart)).toThrow(
        "ServiceEntry 'test/se': invalid hosts \"*.example.com\": a wildcard host cannot be resolved by DNS without endpoints (Istio rejects it)");
    });

    test('fails validation when STATIC has no endpoints', () => {
      const chart = Testing.chart();
      new ServiceEntry(chart, 'se', { hosts: ['db.example.com'], resolution: ServiceEntryResolution.STATIC, ports: [tls] });
      expect(() => Testing.synth(chart)).toThrow("ServiceEntry 'test/se': invalid resolution \"STATIC\": STATIC needs endpoints (addEndpoint()) or a workloadSelector");
    });

    test('fails validation without hosts or ports', () => {
      const chart = Testing.chart();
      new ServiceEntry(chart, 'se');
      expect(() => Testing.synth(chart)).toThrow(/a ServiceEntry needs at least one host[\s\S]*a ServiceEntry needs at least one port/);
    });

    test('throws when port numbers or names repeat, or a name breaks the convention', () => {
      const se = new ServiceEntry(Testing.chart(), 'se', { hosts: ['a.example.com'], ports: [{ number: 80, protocol: Protocol.HTTP }] });
      expect(() => se.addPort({ number: 80, protocol: Protocol.HTTP, name: 'http-alt' }))
        .toThrow('invalid ports[1].number 80: port numbers must be unique; ports[0] has it');
      expect(() => se.addPort({ number: 8080, protocol: Protocol.HTTP, name: 'http-80' }))
        .toThrow('invalid ports[1].name "http-80": port names must be unique; ports[0] has it');
      expect(() => se.addPort({ number: 8080, protocol: Protocol.GRPC, name: 'http-grpc' }))
        .toThrow('invalid ports[1].name "http-grpc": Istio reads a port\'s protocol from its name "<protocol>[-<suffix>]": for GRPC use "grpc" or "grpc-<suffix>" (the name declares HTTP)');
      expect(() => se.addPort({ number: 0, protocol: Protocol.HTTP })).toThrow('invalid ports[1].number 0: a port must be an integer from 1 to 65535');
      expect(() => se.addPort({ number: 81, protocol: Protocol.HTTP, targetPort: 65536 })).toThrow('invalid ports[1].targetPort 65536');
      se.addPort({ number: 8443, protocol: Protocol.TLS, name: 'https-alt' }); // https and tls names are interchangeable
      se.addPort({ number: 9090, protocol: Protocol.GRPC_WEB }); // grpc-web-9090
    });

    test('throws when endpoints and workloadSelector are both given', () => {
      const selector = WorkloadSelector.fromLabels({ app: 'vm' });
      expect(() => new ServiceEntry(Testing.chart(), 'se', { workloadSelector: selector, endpoints: [{ address: '10.0.0.1' }] }))
        .toThrow("ServiceEntry 'test/se': invalid endpoints [{\"address\":\"10.0.0.1\"}]: endpoints and workloadSelector exclude each other");
      const se = new ServiceEntry(Testing.chart(), 'se2', { workloadSelector: selector });
      expect(() => se.addEndpoint({ address: '10.0.0.1' })).toThrow('endpoints and workloadSelector exclude each other');
    });

    test('throws when a workloadSelector comes with MESH_EXTERNAL or a resolution other than STATIC', () => {
      const selector = WorkloadSelector.fromLabels({ app: 'vm' });
      expect(() => new ServiceEntry(Testing.chart(), 'se', { workloadSelector: selector, location: ServiceEntryLocation.MESH_EXTERNAL }))
        .toThrow('invalid location "MESH_EXTERNAL": a workloadSelector applies only to MESH_INTERNAL services');
      expect(() => new ServiceEntry(Testing.chart(), 'se', { workloadSelector: selector, resolution: ServiceEntryResolution.DNS }))
        .toThrow('invalid resolution "DNS": a workloadSelector needs STATIC resolution');
    });

    test('throws when an endpoint does not fit the resolution', () => {
      const none = new ServiceEntry(Testing.chart(), 'none', { resolution: ServiceEntryResolution.NONE });
      expect(() => none.addEndpoint({ address: '10.0.0.1' })).toThrow('invalid endpoints[0] {"address":"10.0.0.1"}: resolution NONE forwards to the address the client used and takes no endpoints');
      const rr = new ServiceEntry(Testing.chart(), 'rr', { resolution: ServiceEntryResolution.DNS_ROUND_ROBIN, endpoints: [{ address: 'a.example.net' }] });
      expect(() => rr.addEndpoint({ address: 'b.example.net' })).toThrow('DNS_ROUND_ROBIN takes at most one endpoint');
      const st = new ServiceEntry(Testing.chart(), 'st', { resolution: ServiceEntryResolution.STATIC });
      expect(() => st.addEndpoint({ address: 'db.example.net' })).toThrow('invalid endpoints[0].address "db.example.net": STATIC endpoints are IP addresses');
      const dns = new ServiceEntry(Testing.chart(), 'dns', { resolution: ServiceEntryResolution.DNS });
      expect(() => dns.addEndpoint({ address: 'unix:///var/run/db.sock' })).toThrow('unix socket endpoints need resolution STATIC, not DNS');
    });

    test('throws when an endpoint is malformed', () => {
      const se = new ServiceEntry(Testing.chart(), 'se');
      expect(() => se.addEndpoint({})).toThrow('invalid endpoints[0].address undefined: an endpoint needs an address (or a network');
      expect(() => se.addEndpoint({ address: 'db' })).toThrow('an endpoint address is an IP address, a DNS name with a dot, or unix://<path>');
      expect(() => se.addEndpoint({ address: 'unix://relative.sock' })).toThrow('a socket address is "unix://<absolute path>"');
      expect(() => se.addEndpoint({ address: 'unix:///run/db.sock', ports: { tcp: 1 } })).toThrow('a unix socket endpoint takes no ports');
      expect(() => se.addEndpoint({ address: '10.0.0.1', ports: { tcp: 0 } })).toThrow('invalid endpoints[0].ports["tcp"] 0');
      expect(() => se.addEndpoint({ address: '10.0.0.1', ports: { TCP: 1 } })).toThrow('keys are the ServiceEntry\'s port names');
      expect(() => se.addEndpoint({ address: '10.0.0.1', weight: 0 })).toThrow('invalid endpoints[0].weight 0: a weight is an integer of 1 or more');
    });

    test('fails validation when an endpoint names a port the entry does not have, or a socket has several ports or a DNS resolution', () => {
      const chart = Testing.chart();
      new ServiceEntry(chart, 'se', { hosts: ['db.example.com'], ports: [tls], endpoints: [{ address: '10.0.0.1', ports: { 'tcp-5432': 5432 } }] });
      new ServiceEntry(chart, 'uds', {
        hosts: ['uds.example.com'], ports: [tls, { number: 80, protocol: Protocol.HTTP }], endpoints: [{ address: 'unix:///run/app.sock' }],
      });
      new ServiceEntry(chart, 'mixed', {
        hosts: ['mixed.example.com'], ports: [tls], endpoints: [{ address: 'unix:///run/app.sock' }, { address: 'app.example.net' }],
      });
      expect(() => Testing.synth(chart)).toThrow(/invalid endpoints\[0\]\.ports "tcp-5432": not a port of this ServiceEntry \(ports: tls-443\)[\s\S]*a unix socket endpoint needs exactly one service port, not 2[\s\S]*unix socket endpoints need resolution STATIC, not DNS \(an endpoint is a DNS name\)/);
    });

    test('throws when an address is not an IP or CIDR, or a CIDR meets DNS resolution', () => {
      const se = new ServiceEntry(Testing.chart(), 'se', { resolution: ServiceEntryResolution.DNS });
      expect(() => se.addAddress('db.example.com')).toThrow('invalid addresses[0] "db.example.com": an address is an IP address or a CIDR block');
      expect(() => se.addAddress('10.0.0.0/8')).toThrow('invalid addresses[0] "10.0.0.0/8": CIDR addresses need resolution NONE or STATIC, not DNS');
      se.addAddress('10.0.0.1');
      expect(() => se.addAddress('10.0.0.1')).toThrow('addresses must be unique');
    });

    test('fails validation when a CIDR address meets a derived DNS resolution', () => {
      const chart = Testing.chart();
      new ServiceEntry(chart, 'se', { hosts: ['db.example.com'], addresses: ['10.0.0.0/8'], ports: [tls], endpoints: [{ address: 'db.example.net' }] });
      expect(() => Testing.synth(chart)).toThrow('invalid addresses "10.0.0.0/8": CIDR addresses need resolution NONE or STATIC, not DNS');
    });

    test('fails validation when several hosts share a TCP port without resolution NONE', () => {
      const chart = Testing.chart();
      new ServiceEntry(chart, 'se', { hosts: ['a.example.com', 'b.example.com'], addresses: ['10.0.0.1'], ports: [{ number: 5432, protocol: Protocol.TCP }] });
      expect(() => Testing.synth(chart)).toThrow(
        'invalid hosts ["a.example.com","b.example.com"]: several hosts share TCP port "tcp-5432", which carries no Host header or SNI to tell them apart');
    });

    test('throws when exportTo or subjectAltNames are malformed', () => {
      expect(() => new ServiceEntry(Testing.chart(), 'se', { exportTo: ['*', 'prod'] }))
        .toThrow('invalid exportTo ["*","prod"]: "*" cannot be combined with other entries');
      expect(() => new ServiceEntry(Testing.chart(), 'se', { exportTo: ['Prod'] }))
        .toThrow('invalid exportTo[0] "Prod": use "." (this namespace), "*" (all), "~" (none) or namespace names');
      expect(() => new ServiceEntry(Testing.chart(), 'se', { exportTo: ['.', '.'] })).toThrow('entries must be unique');
      expect(() => new ServiceEntry(Testing.chart(), 'se', { subjectAltNames: [''] })).toThrow('invalid subjectAltNames[0] "": must not be empty');
    });
  });
});
