/**
 * CEL for x-kubernetes-validations: the environment (CEL standard library, the
 * strings extension and the Kubernetes libraries the rules use), rule compilation
 * (once per rule text, cached) and the conversion of (defaulted, pruned) manifest
 * values into CEL values the way the API server does it for structural schemas.
 */
import {
  CelEnv, celEnv, CelFunc, celFunc, celList, celMap, celMethod, CelResult, CelScalar, CelValue,
  isCelError, isCelList, isCelUint, listType, mapType, parse, plan,
} from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import {
  formatAddr, GoUrl, IpAddr, IpPrefix, is4In6, maskAddr, netipParseAddr, netipParsePrefix, parseRequestURI,
  prefixContains, urlEscapedPath, urlHostname, urlPort, urlQuery,
} from './net';
import { compileRe2 } from './regex';

const { BOOL, DYN, INT, STRING, DOUBLE } = CelScalar;
const LIST = listType(DYN);
const MAP = mapType(DYN, DYN);

/** An error of a Kubernetes CEL library function: the API server rejects the object with it too. */
export class K8sCelError extends Error {}

// ---------------------------------------------------------------------------------------------
// opaque Kubernetes types (URL, IP, CIDR): CEL maps with one entry (their string form, so that
// equality works), registered here with their parsed value.

type Opaque = { readonly kind: 'URL'; readonly url: GoUrl; readonly text: string }
| { readonly kind: 'IP'; readonly ip: IpAddr }
| { readonly kind: 'CIDR'; readonly prefix: IpPrefix };

const opaques = new WeakMap<object, Opaque>();

function opaque(value: Opaque, text: string): CelValue {
  const m = celMap(new Map([[`@${value.kind}`, text]]));
  opaques.set(m, value);
  return m;
}

function opaqueOf(v: unknown, kind: 'URL'): Extract<Opaque, { kind: 'URL' }>;
function opaqueOf(v: unknown, kind: 'IP'): Extract<Opaque, { kind: 'IP' }>;
function opaqueOf(v: unknown, kind: 'CIDR'): Extract<Opaque, { kind: 'CIDR' }>;
function opaqueOf(v: unknown, kind: string): Opaque {
  const o = typeof v === 'object' && v !== null ? opaques.get(v) : undefined;
  if (!o || o.kind !== kind) throw new Error(`no such overload: expected a ${kind}`);
  return o;
}

function isOpaque(v: unknown, kind: string): boolean {
  const o = typeof v === 'object' && v !== null ? opaques.get(v) : undefined;
  return o !== undefined && o.kind === kind;
}

function parseK8sUrl(s: string): GoUrl {
  try {
    return parseRequestURI(s);
  } catch (e) {
    throw new K8sCelError(`URL parse error during conversion from string: ${(e as Error).message}`);
  }
}

function parseK8sIp(s: string): IpAddr {
  const a = netipParseAddr(s);
  if (!a) throw new K8sCelError(`IP Address ${JSON.stringify(s)} parse error during conversion from string`);
  if (a.zone !== undefined) throw new K8sCelError(`IP address ${JSON.stringify(s)} with zone value is not allowed`);
  if (is4In6(a)) throw new K8sCelError(`IPv4-mapped IPv6 address ${JSON.stringify(s)} is not allowed`);
  return a;
}

function parseK8sCidr(s: string): IpPrefix {
  const p = netipParsePrefix(s);
  if (!p) throw new K8sCelError(`network address parse error during conversion from string: ${JSON.stringify(s)}`);
  if (is4In6(p.addr)) throw new K8sCelError(`IPv4-mapped IPv6 address ${JSON.stringify(s)} is not allowed`);
  return p;
}

function ipValue(a: IpAddr): CelValue {
  return opaque({ kind: 'IP', ip: a }, formatAddr(a));
}

function cidrValue(p: IpPrefix): CelValue {
  return opaque({ kind: 'CIDR', prefix: p }, `${formatAddr(p.addr)}/${p.bits}`);
}

