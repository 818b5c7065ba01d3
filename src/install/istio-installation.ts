import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, Chart, Lazy, Names } from 'cdk8s';
import { Construct } from 'constructs';
import type * as Yaml from 'yaml';
import { InstallProfile, PROFILE_COMPONENTS, PROFILE_EGRESS_GATEWAY, PROFILE_INGRESS_GATEWAY } from './profile';
import { addAppCheck, addSynthValidation, ManifestIndex, perApp } from '../core/cross-check';
import { constructMessage, describeConstruct, throwPropError } from '../core/errors';
import { isDnsLabel, labelsProblem } from '../core/names';
import { MeshConfig } from '../mesh/mesh-config';

/** The Istio release this library targets: the version assumed where an installation names none. */
const TARGET_VERSION = '1.30.3';
const DEFAULT_NAMESPACE = 'istio-system';
const STATUS_PORT = 15021;
/** The sidecar proxy's UID. */
const PROXY_UID = 1337;
const VERSION = /^(\d+)\.(\d+)(?:\.(\d+))?(?:-[0-9A-Za-z.-]+)?$/;

/**
 * How the Istio CNI node agent handles a pod that started before the agent configured
 * its network (the race the `istio-validation` init container detects).
 * @see https://istio.io/latest/docs/setup/additional-setup/cni/#race-condition--mitigation
 */
export enum CniRepairMode {
  /** Delete the pod, so that it is scheduled again with the right configuration (the default before 1.21). */
  DELETE_PODS = 'deletePods',
  /** Only label the pod (`cni.istio.io/uninitialized`): someone fixes it by hand. */
  LABEL_PODS = 'labelPods',
  /** Repair the pod's network in place: it goes on when its containers restart (Istio's default since 1.21). */
  REPAIR_PODS = 'repairPods',
}

/** The Kubernetes Service type of an installed gateway. */
export enum GatewayServiceType {
  /** An external load balancer (the charts' default). */
  LOAD_BALANCER = 'LoadBalancer',
  /** A port on every node. */
  NODE_PORT = 'NodePort',
  /** A cluster-internal address only. */
  CLUSTER_IP = 'ClusterIP',
}

/** The Helm charts of an Istio installation (`istio/<chart>` in Istio's chart repository). */
export enum IstioHelmChart {
  /** CRDs and cluster roles; installed first. */
  BASE = 'base',
  /** A revision of istiod (the control plane). */
  ISTIOD = 'istiod',
  /** The Istio CNI node agent. */
  CNI = 'cni',
  /** ztunnel, the ambient node proxy. */
  ZTUNNEL = 'ztunnel',
  /** One ingress or egress gateway. */
  GATEWAY = 'gateway',
}

/** One port of an installed gateway's Service. */
export interface InstallGatewayPort {
  /** The port name, e.g. `http2`, `https` (a DNS label). */
  readonly name: string;
  /** The Service port. */
  readonly port: number;
  /**
   * The gateway pod's port.
   *
   * @default - the same as `port`
   */
  readonly targetPort?: number;
}

/**
 * A gateway the installation deploys (`components.ingressGateways[]` /
 * `egressGateways[]` of the IstioOperator, a release of the `gateway` chart).
 * @see https://istio.io/latest/docs/reference/config/istio.operator.v1alpha1/#GatewaySpec
 */
export interface InstallGateway {
  /**
   * The gateway's name (its Deployment and Service).
   *
   * @default "istio-ingressgateway" for an ingress gateway, "istio-egressgateway" for an egress gateway
   */
  readonly name?: string;

  /**
   * Whether it is installed.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * The namespace it runs in.
   *
   * @default - the installation's namespace
   */
  readonly namespace?: string;

  /**
   * Labels of the gateway pods, which Istio `Gateway` selectors match. In the
   * IstioOperator they replace the component's default labels (`label`); the gateway
   * chart adds them to its own (`labels`).
   *
   * @default - the defaults (`istio: ingressgateway` for `istio-ingressgateway`)
   */
  readonly labels?: { [key: string]: string };

  /**
   * The Service type.
   *
   * @default GatewayServiceType.LOAD_BALANCER
   */
  readonly serviceType?: GatewayServiceType;

  /**
   * The Service ports. The status port (`status-port`, 15021), which load balancers'
   * health checks use, is added first unless listed.
   *
   * @default - the defaults (15021, 80 and 443 for an ingress gateway)
   */
  readonly ports?: InstallGatewayPort[];
}

/**
 * The Istio CNI node agent (the `cni` component, the `cni` chart).
 * @see https://istio.io/latest/docs/setup/additional-setup/cni/
 */
export interface IstioCniOptions {
  /**
   * Whether this installation installs the agent.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * The namespace the agent runs in.
   *
   * @default - the installation's namespace
   */
  readonly namespace?: string;

