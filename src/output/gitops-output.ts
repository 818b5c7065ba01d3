/**
 * GitOps output: an app synthesized once and written as Argo CD and Flux users lay out
 * their repositories, one file per namespace or one file for the app, in a stable order.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Yaml } from 'cdk8s';
import type * as YamlModule from 'yaml';
import { CLUSTER_SCOPED } from '../validation/analyzer/context';

/** How `GitOpsOutput.synth` lays out the files. */
export enum GitOpsLayout {
  /**
   * One file per namespace, `<namespace>.yaml`; cluster-scoped objects (Namespaces
   * first) in `_cluster.yaml`, namespaced objects without a namespace in
   * `_no-namespace.yaml` (they land in the namespace of whoever applies them).
   */
  PER_NAMESPACE = 'PER_NAMESPACE',
  /** One file for the whole app, `app.yaml` (as cdk8s' `YamlOutputType.FILE_PER_APP`), in the same order. */
  PER_APP = 'PER_APP',
}

/** Options of `GitOpsOutput.synth`. */
export interface GitOpsOutputOptions {
  /**
   * The file layout.
   * @default GitOpsLayout.PER_NAMESPACE
   */
  readonly layout?: GitOpsLayout;

  /**
   * The folder to write to, relative to the current directory. Created if missing.
   * @default - the app's `outdir` (`dist`, or `CDK8S_OUTDIR`)
   */
  readonly outdir?: string;

  /**
   * Delete the `.yaml` and `.yml` files at the top of `outdir` that this synth does not
   * write: the file of a namespace the app no longer has would otherwise stay in the
   * repository, and Argo CD or Flux would keep applying it. Only for a folder the app owns.
   * @default false
   */
  readonly clean?: boolean;
}

const CLUSTER_FILE = '_cluster.yaml';
const NO_NAMESPACE_FILE = '_no-namespace.yaml';
const APP_FILE = 'app.yaml';
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * The order `kubectl apply` needs, as Helm installs: Namespaces and the other kinds
 * objects depend on first, workloads after their Services; every other kind (Istio,
 * Gateway API and other custom resources) after these.
 */
const KIND_ORDER = [
  'Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodSecurityPolicy', 'PodDisruptionBudget', 'ServiceAccount', 'Secret',
  'SecretList', 'ConfigMap', 'StorageClass', 'PersistentVolume', 'PersistentVolumeClaim', 'CustomResourceDefinition', 'ClusterRole',
  'ClusterRoleList', 'ClusterRoleBinding', 'ClusterRoleBindingList', 'Role', 'RoleList', 'RoleBinding', 'RoleBindingList', 'Service',
  'DaemonSet', 'Pod', 'ReplicationController', 'ReplicaSet', 'Deployment', 'HorizontalPodAutoscaler', 'StatefulSet', 'Job', 'CronJob',
  'IngressClass', 'Ingress', 'APIService', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
];
const KIND_RANK = new Map(KIND_ORDER.map((k, i) => [k, i]));

/**
 * Writes a cdk8s app as a GitOps repository folder: one file per namespace (or one for
 * the app), each object once, in a stable order, the same bytes for the same app.
 *
 * The app is synthesized once, with `app.synthYaml()`: its validations (and
 * `IstioValidation`, if enabled) run once, and a failing one throws before any file is
 * written. Objects are ordered by kind as Helm installs them (Namespaces first, then
 * ServiceAccounts, Secrets, ConfigMaps, RBAC, Services, workloads; Istio, Gateway API
 * and other custom kinds after, by kind), then by API group, namespace and name; so
 * moving a construct in the tree does not reorder the files. cdk8s' own order
 * (`addDependency`) is not kept across kinds: Argo CD and Flux order what they apply by
 * kind themselves.
 *
 * @example
 * const app = new App();
 * new MyChart(app, 'shop');
 * GitOpsOutput.synth(app, { layout: GitOpsLayout.PER_NAMESPACE, outdir: 'clusters/prod' });
 */
export class GitOpsOutput {
  /** The file of the cluster-scoped objects in `GitOpsLayout.PER_NAMESPACE` (no namespace name can start with `_`). */
  public static readonly CLUSTER_FILE = CLUSTER_FILE;
  /** The file of namespaced objects without `metadata.namespace` in `GitOpsLayout.PER_NAMESPACE`. */
  public static readonly NO_NAMESPACE_FILE = NO_NAMESPACE_FILE;
  /** The file of `GitOpsLayout.PER_APP`. */
  public static readonly APP_FILE = APP_FILE;

