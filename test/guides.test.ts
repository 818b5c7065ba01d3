import { codeBlocks, exampleOutput, exampleSource, readRepoFile } from './doc-snippets';

/**
 * The pattern guides in docs/ show TypeScript next to the YAML it produces: each
 * TypeScript snippet stands verbatim in an example app (which CI compiles, synthesizes
 * and validates), and each YAML snippet is a part of that example's synthesized output
 * (examples/<name>/dist), so that neither drifts from the API.
 */
const GUIDES: Array<[string, string]> = [
  ['docs/ingress-gateway.md', 'ingress-gateway'],
  ['docs/external-service.md', 'external-services'],
  ['docs/envoy-filter.md', 'envoy-filters'],
  ['docs/mesh-workload.md', 'mesh-workload'],
  ['docs/vm-workload.md', 'vm-workload'],
];
const snippets = (markdown: string, lang: string) => codeBlocks(markdown, lang);

describe.each(GUIDES)('%s', (guide, example) => {
  const markdown = readRepoFile(guide);
  const main = exampleSource(example);
  const dist = exampleOutput(example);

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
