import {
  checkDuration, checkExportTo, checkFractionPercent, checkHeaderName, checkHost, checkIpField, checkLabels,
  checkPortField, checkPortNumber, checkRegex, checkStringMatch, isJwtClaimRoute,
} from '../checks/common';
import { Ctx, Obj, entries, has, int, isObj, key, list, num, obj, show, showList, str } from '../context';
import { RULES } from '../rules';
import { NS_PER_MS, NS_PER_S } from '../syntax/duration';
import { checkFqdn, checkGatewayBoundHost, checkWildcardDomain, hostSubsetOf, hostsOverlap, isDnsLabel, isIpAddress } from '../syntax/names';

/** Istio's admission checks for a VirtualService. */
export function validateVirtualService(ctx: Ctx, spec: Obj): void {
  const hosts = list(spec.hosts);
  const gateways = list(spec.gateways);
  const http = list(spec.http);
  const tcp = list(spec.tcp);
  const tls = list(spec.tls);
  const isDelegate = hosts.length === 0;

  if (isDelegate) {
    if (gateways.length) ctx.report(RULES.vsDelegate, 'spec.gateways', `a delegate VirtualService (no hosts) takes its gateways from the root, got gateways ${showList(gateways)}; remove them`);
    if (tls.length) ctx.report(RULES.vsDelegate, 'spec.tls', 'a delegate VirtualService (no hosts) cannot have tls routes; only http routes can be delegated');
    if (tcp.length) ctx.report(RULES.vsDelegate, 'spec.tcp', 'a delegate VirtualService (no hosts) cannot have tcp routes; only http routes can be delegated');
  }

  const boundToGateway = gateways.length > 0 && !gateways.includes('mesh');
  gateways.forEach((g, i) => checkGatewayRef(ctx, `spec.gateways[${i}]`, g));

  if (!boundToGateway) {
    http.forEach((route, i) => list(obj(route)?.match).forEach((m, j) => {
      for (const field of ['headers', 'withoutHeaders']) {
        for (const [name] of entries(obj(m)?.[field])) {
          if (isJwtClaimRoute(name)) {
            ctx.report(RULES.vsJwtClaimMeshBound, key(`spec.http[${i}].match[${j}].${field}`, name),
              `JWT claim based routing (${show(name)}) is only supported on gateway-bound VirtualServices, but this one is bound to the mesh (gateways ${gateways.length ? showList(gateways) : 'unset'}); bind it to an ingress gateway, without "mesh"`);
          }
        }
      }
    }));
  }

  // hosts
  const sni = tls.some(t => list(obj(t)?.match).some(m => list(obj(m)?.sniHosts).length > 0));
  let allHostsValid = true;
  hosts.forEach((h, i) => {
    if (typeof h !== 'string') {
      allHostsValid = false;
      return;
    }
    const err = boundToGateway ? checkGatewayBoundHost(sni, h) : checkWildcardDomain(h);
    if (err) {
      if (!isIpAddress(h)) {
        ctx.report(RULES.hostnameInvalid, `spec.hosts[${i}]`, `host ${show(h)} is not a valid DNS name: ${err}`);
        allHostsValid = false;
      }
    } else if (!boundToGateway && h === '*') {
      ctx.report(RULES.vsMeshWildcardHost, `spec.hosts[${i}]`,
        `host "*" is not allowed for a VirtualService bound to the mesh (gateways ${gateways.length ? showList(gateways) : 'unset, so mesh'}); list the service hosts, or bind it to a gateway only`);
      allHostsValid = false;
    }
  });
  if (allHostsValid) {
    for (let i = 0; i < hosts.length; i++) {
      for (let j = i + 1; j < hosts.length; j++) {
        if (hostsOverlap(hosts[i], hosts[j])) {
          ctx.report(RULES.vsDuplicateHosts, `spec.hosts[${j}]`, `duplicate hosts in VirtualService: ${show(hosts[i])} and ${show(hosts[j])} overlap; each host may appear once`);
        }
      }
    }
  }

  if (http.length === 0 && tcp.length === 0 && tls.length === 0) {
    ctx.report(RULES.vsNoRoutes, 'spec', 'a VirtualService needs at least one http, tcp or tls route');
  }
  http.forEach((r, i) => validateHttpRoute(ctx, `spec.http[${i}]`, r, isDelegate));
  tls.forEach((r, i) => validateTlsRoute(ctx, `spec.tls[${i}]`, r, hosts, boundToGateway));
  tcp.forEach((r, i) => validateTcpRoute(ctx, `spec.tcp[${i}]`, r));
  checkExportTo(ctx, spec.exportTo);
}

