/**
 * Reads the vendored CRDs of crds/ (Istio 1.30.3, Gateway API v1.5.1; see
 * crds/SOURCES.md), shared by the `import` and `schemas` tasks and the CRD tests.
 * Build-time only: not part of the library.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';

export const CRD_DIR = path.resolve(__dirname, '..', 'crds');
/** The CRD files, relative to CRD_DIR, in the order they are read. */
export const CRD_FILES = ['istio-1.30.3/crd-all.gen.yaml', 'gateway-api-v1.5.1/experimental-install.yaml'];

export interface CrdVersion {
  readonly name: string;
  readonly served: boolean;
  readonly storage?: boolean;
  readonly deprecated?: boolean;
  readonly schema?: { openAPIV3Schema?: any };
  readonly [key: string]: any;
}

export interface Crd {
  readonly apiVersion: string;
  readonly kind: 'CustomResourceDefinition';
  readonly metadata: { name: string; [key: string]: any };
  readonly spec: {
    group: string;
    names: { kind: string; plural: string; [key: string]: any };
    scope: 'Namespaced' | 'Cluster';
    versions: CrdVersion[];
    [key: string]: any;
  };
}

/** All CustomResourceDefinitions of the source files, in file order. */
export function readCrds(): Crd[] {
  const out: Crd[] = [];
  for (const file of CRD_FILES) {
    const full = path.join(CRD_DIR, file);
    if (!fs.existsSync(full)) {
      throw new Error(`CRD source ${full} not found: the CRDs are vendored in crds/ (see crds/SOURCES.md)`);
    }
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(full, 'utf8'))) {
      const obj = doc.toJS({ maxAliasCount: -1 });
      if (obj && obj.kind === 'CustomResourceDefinition') out.push(obj);
    }
  }
  return out;
}

/**
 * Kubernetes version priority: GA > beta > alpha, then by major and minor number
 * (https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definition-versioning/#version-priority).
 */
export function versionPriority(v: string): number[] {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
  if (!m) return [-1, 0, 0];
  const stability = m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0;
  return [stability, Number(m[1]), m[3] ? Number(m[3]) : 0];
}

export function compareVersions(a: string, b: string): number {
  const pa = versionPriority(a);
  const pb = versionPriority(b);
  for (let i = 0; i < pa.length; i++) {
    if (pa[i] !== pb[i]) return pb[i] - pa[i];
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The newest served version of a CRD. */
export function newestServed(crd: Crd): CrdVersion {
  const served = crd.spec.versions.filter(v => v.served).sort((a, b) => compareVersions(a.name, b.name));
  if (served.length === 0) throw new Error(`${crd.metadata.name} has no served version`);
  return served[0];
}
