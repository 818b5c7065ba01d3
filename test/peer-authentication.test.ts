import { ApiObject, Testing } from 'cdk8s';
import { MtlsMode, PeerAuthentication, WorkloadSelector } from '../src';
import { findObject, synthValid } from './util';

describe('PeerAuthentication', () => {
  test('defaults to STRICT for the namespace', () => {
    const chart = Testing.chart();
    new PeerAuthentication(chart, 'default', { metadata: { name: 'default', namespace: 'bookinfo' } });
    const pa = findObject(synthValid(chart), 'PeerAuthentication', 'default');
    expect(pa.apiVersion).toBe('security.istio.io/v1');
    expect(pa.metadata.namespace).toBe('bookinfo');
    expect(pa.spec).toEqual({ mtls: { mode: 'STRICT' } });
  });

  test('name is derived from the construct path without a hash', () => {
    const chart = Testing.chart();
    new PeerAuthentication(chart, 'Strict');
    const pa = findObject(synthValid(chart), 'PeerAuthentication');
    expect(pa.metadata.name).toBe('test-strict');
  });

  test('every option: selector, mode and port-level modes (sorted by port)', () => {
    const chart = Testing.chart();
    const pa = new PeerAuthentication(chart, 'reviews', {
      selector: WorkloadSelector.fromLabels({ app: 'reviews' }),
      mtlsMode: MtlsMode.PERMISSIVE,
      portLevelMtls: { 9080: MtlsMode.STRICT },
    });
    pa.addPortLevelMtls(8080, MtlsMode.DISABLE);
    const out = findObject(synthValid(chart), 'PeerAuthentication');
    expect(out.spec).toEqual({
      selector: { matchLabels: { app: 'reviews' } },
      mtls: { mode: 'PERMISSIVE' },
      portLevelMtls: { 8080: { mode: 'DISABLE' }, 9080: { mode: 'STRICT' } },
    });
  });

  test('selector from a workload reads its pod labels at synth', () => {
    const chart = Testing.chart();
    const deployment = new ApiObject(chart, 'ratings', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      spec: { selector: { matchLabels: { app: 'ratings' } }, template: { metadata: { labels: { app: 'ratings', version: 'v1' } } } },
    });
    new PeerAuthentication(chart, 'pa', { selector: WorkloadSelector.fromWorkload(deployment), portLevelMtls: { 9080: MtlsMode.PERMISSIVE } });
    const out = findObject(synthValid(chart), 'PeerAuthentication');
    expect(out.spec.selector).toEqual({ matchLabels: { app: 'ratings', version: 'v1' } });
  });

  test('throws when port-level mTLS is set without a selector', () => {
    const chart = Testing.chart();
    expect(() => new PeerAuthentication(chart, 'pa', { portLevelMtls: { 9080: MtlsMode.DISABLE } }))
      .toThrow("PeerAuthentication 'test/pa': invalid portLevelMtls[\"9080\"] \"DISABLE\": port-level mTLS needs a workload selector");
  });

  test('throws when a port is out of range', () => {
    const chart = Testing.chart();
    const pa = new PeerAuthentication(chart, 'pa', { selector: WorkloadSelector.fromLabels({ app: 'x' }) });
    expect(() => pa.addPortLevelMtls(70000, MtlsMode.DISABLE))
      .toThrow("PeerAuthentication 'test/pa': invalid addPortLevelMtls(70000) 70000: the port must be an integer from 1 to 65535");
  });

  test('fails validation when two objects share kind, namespace and name', () => {
    const chart = Testing.chart();
    new PeerAuthentication(chart, 'a', { metadata: { name: 'default' } });
    new PeerAuthentication(chart, 'b', { metadata: { name: 'default' } });
    expect(() => Testing.synth(chart)).toThrow(/PeerAuthentication 'test\/b\/Resource': metadata.name "default" is already used by 'test\/a\/Resource'/);
  });

  test('throws when a workload carries no pod labels', () => {
    const chart = Testing.chart();
    const cm = new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap' });
    new PeerAuthentication(chart, 'pa', { selector: WorkloadSelector.fromWorkload(cm) });
    expect(() => Testing.synth(chart)).toThrow("ConfigMap 'test/cm' carries no pod labels");
  });
});
