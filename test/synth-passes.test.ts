import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { PeerAuthentication } from '../src';

/**
 * cdk8s resolves the dependencies and validates the whole app once per synth and again
 * for every chart; in an app of this library only the first chart of a synth repeats
 * them (src/core/cross-check.ts). The output is what cdk8s alone gives.
 */
function build(withLibrary: boolean): { app: App; calls: () => number } {
  const app = Testing.app();
  let calls = 0;
  for (const name of ['a', 'b', 'c', 'd']) {
    const chart = new Chart(app, name, { namespace: name });
    const ns = new ApiObject(chart, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, namespace: undefined } });
    const cm = new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${name}-cm` } });
    const first = new ApiObject(chart, 'first', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${name}-first` } });
    // dependency order differs from tree order: `first` is written after `cm`
    first.addDependency(cm);
    cm.addDependency(ns);
    if (withLibrary) new PeerAuthentication(chart, 'default', { metadata: { name: 'default' } });
    else new ApiObject(chart, 'default', { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default' }, spec: { mtls: { mode: 'STRICT' } } });
    const probe = new Construct(chart, 'probe');
    probe.node.addValidation({ validate: () => { calls++; return []; } });
  }
  return { app, calls: () => calls };
}

test('a synth validates the app twice, not once per chart', () => {
  const plain = build(false);
  plain.app.synthYaml();
  // cdk8s alone: once for the app, then once per chart (4 probes each time)
  expect(plain.calls()).toBe(4 * (1 + 4));

  const ours = build(true);
  ours.app.synthYaml();
  expect(ours.calls()).toBe(4 * (1 + 1));
  ours.app.synthYaml();
  expect(ours.calls()).toBe(2 * 4 * (1 + 1));
});

test('the output, in dependency order, is what cdk8s alone writes', () => {
  const strip = (yaml: string) => yaml.replace(/apiVersion: security\.istio\.io\/v1\nkind: PeerAuthentication\nmetadata:\n  name: default\n  namespace: (\w)\nspec:\n  mtls:\n    mode: STRICT\n/g, 'PA $1\n');
  const plain = strip(build(false).app.synthYaml());
  const ours = strip(build(true).app.synthYaml());
  expect(ours).toBe(plain);
  expect(plain.indexOf('name: a-cm')).toBeLessThan(plain.indexOf('name: a-first'));
  expect(plain).toContain('PA a');
});

test('chart.toJson() outside a synth still validates the whole app', () => {
  const ours = build(true);
  const chart = ours.app.node.findChild('b') as Chart;
  chart.toJson();
  chart.toJson();
  expect(ours.calls()).toBe(2 * 4);
});

test('a validation error still fails the synth', () => {
  const ours = build(true);
  new Construct(ours.app.node.findChild('d'), 'broken').node.addValidation({ validate: () => ['broken on purpose'] });
  expect(() => ours.app.synthYaml()).toThrow(/broken on purpose/);
});
