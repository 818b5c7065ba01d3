import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-32';
import { findObject, synthValid } from './util';
import { Principal } from '../src/core/principal';
import { Protocol } from '../src/core/protocol';
import { PolicyTargetRef } from '../src/core/target-ref';
import { WorkloadSelector } from '../src/core/workload-selector';
import { ServiceEntry } from '../src/networking/service-entry';
import { Waypoint, WaypointFor } from '../src/networking/waypoint';
import { AmbientNamespace } from '../src/patterns/ambient-namespace';
import { EgressGateway } from '../src/patterns/egress-gateway';
import { EgressTraffic } from '../src/patterns/egress-traffic';
import { StrictMtlsNamespace } from '../src/patterns/strict-mtls-namespace';
import { WaypointEgress } from '../src/patterns/waypoint-egress';
import { AuthorizationAction, AuthorizationPolicy } from '../src/security/authorization-policy';
import { MtlsMode } from '../src/security/peer-authentication';

function chart(namespace = 'shop'): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

function service(scope: Chart, name: string): ApiObject {
  return new ApiObject(scope, name, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { selector: { app: name }, ports: [{ name: 'http', port: 9080 }] },
  });
}

describe('AmbientNamespace', () => {
  test('creates the Namespace labelled ambient', () => {
    const c = chart();
    new AmbientNamespace(c, 'ns');
    const ns = findObject(synthValid(c), 'Namespace', 'shop');
    expect(ns.metadata.labels).toEqual({ 'istio.io/dataplane-mode': 'ambient' });
    expect(ns.metadata.namespace).toBeUndefined();
  });

  test('enrolls the namespace in a waypoint', () => {
    const c = chart();
    const waypoint = new Waypoint(c, 'waypoint', { metadata: { name: 'waypoint' } });
    new AmbientNamespace(c, 'ns', { waypoint });
    const out = synthValid(c);
    expect(findObject(out, 'Namespace', 'shop').metadata.labels).toEqual({ 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' });
  });

  test('labels an existing Namespace (cdk8s-plus)', () => {
    const c = chart();
    const ns = new kplus.Namespace(c, 'existing', { metadata: { name: 'shop' } });
    new AmbientNamespace(c, 'ns', { namespaceObject: ns });
    expect(findObject(synthValid(c), 'Namespace', 'shop').metadata.labels['istio.io/dataplane-mode']).toBe('ambient');
  });

  test('opts a workload out', () => {
    const c = chart();
    const ns = new AmbientNamespace(c, 'ns');
    const d = new kplus.Deployment(c, 'legacy', { containers: [{ image: 'nginx', securityContext: { ensureNonRoot: false } }] });
    ns.optOut(d);
    const dep = findObject(Testing.synth(c), 'Deployment');
    expect(dep.spec.template.metadata.labels['istio.io/dataplane-mode']).toBe('none');
  });

  test('throws when the namespace is istio-system or kube-system', () => {
    expect(() => new AmbientNamespace(chart(), 'ns', { namespace: 'istio-system' })).toThrow(/AmbientNamespace 'test\/ns': invalid namespace "istio-system": ambient mode does not apply/);
    expect(() => new AmbientNamespace(chart(), 'ns', { namespace: 'kube-system' })).toThrow(/ambient mode does not apply/);
  });

  test('throws when sidecar injection labels are given', () => {
    expect(() => new AmbientNamespace(chart(), 'ns', { namespaceLabels: { 'istio-injection': 'enabled' } })).toThrow(/namespaceLabels\["istio-injection"\].*sidecar injection takes precedence/);
  });

  test('throws when an existing Namespace is labelled for injection', () => {
    const c = chart();
    const ns = new ApiObject(c, 'existing', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } });
    expect(() => new AmbientNamespace(c, 'ns', { namespaceObject: ns })).toThrow(/labelled for sidecar injection/);
  });
});

