/**
 * A picture of the mesh: the traffic topology of a set of manifests, drawn from the
 * analyzer's index (one `Context`, plus the Gateway API objects the analyzer reads raw),
 * as Mermaid or DOT. Gateways with their servers, routes with their matches and weights,
 * Services with their DestinationRule subsets, ServiceEntries, and the policies (mTLS,
 * authorization, JWT) with what they apply to.
 *
 * Deterministic: nodes, edges and namespaces are sorted, and node ids derive from kind,
 * namespace and name only, so the same objects give the same bytes in any input order.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { Context, Item, Workload } from './analyzer/context';
import { RawObject, RawObjects } from './analyzer/raw-objects';
import { arr, CLUSTER_DOMAIN, num, obj, selectorMatches, selectorString, str, strList, strMap, toFqdn } from './analyzer/util';
import { ManifestSource } from './findings';
import { addCrossCheck } from '../core/cross-check';

/** The output formats of a `MeshGraph`. */
export enum GraphFormat {
  /** A Mermaid `flowchart LR`: renders in GitHub and GitLab Markdown (README, pull requests). */
  MERMAID = 'mermaid',
  /** A Graphviz `digraph`: `dot -Tsvg mesh.dot -o mesh.svg`. */
  DOT = 'dot',
}

/** Options of `MeshGraph.fromObjects`. */
export interface MeshGraphOptions {
  /**
   * The mesh config (as in the `istio` ConfigMap's `mesh` key), as a plain object. Read:
   * `rootNamespace` (where a PeerAuthentication, AuthorizationPolicy or
   * RequestAuthentication without selector applies to the whole mesh).
   * @default - the `istio` ConfigMap of istio-system in the objects, else rootNamespace istio-system
   */
  readonly meshConfig?: any;
}

/** Options of `MeshGraph.writeOnSynth`. */
export interface MeshGraphFileOptions {
  /**
   * The file to write, relative to the current directory (like cdk8s' `outdir`).
   * Its folder is created.
   */
  readonly file: string;

  /**
   * The format of the file.
   * @default GraphFormat.MERMAID
   */
  readonly format?: GraphFormat;
}

const GATEWAY_API = 'gateway.networking.k8s.io';
const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';
const ROUTE_KINDS = ['HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute', 'UDPRoute'];
const RAW_GRAPH_KINDS = [`${GATEWAY_API}/Gateway`, ...ROUTE_KINDS.map(k => `${GATEWAY_API}/${k}`)];
/** Characters of a label kept in a summary of a match. */
const MAX_MATCH = 60;

/** How a node is drawn. */
enum Shape { GATEWAY, ROUTE, SERVICE, EXTERNAL, POLICY, MESH, MISSING }

interface GraphNode {
  readonly id: string;
  /** The namespace cluster it is drawn in (undefined: none). */
  readonly ns?: string;
  readonly shape: Shape;
  readonly lines: string[];
}

interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly label?: string;
  /** Dotted: a policy applies; solid: traffic. */
  readonly dotted: boolean;
}

/**
 * The traffic topology of a set of manifests: gateways and their servers (hosts and
 * ports), VirtualServices and Gateway API routes with their match summaries and
 * weights, Services with their DestinationRule subsets, ServiceEntries (external
 * services), and the PeerAuthentication (mTLS mode), AuthorizationPolicy (action) and
 * RequestAuthentication (JWT issuers) policies with their scope: the mesh, a namespace,
 * or the Services and gateways whose workloads they select.
 *
 * The output is deterministic: the same objects, in any order, give the same bytes.
 *
 * @example
 * const graph = MeshGraph.fromObjects(objects);
 * fs.writeFileSync('mesh.mmd', graph.toMermaid());
 */
export class MeshGraph {
  /** Builds the graph of plain manifest objects (as `kubectl get -o json` or a YAML parser gives them). */
  public static fromObjects(objects: any[], options: MeshGraphOptions = {}): MeshGraph {
    if (!Array.isArray(objects)) throw new Error(`MeshGraph.fromObjects: objects must be an array of manifest objects, got ${typeof objects}`);
    return new MeshGraph(objects.map(object => ({ object })), options);
  }

