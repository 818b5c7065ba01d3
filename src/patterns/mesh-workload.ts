import { ApiObject, Chart, JsonPatch, Size, SizeRoundingBehavior } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { addSynthValidation } from '../core/cross-check';
import { constructMessage, propMessage, throwPropError } from '../core/errors';
import { isCidr, isLabelValue } from '../core/names';
import { checkPortNumber, isTlsProtocol, Protocol, protocolOfPortName, SIDECAR_PORTS } from '../core/protocol';
import { WorkloadSelector } from '../core/workload-selector';
import { DestinationRule } from '../networking/destination-rule';
import { ClientTls } from '../networking/traffic-tls';

/**
 * Which pod labels carry the canonical service name and revision. Istio reads the
 * first it finds of `service.istio.io/canonical-name`, `app.kubernetes.io/name`,
 * `app` (and `service.istio.io/canonical-revision`, `app.kubernetes.io/version`,
 * `version`): telemetry, and DestinationRule subsets that select by version, use them.
 *
 * @see https://istio.io/latest/docs/ops/configuration/telemetry/monitoring-multicluster-prometheus/
 * @see https://istio.io/latest/docs/reference/config/labels/
 */
export enum CanonicalLabels {
  /** `app` and `version`, as Istio's samples (Bookinfo) and its docs write them. */
  APP_VERSION = 'APP_VERSION',
  /** `app.kubernetes.io/name` and `app.kubernetes.io/version`, Kubernetes' recommended labels. */
  KUBERNETES = 'KUBERNETES',
  /** `service.istio.io/canonical-name` and `service.istio.io/canonical-revision`, read by Istio only. */
  ISTIO = 'ISTIO',
}

/**
 * The sidecar's resource requests and limits, set per pod through annotations
 * (`sidecar.istio.io/proxyCPU`, `proxyMemory`, `proxyCPULimit`, `proxyMemoryLimit`).
 *
 * @see https://istio.io/latest/docs/reference/config/annotations/#SidecarProxyCPU
 */
export interface ProxyResources {
  /**
   * The CPU request, in millicores (e.g. 100 for `100m`).
   *
   * @default - the injector's default (100m)
   */
  readonly cpuMillis?: number;

  /**
   * The memory request.
   *
   * @default - the injector's default (128Mi)
   */
  readonly memory?: Size;

  /**
   * The CPU limit, in millicores. At least `cpuMillis`.
   *
   * @default - the injector's default (2000m)
   */
  readonly cpuLimitMillis?: number;

  /**
   * The memory limit. At least `memory`.
   *
   * @default - the injector's default (1Gi)
   */
  readonly memoryLimit?: Size;
}

/** Props of a MeshWorkload. */
export interface MeshWorkloadProps {
  /**
   * The workload to onboard: a Deployment, StatefulSet, DaemonSet or Pod, whether a
   * cdk8s-plus object or an ApiObject (L1). Its pod template is read and patched
   * through `ApiObject.of(workload)`.
   */
  readonly workload: IConstruct;

  /**
   * The canonical service name: the label Istio's telemetry and Kiali name the
   * workload's service by.
   *
   * @see https://istio.io/latest/docs/reference/config/labels/#ServiceCanonicalName
   * @default - the canonical name label the pod already carries (first of
   *   `service.istio.io/canonical-name`, `app.kubernetes.io/name`, `app`), else the
   *   workload's construct id
   */
  readonly name?: string;

  /**
   * The canonical revision (version) of the workload, e.g. `v2`. DestinationRule
   * subsets (CanaryRelease) select pods by it.
   *
   * @see https://istio.io/latest/docs/reference/config/labels/#ServiceCanonicalRevision
   * @default - the revision label the pod already carries; else none is written (Istio reports `latest`)
   */
  readonly version?: string;

  /**
   * Which labels carry the name and version.
   *
   * @default CanonicalLabels.APP_VERSION
   */
  readonly canonicalLabels?: CanonicalLabels;

  /**
   * Whether the pod gets a sidecar. `false` writes the label
   * `sidecar.istio.io/inject: "false"` and takes no sidecar options (they would be
   * ignored). `true` writes `sidecar.istio.io/inject: "true"` (or `istio.io/rev`
   * with `revision`), which injects the pod even in a namespace without an injection label.
   *
   * @see https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#controlling-the-injection-policy
   * @default true
   */
  readonly injection?: boolean;

