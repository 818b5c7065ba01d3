import { checkIpField, checkPolicyScope } from '../checks/common';
import { Ctx, Obj, has, isObj, list, obj, show, str } from '../context';
import { RULES } from '../rules';
import { checkIpOrCidr } from '../syntax/names';

const SOURCE_FIELDS = [
  'principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals', 'namespaces', 'notNamespaces',
  'serviceAccounts', 'notServiceAccounts', 'ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks',
];
const IP_FIELDS = ['ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'];
/** Source fields a CUSTOM policy cannot match on. */
const CUSTOM_UNSUPPORTED = ['namespaces', 'notNamespaces', 'serviceAccounts', 'notServiceAccounts', 'principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals'];
/** Source fields that also apply to TCP traffic. */
const TCP_SOURCE_FIELDS = ['principals', 'notPrincipals', 'namespaces', 'notNamespaces', 'serviceAccounts', 'notServiceAccounts', 'ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'];
const OPERATION_FIELDS = ['ports', 'notPorts', 'methods', 'notMethods', 'paths', 'notPaths', 'hosts', 'notHosts'];

/** Istio's admission checks for an AuthorizationPolicy. */
export function validateAuthorizationPolicy(ctx: Ctx, spec: Obj): void {
  checkPolicyScope(ctx, spec, 'selector', 'matchLabels');
  const action = str(spec.action) || 'ALLOW';
  // proto3: `rules: []` and no rules are the same
  const rules = list(spec.rules);
  const hasRules = rules.length > 0;

  if (action === 'CUSTOM') {
    if (!hasRules) {
      ctx.report(RULES.customWithoutRules, 'spec.rules', 'a CUSTOM policy without rules never triggers; add `rules: [{}]` to send every request to the provider');
    } else if (str(obj(spec.provider)?.name) === '') {
      ctx.report(RULES.customWithoutProvider, 'spec.provider.name', 'a CUSTOM policy needs provider.name, naming an extensionProviders entry of the mesh config');
    }
    rules.forEach((rule, i) => {
      if (!isObj(rule)) return;
      list(rule.from).forEach((from, j) => {
        const src = obj(obj(from)?.source);
        if (!src) return;
        for (const f of CUSTOM_UNSUPPORTED) {
          if (list(src[f]).length > 0) {
            ctx.report(RULES.customUnsupportedField, `spec.rules[${i}].from[${j}].source.${f}`, `${f} is not supported with action CUSTOM; match on paths, methods, hosts, ports or ipBlocks, or move the identity check to an ALLOW/DENY policy`);
          }
        }
      });
      list(rule.when).forEach((cond, j) => {
        const k = str(obj(cond)?.key);
        if (k === 'source.namespace' || k === 'source.serviceAccount' || k === 'source.principal' || k.startsWith('request.auth.')) {
          ctx.report(RULES.customUnsupportedField, `spec.rules[${i}].when[${j}].key`, `condition key ${show(k)} is not supported with action CUSTOM`);
        }
      });
    });
  }
  if (has(spec, 'provider') && action !== 'CUSTOM') {
    ctx.report(RULES.providerWithoutCustom, 'spec.provider', `provider is only allowed with action CUSTOM, found action ${action}`);
  }
  if (action === 'DENY' && !hasRules) {
    ctx.report(RULES.denyWithoutRules, 'spec.rules', 'a DENY policy without rules never triggers; add `rules: [{}]` to deny every request');
  }

  rules.forEach((rule, i) => validateRule(ctx, `spec.rules[${i}]`, rule, action));
}

