import { Ctx, Obj, entries, has, int, isObj, key, list, num, obj, show, str } from '../context';
import { RULES } from '../rules';
import { NS_PER_MS, parseGoDuration } from '../syntax/duration';
import { checkFqdn, checkIpOrCidr, checkLabelKey, checkWildcardDomain, isDnsLabel, isIpAddress, isLabelValue } from '../syntax/names';
import { checkRe2 } from '../syntax/re2';

/** Checks shared by several kinds. */

export function checkPortNumber(ctx: Ctx, field: string, n: number, what = 'port'): void {
  if (!(n >= 1 && n <= 65535)) {
    ctx.report(RULES.portOutOfRange, field, `${what} ${n} is out of range; port numbers are 1..65535`);
  }
}

/** A port number field, when set to a number. */
export function checkPortField(ctx: Ctx, field: string, v: unknown, what = 'port'): void {
  const n = int(v);
  if (n !== undefined) checkPortNumber(ctx, field, n, what);
}

/** A duration field, when set to a string: Go syntax, at least 1ms, whole milliseconds. */
export function checkDuration(ctx: Ctx, field: string, v: unknown): bigint | undefined {
  if (typeof v !== 'string') return undefined;
  const ns = parseGoDuration(v);
  if (ns === undefined) {
    ctx.report(RULES.durationInvalid, field, `${show(v)} is not a duration; write it like "250ms", "1.5s" or "1m30s"`);
    return undefined;
  }
  if (ns < NS_PER_MS) {
    ctx.report(RULES.durationInvalid, field, `duration ${show(v)} is shorter than 1ms; durations must be at least 1ms (leave the field out for the default)`);
  } else if (ns % NS_PER_MS !== 0n) {
    ctx.report(RULES.durationInvalid, field, `duration ${show(v)} is not a whole number of milliseconds; only millisecond precision is supported`);
  }
  return ns;
}

/** A `Percent` message ({value: double}): 0, or 0.0001..100. */
export function checkFractionPercent(ctx: Ctx, field: string, p: unknown): void {
  const pv = obj(p);
  if (!pv) return;
  const v = num(pv.value) ?? 0;
  if (v < 0 || v > 100 || (v > 0 && v < 0.0001)) {
    ctx.report(RULES.percentageOutOfRange, `${field}.value`, `percentage ${v} is out of range; it is 0 or between 0.0001 and 100`);
  }
}

/** An integer percentage 0..100. */
export function checkIntPercent(ctx: Ctx, field: string, v: unknown): void {
  const n = int(v);
  if (n !== undefined && (n < 0 || n > 100)) {
    ctx.report(RULES.percentageOutOfRange, field, `percentage ${n} is out of range 0..100`);
  }
}

/** A non-empty regex: RE2 syntax, at most 1024 characters. */
export function checkRegex(ctx: Ctx, field: string, re: string): void {
  if (re.length > 1024) {
    ctx.report(RULES.regexInvalid, field, `regex of ${re.length} characters is too long; Envoy allows at most 1024`);
    return;
  }
  const err = checkRe2(re);
  if (err !== undefined) {
    ctx.report(RULES.regexInvalid, field, `regex ${show(re)} is not valid RE2: ${err}; Istio uses RE2 syntax (https://github.com/google/re2/wiki/Syntax)`);
  }
}

/**
 * A StringMatch ({exact|prefix|regex}): regexes must be valid and non-empty;
 * a prefix must be non-empty unless allowEmptyPrefix (uri matches).
 */
export function checkStringMatch(ctx: Ctx, field: string, sm: unknown, allowEmptyPrefix: boolean): void {
  if (!isObj(sm)) return;
  if (typeof sm.regex === 'string') {
    if (sm.regex === '') {
      ctx.report(RULES.stringMatchEmpty, `${field}.regex`, 'regex string match is empty; give a pattern or use prefix/exact');
    } else {
      checkRegex(ctx, `${field}.regex`, sm.regex);
    }
  }
  if (!allowEmptyPrefix && sm.prefix === '') {
    ctx.report(RULES.stringMatchEmpty, `${field}.prefix`, 'prefix string match is empty; give a prefix or drop the match');
  }
}

/** A map of Kubernetes labels. */
export function checkLabels(ctx: Ctx, field: string, labels: unknown): void {
  for (const [k, v] of entries(labels)) {
    const keyErr = checkLabelKey(k);
    if (keyErr) ctx.report(RULES.labelsInvalid, key(field, k), `${keyErr}; keys are [prefix/]name with alphanumerics, '-', '_', '.'`);
    if (typeof v === 'string' && !isLabelValue(v)) {
      ctx.report(RULES.labelsInvalid, key(field, k), `invalid label value ${show(v)}; values are empty or alphanumerics with '-', '_', '.' inside`);
    }
  }
}

