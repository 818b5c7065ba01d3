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

test('the quick start is the two documented commands', () => {
  expect(readme).toContain('npm install && npm run examples');
  expect(readme).toContain('npm install && npx projen test');
});
