/**
 * The one index of the analyzed objects, built once per run: objects by kind,
 * namespace and name (one per identity: a later definition replaces an earlier one, as
 * `kubectl apply` does, CDK8S-ISTIO-A002); workloads (pod templates) by namespace and
 * label; Services and ServiceEntries by host; the known names of each kind, host,
 * namespace and label for the "did you mean" of a reference that resolves to nothing
 * (open world: Info unless it is such a near miss). Rules only look things up here: no
 * rule scans pairs of objects.
 *
 * Internal module: not part of the public API.
 */
import type * as Yaml from 'yaml';
import { Finding, FindingLayer, FindingLevel, ManifestSource } from '../findings';
import { Rule, RULES } from './rules';
import { arr, CLUSTER_DOMAIN, NameIndex, num, obj, parseServiceFqdn, push, selectorMatches, selectorString, str, strList, strMap, toFqdn } from './util';

/** One analyzed object. `source` is undefined for the objects of the assumed default installation. */
export interface Item {
  readonly source?: ManifestSource;
  readonly order: number;
  readonly object: Record<string, any>;
  /** The kind as the analyzer knows it (`Gateway` is Istio's only), or undefined for kinds it ignores. */
  readonly key?: string;
  readonly kind: string;
  readonly apiVersion?: string;
  readonly name: string;
  /** The namespace the object lives in (`default` when none is written). */
  readonly ns: string;
  readonly writtenNs?: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly spec: Record<string, any>;
}

/** A pod, or the pod template of a workload controller, or a WorkloadEntry/WorkloadGroup. */
export interface Workload {
  readonly item: Item;
  readonly ns: string;
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly podAnnotations: Record<string, string>;
  /** The pod spec and its field path, when the workload has one. */
  readonly podSpec?: Record<string, any>;
  readonly podPath?: string;
}

/** A host of the mesh: a Kubernetes Service or a ServiceEntry host. */
export interface HostEntry {
  readonly item: Item;
  readonly kind: 'Service' | 'ServiceEntry';
  readonly ns: string;
  readonly fqdn: string;
  readonly ports: number[];
  readonly exportTo: string[];
  /** The Service's selector or the ServiceEntry's workloadSelector (empty: none). */
  readonly selector: Record<string, string>;
}

const ISTIO_KINDS: Record<string, string[]> = {
  'networking.istio.io': ['VirtualService', 'DestinationRule', 'Gateway', 'ServiceEntry', 'Sidecar', 'WorkloadEntry', 'WorkloadGroup', 'EnvoyFilter', 'ProxyConfig'],
  'security.istio.io': ['AuthorizationPolicy', 'PeerAuthentication', 'RequestAuthentication'],
  'telemetry.istio.io': ['Telemetry'],
  'extensions.istio.io': ['WasmPlugin'],
};
const CORE_KINDS = ['Service', 'Pod', 'Namespace', 'ConfigMap', 'ReplicationController'];
const CONTROLLER_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'];
export const WORKLOAD_KINDS = new Set(['Pod', 'ReplicationController', ...CONTROLLER_KINDS]);

/** Namespaces every cluster has. */
const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'istio-system'];

/** Kinds without a namespace (their `metadata.namespace` is ignored), for the identity of an object. */
export const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'StorageClass',
  'PriorityClass', 'IngressClass', 'RuntimeClass', 'APIService', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'CSIDriver', 'VolumeSnapshotClass', 'GatewayClass', 'ClusterIssuer',
]);

/** One object of the input, before duplicates are dropped. */
interface Defined {
  readonly object: Record<string, any>;
  readonly source: ManifestSource;
  /** Where it is, for a message: its file, construct path, or position in the input. */
  readonly where: string;
  readonly hasFile: boolean;
}

/**
 * The identity of an object for `kubectl apply`: API group, kind, namespace (`default`
 * when unwritten, none for cluster-scoped kinds) and name; undefined for objects
 * without a kind or name.
 */
