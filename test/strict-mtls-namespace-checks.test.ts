import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { synthValid } from './util';
import * as l1 from '../imports/security.istio.io';
import { Principal } from '../src/core/principal';
import { WorkloadSelector } from '../src/core/workload-selector';
import { MtlsPortException, StrictMtlsNamespace } from '../src/patterns/strict-mtls-namespace';
import { PeerAuthentication, MtlsMode } from '../src/security/peer-authentication';

function chartIn(namespace?: string): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

const ledger = () => WorkloadSelector.fromLabels({ app: 'ledger' });

describe('StrictMtlsNamespace: checks made at once', () => {
  test('throws when no namespace is given and the chart has none', () => {
    expect(() => new StrictMtlsNamespace(chartIn(), 'ns'))
      .toThrow("StrictMtlsNamespace 'test/ns': invalid namespace undefined: give the namespace to make mTLS-only, or create the construct in a chart that has a namespace");
  });

  test('throws when the namespace is not a DNS label', () => {
    expect(() => new StrictMtlsNamespace(chartIn(), 'ns', { namespace: 'Payments' }))
      .toThrow("StrictMtlsNamespace 'test/ns': invalid namespace \"Payments\": a namespace name is a DNS label: lower case letters, digits and \"-\", at most 63 characters");
    expect(() => StrictMtlsNamespace.meshWide(chartIn(), 'mesh', { rootNamespace: 'istio_system' }))
      .toThrow("StrictMtlsNamespace 'test/mesh': invalid rootNamespace \"istio_system\": a namespace name is a DNS label");
  });

  test('throws when the namespace is istio-system (the root namespace: use meshWide)', () => {
    expect(() => new StrictMtlsNamespace(chartIn(), 'ns', { namespace: 'istio-system', createNamespace: false }))
      .toThrow("StrictMtlsNamespace 'test/ns': invalid namespace \"istio-system\": istio-system is the mesh root namespace: its policies apply to the whole mesh, and automatic sidecar injection never happens there; use StrictMtlsNamespace.meshWide() for mesh-wide mTLS");
  });

  test('throws when sidecars would be injected (or the namespace created) in kube-system or kube-public', () => {
    const message = "StrictMtlsNamespace 'test/ns': invalid namespace \"kube-system\": automatic sidecar injection never happens in kube-system, kube-public or istio-system, and the namespace exists already: set createNamespace: false and sidecarInjection: false";
    expect(() => new StrictMtlsNamespace(chartIn('kube-system'), 'ns')).toThrow(message);
    expect(() => new StrictMtlsNamespace(chartIn('kube-system'), 'ns', { sidecarInjection: false })).toThrow(message);
    expect(() => new StrictMtlsNamespace(chartIn('kube-public'), 'ns', { createNamespace: false, sidecarInjection: true }))
      .toThrow("StrictMtlsNamespace 'test/ns': invalid sidecarInjection true: createNamespace is false, so there is no Namespace object to label");
    // sidecars injected by hand: the policies alone are fine
    const chart = chartIn('kube-system');
    new StrictMtlsNamespace(chart, 'ns', { createNamespace: false, sidecarInjection: false });
    expect(synthValid(chart).map(m => m.kind)).toEqual(['PeerAuthentication', 'AuthorizationPolicy']);
  });

  test('throws when createNamespace is false and the namespace is to be labeled', () => {
    const allowed = 'createNamespace is false, so there is no Namespace object to label; label the existing namespace yourself (e.g. kubectl label namespace foo istio-injection=enabled), or create it here';
    expect(() => new StrictMtlsNamespace(chartIn('foo'), 'ns', { createNamespace: false, sidecarInjection: true }))
      .toThrow(`StrictMtlsNamespace 'test/ns': invalid sidecarInjection true: ${allowed}`);
    expect(() => new StrictMtlsNamespace(chartIn('foo'), 'ns', { createNamespace: false, revision: 'stable' }))
      .toThrow(`StrictMtlsNamespace 'test/ns': invalid revision "stable": ${allowed}`);
    expect(() => new StrictMtlsNamespace(chartIn('foo'), 'ns', { createNamespace: false, namespaceLabels: { team: 'a' } }))
      .toThrow(`StrictMtlsNamespace 'test/ns': invalid namespaceLabels {"team":"a"}: ${allowed}`);
  });

  test('throws when a revision is given without injection, or is not a label value', () => {
    expect(() => new StrictMtlsNamespace(chartIn('foo'), 'ns', { sidecarInjection: false, revision: 'stable' }))
      .toThrow("StrictMtlsNamespace 'test/ns': invalid revision \"stable\": the revision names the control plane that injects the sidecars: it needs sidecarInjection");
    expect(() => new StrictMtlsNamespace(chartIn('foo'), 'ns', { revision: '1.30/canary' }))
      .toThrow("StrictMtlsNamespace 'test/ns': invalid revision \"1.30/canary\": a revision is a label value");
  });

  test('throws when namespaceLabels set an injection label', () => {
    expect(() => new StrictMtlsNamespace(chartIn('foo'), 'ns', { namespaceLabels: { 'istio-injection': 'disabled' } }))
      .toThrow("StrictMtlsNamespace 'test/ns': invalid namespaceLabels[\"istio-injection\"] \"disabled\": the injection labels are set by sidecarInjection and revision (istio.io/rev wins over istio-injection, so only one of them is set)");
    expect(() => new StrictMtlsNamespace(chartIn('foo'), 'ns', { revision: 'stable', namespaceLabels: { 'istio.io/rev': 'canary' } }))
      .toThrow("StrictMtlsNamespace 'test/ns': invalid namespaceLabels[\"istio.io/rev\"] \"canary\"");
  });

  test('throws when migration mode is combined with denyPlaintext', () => {
    expect(() => new StrictMtlsNamespace(chartIn('foo'), 'ns', { migration: true, denyPlaintext: true }))
      .toThrow("StrictMtlsNamespace 'test/ns': invalid denyPlaintext true: migration mode accepts plaintext (PERMISSIVE): denying plaintext callers would break the migration; turn it on once the migration is done (migration: false)");
  });

  test('throws when migration mode is combined with default-deny', () => {
    const allowed = 'migration mode accepts plaintext callers, which have no identity: a default-deny allow-list would deny them';
    expect(() => new StrictMtlsNamespace(chartIn('foo'), 'ns', { migration: true, defaultDeny: true }))
      .toThrow(`StrictMtlsNamespace 'test/ns': invalid defaultDeny true: ${allowed}`);
    expect(() => new StrictMtlsNamespace(chartIn('foo'), 'ns', { migration: true, allowFrom: { namespaces: ['foo'] } }))
      .toThrow(`StrictMtlsNamespace 'test/ns': invalid allowFrom {"namespaces":["foo"]}: ${allowed}`);
    const ns = new StrictMtlsNamespace(chartIn('foo'), 'ns', { migration: true });
    expect(() => ns.allow(Principal.serviceAccount('foo', 'web')))
      .toThrow(`StrictMtlsNamespace 'test/ns': invalid allow() {"principals":["cluster.local/ns/foo/sa/web"]}: ${allowed}`);
  });

  test('throws when sources are allowed while defaultDeny is false', () => {
    const allowed = 'an allow-list works through default-deny (an ALLOW policy denies what it does not list), which defaultDeny: false turns off';
    expect(() => new StrictMtlsNamespace(chartIn('foo'), 'ns', { defaultDeny: false, allowFrom: { serviceAccounts: ['foo/web'] } }))
      .toThrow(`StrictMtlsNamespace 'test/ns': invalid allowFrom {"serviceAccounts":["foo/web"]}: ${allowed}`);
    const ns = new StrictMtlsNamespace(chartIn('foo'), 'ns', { defaultDeny: false });
    expect(() => ns.allowNamespaces('bar')).toThrow(`StrictMtlsNamespace 'test/ns': invalid allowNamespaces() {"namespaces":["bar"]}: ${allowed}`);
  });

  test('throws when an allow-list lists no source', () => {
    expect(() => new StrictMtlsNamespace(chartIn('foo'), 'ns', { allowFrom: { namespaces: [] } }))
      .toThrow("StrictMtlsNamespace 'test/ns': invalid allowFrom {\"namespaces\":[]}: lists no source: give at least one principal, namespace or service account (defaultDeny: true alone allows nothing)");
    const ns = new StrictMtlsNamespace(chartIn('foo'), 'ns2');
    expect(() => ns.allowServiceAccounts()).toThrow("StrictMtlsNamespace 'test/ns2': invalid allowServiceAccounts() {\"serviceAccounts\":[]}: lists no source");
  });

  test('throws when a port exception has no selector', () => {
    const ns = new StrictMtlsNamespace(chartIn('foo'), 'ns');
    expect(() => ns.addPortException({ port: 9102, mode: MtlsMode.PERMISSIVE } as MtlsPortException))
      .toThrow("StrictMtlsNamespace 'test/ns': invalid addPortException(9102).selector undefined: a port exception needs a workload selector (WorkloadSelector.fromLabels() or .fromWorkload()): Istio only honours port-level mTLS on a workload-scoped PeerAuthentication");
    expect(() => new StrictMtlsNamespace(chartIn('foo'), 'ns2', { portExceptions: [{ port: 9102, mode: MtlsMode.DISABLE } as MtlsPortException] }))
      .toThrow("StrictMtlsNamespace 'test/ns2': invalid portExceptions[0].selector undefined: a port exception needs a workload selector");
  });

  test('throws when a port exception has an empty selector', () => {
    const ns = new StrictMtlsNamespace(chartIn('foo'), 'ns');
    expect(() => ns.addPortException({ selector: WorkloadSelector.fromLabels({}), port: 9102, mode: MtlsMode.PERMISSIVE }))
      .toThrow("StrictMtlsNamespace 'test/ns': invalid addPortException(9102).selector {}: an empty selector picks every workload of the namespace: give the labels of the workloads the exception is for");
  });

  test('throws when a port is out of range or belongs to the sidecar', () => {
    const ns = new StrictMtlsNamespace(chartIn('foo'), 'ns');
    expect(() => ns.addPortException({ selector: ledger(), port: 0, mode: MtlsMode.PERMISSIVE }))
      .toThrow("StrictMtlsNamespace 'test/ns': invalid addPortException(0).port 0: a port is an integer from 1 to 65535 (the workload's container port)");
    expect(() => ns.addPortException({ selector: ledger(), port: 15090, mode: MtlsMode.PERMISSIVE }))
      .toThrow("StrictMtlsNamespace 'test/ns': invalid addPortException(15090).port 15090: 15090 is the sidecar's own port (Envoy Prometheus), not an application port");
    expect(() => new StrictMtlsNamespace(chartIn('foo'), 'ns2', { serverFirstPorts: [70000] }))
      .toThrow("StrictMtlsNamespace 'test/ns2': invalid serverFirstPorts[0] 70000: a port is an integer from 1 to 65535");
  });

  test('throws when a port exception mode is UNSET', () => {
    const ns = new StrictMtlsNamespace(chartIn('foo'), 'ns');
    expect(() => ns.addPortException({ selector: ledger(), port: 9102, mode: MtlsMode.UNSET }))
      .toThrow("StrictMtlsNamespace 'test/ns': invalid addPortException(9102).mode \"UNSET\": STRICT, PERMISSIVE or DISABLE (UNSET would inherit the namespace mode: leave the port out instead)");
  });

  test('throws when a server-first port (well known or declared) would be PERMISSIVE', () => {
    const ns = new StrictMtlsNamespace(chartIn('foo'), 'ns', { serverFirstPorts: [6380] });
    expect(() => ns.addPortException({ selector: WorkloadSelector.fromLabels({ app: 'mysql' }), port: 3306, mode: MtlsMode.PERMISSIVE }))
      .toThrow("StrictMtlsNamespace 'test/ns': invalid addPortException(3306).mode \"PERMISSIVE\": port 3306 (MySQL) speaks server-first, which PERMISSIVE mTLS breaks (the sidecar waits for the client to speak first): use STRICT or DISABLE for server-first protocols");
    expect(() => ns.addPortException({ selector: WorkloadSelector.fromLabels({ app: 'cache' }), port: 6380, mode: MtlsMode.PERMISSIVE }))
      .toThrow("StrictMtlsNamespace 'test/ns': invalid addPortException(6380).mode \"PERMISSIVE\": port 6380 (a declared server-first protocol) speaks server-first, which PERMISSIVE mTLS breaks (the sidecar waits for the client to speak first): use STRICT or DISABLE for server-first protocols");
    for (const port of [25, 53, 27017]) {
      expect(() => ns.addPortException({ selector: ledger(), port, mode: MtlsMode.PERMISSIVE })).toThrow('use STRICT or DISABLE for server-first protocols');
    }
    // STRICT and DISABLE are the fixes
    ns.addPortException({ selector: WorkloadSelector.fromLabels({ app: 'mysql' }), port: 3306, mode: MtlsMode.DISABLE });
    ns.addPortException({ selector: WorkloadSelector.fromLabels({ app: 'cache' }), port: 6380, mode: MtlsMode.STRICT });
  });

  test('throws when one port of one selector gets two modes', () => {
    const ns = new StrictMtlsNamespace(chartIn('foo'), 'ns');
    ns.addPortException({ selector: ledger(), port: 9102, mode: MtlsMode.PERMISSIVE });
    expect(() => ns.addPortException({ selector: ledger(), port: 9102, mode: MtlsMode.DISABLE }))
      .toThrow("StrictMtlsNamespace 'test/ns': invalid addPortException(9102).mode \"DISABLE\": port 9102 of labels app=ledger already has the exception PERMISSIVE; one port has one mode");
  });

  test('throws when an exception name is taken by another selector, or is no object name', () => {
    const ns = new StrictMtlsNamespace(chartIn('foo'), 'ns');
    ns.addPortException({ selector: ledger(), port: 9102, mode: MtlsMode.PERMISSIVE, name: 'metrics' });
    expect(() => ns.addPortException({ selector: WorkloadSelector.fromLabels({ app: 'billing' }), port: 9102, mode: MtlsMode.PERMISSIVE, name: 'metrics' }))
      .toThrow("StrictMtlsNamespace 'test/ns': invalid addPortException(9102).name \"metrics\": is already the name of the exceptions of labels app=ledger; give this selector (labels app=billing) another name");
    // derived names can meet too: {app: ledger} and {name: ledger}
    ns.addPortException({ selector: ledger(), port: 9102, mode: MtlsMode.PERMISSIVE });
    expect(() => ns.addPortException({ selector: WorkloadSelector.fromLabels({ name: 'ledger' }), port: 9102, mode: MtlsMode.PERMISSIVE }))
      .toThrow("StrictMtlsNamespace 'test/ns': invalid addPortException(9102).name \"ledger-port-mtls\": is already the name of the exceptions of labels app=ledger; give this selector (labels name=ledger) another name");
    expect(() => ns.addPortException({ selector: ledger(), port: 9103, mode: MtlsMode.PERMISSIVE, name: 'Ledger_Metrics' }))
      .toThrow("StrictMtlsNamespace 'test/ns': invalid addPortException(9103).name \"Ledger_Metrics\": an object name is a DNS subdomain");
  });

  test('throws when a port exception is added mesh-wide (Istio ignores selector policies in the root namespace)', () => {
    const mesh = StrictMtlsNamespace.meshWide(chartIn(), 'mesh');
    expect(() => mesh.addPortException({ selector: ledger(), port: 9102, mode: MtlsMode.PERMISSIVE }))
      .toThrow("StrictMtlsNamespace 'test/mesh': invalid addPortException(9102) \"PERMISSIVE\": Istio ignores PeerAuthentications with a selector in the root namespace: add the exception in the workload's namespace (a StrictMtlsNamespace there) and leave the port out of the mesh-wide deny-plaintext policy with addPlaintextPort()");
  });

  test('throws when addPlaintextPort is used in a namespace, or without a deny-plaintext policy', () => {
    const ns = new StrictMtlsNamespace(chartIn('foo'), 'ns');
    expect(() => ns.addPlaintextPort(9102))
      .toThrow("StrictMtlsNamespace 'test/ns': invalid addPlaintextPort(9102) 9102: in a namespace, addPortException() opens a port to plaintext (and leaves it out of deny-plaintext); addPlaintextPort() is for the mesh-wide variant");
    expect(() => StrictMtlsNamespace.meshWide(chartIn(), 'mesh', { denyPlaintext: false, plaintextPorts: [9102] }))
      .toThrow("StrictMtlsNamespace 'test/mesh': invalid plaintextPorts[0] 9102: there is no deny-plaintext policy to leave the port out of (denyPlaintext is off, or migration mode is on)");
    expect(() => StrictMtlsNamespace.meshWide(chartIn(), 'mesh', { plaintextPorts: [9102] }))
      .toThrow("StrictMtlsNamespace 'test/mesh': invalid plaintextPorts[0] 9102: there is no deny-plaintext policy to leave the port out of");
    expect(() => StrictMtlsNamespace.meshWide(chartIn(), 'mesh', { denyPlaintext: true, plaintextPorts: [15021] }))
      .toThrow("StrictMtlsNamespace 'test/mesh': invalid plaintextPorts[0] 15021: 15021 is the sidecar's own port (health checks), not an application port");
  });
});