/** `mesh`, `<name>` or `<namespace>/<name>`. */
function checkGatewayRef(ctx: Ctx, field: string, g: unknown): void {
  if (typeof g !== 'string') return;
  const slash = g.indexOf('/');
  if (slash < 0) {
    if (g.includes('.')) {
      const parts = g.split('.');
      ctx.report(RULES.gatewayRefLegacy, field, `gateway reference ${show(g)} uses the legacy <name>.<namespace> format; write ${show(`${parts[1]}/${parts[0]}`)}`);
    }
    const err = checkFqdn(g);
    if (err) ctx.report(RULES.gatewayRefInvalid, field, `gateway reference ${show(g)} is invalid (${err}); use "mesh", "<name>" or "<namespace>/<name>"`);
    return;
  }
  const ns = g.slice(0, slash);
  const name = g.slice(slash + 1);
  if (ns === '' || name === '') {
    ctx.report(RULES.gatewayRefInvalid, field, `gateway reference ${show(g)} has an empty namespace or name; use "<namespace>/<name>"`);
    return;
  }
  if (!isDnsLabel(ns)) ctx.report(RULES.gatewayRefInvalid, field, `gateway reference ${show(g)}: namespace ${show(ns)} is not a DNS label`);
  if (!isDnsLabel(name)) ctx.report(RULES.gatewayRefInvalid, field, `gateway reference ${show(g)}: gateway name ${show(name)} is not a DNS label`);
}