  /**
   * Writes the graph of the app's objects to a file at every synth of the app
   * (`app.synth()`, `app.synthYaml()`, `GitOpsOutput.synth`), once per synth. Works with
   * or without `IstioValidation.enable`.
   */
  public static writeOnSynth(app: App, options: MeshGraphFileOptions): void {
    const file = options?.file;
    if (typeof file !== 'string' || file.length === 0) throw new Error(`MeshGraph.writeOnSynth: file must be a non-empty path, got ${JSON.stringify(file)}`);
    const format = options.format ?? GraphFormat.MERMAID;
    checkFormat('MeshGraph.writeOnSynth: format', format);
    addCrossCheck(app, index => {
      const graph = MeshGraph.fromObjects(index.all.map(entry => entry.json));
      try {
        fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
        fs.writeFileSync(file, graph.render(format));
      } catch (e: any) {
        return [`MeshGraph.writeOnSynth: cannot write the graph to ${file}: ${e.message}`];
      }
      return [];
    });
  }

  private readonly nodes = new Map<string, GraphNode>();
  private readonly edges = new Map<string, GraphEdge>();

  private constructor(sources: ManifestSource[], options: MeshGraphOptions) {
    // the analyzer's one index of the objects, and its raw index of the Gateway API kinds
    const ctx = new Context(sources, false, options.meshConfig);
    new Builder(ctx, new RawObjects(sources, RAW_GRAPH_KINDS), this.nodes, this.edges).build();
  }

  /** The graph as a Mermaid `flowchart LR`, ending in a newline. */
  public toMermaid(): string {
    const out = ['flowchart LR'];
    const { clusters, loose } = this.clustered();
    for (const [ns, nodes] of clusters) {
      out.push(`  subgraph ${mermaidId(`ns:${ns}`)}["namespace ${mermaidText(ns)}"]`);
      for (const n of nodes) out.push(`    ${mermaidNode(n)}`);
      out.push('  end');
    }
    for (const n of loose) out.push(`  ${mermaidNode(n)}`);
    for (const e of this.sortedEdges()) {
      const arrow = e.dotted ? '-.->' : '-->';
      out.push(`  ${mermaidId(e.from)} ${arrow}${e.label ? `|"${mermaidText(e.label)}"|` : ''} ${mermaidId(e.to)}`);
    }
    const byClass = new Map<string, string[]>();
    for (const n of this.sortedNodes()) {
      const cls = CLASS[n.shape];
      if (cls) byClass.set(cls, [...byClass.get(cls) ?? [], mermaidId(n.id)]);
    }
    for (const [cls, style] of Object.entries(CLASS_STYLE)) {
      const ids = byClass.get(cls);
      if (!ids) continue;
      out.push(`  classDef ${cls} ${style}`);
      out.push(`  class ${ids.join(',')} ${cls}`);
    }
    return out.join('\n') + '\n';
  }

  /** The graph as a Graphviz `digraph`, ending in a newline. */
  public toDot(): string {
    const out = ['digraph mesh {', '  rankdir=LR;', '  node [fontname="Helvetica", fontsize=10];', '  edge [fontname="Helvetica", fontsize=9];'];
    const { clusters, loose } = this.clustered();
    for (const [ns, nodes] of clusters) {
      out.push(`  subgraph ${dotId(`cluster:${ns}`)} {`);
      out.push(`    label=${dotText(`namespace ${ns}`)};`, '    style=rounded;', '    color="#999999";');
      for (const n of nodes) out.push(`    ${dotNode(n)}`);
      out.push('  }');
    }
    for (const n of loose) out.push(`  ${dotNode(n)}`);
    for (const e of this.sortedEdges()) {
      const attrs = [...e.label ? [`label=${dotText(e.label)}`] : [], ...e.dotted ? ['style=dashed', 'color="#b8860b"'] : []];
      out.push(`  ${dotId(e.from)} -> ${dotId(e.to)}${attrs.length ? ` [${attrs.join(', ')}]` : ''};`);
    }
    out.push('}');
    return out.join('\n') + '\n';
  }

  /** The graph in a format. */
  public render(format: GraphFormat): string {
    checkFormat('MeshGraph.render: format', format);
    return format === GraphFormat.DOT ? this.toDot() : this.toMermaid();
  }

  private sortedNodes(): GraphNode[] {
    return [...this.nodes.values()].sort((a, b) => compare(a.id, b.id));
  }