describe('Waypoint', () => {
  test('renders the waypoint Gateway', () => {
    const c = chart();
    new Waypoint(c, 'waypoint', { metadata: { name: 'waypoint' } });
    const gw = findObject(synthValid(c), 'Gateway', 'waypoint');
    expect(gw).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'waypoint', namespace: 'shop', labels: { 'istio.io/waypoint-for': 'service' } },
      spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
    });
  });

  test('its identity and targetRef', () => {
    const c = chart();
    const w = new Waypoint(c, 'waypoint', { metadata: { name: 'waypoint' } });
    expect(w.principal.value).toBe('cluster.local/ns/shop/sa/waypoint');
    expect(w.targetRef.toString()).toBe('Gateway gateway.networking.k8s.io/waypoint');
  });

  test('enrolls a Service and a ServiceEntry', () => {
    const c = chart();
    const w = new Waypoint(c, 'waypoint', { metadata: { name: 'waypoint' } });
    w.enroll(service(c, 'reviews'));
    w.enroll(new ServiceEntry(c, 'httpbin', { hosts: ['httpbin.org'], ports: [{ number: 80, protocol: Protocol.HTTP }] }));
    const out = synthValid(c);
    expect(findObject(out, 'Service', 'reviews').metadata.labels).toEqual({ 'istio.io/use-waypoint': 'waypoint' });
    expect(findObject(out, 'ServiceEntry').metadata.labels).toEqual({ 'istio.io/use-waypoint': 'waypoint' });
  });

  test('cross-namespace use needs allowOtherNamespaces, then adds use-waypoint-namespace', () => {
    const app = Testing.app();
    const egress = new Chart(app, 'egress', { namespace: 'istio-egress' });
    const shop = new Chart(app, 'shop', { namespace: 'shop' });
    const closed = new Waypoint(egress, 'closed', { metadata: { name: 'closed' } });
    expect(() => closed.enroll(service(shop, 'api'))).toThrow(/only takes its own namespace's traffic: set allowOtherNamespaces/);
    const open = new Waypoint(egress, 'waypoint', { metadata: { name: 'waypoint' }, allowOtherNamespaces: true });
    const svc = service(shop, 'web');
    open.enroll(svc);
    expect(svc.metadata.getLabel('istio.io/use-waypoint-namespace')).toBe('istio-egress');
    expect(findObject(synthValid(egress), 'Gateway', 'waypoint').spec.listeners[0].allowedRoutes).toEqual({ namespaces: { from: 'All' } });
  });

  test('throws when the traffic type does not take the target', () => {
    const c = chart();
    const w = new Waypoint(c, 'waypoint', { metadata: { name: 'waypoint' }, waypointFor: WaypointFor.WORKLOAD });
    expect(() => w.enroll(service(c, 'reviews'))).toThrow(/a waypoint for "workload" traffic ignores a Service's traffic/);
    const none = new Waypoint(c, 'none', { waypointFor: WaypointFor.NONE });
    expect(() => none.enroll(service(c, 'details'))).toThrow(/takes no traffic/);
  });

  test('throws when the target is not enrollable', () => {
    const c = chart();
    const w = new Waypoint(c, 'waypoint', { metadata: { name: 'waypoint' } });
    const d = new kplus.Deployment(c, 'web', { containers: [{ image: 'nginx' }] });
    expect(() => w.enroll(d)).toThrow(/only a Namespace, Service, ServiceEntry, Pod can use a waypoint/);
  });
});

describe('AuthorizationPolicy in ambient mode', () => {
  test('throws at synth when a selector policy has L7 attributes', () => {
    const c = chart();
    new AuthorizationPolicy(c, 'viewer', {
      ambient: true,
      selector: WorkloadSelector.fromLabels({ app: 'productpage' }),
      rules: [{ from: [{ principals: [Principal.serviceAccount('shop', 'curl')] }], to: [{ methods: ['GET'] }] }],
    });
    expect(() => Testing.synth(c)).toThrow(/enforced by ztunnel in ambient mode, which cannot match L7 attributes \(rules\[0\]\.to\[0\]\.operation\.methods\)/);
  });

  test('throws at synth for CUSTOM without targetRefs', () => {
    const c = chart();
    new AuthorizationPolicy(c, 'ext', { ambient: true, action: AuthorizationAction.CUSTOM, provider: 'oauth2', rules: [{}] });
    expect(() => Testing.synth(c)).toThrow(/action CUSTOM with no selector or targetRefs/);
  });

  test('an L7 policy with targetRefs and an L4 selector policy are fine', () => {
    const c = chart();
    const w = new Waypoint(c, 'waypoint', { metadata: { name: 'waypoint' } });
    new AuthorizationPolicy(c, 'l7', {
      ambient: true,
      targetRefs: [PolicyTargetRef.service('productpage')],
      rules: [{ from: [{ principals: [Principal.serviceAccount('shop', 'curl')] }], to: [{ methods: ['GET'] }] }],
    });
    const l4 = new AuthorizationPolicy(c, 'l4', {
      ambient: true,
      selector: WorkloadSelector.fromLabels({ app: 'productpage' }),
      rules: [{ from: [{ principals: [Principal.serviceAccount('shop', 'gateway')] }], to: [{ ports: [9080] }] }],
    });
    l4.allowWaypoint(w.principal);
    const out = synthValid(c);
    expect(findObject(out, 'AuthorizationPolicy', 'test-l4').spec.rules[1]).toEqual({ from: [{ source: { principals: ['cluster.local/ns/shop/sa/waypoint'] } }] });
  });

  test('allowWaypoint throws on a DENY policy or a targetRefs policy', () => {
    const c = chart();
    const w = new Waypoint(c, 'waypoint', { metadata: { name: 'waypoint' } });
    expect(() => AuthorizationPolicy.denyAll(c, 'deny').allowWaypoint(w.principal)).toThrow(/only an ALLOW policy lets a waypoint in/);
    expect(() => AuthorizationPolicy.allowNothing(c, 'l7', { targetRefs: [w.targetRef] }).allowWaypoint(w.principal)).toThrow(/the waypoint itself enforces it/);
  });
});