function validateRule(ctx: Ctx, p: string, rule: unknown, action: string): void {
  if (!isObj(rule)) {
    ctx.report(RULES.ruleMissingSourceOrOperation, p, `rule ${show(rule)} must be an object; use {} to match every request`);
    return;
  }
  let fromExists = false;
  let toExists = false;
  let tcpInFrom = false;
  let tcpInTo = false;

  if (Array.isArray(rule.from) && rule.from.length === 0) {
    ctx.report(RULES.ruleEmptyList, `${p}.from`, '`from` is an empty list; remove it to match any source, or add a source');
  }
  list(rule.from).forEach((from, j) => {
    const fp = `${p}.from[${j}]`;
    if (!isObj(from) || !has(from, 'source')) {
      ctx.report(RULES.ruleMissingSourceOrOperation, `${fp}.source`, '`from` entry has no source');
      return;
    }
    const src = obj(from.source);
    if (!src) return;
    fromExists = true;
    const sp = `${fp}.source`;
    const count = (fields: string[]) => fields.reduce((n, f) => n + list(src[f]).length, 0);
    if (count(['principals', 'notPrincipals', 'namespaces', 'notNamespaces']) > 0 && count(['serviceAccounts', 'notServiceAccounts']) > 0) {
      ctx.report(RULES.serviceAccountsMixed, sp, 'serviceAccounts cannot be combined with principals or namespaces in one source; use separate `from` entries');
    }
    if (count(SOURCE_FIELDS) === 0) {
      ctx.report(RULES.ruleEmptySourceOrOperation, sp, 'source is empty; set principals, namespaces, serviceAccounts, ipBlocks, ... or remove the `from` entry');
    }
    for (const f of IP_FIELDS) list(src[f]).forEach((ip, k) => checkIpField(ctx, `${sp}.${f}[${k}]`, ip, 'IP block'));
    for (const f of SOURCE_FIELDS) {
      if (f === 'serviceAccounts' || f === 'notServiceAccounts') {
        const err = serviceAccountsError(list(src[f]));
        if (err) ctx.report(err.empty ? RULES.emptyValue : RULES.serviceAccountInvalid, `${sp}.${f}`, `${f}: ${err.message}`);
      } else {
        checkNoEmpty(ctx, `${sp}.${f}`, src[f]);
      }
    }
    if (TCP_SOURCE_FIELDS.some(f => src[f] !== undefined && src[f] !== null)) tcpInFrom = true;
  });

  if (Array.isArray(rule.to) && rule.to.length === 0) {
    ctx.report(RULES.ruleEmptyList, `${p}.to`, '`to` is an empty list; remove it to match any operation, or add an operation');
  }
  list(rule.to).forEach((to, j) => {
    const tp = `${p}.to[${j}]`;
    if (!isObj(to) || !has(to, 'operation')) {
      ctx.report(RULES.ruleMissingSourceOrOperation, `${tp}.operation`, '`to` entry has no operation');
      return;
    }
    const op = obj(to.operation);
    if (!op) return;
    toExists = true;
    const opp = `${tp}.operation`;
    if (OPERATION_FIELDS.every(f => list(op[f]).length === 0)) {
      ctx.report(RULES.ruleEmptySourceOrOperation, opp, 'operation is empty; set ports, methods, paths or hosts, or remove the `to` entry');
    }
    for (const f of ['ports', 'notPorts']) {
      list(op[f]).forEach((port, k) => {
        if (typeof port === 'string' && port !== '' && !isPortString(port)) {
          ctx.report(RULES.portValueInvalid, `${opp}.${f}[${k}]`, `port ${show(port)} is not a number in 0..65535`);
        }
      });
    }
    for (const f of OPERATION_FIELDS) checkNoEmpty(ctx, `${opp}.${f}`, op[f]);
    for (const f of ['paths', 'notPaths']) {
      list(op[f]).forEach((path, k) => {
        const err = typeof path === 'string' ? pathTemplateError(path) : undefined;
        if (err) ctx.report(RULES.pathTemplateInvalid, `${opp}.${f}[${k}]`, `path ${show(path)} is invalid: ${err}`);
      });
    }
    if (op.ports !== undefined || op.notPorts !== undefined) tcpInTo = true;
  });

  list(rule.when).forEach((cond, j) => {
    const cp = `${p}.when[${j}]`;
    if (!isObj(cond)) return;
    const k = str(cond.key);
    if (k === '') {
      ctx.report(RULES.conditionInvalid, `${cp}.key`, 'condition key must not be empty');
      return;
    }
    const values = list(cond.values);
    const notValues = list(cond.notValues);
    if (values.length === 0 && notValues.length === 0) {
      ctx.report(RULES.conditionInvalid, cp, `condition ${show(k)} needs values or notValues`);
      return;
    }
    const keyErr = attributeKeyError(k);
    if (keyErr) {
      ctx.report(RULES.conditionKeyInvalid, `${cp}.key`, `condition key ${show(k)}: ${keyErr}`);
      return;
    }
    for (const [f, vs] of [['values', values], ['notValues', notValues]] as const) {
      const empty = vs.indexOf('');
      if (empty >= 0) {
        ctx.report(RULES.emptyValue, `${cp}.${f}[${empty}]`, `condition ${show(k)} has an empty value in ${f}`);
        continue;
      }
      const err = attributeValuesError(k, vs.filter((v): v is string => typeof v === 'string'));
      if (err) ctx.report(RULES.conditionKeyInvalid, `${cp}.${f}`, `condition ${show(k)}: ${err}`);
    }
  });

  if (action === 'DENY' && ((fromExists && !toExists && !tcpInFrom) || (toExists && !tcpInTo))) {
    ctx.report(RULES.denyHttpOnTcp, p, 'this DENY rule uses only HTTP attributes, so it denies all traffic to TCP ports in its scope (Istio drops HTTP attributes on TCP), if the selected workloads have TCP ports; '
      + 'list the HTTP ports in to.operation.ports to limit it (JwtProtectedIngress: the gatewayPorts prop)');
  }
}