function identityOf(o: Record<string, any>): { key: string; label: string } | undefined {
  const meta = obj(o.metadata);
  const kind = str(o.kind);
  const name = str(meta.name);
  if (!kind || !name) return undefined;
  const apiVersion = str(o.apiVersion) ?? '';
  const slash = apiVersion.indexOf('/');
  const group = slash >= 0 ? apiVersion.slice(0, slash) : '';
  const ns = CLUSTER_SCOPED.has(kind) ? '' : str(meta.namespace) ?? 'default';
  return { key: `${group}\u0000${kind}\u0000${ns}\u0000${name}`, label: ns ? `${kind} ${ns}/${name}` : `${kind} ${name}` };
}

function keyOf(apiVersion: string | undefined, kind: string): string | undefined {
  const slash = apiVersion ? apiVersion.indexOf('/') : -1;
  const group = apiVersion && slash >= 0 ? apiVersion.slice(0, slash) : '';
  if (ISTIO_KINDS[group]?.includes(kind)) return kind;
  if (group === '' && CORE_KINDS.includes(kind)) return kind;
  if (CONTROLLER_KINDS.includes(kind) && (group === 'apps' || group === 'batch' || group === 'extensions')) return kind;
  return undefined;
}

function makeItem(object: Record<string, any>, order: number, source?: ManifestSource): Item {
  const meta = obj(object.metadata);
  const kind = typeof object.kind === 'string' ? object.kind : '';
  const apiVersion = str(object.apiVersion);
  const writtenNs = str(meta.namespace);
  return {
    source,
    order,
    object,
    key: keyOf(apiVersion, kind),
    kind,
    apiVersion,
    name: typeof meta.name === 'string' ? meta.name : '',
    ns: kind === 'Namespace' ? '' : writtenNs ?? 'default',
    writtenNs,
    labels: strMap(meta.labels),
    annotations: strMap(meta.annotations),
    spec: obj(object.spec),
  };
}

/** The pod template of a workload item, or its labels for WorkloadEntry/WorkloadGroup. */
function workloadOf(item: Item): Workload | undefined {
  const base = { item, ns: item.ns, name: item.name };
  switch (item.key) {
    case 'Pod':
      return { ...base, labels: item.labels, podAnnotations: item.annotations, podSpec: item.spec, podPath: 'spec' };
    case 'CronJob': {
      const template = obj(obj(obj(item.spec.jobTemplate).spec).template);
      const meta = obj(template.metadata);
      return { ...base, labels: strMap(meta.labels), podAnnotations: strMap(meta.annotations), podSpec: obj(template.spec), podPath: 'spec.jobTemplate.spec.template.spec' };
    }
    case 'WorkloadEntry':
      return { ...base, labels: strMap(item.spec.labels), podAnnotations: {} };
    case 'WorkloadGroup':
      return { ...base, labels: strMap(obj(item.spec.metadata).labels), podAnnotations: {} };
    default:
      if (item.key && WORKLOAD_KINDS.has(item.key)) {
        const template = obj(item.spec.template);
        const meta = obj(template.metadata);
        return { ...base, labels: strMap(meta.labels), podAnnotations: strMap(meta.annotations), podSpec: obj(template.spec), podPath: 'spec.template.spec' };
      }
      return undefined;
  }
}

/**
 * The objects a default installation has, as `istioctl analyze` assumes: istiod, the
 * ingress and egress gateways (pods and Services) in istio-system, and the API server's
 * Service. The input's own object of the same kind and name wins.
 */
