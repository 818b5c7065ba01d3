import * as fs from 'fs';
import * as path from 'path';

/**
 * The README's TypeScript snippets are taken from the example apps, which CI compiles,
 * synthesizes and validates: each snippet must stand in one of them, verbatim.
 */
const root = path.join(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map(m => m[1].trim());
const examples = fs.readdirSync(path.join(root, 'examples'))
  .map(d => path.join(root, 'examples', d, 'main.ts'))
  .filter(f => fs.existsSync(f))
  .map(f => fs.readFileSync(f, 'utf8'));

test('the README has TypeScript snippets', () => {
  expect(snippets.length).toBeGreaterThanOrEqual(5);
});

test.each(snippets.map((s, i) => [i, s]))('README snippet %i stands verbatim in an example app', (_i, snippet) => {
  expect(examples.some(source => source.includes(snippet as string))).toBe(true);
});

/** The README's YAML is what the examples synthesize: each block stands verbatim in an example's output. */
const yamlBlocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map(m => m[1]);
const outputs = fs.readdirSync(path.join(root, 'examples'))
  .map(d => path.join(root, 'examples', d, 'dist'))
  .filter(d => fs.existsSync(d))
  .flatMap(d => fs.readdirSync(d, { recursive: true }).map(f => path.join(d, String(f))))
  .filter(f => f.endsWith('.yaml'))
  .map(f => fs.readFileSync(f, 'utf8'));

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
