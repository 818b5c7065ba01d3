/**
 * Checks and renders the VirtualService value types into the L1 shapes. Each
 * function throws at once, with a message naming the construct and the field path
 * of the spec (`http[0].retries.perTryTimeout`). Internal: not re-exported from
 * the package root.
 */
import { IConstruct } from 'constructs';
import {
  CorsPolicy, FaultAbort, GrpcStatusCode, HeaderManipulation, HeaderOperations, HttpDirectResponse, HttpFaultInjection,
  HttpMethod, HttpRedirect, HttpRetry, HttpRewrite, RetryOn, UnmatchedPreflights,
} from './http-policies';
import {
  checkGatewayName, checkHeaderName, checkHost, checkMatchHeaderName, checkNamespace, checkPercentage, checkStatus,
  checkSubnet, hostCovers,
} from './vs-checks';
import { HttpMatchRequest, L4MatchAttributes, TlsMatchAttributes } from './vs-match';
import * as l1 from '../../imports/networking.istio.io';
import { renderDuration } from '../core/duration';
import { throwPropError } from '../core/errors';
import { checkLabels } from '../core/names';
import { A_PORT_IS, checkPortNumber } from '../core/protocol';
import { gatewayReference, IGateway } from '../core/references';
import { StringMatch, StringMatchType } from '../core/string-match';

type StringMatchJson = { exact?: string; prefix?: string; regex?: string };

/** The gateway references of a VirtualService or a match, in order, without duplicates. */
export function renderGatewayList(scope: IConstruct, prop: string, gateways: IGateway[] = [], names: string[] = []): string[] {
  const out: string[] = [];
  const all = [...gateways.map(gatewayReference), ...names];
  all.forEach((name, i) => {
    checkGatewayName(scope, `${prop}[${i}]`, name);
    if (out.includes(name)) throwPropError(scope, `${prop}[${i}]`, name, 'each gateway is listed once');
    out.push(name);
  });
  return out;
}

function renderHeaderOperations(scope: IConstruct, prop: string, ops: HeaderOperations): l1.VirtualServiceSpecHttpHeadersRequest {
  for (const kind of ['set', 'add'] as const) {
    for (const [name, value] of Object.entries(ops[kind] ?? {})) {
      checkHeaderName(scope, `${prop}.${kind} key`, name);
      if (typeof value !== 'string') throwPropError(scope, `${prop}.${kind}["${name}"]`, value, 'a header value is a string');
    }
  }
  (ops.remove ?? []).forEach((name, i) => checkHeaderName(scope, `${prop}.remove[${i}]`, name));
  return {
    set: ops.set && Object.keys(ops.set).length > 0 ? { ...ops.set } : undefined,
    add: ops.add && Object.keys(ops.add).length > 0 ? { ...ops.add } : undefined,
    remove: ops.remove && ops.remove.length > 0 ? [...ops.remove] : undefined,
  };
}

/** Headers manipulation of a route rule or a destination. */
export function renderHeaders(scope: IConstruct, prop: string, headers?: HeaderManipulation): l1.VirtualServiceSpecHttpHeaders | undefined {
  if (!headers) return undefined;
  return {
    request: headers.request ? renderHeaderOperations(scope, `${prop}.request`, headers.request) : undefined,
    response: headers.response ? renderHeaderOperations(scope, `${prop}.response`, headers.response) : undefined,
  };
}

const REDIRECT_CODES = [301, 302, 303, 307, 308];

export function renderRedirect(scope: IConstruct, prop: string, redirect: HttpRedirect): l1.VirtualServiceSpecHttpRedirect {
  if (redirect.uri === undefined && redirect.authority === undefined && redirect.port === undefined && redirect.scheme === undefined) {
    throwPropError(scope, prop, redirect, 'a redirect replaces at least one of uri, authority, port or scheme');
  }
  if (redirect.port?.port !== undefined) checkPortNumber(scope, `${prop}.port`, redirect.port.port, A_PORT_IS);
  if (redirect.redirectCode !== undefined && !REDIRECT_CODES.includes(redirect.redirectCode)) {
    throwPropError(scope, `${prop}.redirectCode`, redirect.redirectCode, `one of ${REDIRECT_CODES.join(', ')}`);
  }
  if (redirect.scheme !== undefined && !/^[a-zA-Z][a-zA-Z0-9+.-]*$/.test(redirect.scheme)) {
    throwPropError(scope, `${prop}.scheme`, redirect.scheme, 'a URL scheme such as "https"');
  }
  return {
    uri: redirect.uri,
    authority: redirect.authority,
    port: redirect.port?.port,
    derivePort: redirect.port?.derivePort as l1.VirtualServiceSpecHttpRedirectDerivePort | undefined,
    scheme: redirect.scheme,
    redirectCode: redirect.redirectCode,
  };
}

