/**
 * Checks that span constructs, and the one index of the app's objects they run over.
 *
 * ## The contract
 *
 * A check that compares a construct with the rest of the app (a CanaryRelease with the
 * other VirtualServices, a Gateway with the VirtualServices bound to it...) must not
 * walk the app: with one such check per instance, a walk per check is quadratic (the
 * IST0140 check did that: 4.8 s of a 7.6 s synth at 1,500 CanaryReleases). So:
 *
 * - A **per-instance check** is registered with `addCrossCheck(construct, check)`. It gets
 *   an {@link IndexQueries}: keyed look-ups only ("the objects of kind K in namespace NS",
 *   "the route destinations of host H", "the VirtualServices bound to gateway G"...), each
 *   answered from a map. There is no `all` or `ofKind` on it, by type and at run time.
 * - Each query family's map is built **lazily, once per index** (one index per validation
 *   pass), on the first query of that family: families nobody asks for cost nothing.
 * - A pattern that needs a map of its own declares a **family** with
 *   `index.memo(FAMILY, build)`, where `FAMILY` is a module-level constant (a `symbol`)
 *   and `build` gets the whole {@link ManifestIndex}: the one place where a per-instance
 *   check's data may come from a walk of every object, since it runs once per index.
 * - An **app-wide check** (one for all instances, like the DestinationRule shared-host
 *   check, or the validation switch of `IstioValidation.enable`) is registered once per
 *   app, with `addAppCheck(scope, SLOT, check)` (or `addCrossCheck(app, check)`), and gets
 *   the whole index (`all`, `ofKind`): it may walk everything, once.
 *
 * Every check runs once per `app.synth()` / `app.synthYaml()`, although cdk8s validates
 * the whole app again for every chart it renders; so do the constructs' own validations
 * registered with {@link addSynthValidation} instead of `node.addValidation`.
 *
 * cdk8s' `App.synth()` / `synthYaml()` resolve the dependencies and validate the whole app
 * once, then once more for every chart they render (`Chart.toJson()`): charts ×
 * constructs, superlinear for an app of many charts. In an app that uses this library,
 * the first chart of a synth still does both; the other charts of the same synth are
 * rendered without repeating them (the tree does not change during a synth, and both
 * passes are idempotent), exactly as cdk8s renders a chart (its dependency order). A
 * `chart.toJson()` outside a synth is untouched. See {@link skipRepeatedAppPasses}.
 *
 * Results (lists and `json` renders) are shared by every check, and during a synth the
 * renders are the very objects cdk8s writes out (one `toJson()` per object per synth):
 * read them, never modify them.
 *
 * Who asks what: `routesTo` (CanaryRelease: an ingress route past the split, IST0140),
 * `boundTo` (Gateway: every server host served; IngressGateway), `inNamespace` /
 * `inNamespaces` (StrictMtlsNamespace: PeerAuthentications and DENY policies;
 * JwtProtectedIngress: the gateway Services; ExternalService, ProxyConfig), `find`
 * (the VirtualService app check: delegates; IngressGateway), `memo` families (Sidecar:
 * scopes; StrictMtlsNamespace: root namespaces, ingress gateways; IngressGateway: servers
 * by port and certificate). App-wide: the DestinationRule shared-host check, the
 * VirtualService subset/delegate check, `IstioValidation.enable`; the unique-name check
 * of `IstioResource` is a root validation run once per synth.
 *
 * Internal: nothing here is part of the public (jsii) API.
 */
import { ApiObject, App, Chart, DependencyGraph } from 'cdk8s';
import { IConstruct, IValidation } from 'constructs';
import { MESH_GATEWAY, resolveHost } from '../networking/vs-checks';

/** One synthesized object of the app, with the construct that owns it. */
export interface IndexedObject {
  /** The object as it will be synthesized (`ApiObject.toJson()`). */
  readonly json: any;
  /** The ApiObject. */
  readonly apiObject: ApiObject;
  /** Its position in tree order (in `ManifestIndex.all`). */
  readonly order: number;
}

/** One `route[].destination` of a VirtualService rule (`routesTo`). */
export interface RouteToHost {
  /** The VirtualService (networking.istio.io). */
  readonly virtualService: IndexedObject;
  /** `http`, `tcp` or `tls`. */
  readonly kind: string;
  /** The rule's index in `spec[kind]`. */
  readonly rule: number;
  /** The route's index in the rule's `route`. */
  readonly route: number;
  /** The destination (its `host` is a string). */
  readonly destination: any;
  /**
   * The gateways the rule applies to: the union of its matches' `gateways` when every
   * match names some, the VirtualService's otherwise (`mesh` when none is listed).
   */
  readonly gateways: string[];
}

/** A query family of its own: a module-level constant. */
export type IndexFamily = symbol;

