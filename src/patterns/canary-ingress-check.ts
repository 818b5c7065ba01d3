/**
 * The cross-check of a CanaryRelease against the other VirtualServices of the app:
 * an ingress route to the service that bypasses the split (Istio's IST0140).
 * Internal: not re-exported from the package root.
 */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { IndexQueries } from '../core/cross-check';
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
export function ingressBypasses(index: IndexQueries, target: IngressCheckTarget): string[] {
  const stable = resolveHost(target.host, target.namespace);
  const errors: string[] = [];
  // the index's routes by destination host: only this host's routes, not every VirtualService
  for (const { virtualService, kind, rule: i, route: j, destination: d, gateways } of index.routesTo(stable)) {
    if (virtualService.apiObject === target.own) continue;
    const ingress = gateways.filter(g => g !== MESH_GATEWAY);
    if (ingress.length === 0) continue;
    if (target.subsetLevel && typeof d.subset === 'string') continue;
    const fix = target.subsetLevel
      ? `or give it subset ${target.subsets.map(s => `"${s}"`).join(' or ')} explicitly`
      : 'or route it to the canary host explicitly';
    const code = target.subsetLevel ? 'IST0140 IngressRouteRulesNotAffected' : 'as IST0140 IngressRouteRulesNotAffected reports for subset splits';
    errors.push(constructMessage(target.scope,
      `VirtualService '${ownerPath(virtualService.apiObject)}' (gateways ${ingress.join(', ')}) routes host "${d.host}" at ${kind}[${i}].route[${j}] `
      + 'past the canary split: a gateway applies only the VirtualServices bound to it, so the split of the mesh VirtualService is ignored '
      + `for ingress traffic (${code}). Bind the gateway to the CanaryRelease (gateways + gatewayHosts) `
      + `and drop this route, ${fix}`));
  }
  return errors;
}

/** The path of the construct that made an object (the L2 for an L2's `Resource`). */
function ownerPath(obj: IConstruct): string {
  return obj.node.id === 'Resource' && obj.node.scope ? obj.node.scope.node.path : obj.node.path;
}