describe('WaypointEgress', () => {
  test('a host: ServiceEntry in the enrolled namespace, policy on it, TLS origination', () => {
    const c = chart('istio-egress');
    const egress = new WaypointEgress(c, 'egress');
    const h = egress.addHost('httpbin.org', EgressTraffic.tlsOrigination({ caCertificates: '/etc/ssl/certs/ca-certificates.crt' }), {
      allowFrom: [Principal.serviceAccount('default', 'curl')], methods: ['GET'],
    });
    const out = synthValid(c);
    expect(out[0]).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-egress', labels: { 'istio.io/use-waypoint': 'waypoint' } } });
    expect(findObject(out, 'ServiceEntry', 'httpbin.org').spec.ports).toEqual([{ number: 80, name: 'http-80', protocol: 'HTTP', targetPort: 443 }]);
    expect(findObject(out, 'DestinationRule', 'httpbin.org-tls').spec.trafficPolicy.tls).toEqual({ mode: 'SIMPLE', caCertificates: '/etc/ssl/certs/ca-certificates.crt', sni: 'httpbin.org' });
    expect(findObject(out, 'AuthorizationPolicy', 'httpbin.org').spec).toEqual({
      action: 'ALLOW',
      targetRefs: [{ group: 'networking.istio.io', kind: 'ServiceEntry', name: 'httpbin.org' }],
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/default/sa/curl'] } }], to: [{ operation: { methods: ['GET'] } }] }],
    });
    expect(h.destinationRule).toBeDefined();
  });

  test('nobody allowed by default; without a Namespace object the ServiceEntry is enrolled', () => {
    const c = chart('istio-egress');
    const egress = new WaypointEgress(c, 'egress', { createNamespace: false });
    egress.addHost('api.example.com', EgressTraffic.httpsPassthrough());
    const out = synthValid(c);
    expect(findObject(out, 'AuthorizationPolicy', 'api.example.com').spec.rules).toBeUndefined();
    expect(findObject(out, 'ServiceEntry', 'api.example.com').metadata.labels).toEqual({ 'istio.io/use-waypoint': 'waypoint' });
  });

  test('throws for TCP, TLS origination without a CA, and methods on passthrough', () => {
    const egress = new WaypointEgress(chart('istio-egress'), 'egress');
    expect(() => egress.addHost('db.example.com', EgressTraffic.tcp({ port: 3306, addresses: ['10.0.0.1'] }))).toThrow(/opaque TCP is routed by address/);
    expect(() => egress.addHost('a.example.com', EgressTraffic.tlsOrigination())).toThrow(/give caCertificates .* or credentialName/);
    expect(() => egress.addHost('b.example.com', EgressTraffic.httpsPassthrough(), { methods: ['GET'] })).toThrow(/the waypoint cannot read methods or paths/);
    expect(() => egress.addHost('*.example.com', EgressTraffic.http())).toThrow(/a lowercase FQDN/);
  });
});

describe('StrictMtlsNamespace in ambient mode', () => {
  test('the Namespace labelled ambient instead of injection; the policies stay (ztunnel enforces them)', () => {
    const c = chart();
    const waypoint = new Waypoint(c, 'waypoint', { metadata: { name: 'waypoint' } });
    const ns = new StrictMtlsNamespace(c, 'mtls', { ambient: true, allowFrom: { namespaces: ['shop'] } });
    ns.allow(waypoint.principal);
    const out = synthValid(c);
    expect(findObject(out, 'Namespace', 'shop').metadata.labels).toEqual({ 'istio.io/dataplane-mode': 'ambient' });
    expect(findObject(out, 'PeerAuthentication', 'default').spec.mtls).toEqual({ mode: 'STRICT' });
    expect(findObject(out, 'AuthorizationPolicy', 'deny-plaintext').spec.action).toBe('DENY');
    expect(ns.ambient).toBe(true);
  });

  test('throws for sidecar injection, DISABLE port exceptions and system namespaces', () => {
    expect(() => new StrictMtlsNamespace(chart(), 'mtls', { ambient: true, sidecarInjection: true })).toThrow(/invalid sidecarInjection true: ambient mode runs no sidecars/);
    expect(() => new StrictMtlsNamespace(chart(), 'mtls', {
      ambient: true, portExceptions: [{ selector: WorkloadSelector.fromLabels({ app: 'db' }), port: 9000, mode: MtlsMode.DISABLE }],
    })).toThrow(/ztunnel ignores DISABLE in ambient mode/);
    expect(() => new StrictMtlsNamespace(chart('kube-system'), 'mtls', { ambient: true })).toThrow(/ambient mode does not apply to kube-system/);
  });
});

