import * as fs from 'fs';
import * as path from 'path';
import type * as YamlModule from 'yaml';
import { ManifestSource } from './findings';

/** What was read from a set of YAML files and folders. */
export interface ReadManifests {
  /** The objects with `kind`, each with its file. */
  readonly sources: ManifestSource[];
  /** Documents without `kind`: mesh config. */
  readonly meshConfigs: any[];
}

/** A YAML file or folder that could not be read or parsed. */
export class ManifestReadError extends Error {}

const YAML_FILE = /\.(ya?ml|json)$/i;

/**
 * Reads YAML (or JSON) files, and folders recursively, in a stable order:
 * multi-document files, `kind: List` (and `*List`) items. A document without `kind`
 * is mesh config. Internal: used by the CLI and the cdk8s plugin.
 */
export function readManifests(paths: string[]): ReadManifests {
  const sources: ManifestSource[] = [];
  const meshConfigs: any[] = [];
  for (const file of expand(paths)) {
    let docs: YamlModule.Document.Parsed[];
    try {
      docs = yaml().parseAllDocuments(fs.readFileSync(file, 'utf8')) as YamlModule.Document.Parsed[];
    } catch (e: any) {
      throw new ManifestReadError(`${file}: cannot read: ${e.message}`);
    }
    for (const doc of docs) {
      if (doc.errors.length > 0) {
        const err = doc.errors[0];
        throw new ManifestReadError(`${file}: YAML parse error: ${err.message.split('\n')[0]}`);
      }
      const obj = doc.toJS({ maxAliasCount: 1000 });
      if (obj === null || obj === undefined) continue;
      if (typeof obj !== 'object' || Array.isArray(obj)) {
        throw new ManifestReadError(`${file}: a document is not a mapping`);
      }
      add(obj, file, sources, meshConfigs);
    }
  }
  return { sources, meshConfigs };
}

/** Reads one mesh config file (the MeshConfig document, or a `istio` ConfigMap with `data.mesh`). */
export function readMeshConfig(file: string): any {
  const { sources, meshConfigs } = readManifests([file]);
  const configMap = sources.find(s => s.object.kind === 'ConfigMap' && typeof s.object.data?.mesh === 'string');
  if (configMap) return yaml().parse(configMap.object.data.mesh) ?? {};
  if (meshConfigs.length === 0) throw new ManifestReadError(`${file}: no mesh config document (a document without kind, or a ConfigMap with data.mesh)`);
  return Object.assign({}, ...meshConfigs);
}

function add(obj: any, file: string, sources: ManifestSource[], meshConfigs: any[]): void {
  if (obj.kind === undefined) {
    meshConfigs.push(obj);
  } else if (typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items)) {
    for (const item of obj.items) {
      if (item && typeof item === 'object') add(item, file, sources, meshConfigs);
    }
  } else {
    sources.push({ object: obj, file });
  }
}

function expand(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch {
      throw new ManifestReadError(`${p}: no such file or directory`);
    }
    if (stat.isDirectory()) {
      const entries = fs.readdirSync(p).sort();
      out.push(...expand(entries.filter(e => !e.startsWith('.') && e !== 'node_modules').map(e => path.join(p, e)).filter(e => fs.statSync(e).isDirectory() || YAML_FILE.test(e))));
    } else {
      out.push(p);
    }
  }
  return out;
}

/** The YAML library, loaded on first use (not with the library: ~20-50 ms). */
function yaml(): typeof YamlModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('yaml');
}