/**
 * What a per-instance cross-check may ask of the index: keyed look-ups, each answered
 * from a map built once per index. Results are in tree order.
 */
export interface IndexQueries {
  /** The objects of a kind (any apiVersion) with this namespace (undefined: no namespace) and name. */
  find(kind: string, namespace: string | undefined, name: string): IndexedObject[];
  /** The objects of a kind (any apiVersion) whose `metadata.namespace` is this (undefined: none). */
  inNamespace(kind: string, namespace: string | undefined): IndexedObject[];
  /** The objects of a kind in any of these namespaces, in tree order. */
  inNamespaces(kind: string, namespaces: string[]): IndexedObject[];
  /**
   * The route destinations (`http`, `tcp` and `tls` rules' `route[].destination`) of the
   * networking.istio.io VirtualServices whose host resolves to `fqdn` (see `resolveHost`),
   * in tree order, then rule kind (http, tcp, tls), rule and route order.
   */
  routesTo(fqdn: string): RouteToHost[];
  /**
   * The VirtualServices (any apiVersion) whose `spec.gateways` names the gateway `name`
   * in `namespace` (`ns/name`, `name.ns[.svc...]`, or `name` in the VirtualService's
   * namespace); an unknown namespace on either side matches. Each once, in tree order.
   */
  boundTo(name: string, namespace: string | undefined): IndexedObject[];
  /** A value built once per index from the whole index: a query family of its own. */
  memo<T>(family: IndexFamily, build: (index: ManifestIndex) => T): T;
}

const BY_NAMESPACE = Symbol('cdk8s-istio.index.byNamespace');
const ROUTES = Symbol('cdk8s-istio.index.routes');
const BOUND = Symbol('cdk8s-istio.index.bound');

/**
 * All API objects of an app, built once per validation pass (one walk of the tree,
 * one `toJson()` per object) so that cross-construct checks never scan pairwise.
 */
export class ManifestIndex implements IndexQueries {
  /** Every object, in tree order. App-wide checks only (see the module doc). */
  public readonly all: IndexedObject[] = [];
  /** What per-instance checks get: the queries, without `all` and `ofKind`. */
  public readonly queries: IndexQueries;
  private readonly byKind = new Map<string, IndexedObject[]>();
  private readonly byKey = new Map<string, IndexedObject[]>();
  private readonly families = new Map<IndexFamily, unknown>();

  /**
   * @param root the app (or any tree root)
   * @param synth when built during an `app.synth()`: each object's render is handed to
   *   cdk8s, which renders every object again after validation (the tree does not change
   *   during one synth); the objects get their own `toJson()` back when the synth ends
   */
  constructor(root: IConstruct, synth?: SynthTracker) {
    const share = synth !== undefined && synth.depth > 0;
    for (const c of root.node.findAll()) {
      if (!(c instanceof ApiObject)) continue;
      let json: any;
      try {
        json = c.toJson();
      } catch {
        continue; // synth reports it with its own message
      }
      if (share) shareRender(c, json, synth);
      const entry: IndexedObject = { json, apiObject: c, order: this.all.length };
      this.all.push(entry);
      push(this.byKind, c.kind, entry);
      push(this.byKey, key(c.kind, json?.metadata?.namespace, json?.metadata?.name), entry);
    }
    this.queries = Object.freeze({
      find: this.find.bind(this),
      inNamespace: this.inNamespace.bind(this),
      inNamespaces: this.inNamespaces.bind(this),
      routesTo: this.routesTo.bind(this),
      boundTo: this.boundTo.bind(this),
      memo: this.memo.bind(this),
    });
  }

  /** All objects of a kind (any apiVersion). App-wide checks and `memo` builders only. */
  public ofKind(kind: string): IndexedObject[] {
    return this.byKind.get(kind) ?? [];
  }

  public find(kind: string, namespace: string | undefined, name: string): IndexedObject[] {
    return this.byKey.get(key(kind, namespace, name)) ?? [];
  }

  public inNamespace(kind: string, namespace: string | undefined): IndexedObject[] {
    const byNamespace = this.memo(BY_NAMESPACE, index => {
      const map = new Map<string, Map<unknown, IndexedObject[]>>();
      for (const entry of index.all) {
        let kindMap = map.get(entry.apiObject.kind);
        if (!kindMap) map.set(entry.apiObject.kind, kindMap = new Map());
        push(kindMap, entry.json?.metadata?.namespace, entry);
      }
      return map;
    });
    return byNamespace.get(kind)?.get(namespace) ?? [];
  }

  public inNamespaces(kind: string, namespaces: string[]): IndexedObject[] {
    const lists = [...new Set(namespaces)].map(ns => this.inNamespace(kind, ns)).filter(l => l.length > 0);
    if (lists.length <= 1) return lists[0] ?? [];
    return lists.flat().sort((a, b) => a.order - b.order);
  }

