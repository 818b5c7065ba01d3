import { Duration, Testing } from 'cdk8s';
import { findObject, synthValid } from './util';
import { DestinationRule } from '../src/networking/destination-rule';
import { H2UpgradePolicy } from '../src/networking/traffic-connection-pool';
import { ConsistentHash, HashAlgorithm, SimpleLb } from '../src/networking/traffic-load-balancer';
import { ProxyProtocolVersion, TrafficPolicy, TunnelProtocol } from '../src/networking/traffic-policy';
import { ClientTls, ClientTlsMode } from '../src/networking/traffic-tls';

/** A DestinationRule with this policy, or the error it throws. */
function ruleWith(trafficPolicy: TrafficPolicy) {
  const chart = Testing.chart();
  const dr = new DestinationRule(chart, 'dr', { host: 'reviews.prod.svc.cluster.local', trafficPolicy });
  return { chart, dr };
}

const PREFIX = "DestinationRule 'test/dr': ";

describe('TrafficPolicy', () => {
  test('every option of the policy, its load balancer, connection pool, outlier detection, TLS and ports', () => {
    const chart = Testing.chart();
    new DestinationRule(chart, 'dr', {
      host: 'reviews.prod.svc.cluster.local',
      trafficPolicy: {
        loadBalancer: {
          simple: SimpleLb.ROUND_ROBIN,
          localityLbSetting: {
            enabled: true,
            distribute: [
              { from: 'us-west/zone1/*', to: { 'us-west/zone1/*': 80, 'us-west/zone2/*': 20 } },
              { from: 'us-west/zone2/*', to: { 'us-west/zone1/*': 20, 'us-west/zone2/*': 80 } },
            ],
          },
          warmup: { duration: Duration.seconds(90), minimumPercent: 10, aggression: 1.5 },
        },
        connectionPool: {
          tcp: {
            maxConnections: 100,
            connectTimeout: Duration.millis(30),
            tcpKeepalive: { probes: 3, time: Duration.seconds(7200), interval: Duration.seconds(75) },
            maxConnectionDuration: Duration.minutes(30),
            idleTimeout: Duration.seconds(0),
          },
          http: {
            http1MaxPendingRequests: 64,
            http2MaxRequests: 1000,
            maxRequestsPerConnection: 10,
            maxRetries: 3,
            idleTimeout: Duration.minutes(5),
            h2UpgradePolicy: H2UpgradePolicy.DO_NOT_UPGRADE,
            useClientProtocol: true,
            maxConcurrentStreams: 100,
          },
        },
        outlierDetection: {
          consecutiveGatewayErrors: 3,
          consecutive5xxErrors: 7,
          consecutiveLocalOriginFailures: 2,
          splitExternalLocalOriginErrors: true,
          interval: Duration.minutes(5),
          baseEjectionTime: Duration.minutes(15),
          maxEjectionPercent: 50,
          minHealthPercent: 20,
        },
        tls: ClientTls.simple({ caCertificates: '/etc/certs/ca.pem', caCrl: '/etc/certs/crl.pem', sni: 'reviews.example.com', subjectAltNames: ['reviews.example.com'] }),
        portLevelSettings: [
          {
            port: 9080,
            loadBalancer: {
              consistentHash: ConsistentHash.httpCookie(
                { name: 'user', path: '/', ttl: Duration.seconds(0), attributes: [{ name: 'SameSite', value: 'Strict' }, { name: 'Secure' }] },
                { algorithm: HashAlgorithm.maglev() }),
            },
            tls: ClientTls.mutual({ clientCertificate: '/etc/certs/client.pem', privateKey: '/etc/certs/key.pem', caCertificates: '/etc/certs/ca.pem' }),
          },
          { port: 9443, connectionPool: { tcp: { maxConnections: 10 } }, outlierDetection: {}, tls: ClientTls.disable() },
        ],
        retryBudget: { percent: 25.5, minRetryConcurrency: 5 },
        proxyProtocol: ProxyProtocolVersion.V2,
      },
      subsets: [
        {
          name: 'v1',
          labels: { version: 'v1' },
          trafficPolicy: {
            loadBalancer: {
              consistentHash: ConsistentHash.httpHeaderName('x-user', { algorithm: HashAlgorithm.ringHash(2048) }),
              localityLbSetting: { failover: [{ from: 'us-east', to: 'eu-west' }], failoverPriority: ['topology.istio.io/network'] },
            },
            outlierDetection: { consecutive5xxErrors: 5 },
            tls: ClientTls.istioMutual({ sni: 'reviews.example.com', subjectAltNames: ['spiffe://cluster.local/ns/prod/sa/reviews'] }),
            tunnel: { targetHost: 'proxy.example.com', targetPort: 3128, protocol: TunnelProtocol.POST },
          },
        },
        { name: 'v2', labels: { version: 'v2' }, trafficPolicy: { loadBalancer: { consistentHash: ConsistentHash.sourceIp() } } },
        {
          name: 'v3',
          trafficPolicy: {
            loadBalancer: { consistentHash: ConsistentHash.httpQueryParameterName('session'), localityLbSetting: { failoverPriority: ['topology.kubernetes.io/region=us-east'] } },
            outlierDetection: {},
            portLevelSettings: [{ port: 9080, tls: ClientTls.mutual({ credentialName: 'client-credential', sni: 'reviews.example.com', insecureSkipVerify: true }) }],
          },
        },
      ],
    });
    const spec = findObject(synthValid(chart), 'DestinationRule').spec;
    expect(spec.trafficPolicy).toEqual({
      loadBalancer: {
        simple: 'ROUND_ROBIN',
        localityLbSetting: {
          enabled: true,
          distribute: [
            { from: 'us-west/zone1/*', to: { 'us-west/zone1/*': 80, 'us-west/zone2/*': 20 } },
            { from: 'us-west/zone2/*', to: { 'us-west/zone1/*': 20, 'us-west/zone2/*': 80 } },
          ],
        },
        warmup: { duration: '90s', minimumPercent: 10, aggression: 1.5 },
      },
      connectionPool: {
        tcp: { maxConnections: 100, connectTimeout: '30ms', tcpKeepalive: { probes: 3, time: '2h', interval: '75s' }, maxConnectionDuration: '30m', idleTimeout: '0s' },
        http: {
          http1MaxPendingRequests: 64,
          http2MaxRequests: 1000,
          maxRequestsPerConnection: 10,
          maxRetries: 3,
          idleTimeout: '5m',
          h2UpgradePolicy: 'DO_NOT_UPGRADE',
          useClientProtocol: true,
          maxConcurrentStreams: 100,
        },
      },
      outlierDetection: {
        consecutiveGatewayErrors: 3,
        consecutive5xxErrors: 7,
        consecutiveLocalOriginFailures: 2,
        splitExternalLocalOriginErrors: true,
        interval: '5m',
        baseEjectionTime: '15m',
        maxEjectionPercent: 50,
        minHealthPercent: 20,
      },
      tls: { mode: 'SIMPLE', caCertificates: '/etc/certs/ca.pem', caCrl: '/etc/certs/crl.pem', sni: 'reviews.example.com', subjectAltNames: ['reviews.example.com'] },
      portLevelSettings: [
        {
          port: { number: 9080 },
          loadBalancer: {
            consistentHash: {
              httpCookie: { name: 'user', path: '/', ttl: '0s', attributes: [{ name: 'SameSite', value: 'Strict' }, { name: 'Secure' }] },
              maglev: { tableSize: 65537 },
            },
          },
          tls: { mode: 'MUTUAL', clientCertificate: '/etc/certs/client.pem', privateKey: '/etc/certs/key.pem', caCertificates: '/etc/certs/ca.pem' },
        },
        { port: { number: 9443 }, connectionPool: { tcp: { maxConnections: 10 } }, outlierDetection: {}, tls: { mode: 'DISABLE' } },
      ],
      retryBudget: { percent: 25.5, minRetryConcurrency: 5 },
      proxyProtocol: { version: 'V2' },
    });
    expect(spec.subsets).toEqual([
      {
        name: 'v1',
        labels: { version: 'v1' },
        trafficPolicy: {
          loadBalancer: {
            consistentHash: { httpHeaderName: 'x-user', ringHash: { minimumRingSize: 2048 } },
            localityLbSetting: { failover: [{ from: 'us-east', to: 'eu-west' }], failoverPriority: ['topology.istio.io/network'] },
          },
          outlierDetection: { consecutive5xxErrors: 5 },
          tls: { mode: 'ISTIO_MUTUAL', sni: 'reviews.example.com', subjectAltNames: ['spiffe://cluster.local/ns/prod/sa/reviews'] },
          tunnel: { targetHost: 'proxy.example.com', targetPort: 3128, protocol: 'POST' },
        },
      },
      { name: 'v2', labels: { version: 'v2' }, trafficPolicy: { loadBalancer: { consistentHash: { useSourceIp: true } } } },
      {
        name: 'v3',
        trafficPolicy: {
          loadBalancer: { consistentHash: { httpQueryParameterName: 'session' }, localityLbSetting: { failoverPriority: ['topology.kubernetes.io/region=us-east'] } },
          outlierDetection: {},
          portLevelSettings: [{ port: { number: 9080 }, tls: { mode: 'MUTUAL', credentialName: 'client-credential', sni: 'reviews.example.com', insecureSkipVerify: true } }],
        },
      },
    ]);
  });

  test('ClientTls factories expose their mode and settings', () => {
    const tls = ClientTls.mutual({ credentialName: 'c' });
    expect(tls.mode).toBe(ClientTlsMode.MUTUAL);
    expect(tls.settings).toEqual({ credentialName: 'c' });
    expect(ClientTls.istioMutual().mode).toBe('ISTIO_MUTUAL');
  });

  test('a tunnel targets an IP address too; an empty policy is left out', () => {
    const chart = Testing.chart();
    new DestinationRule(chart, 'dr', {
      host: 'db.example.com',
      trafficPolicy: {},
      subsets: [{ name: 'a', trafficPolicy: { tunnel: { targetHost: '10.0.0.1', targetPort: 8080 } } }],
    });
    const spec = findObject(synthValid(chart), 'DestinationRule').spec;
    expect(spec).toEqual({ host: 'db.example.com', subsets: [{ name: 'a', trafficPolicy: { tunnel: { targetHost: '10.0.0.1', targetPort: 8080 } } }] });
  });

  describe('checks', () => {
    test('throws when tunnel and proxyProtocol are both set', () => {
      expect(() => ruleWith({ tunnel: { targetHost: 'p.example.com', targetPort: 3128 }, proxyProtocol: ProxyProtocolVersion.V1 }))
        .toThrow(PREFIX + 'trafficPolicy.tunnel and trafficPolicy.proxyProtocol exclude each other (Istio rejects both): keep one');
    });

    test('throws when a tunnel target is not a host or IP, or its port is out of range', () => {
      expect(() => ruleWith({ tunnel: { targetHost: 'not a host', targetPort: 3128 } }))
        .toThrow(PREFIX + 'invalid trafficPolicy.tunnel.targetHost "not a host": an FQDN or an IP address');
      expect(() => ruleWith({ tunnel: { targetHost: 'p.example.com', targetPort: 0 } }))
        .toThrow(PREFIX + 'invalid trafficPolicy.tunnel.targetPort 0: a port number from 1 to 65535');
    });

    describe('port-level settings', () => {
      test('throws when a port is out of range', () => {
        expect(() => ruleWith({ portLevelSettings: [{ port: 70000, tls: ClientTls.istioMutual() }] }))
          .toThrow(PREFIX + 'invalid trafficPolicy.portLevelSettings[0].port 70000: a port number from 1 to 65535');
        expect(() => ruleWith({ portLevelSettings: [{ port: 0, tls: ClientTls.istioMutual() }] })).toThrow('invalid trafficPolicy.portLevelSettings[0].port 0');
      });

      test('throws when a port is given twice, also through addPortTrafficPolicy', () => {
        expect(() => ruleWith({ portLevelSettings: [{ port: 80, tls: ClientTls.disable() }, { port: 80, tls: ClientTls.istioMutual() }] }))
          .toThrow(PREFIX + 'invalid trafficPolicy.portLevelSettings[1].port 80: another port-level policy already uses this port; ports must be unique');
        const { dr } = ruleWith({ portLevelSettings: [{ port: 80, tls: ClientTls.disable() }] });
        expect(() => dr.addPortTrafficPolicy({ port: 80, tls: ClientTls.istioMutual() }))
          .toThrow(PREFIX + 'invalid trafficPolicy.portLevelSettings[1].port 80: another port-level policy already uses this port');
      });

      test('throws when a port-level policy sets nothing', () => {
        expect(() => ruleWith({ portLevelSettings: [{ port: 80 }] }))
          .toThrow(PREFIX + 'invalid trafficPolicy.portLevelSettings[0] {"port":80}: a port-level policy must set at least one of loadBalancer, connectionPool, outlierDetection, tls');
      });
    });

    describe('load balancer', () => {
      test('throws when simple and consistentHash are both set', () => {
        expect(() => ruleWith({ loadBalancer: { simple: SimpleLb.RANDOM, consistentHash: ConsistentHash.sourceIp() } }))
          .toThrow(PREFIX + "trafficPolicy.loadBalancer.simple and trafficPolicy.loadBalancer.consistentHash exclude each other (Istio's one-of): keep one");
      });

      test('throws when a consistent-hash key is empty', () => {
        expect(() => ruleWith({ loadBalancer: { consistentHash: ConsistentHash.httpHeaderName('') } }))
          .toThrow(PREFIX + 'invalid trafficPolicy.loadBalancer.consistentHash.httpHeaderName "": give the header name to hash on');
        expect(() => ruleWith({ loadBalancer: { consistentHash: ConsistentHash.httpQueryParameterName(' ') } }))
          .toThrow('invalid trafficPolicy.loadBalancer.consistentHash.httpQueryParameterName " ": give the query parameter to hash on');
        expect(() => ruleWith({ loadBalancer: { consistentHash: ConsistentHash.httpCookie({ name: '' }) } }))
          .toThrow('invalid trafficPolicy.loadBalancer.consistentHash.httpCookie.name "": the cookie name is required (Istio rejects an empty one)');
        expect(() => ruleWith({ loadBalancer: { consistentHash: ConsistentHash.httpCookie({ name: 'u', attributes: [{ name: '' }] }) } }))
          .toThrow('invalid trafficPolicy.loadBalancer.consistentHash.httpCookie.attributes[0].name "": the attribute name is required');
      });

      test('throws when the Maglev table size is not a prime below 5000011, or the ring size not positive', () => {
        expect(() => ruleWith({ loadBalancer: { consistentHash: ConsistentHash.sourceIp({ algorithm: HashAlgorithm.maglev(65536) }) } }))
          .toThrow(PREFIX + 'invalid trafficPolicy.loadBalancer.consistentHash.algorithm (maglev tableSize) 65536: a prime number below 5000011 (Envoy requires a prime), e.g. 65537');
        expect(() => ruleWith({ loadBalancer: { consistentHash: ConsistentHash.sourceIp({ algorithm: HashAlgorithm.maglev(5000011) }) } }))
          .toThrow('invalid trafficPolicy.loadBalancer.consistentHash.algorithm (maglev tableSize) 5000011: a prime number below 5000011');
        expect(() => ruleWith({ loadBalancer: { consistentHash: ConsistentHash.sourceIp({ algorithm: HashAlgorithm.ringHash(0) }) } }))
          .toThrow('invalid trafficPolicy.loadBalancer.consistentHash.algorithm (ringHash minimumRingSize) 0: a positive integer');
      });

      test('throws when warmup values are out of range', () => {
        expect(() => ruleWith({ loadBalancer: { warmup: { duration: Duration.seconds(10), minimumPercent: 101 } } }))
          .toThrow(PREFIX + 'invalid trafficPolicy.loadBalancer.warmup.minimumPercent 101: a percentage from 0 to 100');
        expect(() => ruleWith({ loadBalancer: { warmup: { duration: Duration.seconds(10), aggression: 0.5 } } }))
          .toThrow(PREFIX + 'invalid trafficPolicy.loadBalancer.warmup.aggression 0.5: at least 1 (1 is linear)');
        expect(() => ruleWith({ loadBalancer: { warmup: { duration: Duration.seconds(0) } } }))
          .toThrow(PREFIX + 'invalid trafficPolicy.loadBalancer.warmup.duration "0ms": must be at least 1ms');
      });

      test('warns when warmup is set with an algorithm that ignores it', () => {
        const { chart, dr } = ruleWith({ loadBalancer: { simple: SimpleLb.RANDOM, warmup: { duration: Duration.seconds(30) } } });
        synthValid(chart);
        expect(dr.warnings).toEqual([PREFIX + 'trafficPolicy.loadBalancer.warmup has no effect with RANDOM: Istio applies warmup to ROUND_ROBIN and LEAST_REQUEST only']);
      });
    });

    describe('locality load balancing', () => {
      test('throws when distribute and failover are both set', () => {
        expect(() => ruleWith({ loadBalancer: { localityLbSetting: { distribute: [{ from: 'a/*', to: { 'a/*': 100 } }], failover: [{ from: 'a', to: 'b' }] } } }))
          .toThrow(PREFIX + 'trafficPolicy.loadBalancer.localityLbSetting.distribute and trafficPolicy.loadBalancer.localityLbSetting.failover exclude each other (Istio rejects both): keep one');
      });

      test('throws when failover is combined with a topology label in failoverPriority', () => {
        expect(() => ruleWith({ outlierDetection: {}, loadBalancer: { localityLbSetting: { failover: [{ from: 'a', to: 'b' }], failoverPriority: ['topology.kubernetes.io/zone'] } } }))
          .toThrow(PREFIX + 'invalid trafficPolicy.loadBalancer.localityLbSetting.failoverPriority "topology.kubernetes.io/zone": the region, zone and subzone topology labels cannot be combined with failover');
      });

      test('throws when distribute weights are out of range or do not sum to 100', () => {
        expect(() => ruleWith({ loadBalancer: { localityLbSetting: { distribute: [{ from: 'a/*', to: { 'a/*': 0, 'b/*': 100 } }] } } }))
          .toThrow(PREFIX + 'invalid trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to["a/*"] 0: a weight from 1 to 100');
        expect(() => ruleWith({ loadBalancer: { localityLbSetting: { distribute: [{ from: 'a/*', to: { 'a/*': 60, 'b/*': 30 } }] } } }))
          .toThrow(PREFIX + 'invalid trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to {"a/*":60,"b/*":30}: the weights must sum to 100, got 90');
      });

      test('throws when a locality is malformed or overlaps another', () => {
        expect(() => ruleWith({ loadBalancer: { localityLbSetting: { distribute: [{ from: 'us-west/*/zone1', to: { 'a/*': 100 } }] } } }))
          .toThrow(PREFIX + 'invalid trafficPolicy.loadBalancer.localityLbSetting.distribute[].from "us-west/*/zone1": a locality has at most one `*`, at its end');
        expect(() => ruleWith({ loadBalancer: { localityLbSetting: { distribute: [{ from: 'us-west//z', to: { 'a/*': 100 } }] } } }))
          .toThrow('a locality is `region`, `region/zone` or `region/zone/subzone`, with no empty part');
        expect(() => ruleWith({ loadBalancer: { localityLbSetting: { distribute: [{ from: 'a/*', to: { 'us-west/*': 50, 'us-west/zone1': 50 } }] } } }))
          .toThrow(PREFIX + 'invalid trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to "us-west/zone1": it overlaps "us-west" given before: each locality may be covered once');
      });

      test('throws when a failover is not between two regions', () => {
        expect(() => ruleWith({ outlierDetection: {}, loadBalancer: { localityLbSetting: { failover: [{ from: 'us-east/zone1', to: 'eu-west' }] } } }))
          .toThrow(PREFIX + 'invalid trafficPolicy.loadBalancer.localityLbSetting.failover[0].from "us-east/zone1": a region name (no `/`, no `*`): failover is set per region');
        expect(() => ruleWith({ outlierDetection: {}, loadBalancer: { localityLbSetting: { failover: [{ from: 'us-east', to: 'us-east' }] } } }))
          .toThrow(PREFIX + 'invalid trafficPolicy.loadBalancer.localityLbSetting.failover[0].to "us-east": failover must go to a different region than `from`');
        expect(() => ruleWith({ loadBalancer: { localityLbSetting: { failoverPriority: [''] } } }))
          .toThrow('invalid trafficPolicy.loadBalancer.localityLbSetting.failoverPriority[0] "": a label key, or key=value');
      });

      test('warns when failover has no outlier detection on the same policy', () => {
        const { chart, dr } = ruleWith({ loadBalancer: { localityLbSetting: { failover: [{ from: 'us-east', to: 'eu-west' }] } } });
        synthValid(chart);
        expect(dr.warnings).toEqual([PREFIX + 'trafficPolicy.loadBalancer.localityLbSetting: failover takes effect only with outlierDetection on the same policy (Istio warns "outlier detection policy must be provided for failover")']);
      });
    });

    describe('connection pool', () => {
      test('throws when the pool sets neither tcp nor http', () => {
        expect(() => ruleWith({ connectionPool: {} }))
          .toThrow(PREFIX + 'invalid trafficPolicy.connectionPool {}: set tcp, http or both (Istio rejects an empty connection pool)');
      });

      test('throws when a limit is negative, fractional or beyond int32', () => {
        expect(() => ruleWith({ connectionPool: { tcp: { maxConnections: -1 } } }))
          .toThrow(PREFIX + 'invalid trafficPolicy.connectionPool.tcp.maxConnections -1: an integer from 0 to 2147483647');
        expect(() => ruleWith({ connectionPool: { http: { http2MaxRequests: 1.5 } } }))
          .toThrow('invalid trafficPolicy.connectionPool.http.http2MaxRequests 1.5: an integer from 0 to 2147483647');
        expect(() => ruleWith({ connectionPool: { http: { maxConcurrentStreams: 2 ** 31 } } }))
          .toThrow('invalid trafficPolicy.connectionPool.http.maxConcurrentStreams 2147483648');
        expect(() => ruleWith({ connectionPool: { tcp: { tcpKeepalive: { probes: -2 } } } }))
          .toThrow('invalid trafficPolicy.connectionPool.tcp.tcpKeepalive.probes -2: an integer from 0 to 4294967295');
      });

      test('throws when a duration is under 1ms', () => {
        expect(() => ruleWith({ connectionPool: { tcp: { connectTimeout: Duration.millis(0) } } }))
          .toThrow(PREFIX + 'invalid trafficPolicy.connectionPool.tcp.connectTimeout "0ms": must be at least 1ms (to leave a timeout out, omit the prop)');
        expect(() => ruleWith({ connectionPool: { http: { idleTimeout: Duration.millis(0) } } }))
          .toThrow('invalid trafficPolicy.connectionPool.http.idleTimeout "0ms": must be at least 1ms');
      });

      test('throws when useClientProtocol is combined with the UPGRADE policy', () => {
        expect(() => ruleWith({ connectionPool: { http: { h2UpgradePolicy: H2UpgradePolicy.UPGRADE, useClientProtocol: true } } }))
          .toThrow(PREFIX + 'trafficPolicy.connectionPool.http.useClientProtocol cannot be true when trafficPolicy.connectionPool.http.h2UpgradePolicy is UPGRADE (Istio rejects it): keep one');
      });
    });

    describe('outlier detection', () => {
      test('throws when a percentage is outside 0..100', () => {
        expect(() => ruleWith({ outlierDetection: { maxEjectionPercent: 101 } }))
          .toThrow(PREFIX + 'invalid trafficPolicy.outlierDetection.maxEjectionPercent 101: a percentage from 0 to 100');
        expect(() => ruleWith({ outlierDetection: { minHealthPercent: -1 } }))
          .toThrow(PREFIX + 'invalid trafficPolicy.outlierDetection.minHealthPercent -1: a percentage from 0 to 100');
      });

      test('throws when a count is negative', () => {
        expect(() => ruleWith({ outlierDetection: { consecutive5xxErrors: -1 } }))
          .toThrow(PREFIX + 'invalid trafficPolicy.outlierDetection.consecutive5xxErrors -1: an integer from 0 to 4294967295');
      });

      test('throws when local origin failures are counted without splitting them', () => {
        expect(() => ruleWith({ outlierDetection: { consecutiveLocalOriginFailures: 3 } }))
          .toThrow(PREFIX + 'invalid trafficPolicy.outlierDetection.consecutiveLocalOriginFailures 3: it counts only with splitExternalLocalOriginErrors: true (Istio rejects it otherwise)');
      });

      test('throws when an interval or ejection time is under 1ms', () => {
        expect(() => ruleWith({ outlierDetection: { interval: Duration.millis(0) } }))
          .toThrow(PREFIX + 'invalid trafficPolicy.outlierDetection.interval "0ms": must be at least 1ms');
        expect(() => ruleWith({ outlierDetection: { baseEjectionTime: Duration.millis(0) } }))
          .toThrow(PREFIX + 'invalid trafficPolicy.outlierDetection.baseEjectionTime "0ms": must be at least 1ms');
      });
    });

    describe('retry budget', () => {
      test('throws when the percentage or the concurrency is out of range', () => {
        expect(() => ruleWith({ retryBudget: { percent: 150 } }))
          .toThrow(PREFIX + 'invalid trafficPolicy.retryBudget.percent 150: a percentage from 0 to 100');
        expect(() => ruleWith({ retryBudget: { minRetryConcurrency: -1 } }))
          .toThrow(PREFIX + 'invalid trafficPolicy.retryBudget.minRetryConcurrency -1: an integer from 0 to 4294967295');
      });
    });

    describe('TLS', () => {
      test('throws when ISTIO_MUTUAL is given certificate paths or a credentialName', () => {
        const tls = ClientTls.istioMutual({ credentialName: 'x', clientCertificate: '/c.pem' } as any);
        expect(() => ruleWith({ tls }))
          .toThrow(PREFIX + 'invalid trafficPolicy.tls {"clientCertificate":"/c.pem","credentialName":"x"}: ISTIO_MUTUAL uses the certificates Istio issues and takes no certificate paths, credentialName or insecureSkipVerify (only sni and subjectAltNames)');
      });

      test('throws when DISABLE is given other settings', () => {
        const tls = (ClientTls as any).disable();
        tls.settings.sni = 'x';
        expect(() => ruleWith({ tls })).toThrow(PREFIX + 'invalid trafficPolicy.tls {"sni":"x"}: DISABLE sends plaintext and takes no other TLS setting');
      });

      test('throws when MUTUAL has neither a certificate and key nor a credentialName', () => {
        expect(() => ruleWith({ tls: ClientTls.mutual({ clientCertificate: '/c.pem' }) }))
          .toThrow(PREFIX + 'invalid trafficPolicy.tls {"clientCertificate":"/c.pem"}: MUTUAL needs clientCertificate and privateKey, or credentialName');
        expect(() => ruleWith({ tls: ClientTls.mutual({}) })).toThrow('invalid trafficPolicy.tls {}: MUTUAL needs clientCertificate and privateKey, or credentialName');
      });

      test('throws when credentialName is combined with certificate paths', () => {
        expect(() => ruleWith({ tls: ClientTls.mutual({ credentialName: 'client', clientCertificate: '/c.pem', privateKey: '/k.pem' }) }))
          .toThrow(PREFIX + 'invalid trafficPolicy.tls {"credentialName":"client","clientCertificate":"/c.pem","privateKey":"/k.pem"}: credentialName excludes clientCertificate, privateKey, caCertificates and caCrl: the Secret holds them');
        expect(() => ruleWith({ tls: ClientTls.simple({ credentialName: 'ca', caCrl: '/crl.pem' }) }))
          .toThrow('invalid trafficPolicy.tls {"credentialName":"ca","caCrl":"/crl.pem"}: credentialName excludes');
      });

      test('throws when SIMPLE is given a client certificate', () => {
        expect(() => ruleWith({ tls: ClientTls.simple({ clientCertificate: '/c.pem', caCertificates: '/ca.pem' } as any) }))
          .toThrow(PREFIX + 'invalid trafficPolicy.tls {"clientCertificate":"/c.pem"}: SIMPLE presents no client certificate: use ClientTls.mutual()');
      });

      test('throws when insecureSkipVerify is combined with a CA or subject alt names', () => {
        expect(() => ruleWith({ tls: ClientTls.simple({ insecureSkipVerify: true, credentialName: 'ca' }) }))
          .toThrow(PREFIX + 'invalid trafficPolicy.tls {"insecureSkipVerify":true,"credentialName":"ca"}: insecureSkipVerify excludes caCertificates, credentialName, subjectAltNames (Istio rejects both)');
        expect(() => ruleWith({ tls: ClientTls.mutual({ insecureSkipVerify: true, credentialName: 'c', subjectAltNames: ['a'] }) }))
          .toThrow('invalid trafficPolicy.tls {"insecureSkipVerify":true,"subjectAltNames":["a"]}: insecureSkipVerify excludes caCertificates, subjectAltNames (Istio rejects both)');
      });

      test('checks port-level and subset TLS with their own prop paths', () => {
        expect(() => ruleWith({ portLevelSettings: [{ port: 443, tls: ClientTls.mutual({}) }] }))
          .toThrow(PREFIX + 'invalid trafficPolicy.portLevelSettings[0].tls {}: MUTUAL needs clientCertificate and privateKey, or credentialName');
        const { dr } = ruleWith({});
        expect(() => dr.addSubset('v1', { trafficPolicy: { portLevelSettings: [{ port: 443, tls: ClientTls.mutual({}) }] } }))
          .toThrow(PREFIX + 'invalid subsets[0].trafficPolicy.portLevelSettings[0].tls {}: MUTUAL needs');
      });
    });
  });
});