function validateHttpRoute(ctx: Ctx, p: string, r: unknown, inDelegate: boolean): void {
  if (!isObj(r)) return;
  const route = list(r.route);
  const delegates = has(r, 'delegate');
  const redirect = has(r, 'redirect');
  const direct = has(r, 'directResponse');
  const fault = has(r, 'fault');
  const rewrite = has(r, 'rewrite');

  if (!inDelegate && delegates) {
    // a root route: only delegate
    if (redirect) ctx.report(RULES.vsRootRoute, `${p}.redirect`, 'an http route with delegate must not also have redirect; the delegate VirtualService decides');
    if (route.length) ctx.report(RULES.vsRootRoute, `${p}.route`, 'an http route with delegate must not also have route; the delegate VirtualService decides');
  } else {
    if (inDelegate && delegates) {
      ctx.report(RULES.vsDelegate, `${p}.delegate`, 'a delegate VirtualService (no hosts) cannot delegate again; only one level of delegation is supported');
    }
    if (redirect) {
      if (route.length) ctx.report(RULES.httpRouteAction, `${p}.route`, 'http route has both route and redirect; use exactly one of route, redirect or directResponse');
      if (direct) ctx.report(RULES.httpRouteAction, `${p}.directResponse`, 'http route has both redirect and directResponse; use exactly one of route, redirect or directResponse');
      if (fault) ctx.report(RULES.httpRouteConflict, `${p}.fault`, 'http route cannot combine fault with redirect; faults apply to routed traffic');
      if (rewrite) ctx.report(RULES.httpRouteConflict, `${p}.rewrite`, 'http route cannot combine rewrite with redirect; put the new path in redirect.uri');
    } else if (direct) {
      if (route.length) ctx.report(RULES.httpRouteAction, `${p}.route`, 'http route has both route and directResponse; use exactly one of route, redirect or directResponse');
      if (fault) ctx.report(RULES.httpRouteConflict, `${p}.fault`, 'http route cannot combine fault with directResponse');
      if (rewrite) ctx.report(RULES.httpRouteConflict, `${p}.rewrite`, 'http route cannot combine rewrite with directResponse');
    } else if (route.length === 0) {
      ctx.report(RULES.httpRouteAction, p, 'http route has none of route, redirect, directResponse or delegate; give exactly one');
    }
  }
  if (has(r, 'mirror') && list(r.mirrors).length > 0) {
    ctx.report(RULES.mirrorAndMirrors, `${p}.mirrors`, 'http route sets both mirror and mirrors; move mirror into the mirrors list');
  }

  list(r.match).forEach((m, j) => validateHttpMatch(ctx, `${p}.match[${j}]`, m));
  checkHeaderOperations(ctx, `${p}.headers`, r.headers);
  validateCors(ctx, `${p}.corsPolicy`, r.corsPolicy);
  validateFault(ctx, `${p}.fault`, r.fault);

  const mirrorPercent = r.mirrorPercent ?? r.mirror_percent;
  if (mirrorPercent !== undefined && mirrorPercent !== null) {
    const mpField = `${p}.${r.mirrorPercent !== undefined ? 'mirrorPercent' : 'mirror_percent'}`;
    const v = int(mirrorPercent);
    if (v !== undefined && v > 100) ctx.report(RULES.percentageOutOfRange, mpField, `mirrorPercent ${v} is above the maximum of 100`);
    ctx.report(RULES.mirrorPercentDeprecated, mpField, 'mirrorPercent is deprecated; use mirrorPercentage: {value: <0..100>}');
  }
  const mpv = num(obj(r.mirrorPercentage)?.value);
  if (mpv !== undefined && (mpv > 100 || mpv < 0)) {
    ctx.report(RULES.percentageOutOfRange, `${p}.mirrorPercentage.value`, `mirrorPercentage ${mpv} is out of range 0..100`);
  }
  validateDestination(ctx, `${p}.mirror`, r.mirror);
  list(r.mirrors).forEach((mirror, k) => {
    const mp = `${p}.mirrors[${k}]`;
    if (!isObj(mirror)) return;
    if (!has(mirror, 'destination')) {
      ctx.report(RULES.destinationRequired, `${mp}.destination`, 'mirror has no destination; every mirrors entry needs one');
      return;
    }
    validateDestination(ctx, `${mp}.destination`, mirror.destination);
    const v = num(obj(mirror.percentage)?.value);
    if (v !== undefined && (v > 100 || v < 0)) ctx.report(RULES.percentageOutOfRange, `${mp}.percentage.value`, `mirror percentage ${v} is out of range 0..100`);
  });

  validateRedirect(ctx, `${p}.redirect`, r.redirect);
  validateDirectResponse(ctx, `${p}.directResponse`, r.directResponse);
  validateRetries(ctx, `${p}.retries`, r.retries);
  validateRewrite(ctx, `${p}.rewrite`, r.rewrite, r.headers);
  validateRouteDestinations(ctx, p, route, true);
  checkDuration(ctx, `${p}.timeout`, r.timeout);
}

function validateHttpMatch(ctx: Ctx, mp: string, m: unknown): void {
  if (!isObj(m)) return;
  for (const [name, sm] of entries(m.headers)) {
    checkHeaderNameOrClaim(ctx, key(`${mp}.headers`, name), name);
    checkStringMatch(ctx, key(`${mp}.headers`, name), sm, false);
  }
  for (const [name, sm] of entries(m.withoutHeaders)) {
    checkHeaderNameOrClaim(ctx, key(`${mp}.withoutHeaders`, name), name);
    // `regex: "*"` is not a regex here: it means "header present"
    if (isObj(sm) && sm.regex !== '*') checkStringMatch(ctx, key(`${mp}.withoutHeaders`, name), sm, false);
  }
  checkStringMatch(ctx, `${mp}.uri`, m.uri, true);
  checkStringMatch(ctx, `${mp}.scheme`, m.scheme, false);
  checkStringMatch(ctx, `${mp}.method`, m.method, false);
  checkStringMatch(ctx, `${mp}.authority`, m.authority, false);
  for (const [name, sm] of entries(m.queryParams)) checkStringMatch(ctx, key(`${mp}.queryParams`, name), sm, false);
  const port = int(m.port);
  if (port !== undefined && port !== 0) checkPortNumber(ctx, `${mp}.port`, port);
  checkLabels(ctx, `${mp}.sourceLabels`, m.sourceLabels);
  list(m.gateways).forEach((g, k) => checkGatewayRef(ctx, `${mp}.gateways[${k}]`, g));
  const sourceNamespace = str(m.sourceNamespace);
  if (sourceNamespace !== '' && !isDnsLabel(sourceNamespace)) {
    ctx.report(RULES.sourceNamespaceInvalid, `${mp}.sourceNamespace`, `sourceNamespace ${show(sourceNamespace)} is not a valid namespace name (DNS label)`);
  }
}