  /**
   * The control plane revision that injects the sidecar: the pod label
   * `istio.io/rev` (revision-based upgrades).
   *
   * @see https://istio.io/latest/docs/setup/upgrade/canary/
   * @default - the default revision (`sidecar.istio.io/inject: "true"`)
   */
  readonly revision?: string;

  /**
   * The only inbound ports the sidecar captures
   * (`traffic.sidecar.istio.io/includeInboundPorts`). Traffic to other ports reaches
   * the application without the sidecar: no mTLS, no authorization policy.
   *
   * @see https://istio.io/latest/docs/reference/config/annotations/#SidecarTrafficIncludeInboundPorts
   * @default - every port (`*`)
   */
  readonly includeInboundPorts?: number[];

  /**
   * Inbound ports the sidecar does not capture
   * (`traffic.sidecar.istio.io/excludeInboundPorts`). Traffic to them reaches the
   * application without mTLS or authorization policy, and clients with a sidecar
   * still send them mutual TLS unless told otherwise: see `plaintextToExcludedPorts`.
   *
   * @see https://istio.io/latest/docs/reference/config/annotations/#SidecarTrafficExcludeInboundPorts
   * @default - none
   */
  readonly excludeInboundPorts?: number[];

  /**
   * Outbound ports the sidecar does not capture
   * (`traffic.sidecar.istio.io/excludeOutboundPorts`): connections to them leave
   * without mTLS and without the mesh's egress policy.
   *
   * @see https://istio.io/latest/docs/reference/config/annotations/#SidecarTrafficExcludeOutboundPorts
   * @default - none
   */
  readonly excludeOutboundPorts?: number[];

  /**
   * Outbound destinations (CIDR blocks) the sidecar does not capture
   * (`traffic.sidecar.istio.io/excludeOutboundIPRanges`), e.g. a cloud metadata
   * endpoint. Connections to them bypass mTLS and the mesh's egress policy.
   *
   * @see https://istio.io/latest/docs/reference/config/annotations/#SidecarTrafficExcludeOutboundIPRanges
   * @default - none
   */
  readonly excludeOutboundIpRanges?: string[];

  /**
   * The sidecar's resource requests and limits.
   *
   * @default - the injector's defaults
   */
  readonly proxyResources?: ProxyResources;

  /**
   * Start the application containers only once the sidecar is ready
   * (`proxy.istio.io/config: {"holdApplicationUntilProxyStarts": true}`), so that the
   * application's first connections do not fail. Not written when the pod already
   * has a `proxy.istio.io/config` annotation and this prop is not given.
   *
   * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#ProxyConfig
   * @default true
   */
  readonly holdApplicationUntilProxyStarts?: boolean;

  /**
   * For the ports excluded from inbound capture (`excludeInboundPorts`, or the ports
   * left out of `includeInboundPorts`), make clients send plaintext: for each Service
   * added with `addService()` that sends to such a port, a DestinationRule
   * `<service>-excluded-ports` with `tls.mode: DISABLE` on that Service port.
   *
   * Without it, clients with a sidecar send mutual TLS to a port no sidecar serves
   * (Istio's automatic mTLS ignores workload- and port-level PeerAuthentications), and
   * validation reports it (CDK8S-ISTIO-A013). A PeerAuthentication port exception does
   * not help: no sidecar receives the port's traffic.
   *
   * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ClientTLSSettings
   * @default false
   */
  readonly plaintextToExcludedPorts?: boolean;
}

/**
 * The protocol of one Service port, for `MeshWorkload.addService()`.
 *
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/
 */
export interface MeshServicePort {
  /** The Service port number (`spec.ports[].port`). */
  readonly port: number;

  /** The protocol the port speaks. Server-first protocols (MySQL, MongoDB, SMTP) are TCP (or MYSQL, MONGO). */
  readonly protocol: Protocol;
}

/** Pod template kinds a MeshWorkload takes. */
const KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Pod'];
/** Namespaces where automatic injection never happens. */
const NEVER_INJECTED = ['kube-system', 'kube-public', 'istio-system'];
/** The proxy's UID: traffic of a process running as it is not captured. */
const PROXY_UID = 1337;

const NAME_KEYS = ['service.istio.io/canonical-name', 'app.kubernetes.io/name', 'app'];
const REVISION_KEYS = ['service.istio.io/canonical-revision', 'app.kubernetes.io/version', 'version'];
const STYLE_INDEX: Record<CanonicalLabels, number> = {
  [CanonicalLabels.ISTIO]: 0,
  [CanonicalLabels.KUBERNETES]: 1,
  [CanonicalLabels.APP_VERSION]: 2,
};