export function renderDirectResponse(scope: IConstruct, prop: string, response: HttpDirectResponse): l1.VirtualServiceSpecHttpDirectResponse {
  checkStatus(scope, `${prop}.status`, response.status, 200, 599);
  const body = response.body;
  if (body?.base64 !== undefined && !(body.base64.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(body.base64))) {
    throwPropError(scope, `${prop}.body.bytes`, body.base64, 'base64-encoded bytes');
  }
  return {
    status: response.status,
    body: body ? { string: body.text, bytes: body.base64 } : undefined,
  };
}

export function renderRewrite(scope: IConstruct, prop: string, rewrite: HttpRewrite): l1.VirtualServiceSpecHttpRewrite {
  if (rewrite.uri === undefined && rewrite.uriRegexRewrite === undefined && rewrite.authority === undefined) {
    throwPropError(scope, prop, rewrite, 'a rewrite replaces at least one of uri, uriRegexRewrite or authority');
  }
  if (rewrite.uri !== undefined && rewrite.uriRegexRewrite !== undefined) {
    throwPropError(scope, `${prop}.uriRegexRewrite`, rewrite.uriRegexRewrite, 'rewrite uri or uriRegexRewrite, not both');
  }
  if (rewrite.uriRegexRewrite) {
    StringMatch._checkRegex(scope, `${prop}.uriRegexRewrite.match`, rewrite.uriRegexRewrite.match);
    if (typeof rewrite.uriRegexRewrite.rewrite !== 'string') {
      throwPropError(scope, `${prop}.uriRegexRewrite.rewrite`, rewrite.uriRegexRewrite.rewrite, 'the replacement string');
    }
  }
  return {
    uri: rewrite.uri,
    authority: rewrite.authority,
    uriRegexRewrite: rewrite.uriRegexRewrite ? { match: rewrite.uriRegexRewrite.match, rewrite: rewrite.uriRegexRewrite.rewrite } : undefined,
  };
}

const RETRY_ON = Object.values(RetryOn) as string[];

export function renderRetries(scope: IConstruct, prop: string, retry: HttpRetry): l1.VirtualServiceSpecHttpRetries {
  if (retry.attempts !== undefined && (!Number.isInteger(retry.attempts) || retry.attempts < 0)) {
    throwPropError(scope, `${prop}.attempts`, retry.attempts, 'an integer, 0 or more (0 disables retries)');
  }
  const tokens: string[] = [];
  (retry.retryOn ?? []).forEach((token, i) => {
    if (!RETRY_ON.includes(token)) {
      throwPropError(scope, `${prop}.retryOn[${i}]`, token, `one of ${RETRY_ON.join(', ')} (HTTP statuses go in retryOnStatusCodes)`);
    }
    tokens.push(token);
  });
  (retry.retryOnStatusCodes ?? []).forEach((code, i) => {
    checkStatus(scope, `${prop}.retryOnStatusCodes[${i}]`, code, 100, 599);
    tokens.push(String(code));
  });
  return {
    attempts: retry.attempts,
    perTryTimeout: retry.perTryTimeout ? renderDuration(scope, `${prop}.perTryTimeout`, retry.perTryTimeout) : undefined,
    retryOn: tokens.length > 0 ? [...new Set(tokens)].join(',') : undefined,
    retryRemoteLocalities: retry.retryRemoteLocalities,
    retryIgnorePreviousHosts: retry.retryIgnorePreviousHosts,
    backoff: retry.backoff ? renderDuration(scope, `${prop}.backoff`, retry.backoff) : undefined,
  };
}

const GRPC_STATUSES = Object.values(GrpcStatusCode) as string[];