/** A workload selector: no empty keys, no wildcards; warn when it has no labels. */
export function checkWorkloadSelector(ctx: Ctx, field: string, sel: unknown, labelsKey: string): void {
  if (!isObj(sel)) return;
  const labels = entries(sel[labelsKey]);
  for (const [k, v] of labels) {
    if (k === '') {
      ctx.report(RULES.selectorLabelInvalid, `${field}.${labelsKey}`, `empty label key is not supported in a selector (value ${show(v)})`);
    }
    if (k.includes('*') || (typeof v === 'string' && v.includes('*'))) {
      ctx.report(RULES.selectorLabelInvalid, key(`${field}.${labelsKey}`, k), `wildcard is not supported in a selector: ${show(`${k}=${str(v)}`)}; list the exact labels`);
    }
  }
  if (labels.length === 0) {
    ctx.report(RULES.selectorWithoutLabels, field, `${field.split('.').pop()} has no ${labelsKey}: it selects every workload in the namespace; add labels or drop it`);
  }
}

const TARGET_KINDS = [
  { group: 'core', kind: 'Service' },
  { group: 'networking.istio.io', kind: 'ServiceEntry' },
  { group: 'gateway.networking.k8s.io', kind: 'Gateway' },
  { group: 'gateway.networking.k8s.io', kind: 'GatewayClass' },
];

function checkTargetRef(ctx: Ctx, field: string, ref: unknown): void {
  if (!isObj(ref)) return;
  if (str(ref.name) === '') ctx.report(RULES.targetRefInvalid, `${field}.name`, 'targetRef name must be set');
  if (str(ref.namespace) !== '') {
    ctx.report(RULES.targetRefInvalid, `${field}.namespace`, `targetRef namespace ${show(ref.namespace)} must not be set; cross-namespace references are not supported`);
  }
  const group = str(ref.group) || 'core';
  const kind = str(ref.kind);
  if (!TARGET_KINDS.some(t => t.group === group && t.kind === kind)) {
    ctx.report(RULES.targetRefInvalid, field, `targetRef to ${show(`${str(ref.group)}/${kind}`)} is not supported; allowed: Service (group ""), ServiceEntry (networking.istio.io), Gateway or GatewayClass (gateway.networking.k8s.io)`);
  }
}

/** selector / targetRef / targetRefs of a policy kind. */
export function checkPolicyScope(ctx: Ctx, spec: Obj, selectorKey: string, labelsKey: string): void {
  const refs = list(spec.targetRefs);
  const set = (has(spec, selectorKey) ? 1 : 0) + (has(spec, 'targetRef') ? 1 : 0) + (refs.length > 0 ? 1 : 0);
  if (set > 1) {
    const given = [has(spec, selectorKey) ? selectorKey : '', has(spec, 'targetRef') ? 'targetRef' : '', refs.length ? 'targetRefs' : ''].filter(x => x);
    ctx.report(RULES.selectorOneOf, 'spec', `${given.join(' and ')} are set; only one of ${selectorKey}, targetRef or targetRefs may be`);
  }
  checkWorkloadSelector(ctx, `spec.${selectorKey}`, spec[selectorKey], labelsKey);
  checkTargetRef(ctx, 'spec.targetRef', spec.targetRef);
  refs.forEach((ref, i) => checkTargetRef(ctx, `spec.targetRefs[${i}]`, ref));
}

/** exportTo visibility entries. */
export function checkExportTo(ctx: Ctx, exportTo: unknown, opts: { serviceEntry?: boolean; drWithSelector?: boolean } = {}): void {
  const values = list(exportTo);
  if (values.length === 0) return;
  const ns = ctx.namespace;
  const current = ns ?? '.';
  const seen = new Set<string>();
  values.forEach((e, i) => {
    if (typeof e !== 'string') return;
    const field = `spec.exportTo[${i}]`;
    const k = e === '.' ? current : e;
    if (seen.has(k)) {
      ctx.report(RULES.exportToInvalid, field, k !== e ? `duplicate exportTo entry: "." and the current namespace ${show(ns)}` : `duplicate exportTo entry ${show(e)}`);
      return;
    }
    if (k === '.' || k === '*' || (k === '~' && opts.serviceEntry)) {
      seen.add(k);
    } else if (k === '~') {
      ctx.report(RULES.exportToInvalid, field, 'exportTo "~" (no one) is only allowed for ServiceEntry');
    } else if (!isDnsLabel(k)) {
      ctx.report(RULES.exportToInvalid, field, `exportTo entry ${show(e)} is invalid; use ".", "*" or a namespace name`);
    } else {
      seen.add(k);
    }
  });
  if (opts.drWithSelector && seen.size > 0) {
    if (seen.has(current)) {
      if (seen.size > 1) ctx.report(RULES.exportToInvalid, 'spec.exportTo', `a DestinationRule with a workloadSelector can only be exported to its own namespace, got ${show(values)}`);
    } else if (ns !== undefined) {
      ctx.report(RULES.exportToInvalid, 'spec.exportTo', `a DestinationRule with a workloadSelector cannot be exported beyond its namespace ${show(ns)}, got ${show(values)}`);
    }
  }
  if (seen.has('*') && values.length > 1) {
    ctx.report(RULES.exportToInvalid, 'spec.exportTo', `"*" cannot be combined with other exportTo entries, got ${show(values)}`);
  }
  if (seen.has('~') && values.length > 1) {
    ctx.report(RULES.exportToInvalid, 'spec.exportTo', `"~" (no one) cannot be combined with other exportTo entries, got ${show(values)}`);
  }
}

