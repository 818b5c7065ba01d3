/** Importing the library does not load the YAML library: reading manifests or a mesh config does. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

test('importing the library does not load yaml; reading a manifest file does', () => {
  let loaded = false;
  jest.isolateModules(() => {
    jest.doMock('yaml', () => {
      loaded = true;
      return jest.requireActual('yaml');
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const lib = require('../src');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { readManifests } = require('../src/validation/manifest-reader');
    expect(lib.CanaryRelease).toBeDefined();
    expect(loaded).toBe(false);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-load-'));
    fs.writeFileSync(path.join(dir, 'a.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n');
    expect(readManifests([dir]).sources.map((s: any) => s.object.kind)).toEqual(['ConfigMap']);
    expect(loaded).toBe(true);
  });
  jest.dontMock('yaml');
});