  /**
   * The node directory of the CNI plugin binaries (`cniBinDir`).
   *
   * @default "/opt/cni/bin"
   */
  readonly cniBinDir?: string;

  /**
   * The node directory of the CNI network configuration (`cniConfDir`).
   *
   * @default "/etc/cni/net.d"
   */
  readonly cniConfDir?: string;

  /**
   * The name of the CNI configuration file (`cniConfFileName`).
   *
   * @default - the primary plugin's file (detected)
   */
  readonly cniConfFileName?: string;

  /**
   * Whether the plugin is chained after the primary interface plugin (`chained`).
   *
   * @default true
   */
  readonly chained?: boolean;

  /**
   * Namespaces whose pods the agent leaves alone (`excludeNamespaces`). The list replaces
   * the chart's default, `kube-system`.
   *
   * @default ["kube-system"]
   */
  readonly excludeNamespaces?: string[];

  /**
   * What the agent does with a pod that started before its network was configured
   * (`repair.deletePods` / `labelPods` / `repairPods`: the chosen one true, the others false).
   *
   * @default CniRepairMode.REPAIR_PODS
   */
  readonly repair?: CniRepairMode;

  /**
   * Whether the agent serves ambient mode (`ambient.enabled`).
   *
   * @default - true with the ambient profile, false otherwise
   */
  readonly ambient?: boolean;

  /**
   * The agent's version, when it differs from the control plane's (`values.cni.tag` of
   * the IstioOperator, the `cni` chart's version). The agent of 1.x works with control
   * planes 1.x-1 to 1.x+1: a larger skew is refused.
   *
   * @default - the installation's `version`
   * @see https://istio.io/latest/docs/setup/additional-setup/cni/#operating-a-cluster-with-the-cni-node-agent-installed
   */
  readonly version?: string;
}

/** Props of an IstioInstallation. */
export interface IstioInstallationProps {
  /**
   * The istioctl profile (`spec.profile`): the components installed unless said otherwise.
   *
   * @default InstallProfile.DEFAULT
   * @see https://istio.io/latest/docs/setup/additional-setup/config-profiles/
   */
  readonly profile?: InstallProfile;

  /**
   * The control plane revision (`spec.revision`, the istiod chart's `revision`), for
   * canary upgrades: workloads choose it with the `istio.io/rev` label.
   *
   * @default - the default revision
   * @see https://istio.io/latest/docs/setup/upgrade/canary/
   */
  readonly revision?: string;

  /**
   * The Istio version installed (`spec.tag`, the charts' version), e.g. "1.30.3".
   *
   * @default - the version of the istioctl or charts used; the checks assume 1.30.3, the release this library targets
   */
  readonly version?: string;

  /**
   * The image registry (`spec.hub`, the charts' `global.hub`).
   *
   * @default - Istio's (the istioctl or charts used)
   */
  readonly hub?: string;

  /**
   * The namespace istiod runs in (`values.global.istioNamespace`).
   *
   * @default "istio-system"
   */
  readonly namespace?: string;

  /**
   * The name of the IstioOperator.
   *
   * @default - derived from the construct path (without a hash)
   */
  readonly name?: string;

  /**
   * The mesh config the installation writes (`spec.meshConfig`, the istiod chart's
   * `meshConfig`): the settings of this MeshConfig construct (`toMeshConfig()`), so that
   * the installer and the `istio` ConfigMap the app writes say the same. Its revision
   * and namespace must be the installation's.
   *
   * @default - Istio's defaults
   * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/
   */
  readonly meshConfig?: MeshConfig;

  /**
   * The ingress gateways. Given, the list replaces the profile's: a profile gateway
   * not in it is rendered `enabled: false`.
   *
   * @default - the profile's (`istio-ingressgateway` with default and demo)
   */
  readonly ingressGateways?: InstallGateway[];

  /**
   * The egress gateways. Given, the list replaces the profile's.
   *
   * @default - the profile's (`istio-egressgateway` with demo)
   */
  readonly egressGateways?: InstallGateway[];

  /**
   * The Istio CNI node agent: replaces the privileged `istio-init` container of every
   * sidecar pod; required by ambient mode. The agent is one per cluster: with canary
   * upgrades, install it once (e.g. an installation with `InstallProfile.EMPTY` and
   * `cni`) and set `pilotCni` on every revision.
   *
   * @default - installed with the ambient profile only
   * @see https://istio.io/latest/docs/setup/additional-setup/cni/
   */
  readonly cni?: IstioCniOptions;

  /**
   * Whether this control plane's sidecar injector relies on the CNI node agent
   * (`values.pilot.cni.enabled`, the istiod chart's `cni.enabled`): it then injects
   * `istio-validation` instead of `istio-init`. Required on every revision of a cluster
   * whose CNI agent is installed.
   *
   * @default - true when this installation installs the CNI node agent
   * @see https://istio.io/latest/docs/setup/additional-setup/cni/#handling-init-container-injection-for-revisions
   */
  readonly pilotCni?: boolean;

