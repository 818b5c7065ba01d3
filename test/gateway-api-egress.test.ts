import { Chart, Testing } from 'cdk8s';
import { findObject, objectsOf, synthValid } from './util';
import { ApiMode, OutputMode } from '../src/core/output-mode';
import { EgressGateway, EgressTls } from '../src/patterns/egress-gateway';
import { EgressTraffic } from '../src/patterns/egress-traffic';

function gatewayApiChart(): Chart {
  const app = Testing.app();
  OutputMode.set(app, ApiMode.GATEWAY_API);
  return new Chart(app, 'test', { namespace: 'shop' });
}

describe('EgressGateway in gateway-api mode', () => {
  test('HTTP: Istio\'s egress task, Gateway API tab: a Gateway of class istio (ClusterIP), a route to it from the ServiceEntry, one from it to the Hostname', () => {
    const chart = gatewayApiChart();
    const egress = new EgressGateway(chart, 'egress');
    const cnn = egress.addHost('edition.cnn.com', EgressTraffic.http());
    const manifests = synthValid(chart);

    expect(egress.gatewayApiGateway?.node.id).toBe('gateway-api');
    expect(cnn.virtualService).toBeUndefined();
    expect(cnn.routes.map(r => r.node.id)).toEqual(['to-gateway', 'from-gateway']);
    expect(objectsOf(manifests, 'VirtualService')).toEqual([]);
    expect(objectsOf(manifests, 'DestinationRule')).toEqual([]);

    const gateway = findObject(manifests, 'Gateway', 'test-egress');
    expect(gateway.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(gateway.metadata).toEqual({ name: 'test-egress', namespace: 'shop', annotations: { 'networking.istio.io/service-type': 'ClusterIP' } });
    expect(gateway.spec).toEqual({
      gatewayClassName: 'istio',
      listeners: [{ name: 'edition-cnn-com', hostname: 'edition.cnn.com', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Same' } } }],
    });
    const entry = findObject(manifests, 'ServiceEntry');
    expect(entry.spec.exportTo).toEqual(['.']);
    expect(findObject(manifests, 'HTTPRoute', 'test-egress-edition-cnn-com-to-gateway').spec).toEqual({
      parentRefs: [{ kind: 'ServiceEntry', group: 'networking.istio.io', name: entry.metadata.name }],
      rules: [{ backendRefs: [{ name: 'test-egress-istio', port: 80 }] }],
    });
    expect(findObject(manifests, 'HTTPRoute', 'test-egress-edition-cnn-com-from-gateway').spec).toEqual({
      parentRefs: [{ name: 'test-egress' }],
      hostnames: ['edition.cnn.com'],
      rules: [{ backendRefs: [{ kind: 'Hostname', group: 'networking.istio.io', name: 'edition.cnn.com', port: 80 }] }],
    });
    // the lock-down Sidecar stays: the Gateway API has no REGISTRY_ONLY
    expect(objectsOf(manifests, 'Sidecar')).toHaveLength(1);
  });

  test('TLS origination: the gateway forwards to port 443 of the host, and the origination DestinationRule is kept', () => {
    const chart = gatewayApiChart();
    new EgressGateway(chart, 'egress').addHost('edition.cnn.com', EgressTraffic.tlsOrigination({ credentialName: 'cnn-ca' }));
    const manifests = synthValid(chart);
    expect(findObject(manifests, 'HTTPRoute', 'test-egress-edition-cnn-com-from-gateway').spec.rules[0].backendRefs[0].port).toBe(443);
    expect(findObject(manifests, 'DestinationRule').spec.trafficPolicy.portLevelSettings[0].tls).toEqual({ mode: 'SIMPLE', credentialName: 'cnn-ca', sni: 'edition.cnn.com' });
  });

  test('HTTPS passthrough: a TLS listener (Passthrough) on 443 and TLSRoutes; several hosts share the Gateway', () => {
    const chart = gatewayApiChart();
    const egress = new EgressGateway(chart, 'egress');
    egress.addHost('edition.cnn.com', EgressTraffic.httpsPassthrough());
    egress.addHost('api.stripe.com', EgressTraffic.http());
    const manifests = synthValid(chart);
    expect(findObject(manifests, 'Gateway').spec.listeners).toEqual([
      { name: 'edition-cnn-com', hostname: 'edition.cnn.com', port: 443, protocol: 'TLS', tls: { mode: 'Passthrough' }, allowedRoutes: { namespaces: { from: 'Same' } } },
      { name: 'api-stripe-com', hostname: 'api.stripe.com', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Same' } } },
    ]);
    const tls = objectsOf(manifests, 'TLSRoute');
    expect(tls.map(r => r.metadata.name)).toEqual(['test-egress-edition-cnn-com-to-gateway', 'test-egress-edition-cnn-com-from-gateway']);
    expect(tls[0].spec.rules[0].backendRefs).toEqual([{ name: 'test-egress-istio', port: 443 }]);
    expect(tls[1].spec.rules[0].backendRefs).toEqual([{ kind: 'Hostname', group: 'networking.istio.io', name: 'edition.cnn.com', port: 443 }]);
  });

  test('throws when gatewaySelector or gatewayServiceHost name an existing egress gateway', () => {
    const chart = gatewayApiChart();
    expect(() => new EgressGateway(chart, 'a', { gatewaySelector: { istio: 'egressgateway' }, gatewayServiceHost: 'istio-egressgateway.istio-system.svc.cluster.local' }))
      .toThrow(/EgressGateway 'test\/a': invalid gatewaySelector \{"istio":"egressgateway"\}: an existing egress gateway deployment .* cannot be expressed in ApiMode.GATEWAY_API .*leave gatewaySelector out, or set ApiMode.ISTIO/);
  });

  test('throws when the sidecar-to-gateway leg is asked to be plaintext; MUTUAL is what it is', () => {
    const chart = gatewayApiChart();
    expect(() => new EgressGateway(chart, 'a', { sidecarToGatewayTls: EgressTls.PLAIN }))
      .toThrow(/invalid sidecarToGatewayTls "PLAIN": a plaintext sidecar-to-gateway leg cannot be expressed in ApiMode.GATEWAY_API/);
    expect(() => new EgressGateway(chart, 'b', { sidecarToGatewayTls: EgressTls.MUTUAL })).not.toThrow();
  });

  test('throws when a host is a wildcard or opaque TCP', () => {
    const chart = gatewayApiChart();
    const egress = new EgressGateway(chart, 'egress');
    expect(() => egress.addHost('*.wikipedia.org', EgressTraffic.httpsPassthrough({ wildcardViaHost: 'www.wikipedia.org' })))
      .toThrow(/invalid hosts\["\*.wikipedia.org"\] "\*.wikipedia.org": a wildcard egress host .* cannot be expressed in ApiMode.GATEWAY_API/);
    expect(() => egress.addHost('db.example.com', EgressTraffic.tcp({ port: 3306, addresses: ['10.0.0.5'] })))
      .toThrow(/invalid hosts\["db.example.com"\] "db.example.com": opaque TCP egress .* cannot be expressed in ApiMode.GATEWAY_API/);
    expect(() => egress.addHost('www.wikipedia.org', EgressTraffic.httpsPassthrough())).not.toThrow();
    synthValid(chart);
  });
});
