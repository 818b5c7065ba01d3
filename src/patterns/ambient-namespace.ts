import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { throwPropError } from '../core/errors';
import { isDnsLabel } from '../core/names';
import { IWaypoint } from '../networking/waypoint';

/** The label that puts a namespace or pod in the ambient data plane (or, with `none`, keeps a pod out). */
const DATAPLANE_MODE_LABEL = 'istio.io/dataplane-mode';

/**
 * Namespaces ambient mode does not apply to: the Istio CNI node agent skips istio-system
 * and kube-system (its chart's default `cni.excludeNamespaces`; istio-system runs the data
 * plane itself), and kube-public and kube-node-lease hold no workloads to enroll.
 */
const NO_AMBIENT = ['kube-system', 'kube-public', 'kube-node-lease', 'istio-system'];

/** Labels that decide the data plane of a namespace: they exclude the ambient label. */
const SIDECAR_LABELS = ['istio-injection', 'istio.io/rev'];

/** Props of an AmbientNamespace. */
export interface AmbientNamespaceProps {
  /**
   * The namespace to put in ambient mode (a Namespace object of that name is created).
   *
   * @default - the chart's namespace
   */
  readonly namespace?: string;

  /**
   * An existing Namespace construct to label instead of creating one: an L1 `ApiObject`
   * of kind Namespace or a cdk8s-plus `Namespace`. Excludes `namespace`.
   *
   * @default - a Namespace object is created
   */
  readonly namespaceObject?: IConstruct;

  /**
   * Enrolls the whole namespace in a waypoint (`istio.io/use-waypoint`): the traffic to its
   * Services then goes through the waypoint, which enforces L7 policies.
   *
   * @see https://istio.io/latest/docs/ambient/usage/waypoint/#configure-a-pod-to-use-a-specific-waypoint
   * @default - no waypoint: ztunnel only (mTLS and L4 policies)
   */
  readonly waypoint?: IWaypoint;

  /**
   * More labels for a Namespace created here (not `istio.io/dataplane-mode`, and not the
   * sidecar injection labels `istio-injection` or `istio.io/rev`, which would make it a
   * sidecar namespace).
   *
   * @default - the data plane label only
   */
  readonly namespaceLabels?: { [key: string]: string };
}

/**
 * Puts a namespace in Istio's ambient data plane: the Namespace labelled
 * `istio.io/dataplane-mode: ambient` (created, or an existing Namespace construct labelled),
 * optionally enrolled in a waypoint (`istio.io/use-waypoint`), and workloads kept out with
 * `optOut()` (`istio.io/dataplane-mode: none` on their pods).
 *
 * What ambient gives, without restarting pods: ztunnel on every node encrypts the pods'
 * traffic with mTLS (HBONE) and enforces L4 AuthorizationPolicies (identities, namespaces,
 * IP blocks, ports), which use a `selector`. L7 policies (methods, paths, headers, JWT
 * claims) need a waypoint and attach to it with `targetRefs`.
 *
 * Refused: istio-system and kube-system (the Istio CNI node agent skips them by default;
 * istio-system runs the data plane itself), kube-public and kube-node-lease (no workloads);
 * sidecar injection labels on the same Namespace.
 *
 * Create it before the namespace's workloads in the chart, so that `kubectl apply` finds
 * the Namespace first.
 *
 * @see https://istio.io/latest/docs/ambient/usage/add-workloads/
 */
export class AmbientNamespace extends Construct {
  /** The namespace's name. */
  public readonly namespaceName: string;
  /** The Namespace object (created here, or the one given). */
  public readonly namespace: ApiObject;
  private enrolledIn?: IWaypoint;