function isLoopback(a: IpAddr): boolean {
  const b = a.bytes;
  return b.length === 4 ? b[0] === 127 : b.slice(0, 15).every(x => x === 0) && b[15] === 1;
}
function isUnspecified(a: IpAddr): boolean {
  return a.bytes.every(x => x === 0);
}
/* eslint-disable no-bitwise */ // IP address arithmetic
function isLinkLocalMulticast(a: IpAddr): boolean {
  const b = a.bytes;
  return b.length === 4 ? b[0] === 224 && b[1] === 0 && b[2] === 0 : b[0] === 0xff && (b[1] & 0x0f) === 0x02;
}
function isLinkLocalUnicast(a: IpAddr): boolean {
  const b = a.bytes;
  return b.length === 4 ? b[0] === 169 && b[1] === 254 : b[0] === 0xfe && (b[1] & 0xc0) === 0x80;
}
function isMulticast(a: IpAddr): boolean {
  return a.bytes.length === 4 ? (a.bytes[0] & 0xf0) === 0xe0 : a.bytes[0] === 0xff;
}
/* eslint-enable no-bitwise */
function isGlobalUnicast(a: IpAddr): boolean {
  if (a.bytes.length === 4 && a.bytes.every(x => x === 255)) return false;
  return !isUnspecified(a) && !isLoopback(a) && !isMulticast(a) && !isLinkLocalUnicast(a);
}

/** Go strconv.ParseInt(s, 10, 64), as CEL-Go's int(string). */
function goParseInt(s: string): bigint {
  if (!/^[+-]?[0-9]+$/.test(s)) throw new K8sCelError(`cannot convert string ${JSON.stringify(s)} to int`);
  const v = BigInt(s);
  if (v > 9223372036854775807n || v < -9223372036854775808n) throw new K8sCelError('int overflow during type conversion');
  return v;
}

/** CEL ordering of two values of the same comparable type, for the lists library. */
function compare(a: CelValue, b: CelValue): number {
  const ua = isCelUint(a) ? a.value : a;
  const ub = isCelUint(b) ? b.value : b;
  if ((typeof ua === 'bigint' || typeof ua === 'number') && (typeof ub === 'bigint' || typeof ub === 'number')) {
    return ua < ub ? -1 : ua > ub ? 1 : 0;
  }
  if (typeof ua === 'string' && typeof ub === 'string') return ua < ub ? -1 : ua > ub ? 1 : 0;
  if (typeof ua === 'boolean' && typeof ub === 'boolean') return Number(ua) - Number(ub);
  throw new Error(`no such overload: cannot compare ${typeof ua} and ${typeof ub}`);
}

function listValues(l: unknown): CelValue[] {
  if (!isCelList(l)) throw new Error('no such overload: expected a list');
  return [...l];
}