function renderAbort(scope: IConstruct, prop: string, abort: FaultAbort): l1.VirtualServiceSpecHttpFaultAbort {
  if (abort.httpStatusCode !== undefined) checkStatus(scope, `${prop}.httpStatus`, abort.httpStatusCode, 200, 599);
  if (abort.grpcStatusCode !== undefined && !GRPC_STATUSES.includes(abort.grpcStatusCode)) {
    throwPropError(scope, `${prop}.grpcStatus`, abort.grpcStatusCode, `one of ${GRPC_STATUSES.join(', ')}`);
  }
  if (abort.percentage !== undefined) checkPercentage(scope, `${prop}.percentage`, abort.percentage);
  return {
    httpStatus: abort.httpStatusCode,
    grpcStatus: abort.grpcStatusCode,
    percentage: abort.percentage !== undefined ? { value: abort.percentage } : undefined,
  };
}

export function renderFault(scope: IConstruct, prop: string, fault: HttpFaultInjection): l1.VirtualServiceSpecHttpFault {
  if (!fault.delay && !fault.abort) {
    throwPropError(scope, prop, fault, 'a fault injects a delay, an abort or both');
  }
  const delay = fault.delay;
  if (delay?.percentage !== undefined) checkPercentage(scope, `${prop}.delay.percentage`, delay.percentage);
  return {
    delay: delay ? {
      fixedDelay: renderDuration(scope, `${prop}.delay.fixedDelay`, delay.fixedDelay),
      percentage: delay.percentage !== undefined ? { value: delay.percentage } : undefined,
    } : undefined,
    abort: fault.abort ? renderAbort(scope, `${prop}.abort`, fault.abort) : undefined,
  };
}

const METHODS = Object.values(HttpMethod) as string[];
const PREFLIGHTS = Object.values(UnmatchedPreflights) as string[];

export function renderCors(scope: IConstruct, prop: string, cors: CorsPolicy): l1.VirtualServiceSpecHttpCorsPolicy {
  (cors.allowMethods ?? []).forEach((m, i) => {
    if (!METHODS.includes(m)) throwPropError(scope, `${prop}.allowMethods[${i}]`, m, `one of ${METHODS.join(', ')}`);
  });
  (cors.allowHeaders ?? []).forEach((h, i) => checkHeaderName(scope, `${prop}.allowHeaders[${i}]`, h));
  (cors.exposeHeaders ?? []).forEach((h, i) => checkHeaderName(scope, `${prop}.exposeHeaders[${i}]`, h));
  if (cors.unmatchedPreflights !== undefined && !PREFLIGHTS.includes(cors.unmatchedPreflights)) {
    throwPropError(scope, `${prop}.unmatchedPreflights`, cors.unmatchedPreflights, `one of ${PREFLIGHTS.join(', ')}`);
  }
  let maxAge: string | undefined;
  if (cors.maxAge) {
    maxAge = renderDuration(scope, `${prop}.maxAge`, cors.maxAge);
    if (cors.maxAge.toMilliseconds() % 1000 !== 0) {
      throwPropError(scope, `${prop}.maxAge`, maxAge, 'Istio takes maxAge in whole seconds');
    }
  }
  return {
    allowOrigins: cors.allowOrigins?.map((o, i) => o._render(scope, `${prop}.allowOrigins[${i}]`)),
    allowMethods: cors.allowMethods ? [...cors.allowMethods] : undefined,
    allowHeaders: cors.allowHeaders ? [...cors.allowHeaders] : undefined,
    exposeHeaders: cors.exposeHeaders ? [...cors.exposeHeaders] : undefined,
    maxAge,
    allowCredentials: cors.allowCredentials,
    unmatchedPreflights: cors.unmatchedPreflights as string as l1.VirtualServiceSpecHttpCorsPolicyUnmatchedPreflights | undefined,
  };
}

function renderMatchMap(
  scope: IConstruct, prop: string, map: { [name: string]: StringMatch } | undefined, checkKey: (prop: string, key: string) => void,
): Record<string, StringMatchJson> | undefined {
  if (!map) return undefined;
  const out: Record<string, StringMatchJson> = {};
  for (const [key, match] of Object.entries(map)) {
    checkKey(`${prop} key`, key);
    out[key] = match._render(scope, `${prop}["${key}"]`);
  }
  return out;
}