  private sortedEdges(): GraphEdge[] {
    return [...this.edges.entries()].sort((a, b) => compare(a[0], b[0])).map(e => e[1]);
  }

  private clustered(): { clusters: [string, GraphNode[]][]; loose: GraphNode[] } {
    const clusters = new Map<string, GraphNode[]>();
    const loose: GraphNode[] = [];
    for (const n of this.sortedNodes()) {
      if (n.ns === undefined) loose.push(n);
      else clusters.set(n.ns, [...clusters.get(n.ns) ?? [], n]);
    }
    return { clusters: [...clusters].sort((a, b) => compare(a[0], b[0])), loose };
  }
}

/** Reads the index and fills the nodes and edges. */
class Builder {
  /** The Services and ServiceEntries (by node id) DestinationRules add subsets to. */
  private readonly subsets = new Map<string, string[]>();
  /** The workloads of each gateway node, for the policies that select them. */
  private readonly gatewayWorkloads: { id: string; workloads: Set<Workload> }[] = [];

  constructor(
    private readonly ctx: Context,
    private readonly raw: RawObjects,
    private readonly nodes: Map<string, GraphNode>,
    private readonly edges: Map<string, GraphEdge>,
  ) {}

  public build(): void {
    const input = (key: string) => this.ctx.all(key).filter(i => i.source && i.name);
    for (const svc of input('Service')) this.node(svc, Shape.SERVICE, [`Service ${svc.ns}/${svc.name}`, ...servicePorts(svc)]);
    for (const se of input('ServiceEntry')) this.node(se, Shape.EXTERNAL, serviceEntryLines(se));
    for (const dr of input('DestinationRule')) this.destinationRule(dr);
    for (const gw of input('Gateway')) this.istioGateway(gw);
    for (const gw of this.raw.all(`${GATEWAY_API}/Gateway`)) this.gatewayApiGateway(gw);
    for (const vs of input('VirtualService')) this.virtualService(vs);
    for (const kind of ROUTE_KINDS) for (const route of this.raw.all(`${GATEWAY_API}/${kind}`)) this.gatewayApiRoute(kind, route);
    for (const pa of input('PeerAuthentication')) this.policy(pa, peerAuthenticationLines(pa));
    for (const ap of input('AuthorizationPolicy')) this.policy(ap, authorizationPolicyLines(ap));
    for (const ra of input('RequestAuthentication')) this.policy(ra, requestAuthenticationLines(ra));
    // subsets last: DestinationRules may name hosts only routes or nothing else reach
    for (const [id, lines] of this.subsets) {
      const n = this.nodes.get(id);
      if (n) n.lines.push(...lines.sort(compare));
    }
  }

  private node(item: Item | { kind: string; ns: string; name: string }, shape: Shape, lines: string[]): string {
    const id = nodeId(item.kind, item.ns, item.name);
    if (!this.nodes.has(id)) this.nodes.set(id, { id, ns: item.ns, shape, lines });
    return id;
  }

  private edge(from: string, to: string, label: string | undefined, dotted = false): void {
    const key = `${from}\u0000${to}\u0000${dotted ? 1 : 0}\u0000${label ?? ''}`;
    if (!this.edges.has(key)) this.edges.set(key, { from, to, label, dotted });
  }

  /** The node of a destination host: its Service or ServiceEntry, or a node for a host outside the input. */
  private hostNode(host: string, fromNs: string): string {
    const entry = this.ctx.lookupHost(host, fromNs);
    if (entry?.item.source) return nodeId(entry.item.kind, entry.item.ns, entry.item.name);
    const fqdn = toFqdn(host, fromNs);
    const id = `host:${fqdn}`;
    if (!this.nodes.has(id)) this.nodes.set(id, { id, shape: Shape.MISSING, lines: [`host ${fqdn}`, entry ? '(installation default)' : '(not in the input)'] });
    return id;
  }

  private destinationRule(dr: Item): void {
    const host = str(dr.spec.host);
    if (!host) return;
    const target = this.hostNode(host, dr.ns);
    const policy = trafficPolicySummary(obj(dr.spec.trafficPolicy));
    const lines = this.subsets.get(target) ?? [];
    if (policy) lines.push(`DR ${dr.name}: ${policy}`);
    for (const s of arr(dr.spec.subsets)) {
      const name = str(obj(s).name);
      if (name) lines.push(`subset ${name}: ${selectorString(strMap(obj(s).labels)) || 'all pods'}`);
    }
    this.subsets.set(target, lines);
  }

