/**
 * The Gateway API rendering of a CanaryRelease (`ApiMode.GATEWAY_API`): an HTTPRoute,
 * GRPCRoute, TCPRoute or TLSRoute with weighted `backendRefs` to one Service per
 * version; its parent is the Service clients call (GAMMA, the mesh), and, with
 * gateways, a second route's parents are the ingress Gateways (class `istio`).
 * What the Gateway API cannot express is refused here, before any object is made.
 *
 * Internal module: not re-exported from the package root.
 */
import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { gatewayApiDuration, ServiceGrants, ServiceRef, serviceOfHost } from './service-ref';
import * as gw from '../../../imports/gateway.networking.k8s.io';
import { modeRefusal } from '../../core/output-mode';
import { isOpaqueTcpProtocol, isTlsProtocol, Protocol } from '../../core/protocol';
import { HttpFaultInjection, HttpRetry } from '../../networking/http-policies';
import { CanaryMatch } from '../canary-match';

/** A parent Gateway (Gateway API), by name and namespace. */
export interface GatewayParent {
  readonly name: string;
  readonly namespace?: string;
}

/** What the rendering needs of the CanaryRelease, resolved and checked. */
export interface CanaryRoutesPlan {
  readonly name: string;
  readonly namespace?: string;
  /** The Service clients call: the mesh route's parent. */
  readonly host: string;
  readonly stableHost: string;
  readonly canaryHost: string;
  readonly port?: number;
  readonly stableWeight: number;
  readonly canaryWeight: number;
  readonly protocol: Protocol;
  readonly sniHosts?: string[];
  readonly canaryMatches?: CanaryMatch[];
  readonly mirrorPercentage?: number;
  readonly timeout?: Duration;
  readonly retries?: HttpRetry;
  readonly fault?: HttpFaultInjection;
  readonly gateways: GatewayParent[];
  readonly gatewayHosts: string[];
}

/** The objects made. */
export interface CanaryRoutes {
  /** The mesh route (parent: the Service), id `Route`. */
  readonly meshRoute: ApiObject;
  /** With gateways: the ingress route (parents: the Gateways), id `IngressRoute`. */
  readonly ingressRoute?: ApiObject;
  /** ReferenceGrants for backends or parents in other namespaces. */
  readonly referenceGrants: ApiObject[];
}

const CORE = '';
const GATEWAY_GROUP = 'gateway.networking.k8s.io';

/** Refuses what the Gateway API cannot express, then makes the routes. */
export function renderCanaryRoutes(scope: Construct, plan: CanaryRoutesPlan): CanaryRoutes {
  const kind = routeKind(plan.protocol);
  refuseInexpressible(scope, plan, kind);
  if (plan.port === undefined) {
    throw new Error(modeRefusal(scope, 'port', undefined, 'a backendRef to a Service without a port',
      'the Gateway API requires the port of every Service backend: give port (the service port, e.g. 9080)'));
  }
  const parent = serviceOfHost(scope, 'host', plan.host);
  const stable = serviceOfHost(scope, plan.stableHost === plan.host ? 'host' : 'stableHost', plan.stableHost);
  const canary = serviceOfHost(scope, 'canaryHost', plan.canaryHost);
  const port = plan.port;
  const backend = (svc: ServiceRef, weight: number) => ({ name: svc.name, namespace: svc.namespace, port, weight });
  const backendRefs = [backend(stable, plan.stableWeight), backend(canary, plan.canaryWeight)];
  const rules = buildRules(scope, plan, kind, backendRefs, canary);

  const meshParents = [{ group: CORE, kind: 'Service', name: parent.name, namespace: parent.namespace, port: kind === 'TCPRoute' || kind === 'TLSRoute' ? port : undefined }];
  const meshRoute = makeRoute(scope, 'Route', kind, plan.name, plan.namespace, meshParents,
    kind === 'TLSRoute' ? plan.sniHosts ?? [plan.host] : undefined, rules);

  let ingressRoute: ApiObject | undefined;
  if (plan.gateways.length > 0) {
    const parents = plan.gateways.map(g => ({ group: GATEWAY_GROUP, kind: 'Gateway', name: g.name, namespace: g.namespace }));
    const hostnames = kind === 'TCPRoute' ? undefined : kind === 'TLSRoute' ? plan.sniHosts ?? plan.gatewayHosts : plan.gatewayHosts;
    ingressRoute = makeRoute(scope, 'IngressRoute', kind, `${plan.name}-ingress`, plan.namespace, parents, hostnames, rules);
  }

  // backends in other namespaces need a grant there (a parent Gateway's listener admits routes by allowedRoutes instead)
  const grants = new ServiceGrants(scope, plan.name, plan.namespace);
  for (const svc of [stable, canary]) grants.add(svc.namespace, kind, svc.name);
  return { meshRoute, ingressRoute, referenceGrants: grants.objects };
}