function checkNoEmpty(ctx: Ctx, field: string, values: unknown): void {
  const vs = list(values);
  const i = vs.indexOf('');
  if (i >= 0) ctx.report(RULES.emptyValue, `${field}[${i}]`, `empty value in ${field.split('.').pop()}; remove it or give a value`);
}

function isPortString(s: string): boolean {
  return /^\d+$/.test(s) && Number(s) <= 65535;
}

/** The source.serviceAccounts format; empty marks an empty-value problem. */
function serviceAccountsError(values: unknown[]): { message: string; empty?: boolean } | undefined {
  if (values.length > 16) return { message: `${values.length} values; at most 16 are allowed` };
  for (const v of values) {
    if (typeof v !== 'string') continue;
    if (v === '') return { message: 'empty value not allowed', empty: true };
    if (v.includes('*')) return { message: `${show(v)} has a wildcard, which is not allowed` };
    const slashes = v.split('/').length - 1;
    if (slashes > 1) return { message: `${show(v)} is not "serviceAccount" or "namespace/serviceAccount"` };
    if (v.length > 320) return { message: `${show(v)} is longer than 320 characters` };
    if (slashes === 1) {
      const [ns, sa] = v.split('/');
      if (ns === '') return { message: `${show(v)} has an empty namespace` };
      if (sa === '') return { message: `${show(v)} has an empty service account` };
    }
  }
  return undefined;
}

const PATH_LITERAL = /^[a-zA-Z0-9\-._~%!$&'()+,;:@=]+$/;

/** `{*}` and `{**}` path templates: whole segments, `{**}` last. */
function pathTemplateError(path: string): string | undefined {
  const hasTemplate = path.includes('{*}') || path.includes('{**}');
  let sawAny = false;
  for (const glob of path.replace(/^\/+|\/+$/g, '').split('/')) {
    if (glob === '{*}' || glob === '{**}') {
      if (sawAny) return '{**} must be the last operator of the template';
      if (glob === '{**}') sawAny = true;
      continue;
    }
    if (glob.includes('{') || glob.includes('}')) return `segment ${show(glob)} has '{' or '}' outside a {*} or {**} template`;
    if (hasTemplate && !PATH_LITERAL.test(glob)) return `segment ${show(glob)} is not a valid path literal`;
  }
  return undefined;
}

const MAP_KEY_PREFIXES = ['request.headers', 'request.experimental.inline.headers', 'request.auth.claims', 'experimental.envoy.filters.'];
const PLAIN_KEYS = new Set([
  'source.ip', 'remote.ip', 'destination.ip', 'destination.port', 'source.serviceAccount', 'source.namespace', 'source.principal',
  'request.auth.principal', 'request.auth.audiences', 'request.auth.presenter', 'connection.sni',
]);

/** Whether a `when` key is an attribute Istio supports; the reason when not. */
function attributeKeyError(k: string): string | undefined {
  const prefix = MAP_KEY_PREFIXES.find(x => k.startsWith(x));
  if (prefix !== undefined) {
    const open = k.indexOf('[');
    if (k.endsWith(']') && open > 0 && open < k.length - 2) return undefined;
    const name = k.slice(prefix.length).replace(/^[.[]+|]+$/g, '') || 'name';
    const example = prefix.endsWith('.') ? `${k.replace(/\[.*$/, '')}[name]` : `${prefix}[${name}]`;
    return `bad key format; write it as ${show(example)}`;
  }
  if (PLAIN_KEYS.has(k)) return undefined;
  if (k === 'destination.namespace') return 'destination.namespace is replaced by the policy\'s metadata.namespace';
  if (k === 'destination.name' || k === 'destination.user') return `${k} is deprecated and only supported in v1alpha1`;
  if (k.startsWith('destination.labels')) return 'destination.labels is replaced by the workload selector';
  return 'unknown attribute; see https://istio.io/latest/docs/reference/config/security/conditions/';
}

/** Whether the values fit a supported `when` key. */
function attributeValuesError(k: string, values: string[]): string | undefined {
  switch (k) {
    case 'source.ip':
    case 'remote.ip':
    case 'destination.ip': {
      const bad = values.find(v => checkIpOrCidr(v) !== undefined);
      return bad === undefined ? undefined : `${show(bad)} is not an IP address or CIDR block`;
    }
    case 'destination.port': {
      const bad = values.find(v => !isPortString(v));
      return bad === undefined ? undefined : `port ${show(bad)} is not a number in 0..65535`;
    }
    case 'source.serviceAccount':
      return serviceAccountsError(values)?.message;
    default:
      return undefined;
  }
}
