import { deployment, findings, istio, namespace, service, single } from './fixtures';
import { FindingLevel } from '../../../src/validation/findings';

const NS = 'shop';
const ambientNs = (labels: Record<string, string> = {}) => namespace(NS, { 'istio.io/dataplane-mode': 'ambient', ...labels });
const productpage = () => [service('productpage', { ns: NS }), deployment('productpage-v1', { app: 'productpage' }, { ns: NS })];
const waypoint = (name = 'waypoint', forWhat = 'service') => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name, namespace: NS, labels: { 'istio.io/waypoint-for': forWhat } },
  spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
});
const curl = 'cluster.local/ns/shop/sa/curl';
const gatewaySa = 'cluster.local/ns/shop/sa/bookinfo-gateway-istio';
const waypointSa = 'cluster.local/ns/shop/sa/waypoint';
const l4 = (principals: string[], name = 'productpage-ztunnel') => istio('AuthorizationPolicy', name, {
  selector: { matchLabels: { app: 'productpage' } }, action: 'ALLOW', rules: [{ from: [{ source: { principals } }] }],
}, NS);
const l7 = (spec: any = {}) => istio('AuthorizationPolicy', 'productpage-waypoint', {
  targetRefs: [{ kind: 'Service', group: '', name: 'productpage' }],
  action: 'ALLOW',
  rules: [{ from: [{ source: { principals: [curl] } }], to: [{ operation: { methods: ['GET'] } }] }],
  ...spec,
}, NS);

describe('CDK8S-ISTIO-A040 L7PolicyEnforcedByZtunnel', () => {
  const selectorL7 = istio('AuthorizationPolicy', 'viewer', {
    selector: { matchLabels: { app: 'productpage' } },
    action: 'ALLOW',
    rules: [{ from: [{ source: { principals: [curl] } }], to: [{ operation: { methods: ['GET'] } }] }],
  }, NS);

  test('an error for a selector policy with methods on ambient workloads', () => {
    const f = single([ambientNs(), ...productpage(), selectorL7], 'CDK8S-ISTIO-A040');
    expect(f).toMatchObject({ level: FindingLevel.ERROR, kind: 'AuthorizationPolicy', name: 'viewer', field: 'spec.rules[0].to[0].operation.methods' });
    expect(f.message).toMatch(/^the workloads it applies to \(productpage-v1\) run in ambient mode, so this policy \(a selector\) is enforced by ztunnel, which cannot match L7 attributes/);
  });

  test('an error with a waypoint too: waypoints only take targetRefs policies', () => {
    expect(single([ambientNs({ 'istio.io/use-waypoint': 'waypoint' }), waypoint(), ...productpage(), selectorL7], 'CDK8S-ISTIO-A040').level).toBe(FindingLevel.ERROR);
  });

  test('a warning when the workloads are not in the input, and for a namespace-wide CUSTOM policy', () => {
    expect(single([ambientNs(), selectorL7], 'CDK8S-ISTIO-A040').level).toBe(FindingLevel.WARNING);
    const custom = istio('AuthorizationPolicy', 'ext', { action: 'CUSTOM', provider: { name: 'oauth2' }, rules: [{}] }, NS);
    expect(single([ambientNs(), ...productpage(), custom], 'CDK8S-ISTIO-A040')).toMatchObject({ level: FindingLevel.ERROR, field: 'spec.action' });
  });

  test('quiet for the same policy in a sidecar namespace, for targetRefs, and for L4 attributes', () => {
    expect(findings([namespace(NS, { 'istio-injection': 'enabled' }), ...productpage(), selectorL7], 'CDK8S-ISTIO-A040')).toEqual([]);
    expect(findings([ambientNs(), ...productpage(), l7()], 'CDK8S-ISTIO-A040')).toEqual([]);
    const ports = istio('AuthorizationPolicy', 'ports', { selector: { matchLabels: { app: 'productpage' } }, rules: [{ from: [{ source: { namespaces: [NS] } }], to: [{ operation: { ports: ['9080'] } }], when: [{ key: 'source.ip', values: ['10.0.0.0/8'] }] }] }, NS);
    expect(findings([ambientNs(), ...productpage(), ports], 'CDK8S-ISTIO-A040')).toEqual([]);
  });

  test('quiet for workloads opted out of ambient', () => {
    const optedOut = [service('productpage', { ns: NS }), deployment('productpage-v1', { 'app': 'productpage', 'istio.io/dataplane-mode': 'none' }, { ns: NS })];
    expect(findings([ambientNs(), ...optedOut, selectorL7], 'CDK8S-ISTIO-A040')).toEqual([]);
  });
});