type RouteKind = 'HTTPRoute' | 'GRPCRoute' | 'TCPRoute' | 'TLSRoute';

function routeKind(protocol: Protocol): RouteKind {
  if (isOpaqueTcpProtocol(protocol)) return 'TCPRoute';
  if (isTlsProtocol(protocol)) return 'TLSRoute';
  if (protocol === Protocol.GRPC) return 'GRPCRoute';
  return 'HTTPRoute'; // HTTP, HTTP2, GRPC-Web
}

function refuseInexpressible(scope: Construct, plan: CanaryRoutesPlan, kind: RouteKind): void {
  if (plan.fault !== undefined) {
    throw new Error(modeRefusal(scope, 'fault', plan.fault, 'fault injection (delays and aborts)',
      `${kind} has no fault filter: leave fault out (inject faults with a VirtualService in a chart of ApiMode.ISTIO)`));
  }
  if (kind === 'GRPCRoute') {
    for (const prop of ['timeout', 'retries'] as const) {
      if (plan[prop] !== undefined) {
        throw new Error(modeRefusal(scope, prop, plan.protocol, `${prop} on a gRPC service`,
          `GRPCRoute (Gateway API v1.5) has no ${prop === 'timeout' ? 'timeouts' : 'retry'} field: leave ${prop} out, or use protocol HTTP2 for an HTTPRoute`));
      }
    }
  }
  const r = plan.retries;
  if (r !== undefined) {
    const unsupported: Array<[string, unknown, string]> = [
      ['retries.retryOn', r.retryOn, 'retry conditions (Envoy retry-on tokens); HTTPRoute retries on status codes only: give retryOnStatusCodes'],
      ['retries.retryRemoteLocalities', r.retryRemoteLocalities, 'retries in other localities'],
      ['retries.retryIgnorePreviousHosts', r.retryIgnorePreviousHosts, 'retries that skip the hosts already tried'],
    ];
    for (const [prop, value, feature] of unsupported) {
      if (value !== undefined) {
        throw new Error(modeRefusal(scope, prop, value, feature, 'HTTPRoute retry has attempts, backoff and codes only: leave it out'));
      }
    }
    if (r.perTryTimeout !== undefined && plan.timeout !== undefined && r.perTryTimeout.toMilliseconds() > plan.timeout.toMilliseconds()) {
      throw new Error(modeRefusal(scope, 'retries.perTryTimeout', r.perTryTimeout.toHumanString(), 'a per-try timeout longer than the request timeout',
        'HTTPRoute timeouts.backendRequest must not exceed timeouts.request: shorten perTryTimeout or lengthen timeout'));
    }
  }
}

