import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as l1 from '../../imports/gateway.networking.k8s.io';
import { throwPropError } from '../core/errors';
import { IIstioResource, IstioResource, IstioResourceProps } from '../core/istio-resource';
import { isDnsLabel } from '../core/names';
import { Principal } from '../core/principal';
import { PolicyTargetRef } from '../core/target-ref';

/** The label that enrolls a namespace, Service, ServiceEntry or pod in a waypoint. */
const USE_WAYPOINT_LABEL = 'istio.io/use-waypoint';
/** The label naming the namespace of the waypoint, when it is not the enrolled object's. */
const USE_WAYPOINT_NAMESPACE_LABEL = 'istio.io/use-waypoint-namespace';
/** The label on the waypoint's Gateway that says which traffic it takes. */
const WAYPOINT_FOR_LABEL = 'istio.io/waypoint-for';
/** The label that lets ingress gateways send a Service's traffic through its waypoint too. */
const INGRESS_USE_WAYPOINT_LABEL = 'istio.io/ingress-use-waypoint';
/** The GatewayClass of waypoints. */
const WAYPOINT_GATEWAY_CLASS = 'istio-waypoint';

/**
 * Which traffic a waypoint processes (its `istio.io/waypoint-for` label).
 * @see https://istio.io/latest/docs/ambient/usage/waypoint/#waypoint-traffic-types
 */
export enum WaypointFor {
  /** Traffic addressed to the Services (and ServiceEntries) enrolled in it: Istio's default. */
  SERVICE = 'service',
  /** Traffic addressed to the pods' IPs (pods enrolled in it). */
  WORKLOAD = 'workload',
  /** Both service and workload traffic. */
  ALL = 'all',
  /** No traffic (a waypoint deployed but not in any path). */
  NONE = 'none',
}

/** Options of `IWaypoint.enroll()`. */
export interface WaypointEnrollOptions {
  /**
   * Ingress gateways send the traffic to the enrolled Service (ServiceEntry, or every
   * Service of the enrolled Namespace) through the waypoint too
   * (`istio.io/ingress-use-waypoint: "true"`), so that the waypoint's L7 policies and
   * routes apply to it. Without it an ingress gateway calls the pods directly, and
   * only ztunnel's L4 policies see its traffic.
   *
   * @see https://istio.io/latest/docs/ambient/usage/l7-features/
   * @default false
   */
  readonly ingress?: boolean;
}

/** A waypoint: what policies, routes and enrolments refer to. */
export interface IWaypoint extends IIstioResource {
  /** Which traffic it processes. */
  readonly waypointFor: WaypointFor;
  /**
   * The waypoint's own mTLS identity, `cluster.local/ns/<namespace>/sa/<name>`: istiod
   * runs a waypoint as the service account named after its Gateway. Once a waypoint is in
   * the path, the destination's ztunnel sees this identity, not the client's.
   */
  readonly principal: Principal;
  /** A `targetRefs` entry for policies attached to the waypoint itself. */
  readonly targetRef: PolicyTargetRef;
  /**
   * Sends the traffic of a namespace, Service, ServiceEntry or Pod through the waypoint:
   * labels it `istio.io/use-waypoint` (and `istio.io/use-waypoint-namespace` when it is
   * in another namespace).
   *
   * @param target a Namespace, Service, ServiceEntry or Pod construct (an L1 ApiObject,
   *   a cdk8s-plus construct, or this library's ServiceEntry)
   * @param options whether ingress gateways use the waypoint too
   */
  enroll(target: IConstruct, options?: WaypointEnrollOptions): void;
}

/** Props of a Waypoint. */
export interface WaypointProps extends IstioResourceProps {
  /**
   * Which traffic it processes (the `istio.io/waypoint-for` label).
   *
   * @see https://istio.io/latest/docs/ambient/usage/waypoint/#waypoint-traffic-types
   * @default WaypointFor.SERVICE
   */
  readonly waypointFor?: WaypointFor;

  /**
   * Lets namespaces other than its own use the waypoint (`allowedRoutes.namespaces.from:
   * All` on its listener), e.g. a shared egress waypoint. Istio ignores enrolments from
   * other namespaces unless the waypoint allows them.
   *
   * @see https://istio.io/latest/docs/ambient/usage/waypoint/#usewaypointnamespace
   * @default false (only its own namespace)
   */
  readonly allowOtherNamespaces?: boolean;
}

