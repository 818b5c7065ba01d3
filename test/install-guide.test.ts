import * as fs from 'fs';
import * as path from 'path';

/**
 * docs/install.md shows TypeScript next to the YAML it produces: each TypeScript
 * snippet stands verbatim in examples/istio-install/main.ts (which CI compiles and
 * synthesizes), and each YAML snippet is part of that example's output: the
 * IstioOperators under dist/, the Helm values files under helm/.
 */
const root = path.join(__dirname, '..');
const example = path.join(root, 'examples', 'istio-install');

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]);
}

function snippets(markdown: string, lang: string): string[] {
  return [...markdown.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map(m => m[1].trim());
}

const markdown = fs.readFileSync(path.join(root, 'docs', 'install.md'), 'utf8');
const main = fs.readFileSync(path.join(example, 'main.ts'), 'utf8');
const output = [...filesUnder(path.join(example, 'dist')), ...filesUnder(path.join(example, 'helm'))]
  .filter(f => f.endsWith('.yaml')).map(f => fs.readFileSync(f, 'utf8')).join('\n---\n');

describe('docs/install.md', () => {
  test('shows the sidecar, CNI and ambient installations, code and output', () => {
    expect(snippets(markdown, 'ts').length).toBeGreaterThanOrEqual(4);
    expect(snippets(markdown, 'yaml').length).toBeGreaterThanOrEqual(6);
    for (const heading of ['## Sidecars: the default profile', '## Ambient mode', '## Sidecars with the Istio CNI node agent, and a canary upgrade', '## The checks']) {
      expect(markdown).toContain(heading);
    }
  });

  test.each(snippets(markdown, 'ts').map((s, i) => [i, s]))('TypeScript snippet %i stands verbatim in examples/istio-install/main.ts', (_i, snippet) => {
    expect(main).toContain(snippet as string);
  });

  test.each(snippets(markdown, 'yaml').map((s, i) => [i, s]))('YAML snippet %i is part of the example\'s output', (_i, snippet) => {
    expect(output).toContain(snippet as string);
  });
});
