/**
 * The one index of the analyzed objects, built once per run: objects by kind,
 * namespace and name; workloads (pod templates) by namespace and label; Services and
 * ServiceEntries by host; which kinds the input holds in which namespace (for open
 * world). Rules only look things up here: no rule scans pairs of objects.
 *
 * Internal module: not part of the public API.
 */
import { parse as parseYaml } from 'yaml';
import { Finding, FindingLayer, FindingLevel, ManifestSource } from '../findings';
import { Rule } from './rules';
import { arr, CLUSTER_DOMAIN, num, obj, parseServiceFqdn, push, selectorMatches, str, strList, strMap, toFqdn } from './util';

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

/** Family keys for the open-world presence test. */
export const WORKLOADS = 'workload';
export const HOSTS = 'host';

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
  private readonly present = new Set<string>();
  private readonly workloadsByNs = new Map<string, Workload[]>();
  private readonly labelIndex = new Map<string, Workload[]>();
  private readonly exactHosts = new Map<string, HostEntry[]>();
  private readonly wildcardHosts = new Map<string, HostEntry[]>();
  private readonly servicesByWorkload = new Map<Workload, Item[]>();
  private readonly findings = new Map<string, { order: number; seq: number; finding: Finding }>();

  constructor(sources: ManifestSource[], public readonly openWorld: boolean, meshConfig: unknown) {
    let order = 0;
    const add = (object: unknown, source: ManifestSource) => {
      if (object === null || typeof object !== 'object' || Array.isArray(object)) return;
      const o = object as Record<string, any>;
      if (typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items)) {
        o.items.forEach(i => add(i, source));
        return;
      }
      this.addItem(makeItem(o, order++, source));
    };
    for (const source of Array.isArray(sources) ? sources : []) {
      if (source && typeof source === 'object') add(source.object, source);
    }
    for (const o of defaultInstallation()) {
      const item = makeItem(o, order++);
      if (!this.find(item.key!, item.ns, item.name)) this.addItem(item, true);
    }

    this.meshConfig = obj(meshConfig !== undefined ? meshConfig : this.meshConfigFromInput());
    this.rootNamespace = str(this.meshConfig.rootNamespace) ?? 'istio-system';
    this.indexHosts();
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
   * True if the input (not the assumed default installation) holds objects of this
   * kind (or family: `WORKLOADS`, `HOSTS`) in the namespace (undefined: any).
   */
  public holds(key: string, ns: string | undefined): boolean {
    return this.present.has(`${key}\u0000${ns ?? '*'}`);
  }

  /**
   * The level of a finding about a reference that did not resolve: in an open world,
   * Info unless the input holds objects of the kind searched where it was searched.
   */
  public refLevel(rule: Rule, held: boolean): FindingLevel {
    return this.openWorld && !held ? FindingLevel.INFO : rule.level;
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

  /**
   * Open world: true if the input holds objects where the host would be defined: for
   * a Service name, Services or ServiceEntries in its namespace; for another host,
   * ServiceEntries in the namespace of the object that refers to it.
   */
  public holdsHost(host: string, fromNs: string): boolean {
    const svc = parseServiceFqdn(toFqdn(host, fromNs));
    return svc ? this.holds(HOSTS, svc.ns) : this.holds('ServiceEntry', fromNs);
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

  private addItem(item: Item, assumed = false): void {
    if (item.kind === 'Namespace' && item.name) this.namespaces.add(item.name);
    else if (item.writtenNs) this.namespaces.add(item.writtenNs);
    if (!item.key) return;
    push(this.byKey, item.key, item);
    push(this.byKeyNs, `${item.key}\u0000${item.ns}`, item);
    const nameKey = `${item.key}\u0000${item.ns}\u0000${item.name}`;
    if (!this.byName.has(nameKey)) this.byName.set(nameKey, item);
    const workload = workloadOf(item);
    if (!assumed) {
      this.present.add(`${item.key}\u0000${item.ns}`);
      this.present.add(`${item.key}\u0000*`);
      if (workload) this.present.add(`${WORKLOADS}\u0000${item.ns}`).add(`${WORKLOADS}\u0000*`);
      if (item.key === 'Service' || item.key === 'ServiceEntry') this.present.add(`${HOSTS}\u0000${item.ns}`);
    }
    if (workload) {
      this.workloads.push(workload);
      push(this.workloadsByNs, workload.ns, workload);
      for (const [k, v] of Object.entries(workload.labels)) {
        push(this.labelIndex, `${workload.ns}\u0000${k}=${v}`, workload);
        push(this.labelIndex, `*\u0000${k}=${v}`, workload);
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
  }

  /** The mesh config from an `istio` ConfigMap of istio-system in the input (its `mesh` key, YAML). */
  private meshConfigFromInput(): unknown {
    const cm = this.find('ConfigMap', 'istio-system', 'istio');
    const text = cm?.source ? str(obj(cm.object.data).mesh) : undefined;
    if (!text) return {};
    try {
      return parseYaml(text);
    } catch {
      return {};
    }
  }
}

function visible(entry: HostEntry, fromNs: string): boolean {
  if (entry.exportTo.length === 0) return true;
  return entry.exportTo.some(e => e === '*' || e === fromNs || (e === '.' && entry.ns === fromNs));
}
