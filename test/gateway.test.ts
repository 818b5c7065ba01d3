import { Chart, Testing } from 'cdk8s';
import { findObject, synthValid } from './util';
import * as l1 from '../imports/networking.istio.io';
import { Protocol } from '../src/core/protocol';
import { gatewayReference } from '../src/core/references';
import { Gateway, ServerTlsMode, TlsProtocolVersion } from '../src/networking/gateway';

/** A raw L1 VirtualService bound to gateways (the VirtualService L2 is not needed here). */
function virtualService(chart: Chart, id: string, hosts: string[], gateways: string[], namespace?: string): l1.VirtualService {
  return new l1.VirtualService(chart, id, {
    metadata: { name: id, namespace },
    spec: { hosts, gateways, http: [{ route: [{ destination: { host: 'productpage.bookinfo.svc.cluster.local', port: { number: 9080 } } }] }] },
  });
}

function chartIn(namespace: string): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

describe('Gateway', () => {
  test('defaults: ingressgateway selector, port name from the protocol, SIMPLE when a certificate is given', () => {
    const chart = Testing.chart();
    const gw = new Gateway(chart, 'public', { metadata: { name: 'public', namespace: 'istio-system' } });
    gw.addServer({ port: { number: 443, protocol: Protocol.HTTPS }, hosts: ['bookinfo.example.com'], tls: { credentialName: 'bookinfo-cert' } });

    const out = findObject(synthValid(chart), 'Gateway', 'public');
    expect(out.apiVersion).toBe('networking.istio.io/v1');
    expect(out.metadata.namespace).toBe('istio-system');
    expect(out.spec).toEqual({
      selector: { istio: 'ingressgateway' },
      servers: [{
        port: { number: 443, protocol: 'HTTPS', name: 'https-443' },
        hosts: ['bookinfo.example.com'],
        tls: { mode: 'SIMPLE', credentialName: 'bookinfo-cert' },
      }],
    });
  });

  test('every option: selector, server fields, every TLS mode and TLS field, servers added later', () => {
    const chart = Testing.chart();
    const gw = new Gateway(chart, 'edge', {
      selector: { istio: 'ingressgateway', tier: 'edge' },
      servers: [{
        port: { number: 80, protocol: Protocol.HTTP, name: 'http' },
        hosts: ['*.example.com'],
        tls: { httpsRedirect: true },
        name: 'redirect',
      }],
    });
    gw.addServer({
      port: { number: 443, protocol: Protocol.HTTPS },
      hosts: ['./shop.example.com', 'prod/api.example.com'],
      tls: {
        mode: ServerTlsMode.MUTUAL,
        credentialName: 'shop-cert',
        caCertCredentialName: 'shop-client-ca',
        minProtocolVersion: TlsProtocolVersion.TLSV1_2,
        maxProtocolVersion: TlsProtocolVersion.TLSV1_3,
        cipherSuites: ['ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384'],
        subjectAltNames: ['spiffe://example.com/client'],
        verifyCertificateSpki: ['Bq7mEuqELlVw7U3yTgmONvp1jyYGoc+QcXGYwTNxwBY='],
        verifyCertificateHash: ['b0:1c:2b:8c:aa:fb:7d:52:f2:bd:74:6e:57:9a:46:10:d7:ab:1c:6a:f5:0c:23:18:3e:1b:b1:0a:3b:7c:c0:5c'],
      },
      name: 'shop',
    });
    gw.addServer({
      port: { number: 443, protocol: Protocol.HTTPS, name: 'https-files' },
      hosts: ['files.example.com'],
      tls: {
        mode: ServerTlsMode.OPTIONAL_MUTUAL,
        serverCertificate: '/etc/certs/server.pem',
        privateKey: '/etc/certs/key.pem',
        caCertificates: '/etc/certs/ca.pem',
        caCrl: '/etc/certs/ca.crl',
      },
    });
    gw.addServer({
      port: { number: 443, protocol: Protocol.HTTPS, name: 'https-dual' },
      hosts: ['dual.example.com'],
      tls: { credentialNames: ['dual-rsa', 'dual-ecdsa'] },
    });
    gw.addServer({
      port: { number: 443, protocol: Protocol.HTTPS, name: 'https-certs' },
      hosts: ['certs.example.com'],
      tls: { tlsCertificates: [{ serverCertificate: '/etc/certs/rsa.pem', privateKey: '/etc/certs/rsa.key', caCertificates: '/etc/certs/ca.pem' }] },
    });
    gw.addServer({ port: { number: 443, protocol: Protocol.TLS, name: 'tls-passthrough' }, hosts: ['db.example.com'], tls: { mode: ServerTlsMode.PASSTHROUGH } });
    gw.addServer({ port: { number: 15443, protocol: Protocol.TLS }, hosts: ['*.local'], tls: { mode: ServerTlsMode.AUTO_PASSTHROUGH } });
    gw.addServer({ port: { number: 8443, protocol: Protocol.HTTPS }, hosts: ['*'], tls: { mode: ServerTlsMode.ISTIO_MUTUAL } });
    gw.addServer({ port: { number: 31400, protocol: Protocol.TCP }, hosts: ['*'], bind: '10.0.0.1', defaultEndpoint: '127.0.0.1:8080' });
    gw.addServer({ port: { number: 0, protocol: Protocol.HTTP, name: 'http-uds' }, hosts: ['*'], bind: 'unix:///var/run/gateway.sock' });

    // open world: the gateway pods (tier=edge) are deployed elsewhere
    const out = findObject(synthValid(chart, { openWorld: true }), 'Gateway', 'test-edge');
    expect(out.spec.selector).toEqual({ istio: 'ingressgateway', tier: 'edge' });
    expect(out.spec.servers).toEqual([
      { name: 'redirect', port: { number: 80, protocol: 'HTTP', name: 'http' }, hosts: ['*.example.com'], tls: { httpsRedirect: true } },
      {
        name: 'shop',
        port: { number: 443, protocol: 'HTTPS', name: 'https-443' },
        hosts: ['./shop.example.com', 'prod/api.example.com'],
        tls: {
          mode: 'MUTUAL',
          credentialName: 'shop-cert',
          caCertCredentialName: 'shop-client-ca',
          minProtocolVersion: 'TLSV1_2',
          maxProtocolVersion: 'TLSV1_3',
          cipherSuites: ['ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384'],
          subjectAltNames: ['spiffe://example.com/client'],
          verifyCertificateSpki: ['Bq7mEuqELlVw7U3yTgmONvp1jyYGoc+QcXGYwTNxwBY='],
          verifyCertificateHash: ['b0:1c:2b:8c:aa:fb:7d:52:f2:bd:74:6e:57:9a:46:10:d7:ab:1c:6a:f5:0c:23:18:3e:1b:b1:0a:3b:7c:c0:5c'],
        },
      },
      {
        port: { number: 443, protocol: 'HTTPS', name: 'https-files' },
        hosts: ['files.example.com'],
        tls: { mode: 'OPTIONAL_MUTUAL', serverCertificate: '/etc/certs/server.pem', privateKey: '/etc/certs/key.pem', caCertificates: '/etc/certs/ca.pem', caCrl: '/etc/certs/ca.crl' },
      },
      { port: { number: 443, protocol: 'HTTPS', name: 'https-dual' }, hosts: ['dual.example.com'], tls: { mode: 'SIMPLE', credentialNames: ['dual-rsa', 'dual-ecdsa'] } },
      {
        port: { number: 443, protocol: 'HTTPS', name: 'https-certs' },
        hosts: ['certs.example.com'],
        tls: { mode: 'SIMPLE', tlsCertificates: [{ serverCertificate: '/etc/certs/rsa.pem', privateKey: '/etc/certs/rsa.key', caCertificates: '/etc/certs/ca.pem' }] },
      },
      { port: { number: 443, protocol: 'TLS', name: 'tls-passthrough' }, hosts: ['db.example.com'], tls: { mode: 'PASSTHROUGH' } },
      { port: { number: 15443, protocol: 'TLS', name: 'tls-15443' }, hosts: ['*.local'], tls: { mode: 'AUTO_PASSTHROUGH' } },
      { port: { number: 8443, protocol: 'HTTPS', name: 'https-8443' }, hosts: ['*'], tls: { mode: 'ISTIO_MUTUAL' } },
      { port: { number: 31400, protocol: 'TCP', name: 'tcp-31400' }, hosts: ['*'], bind: '10.0.0.1', defaultEndpoint: '127.0.0.1:8080' },
      { port: { number: 0, protocol: 'HTTP', name: 'http-uds' }, hosts: ['*'], bind: 'unix:///var/run/gateway.sock' },
    ]);
  });

  test('default port names stay unique: a second server on the same port gets a suffix', () => {
    const chart = Testing.chart();
    const gw = new Gateway(chart, 'gw');
    gw.addServer({ port: { number: 443, protocol: Protocol.HTTPS }, hosts: ['a.example.com'], tls: { credentialName: 'a' } });
    gw.addServer({ port: { number: 443, protocol: Protocol.HTTPS }, hosts: ['b.example.com'], tls: { credentialName: 'b' } });
    const out = findObject(synthValid(chart), 'Gateway');
    expect(out.spec.servers.map((s: any) => s.port.name)).toEqual(['https-443', 'https-443-2']);
  });

  test('an egress gateway: selector, ISTIO_MUTUAL server as in Istio\'s egress task', () => {
    const chart = chartIn('istio-system');
    new Gateway(chart, 'egress', {
      metadata: { name: 'istio-egressgateway' },
      selector: { istio: 'egressgateway' },
      servers: [{ port: { number: 443, protocol: Protocol.HTTPS, name: 'https' }, hosts: ['edition.cnn.com'], tls: { mode: ServerTlsMode.ISTIO_MUTUAL } }],
    });
    const out = findObject(synthValid(chart), 'Gateway', 'istio-egressgateway');
    expect(out.spec).toEqual({
      selector: { istio: 'egressgateway' },
      servers: [{ port: { number: 443, protocol: 'HTTPS', name: 'https' }, hosts: ['edition.cnn.com'], tls: { mode: 'ISTIO_MUTUAL' } }],
    });
  });

  describe('fromGatewayName', () => {
    test('takes namespace/name, or a name and a namespace, and VirtualServices refer to it', () => {
      const chart = chartIn('bookinfo');
      const a = Gateway.fromGatewayName(chart, 'a', 'istio-system/public');
      const b = Gateway.fromGatewayName(chart, 'b', 'public', { namespace: 'istio-system' });
      const c = Gateway.fromGatewayName(chart, 'c', 'local');
      expect([a.name, a.namespace]).toEqual(['public', 'istio-system']);
      expect(gatewayReference(b)).toBe('istio-system/public');
      expect(gatewayReference(c)).toBe('local');
      virtualService(chart, 'bookinfo', ['bookinfo.example.com'], [gatewayReference(a)]);
      const vs = findObject(synthValid(chart, { openWorld: true }), 'VirtualService', 'bookinfo');
      expect(vs.spec.gateways).toEqual(['istio-system/public']);
    });

    test('throws when the name is not a DNS label or names two namespaces', () => {
      const chart = Testing.chart();
      expect(() => Gateway.fromGatewayName(chart, 'a', 'istio-system/Public'))
        .toThrow("Gateway 'test/a': invalid name \"istio-system/Public\": the name and namespace must be DNS labels");
      expect(() => Gateway.fromGatewayName(chart, 'b', 'istio-system/public', { namespace: 'other' }))
        .toThrow('the namespace in the name ("istio-system") differs from the namespace option ("other")');
      expect(() => Gateway.fromGatewayName(chart, 'c', 'a/b/c')).toThrow('give "<namespace>/<name>" or "<name>"');
    });
  });

  describe('checks of its own props', () => {
    const https = { number: 443, protocol: Protocol.HTTPS };

    test('fails validation when the gateway has no server', () => {
      const chart = Testing.chart();
      new Gateway(chart, 'empty');
      expect(() => Testing.synth(chart)).toThrow("Gateway 'test/empty': a Gateway needs at least one server: call addServer() or pass servers");
    });

    test('throws when two servers use one port name', () => {
      const gw = new Gateway(Testing.chart(), 'gw');
      gw.addServer({ port: { number: 80, protocol: Protocol.HTTP, name: 'http' }, hosts: ['*'] });
      expect(() => gw.addServer({ port: { number: 8080, protocol: Protocol.HTTP, name: 'http' }, hosts: ['*'] }))
        .toThrow("Gateway 'test/gw': invalid servers[1].port.name \"http\": port names must be unique across servers; servers[0] already uses it");
    });

    test('throws when a port name does not follow <protocol>[-<suffix>]', () => {
      const gw = new Gateway(Testing.chart(), 'gw');
      expect(() => gw.addServer({ port: { number: 80, protocol: Protocol.HTTP, name: 'web' }, hosts: ['*'] }))
        .toThrow('invalid servers[0].port.name "web": Istio reads a port\'s protocol from its name "<protocol>[-<suffix>]": for HTTP use "http" or "http-<suffix>"');
      expect(() => gw.addServer({ port: { number: 80, protocol: Protocol.HTTP, name: 'tcp-80' }, hosts: ['*'] }))
        .toThrow('(the name declares TCP)');
      expect(() => gw.addServer({ port: { number: 80, protocol: Protocol.HTTP, name: 'HTTP' }, hosts: ['*'] }))
        .toThrow('a port name must be a DNS label');
    });

    test('throws when a port is out of range, or not 0 on a unix socket', () => {
      const gw = new Gateway(Testing.chart(), 'gw');
      expect(() => gw.addServer({ port: { number: 70000, protocol: Protocol.HTTP }, hosts: ['*'] }))
        .toThrow("Gateway 'test/gw': invalid servers[0].port.number 70000: a port must be an integer from 1 to 65535");
      expect(() => gw.addServer({ port: { number: 0, protocol: Protocol.HTTP }, hosts: ['*'] }))
        .toThrow('invalid servers[0].port.number 0: a port must be an integer from 1 to 65535');
      expect(() => gw.addServer({ port: { number: 80, protocol: Protocol.HTTP }, hosts: ['*'], bind: 'unix:///var/run/gw.sock' }))
        .toThrow('invalid servers[0].port.number 80: a server bound to a unix socket takes port number 0');
    });

    test('throws when two protocols share a port number', () => {
      const gw = new Gateway(Testing.chart(), 'gw');
      gw.addServer({ port: { number: 8080, protocol: Protocol.HTTP }, hosts: ['*'] });
      expect(() => gw.addServer({ port: { number: 8080, protocol: Protocol.TCP }, hosts: ['*'] }))
        .toThrow('invalid servers[1].port.protocol "TCP": servers[0] serves port 8080 as HTTP: servers sharing a port need the same protocol');
    });

    test('throws when a host has a bad syntax', () => {
      const gw = new Gateway(Testing.chart(), 'gw');
      const add = (host: string) => () => gw.addServer({ port: { number: 80, protocol: Protocol.HTTP }, hosts: [host] });
      expect(add('reviews')).toThrow('invalid servers[0].hosts[0] "reviews": the host part must be "*", "*.<domain>" or a fully qualified name');
      expect(add('*foo.example.com')).toThrow('no partial wildcards');
      expect(add('Bad_Host.example.com')).toThrow('invalid servers[0].hosts[0] "Bad_Host.example.com"');
      expect(add('~/a.example.com')).toThrow('the namespace part must be "*", "." or a namespace name');
      expect(() => gw.addServer({ port: { number: 80, protocol: Protocol.HTTP }, hosts: [] }))
        .toThrow('invalid servers[0].hosts []: a server needs at least one host');
      expect(() => gw.addServer({ port: { number: 80, protocol: Protocol.HTTP }, hosts: ['a.example.com', 'a.example.com'] }))
        .toThrow('hosts must be unique');
    });

    test('throws when an HTTPS or TLS server has no tls', () => {
      const gw = new Gateway(Testing.chart(), 'gw');
      expect(() => gw.addServer({ port: https, hosts: ['a.example.com'] }))
        .toThrow("Gateway 'test/gw': invalid servers[0].tls undefined: HTTPS servers need tls");
    });

    test('throws when a plain port has TLS settings (only httpsRedirect on HTTP)', () => {
      const gw = new Gateway(Testing.chart(), 'gw');
      expect(() => gw.addServer({ port: { number: 80, protocol: Protocol.HTTP }, hosts: ['*'], tls: { credentialName: 'c' } }))
        .toThrow('a plain HTTP port takes no TLS settings except { httpsRedirect: true }: use protocol HTTPS (or TLS)');
      expect(() => gw.addServer({ port: { number: 3306, protocol: Protocol.TCP }, hosts: ['*'], tls: { mode: ServerTlsMode.SIMPLE } }))
        .toThrow('TLS settings need protocol HTTPS or TLS, not TCP');
      expect(() => gw.addServer({ port: { number: 3306, protocol: Protocol.TCP }, hosts: ['*'], tls: { httpsRedirect: true } }))
        .toThrow('TLS settings need protocol HTTPS or TLS, not TCP');
    });

    test('throws when httpsRedirect is set on an HTTPS server', () => {
      const gw = new Gateway(Testing.chart(), 'gw');
      expect(() => gw.addServer({ port: https, hosts: ['*'], tls: { httpsRedirect: true, credentialName: 'c' } }))
        .toThrow('invalid servers[0].tls.httpsRedirect true: httpsRedirect belongs on the plain HTTP server (port 80), not on an HTTPS or TLS one');
    });

    test('throws when two certificate sources are given', () => {
      const gw = new Gateway(Testing.chart(), 'gw');
      expect(() => gw.addServer({ port: https, hosts: ['*'], tls: { credentialName: 'c', serverCertificate: '/a', privateKey: '/b' } }))
        .toThrow('invalid servers[0].tls "credentialName + serverCertificate/privateKey": give one certificate source');
    });

    test('throws when MUTUAL has no CA', () => {
      const gw = new Gateway(Testing.chart(), 'gw');
      expect(() => gw.addServer({ port: https, hosts: ['*'], tls: { mode: ServerTlsMode.MUTUAL, serverCertificate: '/a', privateKey: '/b' } }))
        .toThrow('invalid servers[0].tls.caCertificates undefined: MUTUAL verifies client certificates and needs a CA');
    });

    test('throws when SIMPLE has no certificate, or half of one', () => {
      const gw = new Gateway(Testing.chart(), 'gw');
      expect(() => gw.addServer({ port: https, hosts: ['*'], tls: { mode: ServerTlsMode.SIMPLE } }))
        .toThrow('invalid servers[0].tls "SIMPLE": SIMPLE terminates TLS and needs a certificate');
      expect(() => gw.addServer({ port: https, hosts: ['*'], tls: { serverCertificate: '/a' } }))
        .toThrow('SIMPLE with certificate files needs both serverCertificate and privateKey');
      expect(() => gw.addServer({ port: https, hosts: ['*'], tls: { tlsCertificates: [{ serverCertificate: '/a', privateKey: '' }] } }))
        .toThrow('invalid servers[0].tls.tlsCertificates[0]');
    });

    test('throws when no mode and no certificate are given', () => {
      const gw = new Gateway(Testing.chart(), 'gw');
      expect(() => gw.addServer({ port: https, hosts: ['*'], tls: { minProtocolVersion: TlsProtocolVersion.TLSV1_2 } }))
        .toThrow('invalid servers[0].tls.mode undefined: give a mode');
    });

    test('throws when ISTIO_MUTUAL or PASSTHROUGH get certificates', () => {
      const gw = new Gateway(Testing.chart(), 'gw');
      expect(() => gw.addServer({ port: https, hosts: ['*'], tls: { mode: ServerTlsMode.ISTIO_MUTUAL, credentialName: 'c' } }))
        .toThrow('invalid servers[0].tls "credentialName": ISTIO_MUTUAL uses the mesh\'s own certificates');
      expect(() => gw.addServer({ port: https, hosts: ['*'], tls: { mode: ServerTlsMode.PASSTHROUGH, caCertificates: '/ca' } }))
        .toThrow('PASSTHROUGH does not terminate TLS, so certificates would be ignored');
    });

    test('throws when a CRL is given with SIMPLE or with a credential', () => {
      const gw = new Gateway(Testing.chart(), 'gw');
      expect(() => gw.addServer({ port: https, hosts: ['*'], tls: { serverCertificate: '/a', privateKey: '/b', caCrl: '/crl' } }))
        .toThrow('invalid servers[0].tls.caCrl "/crl": a CRL checks client certificates: it needs MUTUAL or OPTIONAL_MUTUAL');
      expect(() => gw.addServer({ port: https, hosts: ['*'], tls: { mode: ServerTlsMode.MUTUAL, credentialName: 'c', caCrl: '/crl' } }))
        .toThrow('with a credential, the CRL goes in the credential');
    });

    test('throws when more than two credentials are given', () => {
      const gw = new Gateway(Testing.chart(), 'gw');
      expect(() => gw.addServer({ port: https, hosts: ['*'], tls: { credentialNames: ['a', 'b', 'c'] } }))
        .toThrow('invalid servers[0].tls.credentialNames ["a","b","c"]: give one or two');
    });

    test('throws when the minimum TLS version is above the maximum', () => {
      const gw = new Gateway(Testing.chart(), 'gw');
      expect(() => gw.addServer({
        port: https,
        hosts: ['*'],
        tls: { credentialName: 'c', minProtocolVersion: TlsProtocolVersion.TLSV1_3, maxProtocolVersion: TlsProtocolVersion.TLSV1_2 },
      })).toThrow('invalid servers[0].tls.minProtocolVersion "TLSV1_3": must not be above maxProtocolVersion TLSV1_2');
    });

    test('throws when bind, defaultEndpoint or the server name are wrong', () => {
      const gw = new Gateway(Testing.chart(), 'gw');
      expect(() => gw.addServer({ port: { number: 80, protocol: Protocol.HTTP }, hosts: ['*'], bind: 'localhost' }))
        .toThrow('invalid servers[0].bind "localhost": bind takes an IP address or "unix://<path>"');
      expect(() => gw.addServer({ port: { number: 80, protocol: Protocol.HTTP }, hosts: ['*'], defaultEndpoint: '10.0.0.1:80' }))
        .toThrow('invalid servers[0].defaultEndpoint "10.0.0.1:80": use "127.0.0.1:<port>"');
      gw.addServer({ port: { number: 80, protocol: Protocol.HTTP }, hosts: ['*'], name: 'web' });
      expect(() => gw.addServer({ port: { number: 81, protocol: Protocol.HTTP }, hosts: ['*'], name: 'web' }))
        .toThrow('invalid servers[1].name "web": server names must be unique across the gateway');
    });

    test('throws when the selector is empty or the name is not a DNS label', () => {
      expect(() => new Gateway(Testing.chart(), 'gw', { selector: {} }))
        .toThrow("Gateway 'test/gw': invalid selector {}: an empty selector applies the gateway to every gateway pod");
      expect(() => new Gateway(Testing.chart(), 'gw', { selector: { istio: '*' } }))
        .toThrow('selector labels take no wildcards');
      expect(() => new Gateway(Testing.chart(), 'gw', { metadata: { name: 'public.gateway' } }))
        .toThrow('invalid metadata.name "public.gateway": a Gateway name must be a DNS label (no dots)');
    });
  });

  describe('cross-check: every host is served by a VirtualService bound to the gateway', () => {
    function publicGateway(chart: Chart): Gateway {
      const gw = new Gateway(chart, 'public', { metadata: { name: 'public', namespace: 'istio-system' } });
      gw.addServer({ port: { number: 80, protocol: Protocol.HTTP }, hosts: ['*.example.com'], tls: { httpsRedirect: true } });
      gw.addServer({ port: { number: 443, protocol: Protocol.HTTPS }, hosts: ['shop.example.com', 'blog.example.com'], tls: { credentialName: 'cert' } });
      return gw;
    }

    test('fails validation when a bound VirtualService serves only some of the hosts', () => {
      const chart = chartIn('web');
      publicGateway(chart);
      virtualService(chart, 'shop', ['shop.example.com'], ['istio-system/public']);
      expect(() => Testing.synth(chart)).toThrow(
        "Gateway 'test/public': servers[1].hosts \"blog.example.com\" is served by no VirtualService bound to gateway \"istio-system/public\" "
        + "(bound: 'test/shop'); add the host to one of them, or remove it from the server");
    });

    test('passes when the bound VirtualServices serve every host (wildcards intersect), made by raw L1', () => {
      const chart = chartIn('web');
      publicGateway(chart);
      virtualService(chart, 'shop', ['shop.example.com'], ['istio-system/public', 'mesh']);
      virtualService(chart, 'rest', ['*.example.com'], ['istio-system/public']);
      expect(findObject(synthValid(chart, { openWorld: true }), 'Gateway', 'public').spec.servers).toHaveLength(2);
    });

    test('is lenient: a gateway no VirtualService of the app binds is not flagged', () => {
      const chart = chartIn('web');
      publicGateway(chart);
      virtualService(chart, 'internal', ['shop.example.com'], ['mesh']);
      virtualService(chart, 'other', ['blog.example.com'], ['edge/other']);
      expect(findObject(synthValid(chart, { openWorld: true }), 'Gateway', 'public').spec.servers).toHaveLength(2);
    });

    test('a bare gateway name binds from the gateway\'s own namespace only', () => {
      const chart = chartIn('istio-system');
      publicGateway(chart);
      virtualService(chart, 'shop', ['shop.example.com'], ['public']);
      virtualService(chart, 'blog', ['blog.example.com'], ['public'], 'elsewhere');
      expect(() => Testing.synth(chart)).toThrow("servers[1].hosts \"blog.example.com\" is served by no VirtualService bound to gateway \"istio-system/public\" (bound: 'test/shop')");
    });

    test('fails validation when a host\'s namespace part excludes the VirtualService\'s namespace', () => {
      const chart = chartIn('web');
      const gw = new Gateway(chart, 'gw', { metadata: { name: 'gw', namespace: 'istio-system' } });
      gw.addServer({ port: { number: 80, protocol: Protocol.HTTP }, hosts: ['prod/app.example.com'] });
      virtualService(chart, 'app', ['app.example.com'], ['istio-system/gw']);
      expect(() => Testing.synth(chart)).toThrow('servers[0].hosts "prod/app.example.com" is served by no VirtualService');
    });
  });
});
