/**
 * The cross-check of a CanaryRelease against the other VirtualServices of the app:
 * an ingress route to the service that bypasses the split (Istio's IST0140).
 * Internal: not re-exported from the package root.
 */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ManifestIndex } from '../core/cross-check';
import { constructMessage } from '../core/errors';
import { MESH_GATEWAY, resolveHost } from '../networking/vs-checks';

/** What the check needs to know of the CanaryRelease. */
export interface IngressCheckTarget {
  /** The CanaryRelease, for messages. */
  readonly scope: IConstruct;
  /** The CanaryRelease's VirtualService object (skipped: it carries the split). */
  readonly own: ApiObject;
  /** The stable host as written, and its namespace. */
  readonly host: string;
  readonly namespace?: string;
  /** Whether the split is by subsets (a destination with a subset is then a deliberate choice). */
  readonly subsetLevel: boolean;
  /** The subset names, for the advice. */
  readonly subsets: string[];
}

/**
 * Every other VirtualService of the app bound to a gateway (not only `mesh`) that
 * routes the stable host without a subset: at the gateway, Istio applies only the
 * VirtualServices bound to it, so the split made for the mesh is ignored there
 * (IST0140 when the split is by subsets; the same holds for a host-level split).
 */
export function ingressBypasses(index: ManifestIndex, target: IngressCheckTarget): string[] {
  const stable = resolveHost(target.host, target.namespace);
  const errors: string[] = [];
  for (const entry of index.ofKind('VirtualService')) {
    if (entry.apiObject === target.own) continue;
    const json = entry.json;
    if (!String(json?.apiVersion ?? '').startsWith('networking.istio.io/')) continue;
    const spec = json?.spec ?? {};
    const namespace: string | undefined = json?.metadata?.namespace;
    const vsGateways = strings(spec.gateways);
    for (const kind of ['http', 'tcp', 'tls']) {
      list(spec[kind]).forEach((rule: any, i: number) => {
        const ingress = ruleGateways(rule, vsGateways).filter(g => g !== MESH_GATEWAY);
        if (ingress.length === 0) return;
        list(rule?.route).forEach((route: any, j: number) => {
          const d = route?.destination;
          if (typeof d?.host !== 'string' || resolveHost(d.host, namespace) !== stable) return;
          if (target.subsetLevel && typeof d.subset === 'string') return;
          const fix = target.subsetLevel
            ? `or give it subset ${target.subsets.map(s => `"${s}"`).join(' or ')} explicitly`
            : 'or route it to the canary host explicitly';
          const code = target.subsetLevel ? 'IST0140 IngressRouteRulesNotAffected' : 'as IST0140 IngressRouteRulesNotAffected reports for subset splits';
          errors.push(constructMessage(target.scope,
            `VirtualService '${ownerPath(entry.apiObject)}' (gateways ${ingress.join(', ')}) routes host "${d.host}" at ${kind}[${i}].route[${j}] `
            + 'past the canary split: a gateway applies only the VirtualServices bound to it, so the split of the mesh VirtualService is ignored '
            + `for ingress traffic (${code}). Bind the gateway to the CanaryRelease (gateways + gatewayHosts) `
            + `and drop this route, ${fix}`));
        });
      });
    }
  }
  return errors;
}

/**
 * The gateways a rule applies to: the union of its matches' `gateways` when every
 * match names some, the VirtualService's otherwise (`mesh` when none is listed).
 */
function ruleGateways(rule: any, vsGateways: string[]): string[] {
  const matches = list(rule?.match);
  if (matches.length > 0 && matches.every((m: any) => strings(m?.gateways).length > 0)) {
    return [...new Set(matches.flatMap((m: any) => strings(m.gateways)))];
  }
  return vsGateways.length > 0 ? vsGateways : [MESH_GATEWAY];
}

function list(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

function strings(value: unknown): string[] {
  return list(value).filter((v): v is string => typeof v === 'string');
}

/** The path of the construct that made an object (the L2 for an L2's `Resource`). */
function ownerPath(obj: IConstruct): string {
  return obj.node.id === 'Resource' && obj.node.scope ? obj.node.scope.node.path : obj.node.path;
}