function defaultInstallation(): Record<string, any>[] {
  const svc = (name: string, ns: string, selector: Record<string, string> | undefined, ports: any[]) =>
    ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns, labels: selector }, spec: { selector, ports } });
  const pod = (name: string, labels: Record<string, string>) =>
    ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'istio-system', labels }, spec: { template: { metadata: { labels }, spec: { containers: [] } } } });
  const ingress = { app: 'istio-ingressgateway', istio: 'ingressgateway' };
  const egress = { app: 'istio-egressgateway', istio: 'egressgateway' };
  const istiod = { app: 'istiod', istio: 'pilot' };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } },
    pod('istio-ingressgateway', ingress),
    pod('istio-egressgateway', egress),
    pod('istiod', istiod),
    svc('istio-ingressgateway', 'istio-system', ingress, [
      { name: 'status-port', port: 15021, targetPort: 15021, protocol: 'TCP' },
      { name: 'http2', port: 80, targetPort: 8080, protocol: 'TCP' },
      { name: 'https', port: 443, targetPort: 8443, protocol: 'TCP' },
    ]),
    svc('istio-egressgateway', 'istio-system', egress, [
      { name: 'http2', port: 80, targetPort: 8080, protocol: 'TCP' },
      { name: 'https', port: 443, targetPort: 8443, protocol: 'TCP' },
    ]),
    svc('istiod', 'istio-system', istiod, [
      { name: 'grpc-xds', port: 15010, protocol: 'TCP' },
      { name: 'https-dns', port: 15012, protocol: 'TCP' },
      { name: 'https-webhook', port: 443, targetPort: 15017, protocol: 'TCP' },
      { name: 'http-monitoring', port: 15014, protocol: 'TCP' },
    ]),
    svc('kubernetes', 'default', undefined, [{ name: 'https', port: 443, targetPort: 6443, protocol: 'TCP' }]),
  ];
}

/** What a rule reports. */
export interface Report {
  readonly item: Item;
  readonly rule: Rule;
  readonly message: string;
  readonly field?: string;
  /** Overrides the rule's level (open world). */
  readonly level?: FindingLevel;
}

export class Context {
  public readonly workloads: Workload[] = [];
  public readonly rootNamespace: string;
  public readonly meshConfig: Record<string, any>;
  /** Namespaces known to exist: Namespace objects, namespaces objects live in, and the system ones. */
  public readonly namespaces = new Set<string>(SYSTEM_NAMESPACES);

  private readonly byKey = new Map<string, Item[]>();
  private readonly byKeyNs = new Map<string, Item[]>();
  private readonly byName = new Map<string, Item>();
  private readonly workloadsByNs = new Map<string, Workload[]>();
  private readonly labelIndex = new Map<string, Workload[]>();
  private readonly exactHosts = new Map<string, HostEntry[]>();
  private readonly wildcardHosts = new Map<string, HostEntry[]>();
  private readonly servicesByWorkload = new Map<Workload, Item[]>();
  private readonly findings = new Map<string, { order: number; seq: number; finding: Finding }>();
  /** Names of objects by kind (scope: namespace), Service names of hosts (scope: namespace), other hosts, namespaces. */
  private readonly objectNames = new Map<string, NameIndex>();
  private readonly serviceNames = new NameIndex();
  private readonly externalHosts = new NameIndex();
  private readonly namespaceNames = new NameIndex();
  /** Label values of workloads by `ns \0 key` (ns `*`: any), label keys by `ns`. */
  private readonly labelValues = new NameIndex();
  private readonly labelKeys = new NameIndex();

  constructor(sources: ManifestSource[], public readonly openWorld: boolean, meshConfig: unknown) {
    // kubectl apply keeps the last definition of an object: analyze that one only (CDK8S-ISTIO-A002)
    const defined: Defined[] = [];
    const collect = (object: unknown, source: ManifestSource, where: string) => {
      if (object === null || typeof object !== 'object' || Array.isArray(object)) return;
      const o = object as Record<string, any>;
      if (typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items)) {
        o.items.forEach((i, k) => collect(i, source, source.file || source.constructPath ? where : `${where} (item ${k + 1})`));
        return;
      }
      defined.push({ object: o, source, where, hasFile: !!source.file });
    };
    (Array.isArray(sources) ? sources : []).forEach((source, i) => {
      if (source && typeof source === 'object') collect(source.object, source, source.file ?? source.constructPath ?? `input object ${i + 1}`);
    });
    const definitions = new Map<string, number[]>();
    const identities = defined.map((d, i) => {
      const id = identityOf(d.object);
      if (id) push(definitions, id.key, i);
      return id;
    });
    const replaced = new Set<number>();
    const duplicates = new Map<number, string>();
    for (const indices of definitions.values()) {
      if (indices.length < 2) continue;
      const last = indices[indices.length - 1];
      indices.slice(0, -1).forEach(i => replaced.add(i));
      duplicates.set(last, duplicateMessage(identities[last]!.label, indices.map(i => defined[i])));
    }
    let order = 0;
    const survivors = new Map<number, Item>();
    defined.forEach((d, i) => {
      if (replaced.has(i)) return;
      const item = makeItem(d.object, order++, d.source);
      survivors.set(i, item);
      this.addItem(item);
    });
    for (const o of defaultInstallation()) {
      const item = makeItem(o, order++);
      if (!this.find(item.key!, item.ns, item.name)) this.addItem(item);
    }

