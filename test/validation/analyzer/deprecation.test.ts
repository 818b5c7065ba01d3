import { findings, istio, single } from './fixtures';
import { FindingLevel } from '../../../src/validation/findings';

describe('IST0002 Deprecated', () => {
  test('warns about a fault delay percent', () => {
    const vs = istio('VirtualService', 'ratings', {
      hosts: ['ratings'],
      http: [{ route: [{ destination: { host: 'ratings' } }] }, { fault: { delay: { percent: 10, fixedDelay: '5s' } }, route: [{ destination: { host: 'ratings' } }] }],
    });
    const f = single([vs], 'IST0002');
    expect(f).toMatchObject({ level: FindingLevel.WARNING, kind: 'VirtualService', field: 'spec.http[1].fault.delay.percent' });
    expect(f.message).toBe('Deprecated: HTTPRoute.fault.delay.percent is deprecated; use HTTPRoute.fault.delay.percentage (percentage: {value: 10}).');
  });

  test('warns about a Sidecar egressProxy', () => {
    const sc = istio('Sidecar', 'default', { outboundTrafficPolicy: { mode: 'ALLOW_ANY', egressProxy: { host: 'proxy.example.com', port: { number: 3128 } } } });
    expect(single([sc], 'IST0002')).toMatchObject({ field: 'spec.outboundTrafficPolicy.egressProxy', message: expect.stringMatching(/^Deprecated: OutboundTrafficPolicy.EgressProxy ignored\./) });
  });

  test('warns about a Lightstep tracing provider', () => {
    const t = istio('Telemetry', 'tracing', { tracing: [{ providers: [{ name: 'ls' }] }] }, 'istio-system');
    const f = single([t], 'IST0002', { meshConfig: { extensionProviders: [{ name: 'ls', lightstep: { service: 'collector.lightstep', port: 8080 } }] } });
    expect(f.message).toMatch(/^Deprecated: The Lightstep provider ls is deprecated, please migrate to OpenTelemetry provider/);
  });

  test('passes for percentage, a Sidecar without egressProxy and an OpenTelemetry provider', () => {
    const objects = [
      istio('VirtualService', 'ratings', { hosts: ['ratings'], http: [{ fault: { delay: { percentage: { value: 10 }, fixedDelay: '5s' } }, route: [{ destination: { host: 'ratings' } }] }] }),
      istio('Sidecar', 'default', { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } }),
      istio('Telemetry', 'tracing', { tracing: [{ providers: [{ name: 'otel' }] }] }, 'istio-system'),
    ];
    expect(findings(objects, 'IST0002', { meshConfig: { extensionProviders: [{ name: 'otel', opentelemetry: { service: 'otel.observability.svc.cluster.local', port: 4317 } }] } })).toEqual([]);
  });
});