  private istioGateway(gw: Item): void {
    const lines = [`Gateway ${gw.ns}/${gw.name}`];
    for (const s of arr(gw.spec.servers)) {
      const server = obj(s);
      const port = obj(server.port);
      const tls = obj(server.tls);
      const mode = tls.httpsRedirect === true ? ' (redirect to HTTPS)' : str(tls.mode) ? ` (${tls.mode})` : '';
      lines.push(`${num(port.number) ?? '?'}/${str(port.protocol) ?? '?'}${mode}: ${strList(server.hosts).join(', ')}`);
    }
    const id = this.node(gw, Shape.GATEWAY, lines);
    const selector = strMap(gw.spec.selector);
    this.gatewayWorkloads.push({ id, workloads: new Set(Object.keys(selector).length ? this.ctx.select(selector, undefined) : []) });
  }

  private gatewayApiGateway(gw: RawObject): void {
    const spec = obj(gw.object.spec);
    const lines = [`Gateway ${gw.ns}/${gw.name}`, `class ${str(spec.gatewayClassName) ?? '?'}`];
    for (const l of arr(spec.listeners)) {
      const listener = obj(l);
      lines.push(`${str(listener.name) ?? '?'} ${num(listener.port) ?? '?'}/${str(listener.protocol) ?? '?'}${str(listener.hostname) ? `: ${listener.hostname}` : ''}`);
    }
    const id = this.node({ kind: `${GATEWAY_API}/Gateway`, ns: gw.ns, name: gw.name }, Shape.GATEWAY, lines);
    const workloads = this.ctx.select({ [GATEWAY_NAME_LABEL]: gw.name }, gw.ns);
    this.gatewayWorkloads.push({ id, workloads: new Set(workloads) });
  }

  private virtualService(vs: Item): void {
    const hosts = strList(vs.spec.hosts);
    // a VirtualService without hosts is a delegate: reached from the rules that delegate to it only
    const id = this.node(vs, Shape.ROUTE, [`VirtualService ${vs.ns}/${vs.name}`, hosts.length ? `hosts: ${hosts.join(', ')}` : 'delegate']);
    const vsGateways = strList(vs.spec.gateways);
    const gateways = new Set(hosts.length === 0 ? [] : vsGateways.length ? vsGateways : ['mesh']);
    for (const kind of ['http', 'tls', 'tcp']) {
      for (const r of arr(vs.spec[kind])) {
        for (const m of arr(obj(r).match)) for (const g of strList(obj(m).gateways)) gateways.add(g);
      }
    }
    for (const g of gateways) {
      if (g === 'mesh') {
        this.nodes.set('mesh', { id: 'mesh', shape: Shape.MESH, lines: ['mesh'] });
        this.edge('mesh', id, undefined);
      } else {
        this.edge(this.gatewayNode(g, vs.ns), id, undefined);
      }
    }
    for (const kind of ['http', 'tls', 'tcp']) {
      for (const r of arr(vs.spec[kind])) {
        const rule = obj(r);
        const match = kind === 'http' ? httpMatchSummary(arr(rule.match)) : l4MatchSummary(arr(rule.match));
        const routes = arr(rule.route).map(obj).filter(d => str(obj(d.destination).host));
        for (const d of routes) {
          const dest = obj(d.destination);
          const weight = num(d.weight);
          const parts = [
            ...str(dest.subset) ? [`subset ${dest.subset}`] : [],
            ...num(obj(dest.port).number) !== undefined ? [`port ${num(obj(dest.port).number)}`] : [],
            ...weight !== undefined || routes.length > 1 ? [`${weight ?? 0}%`] : [],
          ];
          this.edge(id, this.hostNode(dest.host, vs.ns), joinLabel(kind, match, parts));
        }
        const delegate = obj(rule.delegate);
        if (kind === 'http' && str(delegate.name)) {
          const ns = str(delegate.namespace) ?? vs.ns;
          const target = this.ctx.find('VirtualService', ns, delegate.name)?.source ? nodeId('VirtualService', ns, delegate.name) : this.refNode('VirtualService', undefined, ns, delegate.name);
          this.edge(id, target, joinLabel(kind, match, ['delegate']));
        }
        const mirror = obj(rule.mirror);
        if (str(mirror.host)) {
          const pct = num(obj(rule.mirrorPercentage).value);
          this.edge(id, this.hostNode(mirror.host, vs.ns), joinLabel(kind, match, [`mirror${str(mirror.subset) ? ` subset ${mirror.subset}` : ''}${pct !== undefined ? ` ${pct}%` : ''}`]));
        }
      }
    }
  }