function buildRules(scope: Construct, plan: CanaryRoutesPlan, kind: RouteKind, backendRefs: any[], canary: ServiceRef): any[] {
  if (kind === 'TCPRoute' || kind === 'TLSRoute') return [{ backendRefs }];
  const common: any = {};
  if (kind === 'HTTPRoute') {
    const timeouts: any = {};
    if (plan.timeout !== undefined) timeouts.request = gatewayApiDuration(scope, 'timeout', plan.timeout);
    if (plan.retries?.perTryTimeout !== undefined) timeouts.backendRequest = gatewayApiDuration(scope, 'retries.perTryTimeout', plan.retries.perTryTimeout);
    if (Object.keys(timeouts).length > 0) common.timeouts = timeouts;
    const r = plan.retries;
    if (r !== undefined) {
      const retry: any = {};
      if (r.attempts !== undefined) retry.attempts = r.attempts;
      if (r.backoff !== undefined) retry.backoff = gatewayApiDuration(scope, 'retries.backoff', r.backoff);
      if (r.retryOnStatusCodes !== undefined) retry.codes = [...r.retryOnStatusCodes];
      if (Object.keys(retry).length > 0) common.retry = retry;
    }
  }
  const rules: any[] = [];
  const matches = plan.canaryMatches ?? [];
  if (matches.length > 0) {
    rules.push({
      matches: matches.map((m, i) => ({ headers: headerMatches(scope, `canaryMatches[${i}]`, m) })),
      backendRefs: [{ ...backendRefs[1], weight: undefined }],
      ...common,
    });
  }
  const split: any = { backendRefs, ...common };
  if (plan.mirrorPercentage !== undefined) {
    const p = plan.mirrorPercentage;
    const decimals = Number.isInteger(p) ? 0 : Math.min((String(p).split('.')[1] ?? '').length, 6);
    split.filters = [{
      type: 'RequestMirror',
      requestMirror: {
        backendRef: { name: canary.name, namespace: canary.namespace, port: plan.port },
        ...(decimals === 0 ? { percent: p } : { fraction: { numerator: Math.round(p * 10 ** decimals), denominator: 100 * 10 ** decimals } }),
      },
    }];
  }
  rules.push(split);
  return rules;
}

/** A CanaryMatch as Gateway API header matches: exact or regex headers only. */
function headerMatches(scope: Construct, prop: string, match: CanaryMatch): any[] {
  const request = match._toHttpMatch(scope, prop);
  const other = Object.entries(request).filter(([k, v]) => k !== 'headers' && v !== undefined).map(([k]) => k);
  if (other.length > 0 || request.headers === undefined) {
    throw new Error(modeRefusal(scope, prop, match.toString(), `a canary match on ${other.join(', ') || 'no header'}`,
      'this rendering turns canaryMatches into header matches only: use CanaryMatch.header() or CanaryMatch.cookie()'));
  }
  return Object.entries(request.headers).map(([name, value]) => {
    const rendered = value._render(scope, `${prop}.headers.${name}`);
    if (rendered.prefix !== undefined) {
      throw new Error(modeRefusal(scope, `${prop}.headers.${name}`, value.toString(), 'a header prefix match',
        `Gateway API header matches are Exact or RegularExpression: use StringMatch.regex("^${rendered.prefix.replace(/[\\^$.*+?()[\]{}|]/g, c => `\\${c}`)}.*")`));
    }
    return rendered.exact !== undefined
      ? { type: 'Exact', name, value: rendered.exact }
      : { type: 'RegularExpression', name, value: rendered.regex };
  });
}

function makeRoute(scope: Construct, id: string, kind: RouteKind, name: string, namespace: string | undefined,
  parentRefs: any[], hostnames: string[] | undefined, rules: any[]): ApiObject {
  const metadata = { name, namespace };
  const spec: any = { parentRefs: parentRefs.map(clean), hostnames, rules: rules.map(clean) };
  switch (kind) {
    case 'HTTPRoute': return new gw.HttpRoute(scope, id, { metadata, spec });
    case 'GRPCRoute': return new gw.GrpcRoute(scope, id, { metadata, spec });
    case 'TCPRoute': return new gw.TcpRoute(scope, id, { metadata, spec: { parentRefs: spec.parentRefs, rules: spec.rules } });
    default: return new gw.TlsRoute(scope, id, { metadata, spec: { ...spec, hostnames: hostnames ?? [] } });
  }
}

/** Drops undefined fields, deeply (the L1 converters keep what they know). */
function clean(value: any): any {
  if (Array.isArray(value)) return value.map(clean);
  if (value === null || typeof value !== 'object') return value;
  const out: any = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = clean(v);
  return out;
}
