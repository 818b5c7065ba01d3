import { Chart, Duration, Testing } from 'cdk8s';
import { findObject, synthValid } from './util';
import * as l1 from '../imports/networking.istio.io';
import { Protocol } from '../src/core/protocol';
import { WorkloadSelector } from '../src/core/workload-selector';
import { ServerTlsMode } from '../src/networking/gateway';
import { CaptureMode, OutboundTrafficPolicyMode, Sidecar } from '../src/networking/sidecar';
import { H2UpgradePolicy } from '../src/networking/traffic-connection-pool';

function chartIn(namespace: string): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

describe('Sidecar', () => {
  test('defaults: REGISTRY_ONLY (secure by default), egress to the namespace and istio-system', () => {
    const chart = chartIn('bookinfo');
    const sidecar = new Sidecar(chart, 'default', { metadata: { name: 'default' } });
    sidecar.addEgressListener({ hosts: ['./*', 'istio-system/*'] });
    const out = findObject(synthValid(chart), 'Sidecar', 'default');
    expect(out.apiVersion).toBe('networking.istio.io/v1');
    expect(out.metadata.namespace).toBe('bookinfo');
    expect(out.spec).toEqual({
      egress: [{ hosts: ['./*', 'istio-system/*'] }],
      outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' },
    });
  });

  test('every option: selector, ingress and egress listeners, connection pools, policy, added later too', () => {
    const chart = chartIn('bookinfo');
    const sidecar = new Sidecar(chart, 'ratings', {
      workloadSelector: WorkloadSelector.fromLabels({ app: 'ratings' }),
      egress: [{ hosts: ['~/*'] }],
      ingress: [{
        port: { number: 9080, protocol: Protocol.HTTP, name: 'http' },
        defaultEndpoint: '127.0.0.1:8080',
        captureMode: CaptureMode.IPTABLES,
        bind: '0.0.0.0',
        connectionPool: {
          tcp: {
            maxConnections: 100,
            connectTimeout: Duration.millis(250),
            idleTimeout: Duration.minutes(5),
            maxConnectionDuration: Duration.hours(1),
            tcpKeepalive: { time: Duration.seconds(60), interval: Duration.seconds(10), probes: 3 },
          },
          http: {
            http1MaxPendingRequests: 50,
            http2MaxRequests: 200,
            maxRequestsPerConnection: 10,
            maxRetries: 3,
            idleTimeout: Duration.seconds(30),
            h2UpgradePolicy: H2UpgradePolicy.DO_NOT_UPGRADE,
            useClientProtocol: true,
            maxConcurrentStreams: 100,
          },
        },
      }],
      outboundTrafficPolicy: OutboundTrafficPolicyMode.ALLOW_ANY,
      egressProxy: { host: 'egress-proxy.istio-system.svc.cluster.local', port: 3128, subset: 'v1' },
      inboundConnectionPool: { tcp: { maxConnections: 1000, idleTimeout: Duration.millis(0) }, http: { h2UpgradePolicy: H2UpgradePolicy.UPGRADE } },
    });
    sidecar.addIngressListener({
      port: { number: 8443, protocol: Protocol.HTTPS, name: 'https' },
      defaultEndpoint: 'unix:///var/run/app.sock',
      tls: {
        mode: ServerTlsMode.MUTUAL,
        serverCertificate: '/etc/certs/server.pem',
        privateKey: '/etc/certs/key.pem',
        caCertificates: '/etc/certs/ca.pem',
        caCrl: '/etc/certs/ca.crl',
      },
      connectionPool: { tcp: { maxConnections: 10 } },
    });
    sidecar.addEgressListener({ hosts: ['*/mysql.data.svc.cluster.local'], port: { number: 3306, protocol: Protocol.MYSQL, name: 'mysql' }, bind: '127.0.0.1', captureMode: CaptureMode.NONE });
    sidecar.addEgressListener({ hosts: ['prod/*.example.com'], port: { number: 0, protocol: Protocol.HTTP }, bind: 'unix:///var/run/egress.sock', captureMode: CaptureMode.DEFAULT });

    // open world: the ratings pods are deployed elsewhere
    const out = findObject(synthValid(chart, { openWorld: true }), 'Sidecar', 'test-ratings');
    expect(out.spec).toEqual({
      workloadSelector: { labels: { app: 'ratings' } },
      ingress: [
        {
          port: { number: 9080, protocol: 'HTTP', name: 'http' },
          defaultEndpoint: '127.0.0.1:8080',
          bind: '0.0.0.0',
          captureMode: 'IPTABLES',
          connectionPool: {
            tcp: { maxConnections: 100, connectTimeout: '250ms', idleTimeout: '5m', maxConnectionDuration: '1h', tcpKeepalive: { time: '1m', interval: '10s', probes: 3 } },
            http: {
              http1MaxPendingRequests: 50,
              http2MaxRequests: 200,
              maxRequestsPerConnection: 10,
              maxRetries: 3,
              idleTimeout: '30s',
              h2UpgradePolicy: 'DO_NOT_UPGRADE',
              useClientProtocol: true,
              maxConcurrentStreams: 100,
            },
          },
        },
        {
          port: { number: 8443, protocol: 'HTTPS', name: 'https' },
          defaultEndpoint: 'unix:///var/run/app.sock',
          tls: { mode: 'MUTUAL', serverCertificate: '/etc/certs/server.pem', privateKey: '/etc/certs/key.pem', caCertificates: '/etc/certs/ca.pem', caCrl: '/etc/certs/ca.crl' },
          connectionPool: { tcp: { maxConnections: 10 } },
        },
      ],
      egress: [
        { hosts: ['*/mysql.data.svc.cluster.local'], port: { number: 3306, protocol: 'MYSQL', name: 'mysql' }, bind: '127.0.0.1', captureMode: 'NONE' },
        { hosts: ['prod/*.example.com'], port: { number: 0, protocol: 'HTTP' }, bind: 'unix:///var/run/egress.sock', captureMode: 'DEFAULT' },
        { hosts: ['~/*'] },
      ],
      outboundTrafficPolicy: { mode: 'ALLOW_ANY', egressProxy: { host: 'egress-proxy.istio-system.svc.cluster.local', port: { number: 3128 }, subset: 'v1' } },
      inboundConnectionPool: { tcp: { maxConnections: 1000, idleTimeout: '0s' }, http: { h2UpgradePolicy: 'UPGRADE' } },
    });
  });

  test('an egressProxy makes the policy ALLOW_ANY by default', () => {
    const chart = chartIn('apps');
    const sidecar = new Sidecar(chart, 'proxy', { egressProxy: { host: 'squid.egress.svc.cluster.local', port: 3128 } });
    expect(sidecar.outboundTrafficPolicy).toBe(OutboundTrafficPolicyMode.ALLOW_ANY);
    expect(findObject(synthValid(chart), 'Sidecar').spec.outboundTrafficPolicy.mode).toBe('ALLOW_ANY');
  });

  describe('checks of its own props', () => {
    test('throws when an egress host is not namespace/dnsName', () => {
      const sidecar = new Sidecar(Testing.chart(), 'sc');
      const add = (host: string) => () => sidecar.addEgressListener({ hosts: [host] });
      expect(add('reviews.bookinfo.svc.cluster.local'))
        .toThrow("Sidecar 'test/sc': invalid egress[0].hosts[0] \"reviews.bookinfo.svc.cluster.local\": a host must be \"<namespace>/<dnsName>\"");
      expect(add('Bookinfo/*')).toThrow('the namespace part must be "*", ".", "~" or a namespace name');
      expect(add('./reviews')).toThrow('the host part must be "*", "*.<domain>" or a fully qualified name');
      expect(add('./*foo.com')).toThrow('no partial wildcards');
      expect(() => sidecar.addEgressListener({ hosts: [] })).toThrow('an egress listener needs at least one host');
      expect(() => sidecar.addEgressListener({ hosts: ['./*', './*'] })).toThrow('hosts must be unique');
    });

    test('throws when two egress listeners have no port', () => {
      const sidecar = new Sidecar(Testing.chart(), 'sc');
      sidecar.addEgressListener({ hosts: ['./*'] });
      expect(() => sidecar.addEgressListener({ hosts: ['istio-system/*'] }))
        .toThrow("Sidecar 'test/sc': invalid egress[1].port undefined: only one egress listener may omit the port");
    });

    test('renders the egress listener without port last, where Istio requires it', () => {
      const chart = Testing.chart();
      const sidecar = new Sidecar(chart, 'sc');
      sidecar.addEgressListener({ hosts: ['./*'] });
      sidecar.addEgressListener({ hosts: ['*/db.example.com'], port: { number: 5432, protocol: Protocol.TCP } });
      expect(findObject(synthValid(chart), 'Sidecar').spec.egress.map((e: any) => e.hosts[0])).toEqual(['*/db.example.com', './*']);
    });

    test('throws when listener ports repeat, are out of range or misnamed', () => {
      const sidecar = new Sidecar(Testing.chart(), 'sc');
      sidecar.addEgressListener({ hosts: ['./*'], port: { number: 80, protocol: Protocol.HTTP } });
      expect(() => sidecar.addEgressListener({ hosts: ['./*'], port: { number: 80, protocol: Protocol.HTTP } }))
        .toThrow('invalid egress[1].port.number 80: egress[0] already listens on this port');
      expect(() => sidecar.addEgressListener({ hosts: ['./*'], port: { number: 70000, protocol: Protocol.HTTP } }))
        .toThrow('invalid egress[1].port.number 70000: a port must be an integer from 1 to 65535');
      expect(() => sidecar.addEgressListener({ hosts: ['./*'], port: { number: 81, protocol: Protocol.HTTP, name: 'web' } }))
        .toThrow('invalid egress[1].port.name "web": Istio reads a port\'s protocol from its name');
      sidecar.addIngressListener({ port: { number: 9080, protocol: Protocol.HTTP } });
      expect(() => sidecar.addIngressListener({ port: { number: 9080, protocol: Protocol.HTTP } }))
        .toThrow('invalid ingress[1].port.number 9080: ingress[0] already listens on this port');
    });

    test('throws when a unix socket listener has a port number or IPTABLES capture', () => {
      const sidecar = new Sidecar(Testing.chart(), 'sc');
      expect(() => sidecar.addEgressListener({ hosts: ['./*'], port: { number: 80, protocol: Protocol.HTTP }, bind: 'unix:///run/a.sock' }))
        .toThrow('invalid egress[0].port.number 80: a listener bound to a unix socket takes port number 0');
      expect(() => sidecar.addEgressListener({ hosts: ['./*'], port: { number: 0, protocol: Protocol.HTTP }, bind: 'unix:///run/a.sock', captureMode: CaptureMode.IPTABLES }))
        .toThrow('a unix socket listener is not captured: use DEFAULT or NONE');
      expect(() => sidecar.addEgressListener({ hosts: ['./*'], bind: 'unix:///run/a.sock' }))
        .toThrow('a listener bound to a unix socket needs a port (number 0)');
    });

    test('throws when an ingress defaultEndpoint or bind is malformed', () => {
      const sidecar = new Sidecar(Testing.chart(), 'sc');
      const port = { number: 9080, protocol: Protocol.HTTP };
      expect(() => sidecar.addIngressListener({ port, defaultEndpoint: '10.1.2.3:8080' }))
        .toThrow("Sidecar 'test/sc': invalid ingress[0].defaultEndpoint \"10.1.2.3:8080\": use \"127.0.0.1:<port>\", \"0.0.0.0:<port>\"");
      expect(() => sidecar.addIngressListener({ port, defaultEndpoint: '127.0.0.1:0' })).toThrow('invalid ingress[0].defaultEndpoint "127.0.0.1:0"');
      expect(() => sidecar.addIngressListener({ port, defaultEndpoint: 'unix://run/app.sock' })).toThrow('invalid ingress[0].defaultEndpoint "unix://run/app.sock"');
      expect(() => sidecar.addIngressListener({ port, bind: 'unix:///run/a.sock' })).toThrow('invalid ingress[0].bind "unix:///run/a.sock": bind takes an IP address');
    });

    test('throws when ingress TLS is not what sidecars support', () => {
      const sidecar = new Sidecar(Testing.chart(), 'sc');
      const https = { number: 8443, protocol: Protocol.HTTPS };
      expect(() => sidecar.addIngressListener({ port: https, tls: { credentialName: 'cert' } }))
        .toThrow('invalid ingress[0].tls.credentialName "cert": sidecar ingress TLS takes certificate files (serverCertificate, privateKey, caCertificates) only');
      expect(() => sidecar.addIngressListener({ port: https, tls: { mode: ServerTlsMode.ISTIO_MUTUAL } }))
        .toThrow('invalid ingress[0].tls.mode "ISTIO_MUTUAL": a sidecar ingress listener takes SIMPLE, MUTUAL, OPTIONAL_MUTUAL or PASSTHROUGH');
      expect(() => sidecar.addIngressListener({ port: { number: 9080, protocol: Protocol.HTTP }, tls: { serverCertificate: '/a', privateKey: '/b' } }))
        .toThrow('TLS termination needs port protocol HTTPS or TLS, not HTTP');
      expect(() => sidecar.addIngressListener({ port: https, tls: { mode: ServerTlsMode.MUTUAL, serverCertificate: '/a', privateKey: '/b' } }))
        .toThrow('MUTUAL verifies client certificates and needs a CA');
    });

    test('throws when a connection pool is empty, out of range, contradictory, or HTTP on a TCP port', () => {
      const sidecar = new Sidecar(Testing.chart(), 'sc');
      const http = { number: 9080, protocol: Protocol.HTTP };
      expect(() => sidecar.addIngressListener({ port: http, connectionPool: {} }))
        .toThrow('invalid ingress[0].connectionPool {}: set tcp, http or both (Istio rejects an empty connection pool)');
      expect(() => sidecar.addIngressListener({ port: http, connectionPool: { tcp: { maxConnections: -1 } } }))
        .toThrow('invalid ingress[0].connectionPool.tcp.maxConnections -1: must be an integer from 0 to 2147483647');
      expect(() => sidecar.addIngressListener({ port: http, connectionPool: { tcp: { connectTimeout: Duration.millis(0) } } }))
        .toThrow('invalid ingress[0].connectionPool.tcp.connectTimeout "0ms": must be at least 1ms');
      expect(() => new Sidecar(Testing.chart(), 'sc2', { inboundConnectionPool: { http: { useClientProtocol: true, h2UpgradePolicy: H2UpgradePolicy.UPGRADE } } }))
        .toThrow('invalid inboundConnectionPool.http.useClientProtocol true: keeping the client protocol contradicts h2UpgradePolicy UPGRADE');
      expect(() => sidecar.addIngressListener({ port: { number: 3306, protocol: Protocol.TCP }, connectionPool: { http: { maxRetries: 2 } } }))
        .toThrow('invalid ingress[0].connectionPool.http {"maxRetries":2}: HTTP settings apply to HTTP ports only, and this port is TCP');
    });

    test('throws when an egressProxy comes with REGISTRY_ONLY or a short host', () => {
      expect(() => new Sidecar(Testing.chart(), 'sc', {
        outboundTrafficPolicy: OutboundTrafficPolicyMode.REGISTRY_ONLY,
        egressProxy: { host: 'squid.egress.svc.cluster.local', port: 3128 },
      })).toThrow("Sidecar 'test/sc': invalid egressProxy \"squid.egress.svc.cluster.local\": an egress proxy takes the traffic ALLOW_ANY lets through: it needs outboundTrafficPolicy ALLOW_ANY");
      expect(() => new Sidecar(Testing.chart(), 'sc', { egressProxy: { host: 'squid', port: 3128 } }))
        .toThrow('invalid egressProxy.host "squid": the proxy host is a fully qualified name');
      expect(() => new Sidecar(Testing.chart(), 'sc', { egressProxy: { host: 'squid.egress.svc.cluster.local', port: 0 } }))
        .toThrow('invalid egressProxy.port 0');
    });
  });

  describe('cross-check: one Sidecar per namespace without selector, one per selector', () => {
    test('fails validation when two Sidecars in a namespace have no selector (reported once)', () => {
      const chart = chartIn('bookinfo');
      new Sidecar(chart, 'a');
      new Sidecar(chart, 'b');
      new Sidecar(chart, 'elsewhere', { metadata: { namespace: 'other' } });
      let message = '';
      try {
        Testing.synth(chart);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toContain("Sidecar 'test/b': 'test/a/Resource' is also a Sidecar without workloadSelector in namespace \"bookinfo\": only one per namespace is allowed");
      expect(message).not.toContain("Sidecar 'test/a':");
      expect(message).not.toContain('elsewhere');
    });

    test('fails validation against a raw L1 Sidecar too, whichever comes first', () => {
      const chart = chartIn('bookinfo');
      new Sidecar(chart, 'l2');
      new l1.Sidecar(chart, 'raw', { metadata: { name: 'raw' }, spec: { egress: [{ hosts: ['./*'] }] } });
      expect(() => Testing.synth(chart)).toThrow("Sidecar 'test/l2': 'test/raw' is also a Sidecar without workloadSelector in namespace \"bookinfo\"");
    });

    test('fails validation when two Sidecars select the same labels', () => {
      const chart = chartIn('bookinfo');
      new Sidecar(chart, 'a', { workloadSelector: WorkloadSelector.fromLabels({ app: 'ratings', version: 'v1' }) });
      new Sidecar(chart, 'b', { workloadSelector: WorkloadSelector.fromLabels({ version: 'v1', app: 'ratings' }) });
      expect(() => Testing.synth(chart)).toThrow("Sidecar 'test/b': 'test/a/Resource' selects the same labels");
    });

    test('passes with one default Sidecar per namespace and distinct selectors', () => {
      const chart = chartIn('bookinfo');
      new Sidecar(chart, 'default', { metadata: { name: 'default' } });
      new Sidecar(chart, 'ratings', { workloadSelector: WorkloadSelector.fromLabels({ app: 'ratings' }) });
      new Sidecar(chart, 'reviews', { workloadSelector: WorkloadSelector.fromLabels({ app: 'reviews' }) });
      new Sidecar(chart, 'mesh-default', { metadata: { name: 'default', namespace: 'istio-system' } });
      expect(synthValid(chart, { openWorld: true }).filter(o => o.kind === 'Sidecar')).toHaveLength(4);
    });
  });
});