const INJECT_LABEL = 'sidecar.istio.io/inject';
const REVISION_LABEL = 'istio.io/rev';
const PROXY_CONFIG = 'proxy.istio.io/config';
const INCLUDE_INBOUND = 'traffic.sidecar.istio.io/includeInboundPorts';
const EXCLUDE_INBOUND = 'traffic.sidecar.istio.io/excludeInboundPorts';

/** One port declared by `addService()`. */
interface DeclaredPort {
  readonly service: ApiObject;
  readonly index: number;
  readonly port: number;
  readonly target?: number;
  readonly protocol: Protocol;
  readonly at: string;
}

const POD_PATCH = Symbol.for('cdk8s-istio.MeshWorkload.podPatch');
const SERVICE_PORTS = Symbol.for('cdk8s-istio.MeshWorkload.servicePorts');

/**
 * Onboards a Kubernetes workload into the mesh: the canonical name and version
 * labels on its pods, the injection label, the sidecar options as pod annotations,
 * and the protocol of the Service ports that reach it.
 *
 * Works on a cdk8s-plus Deployment, StatefulSet, DaemonSet or Pod, or on an
 * ApiObject of those kinds: the labels and annotations are merged into the pod
 * template (`spec.template.metadata`, `metadata` for a Pod) when the workload is
 * rendered, so labels and annotations the workload gets later are kept. The
 * Deployment's `spec.selector` is never changed (it is immutable in the cluster).
 *
 * Secure by default: the pod gets a sidecar (`sidecar.istio.io/inject: "true"`) and
 * the application starts only once the sidecar is ready. Refused: excluding or
 * capturing a port the sidecar reserves, an application container running as the
 * proxy's UID 1337 (its traffic would bypass the sidecar), the injection opt-out
 * together with sidecar options, labels that Istio would read in place of the ones
 * written, and injection in kube-system, kube-public or istio-system.
 *
 * @see https://istio.io/latest/docs/ops/deployment/application-requirements/
 * @see https://istio.io/latest/docs/reference/config/annotations/
 */
export class MeshWorkload extends Construct {
  /** The workload. */
  public readonly workload: IConstruct;
  /** The canonical service name written on the pods. */
  public readonly canonicalName: string;
  /** The canonical revision written on the pods, if any. */
  public readonly canonicalRevision?: string;
  /** Whether the pods get a sidecar. */
  public readonly injection: boolean;

  private readonly apiObject: ApiObject;
  private readonly namespace?: string;
  private readonly nameKey: string;
  private readonly revisionKey: string;
  private readonly labels: { [key: string]: string } = {};
  private readonly annotations: { [key: string]: string } = {};
  private readonly explicitProxyConfig: boolean;
  private readonly uncaptured: (port: number) => boolean;
  private readonly plaintextToExcludedPorts: boolean;
  private readonly declared: DeclaredPort[] = [];
  private readonly services = new Set<ApiObject>();
  private readonly rules: DestinationRule[] = [];
  private readonly baseJson: () => any;

