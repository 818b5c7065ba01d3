import { parseAllDocuments } from 'yaml';
import { codeBlocks, exampleOutput, exampleSource, readRepoFile } from './doc-snippets';

/**
 * The guides of MeshConfig, ExternalAuthorization, TelemetryPolicy and ProxyConfig show
 * the code of examples/mesh-extensions next to the YAML it synthesizes: each TypeScript
 * snippet stands verbatim in the example's main.ts (which CI compiles, synthesizes and
 * validates), and each YAML snippet in its output (examples/mesh-extensions/dist,
 * refreshed by `npm run examples`): verbatim in a manifest, or in the mesh config (the
 * `mesh` key of the istio ConfigMap).
 */
const GUIDES = ['docs/mesh-config.md', 'docs/external-authorization.md', 'docs/telemetry.md', 'docs/proxy-config.md'];
const blocks = (text: string, lang: string) => codeBlocks(text, lang, 'end');
const source = exampleSource('mesh-extensions');
const output = exampleOutput('mesh-extensions');
const meshConfigs = parseAllDocuments(output).map(d => d.toJS()).filter(o => o?.kind === 'ConfigMap').map(o => String(o.data?.mesh ?? ''));

describe.each(GUIDES)('%s', guide => {
  const text = readRepoFile(guide);

  test('has TypeScript and YAML snippets, and lists the secure defaults', () => {
    expect(blocks(text, 'ts').length).toBeGreaterThanOrEqual(1);
    expect(blocks(text, 'yaml').length).toBeGreaterThanOrEqual(1);
    expect(text).toContain('## Secure defaults');
  });

  test.each(blocks(text, 'ts').map((s, i) => [i, s]))('TypeScript snippet %i stands verbatim in examples/mesh-extensions/main.ts', (_i, snippet) => {
    expect(source).toContain(snippet);
  });

  test.each(blocks(text, 'yaml').map((s, i) => [i, s]))('YAML snippet %i is part of examples/mesh-extensions/dist', (_i, snippet) => {
    expect([output, ...meshConfigs].some(o => o.includes(snippet))).toBe(true);
  });
});
