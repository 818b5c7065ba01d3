import { findings, istio, single } from './fixtures';
import { FindingLevel } from '../../../src/validation/findings';

const telemetry = (name: string, spec: any, ns?: string) => istio('Telemetry', name, spec, ns);
const meshConfigMap = (mesh: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio', namespace: 'istio-system' }, data: { mesh } });

describe('IST0157 InvalidTelemetryProvider (empty providers, as Istio)', () => {
  test('warns about an access logging entry without providers when the mesh config has no default', () => {
    const f = single([telemetry('logs', { accessLogging: [{}] }, 'shop')], 'IST0157');
    expect(f).toMatchObject({ level: FindingLevel.WARNING, kind: 'Telemetry', name: 'logs', field: 'spec.accessLogging[0]' });
    expect(f.message).toBe('The Telemetry logs in namespace "shop" with empty providers will be ignored. '
      + 'Name a provider (for example envoy), or set defaultProviders.accessLogging in the mesh config.');
  });

  test('passes with a provider, for a disabled entry, and with a default access log provider in the mesh config', () => {
    expect(findings([telemetry('a', { accessLogging: [{ providers: [{ name: 'envoy' }] }, { disabled: true }] })], 'IST0157')).toEqual([]);
    expect(findings([telemetry('a', { accessLogging: [{}] })], 'IST0157', { meshConfig: { defaultProviders: { accessLogging: ['envoy'] } } })).toEqual([]);
    expect(findings([telemetry('a', { accessLogging: [{}] }), meshConfigMap('defaultProviders:\n  accessLogging: [envoy]\n')], 'IST0157')).toEqual([]);
  });
});

describe('IST0157 InvalidTelemetryProvider (unknown provider)', () => {
  test('warns about a provider that is neither built in nor in the mesh config', () => {
    const f = single([telemetry('tracing', { tracing: [{ providers: [{ name: 'otel' }], randomSamplingPercentage: 10 }] })], 'IST0157');
    expect(f).toMatchObject({ level: FindingLevel.WARNING, field: 'spec.tracing[0].providers[0].name' });
    expect(f.message).toBe('The Telemetry tracing in namespace "default" refers to provider "otel", which is not a provider of the mesh config [envoy prometheus stackdriver]: '
      + 'istiod ignores it. Define it in the mesh config\'s extensionProviders, or fix the name.');
  });

  test('passes for the built-in providers and for the mesh config\'s extension providers (option or ConfigMap)', () => {
    const objects = [
      telemetry('all', {
        metrics: [{ providers: [{ name: 'prometheus' }] }],
        accessLogging: [{ providers: [{ name: 'envoy' }] }],
        tracing: [{ providers: [{ name: 'otel' }] }],
      }),
    ];
    expect(findings(objects, 'IST0157', { meshConfig: { extensionProviders: [{ name: 'otel', opentelemetry: { service: 'otel.observability.svc.cluster.local', port: 4317 } }] } })).toEqual([]);
    expect(findings([...objects, meshConfigMap('extensionProviders:\n- name: otel\n  opentelemetry: {service: otel.observability.svc.cluster.local, port: 4317}\n')], 'IST0157')).toEqual([]);
  });

  test('suggests a near provider name, and keeps the Warning for it in an open world', () => {
    const f = single([telemetry('metrics', { metrics: [{ providers: [{ name: 'prometeus' }] }] })], 'IST0157', { openWorld: true });
    expect(f.level).toBe(FindingLevel.WARNING);
    expect(f.message).toContain('; did you mean "prometheus"?: istiod ignores it.');
  });

  test('is Info in an open world without a mesh config, a Warning in an open world with one', () => {
    const t = telemetry('tracing', { tracing: [{ providers: [{ name: 'otel' }] }] });
    expect(single([t], 'IST0157', { openWorld: true }).level).toBe(FindingLevel.INFO);
    expect(single([t], 'IST0157', { openWorld: true, meshConfig: { extensionProviders: [{ name: 'zipkin', zipkin: { service: 'zipkin.istio-system.svc.cluster.local', port: 9411 } }] } }).level)
      .toBe(FindingLevel.WARNING);
  });
});