  public constructor(scope: Construct, id: string, props: MeshWorkloadProps) {
    super(scope, id);
    this.workload = props.workload;
    this.apiObject = apiObjectOf(this, 'workload', props.workload);
    const kind = this.apiObject.kind;
    if (!KINDS.includes(kind)) {
      throwPropError(this, 'workload', `${kind} '${props.workload.node.path}'`, `a MeshWorkload takes a ${KINDS.join(', ')} (other kinds either run to completion, which a sidecar prevents, or have no pod template)`);
    }
    if ((this.apiObject as any)[POD_PATCH]) {
      throwPropError(this, 'workload', props.workload.node.path, `the workload is already onboarded by MeshWorkload '${(this.apiObject as any)[POD_PATCH].node.path}': one MeshWorkload per workload`);
    }
    this.namespace = this.apiObject.metadata.namespace ?? Chart.of(this.apiObject).namespace;
    this.injection = props.injection ?? true;
    this.plaintextToExcludedPorts = props.plaintextToExcludedPorts ?? false;
    this.explicitProxyConfig = props.holdApplicationUntilProxyStarts !== undefined;

    const style = props.canonicalLabels ?? CanonicalLabels.APP_VERSION;
    if (!Object.values(CanonicalLabels).includes(style)) {
      throwPropError(this, 'canonicalLabels', style, `one of ${Object.values(CanonicalLabels).join(', ')}`);
    }
    this.nameKey = NAME_KEYS[STYLE_INDEX[style]];
    this.revisionKey = REVISION_KEYS[STYLE_INDEX[style]];

    this.checkInjection(props);
    const base = podMetadataOf(this.apiObject.toJson());
    this.canonicalName = this.resolveName(props, base.labels ?? {});
    this.canonicalRevision = props.version ?? REVISION_KEYS.map(k => base.labels?.[k]).find(v => v !== undefined);
    if (this.canonicalRevision !== undefined && (this.canonicalRevision.length === 0 || !isLabelValue(this.canonicalRevision))) {
      throwPropError(this, 'version', this.canonicalRevision, 'a version is a label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit (e.g. "v2", "1.4.2")');
    }
    this.labels[this.nameKey] = this.canonicalName;
    if (this.canonicalRevision !== undefined) this.labels[this.revisionKey] = this.canonicalRevision;

    if (!this.injection) {
      this.labels[INJECT_LABEL] = 'false';
    } else if (props.revision !== undefined) {
      this.labels[REVISION_LABEL] = props.revision;
    } else {
      this.labels[INJECT_LABEL] = 'true';
    }

    const include = this.portList('includeInboundPorts', props.includeInboundPorts, true);
    const exclude = this.portList('excludeInboundPorts', props.excludeInboundPorts, true);
    const excludeOutbound = this.portList('excludeOutboundPorts', props.excludeOutboundPorts, false);
    if (include && exclude) {
      throwPropError(this, 'excludeInboundPorts', props.excludeInboundPorts,
        'with an includeInboundPorts list only the listed ports are captured, and excludeInboundPorts applies only when every port is: leave the ports out of includeInboundPorts instead');
    }
    if (this.plaintextToExcludedPorts && !include && !exclude) {
      throwPropError(this, 'plaintextToExcludedPorts', true, 'no inbound port is excluded from capture: give excludeInboundPorts (or includeInboundPorts), or leave the prop out');
    }
    if (include) this.annotations[INCLUDE_INBOUND] = include.join(',');
    if (exclude) this.annotations[EXCLUDE_INBOUND] = exclude.join(',');
    if (excludeOutbound) this.annotations['traffic.sidecar.istio.io/excludeOutboundPorts'] = excludeOutbound.join(',');
    const ranges = this.ipRanges(props.excludeOutboundIpRanges);
    if (ranges) this.annotations['traffic.sidecar.istio.io/excludeOutboundIPRanges'] = ranges.join(',');
    this.uncaptured = port => (include !== undefined && !include.includes(port)) || (exclude ?? []).includes(port);
    Object.assign(this.annotations, this.proxyResourceAnnotations(props.proxyResources));
    if (this.injection) {
      this.annotations[PROXY_CONFIG] = JSON.stringify({ holdApplicationUntilProxyStarts: props.holdApplicationUntilProxyStarts ?? true });
    }

    this.baseJson = patchPodMetadata(this.apiObject, this, meta => this.mergeInto(meta));
    addSynthValidation(this, () => this.validate());
  }

  /** Selects this workload's pods (for policies, subsets, exceptions), read at synth. */
  public get selector(): WorkloadSelector {
    return WorkloadSelector.fromWorkload(this.workload);
  }

  /** The DestinationRules made for `plaintextToExcludedPorts`, one per Service that sends to an excluded port. */
  public get destinationRules(): DestinationRule[] {
    return [...this.rules];
  }

