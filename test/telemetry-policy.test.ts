import { App, Chart, Duration, Testing } from 'cdk8s';
import { findObject, synthValid } from './util';
import { ExtAuthzProvider, ExtensionProvider, IstioMetric, MeshConfig, PolicyTargetRef, TelemetryMode, TelemetryPolicy, WorkloadSelector } from '../src';
import { IstioValidation } from '../src/validation/app';
import { FindingLevel } from '../src/validation/findings';

function chart(app: App = Testing.app(), namespace = 'shop'): Chart {
  return new Chart(app, namespace, { namespace });
}

const otel = () => ExtensionProvider.openTelemetry('otel', { service: 'otel-collector.observability.svc.cluster.local', port: 4317 });

describe('TelemetryPolicy', () => {
  test('access logging names envoy and metrics prometheus unless told otherwise', () => {
    const c = chart();
    new TelemetryPolicy(c, 'telemetry', { accessLogging: [{}], metrics: [{}] });
    expect(findObject(synthValid(c), 'Telemetry').spec).toEqual({
      accessLogging: [{ providers: [{ name: 'envoy' }] }],
      metrics: [{ providers: [{ name: 'prometheus' }] }],
    });
  });

  test('access logging with a CEL filter, metric overrides and tracing, for a workload', () => {
    const app = Testing.app();
    new MeshConfig(new Chart(app, 'mesh'), 'mesh-config', { extensionProviders: [otel()] });
    const c = chart(app);
    const t = new TelemetryPolicy(c, 'web', {
      selector: WorkloadSelector.fromLabels({ app: 'web' }),
      accessLogging: [{ filter: 'response.code >= 400', mode: TelemetryMode.SERVER }],
      metrics: [{
        overrides: [
          { metric: IstioMetric.REQUEST_COUNT, tagOverrides: { request_method: 'request.method' }, removeTags: ['request_protocol'] },
          { metric: IstioMetric.TCP_OPENED_CONNECTIONS, disabled: true, mode: TelemetryMode.CLIENT },
          { customMetric: 'wasm_requests_total', disabled: true },
        ],
        reportingInterval: Duration.seconds(15),
      }],
      tracing: { providers: ['otel'], randomSamplingPercentage: 10, mode: TelemetryMode.CLIENT_AND_SERVER },
    });
    t.addAccessLogging({ providers: ['envoy'], disabled: true, mode: TelemetryMode.CLIENT });
    expect(findObject(synthValid(c), 'Telemetry').spec).toEqual({
      selector: { matchLabels: { app: 'web' } },
      accessLogging: [
        { providers: [{ name: 'envoy' }], filter: { expression: 'response.code >= 400' }, match: { mode: 'SERVER' } },
        { providers: [{ name: 'envoy' }], match: { mode: 'CLIENT' }, disabled: true },
      ],
      metrics: [{
        providers: [{ name: 'prometheus' }],
        overrides: [
          { match: { metric: 'REQUEST_COUNT' }, tagOverrides: { request_method: { operation: 'UPSERT', value: 'request.method' }, request_protocol: { operation: 'REMOVE' } } },
          { match: { metric: 'TCP_OPENED_CONNECTIONS', mode: 'CLIENT' }, disabled: true },
          { match: { customMetric: 'wasm_requests_total' }, disabled: true },
        ],
        reportingInterval: '15s',
      }],
      tracing: [{ providers: [{ name: 'otel' }], randomSamplingPercentage: 10, match: { mode: 'CLIENT_AND_SERVER' } }],
    });
    expect(t.selector?.toLabels()).toEqual({ app: 'web' });
  });

  test('mesh-wide in the root namespace, and for a gateway by targetRefs', () => {
    const app = Testing.app();
    const mesh = new Chart(app, 'mesh');
    TelemetryPolicy.meshWide(mesh, 'logs', { accessLogging: [{}] });
    expect(findObject(synthValid(mesh), 'Telemetry').metadata).toEqual({ name: 'mesh-logs', namespace: 'istio-system' });
    const c = chart(app);
    new TelemetryPolicy(c, 'gw', { targetRefs: [PolicyTargetRef.gateway('shop-gateway')], accessLogging: [{}] });
    expect(findObject(synthValid(c), 'Telemetry').spec.targetRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'shop-gateway' }]);
  });

  test('without a MeshConfig in the app, any provider name is taken (the mesh config is elsewhere)', () => {
    const c = chart();
    new TelemetryPolicy(c, 'tracing', { tracing: { providers: ['corp-tracing'] } });
    expect(findObject(synthValid(c), 'Telemetry').spec.tracing).toEqual([{ providers: [{ name: 'corp-tracing' }] }]);
  });

  test('synthesizes clean under strict validation with its defaults (and with the MeshConfig)', () => {
    for (const withMesh of [false, true]) {
      const app = new App({ outdir: '/tmp/cdk8s-istio-telemetry' });
      IstioValidation.enable(app, { strict: true, printWarnings: false });
      if (withMesh) new MeshConfig(new Chart(app, 'mesh'), 'mesh-config');
      new TelemetryPolicy(chart(app), 'telemetry', { accessLogging: [{}] });
      expect(() => app.synth()).not.toThrow();
      expect(IstioValidation.findings(app).filter(f => f.level !== FindingLevel.INFO)).toEqual([]);
    }
  });
});