  public routesTo(fqdn: string): RouteToHost[] {
    const routes = this.memo(ROUTES, index => {
      const map = new Map<string, RouteToHost[]>();
      for (const entry of index.ofKind('VirtualService')) {
        const json = entry.json;
        if (!String(json?.apiVersion ?? '').startsWith('networking.istio.io/')) continue;
        const spec = json?.spec ?? {};
        const namespace: string | undefined = json?.metadata?.namespace;
        const vsGateways = strings(spec.gateways);
        for (const kind of ['http', 'tcp', 'tls']) {
          list(spec[kind]).forEach((rule: any, i: number) => {
            let gateways: string[] | undefined;
            list(rule?.route).forEach((r: any, j: number) => {
              const destination = r?.destination;
              if (typeof destination?.host !== 'string') return;
              gateways ??= ruleGateways(rule, vsGateways);
              push(map, resolveHost(destination.host, namespace), { virtualService: entry, kind, rule: i, route: j, destination, gateways });
            });
          });
        }
      }
      return map;
    });
    return routes.get(fqdn) ?? [];
  }

  public boundTo(name: string, namespace: string | undefined): IndexedObject[] {
    const bound = this.memo(BOUND, index => {
      // gateway name -> (VirtualService, the namespace it names) in tree order
      const map = new Map<string, { vs: IndexedObject; ns: string | undefined }[]>();
      for (const vs of index.ofKind('VirtualService')) {
        const gateways: unknown = vs.json?.spec?.gateways;
        if (!Array.isArray(gateways)) continue;
        const vsNamespace: string | undefined = vs.json?.metadata?.namespace;
        for (const g of gateways) {
          if (typeof g !== 'string' || g === MESH_GATEWAY) continue;
          let ns: string | undefined;
          let gwName: string;
          if (g.includes('/')) {
            [ns, gwName] = g.split('/', 2);
          } else if (g.includes('.')) {
            // legacy `name.namespace[.svc.cluster.local]`
            [gwName, ns] = g.split('.');
          } else {
            [ns, gwName] = [vsNamespace, g];
          }
          push(map, gwName, { vs, ns });
        }
      }
      return map;
    });
    const seen = new Set<IndexedObject>();
    for (const { vs, ns } of bound.get(name) ?? []) {
      if (ns === undefined || namespace === undefined || ns === namespace) seen.add(vs);
    }
    return [...seen];
  }

  public memo<T>(family: IndexFamily, build: (index: ManifestIndex) => T): T {
    if (!this.families.has(family)) this.families.set(family, build(this));
    return this.families.get(family) as T;
  }
}

/** An app-wide check: gets the whole index. */
export type CrossCheck = (index: ManifestIndex) => string[];
/** A per-instance check: gets the keyed queries only. */
export type InstanceCheck = (index: IndexQueries) => string[];

const REGISTRY = Symbol.for('cdk8s-istio.CrossChecks');
const TRACKER = Symbol.for('cdk8s-istio.SynthTracker');

/**
 * Registers a check that spans constructs (a subset no DestinationRule defines, a
 * Gateway host no VirtualService serves...). All checks of an app run from one
 * validation on the tree's root, over one ManifestIndex, once per synth.
 *
 * Registered on the app itself, the check is app-wide and gets the whole index;
 * registered on any other construct, it is per-instance and gets `IndexQueries` only
 * (see the module doc).
 */
export function addCrossCheck(scope: App, check: CrossCheck): void;
export function addCrossCheck(scope: IConstruct, check: InstanceCheck): void;
export function addCrossCheck(scope: IConstruct, check: CrossCheck | InstanceCheck): void {
  const appWide = scope.node.root === scope;
  registry(scope).checks.push(appWide ? check as CrossCheck : index => (check as InstanceCheck)(index.queries));
}

/**
 * Registers an app-wide check once per app (the first call for `slot` wins): for checks
 * that cover every instance of a kind at once. It gets the whole index.
 */
export function addAppCheck(scope: IConstruct, slot: symbol, check: CrossCheck): void {
  perApp(scope, slot, () => {
    registry(scope).checks.push(check);
    return true;
  });
}

/**
 * `scope.node.addValidation(validate)`, run once per `app.synth()` / `app.synthYaml()`
 * (cdk8s validates the whole app again for every chart it renders; the tree does not
 * change during one synth). Outside `app.synth()` every call validates again.
 */
export function addSynthValidation(scope: IConstruct, validate: () => string[]): void {
  const tracker = synthTracker(scope);
  let generation = -1;
  let result: string[] = [];
  scope.node.addValidation({
    validate: () => {
      if (tracker.depth > 0 && generation === tracker.generation) return result;
      const errors = validate();
      if (tracker.depth > 0) {
        generation = tracker.generation;
        result = errors;
      }
      return errors;
    },
  });
}