describe('EgressGateway in ambient mode', () => {
  test('throws and points to WaypointEgress', () => {
    expect(() => new EgressGateway(chart(), 'egress', { ambient: true })).toThrow(/EgressGateway 'test\/egress': invalid ambient true: ambient workloads run no sidecar .* use WaypointEgress/);
  });
});

describe('error paths', () => {
  test('throws when a namespace is enrolled twice, or namespace and namespaceObject are both given', () => {
    const c = chart();
    const ns = new AmbientNamespace(c, 'ns', { waypoint: new Waypoint(c, 'a', { metadata: { name: 'a' } }) });
    expect(() => ns.useWaypoint(new Waypoint(c, 'b', { metadata: { name: 'b' } }))).toThrow(/enrolled in the waypoint "a" already/);
    const obj = new ApiObject(c, 'existing', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
    expect(() => new AmbientNamespace(c, 'both', { namespace: 'x', namespaceObject: obj })).toThrow(/namespace and namespaceObject exclude each other/);
    expect(() => new AmbientNamespace(c, 'svc', { namespaceObject: service(c, 'web') })).toThrow(/invalid namespaceObject "Service web": a Namespace construct/);
  });

  test('throws when opting out a workload of another namespace, or a Service', () => {
    const app = Testing.app();
    const ns = new AmbientNamespace(new Chart(app, 'shop', { namespace: 'shop' }), 'ns');
    const other = new kplus.Deployment(new Chart(app, 'other', { namespace: 'other' }), 'web', { containers: [{ image: 'nginx' }] });
    expect(() => ns.optOut(other)).toThrow(/the workload is not in the namespace "shop"/);
    expect(() => ns.optOut(service(new Chart(app, 'svc', { namespace: 'shop' }), 'web'))).toThrow(/a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or Pod/);
  });

  test('throws when the waypoint-for label is set by hand, or an object is enrolled in two waypoints', () => {
    const c = chart();
    expect(() => new Waypoint(c, 'w', { metadata: { name: 'w', labels: { 'istio.io/waypoint-for': 'all' } } })).toThrow(/set by waypointFor/);
    const svc = service(c, 'web');
    new Waypoint(c, 'a', { metadata: { name: 'a' } }).enroll(svc);
    expect(() => new Waypoint(c, 'b', { metadata: { name: 'b' } }).enroll(svc)).toThrow(/it is enrolled in the waypoint "a" already/);
    expect(() => Waypoint.fromWaypointName(c, 'imported', 'Bad_Name', 'shop')).toThrow(/invalid name "Bad_Name"/);
  });

  test('throws when WaypointEgress gets a waypoint of another namespace, or a host twice', () => {
    const app = Testing.app();
    const egress = new Chart(app, 'egress', { namespace: 'istio-egress' });
    const w = new Waypoint(new Chart(app, 'shop', { namespace: 'shop' }), 'w', { metadata: { name: 'w' } });
    expect(() => new WaypointEgress(egress, 'e', { waypoint: w })).toThrow(/the waypoint must be in the egress namespace "istio-egress"/);
    const e = new WaypointEgress(egress, 'ok');
    e.addHost('httpbin.org', EgressTraffic.http());
    expect(() => e.addHost('httpbin.org', EgressTraffic.http())).toThrow(/the host is added already/);
  });
});

describe('ingress through the waypoint', () => {
  test('enroll(service, { ingress: true }) adds istio.io/ingress-use-waypoint', () => {
    const c = chart();
    const svc = service(c, 'productpage');
    new Waypoint(c, 'waypoint', { metadata: { name: 'waypoint' } }).enroll(svc, { ingress: true });
    expect(findObject(synthValid(c), 'Service', 'productpage').metadata.labels).toEqual({ 'istio.io/use-waypoint': 'waypoint', 'istio.io/ingress-use-waypoint': 'true' });
  });

  test('throws when a Pod is enrolled with ingress', () => {
    const c = chart();
    const pod = new ApiObject(c, 'pod', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'nginx' }] } });
    expect(() => new Waypoint(c, 'w', { metadata: { name: 'w' }, waypointFor: WaypointFor.ALL }).enroll(pod, { ingress: true })).toThrow(/ingress gateways call Services/);
  });
});
