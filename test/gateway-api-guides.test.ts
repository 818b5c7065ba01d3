import { codeBlocks, exampleOutput, exampleSource, readRepoFile } from './doc-snippets';

/**
 * docs/gateway-api.md shows the code of the examples/gateway-api-* apps next to the YAML
 * they synthesize: each TypeScript snippet stands verbatim in one of their main.ts files
 * (which `npm run examples` compiles, synthesizes and validates under strict), and each
 * YAML snippet in one of their outputs (examples/gateway-api-*\/dist).
 */
const EXAMPLES = ['gateway-api-canary', 'gateway-api-ingress', 'gateway-api-egress'];
const guide = readRepoFile('docs/gateway-api.md');
const blocks = (text: string, lang: string) => codeBlocks(text, lang, 'end');
const sources = EXAMPLES.map(exampleSource);
const outputs = EXAMPLES.map(e => exampleOutput(e));

test('docs/gateway-api.md has snippets, the table of what the mode cannot express, and the secure defaults', () => {
  expect(blocks(guide, 'ts').length).toBeGreaterThanOrEqual(4);
  expect(blocks(guide, 'yaml').length).toBeGreaterThanOrEqual(4);
  expect(guide).toContain('## What the Gateway API mode cannot express');
  expect(guide).toContain('## Secure defaults');
});

test.each(blocks(guide, 'ts').map((s, i) => [i, s]))('TypeScript snippet %i stands verbatim in an examples/gateway-api-* main.ts', (_i, snippet) => {
  expect(sources.some(s => s.includes(snippet))).toBe(true);
});

test.each(blocks(guide, 'yaml').map((s, i) => [i, s]))('YAML snippet %i is part of an examples/gateway-api-* output', (_i, snippet) => {
  expect(outputs.some(o => o.includes(snippet))).toBe(true);
});

test.each(EXAMPLES)('examples/%s sets the mode before anything else and validates under strict', example => {
  const source = sources[EXAMPLES.indexOf(example)];
  expect(source).toContain('OutputMode.set(app, ApiMode.GATEWAY_API);');
  expect(source).toContain('IstioValidation.enable(app, { strict: true });');
  expect(source.indexOf('OutputMode.set(')).toBeLessThan(source.indexOf('new Chart('));
});