const PSEUDO_HEADERS = new Set([':method', ':scheme', ':authority', ':path', ':status']);

function checkHeaderNameOrClaim(ctx: Ctx, field: string, name: string): void {
  if (isJwtClaimRoute(name) || PSEUDO_HEADERS.has(name)) return;
  checkHeaderName(ctx, field, name);
}

// ---- header manipulation ----

const HEADER_VALUE_CONTROL = /[\u0000-\u0008\u000A-\u001F\u007F]/;

function isInternalHeader(name: string): boolean {
  return name.startsWith(':') || name.toLowerCase() === 'host';
}

function isAuthorityHeader(name: string): boolean {
  const l = name.toLowerCase();
  return l === ':authority' || l === 'host';
}

/** headers.request/response add/set/remove of a route or route destination. */
function checkHeaderOperations(ctx: Ctx, p: string, headers: unknown): void {
  const h = obj(headers);
  if (!h) return;
  for (const side of ['request', 'response'] as const) {
    const ops = obj(h[side]);
    if (!ops) continue;
    for (const op of ['add', 'set'] as const) {
      for (const [name, value] of entries(ops[op])) {
        const field = key(`${p}.${side}.${op}`, name);
        checkHeaderOperationName(ctx, field, name, side === 'request');
        if (typeof value === 'string') checkHeaderValue(ctx, field, value);
      }
    }
    list(ops.remove).forEach((name, i) => {
      if (typeof name === 'string') checkHeaderOperationName(ctx, `${p}.${side}.remove[${i}]`, name, false);
    });
  }
}

function checkHeaderOperationName(ctx: Ctx, field: string, name: string, allowAuthority: boolean): void {
  if (name === '') {
    ctx.report(RULES.headerOperationInvalid, field, 'header name cannot be empty');
  } else if (allowAuthority && isAuthorityHeader(name)) {
    // request add/set of :authority / host rewrites the authority: allowed (checked for duplicates elsewhere)
  } else if (name.toLowerCase() === 'host') {
    ctx.report(RULES.headerOperationInvalid, field, `header ${show(name)} cannot be set or removed here; rewrite the authority with rewrite.authority`);
  } else if (isInternalHeader(name)) {
    ctx.report(RULES.headerOperationInvalid, field, `header ${show(name)} cannot be changed: pseudo-headers (":" prefix) are managed by Envoy`);
  }
}

/** Envoy's header value syntax: no control characters, `%` escaped as `%%` or starting a %VARIABLE%. */
function checkHeaderValue(ctx: Ctx, field: string, value: string): void {
  if (HEADER_VALUE_CONTROL.test(value)) {
    ctx.report(RULES.headerOperationInvalid, field, `header value ${show(value)} contains control characters`);
    return;
  }
  const err = envoyHeaderValueError(value);
  if (err) ctx.report(RULES.headerOperationInvalid, field, `header value ${show(value)} is invalid: ${err}`);
}

function envoyHeaderValueError(v: string): string | undefined {
  // states: 0 literal, 1 variable name, 2 expect array, 3 expect string, 4 string, 5 delimiter/end, 6 expect ')', 7 expect '%'
  let state = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    switch (state) {
      case 0:
        if (c !== '%') break;
        if (i + 1 >= v.length) return 'un-escaped % (write %% for a literal %)';
        if (v[i + 1] === '%') i++;
        else state = 1;
        break;
      case 1:
        if (c === '%') state = 0;
        else if (c === '(') state = 2;
        break;
      case 2:
        if (c === '[') state = 3;
        else if (c !== ' ') state = 4;
        break;
      case 3:
        if (c === '"') state = 4;
        else if (c !== ' ') return 'expecting \'"\' in the variable arguments';
        break;
      case 4:
        if (c === '\\') {
          if (i + 1 >= v.length) return 'un-terminated backslash in the variable arguments';
          i++;
        } else if (c === ')') {
          state = 7;
        } else if (c === '"') {
          state = 5;
        }
        break;
      case 5:
        if (c === ',') state = 3;
        else if (c === ']') state = 6;
        else if (c !== ' ') return 'expecting \',\', \']\' or whitespace in the variable arguments';
        break;
      case 6:
        if (c === ')') state = 7;
        else if (c !== ' ') return 'expecting \')\' after the variable arguments';
        break;
      case 7:
        if (c === '%') state = 0;
        else if (c !== ' ') return 'expecting \'%\' to close the variable';
        break;
    }
  }
  return state === 0 ? undefined : 'un-terminated %VARIABLE% expression (write %% for a literal %)';
}

