import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { throwPropError } from '../core/errors';
import { isDnsLabel, isDnsSubdomain, isIpAddress, isLabelValue } from '../core/names';
import { Protocol } from '../core/protocol';
import { WorkloadSelector } from '../core/workload-selector';
import { ServiceEntry, ServiceEntryLocation, ServiceEntryResolution } from '../networking/service-entry';
import { WorkloadEntry } from '../networking/workload-entry';
import { WorkloadGroup } from '../networking/workload-group';

/**
 * A port the VMs serve, as the mesh sees it (a ServiceEntry port).
 * @see https://istio.io/latest/docs/reference/config/networking/service-entry/#ServicePort
 */
export interface VmPort {
  /** The port clients call (1-65535). */
  readonly number: number;

  /** The protocol. Server-first protocols (MySQL, MongoDB) are TCP (or MYSQL, MONGO). */
  readonly protocol: Protocol;

  /**
   * The port name, `<protocol>[-<suffix>]`; WorkloadEntries refer to ports by it.
   *
   * @default - `<protocol-lower>-<number>`, e.g. `http-8080`
   */
  readonly name?: string;

  /**
   * The port the VMs listen on.
   *
   * @default - the same as `number`
   */
  readonly targetPort?: number;
}

/** One VM of a VmWorkload, for `addVm()`. */
export interface VmInstance {
  /** The VM's IP address (the ServiceEntry resolves STATIC: by the entries' IPs). */
  readonly address: string;

  /**
   * More labels for this VM (e.g. `instance-id`). They must not change the labels
   * the ServiceEntry selects by.
   *
   * @default - the group's labels only
   */
  readonly labels?: { [key: string]: string };

  /**
   * The VM's network.
   *
   * @default - the group's `network`
   */
  readonly network?: string;

  /**
   * The VM's locality, `region/zone/subzone`.
   *
   * @default - none
   */
  readonly locality?: string;

  /**
   * The VM's load balancing weight, 1 or more.
   *
   * @default - equal weights
   */
  readonly weight?: number;
}

/** Props of a VmWorkload. */
export interface VmWorkloadProps {
  /**
   * The hosts clients call the VMs by, e.g. `billing.vm.example.com` (or a
   * `<name>.<namespace>.svc.cluster.local` name no Kubernetes Service uses).
   */
  readonly hosts: string[];

  /** The ports the VMs serve. */
  readonly ports: VmPort[];

  /**
   * The Kubernetes service account the VMs run as, in the namespace: their mTLS
   * identity (`spiffe://<trust domain>/ns/<namespace>/sa/<serviceAccount>`), which
   * authorization policies name. Required: a VM without one has no identity of its own.
   *
   * @see https://istio.io/latest/docs/setup/install/virtual-machine/
   */
  readonly serviceAccount: string;

  /**
   * Creates the ServiceAccount object (Istio's VM installation creates it before it
   * makes the VMs' tokens). Set it to false when the account exists already.
   *
   * @default true
   */
  readonly createServiceAccount?: boolean;

  /**
   * The canonical service name: the `app` label of the VMs, which the ServiceEntry
   * selects by, and the name of the WorkloadGroup and the ServiceEntry.
   *
   * @default - the construct id
   */
  readonly name?: string;

  /**
   * The canonical revision: the `version` label of the VMs (DestinationRule subsets select by it).
   *
   * @default - none
   */
  readonly version?: string;

  /**
   * More labels for every VM (not `app` nor `version`: use `name` and `version`).
   *
   * @default - none
   */
  readonly labels?: { [key: string]: string };

  /**
   * The network the VMs are in (multi-network meshes).
   *
   * @default - the same network as the cluster
   */
  readonly network?: string;

  /**
   * The namespace of the WorkloadGroup, the WorkloadEntries, the ServiceEntry and the
   * service account.
   *
   * @default - the chart's namespace
   */
  readonly namespace?: string;

  /**
   * The namespaces that see the ServiceEntry (`.`, `*` or names).
   *
   * @default - all namespaces
   */
  readonly exportTo?: string[];

  /**
   * The VMs. More with `addVm()`.
   *
   * @default - none (VMs that join with auto-registration get WorkloadEntries from the group)
   */
  readonly vms?: { [id: string]: VmInstance };
}

/**
 * Brings workloads outside Kubernetes (VMs) into the mesh as one service: a
 * WorkloadGroup (the VMs' template: labels, service account, network, ports), a
 * WorkloadEntry per VM, and a ServiceEntry (MESH_INTERNAL, resolution STATIC) that
 * selects them by `workloadSelector`, so that clients call them by a host name, over
 * mutual TLS, like pods.
 *
 * Secure by default: every VM runs as the given service account (its mTLS identity,
 * created here unless `createServiceAccount: false`), and the entry is MESH_INTERNAL,
 * so clients use mutual TLS with the VM's sidecar (istio-agent) and authorization
 * policies see its identity.
 *
 * Checked at once: names, labels, addresses (IPs), the ports (as a ServiceEntry's).
 * A WorkloadEntry that no ServiceEntry or Service selects (CDK8S-ISTIO-A031) and a
 * service account the app does not have (CDK8S-ISTIO-A032) are reported by
 * validation; the WorkloadEntries made here are always selected.
 *
 * @see https://istio.io/latest/docs/setup/install/virtual-machine/
 * @see https://istio.io/latest/docs/reference/config/networking/workload-group/
 */