  /** The node of an Istio Gateway reference (`ns/name`, `name`, or legacy `name.ns[.svc...]`). */
  private gatewayNode(ref: string, fromNs: string): string {
    let ns = fromNs;
    let name = ref;
    if (ref.includes('/')) [ns, name] = ref.split('/', 2);
    else if (ref.includes('.')) [name, ns] = ref.split('.');
    const gw = this.ctx.find('Gateway', ns, name);
    if (gw?.source) return nodeId('Gateway', ns, name);
    const id = `missing:Gateway:${ns}/${name}`;
    if (!this.nodes.has(id)) this.nodes.set(id, { id, shape: Shape.MISSING, lines: [`Gateway ${ns}/${name}`, gw ? '(installation default)' : '(not in the input)'] });
    return id;
  }

  private gatewayApiRoute(kind: string, route: RawObject): void {
    const spec = obj(route.object.spec);
    const hostnames = strList(spec.hostnames);
    const id = this.node({ kind: `${GATEWAY_API}/${kind}`, ns: route.ns, name: route.name }, Shape.ROUTE, [
      `${kind} ${route.ns}/${route.name}`, ...hostnames.length ? [`hostnames: ${hostnames.join(', ')}`] : [],
    ]);
    for (const p of arr(spec.parentRefs)) {
      const ref = obj(p);
      const refKind = str(ref.kind) ?? 'Gateway';
      const name = str(ref.name);
      if (!name) continue;
      const ns = str(ref.namespace) ?? route.ns;
      const section = [...str(ref.sectionName) ? [String(ref.sectionName)] : [], ...num(ref.port) !== undefined ? [`port ${num(ref.port)}`] : []].join(' ') || undefined;
      this.edge(this.refNode(refKind, str(ref.group), ns, name), id, section);
    }
    for (const r of arr(spec.rules)) {
      const rule = obj(r);
      const match = kind === 'HTTPRoute' || kind === 'GRPCRoute' ? routeMatchSummary(kind, arr(rule.matches)) : '';
      const backends = arr(rule.backendRefs).map(obj).filter(b => str(b.name));
      for (const b of backends) {
        const weight = num(b.weight);
        const parts = [
          ...num(b.port) !== undefined ? [`port ${num(b.port)}`] : [],
          ...weight !== undefined || backends.length > 1 ? [`weight ${weight ?? 1}${backends.length > 1 ? ` (${share(backends, weight ?? 1)})` : ''}`] : [],
        ];
        this.edge(id, this.refNode(str(b.kind) ?? 'Service', str(b.group), str(b.namespace) ?? route.ns, b.name), joinLabel('', match, parts));
      }
    }
  }

  /** The node of a Gateway API reference: a Gateway, a Service, a ServiceEntry, or an Istio `Hostname`. */
  private refNode(kind: string, group: string | undefined, ns: string, name: string): string {
    if (kind === 'Gateway' && (group === undefined || group === GATEWAY_API)) {
      if (this.raw.find(`${GATEWAY_API}/Gateway`, ns, name)) return nodeId(`${GATEWAY_API}/Gateway`, ns, name);
    } else if (kind === 'Service' && !group) {
      return this.hostNode(`${name}.${ns}.svc.${CLUSTER_DOMAIN}`, ns);
    } else if (kind === 'Hostname') {
      return this.hostNode(name, ns);
    } else if (kind === 'ServiceEntry') {
      if (this.ctx.find('ServiceEntry', ns, name)?.source) return nodeId('ServiceEntry', ns, name);
    }
    const id = `missing:${kind}:${ns}/${name}`;
    if (!this.nodes.has(id)) this.nodes.set(id, { id, shape: Shape.MISSING, lines: [`${kind} ${ns}/${name}`, '(not in the input)'] });
    return id;
  }

