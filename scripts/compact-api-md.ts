/**
 * Post-processes jsii-docgen's API.md (run by the `docgen` task) so that it documents
 * this library, not the `constructs` base class it repeats for every construct, and
 * stays well under 500 KB:
 * - drops the members every construct inherits from `Construct` (`node`, `toString`,
 *   `with`, `isConstruct`): rows of the member tables and their sections;
 * - drops the sections of the `scope` and `id` parameters, which have no description;
 * - drops the `public readonly x: T;` code block of each property (the type is listed
 *   right below it);
 * - drops the struct initializers (`const x: X = { ... }`) and the `---` rules;
 * - drops the `name` attribute of the anchors (links use their `id`), and the
 *   package prefix of the ids (`#cdk8s-istio.Foo` becomes `#Foo`).
 * Deterministic: the same API.md in, the same out.
 */
import * as fs from 'fs';

const file = process.argv[2] ?? 'API.md';
const INHERITED = /\.(isConstruct|with|toString|property\.node)(\.|")/;

// the `scope` and `id` parameters of every construct: the table above them says it all
const UNDOCUMENTED_PARAMETER = /^#{5,6} `(scope|id)`<sup>Required<\/sup> .*\.parameter\.(scope|id)"/;

const lines = fs.readFileSync(file, 'utf8').split('\n');
const out: string[] = [];
let skipping = false;
let skippingParameter = false;
for (const line of lines) {
  const heading = /^(#{2,6}) /.exec(line);
  if (heading) {
    // a member section is an h5 (`##### \`name\``); its parameters are h6
    if (heading[1].length <= 5) skipping = heading[1].length === 5 && INHERITED.test(line);
    skippingParameter = UNDOCUMENTED_PARAMETER.test(line);
  }
  if (skipping || skippingParameter) continue;
  if (line.startsWith('| <code><a href="#') && INHERITED.test(line)) continue;
  out.push(line);
}

let text = out.join('\n')
  .replace(/```typescript\npublic readonly [^\n]*\n```\n\n/g, '')
  .replace(/<a name="[^"]*" id="/g, '<a id="')
  // links to the dropped `scope`/`id` sections become plain names
  .replace(/<a href="#[^"]*\.parameter\.(scope|id)">(scope|id)<\/a>/g, '$2')
  // every id is in this package: `#cdk8s-istio.Foo` -> `#Foo`
  .replace(/(id="|href="#)cdk8s-istio\./g, '$1')
  // a struct's "Initializer" is only `const x: X = { ... }`
  .replace(/#### Initializer <a id="[^"]*\.Initializer"><\/a>\n\n```typescript\nimport \{ \w+ \} from 'cdk8s-istio'\n\nconst \w+: \w+ = \{ \.\.\. \}\n```\n\n/g, '')
  // the rules between members (headings already separate them)
  .replace(/\n---\n/g, '\n');

// a member table left with no rows (e.g. only `isConstruct` was static): drop the table and its heading
text = text.replace(/#### (Static Functions|Methods) <a id="[^"]*"><\/a>\n\n\| \*\*Name\*\* \| \*\*Description\*\* \|\n\| --- \| --- \|\n\n---\n\n/g, '');

fs.writeFileSync(file, text);
console.log(`${file}: ${(Buffer.byteLength(text) / 1024).toFixed(0)} KiB`);