  /**
   * Declares the protocol of the ports of a Service that selects this workload, so
   * that Istio does not have to sniff it: each port gets `appProtocol` (unless its
   * name already declares the protocol, `http-…`, `tcp-…`...). The ports must be on
   * the Service when this is called.
   *
   * One port number, and one workload port, carries one protocol across every Service
   * declared here (Istio builds one inbound listener per workload port: IST0116).
   *
   * @param service a cdk8s-plus Service or an ApiObject of kind Service, in the workload's namespace
   * @param ports the ports and their protocols
   */
  public addService(service: IConstruct, ports: MeshServicePort[]): void {
    const at = `addService(${service?.node?.path})`;
    const svc = apiObjectOf(this, at, service);
    if (svc.kind !== 'Service' || svc.apiVersion !== 'v1') {
      throwPropError(this, at, `${svc.apiVersion}/${svc.kind}`, 'a v1 Service (cdk8s-plus Service or ApiObject)');
    }
    if (this.services.has(svc)) throwPropError(this, at, service.node.path, 'the Service is already added: declare all its ports in one call');
    const serviceNamespace = svc.metadata.namespace ?? Chart.of(svc).namespace;
    if (serviceNamespace !== this.namespace) {
      throwPropError(this, at, serviceNamespace ?? '(none)', `a Service selects pods of its own namespace only; the workload's is ${this.namespace ?? '(none)'}`);
    }
    if (!Array.isArray(ports) || ports.length === 0) throwPropError(this, `${at}.ports`, ports, 'give at least one { port, protocol }');
    const json = svc.toJson();
    const specPorts: any[] = Array.isArray(json?.spec?.ports) ? json.spec.ports : [];
    const containers = podSpecOf(this.baseJson())?.containers ?? [];
    const registry = servicePortRegistry(svc);
    const excluded: number[] = [];
    ports.forEach((p, i) => {
      const prop = `${at}.ports[${i}]`;
      checkPortNumber(this, `${prop}.port`, p?.port, 'a Service port is an integer from 1 to 65535');
      if (!Object.values(Protocol).includes(p.protocol)) throwPropError(this, `${prop}.protocol`, p.protocol, `one of ${Object.values(Protocol).join(', ')}`);
      const index = specPorts.findIndex(sp => sp?.port === p.port);
      if (index < 0) {
        throwPropError(this, `${prop}.port`, p.port, `the Service has no such port (ports: ${specPorts.map(sp => sp?.port).join(', ') || 'none'}); add it to the Service before addService()`);
      }
      if (ports.findIndex(o => o.port === p.port) !== i) throwPropError(this, `${prop}.port`, p.port, 'each port once');
      const sp = specPorts[index];
      if (sp.protocol !== undefined && sp.protocol !== 'TCP') {
        throwPropError(this, `${prop}.port`, p.port, `the Service port is ${sp.protocol}; Istio's protocols are over TCP (sidecars do not capture UDP or SCTP)`);
      }
      const target = targetPortOf(sp, containers);
      if (target !== undefined && SIDECAR_PORTS[target] !== undefined) {
        throwPropError(this, `${prop}.port`, p.port, `it sends to workload port ${target}, which the sidecar reserves (${SIDECAR_PORTS[target]}): move the application to another port`);
      }
      const other = registry.get(p.port);
      if (other && other.protocol !== p.protocol) {
        throwPropError(this, `${prop}.protocol`, p.protocol, `MeshWorkload '${other.by.node.path}' declared this Service port ${other.protocol}`);
      }
      const named = typeof sp.name === 'string' ? protocolOfPortName(sp.name) : undefined;
      if (named !== undefined && !sameProtocol(named, p.protocol)) {
        throwPropError(this, `${prop}.protocol`, p.protocol, `the Service port is named "${sp.name}", which declares ${named}: rename the port (e.g. "${p.protocol.toLowerCase()}-${sp.name}") or declare ${named}`);
      }
      if (typeof sp.appProtocol === 'string' && !sameProtocol(protocolOfPortName(sp.appProtocol) ?? sp.appProtocol as Protocol, p.protocol)) {
        throwPropError(this, `${prop}.protocol`, p.protocol, `the Service port already has appProtocol "${sp.appProtocol}"`);
      }
      const clash = this.declared.find(d => d.port === p.port || (target !== undefined && d.target === target));
      if (clash && clash.protocol !== p.protocol) {
        const what = clash.port === p.port ? `port ${p.port}` : `workload port ${target}`;
        throwPropError(this, `${prop}.protocol`, p.protocol,
          `${what} is already ${clash.protocol} through ${clash.at}: one port carries one protocol across the Services of a workload (Istio builds one inbound listener per workload port, IST0116)`);
      }
      registry.set(p.port, { protocol: p.protocol, by: this });
      this.declared.push({ service: svc, index, port: p.port, target, protocol: p.protocol, at });
      if (named === undefined && sp.appProtocol === undefined && !other) {
        svc.addJsonPatch(JsonPatch.add(`/spec/ports/${index}/appProtocol`, p.protocol.toLowerCase()));
      }
      if (target !== undefined && this.uncaptured(target)) excluded.push(p.port);
    });
    this.services.add(svc);

    if (this.plaintextToExcludedPorts && excluded.length > 0) {
      const host = serviceNamespace ? `${svc.name}.${serviceNamespace}.svc.cluster.local` : svc.name;
      this.rules.push(new DestinationRule(this, `ExcludedPorts-${svc.name}`, {
        metadata: { name: `${svc.name}-excluded-ports`, namespace: serviceNamespace },
        host,
        trafficPolicy: { portLevelSettings: excluded.map(port => ({ port, tls: ClientTls.disable() })) },
      }));
    }
  }