  /** A policy: a node in its namespace, with dotted edges to what it selects (no edge: the namespace or the mesh). */
  private policy(item: Item, lines: string[]): void {
    const selector = strMap(obj(item.spec.selector).matchLabels);
    const targetRefs = [...arr(item.spec.targetRefs), ...item.spec.targetRef ? [item.spec.targetRef] : []].map(obj).filter(t => str(t.name));
    let scope: string;
    const targets = new Set<string>();
    if (targetRefs.length > 0) {
      scope = `targets: ${targetRefs.map(t => `${t.kind ?? '?'} ${t.name}`).join(', ')}`;
      for (const t of targetRefs) {
        const kind = str(t.kind) ?? '';
        const ns = str(t.namespace) ?? item.ns;
        if (kind === 'GatewayClass') continue;
        targets.add(this.refNode(kind, str(t.group), ns, t.name));
      }
    } else if (Object.keys(selector).length > 0) {
      scope = `workloads: ${selectorString(selector)}`;
      const selected = this.ctx.select(selector, item.ns);
      for (const w of selected) for (const svc of this.ctx.servicesOf(w)) if (svc.source) targets.add(nodeId('Service', svc.ns, svc.name));
      for (const gw of this.gatewayWorkloads) if (selected.some(w => gw.workloads.has(w))) targets.add(gw.id);
      // a selector written for a gateway's pods that the input does not hold (istiod deploys them)
      for (const gw of this.ctx.all('Gateway')) {
        const gwSelector = strMap(gw.spec.selector);
        if (gw.source && selected.length === 0 && Object.keys(gwSelector).length && selectorMatches(selector, gwSelector)) targets.add(nodeId('Gateway', gw.ns, gw.name));
      }
    } else {
      scope = item.ns === this.ctx.rootNamespace ? 'scope: mesh' : `scope: namespace ${item.ns}`;
    }
    const id = this.node(item, Shape.POLICY, [...lines, scope]);
    for (const t of targets) this.edge(id, t, undefined, true);
  }
}

// ---- summaries ----

function servicePorts(svc: Item): string[] {
  const ports = arr(svc.spec.ports).map(obj).map(p => `${num(p.port) ?? '?'}${str(p.name) ? `/${p.name}` : ''}`);
  const type = str(svc.spec.type);
  return [...ports.length ? [`ports ${ports.join(', ')}`] : [], ...type && type !== 'ClusterIP' ? [`type ${type}${type === 'ExternalName' ? ` ${str(svc.spec.externalName) ?? ''}` : ''}`] : []];
}

function serviceEntryLines(se: Item): string[] {
  const ports = arr(se.spec.ports).map(obj).map(p => `${num(p.number) ?? '?'}/${str(p.protocol) ?? '?'}`);
  return [
    `ServiceEntry ${se.ns}/${se.name}`,
    `hosts: ${strList(se.spec.hosts).join(', ')}`,
    [str(se.spec.location) ?? 'MESH_EXTERNAL', str(se.spec.resolution) ?? 'NONE', ...ports.length ? [ports.join(', ')] : []].join(', '),
  ];
}

function trafficPolicySummary(policy: Record<string, any>): string {
  const parts: string[] = [];
  const tls = str(obj(policy.tls).mode);
  if (tls) parts.push(`tls ${tls}`);
  const lb = obj(policy.loadBalancer);
  const simple = str(lb.simple);
  if (simple) parts.push(`lb ${simple}`);
  else if (Object.keys(obj(lb.consistentHash)).length) parts.push('lb consistentHash');
  if (Object.keys(obj(policy.outlierDetection)).length) parts.push('outlierDetection');
  if (Object.keys(obj(policy.connectionPool)).length) parts.push('connectionPool');
  return parts.join(', ');
}

function peerAuthenticationLines(pa: Item): string[] {
  const mode = str(obj(pa.spec.mtls).mode) ?? 'UNSET';
  const ports = Object.entries(obj(pa.spec.portLevelMtls)).map(([port, v]) => `${port} ${str(obj(v).mode) ?? 'UNSET'}`).sort(compare);
  return [`PeerAuthentication ${pa.ns}/${pa.name}`, `mTLS ${mode}${ports.length ? ` (port ${ports.join(', ')})` : ''}`];
}