// ---- destinations ----

/** The destinations of an http, tcp or tls route: weights and per-destination checks. */
function validateRouteDestinations(ctx: Ctx, p: string, routes: any[], httpRoute: boolean): void {
  let total = 0;
  routes.forEach((rd, k) => {
    const rp = `${p}.route[${k}]`;
    if (!isObj(rd)) return;
    if (!has(rd, 'destination')) {
      ctx.report(RULES.destinationRequired, `${rp}.destination`, 'route entry has no destination; give destination.host');
    } else {
      validateDestination(ctx, `${rp}.destination`, rd.destination);
    }
    if (httpRoute) checkHeaderOperations(ctx, `${rp}.headers`, rd.headers);
    const weight = int(rd.weight) ?? 0;
    if (weight < 0) ctx.report(RULES.weightNegative, `${rp}.weight`, `weight ${weight} is negative; weights must be >= 0`);
    total += weight;
  });
  if (routes.length > 1 && total === 0) {
    ctx.report(RULES.weightTotalZero, `${p}.route`, `the ${routes.length} destinations have weights summing to 0; give them weights (e.g. summing to 100) or keep one destination`);
  }
}

/** A Destination: host not `*` and a valid DNS name, subset a DNS label, port in range. */
export function validateDestination(ctx: Ctx, p: string, d: unknown, checkHostName = true): void {
  if (!isObj(d)) return;
  const host = str(d.host);
  if (!checkHostName) {
    // the caller checked the host already
  } else if (host === '*') {
    ctx.report(RULES.destinationHostWildcard, `${p}.host`, 'destination host "*" is invalid; name a service, e.g. reviews.default.svc.cluster.local');
  } else {
    checkHost(ctx, `${p}.host`, host, 'wildcard', 'destination host');
  }
  if (typeof d.subset === 'string' && d.subset !== '') checkSubsetName(ctx, `${p}.subset`, d.subset);
  if (isObj(d.port)) checkPortNumber(ctx, `${p}.port.number`, int(d.port.number) ?? 0);
}

/** Subset names are DNS labels. */
export function checkSubsetName(ctx: Ctx, field: string, name: string): void {
  if (name === '') {
    ctx.report(RULES.subsetNameInvalid, field, 'subset name cannot be empty');
  } else if (!isDnsLabel(name)) {
    ctx.report(RULES.subsetNameInvalid, field, `subset name ${show(name)} is not a DNS label (letters, digits, '-', at most 63)`);
  }
}

// ---- redirect, direct response, retries, rewrite, CORS, fault ----

function validateRedirect(ctx: Ctx, p: string, redirect: unknown): void {
  const rd = obj(redirect);
  if (!rd) return;
  const scheme = str(rd.scheme);
  if (str(rd.uri) === '' && str(rd.authority) === '' && !has(rd, 'port') && !has(rd, 'derivePort') && scheme === '') {
    ctx.report(RULES.redirectInvalid, p, 'redirect must set uri, authority, scheme or port');
    return;
  }
  const code = int(rd.redirectCode) ?? 0;
  if (code !== 0 && (code < 300 || code > 399)) {
    ctx.report(RULES.redirectInvalid, `${p}.redirectCode`, `redirectCode ${code} is not a redirect; use a 3xx code such as 301 or 308`);
    return;
  }
  if (scheme !== '' && scheme !== 'http' && scheme !== 'https') {
    ctx.report(RULES.redirectInvalid, `${p}.scheme`, `redirect scheme ${show(scheme)} is invalid; use "http" or "https"`);
    return;
  }
  const port = int(rd.port) ?? 0;
  if (port > 0) checkPortNumber(ctx, `${p}.port`, port);
}