  /**
   * Whether ztunnel, the ambient node proxy, is installed.
   *
   * @default - with the ambient profile only
   */
  readonly ztunnel?: boolean;
}

/** One Helm release of an installation: the chart, where it goes, and its values. */
export interface IstioHelmRelease {
  /** The chart (`istio/<chart>`). */
  readonly chart: IstioHelmChart;
  /** The release name (`istio-base`, `istiod`, `istiod-<revision>`, `istio-cni`, `ztunnel`, or the gateway's name). */
  readonly releaseName: string;
  /** The release namespace. */
  readonly namespace: string;
  /** The chart version (`helm --version`), if the installation names one. */
  readonly chartVersion?: string;
  /** The values file's name, e.g. `values-istiod.yaml`. */
  readonly fileName: string;
  /** The `helm upgrade --install` command for this release. */
  readonly command: string;
  /** The values (plain JSON). */
  readonly values: any;
}

/** A resolved gateway. */
interface Gw {
  readonly name: string;
  readonly enabled: boolean;
  readonly namespace?: string;
  readonly labels?: { [key: string]: string };
  readonly serviceType?: GatewayServiceType;
  readonly ports?: Array<{ name: string; port: number; targetPort: number; protocol: string }>;
  /** Given by the user (rather than the profile's). */
  readonly given: boolean;
}

const INSTALLATIONS = Symbol.for('cdk8s-istio.IstioInstallation.all');
const UID_CHECK = Symbol.for('cdk8s-istio.IstioInstallation.uid1337');

/**
 * An Istio installation: an `IstioOperator` (install.istio.io/v1alpha1) for
 * `istioctl install -f` or `istioctl manifest generate -f`, and the values of the Helm
 * charts (base, istiod, cni, ztunnel, gateway) for the same installation
 * (`helmReleases()`, `writeHelmValues(dir)`).
 *
 * Put it in a chart of its own: the chart's file is then the IstioOperator alone, which
 * istioctl reads and `kubectl apply` never sees (the cluster has no IstioOperator CRD).
 * The library's validation leaves install.istio.io objects alone.
 *
 * Checks:
 * - a revisioned control plane in a cluster with the CNI node agent must set `pilotCni`;
 * - ambient mode needs the CNI node agent (in ambient mode) and ztunnel;
 * - the CNI node agent and every control plane at most one minor version apart;
 * - an injected pod's init container may run as the proxy's UID 1337 only when its
 *   control plane uses Istio CNI (cross-checked with the app's workloads, e.g. MeshWorkload);
 * - the revision, namespaces, versions, gateway names, labels and ports are well formed.
 *
 * @see https://istio.io/latest/docs/reference/config/istio.operator.v1alpha1/
 * @see https://istio.io/latest/docs/setup/install/helm/
 */
export class IstioInstallation extends Construct {
  /** The IstioOperator (escape hatch). */
  public readonly apiObject: ApiObject;
  /** The IstioOperator's name. */
  public readonly name: string;
  /** istiod's namespace. */
  public readonly namespace: string;
  /** The profile. */
  public readonly profile: InstallProfile;
  /** The revision, if any. */
  public readonly revision?: string;
  /** The version, if given. */
  public readonly version?: string;
  /** Whether this installation installs istiod. */
  public readonly controlPlaneEnabled: boolean;
  /** Whether this installation installs the CNI node agent. */
  public readonly cniEnabled: boolean;
  /** Whether this control plane's injector relies on the CNI node agent (`values.pilot.cni.enabled`). */
  public readonly pilotCni: boolean;
  /** Whether this installation installs ztunnel. */
  public readonly ztunnelEnabled: boolean;

  private readonly props: IstioInstallationProps;
  private readonly cniAmbient: boolean;
  private readonly cniVersion?: string;
  private readonly ingress: Gw[];
  private readonly egress: Gw[];