  public constructor(scope: Construct, id: string, props: AmbientNamespaceProps = {}) {
    super(scope, id);
    if (props.namespaceObject !== undefined) {
      if (props.namespace !== undefined) {
        throwPropError(this, 'namespace', props.namespace, 'namespace and namespaceObject exclude each other: the name is the Namespace object\'s');
      }
      if (props.namespaceLabels !== undefined) {
        throwPropError(this, 'namespaceLabels', props.namespaceLabels, 'only for a Namespace created here; label the given namespaceObject directly');
      }
      let obj: ApiObject | undefined;
      try {
        obj = ApiObject.of(props.namespaceObject);
      } catch {
        obj = undefined;
      }
      if (obj === undefined || obj.kind !== 'Namespace') {
        throwPropError(this, 'namespaceObject', obj ? `${obj.kind} ${obj.name}` : props.namespaceObject.node.path, 'a Namespace construct: an ApiObject of kind Namespace or a cdk8s-plus Namespace');
      }
      this.namespaceName = this.checkName(obj.name, 'namespaceObject');
      for (const key of SIDECAR_LABELS) {
        const value = obj.metadata.getLabel(key);
        if (value !== undefined) {
          throwPropError(this, 'namespaceObject', `${key}=${value}`, `the namespace is labelled for sidecar injection, which takes precedence over ambient mode; remove the ${key} label`);
        }
      }
      obj.metadata.addLabel(DATAPLANE_MODE_LABEL, 'ambient');
      this.namespace = obj;
    } else {
      const name = props.namespace ?? Chart.of(this).namespace;
      if (name === undefined) {
        throwPropError(this, 'namespace', undefined, 'give the namespace to put in ambient mode, or create the construct in a chart that has a namespace');
      }
      this.namespaceName = this.checkName(name, 'namespace');
      const labels: { [key: string]: string } = { ...props.namespaceLabels };
      for (const key of [DATAPLANE_MODE_LABEL, ...SIDECAR_LABELS]) {
        if (key in labels) {
          throwPropError(this, `namespaceLabels["${key}"]`, labels[key], key === DATAPLANE_MODE_LABEL
            ? 'set by the construct (ambient)'
            : 'sidecar injection takes precedence over ambient mode: a namespace is either ambient or injected; use StrictMtlsNamespace for sidecars');
        }
      }
      labels[DATAPLANE_MODE_LABEL] = 'ambient';
      this.namespace = new ApiObject(this, 'Namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: this.namespaceName, labels } });
      // a Namespace is cluster-scoped: the chart's namespace must not land on it
      if (this.namespace.metadata.namespace !== undefined) this.namespace.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }
    if (props.waypoint !== undefined) this.useWaypoint(props.waypoint);
  }

  /** The waypoint the namespace is enrolled in, if any. */
  public get waypoint(): IWaypoint | undefined {
    return this.enrolledIn;
  }

  /**
   * Enrolls the namespace in a waypoint (`istio.io/use-waypoint`, and
   * `istio.io/use-waypoint-namespace` for a waypoint in another namespace).
   *
   * @param waypoint the waypoint
   */
  public useWaypoint(waypoint: IWaypoint): void {
    if (this.enrolledIn !== undefined) {
      throwPropError(this, 'waypoint', waypoint.name, `the namespace is enrolled in the waypoint "${this.enrolledIn.name}" already; a namespace uses one waypoint (enroll single Services in others)`);
    }
    waypoint.enroll(this.namespace);
    this.enrolledIn = waypoint;
  }

  /**
   * Keeps a workload's pods out of the mesh: `istio.io/dataplane-mode: none` on its pod
   * template (or on the Pod). ztunnel then neither encrypts nor authorizes their traffic.
   *
   * @param workload a Deployment, StatefulSet, DaemonSet, Job or Pod (cdk8s-plus or ApiObject)
   */
  public optOut(workload: IConstruct): void {
    let obj: ApiObject;
    try {
      obj = ApiObject.of(workload);
    } catch {
      throwPropError(this, 'optOut()', workload.node.path, 'a workload construct (Deployment, StatefulSet, DaemonSet, Job or Pod) with an ApiObject');
    }
    const ns = obj.metadata.namespace ?? Chart.of(obj).namespace;
    if (ns !== this.namespaceName) {
      throwPropError(this, 'optOut()', `${obj.kind} ${obj.name} in namespace ${ns ?? '(none)'}`, `the workload is not in the namespace "${this.namespaceName}"`);
    }
    if (obj.kind === 'Pod') {
      obj.metadata.addLabel(DATAPLANE_MODE_LABEL, 'none');
      return;
    }
    if (!['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'].includes(obj.kind)) {
      throwPropError(this, 'optOut()', `${obj.kind} ${obj.name}`, 'a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or Pod (the label goes on the pods)');
    }
    const plus = workload as any;
    if (plus.podMetadata && typeof plus.podMetadata.addLabel === 'function') {
      plus.podMetadata.addLabel(DATAPLANE_MODE_LABEL, 'none'); // cdk8s-plus: its own pod metadata
    } else {
      obj.addJsonPatch(JsonPatch.add(`/spec/template/metadata/labels/${DATAPLANE_MODE_LABEL.replace(/~/g, '~0').replace(/\//g, '~1')}`, 'none'));
    }
  }

  private checkName(name: string, prop: string): string {
    if (!isDnsLabel(name)) {
      throwPropError(this, prop, name, 'a namespace name is a DNS label (lower case letters, digits and "-", at most 63 characters)');
    }
    if (NO_AMBIENT.includes(name)) {
      throwPropError(this, prop, name, `ambient mode does not apply to ${NO_AMBIENT.join(', ')}: the Istio CNI node agent skips istio-system and kube-system (its default excludeNamespaces; istio-system runs the data plane itself), and kube-public and kube-node-lease hold no workloads`);
    }
    return name;
  }
}