function authorizationPolicyLines(ap: Item): string[] {
  const action = str(ap.spec.action) ?? 'ALLOW';
  const rules = arr(ap.spec.rules);
  const provider = action === 'CUSTOM' ? str(obj(ap.spec.provider).name) : undefined;
  let what: string;
  if (ap.spec.rules === undefined || rules.length === 0) what = action === 'ALLOW' ? 'deny all' : 'matches nothing';
  else if (rules.every(r => Object.keys(obj(r)).length === 0)) what = `${action.toLowerCase()} all`;
  else what = `${rules.length} rule${rules.length === 1 ? '' : 's'}`;
  return [`AuthorizationPolicy ${ap.ns}/${ap.name}`, `authz ${action}${provider ? ` via ${provider}` : ''}: ${what}`];
}

function requestAuthenticationLines(ra: Item): string[] {
  const issuers = arr(ra.spec.jwtRules).map(r => str(obj(r).issuer) ?? '?');
  return [`RequestAuthentication ${ra.ns}/${ra.name}`, `JWT ${issuers.join(', ') || 'no rules'}`];
}

function stringMatch(m: unknown): string {
  const o = obj(m);
  for (const k of ['exact', 'prefix', 'regex']) if (typeof o[k] === 'string') return k === 'exact' ? `=${o[k]}` : k === 'prefix' ? `=${o[k]}*` : `~${o[k]}`;
  return ' present';
}

function httpMatchSummary(matches: unknown[]): string {
  return truncate(matches.map(m => {
    const o = obj(m);
    const parts: string[] = [];
    if (o.uri) parts.push(`uri${stringMatch(o.uri)}`);
    if (o.method) parts.push(`method${stringMatch(o.method)}`);
    if (o.authority) parts.push(`authority${stringMatch(o.authority)}`);
    for (const [k, v] of Object.entries(obj(o.headers)).sort((a, b) => compare(a[0], b[0]))) parts.push(`${k}${stringMatch(v)}`);
    for (const [k, v] of Object.entries(obj(o.queryParams)).sort((a, b) => compare(a[0], b[0]))) parts.push(`?${k}${stringMatch(v)}`);
    if (num(o.port) !== undefined) parts.push(`port ${o.port}`);
    if (Object.keys(obj(o.sourceLabels)).length) parts.push(`from ${selectorString(strMap(o.sourceLabels))}`);
    return parts.join(' ') || 'any';
  }).join(' or '));
}

function l4MatchSummary(matches: unknown[]): string {
  return truncate(matches.map(m => {
    const o = obj(m);
    const parts = [...num(o.port) !== undefined ? [`port ${o.port}`] : [], ...strList(o.sniHosts).length ? [`sni ${strList(o.sniHosts).join(',')}`] : []];
    return parts.join(' ') || 'any';
  }).join(' or '));
}

function routeMatchSummary(kind: string, matches: unknown[]): string {
  return truncate(matches.map(m => {
    const o = obj(m);
    const parts: string[] = [];
    if (kind === 'HTTPRoute') {
      const p = obj(o.path);
      if (str(p.value)) parts.push(`path${p.type === 'Exact' ? '=' : p.type === 'RegularExpression' ? '~' : '='}${p.value}${(p.type ?? 'PathPrefix') === 'PathPrefix' ? '*' : ''}`);
      if (str(o.method)) parts.push(`method=${o.method}`);
    } else {
      const meth = obj(o.method);
      if (str(meth.service) || str(meth.method)) parts.push(`${str(meth.service) ?? '*'}/${str(meth.method) ?? '*'}`);
    }
    for (const h of arr(o.headers).map(obj)) parts.push(`${h.name}${h.type === 'RegularExpression' ? '~' : '='}${h.value}`);
    for (const h of arr(o.queryParams).map(obj)) parts.push(`?${h.name}=${h.value}`);
    return parts.join(' ') || 'any';
  }).join(' or '));
}

function joinLabel(kind: string, match: string, parts: string[]): string | undefined {
  const head = [...kind && kind !== 'http' ? [kind] : [], ...match && match !== 'any' ? [match] : []].join(' ');
  const tail = parts.join(' ');
  return [head, tail].filter(s => s).join('; ') || undefined;
}

