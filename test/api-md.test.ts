import * as fs from 'fs';
import * as path from 'path';

/** API.md (jsii-docgen, root module, compacted by scripts/compact-api-md.ts). */
const apiMd = fs.readFileSync(path.join(__dirname, '..', 'API.md'), 'utf8');

test('API.md stays under 500 KB', () => {
  expect(Buffer.byteLength(apiMd)).toBeLessThan(500_000);
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
