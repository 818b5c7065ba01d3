import * as fs from 'fs';
import * as path from 'path';

/** API.md (jsii-docgen, root module, compacted by scripts/compact-api-md.ts). */
const apiMd = fs.readFileSync(path.join(__dirname, '..', 'API.md'), 'utf8');

test('API.md documents the root module only: under 1 MB (the L1 alone would be megabytes)', () => {
  // about 3 KB per type for the ~270 types of the root module
  expect(Buffer.byteLength(apiMd)).toBeLessThan(1_000_000);
});

test('API.md opens with a table of contents and a summary of the L1 namespaces', () => {
  const contents = apiMd.indexOf('## Contents <a id="Contents"></a>');
  const l1 = apiMd.indexOf('## L1 namespaces <a id="L1"></a>');
  expect(contents).toBeGreaterThan(0);
  expect(l1).toBeGreaterThan(contents);
  expect(apiMd.indexOf('## Constructs <a id="Constructs"></a>')).toBeGreaterThan(l1);
  expect(apiMd).toContain('[CanaryRelease](#CanaryRelease)');
  expect(apiMd).toContain('| `networking` | `DestinationRule` (networking.istio.io/v1), ');
  expect(apiMd).toContain('`HttpRoute` (gateway.networking.k8s.io/v1)');
});

test('API.md documents the constructs, not the L1 or the Construct base class', () => {
  for (const name of ['CanaryRelease', 'EgressGateway', 'JwtProtectedIngress', 'StrictMtlsNamespace', 'VirtualService', 'Analyzer']) {
    expect(apiMd).toContain(`### ${name} <a id="${name}"></a>`);
  }
  expect(apiMd).not.toContain('isConstruct');
  expect(apiMd).not.toContain('### VirtualServiceSpec ');
});

test('every link in API.md points at an anchor in it', () => {
  const ids = new Set([...apiMd.matchAll(/ id="([^"]*)"/g)].map(m => m[1]));
  const broken = [...apiMd.matchAll(/href="#([^"]*)"/g)].map(m => m[1]).filter(h => !ids.has(h));
  expect(broken).toEqual([]);
});
