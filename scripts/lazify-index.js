#!/usr/bin/env node
/**
 * Post-compile (`npx projen post-compile`): rewrites the compiled entry point
 * lib/src/index.js so that `require('cdk8s-istio')` loads nothing until an export is
 * used: every re-export becomes a getter that requires its module on first access
 * (as aws-cdk-lib does). jsii only accepts `export * from` / `export * as ns from` /
 * `export { X } from`, which TypeScript compiles to eager requires; the generated L1
 * modules, the CRD data and the validation layers then load at import time.
 *
 * It understands the three forms TypeScript writes for those re-exports, and fails on
 * any other line that requires a module, so a new form cannot slip through eagerly or
 * be dropped. It then checks that the rewritten module has the same export names as the
 * original and that every export is the very same value.
 *
 * Usage: node scripts/lazify-index.js [lib/src/index.js]
 */
'use strict';
const fs = require('fs');
const path = require('path');

const file = path.resolve(process.argv[2] || 'lib/src/index.js');
const dir = path.dirname(file);
const source = fs.readFileSync(file, 'utf8');
if (source.includes('cdk8s-istio: lazy entry point')) {
  console.log(`${path.relative(process.cwd(), file)}: already lazy`);
  process.exit(0);
}

/** name -> { module, member } (member undefined: the module itself) */
const exportsOf = new Map();
const add = (name, module, member) => { if (!exportsOf.has(name)) exportsOf.set(name, { module, member }); };
const locals = new Map();
for (const line of source.split('\n')) {
  let m;
  if ((m = /^exports\.(\w+) = __importStar\(require\("([^"]+)"\)\);$/.exec(line))) {
    add(m[1], m[2], undefined);
  } else if ((m = /^__exportStar\(require\("([^"]+)"\), exports\);$/.exec(line))) {
    // TypeScript's __exportStar: every own enumerable name but "default", the first module wins
    for (const name of Object.keys(require(path.join(dir, m[1])))) if (name !== 'default') add(name, m[1], name);
  } else if ((m = /^var (\w+) = require\("([^"]+)"\);$/.exec(line))) {
    locals.set(m[1], m[2]);
  } else if ((m = /^Object\.defineProperty\(exports, "(\w+)", \{ enumerable: true, get: function \(\) \{ return (\w+)\.(\w+); \} \}\);$/.exec(line))) {
    if (!locals.has(m[2])) throw new Error(`${file}: ${m[2]} is not a required module: ${line}`);
    add(m[1], locals.get(m[2]), m[3]);
  } else if (/require\(/.test(line)) {
    throw new Error(`${file}: a require this script does not understand (update scripts/lazify-index.js): ${line}`);
  }
}

const out = [
  '"use strict";',
  '// cdk8s-istio: lazy entry point, written by scripts/lazify-index.js from the compiled',
  '// index.js: each export requires its module on first use.',
  'Object.defineProperty(exports, "__esModule", { value: true });',
  'function lazy(name, module, member) {',
  '    Object.defineProperty(exports, name, { enumerable: true, configurable: true, get: function () {',
  '        var value = member === undefined ? require(module) : require(module)[member];',
  '        Object.defineProperty(exports, name, { enumerable: true, configurable: true, writable: false, value: value });',
  '        return value;',
  '    } });',
  '}',
  ...[...exportsOf].map(([name, { module, member }]) =>
    `lazy(${JSON.stringify(name)}, ${JSON.stringify(module)}${member === undefined ? '' : `, ${JSON.stringify(member)}`});`),
  '',
];

// the same names, the same values
const original = require(file);
const lazyFile = path.join(dir, '.index.lazy.js');
fs.writeFileSync(lazyFile, out.join('\n'));
try {
  const rewritten = require(lazyFile);
  const before = Object.keys(original).sort();
  const after = Object.keys(rewritten).sort();
  if (JSON.stringify(before) !== JSON.stringify(after)) {
    throw new Error(`export names differ:\n  before: ${before.join(', ')}\n  after:  ${after.join(', ')}`);
  }
  for (const name of before) {
    if (rewritten[name] !== original[name]) throw new Error(`export ${name} is not the same value after the rewrite`);
  }
} finally {
  fs.rmSync(lazyFile, { force: true });
}
fs.writeFileSync(file, out.join('\n'));
console.log(`${path.relative(process.cwd(), file)}: ${exportsOf.size} exports, loaded on first use`);
