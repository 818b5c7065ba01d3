import { codeBlocks, exampleOutput, exampleSource, readRepoFile } from './doc-snippets';

/**
 * docs/ambient.md shows the code of the ambient examples (examples/ambient-bookinfo,
 * ambient-namespace, ambient-egress) next to the YAML it synthesizes: each TypeScript
 * snippet stands verbatim in one of the examples' main.ts (which `npm run examples`
 * compiles, synthesizes and validates under strict), and each YAML snippet verbatim in
 * their output (examples/<name>/dist).
 */
const EXAMPLES = ['ambient-bookinfo', 'ambient-namespace', 'ambient-egress'];
const guide = readRepoFile('docs/ambient.md');
const blocks = (text: string, lang: string) => codeBlocks(text, lang, 'end');
const sources = EXAMPLES.map(exampleSource);
const outputs = EXAMPLES.map(e => exampleOutput(e));

test('the guide has TypeScript and YAML snippets, secure defaults, checks and the limits of ambient mode', () => {
  expect(blocks(guide, 'ts').length).toBeGreaterThanOrEqual(8);
  expect(blocks(guide, 'yaml').length).toBeGreaterThanOrEqual(8);
  for (const heading of ['## When to choose ambient, and when sidecars', '## Secure defaults', '## Checks']) expect(guide).toContain(heading);
  for (const code of ['CDK8S-ISTIO-A040', 'CDK8S-ISTIO-A041', 'CDK8S-ISTIO-A042']) expect(guide).toContain(code);
});

test.each(blocks(guide, 'ts').map((s, i) => [i, s]))('TypeScript snippet %i stands verbatim in an ambient example', (_i, snippet) => {
  expect(sources.some(s => s.includes(snippet))).toBe(true);
});

test.each(blocks(guide, 'yaml').map((s, i) => [i, s]))('YAML snippet %i is part of an ambient example\'s output', (_i, snippet) => {
  expect(outputs.some(o => o.includes(snippet))).toBe(true);
});

test('every step of the walk-through is in the example, in order', () => {
  const bookinfo = sources[0];
  const steps = [1, 2, 3, 4, 5].map(n => bookinfo.indexOf(`// ${n}. `));
  expect(steps.every(i => i > 0)).toBe(true);
  expect([...steps].sort((a, b) => a - b)).toEqual(steps);
});
