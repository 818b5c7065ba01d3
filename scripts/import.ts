/**
 * `npx projen import`: regenerates imports/ (the L1) with `cdk8s import` from the
 * local CRDs only, one module per API group, keeping the newest served version of
 * each kind (cdk8s import gives the bare class name to the first-listed version).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { Crd, newestServed, readCrds } from './crd-source';

const root = path.resolve(__dirname, '..');
const outDir = path.join(root, 'imports');
const tmpDir = path.join(root, '.tmp', 'import');

/**
 * Istio's CRDs keep a few proto field names beside their JSON names (`jwks_uri` beside
 * `jwksUri`, `mirror_percent` beside `mirrorPercent`). cdk8s import gives both the same
 * camelCase property and writes the snake_case one, so the L1 would emit the alias.
 * Dropping an alias whose camelCase twin is in the same schema keeps the documented name.
 */
function withoutProtoAliases(schema: any): any {
  if (Array.isArray(schema)) return schema.map(withoutProtoAliases);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: any = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' && value && typeof value === 'object') {
      const props: any = {};
      for (const [name, sub] of Object.entries(value as object)) {
        const camel = name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
        if (camel !== name && camel in (value as object)) continue;
        props[name] = withoutProtoAliases(sub);
      }
      out[key] = props;
    } else {
      out[key] = withoutProtoAliases(value);
    }
  }
  return out;
}

const byGroup = new Map<string, Crd[]>();
for (const crd of readCrds()) {
  const keep = withoutProtoAliases(newestServed(crd));
  const filtered: Crd = { ...crd, spec: { ...crd.spec, versions: [{ ...keep, storage: true }] } };
  const list = byGroup.get(crd.spec.group) ?? [];
  list.push(filtered);
  byGroup.set(crd.spec.group, list);
}

fs.rmSync(tmpDir, { recursive: true, force: true });
fs.mkdirSync(tmpDir, { recursive: true });
fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });

const cli = path.join(root, 'node_modules', '.bin', 'cdk8s');
for (const group of [...byGroup.keys()].sort()) {
  const crds = byGroup.get(group)!.sort((a, b) => a.spec.names.kind.localeCompare(b.spec.names.kind));
  const file = path.join(tmpDir, `${group}.yaml`);
  fs.writeFileSync(file, crds.map(c => YAML.stringify(c)).join('---\n'));
  console.log(`import ${group}: ${crds.map(c => `${c.spec.names.kind}/${c.spec.versions[0].name}`).join(', ')}`);
  execFileSync(cli, ['import', file, '--output', outDir, '--language', 'typescript', '--no-save', '--no-check-upgrade'], {
    cwd: tmpDir,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
  });
}
fs.rmSync(path.join(root, '.tmp'), { recursive: true, force: true });
console.log(`imports/: ${fs.readdirSync(outDir).sort().join(', ')}`);
