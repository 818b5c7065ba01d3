#!/usr/bin/env bash
# Packs the library, installs the tarball into a fresh temporary project, and
# validates one valid and one invalid object through the installed package.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cd "$root"
tarball="$(npm pack --silent --pack-destination "$tmp" | tail -n 1)"
cdk8s_version="$(node -p 'require("./node_modules/cdk8s/package.json").version')"
constructs_version="$(node -p 'require("./node_modules/constructs/package.json").version')"

cd "$tmp"
npm init -y >/dev/null
npm install --no-audit --no-fund "./$tarball" "cdk8s@$cdk8s_version" "constructs@$constructs_version" >/dev/null
cat > smoke.js <<'JS'
const assert = require('assert');
const { App, Chart } = require('cdk8s');
const istio = require('cdk8s-istio');

// the entry point is lazy (scripts/lazify-index.js): nothing of the library is loaded
// until an export is used, and then every export resolves
const loaded = () => Object.keys(require.cache).filter(f => f.includes('/node_modules/cdk8s-istio/lib/'));
assert.deepStrictEqual(loaded().map(f => f.replace(/.*\/lib\//, 'lib/')), ['lib/src/index.js']);
for (const name of Object.keys(istio)) assert.ok(istio[name] !== undefined, `export ${name} resolves`);

const valid = {
  apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'reviews', namespace: 'bookinfo' },
  spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 90 }, { destination: { host: 'reviews', subset: 'v2' }, weight: 10 }] }] },
};
const invalid = { ...valid, spec: { ...valid.spec, http: [{ timeout: '0s', route: [{ destination: { host: 'reviews' } }] }] } };

assert.deepStrictEqual(istio.CrdValidator.validate(valid), []);
const findings = istio.CrdValidator.validate(invalid);
assert.ok(findings.length > 0, 'the invalid object must be rejected');
assert.ok(findings.some(f => f.field && f.field.includes('timeout')), JSON.stringify(findings));

// the validation switch fails synth for the invalid object, through the installed package
const app = new App({ outdir: 'out' });
istio.IstioValidation.enable(app);
const chart = new Chart(app, 'smoke');
new istio.PeerAuthentication(chart, 'default', { metadata: { name: 'default' } });
app.synth();
new istio.networking.VirtualService(chart, 'bad', { metadata: { name: 'bad' }, spec: { hosts: ['*'], http: [{ timeout: '0s', route: [{ destination: { host: 'x' } }] }] } });
assert.throws(() => app.synth(), /timeout/);
console.log(`smoke test: installed ${require('cdk8s-istio/package.json').version}; valid object accepted, invalid rejected: ${findings[0].message}`);
JS
node smoke.js
