/**
 * What the Gateway API renderings share: a Kubernetes Service named by a host, the
 * ReferenceGrants that a cross-namespace reference needs, and Gateway API durations.
 *
 * Internal module: not re-exported from the package root.
 */
import { Duration } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as gw from '../../../imports/gateway.networking.k8s.io';
import { renderDuration } from '../../core/duration';
import { throwPropError } from '../../core/errors';
import { isDnsLabel } from '../../core/names';
import { modeRefusal } from '../../core/output-mode';
import { CLUSTER_DOMAIN } from '../../networking/vs-checks';

/** A Service as a Gateway API reference names it. */
export interface ServiceRef {
  readonly name: string;
  /** Undefined: the referring object's namespace. */
  readonly namespace?: string;
}

/**
 * The Service of a host: `reviews` (the referring object's namespace) or
 * `reviews.bookinfo.svc.cluster.local`. Anything else (a ServiceEntry host, an
 * external name) is refused: a Gateway API backendRef or parentRef names a Service.
 */
export function serviceOfHost(scope: IConstruct, prop: string, host: string): ServiceRef {
  const lower = host.toLowerCase().replace(/\.$/, '');
  if (isDnsLabel(lower)) return { name: lower };
  const suffix = `.${CLUSTER_DOMAIN}`;
  if (lower.endsWith(suffix)) {
    const labels = lower.slice(0, -suffix.length).split('.');
    if (labels.length === 2 && labels.every(isDnsLabel)) return { name: labels[0], namespace: labels[1] };
  }
  throw new Error(modeRefusal(scope, prop, host, 'a route to a host that is not a Kubernetes Service',
    `Gateway API parentRefs and backendRefs name a Service: give "<service>" or "<service>.<namespace>.${CLUSTER_DOMAIN}"`));
}

/** A Gateway API Duration (GEP-2257: up to 4 `<n>h|m|s|ms` parts, whole milliseconds). */
export function gatewayApiDuration(scope: IConstruct, prop: string, duration: Duration): string {
  renderDuration(scope, prop, duration); // whole milliseconds, at least 1ms
  let ms = duration.toMilliseconds();
  const parts: string[] = [];
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    const n = Math.floor(ms / size);
    ms -= n * size;
    if (n > 0) parts.push(`${n}${unit}`);
  }
  const text = parts.join('');
  if (!/^([0-9]{1,5}(h|m|s|ms)){1,4}$/.test(text)) {
    throwPropError(scope, prop, text, 'a Gateway API duration has at most 5 digits of hours (GEP-2257)');
  }
  return text;
}

/**
 * ReferenceGrants for references from `fromKind` objects in `fromNamespace` to
 * objects of `toKind` (group `toGroup`) in other namespaces: one per target
 * namespace, in that namespace, made under `scope` with ids `grant-<namespace>`.
 * Without a known namespace on the referring side nothing can be granted, and a
 * reference with no namespace stays in the referrer's.
 */
export function referenceGrants(scope: Construct, name: string, fromGroup: string, fromKind: string, fromNamespace: string | undefined,
  toGroup: string, toKind: string, targets: Array<{ namespace?: string; name?: string }>): gw.ReferenceGrant[] {
  const byNamespace = new Map<string, Set<string | undefined>>();
  for (const t of targets) {
    if (t.namespace === undefined || t.namespace === fromNamespace) continue;
    const names = byNamespace.get(t.namespace) ?? new Set<string | undefined>();
    names.add(t.name);
    byNamespace.set(t.namespace, names);
  }
  const grants: gw.ReferenceGrant[] = [];
  for (const [namespace, names] of byNamespace) {
    if (fromNamespace === undefined) {
      throwPropError(scope, 'namespace', undefined,
        `a reference to a ${toKind} in namespace "${namespace}" needs a ReferenceGrant from the referring namespace: give the chart or the construct a namespace`);
    }
    const to = names.has(undefined) ? [{ group: toGroup, kind: toKind }] : [...names].map(n => ({ group: toGroup, kind: toKind, name: n }));
    grants.push(new gw.ReferenceGrant(scope, `grant-${namespace}`, {
      metadata: { name: `${name}-from-${fromNamespace}`.slice(0, 253), namespace },
      spec: { from: [{ group: fromGroup, kind: fromKind, namespace: fromNamespace }], to },
    }));
  }
  return grants;
}
