/**
 * Structural schemas: compilation of a CRD's openAPIV3Schema into SchemaNodes (once
 * per kind and version) and the walk that validates a manifest value against them the
 * way the API server does on create: null pruning, defaulting, strict unknown-field
 * detection, OpenAPI value validation, list-type set/map uniqueness and CEL rules
 * (on the pruned and defaulted value, only where the value is present).
 */
import { celList, celMap, CelValue } from '@bufbuild/cel';
import {
  compileRule, CompiledRule, escapePropertyName, getEnv, isCelError, isDataError, RuleSpec,
} from './cel';
import { FormatCheck, formatCheck } from './formats';
import { jsonType, list, short, suggest } from './messages';
import { compileRe2, Re2Matcher } from './regex';

/** Every schema keyword the validator implements (the coverage test asserts the CRDs use no other). */
export const IMPLEMENTED_KEYWORDS: readonly string[] = [
  'type', 'nullable', 'format', 'enum', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum',
  'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minItems', 'maxItems', 'uniqueItems',
  'minProperties', 'maxProperties', 'required', 'properties', 'additionalProperties', 'items',
  'oneOf', 'anyOf', 'allOf', 'not', 'default',
  'x-kubernetes-int-or-string', 'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type', 'x-kubernetes-validations',
  // documentation only
  'description', 'title', 'example', 'externalDocs',
];
const KEYWORDS = new Set(IMPLEMENTED_KEYWORDS);

const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);

/** A compiled schema node. */
export class SchemaNode {
  public type?: string;
  public nullable = false;
  public intOrString = false;
  public preserveUnknown = false;
  public formatName?: string;
  public format?: FormatCheck;
  public enumValues?: readonly unknown[];
  public enumSet?: Set<unknown>;
  public pattern?: Re2Matcher;
  public minLength?: number;
  public maxLength?: number;
  public minimum?: number;
  public maximum?: number;
  public exclusiveMinimum = false;
  public exclusiveMaximum = false;
  public multipleOf?: number;
  public minItems?: number;
  public maxItems?: number;
  public uniqueItems = false;
  public minProperties?: number;
  public maxProperties?: number;
  public required?: readonly string[];
  public properties?: Map<string, SchemaNode>;
  public additional?: SchemaNode;
  public additionalAllowed = false;
  public items?: SchemaNode;
  public listType?: string;
  public listMapKeys?: readonly string[];
  public allOf?: SchemaNode[];
  public anyOf?: SchemaNode[];
  public oneOf?: SchemaNode[];
  public not?: SchemaNode;
  /** Istio's one-of encoding: at most one of these properties may be set. */
  public exclusive?: readonly string[];
  public hasDefault = false;
  public default?: unknown;
  /** Properties that have a default. */
  public defaulted?: Array<[string, SchemaNode]>;
  /** x-kubernetes-validations. */
  public rules?: readonly RuleSpec[];
  private compiledRules?: CompiledRule[];
  /** Per rule: results by scalar `self` (rules are pure functions of self). */
  public ruleResults?: Array<Map<unknown, unknown>>;
  /** CEL name -> property name, and back (Kubernetes' escaping). */
  public celToProp?: Map<string, string>;
  public propToCel?: Map<string, string>;

  /** The compiled rules (compiled on first use, each distinct rule once). */
  public getRules(): CompiledRule[] {
    if (!this.compiledRules) this.compiledRules = (this.rules ?? []).map(compileRule);
    return this.compiledRules;
  }
}

