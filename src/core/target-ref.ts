import { IConstruct } from 'constructs';
import { throwPropError } from './errors';
import { isDnsLabel, isDnsSubdomain } from './names';

const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

/** One rendered `targetRefs` entry. */
export interface PolicyTargetReference {
  /** The API group of the target (`""` for core). */
  readonly group: string;
  /** The kind of the target. */
  readonly kind: string;
  /** The name of the target. */
  readonly name: string;
}

/**
 * What a policy (AuthorizationPolicy, RequestAuthentication, Telemetry, WasmPlugin...)
 * attaches to through `targetRefs`, instead of a workload `selector`.
 *
 * Istio accepts exactly these kinds (its admission webhook rejects others):
 * a Gateway API `Gateway` or `GatewayClass` (group `gateway.networking.k8s.io`),
 * a `Service` (core group) and a `ServiceEntry` (group `networking.istio.io`). The
 * target must be in the policy's own namespace: the CRD rejects any `namespace` on
 * a target reference. A `GatewayClass` target only takes effect from a policy in
 * the root namespace (`istio-system` by default). `Service` and `ServiceEntry`
 * targets are enforced by waypoint proxies (ambient mode).
 *
 * @see https://istio.io/latest/docs/reference/config/type/workload-selector/#PolicyTargetReference
 */
export class PolicyTargetRef {
  /**
   * A Kubernetes Gateway API `Gateway` (an ingress/egress gateway or a waypoint).
   *
   * @param name the Gateway's name
   * @param namespace the Gateway's namespace, if known: it must be the policy's
   *   own namespace (cross-namespace references are not supported), and is
   *   checked against it rather than written out
   */
  public static gateway(name: string, namespace?: string): PolicyTargetRef {
    return new PolicyTargetRef(GATEWAY_API_GROUP, 'Gateway', checkName('PolicyTargetRef.gateway', name, false), namespace);
  }

  /**
   * A Kubernetes Gateway API `GatewayClass`: every Gateway of that class. Only
   * honoured for policies in the root namespace.
   *
   * @param name the GatewayClass name, e.g. `istio` or `istio-waypoint`
   */
  public static gatewayClass(name: string): PolicyTargetRef {
    return new PolicyTargetRef(GATEWAY_API_GROUP, 'GatewayClass', checkName('PolicyTargetRef.gatewayClass', name, false));
  }

  /**
   * A Kubernetes `Service` in the policy's namespace (enforced by its waypoint).
   *
   * @param name the Service's name
   */
  public static service(name: string): PolicyTargetRef {
    return new PolicyTargetRef('', 'Service', checkName('PolicyTargetRef.service', name, true));
  }

  /**
   * An Istio `ServiceEntry` in the policy's namespace (enforced by its waypoint).
   *
   * @param name the ServiceEntry's name
   */
  public static serviceEntry(name: string): PolicyTargetRef {
    return new PolicyTargetRef('networking.istio.io', 'ServiceEntry', checkName('PolicyTargetRef.serviceEntry', name, false));
  }

  private constructor(
    /** The API group of the target (`""` for the core group). */
    public readonly group: string,
    /** The kind of the target. */
    public readonly kind: string,
    /** The name of the target. */
    public readonly name: string,
    /** The namespace the target was said to be in, if given. */
    public readonly namespace?: string,
  ) {}

  /** `Kind group/name`, for messages. */
  public toString(): string {
    return `${this.kind} ${this.group ? `${this.group}/` : ''}${this.name}`;
  }

  /**
   * The entry for `targetRefs`, checked against the policy's namespace.
   * @internal
   */
  public _render(scope: IConstruct, prop: string, policyNamespace: string | undefined): PolicyTargetReference {
    if (this.namespace !== undefined && this.namespace !== policyNamespace) {
      throwPropError(scope, prop, `${this.namespace}/${this.name}`,
        `a target must be in the policy's own namespace (${policyNamespace ? `"${policyNamespace}"` : 'the policy has none set'}): Istio does not support cross-namespace targetRefs; create the policy in namespace "${this.namespace}"`);
    }
    return { group: this.group, kind: this.kind, name: this.name };
  }
}

/** Checks a name: a DNS label when `label`, else a DNS subdomain. */
function checkName(where: string, name: string, label: boolean): string {
  if (!(label ? isDnsLabel(name) : isDnsSubdomain(name))) {
    throw new Error(`${where}: invalid name ${JSON.stringify(name)}: must be a DNS ${label ? 'label' : 'subdomain'} (lower case letters, digits, "-"${label ? '' : ' and "."'}, at most ${label ? 63 : 253} characters)`);
  }
  return name;
}