  private checkInjection(props: MeshWorkloadProps): void {
    if (this.injection) {
      if (this.namespace !== undefined && NEVER_INJECTED.includes(this.namespace)) {
        throwPropError(this, 'injection', true, `automatic sidecar injection never happens in namespace ${this.namespace} (nor in ${NEVER_INJECTED.filter(n => n !== this.namespace).join(', ')}): run the workload in another namespace, or set injection: false`);
      }
      if (props.revision !== undefined && (props.revision.length === 0 || !isLabelValue(props.revision))) {
        throwPropError(this, 'revision', props.revision, 'a revision is a label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit (e.g. "1-30-3", "stable")');
      }
      return;
    }
    const ignored = (['revision', 'includeInboundPorts', 'excludeInboundPorts', 'excludeOutboundPorts', 'excludeOutboundIpRanges',
      'proxyResources', 'holdApplicationUntilProxyStarts', 'plaintextToExcludedPorts'] as const).filter(k => props[k] !== undefined);
    if (ignored.length > 0) {
      throwPropError(this, ignored[0], props[ignored[0]], `injection is false, so the pod gets no sidecar and ${ignored.join(', ')} would be ignored: remove ${ignored.length > 1 ? 'them' : 'it'}, or keep the sidecar`);
    }
  }

  private resolveName(props: MeshWorkloadProps, labels: { [key: string]: string }): string {
    const name = props.name ?? NAME_KEYS.map(k => labels[k]).find(v => v !== undefined) ?? this.workload.node.id;
    if (name.length === 0 || !isLabelValue(name)) {
      throwPropError(this, 'name', name, props.name === undefined
        ? 'the workload\'s construct id is not a label value, and the pod carries no canonical name label: give a name (at most 63 letters, digits, "-", "_" or ".")'
        : 'a canonical name is a label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit');
    }
    return name;
  }

  private portList(prop: string, ports: number[] | undefined, inbound: boolean): number[] | undefined {
    if (ports === undefined) return undefined;
    if (!Array.isArray(ports) || ports.length === 0) {
      throwPropError(this, prop, ports, inbound && prop === 'includeInboundPorts'
        ? 'give at least one port (leave the prop out to capture every port; set injection: false for no sidecar)'
        : 'give at least one port, or leave the prop out');
    }
    ports.forEach((port, i) => {
      checkPortNumber(this, `${prop}[${i}]`, port, 'a port is an integer from 1 to 65535');
      if (ports.indexOf(port) !== i) throwPropError(this, `${prop}[${i}]`, port, 'each port once');
      if (inbound && SIDECAR_PORTS[port] !== undefined) {
        throwPropError(this, `${prop}[${i}]`, port, `the sidecar reserves port ${port} (${SIDECAR_PORTS[port]}), and its capture rules handle it: an application must not use the sidecar's ports (${Object.keys(SIDECAR_PORTS).join(', ')})`);
      }
    });
    return [...ports];
  }

  private ipRanges(ranges: string[] | undefined): string[] | undefined {
    if (ranges === undefined) return undefined;
    if (!Array.isArray(ranges) || ranges.length === 0) throwPropError(this, 'excludeOutboundIpRanges', ranges, 'give at least one CIDR block, or leave the prop out');
    ranges.forEach((r, i) => {
      const prop = `excludeOutboundIpRanges[${i}]`;
      if (!isCidr(r)) throwPropError(this, prop, r, 'a CIDR block such as "169.254.169.254/32" or "10.0.0.0/8"');
      if (r.endsWith('/0')) {
        throwPropError(this, prop, r, 'it takes every outbound connection out of the mesh (no mTLS, no egress policy): exclude the ranges that need it, or set injection: false');
      }
      if (ranges.indexOf(r) !== i) throwPropError(this, prop, r, 'each range once');
    });
    return [...ranges];
  }