describe('StrictMtlsNamespace: checks at synth', () => {
  test('fails validation when migration mode leaves a declared server-first port PERMISSIVE', () => {
    const chart = chartIn('legacy');
    const ns = new StrictMtlsNamespace(chart, 'ns', { migration: true, serverFirstPorts: [3306, 5672] });
    ns.addPortException({ selector: WorkloadSelector.fromLabels({ app: 'mysql' }), port: 3306, mode: MtlsMode.STRICT });
    expect(() => Testing.synth(chart)).toThrow("StrictMtlsNamespace 'test/ns': serverFirstPorts: port 5672 speaks server-first, which PERMISSIVE mTLS breaks, and migration mode makes it PERMISSIVE; "
      + 'use STRICT or DISABLE for server-first protocols: addPortException({ selector, port: 5672, mode: MtlsMode.STRICT })');
    expect(() => Testing.synth(chart)).not.toThrow('port 3306');
    ns.addPortException({ selector: WorkloadSelector.fromLabels({ app: 'rabbitmq' }), port: 5672, mode: MtlsMode.DISABLE });
    synthValid(chart);
  });

  test('fails validation when a mesh-wide deny-plaintext policy denies a port a namespace exception opens', () => {
    const app = new App({ outdir: Testing.app().outdir });
    StrictMtlsNamespace.meshWide(new Chart(app, 'mesh'), 'mtls', { denyPlaintext: true });
    const chart = new Chart(app, 'payments', { namespace: 'payments' });
    new StrictMtlsNamespace(chart, 'mtls', { portExceptions: [{ selector: ledger(), port: 9102, mode: MtlsMode.PERMISSIVE }] });
    expect(() => Testing.synth(chart)).toThrow("StrictMtlsNamespace 'payments/mtls': port exception \"ledger-port-mtls\" opens port 9102 to plaintext (PERMISSIVE), "
      + "but AuthorizationPolicy \"istio-system/deny-plaintext\" ('mesh/mtls/DenyPlaintext/Resource') denies plaintext callers on it: "
      + 'leave the port out of that policy (to.operation.notPorts, or addPlaintextPort() on the mesh-wide StrictMtlsNamespace)');
  });

  test('fails validation when a hand-written DENY policy (L1, root namespace, selecting the workload) denies an opened port', () => {
    const app = new App({ outdir: Testing.app().outdir });
    const mesh = new Chart(app, 'mesh', { namespace: 'istio-system' });
    new l1.AuthorizationPolicy(mesh, 'require-mtls', {
      metadata: { name: 'require-mtls' },
      spec: {
        selector: { matchLabels: { app: 'ledger' } },
        action: l1.AuthorizationPolicySpecAction.DENY,
        rules: [{ from: [{ source: { notPrincipals: ['*'] } }], to: [{ operation: { ports: ['9102', '9103'] } }] }],
      },
    });
    const chart = new Chart(app, 'payments', { namespace: 'payments' });
    const ns = new StrictMtlsNamespace(chart, 'mtls');
    ns.addPortException({ selector: WorkloadSelector.fromLabels({ app: 'ledger', version: 'v2' }), port: 9102, mode: MtlsMode.DISABLE });
    ns.addPortException({ selector: WorkloadSelector.fromLabels({ app: 'ledger', version: 'v2' }), port: 9104, mode: MtlsMode.DISABLE });
    expect(() => Testing.synth(chart)).toThrow(/port exception "ledger-v2-port-mtls" opens port 9102 to plaintext \(DISABLE\), but AuthorizationPolicy "istio-system\/require-mtls" \('mesh\/require-mtls'\) denies plaintext callers on it/);
    expect(() => Testing.synth(chart)).not.toThrow(/opens port 9104/);
  });

  test('fails validation when a root-namespace deny-plaintext policy undoes migration mode', () => {
    const app = new App({ outdir: Testing.app().outdir });
    StrictMtlsNamespace.meshWide(new Chart(app, 'mesh'), 'mtls', { rootNamespace: 'mesh-root', denyPlaintext: true });
    const chart = new Chart(app, 'legacy', { namespace: 'legacy' });
    new StrictMtlsNamespace(chart, 'mtls', { migration: true });
    expect(() => Testing.synth(chart)).toThrow("StrictMtlsNamespace 'legacy/mtls': migration mode accepts plaintext in namespace \"legacy\", "
      + "but AuthorizationPolicy \"mesh-root/deny-plaintext\" ('mesh/mtls/DenyPlaintext/Resource') denies plaintext callers: "
      + 'remove that policy during the migration (or set denyPlaintext: false on the StrictMtlsNamespace that makes it)');
  });

  test('fails validation when the namespace holds a second namespace-wide PeerAuthentication', () => {
    const chart = chartIn('foo');
    new StrictMtlsNamespace(chart, 'ns');
    new PeerAuthentication(chart, 'legacy', { metadata: { name: 'legacy-permissive' }, mtlsMode: MtlsMode.PERMISSIVE });
    expect(() => Testing.synth(chart)).toThrow("StrictMtlsNamespace 'test/ns': PeerAuthentication \"foo/legacy-permissive\" ('test/legacy/Resource') is a second namespace-wide PeerAuthentication in namespace \"foo\" besides \"default\": "
      + 'Istio applies only the oldest one; remove it, or give it a selector');
  });

  test('fails validation when port exceptions and workload PeerAuthentications select the same workloads', () => {
    const chart = chartIn('foo');
    const ns = new StrictMtlsNamespace(chart, 'ns');
    ns.addPortException({ selector: ledger(), port: 9102, mode: MtlsMode.PERMISSIVE });
    ns.addPortException({ selector: WorkloadSelector.fromLabels({ app: 'ledger', version: 'v2' }), port: 9103, mode: MtlsMode.PERMISSIVE });
    new PeerAuthentication(chart, 'ledger-strict', { selector: ledger() });
    new PeerAuthentication(chart, 'billing', { selector: WorkloadSelector.fromLabels({ app: 'billing' }) }); // no overlap
    const overlap = 'select the same workloads: Istio applies only the oldest workload-level PeerAuthentication to a workload; put the ports of one workload under one selector';
    expect(() => Testing.synth(chart)).toThrow([
      'Validation failed with the following errors:',
      `  [] StrictMtlsNamespace 'test/ns': the port exceptions "ledger-port-mtls" (app=ledger) and PeerAuthentication "foo/ledger-v2-port-mtls" ('test/ns/PortException-ledger-v2-port-mtls/Resource') (app=ledger,version=v2) ${overlap}`,
      `  [] StrictMtlsNamespace 'test/ns': the port exceptions "ledger-port-mtls" (app=ledger) and PeerAuthentication "foo/test-ledger-strict" ('test/ledger-strict/Resource') (app=ledger) ${overlap}`,
      `  [] StrictMtlsNamespace 'test/ns': the port exceptions "ledger-v2-port-mtls" (app=ledger,version=v2) and PeerAuthentication "foo/test-ledger-strict" ('test/ledger-strict/Resource') (app=ledger) ${overlap}`,
    ].join('\n'));
  });

  test('fails validation when deny-plaintext or the allow-list would deny the external clients of an ingress gateway in the namespace', () => {
    const chart = chartIn('edge');
    new StrictMtlsNamespace(chart, 'ns', { defaultDeny: true });
    new ApiObject(chart, 'public', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'public' },
      spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
    });
    new ApiObject(chart, 'waypoint', { // a waypoint receives mTLS (HBONE) only: fine
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'waypoint' },
      spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
    });
    expect(() => Testing.synth(chart)).toThrow(['Validation failed with the following errors:',
      "  [] StrictMtlsNamespace 'test/ns': \"deny-plaintext\" and \"allowlist\" would deny the external clients of the ingress gateway Gateway \"edge/public\" ('test/public'): "
      + 'they have no mTLS identity; run the gateway in a namespace of its own, or turn denyPlaintext and defaultDeny off here'].join('\n'));
    expect(() => Testing.synth(chart)).not.toThrow(/waypoint/);
  });

  test('fails validation when a mesh-wide deny-plaintext would deny the external clients of an ingress gateway anywhere', () => {
    const app = new App({ outdir: Testing.app().outdir });
    StrictMtlsNamespace.meshWide(new Chart(app, 'mesh'), 'mtls', { denyPlaintext: true });
    const gateways = new Chart(app, 'gateways', { namespace: 'istio-ingress' });
    const labels = { istio: 'ingressgateway', app: 'istio-ingressgateway' };
    new ApiObject(gateways, 'ingress', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'istio-ingressgateway' },
      spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'istio-proxy', image: 'auto' }] } } },
    });
    expect(() => Testing.synth(gateways)).toThrow("StrictMtlsNamespace 'mesh/mtls': \"deny-plaintext\" would deny the external clients of the ingress gateway Deployment \"istio-ingress/istio-ingressgateway\" ('gateways/ingress'): "
      + 'they have no mTLS identity; leave denyPlaintext and defaultDeny off mesh-wide');
  });

  test('fails validation when two StrictMtlsNamespaces make the same namespace (two PeerAuthentications "default")', () => {
    const chart = chartIn('foo');
    new StrictMtlsNamespace(chart, 'a');
    new StrictMtlsNamespace(chart, 'b', { createNamespace: false });
    expect(() => Testing.synth(chart)).toThrow("PeerAuthentication 'test/b/PeerAuthentication/Resource': metadata.name \"default\" in namespace \"foo\" is already used by 'test/a/PeerAuthentication/Resource'");
  });
});