  public constructor(scope: Construct, id: string, props: IstioInstallationProps = {}) {
    super(scope, id);
    this.props = props;
    const profile = props.profile ?? InstallProfile.DEFAULT;
    if (!Object.values(InstallProfile).includes(profile)) {
      throwPropError(this, 'profile', profile, `one of ${Object.values(InstallProfile).join(', ')}`);
    }
    this.profile = profile;
    const components = PROFILE_COMPONENTS[profile];

    this.namespace = props.namespace ?? DEFAULT_NAMESPACE;
    if (!isDnsLabel(this.namespace)) throwPropError(this, 'namespace', this.namespace, 'a namespace is a DNS label, e.g. "istio-system"');
    if (props.revision !== undefined && (!isDnsLabel(props.revision) || props.revision.length > 57 || props.revision === 'default')) {
      throwPropError(this, 'revision', props.revision, 'a revision is a DNS label of at most 57 characters other than "default" (lower case letters, digits and "-"), e.g. "1-30-3" or "canary"');
    }
    this.revision = props.revision;
    this.name = props.name ?? Names.toDnsLabel(this, { includeHash: false });
    if (!isDnsLabel(this.name)) throwPropError(this, 'name', this.name, 'a DNS label');
    this.version = checkVersion(this, 'version', props.version);
    this.cniVersion = checkVersion(this, 'cni.version', props.cni?.version);

    this.controlPlaneEnabled = components.pilot;
    this.cniEnabled = props.cni !== undefined ? props.cni.enabled ?? true : components.cni;
    this.ztunnelEnabled = props.ztunnel ?? components.ztunnel;
    this.cniAmbient = props.cni?.ambient ?? profile === InstallProfile.AMBIENT;
    this.checkCni(props.cni);

    if (props.pilotCni !== undefined && !this.controlPlaneEnabled) {
      throwPropError(this, 'pilotCni', props.pilotCni, `the ${profile} profile installs no control plane: leave it out (set it on the installations of the revisions)`);
    }
    this.pilotCni = this.controlPlaneEnabled && (props.pilotCni ?? this.cniEnabled);
    if (this.revision !== undefined && this.cniEnabled && props.pilotCni === false) {
      throwPropError(this, 'pilotCni', false, `revision "${this.revision}" is installed with the CNI node agent: every revision needs pilotCni true (values.pilot.cni.enabled), or its injector still adds the privileged istio-init container`);
    }
    if (this.cniEnabled && this.controlPlaneEnabled) {
      const skew = versionSkew(this.cniVersion ?? this.version ?? TARGET_VERSION, this.version ?? TARGET_VERSION);
      if (skew > 1) {
        throwPropError(this, 'cni.version', this.cniVersion, `the CNI node agent works with control planes at most one minor version away, and the control plane is ${this.version ?? `${TARGET_VERSION} (assumed)`}: ${skew} minor versions apart`);
      }
    }

    const meshConfig = props.meshConfig;
    if (meshConfig) {
      if (meshConfig.revision !== this.revision) {
        throwPropError(this, 'meshConfig', meshConfig.node.path, `its revision is ${meshConfig.revision ?? '(default)'} and the installation's ${this.revision ?? '(default)'}: a mesh config is read by the istiod of its revision`);
      }
      if (meshConfig.namespace !== this.namespace) {
        throwPropError(this, 'meshConfig', meshConfig.node.path, `its namespace is ${meshConfig.namespace} and istiod's ${this.namespace}: istiod reads its mesh config from its own namespace`);
      }
    }

    this.ingress = this.gateways('ingressGateways', props.ingressGateways, PROFILE_INGRESS_GATEWAY, components.ingressGateway);
    this.egress = this.gateways('egressGateways', props.egressGateways, PROFILE_EGRESS_GATEWAY, components.egressGateway);
    const names = new Map<string, string>();
    [...this.ingress.map(g => ['ingressGateways', g] as const), ...this.egress.map(g => ['egressGateways', g] as const)].forEach(([prop, g]) => {
      const key = `${g.namespace ?? this.namespace}/${g.name}`;
      if (names.has(key)) throwPropError(this, `${prop}.name`, g.name, `${names.get(key)} has this name in namespace ${g.namespace ?? this.namespace} too: gateway names are unique in a namespace`);
      names.set(key, prop);
    });

    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'install.istio.io/v1alpha1',
      kind: 'IstioOperator',
      metadata: { name: this.name, namespace: this.namespace },
      spec: Lazy.any({ produce: () => this.renderSpec() }),
    });

    perApp(this, INSTALLATIONS, () => [] as IstioInstallation[]).push(this);
    addSynthValidation(this, () => this.validateInApp());
    addAppCheck(this, UID_CHECK, index => checkInitContainerUid(index, installationsOf(this)));
  }

  /**
   * The Helm releases of this installation, in install order (base, istiod, cni,
   * ztunnel, then the gateways), each with its values.
   */
  public helmReleases(): IstioHelmRelease[] {
    const releases: IstioHelmRelease[] = [];
    const add = (chart: IstioHelmChart, releaseName: string, namespace: string, fileName: string, values: any, chartVersion?: string) => {
      const command = ['helm upgrade --install', releaseName, `istio/${chart}`, '-n', namespace, ...(chartVersion ? ['--version', chartVersion] : []), '-f', fileName].join(' ');
      releases.push({ chart, releaseName, namespace, fileName, command, values, ...(chartVersion ? { chartVersion } : {}) });
    };
    const global = dropUndefined({
      istioNamespace: this.namespace !== DEFAULT_NAMESPACE ? this.namespace : undefined,
      hub: this.props.hub,
    });
    const helmProfile = this.profile === InstallProfile.AMBIENT || this.profile === InstallProfile.DEMO ? this.profile : undefined;
    const components = PROFILE_COMPONENTS[this.profile];
    if (components.base) {
      add(IstioHelmChart.BASE, 'istio-base', this.namespace, 'values-base.yaml', dropUndefined({ global: nonEmpty(dropUndefined({ istioNamespace: global.istioNamespace })) }), this.version);
    }
    if (this.controlPlaneEnabled) {
      const suffix = this.revision ? `-${this.revision}` : '';
      const meshConfig = this.props.meshConfig?.toMeshConfig();
      add(IstioHelmChart.ISTIOD, `istiod${suffix}`, this.namespace, `values-istiod${suffix}.yaml`, dropUndefined({
        profile: helmProfile,
        revision: this.revision,
        global: nonEmpty(global),
        cni: this.pilotCni ? { enabled: true } : undefined,
        meshConfig,
      }), this.version);
    }
    if (this.cniEnabled) {
      add(IstioHelmChart.CNI, 'istio-cni', this.props.cni?.namespace ?? this.namespace, 'values-cni.yaml', dropUndefined({
        ...(this.cniAmbient ? { profile: InstallProfile.AMBIENT } : {}),
        global: nonEmpty(dropUndefined({ hub: this.props.hub })),
        ...this.cniValues(false),
      }), this.cniVersion ?? this.version);
    }
    if (this.ztunnelEnabled) {
      add(IstioHelmChart.ZTUNNEL, 'ztunnel', this.namespace, 'values-ztunnel.yaml', dropUndefined({
        revision: this.revision,
        istioNamespace: this.namespace !== DEFAULT_NAMESPACE ? this.namespace : undefined,
        hub: this.props.hub,
      }), this.version);
    }
    for (const g of [...this.ingress, ...this.egress]) {
      if (!g.enabled) continue;
      add(IstioHelmChart.GATEWAY, g.name, g.namespace ?? this.namespace, `values-gateway-${g.name}.yaml`, dropUndefined({
        revision: this.revision,
        labels: g.labels ? { ...g.labels } : undefined,
        // no hub: the gateway's proxy image comes from istiod's injection template
        service: g.serviceType || g.ports ? dropUndefined({ type: g.serviceType, ports: g.ports?.map(p => ({ ...p })) }) : undefined,
      }), this.version);
    }
    return releases;
  }

  /**
   * The values of one chart's release; for the gateway chart, of the gateway named.
   *
   * @param chart the chart
   * @param gatewayName the gateway (with `IstioHelmChart.GATEWAY` only)
   */
  public helmValues(chart: IstioHelmChart, gatewayName?: string): any {
    const matches = this.helmReleases().filter(r => r.chart === chart && (chart !== IstioHelmChart.GATEWAY || r.releaseName === gatewayName));
    if (matches.length !== 1) {
      const installed = this.helmReleases().map(r => r.chart === IstioHelmChart.GATEWAY ? `gateway ${r.releaseName}` : r.chart).join(', ');
      throwPropError(this, 'helmValues', chart === IstioHelmChart.GATEWAY ? `${chart} ${gatewayName}` : chart,
        `this installation's releases are: ${installed || 'none'}${chart === IstioHelmChart.GATEWAY && gatewayName === undefined ? ' (name the gateway)' : ''}`);
    }
    return matches[0].values;
  }

  /**
   * Writes one values file for each Helm release (`values-<chart>.yaml`,
   * `values-gateway-<name>.yaml`) into `dir`, each headed by its `helm` command. The
   * same installation writes the same bytes. Give each installation its own directory.
   *
   * @param dir the directory (created if missing)
   * @returns the files written, in install order
   */
  public writeHelmValues(dir: string): string[] {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const yaml = require('yaml') as typeof Yaml;
    fs.mkdirSync(dir, { recursive: true });
    return this.helmReleases().map(r => {
      const file = path.join(dir, r.fileName);
      fs.writeFileSync(file, `# ${r.command}\n${yaml.stringify(r.values)}`);
      return file;
    });
  }

  private renderSpec(): any {
    const components = PROFILE_COMPONENTS[this.profile];
    const gateways = (list: Gw[]) => list.some(g => g.given) ? list.map(g => dropUndefined({
      name: g.name,
      enabled: g.enabled,
      namespace: g.namespace,
      label: g.labels ? { ...g.labels } : undefined,
      k8s: g.serviceType || g.ports ? { service: dropUndefined({ type: g.serviceType, ports: g.ports?.map(p => ({ ...p })) }) } : undefined,
    })) : undefined;
    const cni = this.cniValues(true);
    return dropUndefined({
      profile: this.profile,
      revision: this.revision,
      hub: this.props.hub,
      tag: this.version,
      meshConfig: this.props.meshConfig?.toMeshConfig(),
      components: nonEmpty(dropUndefined({
        cni: this.props.cni !== undefined || this.cniEnabled !== components.cni
          ? dropUndefined({ enabled: this.cniEnabled, namespace: this.props.cni?.namespace }) : undefined,
        ztunnel: this.ztunnelEnabled !== components.ztunnel ? { enabled: this.ztunnelEnabled } : undefined,
        ingressGateways: gateways(this.ingress),
        egressGateways: gateways(this.egress),
      })),
      values: nonEmpty(dropUndefined({
        global: this.namespace !== DEFAULT_NAMESPACE ? { istioNamespace: this.namespace } : undefined,
        pilot: this.pilotCni ? { cni: { enabled: true } } : undefined,
        cni: this.cniEnabled ? nonEmpty(cni) : undefined,
      })),
    });
  }

  /** The CNI agent's settings: IstioOperator `values.cni` (with the image tag), or the cni chart's top-level values. */
  private cniValues(operator: boolean): { [key: string]: any } {
    const o = this.props.cni ?? {};
    const repair = o.repair;
    return dropUndefined({
      ...(operator && this.cniVersion !== undefined && this.cniVersion !== this.version ? { tag: this.cniVersion } : {}),
      cniBinDir: o.cniBinDir,
      cniConfDir: o.cniConfDir,
      cniConfFileName: o.cniConfFileName,
      chained: o.chained,
      excludeNamespaces: o.excludeNamespaces ? [...o.excludeNamespaces] : undefined,
      // the ambient profile turns it on itself (istioctl's profile, the chart's `profile: ambient`)
      ambient: this.cniAmbient && this.profile !== InstallProfile.AMBIENT ? { enabled: true } : undefined,
      repair: repair !== undefined ? {
        deletePods: repair === CniRepairMode.DELETE_PODS,
        labelPods: repair === CniRepairMode.LABEL_PODS,
        repairPods: repair === CniRepairMode.REPAIR_PODS,
      } : undefined,
    });
  }

  private checkCni(cni: IstioCniOptions | undefined): void {
    if (cni === undefined) return;
    const settings = (['namespace', 'cniBinDir', 'cniConfDir', 'cniConfFileName', 'chained', 'excludeNamespaces', 'repair', 'ambient', 'version'] as const)
      .filter(k => cni[k] !== undefined);
    if (cni.enabled === false && settings.length > 0) {
      throwPropError(this, `cni.${settings[0]}`, cni[settings[0]], 'cni.enabled is false: the settings of the CNI node agent apply only where it is installed');
    }
    for (const dir of ['cniBinDir', 'cniConfDir'] as const) {
      const v = cni[dir];
      if (v !== undefined && (typeof v !== 'string' || !v.startsWith('/'))) throwPropError(this, `cni.${dir}`, v, 'an absolute node directory, e.g. "/opt/cni/bin"');
    }
    if (cni.cniConfFileName !== undefined && (typeof cni.cniConfFileName !== 'string' || !/^[A-Za-z0-9._-]+$/.test(cni.cniConfFileName))) {
      throwPropError(this, 'cni.cniConfFileName', cni.cniConfFileName, 'a file name (no directory), e.g. "10-calico.conflist"');
    }
    if (cni.namespace !== undefined && !isDnsLabel(cni.namespace)) throwPropError(this, 'cni.namespace', cni.namespace, 'a namespace is a DNS label, e.g. "istio-system" or "kube-system"');
    (cni.excludeNamespaces ?? []).forEach((ns, i) => {
      if (!isDnsLabel(ns)) throwPropError(this, `cni.excludeNamespaces[${i}]`, ns, 'a namespace is a DNS label');
    });
    if (cni.repair !== undefined && !Object.values(CniRepairMode).includes(cni.repair)) {
      throwPropError(this, 'cni.repair', cni.repair, `one of ${Object.values(CniRepairMode).join(', ')}`);
    }
  }

  private gateways(prop: string, given: InstallGateway[] | undefined, profileName: string, profileEnabled: boolean): Gw[] {
    if (given === undefined) return profileEnabled ? [{ name: profileName, enabled: true, given: false }] : [];
    const list: Gw[] = given.map((g, i) => this.gateway(`${prop}[${i}]`, g, profileName));
    // the list replaces the profile's: its gateway is turned off unless listed
    if (profileEnabled && !list.some(g => g.name === profileName && g.namespace === undefined)) {
      list.unshift({ name: profileName, enabled: false, given: true });
    }
    return list;
  }

  private gateway(at: string, g: InstallGateway, defaultName: string): Gw {
    const name = g.name ?? defaultName;
    if (!isDnsLabel(name)) throwPropError(this, `${at}.name`, name, 'a gateway name is a DNS label, e.g. "istio-ingressgateway"');
    if (g.namespace !== undefined && !isDnsLabel(g.namespace)) throwPropError(this, `${at}.namespace`, g.namespace, 'a namespace is a DNS label');
    if (g.labels !== undefined) {
      const problem = labelsProblem(g.labels);
      if (problem) throwPropError(this, `${at}.labels`, g.labels, problem);
      if (Object.keys(g.labels).length === 0) throwPropError(this, `${at}.labels`, g.labels, 'at least one label (Istio Gateways select the gateway pods by label), or leave it out for the defaults');
    }
    if (g.serviceType !== undefined && !Object.values(GatewayServiceType).includes(g.serviceType)) {
      throwPropError(this, `${at}.serviceType`, g.serviceType, `one of ${Object.values(GatewayServiceType).join(', ')}`);
    }
    let ports: Gw['ports'];
    if (g.ports !== undefined) {
      const seenNames = new Set<string>();
      const seenPorts = new Set<number>();
      ports = g.ports.map((p, i) => {
        const pat = `${at}.ports[${i}]`;
        if (typeof p.name !== 'string' || !isDnsLabel(p.name)) throwPropError(this, `${pat}.name`, p.name, 'a port name is a DNS label, e.g. "http2"');
        for (const [field, v] of [['port', p.port], ['targetPort', p.targetPort]] as const) {
          if (v !== undefined && (!Number.isInteger(v) || v < 1 || v > 65535)) throwPropError(this, `${pat}.${field}`, v, 'a port number from 1 to 65535');
        }
        if (seenNames.has(p.name)) throwPropError(this, `${pat}.name`, p.name, 'port names are unique in a Service');
        if (seenPorts.has(p.port)) throwPropError(this, `${pat}.port`, p.port, 'ports are unique in a Service');
        seenNames.add(p.name);
        seenPorts.add(p.port);
        return { name: p.name, port: p.port, targetPort: p.targetPort ?? p.port, protocol: 'TCP' };
      });
      if (!seenPorts.has(STATUS_PORT)) {
        if (seenNames.has('status-port')) throwPropError(this, `${at}.ports`, g.ports.map(p => `${p.name}:${p.port}`), `"status-port" is the name of the status port, ${STATUS_PORT}`);
        ports.unshift({ name: 'status-port', port: STATUS_PORT, targetPort: STATUS_PORT, protocol: 'TCP' });
      }
    }
    return dropUndefined({
      name, enabled: g.enabled ?? true, namespace: g.namespace, labels: g.labels, serviceType: g.serviceType, ports, given: true,
    }) as Gw;
  }

  /** The checks that span the app's installations (one cluster). */
  private validateInApp(): string[] {
    const errors: string[] = [];
    const all = installationsOf(this);
    const others = all.filter(i => i !== this);
    const chart = Chart.of(this);
    const strangers = chart.node.findAll().filter(c => c instanceof ApiObject && c !== this.apiObject && Chart.of(c) === chart) as ApiObject[];
    if (strangers.length > 0) {
      errors.push(constructMessage(this, `its chart '${chart.node.path}' also holds ${strangers.slice(0, 3).map(o => `${o.kind} '${o.node.path}'`).join(', ')}${strangers.length > 3 ? ', ...' : ''}: `
        + 'give the IstioInstallation a chart of its own, whose file istioctl reads (kubectl cannot apply an IstioOperator: the cluster has no CRD for it)'));
    }
    const cniBy = all.filter(i => i.cniEnabled);
    for (const [what, by] of [['the CNI node agent (cni)', cniBy], ['ztunnel', all.filter(i => i.ztunnelEnabled)]] as const) {
      if (by.length > 1 && by.indexOf(this) > 0) {
        errors.push(constructMessage(this, `${describeConstruct(by[0])} installs ${what} too: it is one per cluster (a DaemonSet), so install it with one installation and turn it off in the others (e.g. cni: { enabled: false }, ztunnel: false)`));
      }
    }
    if (this.controlPlaneEnabled && !this.pilotCni) {
      const by = cniBy.find(i => i !== this);
      if (by) {
        errors.push(constructMessage(this, `invalid pilotCni ${this.props.pilotCni ?? '(unset)'}: ${describeConstruct(by)} installs the CNI node agent, so ${this.revision ? `revision "${this.revision}"` : 'this control plane'} must set pilotCni: true (values.pilot.cni.enabled), or its injector still adds the privileged istio-init container`));
      }
    }
    if (this.controlPlaneEnabled) {
      for (const i of cniBy.filter(c => c !== this)) {
        const skew = versionSkew(i.cniVersion ?? i.version ?? TARGET_VERSION, this.version ?? TARGET_VERSION);
        if (skew > 1) {
          errors.push(constructMessage(this, `the CNI node agent of ${describeConstruct(i)} is ${i.cniVersion ?? i.version ?? `${TARGET_VERSION} (assumed)`} and this control plane ${this.version ?? `${TARGET_VERSION} (assumed)`}: ${skew} minor versions apart, and the agent works with control planes at most one minor version away; upgrade the agent first`));
        }
      }
    }
    const ambientCni = all.filter(i => i.cniEnabled && i.cniAmbient);
    if (this.profile === InstallProfile.AMBIENT || this.ztunnelEnabled) {
      const what = this.profile === InstallProfile.AMBIENT ? 'the ambient profile' : 'ztunnel';
      if (ambientCni.length === 0) {
        const hint = cniBy.length > 0 ? `the CNI node agent of ${describeConstruct(cniBy[0])} does not run in ambient mode (set cni.ambient: true there)` : 'no IstioInstallation of the app installs the CNI node agent (cni)';
        errors.push(constructMessage(this, `${what} needs the Istio CNI node agent in ambient mode, and ${hint}`));
      }
      if (!all.some(i => i.ztunnelEnabled)) {
        errors.push(constructMessage(this, `invalid ztunnel false: the ambient profile needs ztunnel (the node proxy), and no IstioInstallation of the app installs it${others.length === 0 ? '' : ' either'}`));
      }
    }
    return errors;
  }
}