  private proxyResourceAnnotations(resources: ProxyResources | undefined): { [key: string]: string } {
    const out: { [key: string]: string } = {};
    if (resources === undefined) return out;
    const cpu = (prop: string, millis: number | undefined) => {
      if (millis === undefined) return undefined;
      if (!Number.isInteger(millis) || millis < 1) throwPropError(this, `proxyResources.${prop}`, millis, 'millicores: a positive integer (100 is 0.1 CPU)');
      return millis;
    };
    const mem = (prop: string, size: Size | undefined) => {
      if (size === undefined) return undefined;
      const kib = size.toKibibytes({ rounding: SizeRoundingBehavior.NONE });
      if (!Number.isInteger(kib) || kib < 1) throwPropError(this, `proxyResources.${prop}`, `${kib}Ki`, 'a whole number of kibibytes, at least 1Ki');
      return kib;
    };
    const cpuRequest = cpu('cpuMillis', resources.cpuMillis);
    const cpuLimit = cpu('cpuLimitMillis', resources.cpuLimitMillis);
    const memRequest = mem('memory', resources.memory);
    const memLimit = mem('memoryLimit', resources.memoryLimit);
    if (cpuRequest !== undefined && cpuLimit !== undefined && cpuLimit < cpuRequest) {
      throwPropError(this, 'proxyResources.cpuLimitMillis', cpuLimit, `must be at least the request (cpuMillis ${cpuRequest})`);
    }
    if (memRequest !== undefined && memLimit !== undefined && memLimit < memRequest) {
      throwPropError(this, 'proxyResources.memoryLimit', renderKib(memLimit), `must be at least the request (memory ${renderKib(memRequest)})`);
    }
    if (cpuRequest !== undefined) out['sidecar.istio.io/proxyCPU'] = `${cpuRequest}m`;
    if (memRequest !== undefined) out['sidecar.istio.io/proxyMemory'] = renderKib(memRequest);
    if (cpuLimit !== undefined) out['sidecar.istio.io/proxyCPULimit'] = `${cpuLimit}m`;
    if (memLimit !== undefined) out['sidecar.istio.io/proxyMemoryLimit'] = renderKib(memLimit);
    return out;
  }

  /** Merges the labels and annotations into the rendered pod metadata (the workload's own values are checked by `validate`). */
  private mergeInto(meta: any): void {
    meta.labels = { ...meta.labels, ...this.labels };
    const annotations = { ...this.annotations };
    if (meta.annotations?.[PROXY_CONFIG] !== undefined && !this.explicitProxyConfig) delete annotations[PROXY_CONFIG];
    if (Object.keys(annotations).length > 0) meta.annotations = { ...meta.annotations, ...annotations };
  }

  private validate(): string[] {
    const errors: string[] = [];
    const json = this.baseJson();
    const meta = podMetadataOf(json);
    const labels: { [key: string]: string } = meta.labels ?? {};
    const annotations: { [key: string]: string } = meta.annotations ?? {};
    const where = this.apiObject.kind === 'Pod' ? 'metadata' : 'spec.template.metadata';

    for (const [key, value] of Object.entries(this.labels)) {
      if (labels[key] !== undefined && labels[key] !== value) {
        const selector = json?.spec?.selector?.matchLabels?.[key] !== undefined ? ' (the workload\'s selector matches on it, and a selector cannot change)' : '';
        errors.push(constructMessage(this, `the workload's pods already carry the label ${key}="${labels[key]}"${selector}, and the MeshWorkload writes "${value}": `
          + `${key === INJECT_LABEL ? 'set injection to match' : key === REVISION_LABEL ? 'set revision to match' : `give ${this.revisionKey === key ? 'version' : 'name'} "${labels[key]}"`}, or remove the label from the workload (${where}.labels)`));
      }
    }
    const checkShadowed = (keys: string[], own: string, value: string | undefined, prop: string) => {
      if (value === undefined) return;
      for (const key of keys.slice(0, keys.indexOf(own))) {
        if (labels[key] !== undefined && labels[key] !== value) {
          errors.push(propMessage(this, prop, value, `the pods also carry ${key}="${labels[key]}", which Istio reads before ${own}: remove it, or choose canonicalLabels to write ${key}`));
        }
      }
    };
    checkShadowed(NAME_KEYS, this.nameKey, this.canonicalName, 'name');
    checkShadowed(REVISION_KEYS, this.revisionKey, this.canonicalRevision, 'version');
    if (this.injection && annotations[INJECT_LABEL] === 'false') {
      errors.push(constructMessage(this, `the workload's pods carry the annotation ${INJECT_LABEL}: "false", which keeps the sidecar out: remove it (${where}.annotations), or set injection: false`));
    }
    for (const [key, value] of Object.entries(this.annotations)) {
      if (key === PROXY_CONFIG && !this.explicitProxyConfig) continue;
      if (annotations[key] !== undefined && annotations[key] !== value) {
        errors.push(constructMessage(this, `the workload's pods already carry the annotation ${key}: "${annotations[key]}", and the MeshWorkload writes "${value}": set it in one place (${where}.annotations)`));
      }
    }

    if (this.injection) {
      const spec = podSpecOf(json) ?? {};
      const podUid = spec.securityContext?.runAsUser;
      for (const [i, c] of (Array.isArray(spec.containers) ? spec.containers : []).entries()) {
        const uid = c?.securityContext?.runAsUser ?? podUid;
        if (uid === PROXY_UID && c?.name !== 'istio-proxy') {
          const field = c?.securityContext?.runAsUser !== undefined ? `containers[${i}].securityContext.runAsUser` : 'securityContext.runAsUser';
          errors.push(constructMessage(this, `container "${c?.name ?? i}" runs as UID 1337 (${field}), the sidecar's: the sidecar does not capture that UID's traffic, so it leaves without mTLS or policy. `
            + 'Run the application as another user (init containers may use 1337 with Istio CNI)'));
        }
      }
    }

    const podLabels = { ...labels, ...this.labels };
    for (const svc of this.services) {
      const svcJson = svc.toJson();
      const selector: { [key: string]: string } = svcJson?.spec?.selector ?? {};
      const keys = Object.keys(selector);
      if (keys.length === 0 || keys.some(k => podLabels[k] !== selector[k])) {
        errors.push(constructMessage(this, `Service '${svc.node.path}' does not select the workload's pods (selector ${JSON.stringify(selector)}, pod labels ${JSON.stringify(podLabels)}): its port protocols would not apply to them`));
      }
    }
    for (const d of this.declared) {
      const sp = d.service.toJson()?.spec?.ports?.[d.index];
      if (sp?.port !== d.port) {
        errors.push(constructMessage(this, `${d.at}: Service port ${d.port} is no longer spec.ports[${d.index}] of '${d.service.node.path}': declare the ports after the Service's ports are final`));
      }
    }
    return errors;
  }
}