/**
 * A waypoint proxy (ambient mode): a Kubernetes Gateway API `Gateway` of class
 * `istio-waypoint` with the HBONE listener `{name: mesh, port: 15008, protocol: HBONE}`
 * and the label `istio.io/waypoint-for` (`service` by default). istiod deploys it as a
 * Deployment and ServiceAccount named after the Gateway.
 *
 * A waypoint takes no traffic until something is enrolled in it: `enroll()` labels a
 * namespace, Service, ServiceEntry or Pod `istio.io/use-waypoint`. Policies enforced by the
 * waypoint (L7: methods, paths, headers, JWT claims) attach with `targetRefs` to the
 * enrolled Service or ServiceEntry, or to the waypoint (`waypoint.targetRef`). L4 policies
 * with a `selector` stay with ztunnel, which then sees the waypoint's identity
 * (`waypoint.principal`) for traffic that went through it: allow it there.
 *
 * @see https://istio.io/latest/docs/ambient/usage/waypoint/
 */
export class Waypoint extends IstioResource implements IWaypoint {
  /**
   * A waypoint that exists already (deployed elsewhere, e.g. with `istioctl waypoint apply`).
   *
   * @param scope the parent construct
   * @param id the construct id
   * @param name the Gateway's name
   * @param namespace the Gateway's namespace
   * @param waypointFor its traffic type, default `service`
   */
  public static fromWaypointName(scope: Construct, id: string, name: string, namespace: string, waypointFor?: WaypointFor): IWaypoint {
    return new ImportedWaypoint(scope, id, name, namespace, waypointFor ?? WaypointFor.SERVICE);
  }

  /** The L1 Gateway. */
  public readonly apiObject: l1.Gateway;
  /** Which traffic it processes. */
  public readonly waypointFor: WaypointFor;
  /** True when other namespaces may use it. */
  public readonly allowOtherNamespaces: boolean;

  public constructor(scope: Construct, id: string, props: WaypointProps = {}) {
    super(scope, id, props);
    this.waypointFor = props.waypointFor ?? WaypointFor.SERVICE;
    if (!Object.values(WaypointFor).includes(this.waypointFor)) {
      throwPropError(this, 'waypointFor', this.waypointFor, `one of ${Object.values(WaypointFor).join(', ')}`);
    }
    if (!isDnsLabel(this.name)) {
      throwPropError(this, 'metadata.name', this.name, 'a waypoint\'s name names its Deployment, Service and ServiceAccount: a DNS label (lower case letters, digits and "-", at most 63 characters)');
    }
    this.allowOtherNamespaces = props.allowOtherNamespaces ?? false;
    const labels = { ...props.metadata?.labels };
    if (labels[WAYPOINT_FOR_LABEL] !== undefined) {
      throwPropError(this, `metadata.labels["${WAYPOINT_FOR_LABEL}"]`, labels[WAYPOINT_FOR_LABEL], 'set by waypointFor');
    }
    labels[WAYPOINT_FOR_LABEL] = this.waypointFor;
    this.apiObject = new l1.Gateway(this, 'Resource', {
      metadata: { ...this.resourceMetadata(props), labels },
      spec: Lazy.any({ produce: () => this.renderSpec() }),
    });
  }

  public get principal(): Principal {
    return waypointPrincipal(this, this.name, this.namespace);
  }

  public get targetRef(): PolicyTargetRef {
    return PolicyTargetRef.gateway(this.name, this.namespace);
  }

  public enroll(target: IConstruct, options: WaypointEnrollOptions = {}): void {
    enroll(this, target, options);
  }

  private renderSpec(): l1.GatewaySpec {
    return {
      gatewayClassName: WAYPOINT_GATEWAY_CLASS,
      listeners: [{
        name: 'mesh',
        port: 15008,
        protocol: 'HBONE',
        allowedRoutes: this.allowOtherNamespaces ? { namespaces: { from: l1.GatewaySpecListenersAllowedRoutesNamespacesFrom.ALL } } : undefined,
      }],
    };
  }
}

class ImportedWaypoint extends Construct implements IWaypoint {
  public readonly allowOtherNamespaces = true;

  constructor(
    scope: Construct, id: string,
    public readonly name: string, public readonly namespace: string, public readonly waypointFor: WaypointFor,
  ) {
    super(scope, id);
    if (!isDnsLabel(name)) throwPropError(this, 'name', name, 'a DNS label (lower case letters, digits and "-", at most 63 characters)');
    if (!isDnsLabel(namespace)) throwPropError(this, 'namespace', namespace, 'a DNS label (lower case letters, digits and "-", at most 63 characters)');
  }

  public get principal(): Principal {
    return Principal.serviceAccount(this.namespace, this.name);
  }