/** The Kubernetes CEL libraries (URLs, IPs, CIDRs, lists, regex) and Go-exact overrides. */
function kubernetesFunctions(): CelFunc[] {
  return [
    // --- k8s URLs library
    celFunc('isURL', [STRING], BOOL, (s: string) => {
      try {
        parseRequestURI(s);
        return true;
      } catch {
        return false;
      }
    }),
    celFunc('url', [STRING], MAP, (s: string) => opaque({ kind: 'URL', url: parseK8sUrl(s), text: s }, s) as any),
    celMethod('getScheme', MAP, [], STRING, function () { return opaqueOf(this, 'URL').url.scheme; }),
    celMethod('getHost', MAP, [], STRING, function () { return opaqueOf(this, 'URL').url.host; }),
    celMethod('getHostname', MAP, [], STRING, function () { return urlHostname(opaqueOf(this, 'URL').url); }),
    celMethod('getPort', MAP, [], STRING, function () { return urlPort(opaqueOf(this, 'URL').url); }),
    celMethod('getEscapedPath', MAP, [], STRING, function () { return urlEscapedPath(opaqueOf(this, 'URL').url); }),
    celMethod('getQuery', MAP, [], mapType(STRING, listType(STRING)), function () {
      return celMap(new Map([...urlQuery(opaqueOf(this, 'URL').url)].map(([k, v]) => [k, celList(v)]))) as any;
    }),
    // --- k8s IP library
    celFunc('isIP', [STRING], BOOL, (s: string) => {
      try {
        parseK8sIp(s);
        return true;
      } catch {
        return false;
      }
    }),
    celFunc('ip', [STRING], MAP, (s: string) => ipValue(parseK8sIp(s)) as any),
    celFunc('ip.isCanonical', [STRING], BOOL, (s: string) => formatAddr(parseK8sIp(s)) === s),
    celMethod('family', MAP, [], INT, function () { return BigInt(opaqueOf(this, 'IP').ip.bytes.length === 4 ? 4 : 6); }),
    celMethod('isUnspecified', MAP, [], BOOL, function () { return isUnspecified(opaqueOf(this, 'IP').ip); }),
    celMethod('isLoopback', MAP, [], BOOL, function () { return isLoopback(opaqueOf(this, 'IP').ip); }),
    celMethod('isLinkLocalMulticast', MAP, [], BOOL, function () { return isLinkLocalMulticast(opaqueOf(this, 'IP').ip); }),
    celMethod('isLinkLocalUnicast', MAP, [], BOOL, function () { return isLinkLocalUnicast(opaqueOf(this, 'IP').ip); }),
    celMethod('isGlobalUnicast', MAP, [], BOOL, function () { return isGlobalUnicast(opaqueOf(this, 'IP').ip); }),
    // --- k8s CIDR library
    celFunc('isCIDR', [STRING], BOOL, (s: string) => {
      try {
        parseK8sCidr(s);
        return true;
      } catch {
        return false;
      }
    }),
    celFunc('cidr', [STRING], MAP, (s: string) => cidrValue(parseK8sCidr(s)) as any),
    celMethod('containsIP', MAP, [STRING], BOOL, function (s: string) {
      return prefixContains(opaqueOf(this, 'CIDR').prefix, parseK8sIp(s));
    }),
    celMethod('containsIP', MAP, [MAP], BOOL, function (ip: any) {
      return prefixContains(opaqueOf(this, 'CIDR').prefix, opaqueOf(ip, 'IP').ip);
    }),
    celMethod('containsCIDR', MAP, [STRING], BOOL, function (s: string) {
      const outer = opaqueOf(this, 'CIDR').prefix;
      const inner = parseK8sCidr(s);
      return inner.bits >= outer.bits && prefixContains(outer, inner.addr);
    }),
    celMethod('containsCIDR', MAP, [MAP], BOOL, function (c: any) {
      const outer = opaqueOf(this, 'CIDR').prefix;
      const inner = opaqueOf(c, 'CIDR').prefix;
      return inner.bits >= outer.bits && prefixContains(outer, inner.addr);
    }),
    celMethod('ip', MAP, [], MAP, function () { return ipValue(opaqueOf(this, 'CIDR').prefix.addr) as any; }),
    celMethod('masked', MAP, [], MAP, function () {
      const p = opaqueOf(this, 'CIDR').prefix;
      return cidrValue({ addr: maskAddr(p), bits: p.bits }) as any;
    }),
    celMethod('prefixLength', MAP, [], INT, function () { return BigInt(opaqueOf(this, 'CIDR').prefix.bits); }),
    celFunc('string', [MAP], STRING, (m: any) => {
      if (isOpaque(m, 'IP')) return formatAddr(opaqueOf(m, 'IP').ip);
      if (isOpaque(m, 'CIDR')) {
        const p = opaqueOf(m, 'CIDR').prefix;
        return `${formatAddr(p.addr)}/${p.bits}`;
      }
      if (isOpaque(m, 'URL')) return opaqueOf(m, 'URL').text;
      throw new Error('no such overload: string(map)');
    }),
    // --- k8s lists library
    celMethod('isSorted', LIST, [], BOOL, function () {
      const v = listValues(this);
      for (let i = 1; i < v.length; i++) if (compare(v[i - 1], v[i]) > 0) return false;
      return true;
    }),
    celMethod('sum', LIST, [], DYN, function () {
      const v = listValues(this);
      if (v.length === 0) return 0n;
      let acc: any = v[0];
      for (let i = 1; i < v.length; i++) {
        const x: any = v[i];
        if (typeof acc === 'bigint' && typeof x === 'bigint') acc += x;
        else if (typeof acc === 'number' && typeof x === 'number') acc += x;
        else throw new Error('no such overload: sum() of mixed or non-numeric list');
      }
      return acc;
    }),
    celMethod('min', LIST, [], DYN, function () {
      const v = listValues(this);
      if (v.length === 0) throw new K8sCelError('min called on empty list');
      return v.reduce((a, b) => (compare(b, a) < 0 ? b : a)) as any;
    }),
    celMethod('max', LIST, [], DYN, function () {
      const v = listValues(this);
      if (v.length === 0) throw new K8sCelError('max called on empty list');
      return v.reduce((a, b) => (compare(b, a) > 0 ? b : a)) as any;
    }),
    celMethod('indexOf', LIST, [DYN], INT, function (x: any) {
      const v = listValues(this);
      for (let i = 0; i < v.length; i++) if (celEquals(v[i], x)) return BigInt(i);
      return -1n;
    }),
    celMethod('lastIndexOf', LIST, [DYN], INT, function (x: any) {
      const v = listValues(this);
      for (let i = v.length - 1; i >= 0; i--) if (celEquals(v[i], x)) return BigInt(i);
      return -1n;
    }),
    // --- k8s regex library
    celMethod('find', STRING, [STRING], STRING, function (re: string) {
      const m = compileRe2(re).exec(this);
      return m ? m[0] : '';
    }),
    celMethod('findAll', STRING, [STRING], listType(STRING), function (re: string) {
      return celList(findAll(this, re, -1)) as any;
    }),
    celMethod('findAll', STRING, [STRING, INT], listType(STRING), function (re: string, n: bigint) {
      return celList(findAll(this, re, Number(n))) as any;
    }),
    // --- Go-exact overrides of the standard library
    celFunc('int', [STRING], INT, goParseInt),
    celFunc('double', [STRING], DOUBLE, (s: string) => {
      if (!/^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|[Ii]nf(inity)?|NaN)$/.test(s)) {
        throw new K8sCelError(`cannot convert string ${JSON.stringify(s)} to double`);
      }
      return Number(s.replace(/^([+-]?)[Ii]nf(inity)?$/, '$1Infinity'));
    }),
    celMethod('matches', STRING, [STRING], BOOL, function (re: string) {
      return compileRe2(re).test(this);
    }),
    celFunc('matches', [STRING, STRING], BOOL, (s: string, re: string) => compileRe2(re).test(s)),
  ];
}