function installationsOf(scope: Construct): IstioInstallation[] {
  return perApp(scope, INSTALLATIONS, () => [] as IstioInstallation[]);
}

function checkVersion(scope: Construct, prop: string, version: string | undefined): string | undefined {
  if (version !== undefined && (typeof version !== 'string' || !VERSION.test(version))) {
    throwPropError(scope, prop, version, 'an Istio version, e.g. "1.30.3"');
  }
  return version;
}

/** How many minor versions apart two versions are (a different major counts as 99). */
function versionSkew(a: string, b: string): number {
  const [, amaj, amin] = VERSION.exec(a)!;
  const [, bmaj, bmin] = VERSION.exec(b)!;
  return amaj !== bmaj ? 99 : Math.abs(Number(amin) - Number(bmin));
}

const POD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod']);

/**
 * The UID 1337 rule, across the app: an injected pod's init container may run as the
 * proxy's UID only when the control plane serving the pod (by its `istio.io/rev`) uses
 * Istio CNI. Pods no installation of the app serves are left alone.
 */
function checkInitContainerUid(index: ManifestIndex, installations: IstioInstallation[]): string[] {
  const errors: string[] = [];
  const namespaces = new Map<string, { [key: string]: string }>();
  for (const ns of index.ofKind('Namespace')) namespaces.set(ns.json?.metadata?.name, ns.json?.metadata?.labels ?? {});
  for (const kind of POD_KINDS) {
    for (const entry of index.ofKind(kind)) {
      const json = entry.json;
      const template = kind === 'Pod' ? json : kind === 'CronJob' ? json?.spec?.jobTemplate?.spec?.template : json?.spec?.template;
      const base = kind === 'Pod' ? 'spec' : kind === 'CronJob' ? 'spec.jobTemplate.spec.template.spec' : 'spec.template.spec';
      const labels = template?.metadata?.labels ?? {};
      const nsLabels = namespaces.get(json?.metadata?.namespace) ?? {};
      if (labels['sidecar.istio.io/inject'] === 'false') continue;
      const injected = labels['sidecar.istio.io/inject'] === 'true' || labels['istio.io/rev'] !== undefined
        || nsLabels['istio-injection'] === 'enabled' || nsLabels['istio.io/rev'] !== undefined;
      if (!injected) continue;
      const revision: string | undefined = labels['istio.io/rev'] ?? (nsLabels['istio-injection'] === 'enabled' ? undefined : nsLabels['istio.io/rev']);
      const installation = installations.find(i => i.controlPlaneEnabled && i.revision === revision);
      if (!installation || installation.pilotCni) continue;
      const spec = template?.spec ?? {};
      const podUid = spec.securityContext?.runAsUser;
      (Array.isArray(spec.initContainers) ? spec.initContainers : []).forEach((c: any, i: number) => {
        const own = c?.securityContext?.runAsUser;
        if ((own ?? podUid) !== PROXY_UID) return;
        const field = own !== undefined ? `${base}.initContainers[${i}].securityContext.runAsUser` : `${base}.securityContext.runAsUser`;
        errors.push(`${kind} '${entry.apiObject.node.path}': init container "${c?.name ?? i}" runs as UID 1337 (${field}), the sidecar proxy's, and ${describeConstruct(installation)}`
          + ` (${revision ? `revision "${revision}"` : 'the default revision'}) does not use Istio CNI: UID 1337 is allowed only for init containers under Istio CNI (to reach the network before the proxy starts). `
          + 'Run it as another user, or install with the CNI node agent (cni, pilotCni)');
      });
    }
  }
  return errors;
}

function dropUndefined<T extends { [key: string]: any }>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function nonEmpty<T extends object>(o: T): T | undefined {
  return Object.keys(o).length > 0 ? o : undefined;
}
