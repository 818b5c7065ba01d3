import { App, Chart, Testing } from 'cdk8s';
import { findObject, synthValid } from './util';
import { ProxyConfig, ProxyImageType, WorkloadSelector } from '../src';
import { IstioValidation } from '../src/validation/app';
import { FindingLevel } from '../src/validation/findings';

function chart(app: App = Testing.app(), namespace = 'shop'): Chart {
  return new Chart(app, namespace, { namespace });
}

describe('ProxyConfig', () => {
  test('concurrency, environment variables (sorted) and image type, for a workload', () => {
    const c = chart();
    const pc = new ProxyConfig(c, 'web', {
      selector: WorkloadSelector.fromLabels({ app: 'web' }),
      concurrency: 0,
      environmentVariables: { ISTIO_META_DNS_CAPTURE: 'true' },
      imageType: ProxyImageType.DEBUG,
    });
    pc.addEnvironmentVariable('ISTIO_META_DNS_AUTO_ALLOCATE', 'true');
    const obj = findObject(synthValid(c), 'ProxyConfig');
    expect(obj.metadata).toEqual({ name: 'shop-web', namespace: 'shop' });
    expect(obj.spec).toEqual({
      selector: { matchLabels: { app: 'web' } },
      concurrency: 0,
      environmentVariables: { ISTIO_META_DNS_AUTO_ALLOCATE: 'true', ISTIO_META_DNS_CAPTURE: 'true' },
      image: { imageType: 'debug' },
    });
  });

  test('mesh-wide in the root namespace, and for a namespace', () => {
    const app = Testing.app();
    const mesh = new Chart(app, 'mesh');
    ProxyConfig.meshWide(mesh, 'proxy', { concurrency: 2, imageType: ProxyImageType.DISTROLESS });
    expect(findObject(synthValid(mesh), 'ProxyConfig')).toMatchObject({ metadata: { namespace: 'istio-system' }, spec: { concurrency: 2, image: { imageType: 'distroless' } } });
    const c = chart(app);
    new ProxyConfig(c, 'ns', { concurrency: 1 });
    expect(findObject(synthValid(c), 'ProxyConfig').spec).toEqual({ concurrency: 1 });
  });

  test('synthesizes clean under strict validation with its defaults', () => {
    const app = new App({ outdir: '/tmp/cdk8s-istio-proxy-config' });
    IstioValidation.enable(app, { strict: true, printWarnings: false });
    new ProxyConfig(chart(app), 'proxy', { concurrency: 2 });
    expect(() => app.synth()).not.toThrow();
    expect(IstioValidation.findings(app).filter(f => f.level !== FindingLevel.INFO)).toEqual([]);
  });
});

describe('ProxyConfig: checks', () => {
  test('throws when concurrency is negative or not an integer', () => {
    expect(() => new ProxyConfig(chart(), 'p', { concurrency: -1 }))
      .toThrow("ProxyConfig 'shop/p': invalid concurrency -1: an integer >= 0: the number of worker threads, or 0 for one per CPU core");
    expect(() => new ProxyConfig(chart(), 'p', { concurrency: 1.5 })).toThrow('invalid concurrency 1.5');
  });

  test('throws when an environment variable name is invalid', () => {
    expect(() => new ProxyConfig(chart(), 'p', { environmentVariables: { 'ISTIO-META': 'x' } }))
      .toThrow("ProxyConfig 'shop/p': invalid environmentVariables[\"ISTIO-META\"] \"ISTIO-META\": an environment variable name: letters, digits and \"_\", not starting with a digit");
    expect(() => new ProxyConfig(chart(), 'p').addEnvironmentVariable('1X', 'y'))
      .toThrow("ProxyConfig 'shop/p': invalid addEnvironmentVariable(\"1X\") \"1X\"");
  });

  test('fails synth when it sets nothing', () => {
    const c = chart();
    new ProxyConfig(c, 'p');
    expect(() => Testing.synth(c)).toThrow("ProxyConfig 'shop/p': sets nothing: give concurrency, environmentVariables (or addEnvironmentVariable()) or imageType");
  });

  test('fails synth when the debug image is given mesh-wide; for selected workloads it is fine', () => {
    const mesh = new Chart(Testing.app(), 'mesh');
    ProxyConfig.meshWide(mesh, 'p', { imageType: ProxyImageType.DEBUG });
    expect(() => Testing.synth(mesh)).toThrow("ProxyConfig 'mesh/p': invalid imageType \"debug\": the debug image (a shell and tools in every proxy) is refused mesh-wide (the root namespace \"istio-system\" without a selector); give it to the workloads being debugged with a selector");
    const ok = new Chart(Testing.app(), 'mesh');
    new ProxyConfig(ok, 'p', { metadata: { namespace: 'istio-system' }, selector: WorkloadSelector.fromLabels({ app: 'istiod' }), imageType: ProxyImageType.DEBUG });
    expect(() => synthValid(ok)).not.toThrow();
  });

  test('fails synth when two ProxyConfigs without selector apply to one namespace; with a selector it is fine', () => {
    const c = chart();
    new ProxyConfig(c, 'a', { concurrency: 2 });
    new ProxyConfig(c, 'b', { concurrency: 4 });
    new ProxyConfig(c, 'web', { concurrency: 1, selector: WorkloadSelector.fromLabels({ app: 'web' }) });
    expect(() => Testing.synth(c)).toThrow("ProxyConfig 'shop/b': another ProxyConfig without selector, 'shop/a', applies to namespace \"shop\" too: which one a workload gets is undefined; merge them, or give this one a selector");
    expect(() => Testing.synth(c)).not.toThrow(/'shop\/web'|ProxyConfig 'shop\/a'/);
  });
});