function validateDirectResponse(ctx: Ctx, p: string, direct: unknown): void {
  const dr = obj(direct);
  if (!dr) return;
  const body = obj(dr.body);
  if (body) {
    let size = 0;
    if (typeof body.string === 'string') size = Buffer.byteLength(body.string, 'utf8');
    else if (typeof body.bytes === 'string') size = Math.floor((body.bytes.replace(/=+$/, '').length * 3) / 4);
    if (size > 1024 * 1024) {
      ctx.report(RULES.directResponseInvalid, `${p}.body`, `direct response body of ${size} bytes is too large; it must be under 1MB`);
    } else if (size > 100 * 1024) {
      ctx.report(RULES.directResponseLarge, `${p}.body`, `direct response body of ${size} bytes is over 100KB and may slow down the control plane`);
    }
  }
  const status = int(dr.status) ?? 0;
  if (status < 200 || status > 600) {
    ctx.report(RULES.directResponseInvalid, `${p}.status`, `HTTP status ${status} is not in range 200-599`);
  }
}

/** The retryOn policies Envoy supports (x-envoy-retry-on and x-envoy-retry-grpc-on). */
const RETRY_ON = new Set([
  '5xx', 'gateway-error', 'reset', 'reset-before-request', 'connect-failure', 'retriable-4xx', 'refused-stream',
  'retriable-status-codes', 'retriable-headers', 'envoy-ratelimited', 'http3-post-connect-failure',
  'cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable',
]);

