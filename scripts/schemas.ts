/**
 * `npx projen schemas`: regenerates data/crd-schemas.json, the CRD schema + CEL
 * rule data the CRD validator (src/validation/crd) reads at runtime, from the CRDs
 * vendored in crds/ (see crds/SOURCES.md). Every served version of every CRD is
 * kept, with `description` keywords stripped; identical schemas (the same schema served as several versions)
 * are stored once. The output is byte-identical across runs (sorted keys, CRDs
 * sorted by group and kind, versions by Kubernetes version priority).
 */
import * as fs from 'fs';
import * as path from 'path';
import { compareVersions, CRD_FILES, readCrds } from './crd-source';

/** Format version of data/crd-schemas.json; bump when the layout changes. */
const FORMAT = 1;

/** Schema keywords the CRDs may use (the validator implements every one of them). */
const KNOWN_KEYWORDS = new Set([
  'type', 'nullable', 'format', 'enum', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum',
  'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minItems', 'maxItems', 'uniqueItems',
  'minProperties', 'maxProperties', 'required', 'properties', 'additionalProperties', 'items',
  'oneOf', 'anyOf', 'allOf', 'not', 'default', 'description', 'title', 'example', 'externalDocs',
  'x-kubernetes-int-or-string', 'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type', 'x-kubernetes-validations',
]);
/** Documentation-only keywords, dropped from the output. */
const DROPPED_KEYWORDS = new Set(['description', 'title', 'example', 'externalDocs']);
/** Keys of an x-kubernetes-validations rule. */
const RULE_KEYS = new Set(['rule', 'message', 'messageExpression', 'reason', 'fieldPath', 'optionalOldSelf']);

/** Strips documentation keywords from a schema node, walking only schema positions. */
function strip(schema: any, where: string): any {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    throw new Error(`${where}: a schema must be an object`);
  }
  const out: any = {};
  for (const [key, value] of Object.entries(schema)) {
    if (!KNOWN_KEYWORDS.has(key)) throw new Error(`${where}: unknown schema keyword '${key}'`);
    if (DROPPED_KEYWORDS.has(key)) continue;
    switch (key) {
      case 'properties': {
        const props: any = {};
        for (const [name, sub] of Object.entries(value as any)) props[name] = strip(sub, `${where}.${name}`);
        out.properties = props;
        break;
      }
      case 'items':
      case 'not':
        out[key] = strip(value, `${where}/${key}`);
        break;
      case 'additionalProperties':
        out[key] = typeof value === 'boolean' ? value : strip(value, `${where}/additionalProperties`);
        break;
      case 'oneOf':
      case 'anyOf':
      case 'allOf':
        out[key] = (value as any[]).map((sub, i) => strip(sub, `${where}/${key}[${i}]`));
        break;
      case 'x-kubernetes-validations':
        out[key] = (value as any[]).map((rule, i) => {
          for (const k of Object.keys(rule)) {
            if (!RULE_KEYS.has(k)) throw new Error(`${where}: x-kubernetes-validations[${i}] has unknown key '${k}'`);
          }
          return rule;
        });
        break;
      default:
        out[key] = value;
    }
  }
  return out;
}

/** JSON with object keys sorted, so the output is byte-identical across runs. */
function stableStringify(value: any): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const keys = Object.keys(value).filter(k => value[k] !== undefined).sort();
  return `{${keys.map(k => `${JSON.stringify(k)}:${stableStringify(value[k])}`).join(',')}}`;
}

function main() {
  const key = (c: { spec: { group: string; names: { kind: string } } }) => `${c.spec.group}/${c.spec.names.kind}`;
  const crds = readCrds().sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const schemas: string[] = [];
  const schemaIndex = new Map<string, number>();
  const out: any[] = [];
  let ruleCount = 0;
  for (const crd of crds) {
    const versions: any[] = [];
    for (const v of [...crd.spec.versions].sort((a, b) => compareVersions(a.name, b.name))) {
      const entry: any = { name: v.name, served: v.served === true, storage: v.storage === true };
      if (v.deprecated) entry.deprecated = true;
      if (v.deprecationWarning) entry.deprecationWarning = v.deprecationWarning;
      if (v.served) {
        const raw = v.schema?.openAPIV3Schema;
        if (!raw) throw new Error(`${crd.metadata.name}/${v.name}: served without an openAPIV3Schema`);
        const text = stableStringify(strip(raw, `${crd.spec.names.kind}/${v.name}`));
        ruleCount += (text.match(/"rule":/g) ?? []).length;
        let index = schemaIndex.get(text);
        if (index === undefined) {
          index = schemas.length;
          schemas.push(text);
          schemaIndex.set(text, index);
        }
        entry.schema = index;
        entry.statusSubresource = v.subresources?.status !== undefined || crd.spec.subresources?.status !== undefined;
      }
      versions.push(entry);
    }
    out.push({
      group: crd.spec.group,
      kind: crd.spec.names.kind,
      plural: crd.spec.names.plural,
      scope: crd.spec.scope,
      versions,
    });
  }
  const file = path.resolve(__dirname, '..', 'data', 'crd-schemas.json');
  const header = stableStringify({ format: FORMAT, sources: CRD_FILES, crds: out });
  // the schemas are already stable JSON text: splice them in rather than re-parsing
  const text = `${header.slice(0, -1)},"schemas":[\n${schemas.join(',\n')}\n]}\n`;
  JSON.parse(text); // sanity
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  console.log(`${path.relative(process.cwd(), file)}: ${out.length} CRDs, ${out.reduce((n, c) => n + c.versions.filter((v: any) => v.served).length, 0)} served versions, ${schemas.length} distinct schemas, ${ruleCount} CEL rules, ${text.length} bytes`);
}

main();
