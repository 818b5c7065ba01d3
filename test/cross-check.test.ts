import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { addCrossCheck, ManifestIndex } from '../src/core/cross-check';

function app(): App {
  return new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-')) });
}

describe('cross-construct checks', () => {
  test('run once per app.synth(), though cdk8s validates the app again for every chart', () => {
    const a = app();
    for (const name of ['one', 'two', 'three']) {
      new ApiObject(new Chart(a, name), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
    }
    const seen: number[] = [];
    addCrossCheck(a, (index: ManifestIndex) => {
      seen.push(index.ofKind('ConfigMap').length);
      return [];
    });
    a.synth();
    expect(seen).toEqual([3]);
    a.synthYaml();
    expect(seen).toEqual([3, 3]);
  });

  test('a change between two synths is seen by the second', () => {
    const a = app();
    const chart = new Chart(a, 'c');
    addCrossCheck(a, index => index.ofKind('ConfigMap').length > 1 ? ['two ConfigMaps'] : []);
    new ApiObject(chart, 'one', { apiVersion: 'v1', kind: 'ConfigMap' });
    expect(() => a.synth()).not.toThrow();
    new ApiObject(chart, 'two', { apiVersion: 'v1', kind: 'ConfigMap' });
    expect(() => a.synth()).toThrow('two ConfigMaps');
  });

  test('outside app.synth() (Testing.synth of a chart) every call checks again', () => {
    const chart = Testing.chart();
    let runs = 0;
    addCrossCheck(chart, () => {
      runs++;
      return [];
    });
    Testing.synth(chart);
    Testing.synth(chart);
    expect(runs).toBe(2);
  });
});