    this.meshConfig = obj(meshConfig !== undefined ? meshConfig : this.meshConfigFromInput());
    this.rootNamespace = str(this.meshConfig.rootNamespace) ?? 'istio-system';
    this.indexHosts();
    for (const ns of this.namespaces) this.namespaceNames.add('', ns);

    for (const [i, message] of [...duplicates].sort((a, b) => a[0] - b[0])) {
      this.report({ item: survivors.get(i)!, rule: RULES.duplicateDefinition, field: 'metadata.name', message });
    }
  }

  // ---- objects ----

  /** The objects of a kind (input order; default installation objects last). */
  public all(key: string): Item[] {
    return this.byKey.get(key) ?? [];
  }

  /** The objects of a kind in one namespace. */
  public allIn(key: string, ns: string): Item[] {
    return this.byKeyNs.get(`${key}\u0000${ns}`) ?? [];
  }

  public find(key: string, ns: string, name: string): Item | undefined {
    return this.byName.get(`${key}\u0000${ns}\u0000${name}`);
  }

  /**
   * The level of a finding about a reference that did not resolve. In a closed world
   * the rule's. In an open world Info (the object may live elsewhere), unless the
   * reference is most likely a typo: `nearMiss` is what it most likely meant (a
   * `suggest*` result), or true when the input surely holds what it should find.
   */
  public refLevel(rule: Rule, nearMiss: string | boolean | undefined): FindingLevel {
    return this.openWorld && !nearMiss ? FindingLevel.INFO : rule.level;
  }

  // ---- did you mean ----

  /**
   * What a reference to a missing object of a kind most likely meant: a near miss of a
   * name of that kind in the namespace (`name`; see `isNearMiss`), else the same name in
   * another namespace (`ns/name`). Objects of the assumed installation count.
   */
  public suggestObject(key: string, ns: string, name: string): string | undefined {
    const names = this.objectNames.get(key);
    if (!names) return undefined;
    const near = names.nearest(ns, name);
    if (near !== undefined) return near;
    const other = names.otherScopes(ns, name)[0];
    return other === undefined ? undefined : `${other}/${name}`;
  }

  /**
   * What a destination host that resolved to nothing most likely meant, written as the
   * reference was: for a Service name, a near miss among the Service (and ServiceEntry)
   * names of its namespace, or the same name in another namespace (as an FQDN); for
   * another host, a near miss among the ServiceEntry hosts.
   */
  public suggestHost(host: string, fromNs: string): string | undefined {
    const fqdn = toFqdn(host, fromNs);
    const svc = parseServiceFqdn(fqdn);
    if (!svc) {
      // `reviews.default`, `reviews.default.svc`: Kubernetes DNS resolves them, Istio's registry only knows the FQDN
      for (const full of [`${fqdn}.svc.${CLUSTER_DOMAIN}`, `${fqdn}.${CLUSTER_DOMAIN}`]) {
        if (parseServiceFqdn(full) && this.exactHosts.has(full)) return full;
      }
      return this.externalHosts.nearest('', fqdn);
    }
    const short = !host.includes('.');
    const near = this.serviceNames.nearest(svc.ns, svc.name);
    if (near !== undefined) return short ? near : `${near}.${svc.ns}.svc.${CLUSTER_DOMAIN}`;
    const other = this.serviceNames.otherScopes(svc.ns, svc.name)[0];
    return other === undefined ? undefined : `${svc.name}.${other}.svc.${CLUSTER_DOMAIN}`;
  }

  /** True if the host is defined in the input or the installation, but not exported to `fromNs`. */
  public hiddenHost(host: string, fromNs: string): HostEntry | undefined {
    return this.exactHosts.get(toFqdn(host, fromNs))?.find(e => !visible(e, fromNs));
  }

  /** What a missing namespace most likely meant: a near miss of a known namespace. */
  public suggestNamespace(ns: string): string | undefined {
    return this.namespaceNames.nearest('', ns);
  }

  /**
   * What a selector that selects no workload (in a namespace, or undefined: any) most
   * likely meant: the selector with a mistyped key or value replaced by the near miss
   * that workloads carry, if that one selects some.
   */
  public suggestSelector(selector: Record<string, string>, ns: string | undefined): string | undefined {
    const fixed = this.suggestSelectorLabels(selector, ns);
    return fixed ? selectorString(fixed) : undefined;
  }

  /** `suggestSelector`'s selector as labels. */
  public suggestSelectorLabels(selector: Record<string, string>, ns: string | undefined): Record<string, string> | undefined {
    const scope = ns ?? '*';
    const fixed: Record<string, string> = {};
    let changed = false;
    for (const [k, v] of Object.entries(selector)) {
      let key = k;
      if (!this.labelKeys.has(scope, k)) {
        const near = this.labelKeys.nearest(scope, k);
        if (near === undefined) return undefined;
        key = near;
        changed = true;
      }
      let value = v;
      if (!this.labelValues.has(`${scope}\u0000${key}`, v)) {
        const near = this.labelValues.nearest(`${scope}\u0000${key}`, v);
        if (near === undefined) return undefined;
        value = near;
        changed = true;
      }
      fixed[key] = value;
    }
    return changed && this.select(fixed, ns).length > 0 ? fixed : undefined;
  }

  /**
   * What a message says of a selector that selects nothing: the near miss it most
   * likely meant (`suggestSelector`) and the values the workloads of the namespace (or
   * any) carry for its keys. `meant` is undefined unless it is a typo.
   */
  public selectorMiss(selector: Record<string, string>, ns: string | undefined): { meant?: string; detail: string } {
    const scope = ns ?? '*';
    const meant = this.suggestSelector(selector, ns);
    const seen = Object.keys(selector).sort().map(k => {
      const values = this.labelValues.names(`${scope}\u0000${k}`);
      if (values.length === 0) return `no ${k} label`;
      return `${k}=${values.slice(0, 10).join(', ')}${values.length > 10 ? `, ... (${values.length} values)` : ''}`;
    }).join('; ');
    const where = ns === undefined ? 'the workloads' : `the workloads of namespace ${ns}`;
    const hasAny = ns === undefined ? this.workloads.length > 0 : (this.workloadsByNs.get(ns) ?? []).length > 0;
    const detail = `${meant === undefined ? '' : `; did you mean ${JSON.stringify(meant)}?`}${hasAny ? ` (${where} have ${seen})` : ''}`;
    return { meant, detail };
  }

  /**
   * The values the workloads carry for the selector's keys, as `k=v1, v2` joined by
   * `; ` (at most 10 values a key), or `no k label`: what a message shows of what the
   * analyzer saw.
   */
  public seenLabels(selector: Record<string, string>, workloads: Workload[]): string {
    return Object.keys(selector).sort().map(k => {
      const values = [...new Set(workloads.map(w => w.labels[k]).filter((v): v is string => v !== undefined))].sort();
      if (values.length === 0) return `no ${k} label`;
      return `${k}=${values.slice(0, 10).join(', ')}${values.length > 10 ? `, ... (${values.length} values)` : ''}`;
    }).join('; ');
  }

  // ---- workloads ----

  /** The workloads a label selector selects, in one namespace or (undefined) all. An empty selector selects all. */
  public select(selector: Record<string, string>, ns: string | undefined): Workload[] {
    const keys = Object.keys(selector);
    const scope = ns ?? '*';
    if (keys.length === 0) return ns === undefined ? this.workloads : this.workloadsByNs.get(ns) ?? [];
    let smallest: Workload[] | undefined;
    for (const k of keys) {
      const candidates = this.labelIndex.get(`${scope}\u0000${k}=${selector[k]}`);
      if (!candidates) return [];
      if (!smallest || candidates.length < smallest.length) smallest = candidates;
    }
    return smallest!.filter(w => selectorMatches(selector, w.labels));
  }

  /** The Services of the workload's namespace that select it. */
  public servicesOf(workload: Workload): Item[] {
    return this.servicesByWorkload.get(workload) ?? [];
  }

  // ---- hosts ----

  /** Istio's lookup of a destination host written in namespace `fromNs`: a visible Service or ServiceEntry host, exact or by wildcard. */
  public lookupHost(host: string, fromNs: string): HostEntry | undefined {
    const fqdn = toFqdn(host, fromNs);
    const exact = (this.exactHosts.get(fqdn) ?? []).find(e => visible(e, fromNs));
    if (exact) return exact;
    for (let i = fqdn.indexOf('.'); i >= 0; i = fqdn.indexOf('.', i + 1)) {
      const entry = (this.wildcardHosts.get(`*${fqdn.slice(i)}`) ?? []).find(e => visible(e, fromNs));
      if (entry) return entry;
    }
    return undefined;
  }

  /** Every Service and ServiceEntry host entry of an FQDN (exact, any namespace, visible or not). */
  public hostEntries(fqdn: string): HostEntry[] {
    return this.exactHosts.get(fqdn) ?? [];
  }

  /** The wildcard ServiceEntry hosts (`*.example.com`) that cover an FQDN. */
  public wildcardEntries(fqdn: string): HostEntry[] {
    const out: HostEntry[] = [];
    for (let i = fqdn.indexOf('.'); i >= 0; i = fqdn.indexOf('.', i + 1)) out.push(...this.wildcardHosts.get(`*${fqdn.slice(i)}`) ?? []);
    return out;
  }

  // ---- findings ----

  public report(r: Report): void {
    const item = r.item;
    if (!item.source) return;
    const level = r.level ?? r.rule.level;
    const key = `${item.order}\u0000${r.rule.code}\u0000${r.field ?? ''}\u0000${r.message}`;
    if (this.findings.has(key)) return;
    const finding: Finding = {
      code: r.rule.code,
      level,
      message: r.message,
      layer: FindingLayer.ANALYZER,
      kind: item.kind,
      name: item.name,
      ...(item.apiVersion ? { apiVersion: item.apiVersion } : {}),
      ...(item.writtenNs ? { namespace: item.writtenNs } : {}),
      ...(r.field ? { field: r.field } : {}),
      ...(item.source.constructPath ? { constructPath: item.source.constructPath } : {}),
      ...(item.source.file ? { file: item.source.file } : {}),
    };
    this.findings.set(key, { order: item.order, seq: this.findings.size, finding });
  }

  /** Every finding, grouped by object in input order, then in the order rules reported them. */
  public results(): Finding[] {
    return [...this.findings.values()].sort((a, b) => a.order - b.order || a.seq - b.seq).map(e => e.finding);
  }

  // ---- building ----

  private addItem(item: Item): void {
    if (item.kind === 'Namespace' && item.name) this.namespaces.add(item.name);
    else if (item.writtenNs) this.namespaces.add(item.writtenNs);
    if (!item.key) return;
    push(this.byKey, item.key, item);
    push(this.byKeyNs, `${item.key}\u0000${item.ns}`, item);
    const nameKey = `${item.key}\u0000${item.ns}\u0000${item.name}`;
    if (!this.byName.has(nameKey)) this.byName.set(nameKey, item);
    let names = this.objectNames.get(item.key);
    if (!names) this.objectNames.set(item.key, names = new NameIndex());
    names.add(item.ns, item.name);
    const workload = workloadOf(item);
    if (workload) {
      this.workloads.push(workload);
      push(this.workloadsByNs, workload.ns, workload);
      for (const [k, v] of Object.entries(workload.labels)) {
        push(this.labelIndex, `${workload.ns}\u0000${k}=${v}`, workload);
        push(this.labelIndex, `*\u0000${k}=${v}`, workload);
        for (const scope of [workload.ns, '*']) {
          this.labelKeys.add(scope, k);
          this.labelValues.add(`${scope}\u0000${k}`, v);
        }
      }
    }
  }

  private indexHosts(): void {
    for (const svc of this.all('Service')) {
      if (!svc.name) continue;
      const selector = strMap(svc.spec.selector);
      const exportTo = (svc.annotations['networking.istio.io/exportTo'] ?? '').split(',').map(s => s.trim()).filter(s => s);
      this.addHost({
        item: svc,
        kind: 'Service',
        ns: svc.ns,
        fqdn: `${svc.name}.${svc.ns}.svc.${CLUSTER_DOMAIN}`,
        ports: arr(svc.spec.ports).map(p => num(obj(p).port)).filter((p): p is number => p !== undefined),
        exportTo,
        selector,
      });
      if (Object.keys(selector).length > 0 && str(svc.spec.type) !== 'ExternalName') {
        for (const w of this.select(selector, svc.ns)) push(this.servicesByWorkload, w, svc);
      }
    }
    for (const se of this.all('ServiceEntry')) {
      const ports = arr(se.spec.ports).map(p => num(obj(p).number)).filter((p): p is number => p !== undefined);
      const selector = strMap(obj(se.spec.workloadSelector).labels);
      for (const host of strList(se.spec.hosts)) {
        this.addHost({ item: se, kind: 'ServiceEntry', ns: se.ns, fqdn: toFqdn(host, se.ns), ports, exportTo: strList(se.spec.exportTo), selector });
      }
    }
  }

  private addHost(entry: HostEntry): void {
    push(this.exactHosts, entry.fqdn, entry);
    if (entry.fqdn.startsWith('*.')) push(this.wildcardHosts, entry.fqdn, entry);
    const svc = parseServiceFqdn(entry.fqdn);
    if (svc) this.serviceNames.add(svc.ns, svc.name);
    else if (!entry.fqdn.startsWith('*')) this.externalHosts.add('', entry.fqdn);
  }

  /** The mesh config from an `istio` ConfigMap of istio-system in the input (its `mesh` key, YAML). */
  private meshConfigFromInput(): unknown {
    const cm = this.find('ConfigMap', 'istio-system', 'istio');
    const text = cm?.source ? str(obj(cm.object.data).mesh) : undefined;
    if (!text) return {};
    try {
      // loaded here, not with the library: YAML parsing is rare at synth, and loading takes ~20-50 ms
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return (require('yaml') as typeof Yaml).parse(text);
    } catch {
      return {};
    }
  }
}

function visible(entry: HostEntry, fromNs: string): boolean {
  if (entry.exportTo.length === 0) return true;
  return entry.exportTo.some(e => e === '*' || e === fromNs || (e === '.' && entry.ns === fromNs));
}

/** CDK8S-ISTIO-A002's message: where the definitions are, the later replacing the earlier. */
function duplicateMessage(label: string, definitions: Defined[]): string {
  const where = definitions.map(d => d.where);
  const distinct = new Set(where).size === where.length;
  const count = definitions.length === 2 ? 'twice' : `${definitions.length} times`;
  const outcome = definitions.length === 2 ? 'the later replaces the earlier' : 'the last replaces the others';
  const joined = `${where.slice(0, -1).join(', ')} and ${where[where.length - 1]}`;
  let placed: string;
  if (definitions.every(d => d.hasFile) && distinct) placed = `is defined in ${joined}`;
  else if (new Set(where).size === 1) placed = `is defined ${count} in ${where[0]}`;
  else placed = `is defined ${count} (${joined})`;
  return `${label} ${placed}; ${outcome}, as kubectl apply does. Keep one definition (analyzed here: the last).`;
}