function num(raw: any, key: string, where: string): number | undefined {
  const v = raw[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number') throw new Error(`${where}: ${key} must be a number`);
  return v;
}

/**
 * Compiles a schema (structural, or a value-validation branch of allOf/anyOf/oneOf/not).
 * Throws on a keyword the validator does not implement.
 */
export function compileSchema(raw: any, where = '#'): SchemaNode {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${where}: a schema must be an object`);
  for (const k of Object.keys(raw)) {
    if (!KEYWORDS.has(k)) throw new Error(`${where}: schema keyword '${k}' is not implemented by the CRD validator`);
  }
  const n = new SchemaNode();
  if (raw.type !== undefined) {
    if (!TYPES.has(raw.type)) throw new Error(`${where}: unsupported type ${JSON.stringify(raw.type)}`);
    n.type = raw.type;
  }
  n.nullable = raw.nullable === true;
  n.intOrString = raw['x-kubernetes-int-or-string'] === true;
  n.preserveUnknown = raw['x-kubernetes-preserve-unknown-fields'] === true;
  if (typeof raw.format === 'string') {
    n.formatName = raw.format;
    n.format = formatCheck(raw.format);
  }
  if (Array.isArray(raw.enum)) {
    n.enumValues = raw.enum;
    if (raw.enum.every((v: unknown) => v === null || typeof v !== 'object')) n.enumSet = new Set(raw.enum);
  }
  if (typeof raw.pattern === 'string') n.pattern = compileRe2(raw.pattern);
  n.minLength = num(raw, 'minLength', where);
  n.maxLength = num(raw, 'maxLength', where);
  n.minimum = num(raw, 'minimum', where);
  n.maximum = num(raw, 'maximum', where);
  n.exclusiveMinimum = raw.exclusiveMinimum === true;
  n.exclusiveMaximum = raw.exclusiveMaximum === true;
  n.multipleOf = num(raw, 'multipleOf', where);
  n.minItems = num(raw, 'minItems', where);
  n.maxItems = num(raw, 'maxItems', where);
  n.uniqueItems = raw.uniqueItems === true;
  n.minProperties = num(raw, 'minProperties', where);
  n.maxProperties = num(raw, 'maxProperties', where);
  if (Array.isArray(raw.required) && raw.required.length > 0) n.required = raw.required;
  if (raw.properties) {
    n.properties = new Map();
    n.celToProp = new Map();
    n.propToCel = new Map();
    for (const [name, sub] of Object.entries(raw.properties)) {
      const child = compileSchema(sub, `${where}.${name}`);
      n.properties.set(name, child);
      if (child.hasDefault) (n.defaulted ??= []).push([name, child]);
      const celName = escapePropertyName(name);
      if (celName !== undefined) {
        n.celToProp.set(celName, name);
        n.propToCel.set(name, celName);
      }
    }
  }
  if (raw.additionalProperties !== undefined) {
    if (typeof raw.additionalProperties === 'boolean') n.additionalAllowed = raw.additionalProperties;
    else n.additional = compileSchema(raw.additionalProperties, `${where}{}`);
  }
  if (raw.items !== undefined) {
    if (Array.isArray(raw.items)) throw new Error(`${where}: tuple items are not structural`);
    n.items = compileSchema(raw.items, `${where}[]`);
  }
  if (raw['x-kubernetes-list-type'] !== undefined) n.listType = raw['x-kubernetes-list-type'];
  if (Array.isArray(raw['x-kubernetes-list-map-keys'])) n.listMapKeys = raw['x-kubernetes-list-map-keys'];
  if (raw.allOf) n.allOf = raw.allOf.map((s: any, i: number) => compileSchema(s, `${where}/allOf[${i}]`));
  if (raw.anyOf) n.anyOf = raw.anyOf.map((s: any, i: number) => compileSchema(s, `${where}/anyOf[${i}]`));
  if (raw.oneOf) {
    n.oneOf = raw.oneOf.map((s: any, i: number) => compileSchema(s, `${where}/oneOf[${i}]`));
    n.exclusive = istioOneOf(raw.oneOf);
  }
  if (raw.not) n.not = compileSchema(raw.not, `${where}/not`);
  if ('default' in raw) {
    n.hasDefault = true;
    n.default = raw.default;
  }
  if (Array.isArray(raw['x-kubernetes-validations']) && raw['x-kubernetes-validations'].length > 0) {
    n.rules = raw['x-kubernetes-validations'];
  }
  return n;
}

function onlyKeys(o: any, ...keys: string[]): boolean {
  return o !== null && typeof o === 'object' && Object.keys(o).every(k => keys.includes(k));
}

/**
 * Recognizes the one-of encoding of Istio's generated CRDs:
 * `oneOf: [{not: {anyOf: [{required: [a]}, {required: [b]}]}}, {required: [a]}, {required: [b]}]`,
 * which means "at most one of a, b".
 */
function istioOneOf(branches: any[]): string[] | undefined {
  if (branches.length < 2) return undefined;
  const [first, ...rest] = branches;
  if (!onlyKeys(first, 'not') || !onlyKeys(first.not, 'anyOf') || !Array.isArray(first.not.anyOf)) return undefined;
  const names: string[] = [];
  for (const a of first.not.anyOf) {
    if (!onlyKeys(a, 'required') || a.required.length !== 1) return undefined;
    names.push(a.required[0]);
  }
  if (rest.length !== names.length) return undefined;
  for (let i = 0; i < rest.length; i++) {
    if (!onlyKeys(rest[i], 'required') || rest[i].required.length !== 1 || rest[i].required[0] !== names[i]) return undefined;
  }
  return names;
}

// ---------------------------------------------------------------------------------------------
// value helpers

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeMatches(node: SchemaNode, v: unknown): boolean {
  if (node.intOrString) return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));
  switch (node.type) {
    case undefined: return true;
    case 'object': return isObject(v);
    case 'array': return Array.isArray(v);
    case 'string': return typeof v === 'string';
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'boolean': return typeof v === 'boolean';
    default: return false;
  }
}

function typeName(node: SchemaNode): string {
  return node.intOrString ? 'integer or string' : node.type ?? 'any';
}

/** Deep JSON equality. */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => jsonEqual(x, bb[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every(k => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual((a as any)[k], (b as any)[k]));
}

/** Canonical JSON (sorted keys), for uniqueness checks. */
function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'undefined';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  return `{${Object.keys(v).sort().map(k => `${JSON.stringify(k)}:${canonical((v as any)[k])}`).join(',')}}`;
}

function runeLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--;
  }
  return n;
}

function deepClone(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(deepClone);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const x = (v as any)[k];
    if (x !== undefined) out[k] = deepClone(x);
  }
  return out;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** A problem sink: (relative or absolute field path, message, blocking). */
type Emit = (path: string, message: string, blocking: boolean) => void;

/**
 * The value validations of a node that do not recurse (enum, format, pattern, lengths,
 * bounds, counts, required): emitted in the order the API server reports them.
 */
function checkLocal(node: SchemaNode, v: unknown, path: string, emit: Emit, original?: unknown): void {
  if (node.enumValues !== undefined) {
    const ok = node.enumSet ? node.enumSet.has(v) : node.enumValues.some(e => jsonEqual(e, v));
    if (!ok) {
      emit(path, `must be one of ${node.enumValues.map(e => (typeof e === 'string' ? e : JSON.stringify(e))).join(', ')}; got ${short(v)}`, true);
    }
  }
  if (typeof v === 'string') {
    if (node.maxLength !== undefined && v.length > node.maxLength && runeLength(v) > node.maxLength) {
      emit(path, `must be at most ${node.maxLength} characters long; got ${runeLength(v)} characters (${short(v)})`, true);
    }
    if (node.minLength !== undefined && (v.length < node.minLength || runeLength(v) < node.minLength)) {
      emit(path, node.minLength === 1 && v.length === 0
        ? 'must not be empty; got ""'
        : `must be at least ${node.minLength} characters long; got ${short(v)}`, false);
    }
    if (node.pattern && !node.pattern.test(v)) {
      emit(path, `must match the regular expression ${node.pattern.source}; got ${short(v)}`, false);
    }
    if (node.format && !node.format.test(v)) {
      emit(path, `must be ${node.format.description} (format ${node.formatName}); got ${short(v)}`, false);
    }
  } else if (typeof v === 'number') {
    if (node.maximum !== undefined && (node.exclusiveMaximum ? v >= node.maximum : v > node.maximum)) {
      emit(path, `must be ${node.exclusiveMaximum ? 'less than' : 'less than or equal to'} ${node.maximum}; got ${v}`, false);
    }
    if (node.minimum !== undefined && (node.exclusiveMinimum ? v <= node.minimum : v < node.minimum)) {
      emit(path, `must be ${node.exclusiveMinimum ? 'greater than' : 'greater than or equal to'} ${node.minimum}; got ${v}`, false);
    }
    if (node.multipleOf !== undefined && node.multipleOf !== 0) {
      const q = v / node.multipleOf;
      if (Math.abs(q - Math.round(q)) > 1e-9) emit(path, `must be a multiple of ${node.multipleOf}; got ${v}`, false);
    }
  } else if (Array.isArray(v)) {
    if (node.maxItems !== undefined && v.length > node.maxItems) {
      emit(path, `must have at most ${node.maxItems} item${node.maxItems === 1 ? '' : 's'}; got ${v.length}`, true);
    }
    if (node.minItems !== undefined && v.length < node.minItems) {
      emit(path, `must have at least ${node.minItems} item${node.minItems === 1 ? '' : 's'}; got ${v.length}`, false);
    }
    if (node.uniqueItems || node.listType === 'set') checkSet(node, v, path, emit);
    if (node.listType === 'map' && node.listMapKeys) checkListMap(node, v, path, emit);
  } else if (isObject(v)) {
    const count = Object.keys(v).length;
    if (node.maxProperties !== undefined && count > node.maxProperties) {
      emit(path, `must have at most ${node.maxProperties} entr${node.maxProperties === 1 ? 'y' : 'ies'}; got ${count}`, true);
    }
    if (node.minProperties !== undefined && count < node.minProperties) {
      emit(path, `must have at least ${node.minProperties} entr${node.minProperties === 1 ? 'y' : 'ies'}; got ${count}`, false);
    }
    if (node.required) {
      for (const r of node.required) {
        if (v[r] !== undefined) continue;
        // a value that was given but rejected (wrong type) has been reported already
        if (isObject(original) && original[r] !== undefined && original[r] !== null) continue;
        emit(join(path, r), 'required field is missing', true);
      }
    }
  }
}

function checkSet(node: SchemaNode, v: unknown[], path: string, emit: Emit): void {
  const seen = new Map<string, number>();
  for (let i = 0; i < v.length; i++) {
    const key = canonical(v[i]);
    const first = seen.get(key);
    if (first !== undefined) {
      emit(`${path}[${i}]`, `duplicate entry ${short(v[i])} (same as ${path}[${first}]); ${node.listType === 'set' ? 'x-kubernetes-list-type set' : 'uniqueItems'} requires unique items`, false);
    } else {
      seen.set(key, i);
    }
  }
}

function checkListMap(node: SchemaNode, v: unknown[], path: string, emit: Emit): void {
  const keys = node.listMapKeys!;
  const seen = new Map<string, number>();
  for (let i = 0; i < v.length; i++) {
    const item = v[i];
    if (!isObject(item)) continue;
    const tuple: Record<string, unknown> = {};
    for (const k of keys) tuple[k] = item[k];
    const key = canonical(keys.map(k => item[k] ?? null));
    const first = seen.get(key);
    if (first !== undefined) {
      emit(`${path}[${i}]`, `duplicate entry with ${keys.map(k => `${k}=${short(item[k])}`).join(', ')} (same as ${path}[${first}]); x-kubernetes-list-type map requires unique ${list(keys)}`, false);
    } else {
      seen.set(key, i);
    }
  }
}

/** The first reason a value fails a value-validation schema (an allOf/anyOf/oneOf/not branch), or undefined. */
export function firstFailure(node: SchemaNode, v: unknown, path: string): string | undefined {
  let first: string | undefined;
  const emit: Emit = (p, m) => {
    if (first === undefined) first = p ? `${p}: ${m}` : m;
  };
  failures(node, v, path, emit);
  return first;
}

function failures(node: SchemaNode, v: unknown, path: string, emit: Emit): void {
  if (v === null) {
    if ((node.type !== undefined || node.intOrString) && !node.nullable) emit(path, `must be of type ${typeName(node)}; got null`, true);
    return;
  }
  if (!typeMatches(node, v)) {
    emit(path, `must be of type ${typeName(node)}; got ${jsonType(v)} ${short(v)}`, true);
    return;
  }
  checkLocal(node, v, path, emit);
  if (isObject(v)) {
    if (node.properties) {
      for (const [name, child] of node.properties) {
        if (v[name] !== undefined) failures(child, v[name], join(path, name), emit);
      }
    }
    if (node.additional) {
      for (const k of Object.keys(v)) {
        if (!node.properties?.has(k)) failures(node.additional, v[k], `${path}[${k}]`, emit);
      }
    }
  } else if (Array.isArray(v) && node.items) {
    for (let i = 0; i < v.length; i++) failures(node.items, v[i], `${path}[${i}]`, emit);
  }
  checkLogic(node, v, path, emit);
}

function present(v: unknown, name: string): boolean {
  return isObject(v) && Object.prototype.hasOwnProperty.call(v, name) && v[name] !== undefined;
}

/** allOf / anyOf / oneOf / not, with readable messages. */
function checkLogic(node: SchemaNode, v: unknown, path: string, emit: Emit): void {
  if (node.allOf) for (const b of node.allOf) failures(b, v, path, emit);
  if (node.oneOf) {
    if (node.exclusive) {
      if (isObject(v)) {
        const set = node.exclusive.filter(n => present(v, n));
        if (set.length > 1) {
          emit(path, `${list(node.exclusive.map(n => `'${n}'`), 'and')} are mutually exclusive (set at most one of them); got ${list(set.map(n => `'${n}'`))} set`, false);
        }
      }
    } else {
      const reasons = node.oneOf.map(b => firstFailure(b, v, ''));
      const matched = reasons.filter(r => r === undefined).length;
      if (matched === 0) {
        emit(path, `must satisfy exactly one of ${node.oneOf.length} alternatives, but satisfies none: ${reasons.map((r, i) => `(${i + 1}) ${r}`).join('; ')}; got ${short(v)}`, false);
      } else if (matched > 1) {
        emit(path, `must satisfy exactly one of ${node.oneOf.length} alternatives, but satisfies ${matched} (${reasons.map((r, i) => (r === undefined ? String(i + 1) : '')).filter(x => x).join(', ')}); got ${short(v)}`, false);
      }
    }
  }
  if (node.anyOf) {
    const reasons: string[] = [];
    for (const b of node.anyOf) {
      const r = firstFailure(b, v, '');
      if (r === undefined) {
        reasons.length = 0;
        break;
      }
      reasons.push(r);
    }
    if (reasons.length > 0) emit(path, `${reasons.join(', or ')}; got ${short(v)}`, false);
  }
  if (node.not && firstFailure(node.not, v, '') === undefined) {
    emit(path, `${describeNot(node.not)}; got ${short(v)}`, false);
  }
}

function describeNot(n: SchemaNode): string {
  if (n.enumValues) return `must not be ${list(n.enumValues.map(e => (typeof e === 'string' ? e : JSON.stringify(e))), 'or')}`;
  if (n.anyOf && n.anyOf.every(b => b.required && b.required.length === 1 && !b.properties)) {
    return `must not set ${list(n.anyOf.map(b => `'${b.required![0]}'`), 'or')}`;
  }
  if (n.required) return `must not set all of ${list(n.required.map(r => `'${r}'`))}`;
  return 'must not match the schema in "not"';
}

// ---------------------------------------------------------------------------------------------
// CEL values

const CEL_VALUE = Symbol('celValue');

let timestampOf: ((s: string) => CelValue | undefined) | undefined;
let durationOf: ((s: string) => CelValue | undefined) | undefined;

function stdConvert(fn: string): (s: string) => CelValue | undefined {
  const group = getEnv().funcs.find(fn)!;
  return (s: string) => {
    const r = group.call(0, undefined, [s]);
    return isCelError(r) ? undefined : r;
  };
}

/**
 * A manifest map (object) seen from CEL: properties by their escaped names, converted lazily.
 * (One difference from the API server: has() is false for a nullable property set to null,
 * where the API server says true; no rule of the CRDs tests a nullable property with has().)
 */
class SchemaMap implements ReadonlyMap<string, CelValue> {
  private readonly cache = new Map<string, CelValue>();
  constructor(private readonly obj: Record<string, unknown>, private readonly node: SchemaNode | undefined) {}

  private propOf(key: unknown): string | undefined {
    if (typeof key !== 'string') return undefined;
    const node = this.node;
    if (node?.celToProp) {
      const p = node.celToProp.get(key);
      if (p !== undefined) return p;
      if (!node.preserveUnknown && !node.additional) return undefined;
      if (node.properties?.has(key)) return undefined; // escaped away
    }
    return Object.prototype.hasOwnProperty.call(this.obj, key) ? key : undefined;
  }

  private celName(prop: string): string | undefined {
    const node = this.node;
    if (node?.propToCel) {
      const c = node.propToCel.get(prop);
      if (c !== undefined) return c;
      if (node.properties!.has(prop)) return undefined;
    }
    return prop;
  }

  private childNode(prop: string): SchemaNode | undefined {
    const node = this.node;
    if (!node) return undefined;
    return node.properties?.get(prop) ?? node.additional;
  }

  public get(key: string): CelValue | undefined {
    const prop = this.propOf(key);
    if (prop === undefined) return undefined;
    const raw = this.obj[prop];
    if (raw === undefined) return undefined;
    let v = this.cache.get(prop);
    if (v === undefined) {
      v = toCel(raw, this.childNode(prop));
      this.cache.set(prop, v);
    }
    return v;
  }

  public has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  public get size(): number {
    let n = 0;
    for (const _ of this.keys()) n++;
    return n;
  }

  public *keys(): MapIterator<string> {
    for (const prop of Object.keys(this.obj)) {
      if (this.obj[prop] === undefined) continue;
      const c = this.celName(prop);
      if (c !== undefined) yield c;
    }
  }

  public *values(): MapIterator<CelValue> {
    for (const k of this.keys()) yield this.get(k)!;
  }

  public *entries(): MapIterator<[string, CelValue]> {
    for (const k of this.keys()) yield [k, this.get(k)!];
  }

  public [Symbol.iterator](): MapIterator<[string, CelValue]> {
    return this.entries();
  }

  public forEach(cb: (value: CelValue, key: string, map: ReadonlyMap<string, CelValue>) => void, thisArg?: any): void {
    for (const [k, v] of this.entries()) cb.call(thisArg, v, k, this);
  }
}

/** Converts a (pruned, defaulted) manifest value to CEL as the API server does for its schema. */
export function toCel(v: unknown, node: SchemaNode | undefined): CelValue {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'string':
      if (node?.formatName !== undefined && node.type === 'string') {
        switch (node.formatName) {
          case 'byte':
            try {
              return new Uint8Array(Buffer.from(v, 'base64'));
            } catch {
              return v;
            }
          case 'date-time':
          case 'date':
            timestampOf ??= stdConvert('timestamp');
            return timestampOf(node.formatName === 'date' ? `${v}T00:00:00Z` : v) ?? v;
          case 'duration':
            durationOf ??= stdConvert('duration');
            return durationOf(v) ?? v;
          default:
            return v;
        }
      }
      return v;
    case 'number':
      if (node?.type === 'number') return v;
      return Number.isInteger(v) ? BigInt(v) : v;
    case 'boolean':
      return v;
    case 'object': {
      const cached = (v as any)[CEL_VALUE];
      if (cached !== undefined) return cached;
      let out: CelValue;
      if (Array.isArray(v)) {
        const items = node?.items;
        out = celList(v.map(x => toCel(x, items)));
      } else {
        out = celMap(new SchemaMap(v as Record<string, unknown>, node));
      }
      Object.defineProperty(v, CEL_VALUE, { value: out, enumerable: false });
      return out;
    }
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------------------------
// the walk

/** Receives the problems found by a walk. */
export interface WalkSink {
  /** A schema violation (CDK8S-ISTIO-CRD001). */
  schema(path: string, message: string): void;
  /** A CEL rule that evaluated to false, or failed on the data (CDK8S-ISTIO-CRD002). */
  rule(path: string, message: string): void;
  /** A CEL rule that could not be compiled or evaluated (CDK8S-ISTIO-CRD003). */
  unevaluable(path: string, message: string): void;
}

/**
 * Validates one value against a structural schema node. Returns the pruned and defaulted
 * copy of the value (never mutating the input), or undefined where the value is dropped.
 */
export class Walker {
  /** Count of errors that stop CEL evaluation (type, required, enum, too long / too many). */
  private blocking = 0;
  private readonly emit: Emit;

  constructor(private readonly sink: WalkSink) {
    this.emit = (path, message, blocking) => {
      if (blocking) this.blocking++;
      this.sink.schema(path, message);
    };
  }

  public walk(v: unknown, node: SchemaNode, path: string): unknown {
    if (v === null) {
      if (node.nullable) return null;
      this.emit(path, `must be of type ${typeName(node)}; got null`, true);
      return undefined;
    }
    if (!typeMatches(node, v)) {
      this.emit(path, `must be of type ${typeName(node)}; got ${jsonType(v)} ${short(v)}`, true);
      return undefined;
    }
    const before = this.blocking;
    let out: unknown = v;
    if (typeof v === 'object') {
      if (Array.isArray(v)) out = this.walkArray(v, node, path);
      else if (node.properties || node.additional || !node.preserveUnknown) out = this.walkObject(v as Record<string, unknown>, node, path);
      else out = deepClone(v);
    }
    checkLocal(node, out, path, this.emit, v);
    checkLogic(node, out, path, this.emit);
    if (node.rules && this.blocking === before) this.runRules(out, node, path);
    return out;
  }

  private walkArray(v: unknown[], node: SchemaNode, path: string): unknown[] {
    const items = node.items;
    const out: unknown[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      let x = v[i];
      if (!items) {
        out[i] = deepClone(x);
        continue;
      }
      if ((x === null || x === undefined) && !items.nullable && items.hasDefault) x = items.default;
      out[i] = this.walk(x === undefined ? null : x, items, `${path}[${i}]`);
    }
    return out;
  }

  private walkObject(v: Record<string, unknown>, node: SchemaNode, path: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const props = node.properties;
    for (const key in v) {
      if (!Object.prototype.hasOwnProperty.call(v, key)) continue;
      let x = v[key];
      if (x === undefined) continue;
      let child = props === undefined ? undefined : props.get(key);
      let childPath: string;
      if (child !== undefined) {
        childPath = path === '' ? key : `${path}.${key}`;
      } else {
        child = node.additional;
        childPath = child === undefined ? join(path, key) : `${path}[${key}]`;
      }
      if (child === undefined) {
        if (node.preserveUnknown || node.additionalAllowed) {
          out[key] = deepClone(x);
        } else {
          this.unknownField(node, key, childPath, x);
        }
        continue;
      }
      if (x === null && !child.nullable) {
        if (!child.hasDefault) continue; // pruned, as the API server does
        x = child.default;
      }
      const r = this.walk(x, child, childPath);
      if (r !== undefined) out[key] = r;
    }
    if (node.defaulted) {
      for (const [key, child] of node.defaulted) {
        if (v[key] === undefined) {
          const r = this.walk(child.default, child, join(path, key));
          if (r !== undefined) out[key] = r;
        }
      }
    }
    return out;
  }

  private unknownField(node: SchemaNode, key: string, path: string, value: unknown): void {
    const known = node.properties ? [...node.properties.keys()] : [];
    const hint = suggest(key, known);
    const what = known.length === 0
      ? 'no fields are allowed here'
      : hint ? `did you mean '${hint}'? (known fields: ${known.join(', ')})` : `known fields: ${known.join(', ')}`;
    this.sink.schema(path, `unknown field '${key}' (${what}); got ${short(value)}`);
  }

  private runRules(value: unknown, node: SchemaNode, path: string): void {
    let self: CelValue | undefined;
    const rules = node.getRules();
    // rules are pure functions of self: results are cached per node by the value
    // (scalars as themselves, small objects and lists by their JSON text)
    let key: unknown = value;
    if (typeof value === 'object' && value !== null) {
      key = JSON.stringify(value);
      if ((key as string).length > 512) key = undefined;
    }
    const caches = key !== undefined ? (node.ruleResults ??= rules.map(() => new Map())) : undefined;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i];
      if (rule.transition) continue; // oldSelf rules run on update only
      const fieldPath = rule.spec.fieldPath ? joinFieldPath(path, rule.spec.fieldPath) : path;
      if (rule.error !== undefined || !rule.program) {
        this.sink.unevaluable(fieldPath, `the CEL rule could not be compiled (${rule.error}); rule: ${rule.spec.rule}`);
        continue;
      }
      let result: unknown = caches ? caches[i].get(key) : undefined;
      if (result === undefined) {
        self ??= toCel(value, node);
        try {
          result = rule.program(self);
        } catch (e) {
          this.sink.unevaluable(fieldPath, `the CEL rule could not be evaluated (${(e as Error).message}); rule: ${rule.spec.rule}`);
          continue;
        }
        if (caches) {
          if (caches[i].size >= 512) caches[i].clear();
          caches[i].set(key, result);
        }
      }
      if (result === true) continue;
      self ??= toCel(value, node);
      if (isCelError(result)) {
        if (isDataError(result)) {
          this.sink.rule(fieldPath, `${ruleMessage(rule, self)}: evaluating the rule failed on this value (${result.message}); got ${short(value)}; rule: ${ruleText(rule)}`);
        } else {
          this.sink.unevaluable(fieldPath, `the CEL rule could not be evaluated (${result.message}); got ${short(value)}; rule: ${ruleText(rule)}`);
        }
        continue;
      }
      if (result !== false) {
        this.sink.unevaluable(fieldPath, `the CEL rule returned ${short(String(result))} instead of a bool; rule: ${ruleText(rule)}`);
        continue;
      }
      this.sink.rule(fieldPath, `${reasonPrefix(rule)}${ruleMessage(rule, self)}; got ${short(value)}; rule: ${ruleText(rule)}`);
    }
  }
}

function ruleText(rule: CompiledRule): string {
  const t = rule.spec.rule.replace(/\s+/g, ' ').trim();
  return t.length > 200 ? `${t.slice(0, 200)}…` : t;
}

function reasonPrefix(rule: CompiledRule): string {
  switch (rule.spec.reason) {
    case 'FieldValueRequired': return 'Required value: ';
    case 'FieldValueForbidden': return 'Forbidden: ';
    case 'FieldValueDuplicate': return 'Duplicate value: ';
    default: return '';
  }
}

function ruleMessage(rule: CompiledRule, self: CelValue): string {
  if (rule.messageProgram) {
    try {
      const m = rule.messageProgram(self);
      if (typeof m === 'string' && m.trim() !== '' && !m.includes('\n')) return m;
    } catch {
      // fall back to the static message, as the API server does
    }
  }
  if (rule.spec.message && rule.spec.message.trim() !== '') return rule.spec.message.trim();
  return `failed rule: ${ruleText(rule)}`;
}

/** Appends a rule's fieldPath (`.foo.bar`, `.foo['bar']`, `.foo[0]`) to a field path. */
function joinFieldPath(path: string, fieldPath: string): string {
  const rel = fieldPath.startsWith('.') ? fieldPath.slice(1) : fieldPath;
  const normalized = rel.replace(/\['([^']*)'\]/g, '[$1]');
  if (path === '') return normalized;
  return normalized.startsWith('[') ? `${path}${normalized}` : `${path}.${normalized}`;
}