const BOOL_STRINGS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False']);

/** The `istio.io/dry-run` annotation: AuthorizationPolicy with ALLOW/DENY only, boolean value. */
export function checkDryRun(ctx: Ctx, metadata: unknown, authzAction: string | undefined): void {
  const annotations = obj(obj(metadata)?.annotations);
  if (!annotations || !('istio.io/dry-run' in annotations)) return;
  const field = 'metadata.annotations["istio.io/dry-run"]';
  const value = annotations['istio.io/dry-run'];
  if (authzAction === undefined) {
    ctx.report(RULES.dryRunAnnotation, field, `the istio.io/dry-run annotation is only supported on AuthorizationPolicy, not ${ctx.kind}; remove it`);
  } else if (authzAction !== 'ALLOW' && authzAction !== 'DENY') {
    ctx.report(RULES.dryRunAnnotation, field, `the istio.io/dry-run annotation only supports action ALLOW or DENY, found ${authzAction}`);
  } else if (typeof value !== 'string' || !BOOL_STRINGS.has(value)) {
    ctx.report(RULES.dryRunAnnotation, field, `istio.io/dry-run value ${show(value)} is not a boolean; use "true" or "false"`);
  }
}

/** A host name: `wildcard` allows a wildcard first label; `fqdn` does not. Returns true when valid. */
export function checkHost(ctx: Ctx, field: string, host: string, mode: 'wildcard' | 'fqdn', what = 'host'): boolean {
  const err = mode === 'fqdn' ? checkFqdn(host) : checkWildcardDomain(host);
  if (err) {
    ctx.report(RULES.hostnameInvalid, field, `${what} ${show(host)} is not a valid ${mode === 'fqdn' ? 'fully qualified domain name' : 'DNS name'}: ${err}`);
    return false;
  }
  return true;
}

/** An IP address or CIDR block. */
export function checkIpField(ctx: Ctx, field: string, v: unknown, what = 'address'): void {
  if (typeof v !== 'string') return;
  const err = checkIpOrCidr(v);
  if (err) ctx.report(RULES.ipInvalid, field, `${what} ${show(v)} ${err}`);
}

/** A listener bind address: one IP, no CIDR. */
export function checkBindAddress(ctx: Ctx, field: string, bind: string): void {
  if (!isIpAddress(bind)) ctx.report(RULES.ipInvalid, field, `bind address ${show(bind)} is not an IP address (or unix:///path where allowed)`);
}

/** A unix socket path (after `unix://`): absolute, not a directory, or an abstract `@name`. */
export function checkUnixPath(ctx: Ctx, field: string, path: string): void {
  if (path === '') {
    ctx.report(RULES.unixAddressInvalid, field, 'unix address is empty; write unix:///path/to/socket');
  } else if (!path.startsWith('@') && (!path.startsWith('/') || path.endsWith('/'))) {
    ctx.report(RULES.unixAddressInvalid, field, `unix address ${show(path)} is not an absolute path to a file`);
  }
}

/** A port name: a DNS label. */
export function checkPortName(ctx: Ctx, field: string, name: string): void {
  if (!isDnsLabel(name)) ctx.report(RULES.portNameInvalid, field, `port name ${show(name)} is not a DNS label (letters, digits, '-', at most 63)`);
}

const TCHAR_HEADER = /^[!#$%&'*+\-.^_`|~A-Za-z0-9]+$/;
const STRICT_HEADER = /^[-A-Za-z0-9]+$/;

/** A header name per RFC 7230 tchars; `strict` allows only letters, digits and '-'. */
export function checkHeaderName(ctx: Ctx, field: string, name: string, strict = false): void {
  if (name === '') {
    ctx.report(RULES.headerNameInvalid, field, 'header name cannot be empty');
  } else if (!(strict ? STRICT_HEADER : TCHAR_HEADER).test(name)) {
    ctx.report(RULES.headerNameInvalid, field, `header name ${show(name)} is not a valid header name${strict ? ' (letters, digits and - only)' : ''}`);
  }
}

/** `@request.auth.claims.<claim>` or `@request.auth.claims[<claim>]`. */
export function isJwtClaimRoute(name: string): boolean {
  if (!name.toLowerCase().startsWith('@request.auth.claims')) return false;
  const rest = name.slice('@request.auth.claims'.length);
  return (rest.startsWith('.') && rest.length > 1) || (rest.startsWith('[') && rest.endsWith(']') && rest.length > 2);
}