describe('CDK8S-ISTIO-A041 WaypointBypass', () => {
  const base = () => [ambientNs({ 'istio.io/use-waypoint': 'waypoint' }), waypoint(), ...productpage()];

  test('warns about an L7 policy on the waypoint while the pods take anyone directly', () => {
    const f = single([...base(), l7()], 'CDK8S-ISTIO-A041');
    expect(f).toMatchObject({ level: FindingLevel.WARNING, name: 'productpage-waypoint', field: 'spec.targetRefs' });
    expect(f.message).toMatch(/enrolment alone does not stop traffic bypassing the waypoint: ztunnel lets callers reach productpage-v1 \(no L4 ALLOW policy\) directly/);
  });

  test('warns when the L4 policy admits whole namespaces, and for a policy on the waypoint Gateway', () => {
    const wide = istio('AuthorizationPolicy', 'wide', { selector: { matchLabels: { app: 'productpage' } }, rules: [{ from: [{ source: { principals: [waypointSa] } }, { source: { namespaces: [NS] } }] }] }, NS);
    expect(single([...base(), wide, l7()], 'CDK8S-ISTIO-A041').message).toMatch(/AuthorizationPolicy shop\/wide admits callers it does not name/);
    const onGateway = l7({ targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'waypoint' }] });
    expect(findings([...base(), onGateway], 'CDK8S-ISTIO-A041')).toHaveLength(1);
  });

  test('quiet when the L4 policy names its callers (the waypoint and the ingress gateway), as Istio\'s getting started does', () => {
    expect(findings([...base(), l4([gatewaySa, waypointSa]), l7()], 'CDK8S-ISTIO-A041')).toEqual([]);
  });

  test('quiet when the Service is not enrolled, or the waypoint takes workload traffic only', () => {
    expect(findings([ambientNs(), ...productpage(), l7()], 'CDK8S-ISTIO-A041')).toEqual([]);
    expect(findings([ambientNs({ 'istio.io/use-waypoint': 'waypoint' }), waypoint('waypoint', 'workload'), ...productpage(), l7()], 'CDK8S-ISTIO-A041')).toEqual([]);
  });
});

describe('CDK8S-ISTIO-A042 WaypointIdentityNotAllowed', () => {
  test('an error when the L4 policy of an enrolled Service does not admit the waypoint', () => {
    const f = single([ambientNs({ 'istio.io/use-waypoint': 'waypoint' }), waypoint(), ...productpage(), l4([gatewaySa])], 'CDK8S-ISTIO-A042');
    expect(f).toMatchObject({ level: FindingLevel.ERROR, name: 'productpage-ztunnel', field: 'spec.rules' });
    expect(f.message).toMatch(/ztunnel sees the waypoint's identity cluster\.local\/ns\/shop\/sa\/waypoint for every request through it, and no L4 ALLOW policy of shop\/productpage-v1/);
  });

  test('a warning when the waypoint is not in the input; a Service label enrolls too', () => {
    const svc = service('productpage', { ns: NS });
    svc.metadata.labels = { 'istio.io/use-waypoint': 'pp-waypoint' };
    const f = single([ambientNs(), svc, deployment('productpage-v1', { app: 'productpage' }, { ns: NS }), l4([gatewaySa])], 'CDK8S-ISTIO-A042');
    expect(f.level).toBe(FindingLevel.WARNING);
    expect(f.message).toContain('cluster.local/ns/shop/sa/pp-waypoint');
  });

  test('quiet when the waypoint is admitted (by principal, prefix, namespace or another policy), or nothing is enrolled', () => {
    const base = [ambientNs({ 'istio.io/use-waypoint': 'waypoint' }), waypoint(), ...productpage()];
    expect(findings([...base, l4([gatewaySa, waypointSa])], 'CDK8S-ISTIO-A042')).toEqual([]);
    expect(findings([...base, l4(['cluster.local/ns/shop/*'])], 'CDK8S-ISTIO-A042')).toEqual([]);
    expect(findings([...base, l4([gatewaySa]), l4([waypointSa], 'from-waypoint')], 'CDK8S-ISTIO-A042')).toEqual([]);
    expect(findings([ambientNs(), ...productpage(), l4([gatewaySa])], 'CDK8S-ISTIO-A042')).toEqual([]);
  });

  test('quiet when the Service opts out of the namespace waypoint', () => {
    const svc = service('productpage', { ns: NS });
    svc.metadata.labels = { 'istio.io/use-waypoint': 'none' };
    expect(findings([ambientNs({ 'istio.io/use-waypoint': 'waypoint' }), waypoint(), svc, deployment('productpage-v1', { app: 'productpage' }, { ns: NS }), l4([gatewaySa])], 'CDK8S-ISTIO-A042')).toEqual([]);
  });
});

describe('CDK8S-ISTIO-A043 WaypointNotFound', () => {
  test('warns in a closed world when the waypoint is not in the input, Info in an open world, and names a near miss', () => {
    const objects = [ambientNs({ 'istio.io/use-waypoint': 'waypoint' }), ...productpage()];
    const f = single(objects, 'CDK8S-ISTIO-A043');
    expect(f).toMatchObject({ level: FindingLevel.WARNING, kind: 'Namespace', name: NS, field: 'metadata.labels' });
    expect(f.message).toMatch(/^Namespace shop uses the waypoint shop\/waypoint \(istio.io\/use-waypoint\), which is not in the input\. Deploy it/);
    expect(single(objects, 'CDK8S-ISTIO-A043', { openWorld: true }).level).toBe(FindingLevel.INFO);
    const near = single([ambientNs({ 'istio.io/use-waypoint': 'waypoint' }), waypoint('waypoints')], 'CDK8S-ISTIO-A043', { openWorld: true });
    expect(near.level).toBe(FindingLevel.WARNING);
    expect(near.message).toContain('did you mean "waypoints"?');
  });

  test('warns when the Gateway is not a waypoint', () => {
    const gw = { ...waypoint(), spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } };
    expect(single([ambientNs({ 'istio.io/use-waypoint': 'waypoint' }), gw], 'CDK8S-ISTIO-A043').message).toMatch(/that Gateway is of class istio, not istio-waypoint/);
  });

  test('quiet when the waypoint is there, or the label opts out', () => {
    expect(findings([ambientNs({ 'istio.io/use-waypoint': 'waypoint' }), waypoint()], 'CDK8S-ISTIO-A043')).toEqual([]);
    const svc = service('productpage', { ns: NS });
    svc.metadata.labels = { 'istio.io/use-waypoint': 'none' };
    expect(findings([ambientNs(), svc], 'CDK8S-ISTIO-A043')).toEqual([]);
  });
});