export class VmWorkload extends Construct {
  /** The WorkloadGroup. */
  public readonly workloadGroup: WorkloadGroup;
  /** The ServiceEntry that selects the VMs. */
  public readonly serviceEntry: ServiceEntry;
  /** The ServiceAccount object, when created here. */
  public readonly serviceAccountObject?: ApiObject;
  /** The canonical service name (the VMs' `app` label). */
  public readonly canonicalName: string;
  /** The namespace. */
  public readonly namespace?: string;

  private readonly groupLabels: { [key: string]: string };
  private readonly selectorLabels: { [key: string]: string };
  private readonly props: VmWorkloadProps;
  private readonly entries = new Map<string, WorkloadEntry>();

  public constructor(scope: Construct, id: string, props: VmWorkloadProps) {
    super(scope, id);
    this.props = props;
    this.canonicalName = props.name ?? id;
    if (!isDnsLabel(this.canonicalName)) {
      throwPropError(this, 'name', this.canonicalName, `${props.name === undefined ? 'the construct id is used as the name and ' : ''}a name is a DNS label (lower case letters, digits and "-", at most 63 characters): it names the WorkloadGroup and the ServiceEntry`);
    }
    if (props.version !== undefined && (props.version.length === 0 || !isLabelValue(props.version))) {
      throwPropError(this, 'version', props.version, 'a version is a label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit');
    }
    for (const key of ['app', 'version']) {
      if (props.labels?.[key] !== undefined) throwPropError(this, `labels["${key}"]`, props.labels[key], `the ${key} label is the ${key === 'app' ? 'name' : 'version'} prop`);
    }
    if (typeof props.serviceAccount !== 'string' || !isDnsSubdomain(props.serviceAccount)) {
      throwPropError(this, 'serviceAccount', props.serviceAccount, 'a service account name: a DNS subdomain (lower case letters, digits, "-" and ".")');
    }
    if (!Array.isArray(props.hosts) || props.hosts.length === 0) throwPropError(this, 'hosts', props.hosts, 'give at least one host the VMs are called by');
    if (!Array.isArray(props.ports) || props.ports.length === 0) throwPropError(this, 'ports', props.ports, 'give at least one port the VMs serve');
    this.namespace = props.namespace ?? Chart.of(this).namespace;
    this.selectorLabels = { app: this.canonicalName };
    this.groupLabels = { ...this.selectorLabels, ...(props.version !== undefined ? { version: props.version } : {}), ...props.labels };
    const metadata = { name: this.canonicalName, namespace: this.namespace };

    if (props.createServiceAccount ?? true) {
      this.serviceAccountObject = new ApiObject(this, 'ServiceAccount', {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: props.serviceAccount, namespace: this.namespace },
      });
    }
    this.workloadGroup = new WorkloadGroup(this, 'WorkloadGroup', {
      metadata,
      labels: this.groupLabels,
      template: { serviceAccount: props.serviceAccount, network: props.network },
    });
    this.serviceEntry = new ServiceEntry(this, 'ServiceEntry', {
      metadata,
      hosts: props.hosts,
      ports: props.ports,
      location: ServiceEntryLocation.MESH_INTERNAL,
      resolution: ServiceEntryResolution.STATIC,
      workloadSelector: WorkloadSelector.fromLabels(this.selectorLabels),
      exportTo: props.exportTo,
    });
    for (const [vmId, vm] of Object.entries(props.vms ?? {})) this.addVm(vmId, vm);
  }

  /** Selects the VMs (for policies and DestinationRule subsets). */
  public get selector(): WorkloadSelector {
    return WorkloadSelector.fromLabels(this.groupLabels);
  }

  /** The WorkloadEntries, one per VM. */
  public get workloadEntries(): WorkloadEntry[] {
    return [...this.entries.values()];
  }

  /**
   * Adds a VM: a WorkloadEntry `<name>-<id>` with the group's labels and service account.
   *
   * @param id the VM's id: a DNS label, unique in the group (e.g. `vm-1`)
   * @param vm its address and options
   */
  public addVm(id: string, vm: VmInstance): WorkloadEntry {
    const at = `addVm(${id})`;
    if (!isDnsLabel(id)) throwPropError(this, at, id, 'a VM id is a DNS label (lower case letters, digits and "-"): it names the WorkloadEntry');
    if (this.entries.has(id)) throwPropError(this, at, id, 'VM ids are unique in a VmWorkload');
    if (typeof vm?.address !== 'string' || !isIpAddress(vm.address)) {
      throwPropError(this, `${at}.address`, vm?.address, 'an IP address: the ServiceEntry resolves STATIC, by the IPs of the WorkloadEntries it selects');
    }
    for (const [key, value] of Object.entries(vm.labels ?? {})) {
      if (key in this.groupLabels && this.groupLabels[key] !== value) {
        throwPropError(this, `${at}.labels["${key}"]`, value, `the group's ${key} is "${this.groupLabels[key]}"${key in this.selectorLabels ? ', which the ServiceEntry selects by: the VM would get no traffic' : ''}; give this VM other keys`);
      }
    }
    const entry = new WorkloadEntry(this, `Vm-${id}`, {
      metadata: { name: `${this.canonicalName}-${id}`, namespace: this.namespace },
      address: vm.address,
      labels: { ...this.groupLabels, ...vm.labels },
      serviceAccount: this.props.serviceAccount,
      network: vm.network ?? this.props.network,
      locality: vm.locality,
      weight: vm.weight,
    });
    this.entries.set(id, entry);
    return entry;
  }
}