  /**
   * Synthesizes the app and writes the files. Returns the names of the files written,
   * relative to `outdir`, sorted.
   */
  public static synth(app: App, options: GitOpsOutputOptions = {}): string[] {
    if (!(app instanceof App)) throw new Error(`GitOpsOutput.synth: app must be a cdk8s App, got ${app === null ? 'null' : typeof app}`);
    const layout = options.layout ?? GitOpsLayout.PER_NAMESPACE;
    if (layout !== GitOpsLayout.PER_NAMESPACE && layout !== GitOpsLayout.PER_APP) {
      throw new Error(`GitOpsOutput.synth: layout must be GitOpsLayout.PER_NAMESPACE or GitOpsLayout.PER_APP, got ${JSON.stringify(layout)}`);
    }
    const outdir = options.outdir ?? app.outdir;
    if (typeof outdir !== 'string' || outdir.length === 0) throw new Error(`GitOpsOutput.synth: outdir must be a non-empty path, got ${JSON.stringify(outdir)}`);

    const objects = sortObjects(parseSynth(app.synthYaml()));
    const files = new Map<string, any[]>();
    for (const o of objects) {
      const file = layout === GitOpsLayout.PER_APP ? APP_FILE : fileOf(o);
      files.set(file, [...files.get(file) ?? [], o]);
    }
    const names = [...files.keys()].sort(compare);
    try {
      fs.mkdirSync(outdir, { recursive: true });
      for (const name of names) fs.writeFileSync(path.join(outdir, name), Yaml.stringify(...files.get(name)!));
    } catch (e: any) {
      throw new Error(`GitOpsOutput.synth: cannot write to outdir ${outdir}: ${e.message}`);
    }
    if (options.clean === true) {
      for (const entry of fs.readdirSync(outdir)) {
        if (/\.ya?ml$/i.test(entry) && !files.has(entry) && fs.statSync(path.join(outdir, entry)).isFile()) fs.unlinkSync(path.join(outdir, entry));
      }
    }
    return names;
  }

  private constructor() {}
}

/** The objects of `synthYaml()`'s output, read back with the YAML version cdk8s writes (1.1). */
function parseSynth(text: string): any[] {
  // loaded here, not with the library (~20-50 ms)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const yaml: typeof YamlModule = require('yaml');
  return yaml.parseAllDocuments(text, { version: '1.1' })
    .map(doc => doc.toJS({ maxAliasCount: -1 }))
    .filter(o => o !== null && o !== undefined);
}

/** Kind rank, then API group, kind, namespace and name; objects equal in all keep the synth's order. */
function sortObjects(objects: any[]): any[] {
  const keyed = objects.map(o => {
    const kind = String(o?.kind ?? '');
    const apiVersion = String(o?.apiVersion ?? '');
    const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
    const ns = CLUSTER_SCOPED.has(kind) ? '' : String(o?.metadata?.namespace ?? '');
    return { o, rank: KIND_RANK.get(kind) ?? KIND_ORDER.length, keys: [group, kind, ns, String(o?.metadata?.name ?? '')] };
  });
  keyed.sort((a, b) => a.rank - b.rank || a.keys.reduce((c, k, i) => c || compare(k, b.keys[i]), 0));
  return keyed.map(k => k.o);
}

function fileOf(o: any): string {
  const kind = String(o?.kind ?? '');
  if (CLUSTER_SCOPED.has(kind)) return CLUSTER_FILE;
  const ns = o?.metadata?.namespace;
  if (ns === undefined || ns === null || ns === '') return NO_NAMESPACE_FILE;
  if (typeof ns !== 'string' || !DNS_LABEL.test(ns) || ns.length > 63) {
    throw new Error(`GitOpsOutput.synth: ${kind} ${o?.metadata?.name}: metadata.namespace must be a DNS label (lower-case letters, digits and '-', at most 63 characters) to name its file, got ${JSON.stringify(ns)}`);
  }
  return `${ns}.yaml`;
}

/** Code-unit order, independent of the locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
