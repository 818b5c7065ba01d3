/**
 * Objects of kinds the Context does not index (Secrets, ServiceAccounts, Gateway API Gateways,
 * cert-manager Certificates), read straight from the sources in one pass, by kind,
 * namespace and name. A later definition of the same object replaces an earlier one,
 * as `kubectl apply` does.
 *
 * Internal module: not part of the public API.
 */
import { ManifestSource } from '../findings';
import { obj, str } from './util';

/** The kinds the analyzer reads this way. */
export const RAW_KINDS = ['/Secret', '/ServiceAccount', 'cert-manager.io/Certificate', 'gateway.networking.k8s.io/Gateway'];

export interface RawObject {
  readonly object: Record<string, any>;
  readonly ns: string;
  readonly name: string;
}

/** `group/Kind` -> namespace -> name -> object. */
export class RawObjects {
  private readonly byKind = new Map<string, Map<string, Map<string, RawObject>>>();
  private readonly nearIndexes = new Map<string, NearNames>();

  /** Indexes the objects of the given `group/Kind`s (`v1` core kinds: `/Secret`). */
  constructor(sources: ManifestSource[], kinds: string[]) {
    const wanted = new Set(kinds);
    const add = (o: unknown) => {
      if (o === null || typeof o !== 'object' || Array.isArray(o)) return;
      const object = o as Record<string, any>;
      if (typeof object.kind === 'string' && object.kind.endsWith('List') && Array.isArray(object.items)) {
        object.items.forEach(add);
        return;
      }
      const apiVersion = str(object.apiVersion) ?? '';
      const slash = apiVersion.indexOf('/');
      const key = `${slash >= 0 ? apiVersion.slice(0, slash) : ''}/${object.kind}`;
      if (!wanted.has(key)) return;
      const meta = obj(object.metadata);
      const name = str(meta.name);
      if (!name) return;
      const ns = str(meta.namespace) ?? 'default';
      let byNs = this.byKind.get(key);
      if (!byNs) this.byKind.set(key, byNs = new Map());
      let byName = byNs.get(ns);
      if (!byName) byNs.set(ns, byName = new Map());
      byName.set(name, { object, ns, name });
    };
    for (const source of Array.isArray(sources) ? sources : []) {
      if (source && typeof source === 'object') add(source.object);
    }
  }

  public find(kind: string, ns: string, name: string): RawObject | undefined {
    return this.byKind.get(kind)?.get(ns)?.get(name);
  }

  /** The objects of a kind in a namespace, by name. */
  public names(kind: string, ns: string): string[] {
    return [...this.byKind.get(kind)?.get(ns)?.keys() ?? []];
  }

  /** The names of a kind in a namespace (and extra names), indexed for near-miss lookups; built once per kind and namespace. */
  public nearNames(kind: string, ns: string, extra?: Iterable<string>): NearNames {
    const key = `${kind}\u0000${ns}`;
    let index = this.nearIndexes.get(key);
    if (!index) this.nearIndexes.set(key, index = new NearNames([...this.names(kind, ns), ...extra ?? []]));
    return index;
  }

  /** Every object of a kind, in input order of first definition. */
  public all(kind: string): RawObject[] {
    return [...this.byKind.get(kind)?.values() ?? []].flatMap(byName => [...byName.values()]);
  }
}

/**
 * True if `ref` most likely meant `known`: the same name in another case, or an edit
 * distance of 1 (names of 4 characters or more) or 2 (6 or more), unless the two differ
 * only in their digits.
 */
export function nearMiss(ref: string, known: string): boolean {
  if (ref === known) return false;
  if (ref.toLowerCase() === known.toLowerCase()) return true;
  // names that differ only in digits are versions or ordinals of distinct objects (tls-v1, tls-v2)
  if (ref.replace(/[0-9]/g, '') === known.replace(/[0-9]/g, '')) return false;
  const max = ref.length >= 6 ? 2 : ref.length >= 4 ? 1 : 0;
  if (max === 0 || Math.abs(ref.length - known.length) > max) return false;
  // Levenshtein distance, rows of the table
  let prev = Array.from({ length: known.length + 1 }, (_, j) => j);
  for (let i = 1; i <= ref.length; i++) {
    const row = [i];
    for (let j = 1; j <= known.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ref[i - 1] === known[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[known.length] <= max;
}

/**
 * Known names for "did you mean": by lower case, and by the strings two deletions or
 * fewer make of them (two names within edit distance 2 share one), so a lookup
 * costs the variants of the reference, not a scan of the names.
 */
export class NearNames {
  private readonly byLower = new Map<string, string[]>();
  private readonly byDeletion = new Map<string, Set<string>>();
  private readonly names: Set<string>;

  constructor(names: string[]) {
    this.names = new Set(names);
    for (const name of this.names) {
      const lower = name.toLowerCase();
      this.byLower.set(lower, [...this.byLower.get(lower) ?? [], name]);
      for (const variant of deletions(name, 2)) {
        let set = this.byDeletion.get(variant);
        if (!set) this.byDeletion.set(variant, set = new Set());
        set.add(name);
      }
    }
  }

  public get size(): number {
    return this.names.size;
  }

  /** The known names `ref` most likely meant, sorted. */
  public near(ref: string): string[] {
    const candidates = new Set<string>(this.byLower.get(ref.toLowerCase()) ?? []);
    for (const variant of deletions(ref, ref.length >= 6 ? 2 : 1)) {
      for (const name of this.byDeletion.get(variant) ?? []) candidates.add(name);
    }
    return [...candidates].filter(name => nearMiss(ref, name)).sort();
  }
}

/** The string and every string up to `max` deletions make of it. */
function deletions(s: string, max: number): Set<string> {
  const out = new Set<string>([s]);
  let frontier = [s];
  for (let d = 0; d < max; d++) {
    const next: string[] = [];
    for (const t of frontier) {
      for (let i = 0; i < t.length; i++) {
        const v = t.slice(0, i) + t.slice(i + 1);
        if (!out.has(v)) {
          out.add(v);
          next.push(v);
        }
      }
    }
    frontier = next;
  }
  return out;
}
