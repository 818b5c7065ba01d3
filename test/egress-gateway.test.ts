import { ApiObject, Chart, Testing } from 'cdk8s';
import { findObject, findingsOf, objectsOf, synthValid } from './util';
import { Protocol } from '../src/core/protocol';
import { ServiceEntryResolution } from '../src/networking/service-entry';
import { EgressGateway, EgressTls } from '../src/patterns/egress-gateway';
import { EgressProtocol, EgressTraffic } from '../src/patterns/egress-traffic';

const EGW = 'istio-egressgateway.istio-system.svc.cluster.local';

function chartIn(namespace?: string): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

/** An egress gateway Service that exposes extra ports (plain TCP hosts need one each). */
function egressGatewayService(chart: Chart, ports: number[]): void {
  new ApiObject(chart, `egw-service-${ports.join('-')}`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'istio-egressgateway', namespace: 'istio-system' },
    spec: {
      selector: { istio: 'egressgateway' },
      ports: [80, 443, ...ports].map(port => ({ name: port === 80 ? 'http2' : port === 443 ? 'https' : `tcp-${port}`, port, protocol: 'TCP' })),
    },
  });
}

describe('EgressGateway', () => {
  test('defaults: an HTTP host through the egress gateway over Istio mutual TLS, namespace locked down', () => {
    const chart = chartIn('shop');
    const egress = new EgressGateway(chart, 'egress');
    egress.addHost('edition.cnn.com', EgressTraffic.http());
    const out = synthValid(chart);

    expect(objectsOf(out, 'ServiceEntry').length).toBe(1);
    expect(findObject(out, 'ServiceEntry', 'test-egress-edition-cnn-com-entry').spec).toEqual({
      hosts: ['edition.cnn.com'],
      ports: [{ number: 80, protocol: 'HTTP', name: 'http-80' }],
      location: 'MESH_EXTERNAL',
      resolution: 'DNS',
      exportTo: ['.', 'istio-system'],
    });
    expect(findObject(out, 'Gateway', 'test-egress-edition-cnn-com-gateway').spec).toEqual({
      selector: { istio: 'egressgateway' },
      servers: [{ port: { number: 443, protocol: 'HTTPS', name: 'https' }, hosts: ['edition.cnn.com'], tls: { mode: 'ISTIO_MUTUAL' } }],
    });
    expect(findObject(out, 'DestinationRule', 'test-egress-edition-cnn-com-to-gateway').spec).toEqual({
      host: EGW,
      subsets: [{ name: 'edition-cnn-com', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL', sni: 'edition.cnn.com' } } }],
      exportTo: ['.'],
    });
    const gateway = 'shop/test-egress-edition-cnn-com-gateway';
    expect(findObject(out, 'VirtualService', 'test-egress-edition-cnn-com-route').spec).toEqual({
      hosts: ['edition.cnn.com'],
      gateways: [gateway, 'mesh'],
      exportTo: ['.', 'istio-system'],
      http: [
        {
          match: [{ gateways: ['mesh'], port: 80 }],
          route: [{ destination: { host: EGW, port: { number: 443 }, subset: 'edition-cnn-com' }, weight: 100 }],
        },
        {
          match: [{ gateways: [gateway], port: 443 }],
          route: [{ destination: { host: 'edition.cnn.com', port: { number: 80 } }, weight: 100 }],
        },
      ],
    });
    expect(findObject(out, 'Sidecar', 'test-egress-lock-down')).toMatchObject({
      metadata: { namespace: 'shop' },
      spec: { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } },
    });
    expect(objectsOf(out, 'DestinationRule').length).toBe(1);
    expect(out.length).toBe(5);

    expect(egress.sidecarToGatewayTls).toBe(EgressTls.MUTUAL);
    expect(egress.gatewaySelector).toEqual({ istio: 'egressgateway' });
    expect(egress.gatewayServiceHost).toBe(EGW);
    expect(egress.namespace).toBe('shop');
    expect(egress.warnings).toEqual([]);
  });

  test('option table: every prop, every traffic kind and every option, through validation', () => {
    const chart = chartIn('shop');
    // the plain TCP host needs its own port on the gateway's Service
    new ApiObject(chart, 'egw-service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'egress-internal', namespace: 'egress' },
      spec: { selector: { app: 'egress-internal' }, ports: [80, 443, 13306].map(port => ({ name: `tcp-${port}`, port, protocol: 'TCP' })) },
    });
    const egress = new EgressGateway(chart, 'egress', {
      namespace: 'payments',
      gatewaySelector: { app: 'egress-internal' },
      gatewayServiceHost: 'egress-internal.egress.svc.cluster.local',
      sidecarToGatewayTls: EgressTls.PLAIN,
      lockDown: false,
    });
    egress.addHost('edition.cnn.com', EgressTraffic.http({ port: 8080, portName: 'http-web' }), { subsetName: 'cnn', resolution: ServiceEntryResolution.DNS_ROUND_ROBIN });
    egress.addHost('*.wikipedia.org', EgressTraffic.httpsPassthrough({ port: 8443, portName: 'https-wiki', wildcardViaHost: 'www.wikipedia.org' }));
    egress.addHost('api.example.com', EgressTraffic.tlsOrigination({
      port: 8000,
      portName: 'http-api',
      tlsPort: 9443,
      tlsPortName: 'https-api',
      caCertificates: '/etc/egress-ca/ca.pem',
      subjectAltNames: ['api.example.com'],
      sni: 'edge.example.com',
    }));
    egress.addHost('vault.example.com', EgressTraffic.tlsOrigination({ credentialName: 'vault-ca' }));
    egress.addHost('orders.db.example.com', EgressTraffic.tcp({
      port: 3306,
      addresses: ['10.20.30.40', '10.20.30.41'],
      portName: 'mysql-orders',
      protocol: Protocol.MYSQL,
      gatewayPort: 13306,
    }));
    const out = synthValid(chart);

    expect(objectsOf(out, 'Sidecar')).toEqual([]);
    expect(egress.sidecar).toBeUndefined();
    expect(egress.hosts.map(h => [h.host, h.protocol])).toEqual([
      ['edition.cnn.com', EgressProtocol.HTTP],
      ['*.wikipedia.org', EgressProtocol.HTTPS_PASSTHROUGH],
      ['api.example.com', EgressProtocol.TLS_ORIGINATION],
      ['vault.example.com', EgressProtocol.TLS_ORIGINATION],
      ['orders.db.example.com', EgressProtocol.TCP],
    ]);
    for (const o of out.filter(x => x.apiVersion.startsWith('networking.istio.io/'))) {
      expect(o.metadata.namespace).toBe('payments');
    }
    const egw = 'egress-internal.egress.svc.cluster.local';
    const spec = (kind: string, name: string) => findObject(out, kind, `test-egress-${name}`).spec;

    // HTTP: custom port and name, subset name, resolution; plain leg through port 80 of the gateway
    expect(spec('ServiceEntry', 'edition-cnn-com-entry')).toMatchObject({
      ports: [{ number: 8080, name: 'http-web', protocol: 'HTTP' }], resolution: 'DNS_ROUND_ROBIN', exportTo: ['.', 'egress'],
    });
    expect(spec('Gateway', 'edition-cnn-com-gateway')).toEqual({
      selector: { app: 'egress-internal' },
      servers: [{ port: { number: 80, protocol: 'HTTP', name: 'http' }, hosts: ['edition.cnn.com'] }],
    });
    expect(spec('DestinationRule', 'edition-cnn-com-to-gateway')).toEqual({ host: egw, subsets: [{ name: 'cnn' }], exportTo: ['.'] });
    expect(spec('VirtualService', 'edition-cnn-com-route').http).toEqual([
      { match: [{ gateways: ['mesh'], port: 8080 }], route: [{ destination: { host: egw, port: { number: 80 }, subset: 'cnn' }, weight: 100 }] },
      {
        match: [{ gateways: ['payments/test-egress-edition-cnn-com-gateway'], port: 80 }],
        route: [{ destination: { host: 'edition.cnn.com', port: { number: 8080 } }, weight: 100 }],
      },
    ]);

    // passthrough of a wildcard, through one concrete host
    expect(spec('ServiceEntry', 'wildcard-wikipedia-org-entry')).toMatchObject({
      hosts: ['*.wikipedia.org'], ports: [{ number: 8443, name: 'https-wiki', protocol: 'TLS' }], resolution: 'NONE',
    });
    expect(spec('ServiceEntry', 'wildcard-wikipedia-org-via-entry')).toMatchObject({ hosts: ['www.wikipedia.org'], resolution: 'DNS' });
    expect(spec('Gateway', 'wildcard-wikipedia-org-gateway').servers).toEqual([
      { port: { number: 443, protocol: 'TLS', name: 'tls' }, hosts: ['*.wikipedia.org'], tls: { mode: 'PASSTHROUGH' } },
    ]);
    expect(spec('VirtualService', 'wildcard-wikipedia-org-route').tls).toEqual([
      {
        match: [{ gateways: ['mesh'], port: 8443, sniHosts: ['*.wikipedia.org'] }],
        route: [{ destination: { host: egw, port: { number: 443 }, subset: 'wildcard-wikipedia-org' }, weight: 100 }],
      },
      {
        match: [{ gateways: ['payments/test-egress-wildcard-wikipedia-org-gateway'], port: 443, sniHosts: ['*.wikipedia.org'] }],
        route: [{ destination: { host: 'www.wikipedia.org', port: { number: 8443 } }, weight: 100 }],
      },
    ]);

    // TLS origination: every option, then credentialName
    expect(spec('ServiceEntry', 'api-example-com-entry').ports).toEqual([
      { number: 8000, name: 'http-api', protocol: 'HTTP' },
      { number: 9443, name: 'https-api', protocol: 'HTTPS' },
    ]);
    expect(spec('VirtualService', 'api-example-com-route').http[1].route).toEqual([
      { destination: { host: 'api.example.com', port: { number: 9443 } }, weight: 100 },
    ]);
    expect(spec('DestinationRule', 'api-example-com-origination')).toEqual({
      host: 'api.example.com',
      trafficPolicy: {
        portLevelSettings: [{
          port: { number: 9443 },
          tls: { mode: 'SIMPLE', caCertificates: '/etc/egress-ca/ca.pem', subjectAltNames: ['api.example.com'], sni: 'edge.example.com' },
        }],
      },
      exportTo: ['.', 'egress'],
    });
    expect(spec('DestinationRule', 'vault-example-com-origination').trafficPolicy.portLevelSettings).toEqual([
      { port: { number: 443 }, tls: { mode: 'SIMPLE', credentialName: 'vault-ca', sni: 'vault.example.com' } },
    ]);

    // TCP: addresses, protocol, port name, a gateway port of its own
    expect(spec('ServiceEntry', 'orders-db-example-com-entry')).toMatchObject({
      addresses: ['10.20.30.40', '10.20.30.41'], ports: [{ number: 3306, name: 'mysql-orders', protocol: 'MYSQL' }], resolution: 'DNS',
    });
    expect(spec('Gateway', 'orders-db-example-com-gateway').servers).toEqual([
      { port: { number: 13306, protocol: 'TCP', name: 'tcp' }, hosts: ['orders.db.example.com'] },
    ]);
    expect(spec('VirtualService', 'orders-db-example-com-route').tcp).toEqual([
      {
        match: [{ gateways: ['mesh'], port: 3306, destinationSubnets: ['10.20.30.40', '10.20.30.41'] }],
        route: [{ destination: { host: egw, port: { number: 13306 }, subset: 'orders-db-example-com' }, weight: 100 }],
      },
      {
        match: [{ gateways: ['payments/test-egress-orders-db-example-com-gateway'], port: 13306 }],
        route: [{ destination: { host: 'orders.db.example.com', port: { number: 3306 } }, weight: 100 }],
      },
    ]);
    expect(egress.warnings).toEqual([]);
  });

  describe('the mutual leg for each kind of traffic', () => {
    test('HTTPS passthrough: the gateway ends the mTLS on 443 (TLS, ISTIO_MUTUAL) and forwards the app\'s TLS as TCP', () => {
      const chart = chartIn('shop');
      new EgressGateway(chart, 'egress').addHost('edition.cnn.com', EgressTraffic.httpsPassthrough());
      const out = synthValid(chart);
      expect(findObject(out, 'Gateway').spec.servers).toEqual([
        { port: { number: 443, protocol: 'TLS', name: 'tls' }, hosts: ['edition.cnn.com'], tls: { mode: 'ISTIO_MUTUAL' } },
      ]);
      expect(findObject(out, 'DestinationRule').spec.subsets).toEqual([
        { name: 'edition-cnn-com', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL', sni: 'edition.cnn.com' } } },
      ]);
      const vs = findObject(out, 'VirtualService').spec;
      expect(vs.tls).toEqual([{
        match: [{ gateways: ['mesh'], port: 443, sniHosts: ['edition.cnn.com'] }],
        route: [{ destination: { host: EGW, port: { number: 443 }, subset: 'edition-cnn-com' }, weight: 100 }],
      }]);
      expect(vs.tcp).toEqual([{
        match: [{ gateways: ['shop/test-egress-edition-cnn-com-gateway'], port: 443 }],
        route: [{ destination: { host: 'edition.cnn.com', port: { number: 443 } }, weight: 100 }],
      }]);
    });

    test('TLS origination: sidecar -> gateway over mTLS on 443, gateway -> host over TLS on 443', () => {
      const chart = chartIn('shop');
      const host = new EgressGateway(chart, 'egress').addHost('api.example.com', EgressTraffic.tlsOrigination({ caCertificates: '/etc/ca.pem' }));
      const out = synthValid(chart);
      expect(findObject(out, 'Gateway').spec.servers[0]).toMatchObject({ port: { number: 443, protocol: 'HTTPS' }, tls: { mode: 'ISTIO_MUTUAL' } });
      expect(findObject(out, 'VirtualService').spec.http.map((r: any) => [r.match[0].port, r.route[0].destination.port.number])).toEqual([[80, 443], [443, 443]]);
      expect(findObject(out, 'DestinationRule', 'test-egress-api-example-com-origination').spec.trafficPolicy.portLevelSettings[0].tls)
        .toEqual({ mode: 'SIMPLE', caCertificates: '/etc/ca.pem', sni: 'api.example.com' });
      expect(host.originationRule?.verifiesServerCertificate).toBe(true);
    });

    test('TCP: through port 443 of the gateway too, told apart by SNI', () => {
      const chart = chartIn('shop');
      new EgressGateway(chart, 'egress').addHost('orders.db.example.com', EgressTraffic.tcp({ port: 3306, addresses: ['10.20.30.40'] }));
      const out = synthValid(chart, { openWorld: false });
      expect(findObject(out, 'Gateway').spec.servers).toEqual([
        { port: { number: 443, protocol: 'TLS', name: 'tls' }, hosts: ['orders.db.example.com'], tls: { mode: 'ISTIO_MUTUAL' } },
      ]);
      expect(findObject(out, 'DestinationRule').spec.subsets[0].trafficPolicy.tls).toEqual({ mode: 'ISTIO_MUTUAL', sni: 'orders.db.example.com' });
      expect(findObject(out, 'VirtualService').spec.tcp.map((r: any) => [r.match[0].port, r.route[0].destination])).toEqual([
        [3306, { host: EGW, port: { number: 443 }, subset: 'orders-db-example-com' }],
        [443, { host: 'orders.db.example.com', port: { number: 3306 } }],
      ]);
    });
  });

  describe('the plain leg', () => {
    test('passthrough keeps the app\'s TLS end to end: PASSTHROUGH on 443, tls routes by SNI on both legs', () => {
      const chart = chartIn('shop');
      new EgressGateway(chart, 'egress', { sidecarToGatewayTls: EgressTls.PLAIN }).addHost('edition.cnn.com', EgressTraffic.httpsPassthrough());
      const out = synthValid(chart);
      expect(findObject(out, 'Gateway').spec.servers[0].tls).toEqual({ mode: 'PASSTHROUGH' });
      expect(findObject(out, 'DestinationRule').spec.subsets).toEqual([{ name: 'edition-cnn-com' }]);
      const vs = findObject(out, 'VirtualService').spec;
      expect(vs.tcp).toBeUndefined();
      expect(vs.tls.map((r: any) => r.match[0].sniHosts)).toEqual([['edition.cnn.com'], ['edition.cnn.com']]);
    });

    test('TLS origination: plain HTTP to port 80 of the gateway, TLS from the gateway', () => {
      const chart = chartIn('shop');
      new EgressGateway(chart, 'egress', { sidecarToGatewayTls: EgressTls.PLAIN })
        .addHost('api.example.com', EgressTraffic.tlsOrigination({ credentialName: 'api-ca' }));
      const out = synthValid(chart);
      expect(findObject(out, 'Gateway').spec.servers).toEqual([{ port: { number: 80, protocol: 'HTTP', name: 'http' }, hosts: ['api.example.com'] }]);
      expect(findObject(out, 'VirtualService').spec.http.map((r: any) => [r.match[0].port, r.route[0].destination.port.number])).toEqual([[80, 80], [80, 443]]);
    });

    test('TCP gets a port of its own on the gateway (the port by default), which the gateway Service must expose', () => {
      const chart = chartIn('shop');
      egressGatewayService(chart, [3306]);
      new EgressGateway(chart, 'egress', { sidecarToGatewayTls: EgressTls.PLAIN })
        .addHost('orders.db.example.com', EgressTraffic.tcp({ port: 3306, addresses: ['10.20.30.40'] }));
      const out = synthValid(chart, { openWorld: false });
      expect(findObject(out, 'Gateway').spec.servers).toEqual([{ port: { number: 3306, protocol: 'TCP', name: 'tcp' }, hosts: ['orders.db.example.com'] }]);
      expect(findObject(out, 'VirtualService').spec.tcp[0].route[0].destination).toEqual({ host: EGW, port: { number: 3306 }, subset: 'orders-db-example-com' });
    });

    test('fails validation when the egress gateway Service does not expose the port of a plain TCP host', () => {
      const chart = chartIn('shop');
      new EgressGateway(chart, 'egress', { sidecarToGatewayTls: EgressTls.PLAIN })
        .addHost('orders.db.example.com', EgressTraffic.tcp({ port: 3306, addresses: ['10.20.30.40'] }));
      expect(() => synthValid(chart)).toThrow(`Referenced host:port not found: "${EGW}:3306"`);
    });
  });

  test('the wildcard pattern: NONE on the sidecars only, the gateway forwards to the concrete host (no loop reported)', () => {
    const chart = chartIn('shop');
    const egress = new EgressGateway(chart, 'egress');
    const wiki = egress.addHost('*.wikipedia.org', EgressTraffic.httpsPassthrough({ wildcardViaHost: 'www.wikipedia.org' }));
    const out = synthValid(chart, { openWorld: false, strict: true });
    expect(wiki.serviceEntry.resolution).toBe(ServiceEntryResolution.NONE);
    expect(wiki.viaServiceEntry?.resolution).toBe(ServiceEntryResolution.DNS);
    expect(findObject(out, 'VirtualService').spec.tcp[0].route[0].destination.host).toBe('www.wikipedia.org');
    expect(findObject(out, 'DestinationRule').spec.subsets[0].trafficPolicy.tls.sni).toBe('www.wikipedia.org');
    expect(findingsOf(out).map(f => f.code)).not.toContain('CDK8S-ISTIO-A001');
  });

  test('host() and hosts expose the parts of each host', () => {
    const chart = chartIn('shop');
    const egress = new EgressGateway(chart, 'egress');
    const cnn = egress.addHost('edition.cnn.com', EgressTraffic.http());
    const api = egress.addHost('api.example.com', EgressTraffic.tlsOrigination({ credentialName: 'api-ca' }));
    expect(egress.host('edition.cnn.com')).toBe(cnn);
    expect(egress.hosts).toEqual([cnn, api]);
    expect(cnn.traffic.port).toBe(80);
    expect(cnn.subsetName).toBe('edition-cnn-com');
    expect(cnn.originationRule).toBeUndefined();
    expect(cnn.viaServiceEntry).toBeUndefined();
    expect([cnn.serviceEntry, cnn.gateway, cnn.destinationRule, cnn.virtualService].map(c => c!.node.path)).toEqual([
      'test/egress/edition-cnn-com/entry', 'test/egress/edition-cnn-com/gateway',
      'test/egress/edition-cnn-com/to-gateway', 'test/egress/edition-cnn-com/route',
    ]);
    expect(api.originationRule?.host).toBe('api.example.com');
    expect(cnn.virtualService!.gateways).toEqual(['shop/test-egress-edition-cnn-com-gateway', 'mesh']);
    expect(egress.sidecar?.outboundTrafficPolicy).toBe('REGISTRY_ONLY');
    synthValid(chart);
  });

  test('throws when host() names a host that was not added', () => {
    const egress = new EgressGateway(chartIn('shop'), 'egress');
    egress.addHost('edition.cnn.com', EgressTraffic.http());
    expect(() => egress.host('api.example.com'))
      .toThrow("EgressGateway 'test/egress': invalid host \"api.example.com\": not a host of this EgressGateway (hosts: edition.cnn.com)");
  });

  test('objects in the egress gateway\'s namespace are exported to it alone; without a namespace, "." and the gateway\'s', () => {
    const inSystem = chartIn('istio-system');
    new EgressGateway(inSystem, 'egress', { lockDown: false }).addHost('edition.cnn.com', EgressTraffic.http());
    expect(findObject(synthValid(inSystem), 'VirtualService').spec.exportTo).toEqual(['.']);

    const noNamespace = chartIn();
    new EgressGateway(noNamespace, 'egress').addHost('edition.cnn.com', EgressTraffic.http());
    const out = synthValid(noNamespace);
    expect(findObject(out, 'ServiceEntry').spec.exportTo).toEqual(['.', 'istio-system']);
    expect(findObject(out, 'VirtualService').spec.gateways).toEqual(['test-egress-edition-cnn-com-gateway', 'mesh']);
    expect(findObject(out, 'Sidecar').metadata.namespace).toBeUndefined();
  });

  test('warns when TLS origination names no CA, as Istio\'s analyzer does (IST0129)', () => {
    const chart = chartIn('shop');
    const egress = new EgressGateway(chart, 'egress');
    egress.addHost('api.example.com', EgressTraffic.tlsOrigination());
    expect(egress.warnings).toEqual([
      "EgressGateway 'test/egress': hosts[\"api.example.com\"]: TLS origination without caCertificates or credentialName: the egress gateway "
      + "does not verify the host's certificate against a CA of yours (IST0129 on DestinationRule 'test/egress/api-example-com/origination'); "
      + 'give caCertificates (a path in the egress gateway pods) or credentialName (a Secret in the egress gateway\'s namespace)',
    ]);
    const out = synthValid(chart); // a warning, not an error
    expect(findingsOf(out, { openWorld: true }).map(f => f.code)).toEqual(['IST0129']);
    expect(() => synthValid(chart, { strict: true })).toThrow('[IST0129] (DestinationRule shop/test-egress-api-example-com-origination)');
  });

  test('fails validation when two EgressGateways lock the same namespace down', () => {
    const chart = chartIn('shop');
    new EgressGateway(chart, 'a').addHost('edition.cnn.com', EgressTraffic.http());
    new EgressGateway(chart, 'b').addHost('api.example.com', EgressTraffic.http());
    expect(() => Testing.synth(chart))
      .toThrow("Sidecar 'test/b/lock-down': 'test/a/lock-down/Resource' is also a Sidecar without workloadSelector in namespace \"shop\"");
  });
});