function findAll(s: string, re: string, n: number): string[] {
  const m = compileRe2(re);
  const out: string[] = [];
  let rest = s;
  while (n < 0 || out.length < n) {
    const r = m.exec(rest);
    if (!r) break;
    out.push(r[0]);
    const next = r.index + Math.max(r[0].length, 1);
    if (next > rest.length) break;
    rest = rest.slice(next);
  }
  return out;
}

let env: CelEnv | undefined;
let baseEquals: ((a: CelValue, b: CelValue) => boolean) | undefined;

function celEquals(a: CelValue, b: CelValue): boolean {
  if (!baseEquals) {
    const group = getEnv().funcs.find('_==_');
    baseEquals = (x, y) => group!.call(0, undefined, [x, y]) === true;
  }
  return baseEquals(a, b);
}

/** The CEL environment of the validator (built once). */
export function getEnv(): CelEnv {
  if (!env) env = celEnv({ funcs: [...strings, ...kubernetesFunctions()] });
  return env;
}

/** Calls that the planner evaluates itself rather than through the function resolver. */
const PLANNER_CALLS = new Set(['_[_]', '_[?_]', '_?._', '_?_:_', '_&&_', '_||_', '@not_strictly_false', '__not_strictly_false__']);

/** The functions of the environment, by name: what a rule may call. */
export function knownFunction(name: string): boolean {
  return PLANNER_CALLS.has(name) || getEnv().funcs.find(name) !== undefined;
}

