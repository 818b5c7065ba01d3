import { Chart, Testing } from 'cdk8s';
import { synthValid } from './util';
import { Protocol } from '../src/core/protocol';
import { ServiceEntryResolution } from '../src/networking/service-entry';
import { EgressGateway, EgressGatewayProps, EgressTls } from '../src/patterns/egress-gateway';
import { EgressTraffic } from '../src/patterns/egress-traffic';

const PREFIX = "EgressGateway 'test/egress': invalid";

function egressGateway(props: EgressGatewayProps = {}): EgressGateway {
  return new EgressGateway(new Chart(Testing.app(), 'test', { namespace: 'shop' }), 'egress', props);
}

describe('EgressGateway checks', () => {
  describe('hosts', () => {
    test('throws when the host is a bare "*"', () => {
      expect(() => egressGateway().addHost('*', EgressTraffic.httpsPassthrough()))
        .toThrow(`${PREFIX} hosts["*"] "*": a bare "*" would send all external traffic through the gateway to any host, which is not egress to declared hosts: `
          + 'list the hosts, or use a partial wildcard such as "*.example.com"');
    });

    test('throws when the host is not a lowercase fully qualified name', () => {
      const egress = egressGateway();
      const allowed = 'an external host is a fully qualified lowercase DNS name such as "api.example.com", or a wildcard such as "*.example.com"';
      expect(() => egress.addHost('cnn', EgressTraffic.http())).toThrow(`${PREFIX} hosts["cnn"] "cnn": ${allowed}`);
      expect(() => egress.addHost('Edition.CNN.com', EgressTraffic.http())).toThrow(`${PREFIX} hosts["Edition.CNN.com"] "Edition.CNN.com": ${allowed}`);
      expect(() => egress.addHost('*cnn.com', EgressTraffic.http())).toThrow(allowed);
    });

    test('throws when a host is added twice', () => {
      const egress = egressGateway();
      egress.addHost('edition.cnn.com', EgressTraffic.http());
      expect(() => egress.addHost('edition.cnn.com', EgressTraffic.httpsPassthrough()))
        .toThrow(`${PREFIX} hosts["edition.cnn.com"] "edition.cnn.com": the host was already added (as HTTP): one kind of traffic per host, `
          + 'so that the sidecar-to-gateway leg of the host is unambiguous');
    });

    test('throws when two hosts would get the same construct id', () => {
      const egress = egressGateway();
      egress.addHost('a-b.example.com', EgressTraffic.http());
      expect(() => egress.addHost('a.b-example.com', EgressTraffic.http()))
        .toThrow(`${PREFIX} hosts["a.b-example.com"] "a.b-example.com": its objects would be named like those of host "a-b.example.com" `
          + '(construct id "a-b-example-com"): add one of them to another EgressGateway');
    });
  });

  describe('wildcards', () => {
    test('throws when a wildcard host is not TLS passthrough', () => {
      expect(() => egressGateway().addHost('*.wikipedia.org', EgressTraffic.http()))
        .toThrow(`${PREFIX} hosts["*.wikipedia.org"] "*.wikipedia.org": a wildcard host goes through the egress gateway only as HTTPS_PASSTHROUGH `
          + "(Istio's wildcard egress pattern), not HTTP: use EgressTraffic.httpsPassthrough({ wildcardViaHost }), or add each concrete host");
    });

    test('throws when a wildcard host has no wildcardViaHost (resolution NONE would loop at the gateway)', () => {
      expect(() => egressGateway().addHost('*.wikipedia.org', EgressTraffic.httpsPassthrough()))
        .toThrow(`${PREFIX} hosts["*.wikipedia.org"].wildcardViaHost undefined: a wildcard host needs wildcardViaHost, the concrete host that serves it `
          + '(e.g. "www.wikipedia.org" for "*.wikipedia.org"): a wildcard ServiceEntry has resolution NONE (DNS cannot resolve a wildcard without endpoints), '
          + 'and behind the egress gateway resolution NONE forwards to the gateway itself, in a loop; the gateway forwards to wildcardViaHost instead, resolved by DNS');
    });

    test('throws when wildcardViaHost is not a concrete host covered by the wildcard', () => {
      const allowed = 'a concrete fully qualified host covered by "*.wikipedia.org", e.g. "www.wikipedia.org"';
      expect(() => egressGateway().addHost('*.wikipedia.org', EgressTraffic.httpsPassthrough({ wildcardViaHost: 'www.wikimedia.org' })))
        .toThrow(`${PREFIX} hosts["*.wikipedia.org"].wildcardViaHost "www.wikimedia.org": ${allowed}`);
      expect(() => egressGateway().addHost('*.wikipedia.org', EgressTraffic.httpsPassthrough({ wildcardViaHost: '*.en.wikipedia.org' })))
        .toThrow(allowed);
    });

    test('throws when wildcardViaHost is given for a concrete host', () => {
      expect(() => egressGateway().addHost('en.wikipedia.org', EgressTraffic.httpsPassthrough({ wildcardViaHost: 'www.wikipedia.org' })))
        .toThrow(`${PREFIX} hosts["en.wikipedia.org"].wildcardViaHost "www.wikipedia.org": wildcardViaHost is for a wildcard host (such as "*.wikipedia.org"): `
          + 'leave it out for a concrete host');
    });
  });

  describe('resolution', () => {
    test('throws when resolution is NONE (the egress gateway would loop to itself)', () => {
      expect(() => egressGateway().addHost('edition.cnn.com', EgressTraffic.http(), { resolution: ServiceEntryResolution.NONE }))
        .toThrow(`${PREFIX} hosts["edition.cnn.com"].resolution "NONE": with resolution NONE the egress gateway forwards to the address the sidecar connected to, `
          + 'which is the egress gateway itself: the request loops. Use DNS or DNS_ROUND_ROBIN (for a wildcard host, see wildcardViaHost)');
      // also for the concrete host of the wildcard pattern
      expect(() => egressGateway().addHost('*.wikipedia.org', EgressTraffic.httpsPassthrough({ wildcardViaHost: 'www.wikipedia.org' }),
        { resolution: ServiceEntryResolution.NONE })).toThrow('the request loops');
    });

    test('throws when resolution is neither DNS nor DNS_ROUND_ROBIN', () => {
      for (const resolution of [ServiceEntryResolution.STATIC, ServiceEntryResolution.DYNAMIC_DNS]) {
        expect(() => egressGateway().addHost('edition.cnn.com', EgressTraffic.http(), { resolution }))
          .toThrow(`${PREFIX} hosts["edition.cnn.com"].resolution "${resolution}": an external host behind the egress gateway is resolved by DNS or DNS_ROUND_ROBIN `
            + '(for endpoints of your own, build the ServiceEntry yourself)');
      }
    });
  });

  describe('ports', () => {
    test('throws when a port name does not follow the protocol convention', () => {
      const egress = egressGateway();
      expect(() => egress.addHost('edition.cnn.com', EgressTraffic.http({ portName: 'web' })))
        .toThrow(`${PREFIX} hosts["edition.cnn.com"].portName "web": Istio reads a port's protocol from its name "<protocol>[-<suffix>]": for HTTP use "http" or "http-<suffix>"`);
      expect(() => egress.addHost('edition.cnn.com', EgressTraffic.httpsPassthrough({ portName: 'http-443' })))
        .toThrow(`${PREFIX} hosts["edition.cnn.com"].portName "http-443": Istio reads a port's protocol from its name "<protocol>[-<suffix>]": `
          + 'for TLS use "tls" or "tls-<suffix>" (the name declares HTTP)');
      expect(() => egress.addHost('api.example.com', EgressTraffic.tlsOrigination({ tlsPortName: 'tcp-443', caCertificates: '/ca.pem' })))
        .toThrow(`${PREFIX} hosts["api.example.com"].tlsPortName "tcp-443": Istio reads a port's protocol from its name`);
      expect(() => egress.addHost('db.example.com', EgressTraffic.tcp({ port: 3306, addresses: ['10.0.0.1'], portName: 'mysql' })))
        .toThrow(`${PREFIX} hosts["db.example.com"].portName "mysql": Istio reads a port's protocol from its name "<protocol>[-<suffix>]": `
          + 'for TCP use "tcp" or "tcp-<suffix>" (the name declares MYSQL)');
      // the names that follow the convention pass, HTTPS and TLS being interchangeable
      egress.addHost('db.example.com', EgressTraffic.tcp({ port: 3306, addresses: ['10.0.0.1'], portName: 'mysql', protocol: Protocol.MYSQL }));
      egress.addHost('edition.cnn.com', EgressTraffic.httpsPassthrough({ portName: 'https' }));
    });

    test('throws when a port is out of range', () => {
      expect(() => egressGateway().addHost('edition.cnn.com', EgressTraffic.http({ port: 0 })))
        .toThrow(`${PREFIX} hosts["edition.cnn.com"].port 0: a port must be an integer from 1 to 65535`);
      expect(() => egressGateway().addHost('api.example.com', EgressTraffic.tlsOrigination({ tlsPort: 70000 })))
        .toThrow(`${PREFIX} hosts["api.example.com"].tlsPort 70000: a port must be an integer from 1 to 65535`);
    });

    test('throws when TLS origination uses one port for plain HTTP and TLS', () => {
      expect(() => egressGateway().addHost('api.example.com', EgressTraffic.tlsOrigination({ port: 443, caCertificates: '/ca.pem' })))
        .toThrow(`${PREFIX} hosts["api.example.com"].tlsPort 443: the host's TLS port must differ from the port the applications call with plain HTTP (443)`);
    });
  });

  describe('TLS origination', () => {
    test('throws when both caCertificates and credentialName are given', () => {
      expect(() => egressGateway().addHost('api.example.com', EgressTraffic.tlsOrigination({ caCertificates: '/ca.pem', credentialName: 'api-ca' })))
        .toThrow(`${PREFIX} hosts["api.example.com"].credentialName "api-ca": caCertificates and credentialName exclude each other: `
          + 'give the CA as a file path in the egress gateway pods, or as a Secret');
    });

    test('throws when a CA setting, a subject alternative name or the SNI is empty or malformed', () => {
      expect(() => egressGateway().addHost('api.example.com', EgressTraffic.tlsOrigination({ credentialName: ' ' })))
        .toThrow(`${PREFIX} hosts["api.example.com"].credentialName " ": must not be empty (leave it out instead)`);
      expect(() => egressGateway().addHost('api.example.com', EgressTraffic.tlsOrigination({ caCertificates: '/ca.pem', subjectAltNames: [''] })))
        .toThrow(`${PREFIX} hosts["api.example.com"].subjectAltNames[0] "": must not be empty`);
      expect(() => egressGateway().addHost('api.example.com', EgressTraffic.tlsOrigination({ caCertificates: '/ca.pem', sni: 'api' })))
        .toThrow(`${PREFIX} hosts["api.example.com"].sni "api": the SNI is a fully qualified host name`);
    });
  });

  describe('TCP', () => {
    test('throws when TCP has no addresses', () => {
      expect(() => egressGateway().addHost('db.example.com', EgressTraffic.tcp({ port: 3306, addresses: [] })))
        .toThrow(`${PREFIX} hosts["db.example.com"].addresses []: TCP has no Host header and no SNI, so sidecars route it by destination address: `
          + 'give the IP addresses of the host (without them every connection to this port, to any host, would go to the egress gateway)');
    });

    test('throws when an address is a CIDR block, not an IP, or repeated', () => {
      expect(() => egressGateway().addHost('db.example.com', EgressTraffic.tcp({ port: 3306, addresses: ['10.0.0.0/24'] })))
        .toThrow(`${PREFIX} hosts["db.example.com"].addresses[0] "10.0.0.0/24": CIDR blocks need resolution NONE, which makes the egress gateway loop to itself: `
          + 'give the IP addresses of the host');
      expect(() => egressGateway().addHost('db.example.com', EgressTraffic.tcp({ port: 3306, addresses: ['db.internal'] })))
        .toThrow(`${PREFIX} hosts["db.example.com"].addresses[0] "db.internal": an IP address of the host`);
      expect(() => egressGateway().addHost('db.example.com', EgressTraffic.tcp({ port: 3306, addresses: ['10.0.0.1', '10.0.0.1'] })))
        .toThrow(`${PREFIX} hosts["db.example.com"].addresses[1] "10.0.0.1": addresses must be unique`);
    });

    test('throws when the TCP protocol is not an opaque TCP one', () => {
      expect(() => egressGateway().addHost('db.example.com', EgressTraffic.tcp({ port: 3306, addresses: ['10.0.0.1'], protocol: Protocol.HTTP })))
        .toThrow(`${PREFIX} hosts["db.example.com"].protocol "HTTP": TCP traffic is TCP, MYSQL, MONGO or REDIS; `
          + 'use EgressTraffic.http(), httpsPassthrough() or tlsOrigination() for the others');
    });

    test('throws when gatewayPort is given with the mutual leg', () => {
      expect(() => egressGateway().addHost('db.example.com', EgressTraffic.tcp({ port: 3306, addresses: ['10.0.0.1'], gatewayPort: 13306 })))
        .toThrow(`${PREFIX} hosts["db.example.com"].gatewayPort 13306: with EgressTls.MUTUAL every host goes through port 443 of the egress gateway, `
          + 'told apart by SNI: leave gatewayPort out (it is for EgressTls.PLAIN)');
    });

    test('throws when a plain TCP host would use port 80 or 443 of the gateway, or the port of another TCP host', () => {
      const egress = egressGateway({ sidecarToGatewayTls: EgressTls.PLAIN });
      expect(() => egress.addHost('db.example.com', EgressTraffic.tcp({ port: 443, addresses: ['10.0.0.1'] })))
        .toThrow(`${PREFIX} hosts["db.example.com"].gatewayPort 443: ports 80 and 443 of the egress gateway carry the HTTP and TLS hosts: `
          + 'give this TCP host a port of its own (and expose it on the egress gateway\'s Service)');
      egress.addHost('orders.example.com', EgressTraffic.tcp({ port: 3306, addresses: ['10.0.0.1'] }));
      expect(() => egress.addHost('users.example.com', EgressTraffic.tcp({ port: 5432, addresses: ['10.0.0.2'], gatewayPort: 3306 })))
        .toThrow(`${PREFIX} hosts["users.example.com"].gatewayPort 3306: host "orders.example.com" already uses this port of the egress gateway; `
          + 'plain TCP has nothing but the port to tell hosts apart: give each TCP host its own gatewayPort');
    });
  });

  describe('subsets', () => {
    test('throws when a subset name is not a DNS label, or is used twice', () => {
      const egress = egressGateway();
      expect(() => egress.addHost('edition.cnn.com', EgressTraffic.http(), { subsetName: 'CNN' }))
        .toThrow(`${PREFIX} hosts["edition.cnn.com"].subsetName "CNN": a subset name is a DNS-1123 label (lowercase letters, digits and "-", at most 63 characters)`);
      egress.addHost('edition.cnn.com', EgressTraffic.http(), { subsetName: 'cnn' });
      expect(() => egress.addHost('money.cnn.com', EgressTraffic.http(), { subsetName: 'cnn' }))
        .toThrow(`${PREFIX} hosts["money.cnn.com"].subsetName "cnn": host "edition.cnn.com" already uses this subset of the egress gateway's DestinationRules; `
          + 'subset names must be unique (Istio merges the rules)');
    });
  });

  describe('the egress gateway', () => {
    test('throws when gatewaySelector is given without gatewayServiceHost', () => {
      expect(() => egressGateway({ gatewaySelector: { istio: 'private-egress' } }))
        .toThrow(`${PREFIX} gatewaySelector {"istio":"private-egress"}: give gatewayServiceHost too: the selector picks the gateway pods, `
          + 'the Service host is where the sidecars send to, and the two must name the same gateway');
    });

    test('throws when gatewayServiceHost is given without gatewaySelector', () => {
      expect(() => egressGateway({ gatewayServiceHost: 'private-egress.egress.svc.cluster.local' }))
        .toThrow(`${PREFIX} gatewayServiceHost "private-egress.egress.svc.cluster.local": give gatewaySelector too (the labels of the pods behind this Service): `
          + "otherwise the Gateways would configure Istio's default egress gateway while the sidecars send to another");
    });

    test('throws when gatewayServiceHost is not a Service host, or the selector is empty', () => {
      expect(() => egressGateway({ gatewaySelector: { istio: 'private-egress' }, gatewayServiceHost: 'egress.example.com' }))
        .toThrow(`${PREFIX} gatewayServiceHost "egress.example.com": the Service of the egress gateway as "<service>.<namespace>.svc.<cluster domain>", `
          + 'e.g. "istio-egressgateway.istio-system.svc.cluster.local"');
      expect(() => egressGateway({ gatewaySelector: {}, gatewayServiceHost: 'private-egress.egress.svc.cluster.local' }))
        .toThrow(`${PREFIX} gatewaySelector {}: give the labels of the egress gateway pods, e.g. { istio: "egressgateway" }`);
    });

    test('throws when the namespace is not a DNS label', () => {
      expect(() => egressGateway({ namespace: 'Shop' })).toThrow(`${PREFIX} namespace "Shop": a namespace name (a DNS-1123 label)`);
    });

    test('a custom gateway given in full passes', () => {
      const egress = egressGateway({ gatewaySelector: { istio: 'private-egress' }, gatewayServiceHost: 'private-egress.egress.svc.cluster.local' });
      egress.addHost('edition.cnn.com', EgressTraffic.http());
      synthValid(Chart.of(egress));
    });
  });
});