export function renderHttpMatch(scope: IConstruct, prop: string, match: HttpMatchRequest): l1.VirtualServiceSpecHttpMatch {
  if (match.port !== undefined) checkPortNumber(scope, `${prop}.port`, match.port, A_PORT_IS);
  if (match.sourceLabels) checkLabels(scope, `${prop}.sourceLabels`, match.sourceLabels);
  if (match.sourceNamespace !== undefined) checkNamespace(scope, `${prop}.sourceNamespace`, match.sourceNamespace);
  const gateways = renderGatewayList(scope, `${prop}.gateways`, match.gateways, match.gatewayNames);
  const headerKey = (p: string, k: string) => checkMatchHeaderName(scope, p, k);
  const queryKey = (p: string, k: string) => {
    if (!k) throwPropError(scope, p, k, 'a query parameter name must not be empty');
  };
  for (const [key, m] of Object.entries(match.queryParams ?? {})) {
    if (m.matchType === StringMatchType.PREFIX) {
      throwPropError(scope, `${prop}.queryParams["${key}"]`, m.toString(), 'query parameters match by exact or regex only');
    }
  }
  return {
    name: match.name,
    uri: match.uri?._render(scope, `${prop}.uri`),
    scheme: match.scheme?._render(scope, `${prop}.scheme`),
    method: match.method?._render(scope, `${prop}.method`),
    authority: match.authority?._render(scope, `${prop}.authority`),
    headers: renderMatchMap(scope, `${prop}.headers`, match.headers, headerKey),
    withoutHeaders: renderMatchMap(scope, `${prop}.withoutHeaders`, match.withoutHeaders, headerKey),
    queryParams: renderMatchMap(scope, `${prop}.queryParams`, match.queryParams, queryKey),
    ignoreUriCase: match.ignoreUriCase,
    port: match.port,
    sourceLabels: match.sourceLabels ? { ...match.sourceLabels } : undefined,
    sourceNamespace: match.sourceNamespace,
    gateways: gateways.length > 0 ? gateways : undefined,
    statPrefix: match.statPrefix,
  };
}

function renderCommonL4(scope: IConstruct, prop: string, match: L4MatchAttributes | TlsMatchAttributes) {
  if (match.port !== undefined) checkPortNumber(scope, `${prop}.port`, match.port, A_PORT_IS);
  (match.destinationSubnets ?? []).forEach((s, i) => checkSubnet(scope, `${prop}.destinationSubnets[${i}]`, s));
  if (match.sourceLabels) checkLabels(scope, `${prop}.sourceLabels`, match.sourceLabels);
  if (match.sourceNamespace !== undefined) checkNamespace(scope, `${prop}.sourceNamespace`, match.sourceNamespace);
  const gateways = renderGatewayList(scope, `${prop}.gateways`, match.gateways, match.gatewayNames);
  return {
    port: match.port,
    destinationSubnets: match.destinationSubnets ? [...match.destinationSubnets] : undefined,
    sourceLabels: match.sourceLabels ? { ...match.sourceLabels } : undefined,
    sourceNamespace: match.sourceNamespace,
    gateways: gateways.length > 0 ? gateways : undefined,
  };
}

export function renderL4Match(scope: IConstruct, prop: string, match: L4MatchAttributes): l1.VirtualServiceSpecTcpMatch {
  if (match.sourceSubnet !== undefined) checkSubnet(scope, `${prop}.sourceSubnet`, match.sourceSubnet);
  return { ...renderCommonL4(scope, prop, match), sourceSubnet: match.sourceSubnet };
}

/**
 * A TLS match; every SNI host must be covered by one of `hosts` (the
 * VirtualService's hosts at the time), as Istio requires.
 */
export function renderTlsMatch(scope: IConstruct, prop: string, match: TlsMatchAttributes, hosts: readonly string[]): l1.VirtualServiceSpecTlsMatch {
  if (!match.sniHosts || match.sniHosts.length === 0) {
    throwPropError(scope, `${prop}.sniHosts`, match.sniHosts, 'a TLS match needs at least one SNI host');
  }
  match.sniHosts.forEach((sni, i) => {
    checkHost(scope, `${prop}.sniHosts[${i}]`, sni, { allowStar: true, allowIp: false });
    if (!hosts.some(h => hostCovers(h, sni))) {
      throwPropError(scope, `${prop}.sniHosts[${i}]`, sni,
        `every SNI host must be one of the VirtualService hosts or covered by a wildcard host (hosts: ${JSON.stringify(hosts)}); add it to hosts first`);
    }
  });
  return { ...renderCommonL4(scope, prop, match), sniHosts: [...match.sniHosts] };
}