describe('TelemetryPolicy: checks', () => {
  test('throws when an access log filter is not a CEL expression', () => {
    expect(() => new TelemetryPolicy(chart(), 't', { accessLogging: [{ filter: 'response.code >= ' }] }))
      .toThrow("TelemetryPolicy 'shop/t': invalid accessLogging[0].filter \"response.code >= \": not a CEL expression (at 1:15: found > but expecting end of input); e.g. \"response.code >= 400\"");
    expect(() => new TelemetryPolicy(chart(), 't', { accessLogging: [{ filter: 'response.code >= 400 && request.url_path.startsWith("/api")' }] })).not.toThrow();
  });

  test('throws when a tag override value is not a CEL expression, or a tag is both upserted and removed', () => {
    expect(() => new TelemetryPolicy(chart(), 't', { metrics: [{ overrides: [{ tagOverrides: { app: 'a b' } }] }] }))
      .toThrow("TelemetryPolicy 'shop/t': invalid metrics[0].overrides[0].tagOverrides[\"app\"] \"a b\": a tag value is a CEL expression");
    expect(() => new TelemetryPolicy(chart(), 't', { metrics: [{ overrides: [{ tagOverrides: { app: "'shop'" }, removeTags: ['app'] }] }] }))
      .toThrow("TelemetryPolicy 'shop/t': invalid metrics[0].overrides[0].removeTags[0] \"app\": this tag is also in tagOverrides: upsert it or remove it, not both");
    expect(() => new TelemetryPolicy(chart(), 't', { metrics: [{ overrides: [{ tagOverrides: { 'request-method': 'request.method' } }] }] }))
      .toThrow('invalid metrics[0].overrides[0].tagOverrides["request-method"] "request-method": a tag name');
  });

  test('throws when an override names both a metric and a custom metric', () => {
    expect(() => new TelemetryPolicy(chart(), 't', { metrics: [{ overrides: [{ metric: IstioMetric.REQUEST_COUNT, customMetric: 'x' }] }] }))
      .toThrow("TelemetryPolicy 'shop/t': invalid metrics[0].overrides[0].customMetric \"x\": metric (REQUEST_COUNT) and customMetric exclude each other: give one");
  });

  test('throws when the sampling percentage is out of 0..100', () => {
    expect(() => new TelemetryPolicy(chart(), 't', { tracing: { randomSamplingPercentage: 150 } }))
      .toThrow("TelemetryPolicy 'shop/t': invalid tracing.randomSamplingPercentage 150: a percentage from 0 to 100");
    expect(() => new TelemetryPolicy(chart(), 't', { tracing: { randomSamplingPercentage: 0 } })).not.toThrow();
  });

  test('throws when tracing names two providers, or a list is empty', () => {
    expect(() => new TelemetryPolicy(chart(), 't', { tracing: { providers: ['a', 'b'] } }))
      .toThrow("TelemetryPolicy 'shop/t': invalid tracing.providers [\"a\",\"b\"]: Istio supports one tracing provider per Telemetry: give one");
    expect(() => new TelemetryPolicy(chart(), 't', { accessLogging: [{ providers: [] }] }))
      .toThrow("TelemetryPolicy 'shop/t': invalid accessLogging[0].providers []: must not be empty: leave it out for the default provider");
  });

  test('throws when the reporting interval is under 1ms', () => {
    expect(() => new TelemetryPolicy(chart(), 't', { metrics: [{ reportingInterval: Duration.millis(0) }] }))
      .toThrow("TelemetryPolicy 'shop/t': invalid metrics[0].reportingInterval \"0ms\": must be at least 1ms");
  });

  test('throws when selector and targetRefs are both given', () => {
    expect(() => new TelemetryPolicy(chart(), 't', { selector: WorkloadSelector.fromLabels({ app: 'web' }), targetRefs: [PolicyTargetRef.gateway('gw')], accessLogging: [{}] }))
      .toThrow("TelemetryPolicy 'shop/t': selector (labels) and targetRefs (Gateway gateway.networking.k8s.io/gw) exclude each other");
  });

  test('fails synth when it configures nothing', () => {
    const c = chart();
    new TelemetryPolicy(c, 't');
    expect(() => Testing.synth(c)).toThrow("TelemetryPolicy 'shop/t': configures nothing: give accessLogging, metrics or tracing (or call addAccessLogging()/addMetrics())");
  });

  test('fails synth when the app\'s MeshConfig does not declare a provider; a provider added to it later counts', () => {
    const app = Testing.app();
    const mesh = new MeshConfig(new Chart(app, 'mesh'), 'mesh-config');
    const c = chart(app);
    new TelemetryPolicy(c, 't', { tracing: { providers: ['otel'] } });
    expect(() => Testing.synth(c)).toThrow(
      "TelemetryPolicy 'shop/t': invalid tracing.providers[0] \"otel\": no MeshConfig of the app declares extension provider \"otel\" ('mesh/mesh-config' declares none; istiod adds envoy, prometheus, stackdriver), so istiod ignores the reference: register it with meshConfig.addExtensionProvider(), or fix the name");
    mesh.addExtensionProvider(otel());
    expect(findObject(synthValid(c), 'Telemetry').spec.tracing).toEqual([{ providers: [{ name: 'otel' }] }]);
  });

  test('fails synth when a provider does not serve its section', () => {
    const app = Testing.app();
    new MeshConfig(new Chart(app, 'mesh'), 'mesh-config', { extensionProviders: [otel(), ExtAuthzProvider.opa()] });
    const c = chart(app);
    new TelemetryPolicy(c, 't', { accessLogging: [{ providers: ['otel'] }], metrics: [{ providers: ['envoy'] }], tracing: { providers: ['opa'] } });
    expect(() => Testing.synth(c)).toThrow("TelemetryPolicy 'shop/t': invalid accessLogging[0].providers[0] \"otel\": extension provider \"otel\" of MeshConfig 'mesh/mesh-config' is opentelemetry, not an access logging provider");
    expect(() => Testing.synth(c)).toThrow("invalid metrics[0].providers[0] \"envoy\": \"envoy\" is Istio's built-in access logging provider, not a metrics provider");
    expect(() => Testing.synth(c)).toThrow("invalid tracing.providers[0] \"opa\": extension provider \"opa\" of MeshConfig 'mesh/mesh-config' is envoyExtAuthzGrpc, not a tracing provider");
  });

  test('the built-in providers need no MeshConfig entry', () => {
    const app = Testing.app();
    new MeshConfig(new Chart(app, 'mesh'), 'mesh-config');
    const c = chart(app);
    new TelemetryPolicy(c, 't', { accessLogging: [{ providers: ['envoy', 'stackdriver'] }], metrics: [{ providers: ['prometheus'] }] });
    expect(() => synthValid(c)).not.toThrow();
  });
});
