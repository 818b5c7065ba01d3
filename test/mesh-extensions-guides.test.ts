import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

/**
 * The guides of MeshConfig, ExternalAuthorization, TelemetryPolicy and ProxyConfig show
 * the code of examples/mesh-extensions next to the YAML it synthesizes: each TypeScript
 * snippet stands verbatim in the example's main.ts (which CI compiles, synthesizes and
 * validates), and each YAML snippet in its output (examples/mesh-extensions/dist,
 * refreshed by `npm run examples`): verbatim in a manifest, or in the mesh config (the
 * `mesh` key of the istio ConfigMap).
 */
const root = path.join(__dirname, '..');
const example = path.join(root, 'examples', 'mesh-extensions');
const GUIDES = ['docs/mesh-config.md', 'docs/external-authorization.md', 'docs/telemetry.md', 'docs/proxy-config.md'];

function blocks(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map(m => m[1].trimEnd());
}

const source = fs.readFileSync(path.join(example, 'main.ts'), 'utf8');
const distDir = path.join(example, 'dist');
const output = fs.readdirSync(distDir).filter(f => f.endsWith('.yaml')).map(f => fs.readFileSync(path.join(distDir, f), 'utf8')).join('\n');
const meshConfigs = parseAllDocuments(output).map(d => d.toJS()).filter(o => o?.kind === 'ConfigMap').map(o => String(o.data?.mesh ?? ''));

describe.each(GUIDES)('%s', guide => {
  const text = fs.readFileSync(path.join(root, guide), 'utf8');

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
