import { codeBlocks, exampleNames, exampleOutput, exampleSource, readRepoFile } from './doc-snippets';

/**
 * The README's TypeScript snippets are taken from the example apps, which CI compiles,
 * synthesizes and validates: each snippet must stand in one of them, verbatim.
 */
const readme = readRepoFile('README.md');
const snippets = codeBlocks(readme, 'ts');
const examples = exampleNames().map(exampleSource);

test('the README has TypeScript snippets', () => {
  expect(snippets.length).toBeGreaterThanOrEqual(5);
});

test.each(snippets.map((s, i) => [i, s]))('README snippet %i stands verbatim in an example app', (_i, snippet) => {
  expect(examples.some(source => source.includes(snippet as string))).toBe(true);
});

/** The README's YAML is what the examples synthesize: each block stands verbatim in an example's output. */
const yamlBlocks = codeBlocks(readme, 'yaml', 'end').map(b => `${b}\n`);
const outputs = exampleNames().map(e => exampleOutput(e));

test('the README shows the YAML of its first example', () => {
  expect(yamlBlocks.length).toBeGreaterThanOrEqual(2);
});

test.each(yamlBlocks.map((s, i) => [i, s]))('README YAML block %i stands verbatim in an example\'s output', (_i, block) => {
  expect(outputs.some(out => out.includes(block as string))).toBe(true);
});

test('the quick start is the two documented commands', () => {
  expect(readme).toContain('npm install && npm run examples');
  expect(readme).toContain('npm install && npx projen test');
});