/**
 * The value kept on the app (the root of `scope`'s tree) under `slot`, made by `create`
 * the first time it is asked for: how one validation, or one list, is registered per app.
 */
export function perApp<T>(scope: IConstruct, slot: symbol, create: (root: IConstruct) => T): T {
  const root = scope.node.root as any;
  if (!(slot in root)) Object.defineProperty(root, slot, { value: create(root) });
  return root[slot];
}

function registry(scope: IConstruct): CrossChecks {
  return perApp(scope, REGISTRY, root => {
    const checks = new CrossChecks(root, synthTracker(root));
    addSynthValidation(root, () => checks.validate());
    return checks;
  });
}

/** How many `app.synth()` / `app.synthYaml()` calls are running, and which synth it is. */
interface SynthTracker {
  depth: number;
  generation: number;
  /** The generation whose first chart has resolved the dependencies and validated the app. */
  prepared?: number;
  /** Run when the outermost synth ends. */
  readonly atEnd: (() => void)[];
}

/**
 * Until the synth ends, `obj.toJson()` returns the render the index made of it (the same
 * object: neither cdk8s nor the checks modify a render), instead of rendering it again.
 */
function shareRender(obj: ApiObject, json: any, synth: SynthTracker): void {
  if (Object.prototype.hasOwnProperty.call(obj, 'toJson')) return;
  Object.defineProperty(obj, 'toJson', { value: () => json, configurable: true, writable: true });
  synth.atEnd.push(() => delete (obj as any).toJson);
}

function synthTracker(scope: IConstruct): SynthTracker {
  return perApp(scope, TRACKER, root => {
    const tracker: SynthTracker = { depth: 0, generation: 0, atEnd: [] };
    if (root instanceof App) {
      skipRepeatedAppPasses();
      for (const method of ['synth', 'synthYaml'] as const) {
        const original = (root as any)[method].bind(root);
        Object.defineProperty(root, method, {
          value: (...args: any[]) => {
            if (tracker.depth++ === 0) tracker.generation++;
            try {
              return original(...args);
            } finally {
              if (--tracker.depth === 0) tracker.atEnd.splice(0).forEach(f => f());
            }
          },
        });
      }
    }
    return tracker;
  });
}

let chartSynthPatched = false;

/**
 * cdk8s renders each chart with `App._synthChart(chart)` (internal), which first resolves
 * the dependencies of the whole app and validates the whole app, then renders the chart's
 * objects in dependency order. During one synth of an app with a tracker, only the first
 * chart does the two app-wide passes; the others are rendered the same way without them.
 * Installed once per process; when cdk8s has no such method (another version), nothing
 * changes.
 */
function skipRepeatedAppPasses(): void {
  const app = App as any;
  if (chartSynthPatched || typeof app._synthChart !== 'function' || typeof DependencyGraph !== 'function') return;
  chartSynthPatched = true;
  const original = app._synthChart;
  app._synthChart = function synthChart(chart: Chart): any[] {
    const tracker: SynthTracker | undefined = (App.of(chart) as any)[TRACKER];
    if (!tracker || tracker.depth === 0) return original.call(this, chart);
    if (tracker.prepared === tracker.generation) {
      // what cdk8s renders for a chart: its ApiObjects (not those of nested charts) in dependency order
      return new DependencyGraph(chart.node).topology()
        .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart)
        .map(c => c.toJson());
    }
    const result = original.call(this, chart);
    tracker.prepared = tracker.generation;
    return result;
  };
}

class CrossChecks implements IValidation {
  public readonly checks: CrossCheck[] = [];

  constructor(private readonly root: IConstruct, private readonly synth: SynthTracker) {}

  public validate(): string[] {
    if (this.checks.length === 0) return [];
    const index = new ManifestIndex(this.root, this.synth);
    return this.checks.flatMap(check => check(index));
  }
}

/**
 * The gateways a rule applies to: the union of its matches' `gateways` when every
 * match names some, the VirtualService's otherwise (`mesh` when none is listed).
 */
function ruleGateways(rule: any, vsGateways: string[]): string[] {
  const matches = list(rule?.match);
  if (matches.length > 0 && matches.every((m: any) => strings(m?.gateways).length > 0)) {
    return [...new Set(matches.flatMap((m: any) => strings(m.gateways)))];
  }
  return vsGateways.length > 0 ? vsGateways : [MESH_GATEWAY];
}

function list(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

function strings(value: unknown): string[] {
  return list(value).filter((v): v is string => typeof v === 'string');
}

function key(kind: string, namespace: string | undefined, name: string | undefined): string {
  return `${kind}|${namespace ?? ''}|${name ?? ''}`;
}

function push<K, V>(map: Map<K, V[]>, k: K, v: V): void {
  const l = map.get(k);
  if (l) l.push(v);
  else map.set(k, [v]);
}
