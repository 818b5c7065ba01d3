/**
 * What the Gateway API renderings share: a Kubernetes Service named by a host, the
 * ReferenceGrants that a cross-namespace reference needs, and Gateway API durations.
 *
 * Internal module: not re-exported from the package root.
 */
import { ApiObject, Duration, Lazy, Names } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as gw from '../../../imports/gateway.networking.k8s.io';
import { renderDuration } from '../../core/duration';
import { throwPropError } from '../../core/errors';
import { isDnsLabel } from '../../core/names';
import { modeRefusal } from '../../core/output-mode';
import { CLUSTER_DOMAIN } from '../../networking/vs-checks';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

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

/**
 * The name of a Gateway that Istio deploys (its Deployment and Service are
 * `<name>-istio`, which must be a DNS label): the construct path without hash.
 */
export function deployedGatewayName(scope: IConstruct): string {
  const name = Names.toDnsLabel(scope, { includeHash: false });
  if (`${name}-istio`.length > 63) {
    throwPropError(scope, 'id', scope.node.path,
      `Istio deploys the Gateway "${name}" as the Service "${name}-istio", longer than 63 characters: use a shorter construct path`);
  }
  return name;
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
 * The ReferenceGrants that let routes of one namespace send to Services of others:
 * one per target namespace, in that namespace (id `grant-<namespace>`, name
 * `<name>-from-<namespace>`), listing the route kinds and the Services, and growing
 * as references are added (the lists are rendered lazily).
 */
export class ServiceGrants {
  private readonly byNamespace = new Map<string, { kinds: Set<string>; names: Set<string>; grant: gw.ReferenceGrant }>();

  constructor(private readonly scope: Construct, private readonly name: string, private readonly fromNamespace: string | undefined) {}

  /** The grants made so far. */
  public get objects(): ApiObject[] {
    return [...this.byNamespace.values()].map(g => g.grant);
  }

  /** Grants routes of `kind` (in the routes' namespace) access to Service `service` of `namespace`; nothing for the same namespace. */
  public add(namespace: string | undefined, kind: string, service: string): void {
    if (namespace === undefined || namespace === this.fromNamespace) return;
    const from = this.fromNamespace;
    if (from === undefined) {
      throwPropError(this.scope, 'namespace', undefined,
        `a backend in namespace "${namespace}" needs a ReferenceGrant from the routes' namespace: give the construct or its chart a namespace`);
    }
    let entry = this.byNamespace.get(namespace);
    if (entry === undefined) {
      const kinds = new Set<string>();
      const names = new Set<string>();
      const grant = new gw.ReferenceGrant(this.scope, `grant-${namespace}`, {
        metadata: { name: `${this.name}-from-${from}`, namespace },
        spec: {
          from: Lazy.any({ produce: () => [...kinds].map(k => ({ group: GATEWAY_GROUP, kind: k, namespace: from })) }) as any,
          to: Lazy.any({ produce: () => [...names].map(n => ({ group: '', kind: 'Service', name: n })) }) as any,
        },
      });
      entry = { kinds, names, grant };
      this.byNamespace.set(namespace, entry);
    }
    entry.kinds.add(kind);
    entry.names.add(service);
  }
}
