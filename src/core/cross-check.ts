import { ApiObject, App } from 'cdk8s';
import { IConstruct, IValidation } from 'constructs';

/** One synthesized object of the app, with the construct that owns it. */
export interface IndexedObject {
  /** The object as it will be synthesized (`ApiObject.toJson()`). */
  readonly json: any;
  /** The ApiObject. */
  readonly apiObject: ApiObject;
}

/**
 * All API objects of an app, built once per validation pass (one walk of the tree,
 * one `toJson()` per object) so that cross-construct checks never scan pairwise.
 */
export class ManifestIndex {
  /** Every object, in tree order. */
  public readonly all: IndexedObject[] = [];
  private readonly byKind = new Map<string, IndexedObject[]>();
  private readonly byKey = new Map<string, IndexedObject[]>();

  constructor(root: IConstruct) {
    for (const c of root.node.findAll()) {
      if (!(c instanceof ApiObject)) continue;
      let json: any;
      try {
        json = c.toJson();
      } catch {
        continue; // synth reports it with its own message
      }
      const entry: IndexedObject = { json, apiObject: c };
      this.all.push(entry);
      push(this.byKind, c.kind, entry);
      push(this.byKey, key(c.kind, json?.metadata?.namespace, json?.metadata?.name), entry);
    }
  }

  /** All objects of a kind (any apiVersion). */
  public ofKind(kind: string): IndexedObject[] {
    return this.byKind.get(kind) ?? [];
  }

  /** The objects of a kind with this namespace (undefined: no namespace) and name. */
  public find(kind: string, namespace: string | undefined, name: string): IndexedObject[] {
    return this.byKey.get(key(kind, namespace, name)) ?? [];
  }
}

/** A check that spans constructs; returns error messages. */
export type CrossCheck = (index: ManifestIndex) => string[];

const REGISTRY = Symbol.for('cdk8s-istio.CrossChecks');

/**
 * Registers a check that spans constructs (a subset no DestinationRule defines, a
 * Gateway host no VirtualService serves...). All checks of an app run from one
 * validation on the tree's root, over one ManifestIndex.
 *
 * Internal: not part of the public (jsii) API.
 */
export function addCrossCheck(scope: IConstruct, check: CrossCheck): void {
  const registry = perApp(scope, REGISTRY, root => {
    const checks = new CrossChecks(root);
    root.node.addValidation(checks);
    return checks;
  });
  registry.checks.push(check);
}

/**
 * The value kept on the app (the root of `scope`'s tree) under `slot`, made by `create`
 * the first time it is asked for: how one validation, or one list, is registered per app.
 *
 * Internal: not part of the public (jsii) API.
 */
export function perApp<T>(scope: IConstruct, slot: symbol, create: (root: IConstruct) => T): T {
  const root = scope.node.root as any;
  if (!(slot in root)) Object.defineProperty(root, slot, { value: create(root) });
  return root[slot];
}

class CrossChecks implements IValidation {
  public readonly checks: CrossCheck[] = [];
  /** How many `app.synth()` / `app.synthYaml()` calls are running. */
  private synthDepth = 0;
  /** The result of the checks during the running synth. */
  private synthResult?: string[];

  constructor(private readonly root: IConstruct) {
    // cdk8s validates the whole app once in app.synth(), and again for every chart it
    // renders: the checks would run once per chart. The tree does not change during one
    // synth, so they run once per app.synth() and the other calls reuse the result.
    if (root instanceof App) {
      for (const method of ['synth', 'synthYaml'] as const) {
        const original = (root as any)[method].bind(root);
        Object.defineProperty(root, method, {
          value: (...args: any[]) => {
            this.synthDepth++;
            try {
              return original(...args);
            } finally {
              if (--this.synthDepth === 0) this.synthResult = undefined;
            }
          },
        });
      }
    }
  }

  public validate(): string[] {
    if (this.checks.length === 0) return [];
    if (this.synthDepth > 0 && this.synthResult) return this.synthResult;
    const index = new ManifestIndex(this.root);
    const result = this.checks.flatMap(check => check(index));
    if (this.synthDepth > 0) this.synthResult = result;
    return result;
  }
}

function key(kind: string, namespace: string | undefined, name: string | undefined): string {
  return `${kind}|${namespace ?? ''}|${name ?? ''}`;
}

function push<K, V>(map: Map<K, V[]>, k: K, v: V): void {
  const list = map.get(k);
  if (list) list.push(v);
  else map.set(k, [v]);
}