/** The identifiers CEL resolves to types (`type(self) == int`). */
const TYPE_NAMES = new Set(['int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type',
  'google.protobuf.Duration', 'google.protobuf.Timestamp']);

/** What a parsed expression references. */
export interface ExprReferences {
  /** Free variables (other than comprehension variables). */
  readonly variables: Set<string>;
  /** Function and method names called (qualified names resolved). */
  readonly functions: Set<string>;
}

function qualifiedName(e: any): string | undefined {
  const k = e.exprKind;
  if (k.case === 'identExpr') return k.value.name;
  if (k.case === 'selectExpr' && !k.value.testOnly) {
    const parent = qualifiedName(k.value.operand);
    return parent === undefined ? undefined : `${parent}.${k.value.field}`;
  }
  return undefined;
}

/** Walks a parsed CEL expression for its free variables and the functions it calls. */
export function references(expr: any): ExprReferences {
  const variables = new Set<string>();
  const functions = new Set<string>();
  const walk = (e: any, bound: ReadonlySet<string>): void => {
    if (!e || !e.exprKind) return;
    const k = e.exprKind;
    switch (k.case) {
      case 'identExpr':
        if (!bound.has(k.value.name)) variables.add(k.value.name);
        return;
      case 'constExpr':
        return;
      case 'selectExpr': {
        const q = qualifiedName(e);
        if (q !== undefined && TYPE_NAMES.has(q)) {
          variables.add(q);
          return;
        }
        walk(k.value.operand, bound);
        return;
      }
      case 'callExpr': {
        const c = k.value;
        if (c.target) {
          const q = qualifiedName(c.target);
          if (q !== undefined && !bound.has(q.split('.')[0]) && getEnv().funcs.find(`${q}.${c.function}`) !== undefined) {
            functions.add(`${q}.${c.function}`);
            for (const a of c.args) walk(a, bound);
            return;
          }
          walk(c.target, bound);
        }
        functions.add(c.function);
        for (const a of c.args) walk(a, bound);
        return;
      }
      case 'listExpr':
        for (const el of k.value.elements) walk(el, bound);
        return;
      case 'structExpr':
        for (const en of k.value.entries) {
          if (en.keyKind?.case === 'mapKey') walk(en.keyKind.value, bound);
          walk(en.value, bound);
        }
        return;
      case 'comprehensionExpr': {
        const c = k.value;
        walk(c.iterRange, bound);
        walk(c.accuInit, bound);
        const inner = new Set(bound);
        inner.add(c.accuVar);
        inner.add(c.iterVar);
        if (c.iterVar2) inner.add(c.iterVar2);
        walk(c.loopCondition, inner);
        walk(c.loopStep, inner);
        const res = new Set(bound);
        res.add(c.accuVar);
        walk(c.result, res);
        return;
      }
      default:
        throw new Error(`unsupported CEL expression kind ${k.case}`);
    }
  };
  walk(expr, new Set());
  return { variables, functions };
}

/** An x-kubernetes-validations rule as the CRD states it. */
export interface RuleSpec {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly reason?: string;
  readonly fieldPath?: string;
  readonly optionalOldSelf?: boolean;
}

/** A compiled CEL program over `self`. */
export type SelfProgram = (self: CelValue) => CelResult;

