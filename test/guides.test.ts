import * as fs from 'fs';
import * as path from 'path';

/**
 * The pattern guides in docs/ show TypeScript next to the YAML it produces: each
 * TypeScript snippet stands verbatim in an example app (which CI compiles, synthesizes
 * and validates), and each YAML snippet is a part of that example's synthesized output
 * (examples/<name>/dist), so that neither drifts from the API.
 */
const root = path.join(__dirname, '..');
const GUIDES: Array<[string, string]> = [
  ['docs/ingress-gateway.md', 'examples/ingress-gateway'],
  ['docs/external-service.md', 'examples/external-services'],
  ['docs/envoy-filter.md', 'examples/envoy-filters'],
  ['docs/mesh-workload.md', 'examples/mesh-workload'],
  ['docs/vm-workload.md', 'examples/vm-workload'],
];

function snippets(markdown: string, lang: string): string[] {
  return [...markdown.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map(m => m[1].trim());
}

describe.each(GUIDES)('%s', (guide, example) => {
  const markdown = fs.readFileSync(path.join(root, guide), 'utf8');
  const main = fs.readFileSync(path.join(root, example, 'main.ts'), 'utf8');
  const distDir = path.join(root, example, 'dist');
  const dist = fs.existsSync(distDir)
    ? fs.readdirSync(distDir).filter(f => f.endsWith('.yaml')).map(f => fs.readFileSync(path.join(distDir, f), 'utf8')).join('\n---\n')
    : '';

  test('has TypeScript and YAML snippets', () => {
    expect(snippets(markdown, 'ts').length).toBeGreaterThanOrEqual(2);
    expect(snippets(markdown, 'yaml').length).toBeGreaterThanOrEqual(2);
  });

  test.each(snippets(markdown, 'ts').map((s, i) => [i, s]))('TypeScript snippet %i stands verbatim in the example app', (_i, snippet) => {
    expect(main).toContain(snippet as string);
  });

  test.each(snippets(markdown, 'yaml').map((s, i) => [i, s]))('YAML snippet %i is part of the example\'s synthesized output', (_i, snippet) => {
    expect(dist).toContain(snippet as string);
  });
});