/** A backend's share of a Gateway API rule's weights, as a percentage. */
function share(backends: Record<string, any>[], weight: number): string {
  const total = backends.reduce((sum, b) => sum + (num(b.weight) ?? 1), 0);
  return total > 0 ? `${Math.round(weight * 1000 / total) / 10}%` : '0%';
}

function truncate(s: string): string {
  return s.length > MAX_MATCH ? `${s.slice(0, MAX_MATCH - 3)}...` : s;
}

// ---- rendering ----

const CLASS: Record<Shape, string | undefined> = {
  [Shape.GATEWAY]: 'gateway',
  [Shape.ROUTE]: 'route',
  [Shape.SERVICE]: undefined,
  [Shape.EXTERNAL]: 'external',
  [Shape.POLICY]: 'policy',
  [Shape.MESH]: undefined,
  [Shape.MISSING]: 'missing',
};
const CLASS_STYLE: Record<string, string> = {
  gateway: 'fill:#dbeafe,stroke:#1d4ed8',
  route: 'fill:#ede9fe,stroke:#6d28d9',
  external: 'fill:#dcfce7,stroke:#15803d',
  policy: 'fill:#fef3c7,stroke:#b45309',
  missing: 'fill:#f3f4f6,stroke:#6b7280,stroke-dasharray:4 3',
};
const DOT_STYLE: Record<Shape, string> = {
  [Shape.GATEWAY]: 'shape=invhouse, style=filled, fillcolor="#dbeafe"',
  [Shape.ROUTE]: 'shape=box, style="rounded,filled", fillcolor="#ede9fe"',
  [Shape.SERVICE]: 'shape=box',
  [Shape.EXTERNAL]: 'shape=cylinder, style=filled, fillcolor="#dcfce7"',
  [Shape.POLICY]: 'shape=note, style=filled, fillcolor="#fef3c7"',
  [Shape.MESH]: 'shape=circle',
  [Shape.MISSING]: 'shape=box, style="dashed"',
};
const MERMAID_SHAPE: Record<Shape, [string, string]> = {
  [Shape.GATEWAY]: ['([', '])'],
  [Shape.ROUTE]: ['[[', ']]'],
  [Shape.SERVICE]: ['[', ']'],
  [Shape.EXTERNAL]: ['>', ']'],
  [Shape.POLICY]: ['{{', '}}'],
  [Shape.MESH]: ['((', '))'],
  [Shape.MISSING]: ['[', ']'],
};

/** `Kind:ns/name`: the id of an object's node (an API group prefixes Gateway API kinds). */
function nodeId(kind: string, ns: string, name: string): string {
  return `${kind}:${ns}/${name}`;
}

/**
 * A Mermaid node id: letters and digits kept, every other character `_` and its code in
 * hex (`-` is `_2d`), so that distinct ids stay distinct and none is a Mermaid keyword.
 */
function mermaidId(id: string): string {
  return 'n_' + id.replace(/[^A-Za-z0-9]/g, c => `_${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Text in a quoted Mermaid label: quotes and the characters Mermaid reads as markup as entity codes. */
function mermaidText(s: string): string {
  return s.replace(/[#"<>&|`]/g, c => `#${c.charCodeAt(0)};`);
}

function mermaidNode(n: GraphNode): string {
  const [open, close] = MERMAID_SHAPE[n.shape];
  return `${mermaidId(n.id)}${open}"${n.lines.map(mermaidText).join('<br/>')}"${close}`;
}

/** A quoted DOT id or label: backslashes and quotes escaped. */
function dotText(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function dotId(id: string): string {
  return dotText(id);
}

function dotNode(n: GraphNode): string {
  const label = `"${n.lines.map(l => l.replace(/\\/g, '\\\\').replace(/"/g, '\\"')).join('\\n')}"`;
  return `${dotId(n.id)} [label=${label}, ${DOT_STYLE[n.shape]}];`;
}

/** Code-unit order, independent of the locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function checkFormat(what: string, format: unknown): void {
  if (format !== GraphFormat.MERMAID && format !== GraphFormat.DOT) {
    throw new Error(`${what} must be GraphFormat.MERMAID ('mermaid') or GraphFormat.DOT ('dot'), got ${JSON.stringify(format)}`);
  }
}

