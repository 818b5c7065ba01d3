import { codeBlocks, exampleOutput, exampleSource, readRepoFile } from './doc-snippets';

/**
 * docs/install.md shows TypeScript next to the YAML it produces: each TypeScript
 * snippet stands verbatim in examples/istio-install/main.ts (which CI compiles and
 * synthesizes), and each YAML snippet is part of that example's output: the
 * IstioOperators under dist/, the Helm values files under helm/.
 */
const snippets = (markdown: string, lang: string) => codeBlocks(markdown, lang);
const markdown = readRepoFile('docs/install.md');
const main = exampleSource('istio-install');
const output = exampleOutput('istio-install', ['dist', 'helm']);

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
