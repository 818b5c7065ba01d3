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

// a table of contents after the title: each section's types, linked; then the L1
// namespaces, summarized (their kinds and apiVersions) rather than documented member by member
const sections = [...text.matchAll(/^## (\w+) <a id="(\w+)"><\/a>$/gm)].map(m => ({ title: m[1], at: m.index! }));
const contents = sections.map((section, i) => {
  const body = text.slice(section.at, sections[i + 1]?.at ?? text.length);
  const names = [...body.matchAll(/^### (\w+) <a id="(\w+)"><\/a>$/gm)].map(m => `[${m[1]}](#${m[2]})`);
  return `**${section.title}** (${names.length}): ${names.join(', ')}`;
});
const L1: Array<[string, string]> = [
  ['networking', 'networking.istio.io'], ['security', 'security.istio.io'], ['telemetry', 'telemetry.istio.io'],
  ['extensions', 'extensions.istio.io'], ['gatewayApi', 'gateway.networking.k8s.io'], ['gatewayApiX', 'gateway.networking.x-k8s.io'],
];
const l1Rows = L1.map(([ns, group]) => {
  const source = fs.readFileSync(`imports/${group}.ts`, 'utf8');
  const kinds = [...source.matchAll(/^export class (\w+) extends ApiObject \{[\s\S]*?apiVersion: '([^']+)'/gm)].map(m => `\`${m[1]}\` (${m[2]})`);
  return `| \`${ns}\` | ${kinds.join(', ')} |`;
});
const preface = [
  '## Contents <a id="Contents"></a>',
  '',
  'The root module: the constructs, their props (structs), the value classes and the enums. Every type links to its section.',
  '',
  ...contents.flatMap(c => [c, '']),
  '## L1 namespaces <a id="L1"></a>',
  '',
  'The classes generated from the vendored CRDs (`imports/`, `npx projen import`), one namespace per API group, at the newest served version of each kind: `new networking.VirtualService(chart, id, { metadata, spec })`. Each takes the kind\'s full spec as typed props (`<Kind>Props`, `<Kind>Spec...`), as `cdk8s import` generates them; they are summarized here, not documented member by member.',
  '',
  '| namespace | kinds (apiVersion) |',
  '| --- | --- |',
  ...l1Rows,
  '',
  '',
].join('\n');
text = text.replace(/^(# API Reference <a id="api-reference"><\/a>\n\n)/, `$1${preface}`);

fs.writeFileSync(file, text);
console.log(`${file}: ${(Buffer.byteLength(text) / 1024).toFixed(0)} KiB`);