/** HTTP status codes with a standard name (Go's http.StatusText). */
const HTTP_STATUS = new Set([
  100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308,
  400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423, 424,
  425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);

function validateRetries(ctx: Ctx, p: string, retries: unknown): void {
  const rt = obj(retries);
  if (!rt) return;
  const attempts = int(rt.attempts) ?? 0;
  if (attempts < 0) ctx.report(RULES.retriesInvalid, `${p}.attempts`, `retry attempts ${attempts} is negative; use 0 to disable retries`);
  if (attempts === 0 && (has(rt, 'perTryTimeout') || str(rt.retryOn) !== '' || has(rt, 'retryRemoteLocalities'))) {
    const set = ['perTryTimeout', 'retryOn', 'retryRemoteLocalities'].filter(f => f === 'retryOn' ? str(rt.retryOn) !== '' : has(rt, f));
    ctx.report(RULES.retriesInvalid, `${p}.attempts`, `retries sets ${set.join(', ')} but attempts is ${rt.attempts === undefined ? 'unset (0)' : '0'}, which disables retries; set attempts > 0`);
  }
  checkDuration(ctx, `${p}.perTryTimeout`, rt.perTryTimeout);
  checkDuration(ctx, `${p}.backoff`, rt.backoff);
  const retryOn = str(rt.retryOn);
  if (retryOn !== '') {
    for (const policy of retryOn.split(',')) {
      const code = /^[+-]?\d+$/.test(policy) ? Number(policy) : 0;
      if (!HTTP_STATUS.has(code) && !RETRY_ON.has(policy)) {
        const hint = policy.trim() !== policy ? ' (remove the spaces around the commas)' : '';
        ctx.report(RULES.retryOnUnknown, `${p}.retryOn`, `retryOn policy ${show(policy)} is not valid${hint}; use Envoy policies such as 5xx, gateway-error, connect-failure, refused-stream, retriable-4xx, retriable-status-codes, reset, unavailable, cancelled, deadline-exceeded, or HTTP status codes like 503`);
      }
    }
  }
}

function validateRewrite(ctx: Ctx, p: string, rewrite: unknown, headers: unknown): void {
  const rw = obj(rewrite);
  const uri = str(rw?.uri);
  const regexRewrite = obj(rw?.uriRegexRewrite);
  if (rw) {
    if (uri !== '' && regexRewrite) {
      ctx.report(RULES.rewriteInvalid, p, 'rewrite sets both uri and uriRegexRewrite; use only one');
    } else if (uri === '' && !regexRewrite && str(rw.authority) === '') {
      ctx.report(RULES.rewriteInvalid, p, 'rewrite must set uri, uriRegexRewrite or authority');
    } else if (regexRewrite) {
      if (str(regexRewrite.match) === '' || str(regexRewrite.rewrite) === '') {
        ctx.report(RULES.rewriteInvalid, `${p}.uriRegexRewrite`, 'uriRegexRewrite needs both match and rewrite');
      } else {
        checkRegex(ctx, `${p}.uriRegexRewrite.match`, regexRewrite.match);
      }
    }
  }
  // the authority may be rewritten in one place only
  let current = str(rw?.authority);
  let currentField = `${p}.authority`;
  const request = obj(obj(headers)?.request);
  for (const op of ['set', 'add']) {
    for (const [name, value] of entries(request?.[op])) {
      if (!isAuthorityHeader(name)) continue;
      const field = key(p.replace(/\.rewrite$/, `.headers.request.${op}`), name);
      if (current !== '') {
        ctx.report(RULES.headerOperationInvalid, field, `the authority is set more than once: ${show(current)} at ${currentField} and ${show(value)} here; keep one`);
        return;
      }
      current = str(value);
      currentField = field;
    }
  }
}

const CORS_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', '*']);

function validateCors(ctx: Ctx, p: string, cors: unknown): void {
  const c = obj(cors);
  if (!c) return;
  list(c.allowOrigins).forEach((o, i) => {
    const op = `${p}.allowOrigins[${i}]`;
    if (!isObj(o)) return;
    const value = typeof o.exact === 'string' ? o.exact : typeof o.prefix === 'string' ? o.prefix : typeof o.regex === 'string' ? o.regex : '';
    if (value === '') {
      ctx.report(RULES.stringMatchEmpty, op, 'CORS allowOrigins entry is empty; give an exact, prefix or regex origin');
    } else if (typeof o.regex === 'string') {
      checkRegex(ctx, `${op}.regex`, o.regex);
    }
  });
  list(c.allowMethods).forEach((m, i) => {
    if (typeof m === 'string' && !CORS_METHODS.has(m)) {
      ctx.report(RULES.corsInvalid, `${p}.allowMethods[${i}]`, `${show(m)} is not a supported HTTP method; use GET, HEAD, POST, PUT, PATCH, DELETE, CONNECT, OPTIONS, TRACE or *`);
    }
  });
  for (const field of ['allowHeaders', 'exposeHeaders']) {
    list(c[field]).forEach((h, i) => {
      if (typeof h === 'string' && h !== '*') checkHeaderName(ctx, `${p}.${field}[${i}]`, h);
    });
  }
  const maxAge = checkDuration(ctx, `${p}.maxAge`, c.maxAge);
  if (maxAge !== undefined && maxAge >= NS_PER_MS && maxAge % NS_PER_S !== 0n) {
    ctx.report(RULES.corsInvalid, `${p}.maxAge`, `maxAge ${show(c.maxAge)} is not a whole number of seconds; CORS max age has seconds precision`);
  }
}

const GRPC_STATUS = new Set([
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE',
  'DATA_LOSS', 'UNAUTHENTICATED',
]);

function validateFault(ctx: Ctx, p: string, fault: unknown): void {
  const f = obj(fault);
  if (!f) return;
  const abort = obj(f.abort);
  const delay = obj(f.delay);
  if (!abort && !delay) ctx.report(RULES.faultInvalid, p, 'fault injection needs an abort and/or a delay');
  if (abort) {
    checkFractionPercent(ctx, `${p}.abort.percentage`, abort.percentage);
    if (typeof abort.grpcStatus === 'string') {
      if (!GRPC_STATUS.has(abort.grpcStatus)) {
        ctx.report(RULES.faultInvalid, `${p}.abort.grpcStatus`, `gRPC status ${show(abort.grpcStatus)} is not supported; use a code name such as NOT_FOUND or UNAVAILABLE`);
      }
    } else if (has(abort, 'http2Error')) {
      ctx.report(RULES.faultInvalid, `${p}.abort.http2Error`, 'HTTP/2 abort fault injection (http2Error) is not supported yet; use httpStatus');
    } else if (has(abort, 'httpStatus')) {
      const status = int(abort.httpStatus) ?? 0;
      if (status < 200 || status > 600) ctx.report(RULES.faultInvalid, `${p}.abort.httpStatus`, `HTTP status ${status} is not in range 200-599`);
    } else {
      ctx.report(RULES.faultAbortNoType, `${p}.abort`, 'abort is configured without httpStatus or grpcStatus, so it aborts nothing');
    }
  }
  if (delay) {
    checkFractionPercent(ctx, `${p}.delay.percentage`, delay.percentage);
    checkDuration(ctx, `${p}.delay.fixedDelay`, delay.fixedDelay);
    if (has(delay, 'exponentialDelay')) {
      checkDuration(ctx, `${p}.delay.exponentialDelay`, delay.exponentialDelay);
      ctx.report(RULES.faultInvalid, `${p}.delay.exponentialDelay`, 'exponentialDelay is not supported yet; use fixedDelay');
    }
  }
}

// ---- tls and tcp routes ----

function validateTlsRoute(ctx: Ctx, p: string, r: unknown, hosts: any[], boundToGateway: boolean): void {
  if (!isObj(r)) return;
  const matches = list(r.match);
  if (matches.length === 0) ctx.report(RULES.tlsRouteMatch, `${p}.match`, 'a tls route needs at least one match with sniHosts');
  matches.forEach((m, j) => {
    const mp = `${p}.match[${j}]`;
    if (!isObj(m)) return;
    const sniHosts = list(m.sniHosts);
    if (sniHosts.length === 0) ctx.report(RULES.tlsRouteMatch, `${mp}.sniHosts`, 'a tls match needs at least one SNI host');
    sniHosts.forEach((sni, k) => {
      if (typeof sni === 'string') checkSniHost(ctx, `${mp}.sniHosts[${k}]`, sni, hosts, boundToGateway);
    });
    checkL4Match(ctx, mp, m);
  });
  const route = list(r.route);
  if (route.length === 0) ctx.report(RULES.l4RouteRequired, `${p}.route`, 'a tls route needs a route with at least one destination');
  validateRouteDestinations(ctx, p, route, false);
}

function checkSniHost(ctx: Ctx, field: string, sni: string, hosts: any[], boundToGateway: boolean): void {
  const err = boundToGateway ? checkGatewayBoundHost(true, sni) : checkWildcardDomain(sni);
  if (err) {
    if (isIpAddress(sni)) {
      ctx.report(RULES.sniHostIp, field, `SNI host ${show(sni)} is an IP address, which goes against the SNI spec; most clients do not send it`);
    } else {
      ctx.report(RULES.hostnameInvalid, field, `SNI host ${show(sni)} is not a valid DNS name: ${err}`);
    }
    return;
  }
  if (!hosts.some(h => typeof h === 'string' && hostSubsetOf(sni, h))) {
    ctx.report(RULES.sniHostNotInHosts, field, `SNI host ${show(sni)} is not within any of the VirtualService hosts ${showList(hosts)}; add it to hosts or narrow it`);
  }
}

function validateTcpRoute(ctx: Ctx, p: string, r: unknown): void {
  if (!isObj(r)) return;
  list(r.match).forEach((m, j) => {
    if (isObj(m)) checkL4Match(ctx, `${p}.match[${j}]`, m);
  });
  const route = list(r.route);
  if (route.length === 0) ctx.report(RULES.l4RouteRequired, `${p}.route`, 'a tcp route needs a route with at least one destination');
  validateRouteDestinations(ctx, p, route, false);
}

function checkL4Match(ctx: Ctx, mp: string, m: Obj): void {
  list(m.destinationSubnets).forEach((s, k) => checkIpField(ctx, `${mp}.destinationSubnets[${k}]`, s, 'destination subnet'));
  const port = int(m.port);
  if (port !== undefined && port !== 0) checkPortField(ctx, `${mp}.port`, port);
  checkLabels(ctx, `${mp}.sourceLabels`, m.sourceLabels);
  list(m.gateways).forEach((g, k) => checkGatewayRef(ctx, `${mp}.gateways[${k}]`, g));
}