describe('CDK8S-ISTIO-A044 WaypointTrafficTypeMismatch', () => {
  test('warns about a Service enrolled in a workload waypoint, and pods in a service waypoint', () => {
    const svc = service('productpage', { ns: NS });
    svc.metadata.labels = { 'istio.io/use-waypoint': 'waypoint' };
    const f = single([ambientNs(), waypoint('waypoint', 'workload'), svc], 'CDK8S-ISTIO-A044');
    expect(f).toMatchObject({ level: FindingLevel.WARNING, kind: 'Service', field: 'metadata.labels' });
    expect(f.message).toMatch(/^Service shop\/productpage is enrolled in the waypoint shop\/waypoint, which takes workload traffic/);
    const pods = deployment('productpage-v1', { 'app': 'productpage', 'istio.io/use-waypoint': 'waypoint' }, { ns: NS });
    expect(single([ambientNs(), waypoint(), pods], 'CDK8S-ISTIO-A044')).toMatchObject({ kind: 'Deployment', field: 'spec.template.metadata.labels' });
  });

  test('quiet for matching types and all', () => {
    const svc = service('productpage', { ns: NS });
    svc.metadata.labels = { 'istio.io/use-waypoint': 'waypoint' };
    expect(findings([ambientNs(), waypoint(), svc], 'CDK8S-ISTIO-A044')).toEqual([]);
    expect(findings([ambientNs(), waypoint('waypoint', 'all'), svc], 'CDK8S-ISTIO-A044')).toEqual([]);
  });
});

describe('CDK8S-ISTIO-A045 WaypointNamespaceNotAllowed', () => {
  const egressWaypoint = (from?: string) => ({
    ...waypoint(),
    metadata: { name: 'waypoint', namespace: 'istio-egress', labels: { 'istio.io/waypoint-for': 'service' } },
    spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE', ...(from ? { allowedRoutes: { namespaces: { from } } } : {}) }] },
  });
  const enrolled = () => {
    const svc = service('productpage', { ns: NS });
    svc.metadata.labels = { 'istio.io/use-waypoint': 'waypoint', 'istio.io/use-waypoint-namespace': 'istio-egress' };
    return svc;
  };

  test('warns when the waypoint of another namespace only allows its own', () => {
    const f = single([ambientNs(), egressWaypoint(), enrolled()], 'CDK8S-ISTIO-A045');
    expect(f).toMatchObject({ level: FindingLevel.WARNING, kind: 'Service', field: 'metadata.labels' });
    expect(f.message).toMatch(/whose listeners only allow routes from namespace istio-egress/);
  });

  test('quiet when it allows All (or a selector)', () => {
    expect(findings([ambientNs(), egressWaypoint('All'), enrolled()], 'CDK8S-ISTIO-A045')).toEqual([]);
    expect(findings([ambientNs(), egressWaypoint('Selector'), enrolled()], 'CDK8S-ISTIO-A045')).toEqual([]);
  });
});

test('A042 reads the waypoint\'s service account from gateway.istio.io/service-account', () => {
  const gw = waypoint();
  (gw.metadata as any).annotations = { 'gateway.istio.io/service-account': 'pp-sa' };
  const objects = [ambientNs({ 'istio.io/use-waypoint': 'waypoint' }), gw, ...productpage()];
  expect(single([...objects, l4([waypointSa])], 'CDK8S-ISTIO-A042').message).toContain('cluster.local/ns/shop/sa/pp-sa');
  expect(findings([...objects, l4(['cluster.local/ns/shop/sa/pp-sa'])], 'CDK8S-ISTIO-A042')).toEqual([]);
});

test('A042 is a Warning in an open world (an ALLOW policy elsewhere may admit the waypoint)', () => {
  const objects = [ambientNs({ 'istio.io/use-waypoint': 'waypoint' }), waypoint(), ...productpage(), l4([gatewaySa])];
  expect(single(objects, 'CDK8S-ISTIO-A042', { openWorld: true }).level).toBe(FindingLevel.WARNING);
});