/** Declared protocols of the ports of one Service, shared by the MeshWorkloads of the workloads behind it. */
function servicePortRegistry(svc: ApiObject): Map<number, { protocol: Protocol; by: MeshWorkload }> {
  const holder = svc as any;
  if (!holder[SERVICE_PORTS]) Object.defineProperty(holder, SERVICE_PORTS, { value: new Map() });
  return holder[SERVICE_PORTS];
}

function sameProtocol(a: Protocol, b: Protocol): boolean {
  return a === b || (isTlsProtocol(a) && isTlsProtocol(b));
}

function apiObjectOf(scope: IConstruct, prop: string, construct: IConstruct): ApiObject {
  try {
    return ApiObject.of(construct);
  } catch {
    return throwPropError(scope, prop, construct?.node?.path, 'a construct with an ApiObject: a cdk8s-plus workload or Service, or an ApiObject');
  }
}

/** The pod metadata of a rendered workload (a Pod's own metadata), or an empty object. */
function podMetadataOf(json: any): any {
  return (json?.kind === 'Pod' ? json?.metadata : json?.spec?.template?.metadata) ?? {};
}

function podSpecOf(json: any): any {
  return json?.kind === 'Pod' ? json?.spec : json?.spec?.template?.spec;
}

/** The workload port a Service port sends to: `targetPort`, a named one through the containers, else the port. */
function targetPortOf(sp: any, containers: any[]): number | undefined {
  const target = sp?.targetPort;
  if (target === undefined) return sp?.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(String(target))) return Number(target);
  for (const c of containers) {
    for (const cp of Array.isArray(c?.ports) ? c.ports : []) {
      if (cp?.name === target) return cp.containerPort;
    }
  }
  return undefined;
}

function renderKib(kib: number): string {
  if (kib % (1024 * 1024) === 0) return `${kib / (1024 * 1024)}Gi`;
  if (kib % 1024 === 0) return `${kib / 1024}Mi`;
  return `${kib}Ki`;
}

/**
 * Merges labels and annotations into an ApiObject's pod metadata each time it is
 * rendered (`toJson`), so that the maps need not exist yet and what the workload
 * gets later is kept (a JSON patch would replace a map added later). Returns the
 * rendering without the merge, for the checks.
 */
function patchPodMetadata(obj: ApiObject, owner: MeshWorkload, merge: (meta: any) => void): () => any {
  const render = obj.toJson.bind(obj);
  Object.defineProperty(obj, POD_PATCH, { value: owner });
  Object.defineProperty(obj, 'toJson', {
    configurable: true,
    value: () => {
      const json = render();
      if (json?.kind === 'Pod') {
        json.metadata ??= {};
        merge(json.metadata);
      } else {
        json.spec ??= {};
        json.spec.template ??= {};
        json.spec.template.metadata ??= {};
        merge(json.spec.template.metadata);
      }
      return json;
    },
  });
  return render;
}