  public get targetRef(): PolicyTargetRef {
    return PolicyTargetRef.gateway(this.name, this.namespace);
  }

  public enroll(target: IConstruct, options: WaypointEnrollOptions = {}): void {
    enroll(this, target, options);
  }
}

function waypointPrincipal(scope: IConstruct, name: string, namespace: string | undefined): Principal {
  if (namespace === undefined) {
    throwPropError(scope, 'metadata.namespace', undefined, 'the waypoint\'s identity (cluster.local/ns/<namespace>/sa/<name>) needs its namespace: set metadata.namespace or create it in a chart with a namespace');
  }
  return Principal.serviceAccount(namespace, name);
}

const ENROLLABLE = ['Namespace', 'Service', 'ServiceEntry', 'Pod'];

/** What a waypoint of each traffic type takes: enrolling anything else is refused. */
function accepts(waypointFor: WaypointFor, kind: string): boolean {
  switch (waypointFor) {
    case WaypointFor.SERVICE: return kind !== 'Pod';
    case WaypointFor.WORKLOAD: return kind !== 'Service' && kind !== 'ServiceEntry';
    case WaypointFor.ALL: return true;
    default: return false;
  }
}

/** Labels a target `istio.io/use-waypoint` (shared by Waypoint and imported waypoints). */
function enroll(waypoint: IWaypoint & { readonly allowOtherNamespaces: boolean }, target: IConstruct, options: WaypointEnrollOptions): void {
  const at = `enroll(${target?.node?.path ?? target})`;
  let obj: ApiObject;
  try {
    obj = ApiObject.of(target);
  } catch {
    throwPropError(waypoint, at, String(target?.node?.path ?? target), 'pass a Namespace, Service, ServiceEntry or Pod construct (an ApiObject, a cdk8s-plus construct, or a ServiceEntry)');
  }
  if (!ENROLLABLE.includes(obj.kind)) {
    throwPropError(waypoint, at, `${obj.kind} ${obj.name}`, `only a ${ENROLLABLE.join(', ')} can use a waypoint (label it istio.io/use-waypoint); for a Deployment, enroll its Service, or its pods through WaypointFor.WORKLOAD`);
  }
  if (!accepts(waypoint.waypointFor, obj.kind)) {
    throwPropError(waypoint, at, `${obj.kind} ${obj.name}`, waypoint.waypointFor === WaypointFor.NONE
      ? 'a waypoint for "none" takes no traffic: give it waypointFor service, workload or all'
      : `a waypoint for "${waypoint.waypointFor}" traffic ignores a ${obj.kind}'s traffic: use WaypointFor.${obj.kind === 'Pod' ? 'WORKLOAD' : 'SERVICE'} or WaypointFor.ALL`);
  }
  const ns = obj.kind === 'Namespace' ? obj.name : obj.metadata.namespace ?? Chart.of(obj).namespace;
  const existing = obj.metadata.getLabel(USE_WAYPOINT_LABEL);
  if (existing !== undefined && existing !== waypoint.name) {
    throwPropError(waypoint, at, `${obj.kind} ${obj.name}`, `it is enrolled in the waypoint "${existing}" already (label ${USE_WAYPOINT_LABEL}); an object uses one waypoint`);
  }
  if (ns !== waypoint.namespace) {
    if (ns === undefined || waypoint.namespace === undefined) {
      throwPropError(waypoint, at, `${obj.kind} ${obj.name}`, 'the namespaces of the waypoint and of the enrolled object must both be known (set metadata.namespace or the chart\'s namespace), to tell whether istio.io/use-waypoint-namespace is needed');
    }
    if (!waypoint.allowOtherNamespaces) {
      throwPropError(waypoint, at, `${obj.kind} ${obj.name} in namespace "${ns}"`, `the waypoint is in namespace "${waypoint.namespace}" and only takes its own namespace's traffic: set allowOtherNamespaces: true on it (allowedRoutes.namespaces.from: All)`);
    }
    obj.metadata.addLabel(USE_WAYPOINT_NAMESPACE_LABEL, waypoint.namespace);
  }
  if (options.ingress === true) {
    if (obj.kind === 'Pod') {
      throwPropError(waypoint, `${at}.ingress`, true, 'ingress gateways call Services: enroll the Service (or the Namespace) with ingress: true, not a Pod');
    }
    obj.metadata.addLabel(INGRESS_USE_WAYPOINT_LABEL, 'true');
  }
  obj.metadata.addLabel(USE_WAYPOINT_LABEL, waypoint.name);
}
