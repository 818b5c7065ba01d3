import { Finding, FindingLayer } from '../findings';
import { WebhookRule } from './rules';

/**
 * Collects the findings of one object. Every report names a rule of the catalog,
 * so the level always comes from the catalog.
 */
export class Ctx {
  public readonly findings: Finding[] = [];

  constructor(
    public readonly kind: string,
    public readonly name: string,
    public readonly namespace: string | undefined,
    public readonly apiVersion: string | undefined,
  ) {}

  public report(rule: WebhookRule, field: string, message: string): void {
    this.findings.push({
      code: rule.code,
      level: rule.level,
      message,
      layer: FindingLayer.WEBHOOK,
      ...(this.apiVersion !== undefined ? { apiVersion: this.apiVersion } : {}),
      kind: this.kind,
      name: this.name,
      ...(this.namespace !== undefined ? { namespace: this.namespace } : {}),
      field,
    });
  }
}

// ---- tolerant readers: a wrong type reads as "not set" (the CRD layer reports types) ----

export type Obj = Record<string, any>;

export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The value as an object, or undefined. */
export function obj(v: unknown): Obj | undefined {
  return isObj(v) ? v : undefined;
}

/** The value as an array, or [] (proto3: an absent or empty list is the same). */
export function list(v: unknown): any[] {
  return Array.isArray(v) ? v : [];
}

/** The value as a string, or '' (proto3: an absent string is empty). */
export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** The entries of a map-typed field, or []. */
export function entries(v: unknown): [string, any][] {
  return isObj(v) ? Object.entries(v) : [];
}

/**
 * The value as an integer: numbers and (for int64/uint64 fields, which proto JSON
 * writes as strings) numeric strings; undefined otherwise.
 */
export function int(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && INT.test(v)) return Number(v);
  return undefined;
}
const INT = /^-?\d+$/;

/** A number field (int or float), or undefined. */
export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** True if a message-typed field is set (present and not null). */
export function has(o: Obj | undefined, k: string): boolean {
  return o !== undefined && o[k] !== undefined && o[k] !== null;
}

// ---- field paths and value rendering ----

const SIMPLE_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `base.key`, or `base["key"]` when the key is not a plain identifier. */
export function key(base: string, k: string): string {
  return SIMPLE_KEY.test(k) ? `${base}.${k}` : `${base}[${JSON.stringify(k)}]`;
}

/** A value as it should appear in a message. */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 120 ? `${v.slice(0, 117)}...` : v);
  if (v === undefined) return 'nothing';
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

/** `[a, b]` for messages. */
export function showList(vs: readonly unknown[]): string {
  return `[${vs.map(v => (typeof v === 'string' ? v : show(v))).join(', ')}]`;
}