/** A compiled rule. */
export interface CompiledRule {
  readonly spec: RuleSpec;
  /** The rule references oldSelf: it only runs on update. */
  readonly transition: boolean;
  /** Why the rule could not be compiled. */
  readonly error?: string;
  readonly program?: SelfProgram;
  readonly messageProgram?: SelfProgram;
  /** Why the messageExpression could not be compiled. */
  readonly messageError?: string;
}

function compileExpression(text: string): { program?: SelfProgram; error?: string; transition: boolean } {
  let parsed;
  try {
    parsed = parse(text);
  } catch (e) {
    return { error: `syntax error: ${(e as Error).message.split('\n')[0]}`, transition: false };
  }
  let refs: ExprReferences;
  try {
    refs = references(parsed.expr);
  } catch (e) {
    return { error: (e as Error).message, transition: false };
  }
  const transition = refs.variables.has('oldSelf');
  for (const v of refs.variables) {
    if (v !== 'self' && v !== 'oldSelf' && !TYPE_NAMES.has(v)) return { error: `undeclared reference to '${v}'`, transition };
  }
  for (const f of refs.functions) {
    if (!knownFunction(f)) return { error: `undeclared reference to function '${f}' (not implemented by this validator)`, transition };
  }
  try {
    const evaluate = plan(getEnv(), parsed);
    return { program: (self: CelValue) => evaluate({ self }), transition };
  } catch (e) {
    return { error: (e as Error).message, transition };
  }
}

const ruleCache = new Map<string, CompiledRule>();

/** Compiles a rule (once per distinct rule, message and messageExpression; cached). */
export function compileRule(spec: RuleSpec): CompiledRule {
  const key = `${spec.rule}\u0000${spec.messageExpression ?? ''}`;
  const cached = ruleCache.get(key);
  if (cached && cached.spec.message === spec.message && cached.spec.reason === spec.reason && cached.spec.fieldPath === spec.fieldPath) {
    return cached;
  }
  const r = compileExpression(spec.rule);
  let messageProgram: SelfProgram | undefined;
  let messageError: string | undefined;
  if (spec.messageExpression !== undefined) {
    const m = compileExpression(spec.messageExpression);
    messageProgram = m.program;
    messageError = m.error;
  }
  const compiled: CompiledRule = { spec, transition: r.transition, error: r.error, program: r.program, messageProgram, messageError };
  ruleCache.set(key, compiled);
  return compiled;
}

/** Error messages of values the API server rejects too (rather than gaps of this validator). */
const DATA_ERRORS = /^(field not found|no such key|index -?\d+ out of bounds|Failed to parse duration|Failed to parse timestamp|duration out of range|timestamp out of range|int overflow|invalid argument to function|division by zero|modulus by zero|divide by zero|Cannot convert)/i;

/** True if an evaluation error is one the API server reports as well (a genuine rejection). */
export function isDataError(err: { message: string; cause?: unknown }): boolean {
  let cause: unknown = err;
  for (let i = 0; i < 5 && cause; i++) {
    if (cause instanceof K8sCelError) return true;
    cause = (cause as any).cause;
  }
  return DATA_ERRORS.test(err.message);
}

export { isCelError };

// ---------------------------------------------------------------------------------------------
// names: Kubernetes' escaping of property names in CEL

const RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if',
  'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);

/** Kubernetes' CEL escaping of a property name; undefined if the property is not accessible from CEL. */
export function escapePropertyName(name: string): string | undefined {
  if (name.length === 0 || (name[0] >= '0' && name[0] <= '9')) return undefined;
  if (RESERVED.has(name)) return `__${name}__`;
  let ok = true;
  const out = name.replace(/__|[-./]|[^a-zA-Z0-9\-./_]/g, s => {
    switch (s) {
      case '__': return '__underscores__';
      case '.': return '__dot__';
      case '-': return '__dash__';
      case '/': return '__slash__';
      default:
        ok = false;
        return '';
    }
  });
  return ok ? out : undefined;
}
