import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { addCrossCheck, addSynthValidation, IndexedObject, IndexQueries } from '../core/cross-check';
import { constructMessage, throwPropError } from '../core/errors';
import { isDnsLabel, isDnsSubdomain, isLabelValue } from '../core/names';
import { Principal } from '../core/principal';
import { checkPortNumber, SIDECAR_PORTS } from '../core/protocol';
import { WorkloadSelector } from '../core/workload-selector';
import { AuthorizationAction, AuthorizationPolicy } from '../security/authorization-policy';
import { AuthorizationSource } from '../security/authz-rule';
import { MtlsMode, PeerAuthentication } from '../security/peer-authentication';

/**
 * Who may call the workloads once default-deny is on. Identities come from the
 * caller's mTLS certificate, so every entry also requires mutual TLS.
 *
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source
 */
export interface AllowedSources {
  /**
   * Peer identities, e.g. `Principal.serviceAccount('frontend', 'web')`,
   * `Principal.fromServiceAccount(sa)` or `Principal.namespace('monitoring')`.
   *
   * @default - none
   */
  readonly principals?: Principal[];

  /**
   * Namespaces of the callers (`source.namespaces`), e.g. `frontend`.
   *
   * @default - none
   */
  readonly namespaces?: string[];

  /**
   * Kubernetes service accounts of the callers, `"namespace/name"` (at most 16).
   *
   * @default - none
   */
  readonly serviceAccounts?: string[];
}

/**
 * One port whose mutual TLS mode differs from the namespace's, for the workloads a
 * selector picks (e.g. a metrics port left PERMISSIVE for a Prometheus outside
 * the mesh).
 *
 * @see https://istio.io/latest/docs/reference/config/security/peer_authentication/#PeerAuthentication
 */
export interface MtlsPortException {
  /**
   * The workloads the exception applies to. Required: Istio only honours
   * port-level mTLS on a workload-scoped PeerAuthentication.
   */
  readonly selector: WorkloadSelector;

  /**
   * The workload's (container) port, 1-65535: not the Service port. Istio keys
   * `portLevelMtls` by the port the pod listens on, so for a Service that maps port 80
   * to targetPort 8080 the exception is on 8080. The port is written as given, never
   * translated (a Service may not be in the app, and several Services may map one
   * port differently); at synth, validation reports a Service port given here
   * (CDK8S-ISTIO-A014, with the target port to use) when the Service is in the app.
   */
  readonly port: number;

  /** The mode of that port: PERMISSIVE or DISABLE to accept plaintext, STRICT to require mTLS. */
  readonly mode: MtlsMode;

  /**
   * `metadata.name` of the workload-scoped PeerAuthentication that holds the
   * exceptions of this selector (and of the AuthorizationPolicy that lets
   * plaintext in on those ports under default-deny). Exceptions with the same
   * selector share it.
   *
   * @default - the selector's label values (or the workload's id) followed by `-port-mtls`, e.g. `prometheus-port-mtls`
   */
  readonly name?: string;
}

/** Options shared by a namespace and the mesh-wide variant. */
export interface StrictMtlsOptions {
  /**
   * Migration mode: the PeerAuthentication is PERMISSIVE (plaintext and mTLS)
   * instead of STRICT, so that clients without a sidecar keep working while they
   * move into the mesh. Plaintext callers have no identity, so migration mode
   * excludes `denyPlaintext` and default-deny: turn them on once the migration is
   * done (`migration: false`).
   *
   * @see https://istio.io/latest/docs/tasks/security/authentication/mtls-migration/
   * @default false (STRICT: mutual TLS only)
   */
  readonly migration?: boolean;

  /**
   * Adds the AuthorizationPolicy `deny-plaintext`: DENY for sources without an
   * mTLS identity (`from.source.notPrincipals: ["*"]`). Defense in depth: it keeps
   * plaintext out even if a workload-level PeerAuthentication is loosened later.
   * Ports opened by PERMISSIVE or DISABLE port exceptions are left out of it.
   *
   * Like every AuthorizationPolicy, it also applies to gateways: external clients of
   * an ingress gateway have no mTLS identity, so it denies them too. Mesh-wide, it
   * would cut off every ingress gateway; that is why it is off by default there.
   *
   * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source
   * @default - true in a namespace (except in migration mode, where it would break the migration); false mesh-wide
   */
  readonly denyPlaintext?: boolean;

  /**
   * Default-deny: adds the ALLOW AuthorizationPolicy `allowlist`, which allows
   * the sources of `allowFrom` and of `allow*()` only; without any, it allows
   * nothing (every request is denied). Mesh-wide, it applies to the ingress
   * gateways too.
   *
   * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/
   * @default - true when `allowFrom` is given or an `allow*()` method is called, false otherwise
   */
  readonly defaultDeny?: boolean;

  /**
   * The callers default-deny lets in. Implies `defaultDeny`. More with `allow()`,
   * `allowNamespaces()` and `allowServiceAccounts()`.
   *
   * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source
   * @default - no sources
   */
  readonly allowFrom?: AllowedSources;
}

/** Props of a StrictMtlsNamespace. */
export interface StrictMtlsNamespaceProps extends StrictMtlsOptions {
  /**
   * The namespace to make mTLS-only. `istio-system` is the mesh's root
   * namespace: use `StrictMtlsNamespace.meshWide()` for it.
   *
   * @see https://istio.io/latest/docs/reference/config/security/peer_authentication/
   * @default - the chart's namespace
   */
  readonly namespace?: string;

  /**
   * Creates the Namespace object. Set it to false when the namespace exists
   * already (and is labeled for injection by other means): then only the
   * policies are created.
   *
   * @see https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/
   * @default true
   */
  readonly createNamespace?: boolean;

  /**
   * Labels the namespace for automatic sidecar injection: `istio-injection:
   * enabled`, or `istio.io/rev: <revision>` when `revision` is set. Automatic
   * injection never happens in kube-system, kube-public and istio-system, which
   * are rejected.
   *
   * @see https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#controlling-the-injection-policy
   * @default - the value of `createNamespace`
   */
  readonly sidecarInjection?: boolean;

  /**
   * The control plane revision that injects the sidecars (revision-based
   * upgrades): the namespace gets `istio.io/rev: <revision>` and no
   * `istio-injection` label (which would take precedence over it).
   *
   * @see https://istio.io/latest/docs/setup/upgrade/canary/
   * @default - `istio-injection: enabled` (the default revision)
   */
  readonly revision?: string;

  /**
   * More labels for the Namespace object (not the injection labels: use
   * `sidecarInjection` and `revision`).
   *
   * @see https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/
   * @default - the injection label only
   */
  readonly namespaceLabels?: { [key: string]: string };

  /**
   * Ambient mode instead of sidecars: the Namespace is labelled
   * `istio.io/dataplane-mode: ambient` (no injection label), and ztunnel enforces the
   * PeerAuthentication (STRICT) and the L4 policies `deny-plaintext` and `allowlist`.
   * Port exceptions with DISABLE are refused (ztunnel ignores DISABLE). When the
   * namespace's Services use a waypoint, allow its identity under default-deny
   * (`allow(waypoint.principal)`): ztunnel sees the waypoint for the calls that went
   * through it.
   *
   * @see https://istio.io/latest/docs/ambient/usage/add-workloads/
   * @default false (sidecar injection)
   */
  readonly ambient?: boolean;

  /**
   * Ports whose mode differs from the namespace's, each for the workloads of a
   * selector. More with `addPortException()`.
   *
   * @see https://istio.io/latest/docs/reference/config/security/peer_authentication/#PeerAuthentication
   * @default - none
   */
  readonly portExceptions?: MtlsPortException[];

  /**
   * Ports of this namespace's workloads that speak a server-first protocol (the
   * server speaks first: SMTP, DNS, MySQL, MongoDB...). PERMISSIVE breaks them, so
   * in migration mode each needs a STRICT or DISABLE port exception. Ports 25,
   * 53, 3306 and 27017 are always treated as server-first in port exceptions.
   *
   * @see https://istio.io/latest/docs/ops/deployment/application-requirements/#server-first-protocols
   * @default - none declared
   */
  readonly serverFirstPorts?: number[];
}

/** Props of `StrictMtlsNamespace.meshWide`. */
export interface MeshWideMtlsProps extends StrictMtlsOptions {
  /**
   * The mesh's root namespace (`meshConfig.rootNamespace`), where policies apply
   * to every workload of the mesh.
   *
   * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;

  /**
   * Workload ports the mesh-wide `deny-plaintext` policy leaves alone, for the
   * PERMISSIVE or DISABLE port exceptions of namespaces (which the root namespace
   * cannot hold). More with `addPlaintextPort()`.
   *
   * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#Operation
   * @default - none: the policy denies plaintext on every port
   */
  readonly plaintextPorts?: number[];
}

/** The mesh-wide variant's props, passed privately to the constructor. */
const MESH_WIDE = Symbol('cdk8s-istio.StrictMtlsNamespace.meshWide');

const ROOT_NAMESPACE = 'istio-system';
const NO_AUTO_INJECTION = ['kube-system', 'kube-public', 'istio-system'];
const INJECTION_LABEL = 'istio-injection';
const REVISION_LABEL = 'istio.io/rev';
const DATAPLANE_MODE_LABEL = 'istio.io/dataplane-mode';

/** Protocols in which the server speaks first: PERMISSIVE mTLS (protocol sniffing) breaks them. */
const SERVER_FIRST: { [port: number]: string } = { 25: 'SMTP', 53: 'DNS', 3306: 'MySQL', 27017: 'MongoDB' };


/** Query families of the cross-check (built once per index): the root namespaces, the ingress gateways. */
const ROOTS = Symbol('cdk8s-istio.StrictMtlsNamespace.roots');
const INGRESS_GATEWAYS = Symbol('cdk8s-istio.StrictMtlsNamespace.ingressGateways');

/** The exceptions of one selector: one workload-scoped PeerAuthentication. */
interface ExceptionGroup {
  readonly name: string;
  readonly key: string;
  readonly selector: WorkloadSelector;
  readonly peerAuthentication: PeerAuthentication;
  readonly modes: Map<number, MtlsMode>;
  plaintextAllow?: AuthorizationPolicy;
}

/**
 * Makes a namespace accept mutual TLS only: the Namespace with sidecar injection
 * enabled, the namespace-wide PeerAuthentication `default` (STRICT), a policy that
 * denies plaintext, and optionally default-deny with an allow-list.
 *
 * Secure by default:
 * - mTLS is STRICT. `migration: true` makes it PERMISSIVE while clients without a
 *   sidecar are moved into the mesh; plaintext denial and default-deny are then
 *   rejected, since they would break the migration.
 * - `denyPlaintext` is on in a namespace (outside migration): the
 *   AuthorizationPolicy `deny-plaintext` denies callers without an mTLS identity.
 *   It is off mesh-wide, where it would deny the external clients of every
 *   ingress gateway.
 * - Sidecar injection is on: the namespace is labeled `istio-injection: enabled`,
 *   or `istio.io/rev: <revision>`.
 * - Default-deny is off unless asked for (`defaultDeny`, `allowFrom` or `allow*()`):
 *   then the ALLOW policy `allowlist` lets in the listed sources only, and nothing
 *   when none is listed.
 * - Port exceptions are always workload-scoped (a separate PeerAuthentication with
 *   a selector and `portLevelMtls`); a port opened to plaintext is left out of
 *   `deny-plaintext` and, under default-deny, allowed for plaintext callers on
 *   those workloads only. PERMISSIVE on server-first ports (25, 53, 3306, 27017,
 *   `serverFirstPorts`) is rejected.
 *
 * `StrictMtlsNamespace.meshWide()` does the same for the whole mesh from the root
 * namespace (istio-system), without a Namespace object or injection label, and
 * without `deny-plaintext` unless asked for.
 *
 * Objects: Namespace `<namespace>`, PeerAuthentication `default`,
 * AuthorizationPolicy `deny-plaintext` and `allowlist`, and per exception
 * selector a PeerAuthentication (and AuthorizationPolicy) `<name>`.
 *
 * Create it before the other objects of the namespace in the chart: cdk8s writes
 * objects in the order they are created, and `kubectl apply` needs the Namespace
 * first.
 *
 * Checks at synth, across the app: a second namespace-wide PeerAuthentication in
 * the namespace, workload PeerAuthentications whose selectors overlap a port
 * exception's (Istio applies only the oldest), a DENY policy of the namespace or
 * of the root namespace that denies plaintext on a port an exception opens, or
 * that undoes migration mode, and an ingress gateway of the app (Gateway API
 * `Gateway` of class `istio`, or pods labeled `istio: ingressgateway`) whose
 * external clients `deny-plaintext` or `allowlist` would deny.
 *
 * @see https://istio.io/latest/docs/tasks/security/authentication/mtls-migration/
 * @see https://istio.io/latest/docs/reference/config/security/peer_authentication/
 */
export class StrictMtlsNamespace extends Construct {
  /**
   * Mutual TLS for the whole mesh: the PeerAuthentication `default` (and the
   * policies) in the root namespace, without a Namespace object or injection
   * label. Namespaces can still loosen it with their own PeerAuthentication.
   *
   * @param scope the parent construct
   * @param id the construct id
   * @param props options
   */
  public static meshWide(scope: Construct, id: string, props: MeshWideMtlsProps = {}): StrictMtlsNamespace {
    const { rootNamespace, plaintextPorts, ...options } = props;
    return new StrictMtlsNamespace(scope, id, { ...options, [MESH_WIDE]: { rootNamespace, plaintextPorts } } as StrictMtlsNamespaceProps);
  }

  /** The namespace the policies live in (the root namespace for the mesh-wide variant). */
  public readonly namespaceName: string;
  /** True for the mesh-wide variant (`meshWide()`). */
  public readonly isMeshWide: boolean;
  /** True in migration mode (PERMISSIVE). */
  public readonly migration: boolean;
  /** The mode of the namespace (or mesh): STRICT, or PERMISSIVE in migration mode. */
  public readonly mtlsMode: MtlsMode;
  /** The Namespace object, unless `createNamespace` is false or the variant is mesh-wide. */
  public readonly namespace?: ApiObject;
  /** The PeerAuthentication `default`. */
  public readonly peerAuthentication: PeerAuthentication;
  /** The DENY policy for callers without an mTLS identity, if `denyPlaintext`. */
  public readonly denyPlaintextPolicy?: AuthorizationPolicy;
  /** True in ambient mode (`ambient`). */
  public readonly ambient: boolean;

  private readonly defaultDenyProp?: boolean;
  private readonly serverFirstPorts: number[];
  private readonly groups = new Map<string, ExceptionGroup>();
  private readonly plaintextPorts = new Set<number>();
  private allowlist?: AuthorizationPolicy;

  public constructor(scope: Construct, id: string, props: StrictMtlsNamespaceProps = {}) {
    super(scope, id);
    const mesh: MeshWideMtlsProps | undefined = (props as any)[MESH_WIDE];
    this.isMeshWide = mesh !== undefined;
    this.migration = props.migration ?? false;
    this.mtlsMode = this.migration ? MtlsMode.PERMISSIVE : MtlsMode.STRICT;
    this.defaultDenyProp = props.defaultDeny;
    this.ambient = props.ambient ?? false;

    if (mesh) {
      this.namespaceName = this.checkNamespaceName('rootNamespace', mesh.rootNamespace ?? ROOT_NAMESPACE);
    } else {
      const namespace = props.namespace ?? Chart.of(this).namespace;
      if (namespace === undefined) {
        throwPropError(this, 'namespace', undefined, 'give the namespace to make mTLS-only, or create the construct in a chart that has a namespace');
      }
      this.namespaceName = this.checkNamespaceName('namespace', namespace);
      if (this.namespaceName === ROOT_NAMESPACE) {
        throwPropError(this, 'namespace', namespace, 'istio-system is the mesh root namespace: its policies apply to the whole mesh, and automatic sidecar injection never happens there; use StrictMtlsNamespace.meshWide() for mesh-wide mTLS');
      }
      this.namespace = this.createNamespace(props);
    }
    this.serverFirstPorts = (props.serverFirstPorts ?? []).map((port, i) => this.checkPort(`serverFirstPorts[${i}]`, port));

    const defaultDeny = props.defaultDeny ?? props.allowFrom !== undefined;
    if (this.migration && props.denyPlaintext === true) {
      throwPropError(this, 'denyPlaintext', true, 'migration mode accepts plaintext (PERMISSIVE): denying plaintext callers would break the migration; turn it on once the migration is done (migration: false)');
    }
    if (this.migration && defaultDeny) {
      throwPropError(this, props.allowFrom !== undefined ? 'allowFrom' : 'defaultDeny', props.allowFrom !== undefined ? describeSources(props.allowFrom) : true,
        'migration mode accepts plaintext callers, which have no identity: a default-deny allow-list would deny them; turn it on once the migration is done (migration: false)');
    }
    if (props.defaultDeny === false && props.allowFrom !== undefined) {
      throwPropError(this, 'allowFrom', describeSources(props.allowFrom), 'an allow-list works through default-deny (an ALLOW policy denies what it does not list), which defaultDeny: false turns off; remove one of them');
    }

    const metadata = (name: string) => ({ name, namespace: this.namespaceName });
    this.peerAuthentication = new PeerAuthentication(this, 'PeerAuthentication', { metadata: metadata('default'), mtlsMode: this.mtlsMode });
    if (props.denyPlaintext ?? (!this.migration && !this.isMeshWide)) {
      this.denyPlaintextPolicy = new AuthorizationPolicy(this, 'DenyPlaintext', {
        metadata: metadata('deny-plaintext'),
        action: AuthorizationAction.DENY,
        ambient: this.ambient,
        rules: [{ from: [{ notPrincipals: [Principal.any()] }] }],
      });
    }
    if (defaultDeny) this.ensureAllowlist();
    if (props.allowFrom !== undefined) this.addAllowed(props.allowFrom, 'allowFrom');
    (mesh?.plaintextPorts ?? []).forEach((port, i) => this.addPlaintextPortAt(port, `plaintextPorts[${i}]`));
    (props.portExceptions ?? []).forEach((exception, i) => this.addException(exception, `portExceptions[${i}]`));

    addSynthValidation(this, () => this.validateServerFirstPorts());
    addCrossCheck(this, index => this.crossCheck(index));
  }

  /** The default-deny ALLOW policy `allowlist`, if default-deny is on. */
  public get allowPolicy(): AuthorizationPolicy | undefined {
    return this.allowlist;
  }

  /** The workload-scoped PeerAuthentications of the port exceptions, one per selector. */
  public get portExceptions(): PeerAuthentication[] {
    return [...this.groups.values()].map(g => g.peerAuthentication);
  }

  /** Under default-deny, the ALLOW policies that let plaintext callers in on the ports exceptions open, one per selector. */
  public get plaintextAllowPolicies(): AuthorizationPolicy[] {
    return [...this.groups.values()].flatMap(g => g.plaintextAllow ? [g.plaintextAllow] : []);
  }

  /**
   * Gives one port of some workloads another mutual TLS mode. Exceptions with
   * the same selector go into one workload-scoped PeerAuthentication. A port
   * opened to plaintext (PERMISSIVE or DISABLE) is left out of `deny-plaintext`
   * and, under default-deny, allowed for plaintext callers on those workloads.
   *
   * Not available mesh-wide: Istio ignores PeerAuthentications with a selector in
   * the root namespace.
   *
   * @param exception the selector, port and mode
   * @returns the PeerAuthentication that holds the exception
   */
  public addPortException(exception: MtlsPortException): PeerAuthentication {
    return this.addException(exception, `addPortException(${exception?.port})`);
  }

  /**
   * Lets the mesh-wide `deny-plaintext` policy leave one workload port alone, for
   * the PERMISSIVE or DISABLE port exceptions of namespaces. Mesh-wide variant
   * only: in a namespace, `addPortException` does it.
   *
   * @param port the workload port, 1-65535
   */
  public addPlaintextPort(port: number): void {
    this.addPlaintextPortAt(port, `addPlaintextPort(${port})`);
  }

  /**
   * Allows callers with these identities (turns default-deny on).
   * @param principals e.g. `Principal.serviceAccount('frontend', 'web')`
   */
  public allow(...principals: Principal[]): void {
    this.addAllowed({ principals }, 'allow()');
  }

  /**
   * Allows callers from these namespaces (turns default-deny on).
   * @param namespaces e.g. `frontend`
   */
  public allowNamespaces(...namespaces: string[]): void {
    this.addAllowed({ namespaces }, 'allowNamespaces()');
  }

  /**
   * Allows callers running as these service accounts (turns default-deny on).
   * @param serviceAccounts `namespace/name`, e.g. `frontend/web`
   */
  public allowServiceAccounts(...serviceAccounts: string[]): void {
    this.addAllowed({ serviceAccounts }, 'allowServiceAccounts()');
  }

  private createNamespace(props: StrictMtlsNamespaceProps): ApiObject | undefined {
    const name = this.namespaceName;
    const create = props.createNamespace ?? true;
    if (this.ambient) {
      for (const [prop, value] of [['sidecarInjection', props.sidecarInjection], ['revision', props.revision]] as const) {
        if (value !== undefined && value !== false) {
          throwPropError(this, prop, value, 'ambient mode runs no sidecars: the namespace is labelled istio.io/dataplane-mode=ambient instead (sidecar injection would take precedence over it)');
        }
      }
    }
    const injection = !this.ambient && (props.sidecarInjection ?? create);
    if (!create) {
      for (const [prop, value] of [['sidecarInjection', props.sidecarInjection], ['revision', props.revision], ['namespaceLabels', props.namespaceLabels]] as const) {
        if (value !== undefined && value !== false) {
          throwPropError(this, prop, value, `createNamespace is false, so there is no Namespace object to label; label the existing namespace yourself (e.g. kubectl label namespace ${name} istio-injection=enabled), or create it here`);
        }
      }
    }
    if (this.ambient && NO_AUTO_INJECTION.includes(name)) {
      throwPropError(this, 'namespace', name, 'ambient mode does not apply to kube-system, kube-public or istio-system (the Istio CNI node agent skips istio-system and kube-system by default, istio-system runs the data plane itself; kube-public holds no workloads)');
    }
    if (NO_AUTO_INJECTION.includes(name) && (create || injection)) {
      throwPropError(this, 'namespace', name, 'automatic sidecar injection never happens in kube-system, kube-public or istio-system, and the namespace exists already: '
        + 'set createNamespace: false and sidecarInjection: false if workloads there get sidecars by hand (istioctl kube-inject)');
    }
    if (!create) return undefined;

    if (props.revision !== undefined) {
      if (!injection) {
        throwPropError(this, 'revision', props.revision, 'the revision names the control plane that injects the sidecars: it needs sidecarInjection');
      }
      if (props.revision.length === 0 || !isLabelValue(props.revision)) {
        throwPropError(this, 'revision', props.revision, 'a revision is a label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit (e.g. "1-30-3", "stable")');
      }
    }
    const labels: { [key: string]: string } = { ...props.namespaceLabels };
    for (const key of [INJECTION_LABEL, REVISION_LABEL, DATAPLANE_MODE_LABEL]) {
      if (key in labels) {
        throwPropError(this, `namespaceLabels["${key}"]`, labels[key], key === DATAPLANE_MODE_LABEL
          ? 'the data plane label is set by ambient'
          : 'the injection labels are set by sidecarInjection and revision (istio.io/rev wins over istio-injection, so only one of them is set)');
      }
    }
    if (this.ambient) labels[DATAPLANE_MODE_LABEL] = 'ambient';
    if (injection) {
      if (props.revision !== undefined) labels[REVISION_LABEL] = props.revision;
      else labels[INJECTION_LABEL] = 'enabled';
    }
    const obj = new ApiObject(this, 'Namespace', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: Object.keys(labels).length > 0 ? labels : undefined },
    });
    // a Namespace is cluster-scoped: the chart's namespace must not land on it
    if (obj.metadata.namespace !== undefined) obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    return obj;
  }

  private addException(exception: MtlsPortException, at: string): PeerAuthentication {
    if (this.isMeshWide) {
      throwPropError(this, at, exception?.mode, 'Istio ignores PeerAuthentications with a selector in the root namespace: '
        + 'add the exception in the workload\'s namespace (a StrictMtlsNamespace there) and leave the port out of the mesh-wide deny-plaintext policy with addPlaintextPort()');
    }
    const { selector, mode } = exception ?? ({} as MtlsPortException);
    if (!(selector instanceof WorkloadSelector)) {
      throwPropError(this, `${at}.selector`, selector, 'a port exception needs a workload selector (WorkloadSelector.fromLabels() or .fromWorkload()): Istio only honours port-level mTLS on a workload-scoped PeerAuthentication');
    }
    const port = this.checkPort(`${at}.port`, exception.port);
    if (!Object.values(MtlsMode).includes(mode) || mode === MtlsMode.UNSET) {
      throwPropError(this, `${at}.mode`, mode, 'STRICT, PERMISSIVE or DISABLE (UNSET would inherit the namespace mode: leave the port out instead)');
    }
    if (mode === MtlsMode.DISABLE && this.ambient) {
      throwPropError(this, `${at}.mode`, mode, 'ztunnel ignores DISABLE in ambient mode (HBONE always carries mutual TLS between ambient pods): use PERMISSIVE to let plaintext clients in on the port');
    }
    if (mode === MtlsMode.PERMISSIVE) {
      const protocol = SERVER_FIRST[port] ?? (this.serverFirstPorts.includes(port) ? 'a declared server-first protocol' : undefined);
      if (protocol) {
        throwPropError(this, `${at}.mode`, mode, `port ${port} (${protocol}) speaks server-first, which PERMISSIVE mTLS breaks (the sidecar waits for the client to speak first): use STRICT or DISABLE for server-first protocols`);
      }
    }
    const identity = selectorIdentity(selector);
    if (identity === undefined) {
      throwPropError(this, `${at}.selector`, {}, 'an empty selector picks every workload of the namespace: give the labels of the workloads the exception is for');
    }
    const name = exception.name ?? `${identity.base}-port-mtls`;
    if (!isDnsSubdomain(name)) {
      throwPropError(this, `${at}.name`, name, 'an object name is a DNS subdomain: lower case letters, digits, "-" and ".", at most 253 characters');
    }

    let group = this.groups.get(name);
    if (group && group.key !== identity.key) {
      throwPropError(this, `${at}.name`, name, `is already the name of the exceptions of ${describeSelector(group.selector)}; give this selector (${describeSelector(selector)}) another name`);
    }
    if (!group) {
      group = {
        name,
        key: identity.key,
        selector,
        modes: new Map(),
        peerAuthentication: new PeerAuthentication(this, `PortException-${name}`, {
          metadata: { name, namespace: this.namespaceName },
          selector,
          mtlsMode: this.mtlsMode,
        }),
      };
      this.groups.set(name, group);
    }
    const previous = group.modes.get(port);
    if (previous !== undefined && previous !== mode) {
      throwPropError(this, `${at}.mode`, mode, `port ${port} of ${describeSelector(selector)} already has the exception ${previous}; one port has one mode`);
    }
    if (previous === undefined) {
      group.modes.set(port, mode);
      group.peerAuthentication.addPortLevelMtls(port, mode);
      if (mode !== MtlsMode.STRICT) {
        this.exemptPort(port);
        if (this.allowlist) this.allowPlaintext(group, port);
      }
    }
    return group.peerAuthentication;
  }

  private addPlaintextPortAt(port: number, at: string): void {
    if (!this.isMeshWide) {
      throwPropError(this, at, port, 'in a namespace, addPortException() opens a port to plaintext (and leaves it out of deny-plaintext); addPlaintextPort() is for the mesh-wide variant');
    }
    port = this.checkPort(at, port);
    if (!this.denyPlaintextPolicy) {
      throwPropError(this, at, port, 'there is no deny-plaintext policy to leave the port out of (denyPlaintext is off, or migration mode is on)');
    }
    this.exemptPort(port);
  }

  /** Leaves a port out of deny-plaintext, if there is one (its rule 0 gets `to.notPorts`). */
  private exemptPort(port: number): void {
    if (!this.denyPlaintextPolicy || this.plaintextPorts.has(port)) return;
    this.plaintextPorts.add(port);
    // our own rule 0 widens with each port
    const notPorts = [...this.plaintextPorts].sort((a, b) => a - b);
    this.denyPlaintextPolicy.replaceRule(0, { from: [{ notPrincipals: [Principal.any()] }], to: [{ notPorts }] });
  }

  private ensureAllowlist(): AuthorizationPolicy {
    if (!this.allowlist) {
      this.allowlist = new AuthorizationPolicy(this, 'Allowlist', {
        metadata: { name: 'allowlist', namespace: this.namespaceName },
        action: AuthorizationAction.ALLOW,
        ambient: this.ambient,
      });
      for (const group of this.groups.values()) {
        for (const [port, mode] of group.modes) {
          if (mode !== MtlsMode.STRICT) this.allowPlaintext(group, port);
        }
      }
    }
    return this.allowlist;
  }

  /** Under default-deny, lets plaintext callers reach one opened port of a group's workloads. */
  private allowPlaintext(group: ExceptionGroup, port: number): void {
    if (!group.plaintextAllow) {
      group.plaintextAllow = new AuthorizationPolicy(this, `PlaintextAllow-${group.name}`, {
        metadata: { name: group.name, namespace: this.namespaceName },
        selector: group.selector,
        action: AuthorizationAction.ALLOW,
      });
    }
    group.plaintextAllow.addRule({ from: [{ notPrincipals: [Principal.any()] }], to: [{ ports: [port] }] });
  }

  private addAllowed(sources: AllowedSources, at: string): void {
    if (this.defaultDenyProp === false) {
      throwPropError(this, at, describeSources(sources), 'an allow-list works through default-deny (an ALLOW policy denies what it does not list), which defaultDeny: false turns off');
    }
    if (this.migration) {
      throwPropError(this, at, describeSources(sources), 'migration mode accepts plaintext callers, which have no identity: a default-deny allow-list would deny them; allow sources once the migration is done (migration: false)');
    }
    const from: AuthorizationSource[] = [];
    if (sources.principals?.length) from.push({ principals: sources.principals });
    if (sources.namespaces?.length) from.push({ namespaces: sources.namespaces });
    if (sources.serviceAccounts?.length) from.push({ serviceAccounts: sources.serviceAccounts });
    if (from.length === 0) {
      throwPropError(this, at, describeSources(sources), 'lists no source: give at least one principal, namespace or service account (defaultDeny: true alone allows nothing)');
    }
    this.ensureAllowlist().addRule({ from });
  }

  private checkNamespaceName(prop: string, value: string): string {
    if (typeof value !== 'string' || !isDnsLabel(value)) {
      throwPropError(this, prop, value, 'a namespace name is a DNS label: lower case letters, digits and "-", at most 63 characters');
    }
    return value;
  }

  private checkPort(prop: string, port: number): number {
    checkPortNumber(this, prop, port, 'a port is an integer from 1 to 65535 (the workload\'s container port)');
    if (SIDECAR_PORTS[port]) {
      throwPropError(this, prop, port, `${port} is the sidecar's own port (${SIDECAR_PORTS[port]}), not an application port`);
    }
    return port;
  }

  private validateServerFirstPorts(): string[] {
    if (!this.migration) return [];
    return this.serverFirstPorts
      .filter(port => ![...this.groups.values()].some(g => [MtlsMode.STRICT, MtlsMode.DISABLE].includes(g.modes.get(port) as MtlsMode)))
      .map(port => constructMessage(this, `serverFirstPorts: port ${port} speaks server-first, which PERMISSIVE mTLS breaks, and migration mode makes it PERMISSIVE; `
        + `use STRICT or DISABLE for server-first protocols: addPortException({ selector, port: ${port}, mode: MtlsMode.STRICT })`));
  }

  /** The root namespaces of the app: those of its mesh-wide variants, else istio-system (one walk per validation pass). */
  private rootNamespaces(index: IndexQueries): string[] {
    return index.memo(ROOTS, () => {
      const found = this.node.root.node.findAll()
        .filter((c): c is StrictMtlsNamespace => c instanceof StrictMtlsNamespace && c.isMeshWide)
        .map(c => c.namespaceName);
      return found.length > 0 ? [...new Set(found)] : [ROOT_NAMESPACE];
    });
  }

  private crossCheck(index: IndexQueries): string[] {
    const errors: string[] = [];
    const ns = this.namespaceName;
    const inNamespace = (kind: string, namespaces: string[]) => index.inNamespaces(kind, namespaces);
    const ours = new Set<ApiObject>([this.peerAuthentication.apiObject, ...this.portExceptions.map(p => p.apiObject)]);
    const peerAuthentications = inNamespace('PeerAuthentication', [ns]);

    for (const other of peerAuthentications) {
      if (ours.has(other.apiObject) || selectorOf(other) !== undefined) continue;
      errors.push(constructMessage(this, `${describe(other)} is a second namespace-wide PeerAuthentication in namespace "${ns}" besides "default": `
        + 'Istio applies only the oldest one; remove it, or give it a selector'));
    }
    const groups = [...this.groups.values()];
    groups.forEach((group, i) => {
      const labels = group.selector.toLabels();
      for (const other of peerAuthentications) {
        const theirs = selectorOf(other);
        if (other.apiObject === group.peerAuthentication.apiObject || theirs === undefined) continue;
        const ownIndex = groups.findIndex(g => g.peerAuthentication.apiObject === other.apiObject);
        if (ownIndex >= 0 && ownIndex < i) continue; // pairs of our own are reported once
        if (!isSubset(labels, theirs) && !isSubset(theirs, labels)) continue;
        errors.push(constructMessage(this, `the port exceptions "${group.name}" (${showLabels(labels)}) and ${describe(other)} (${showLabels(theirs)}) select the same workloads: `
          + 'Istio applies only the oldest workload-level PeerAuthentication to a workload; put the ports of one workload under one selector'));
      }
    });

    const roots = this.rootNamespaces(index).filter(r => r !== ns);
    const denials = inNamespace('AuthorizationPolicy', [ns, ...roots]).filter(ap => ap.json?.spec?.action === 'DENY');
    if (!this.migration) {
      for (const group of groups) {
        const labels = group.selector.toLabels();
        for (const [port, mode] of group.modes) {
          if (mode === MtlsMode.STRICT) continue;
          for (const ap of denials) {
            const theirs = selectorOf(ap);
            if (theirs !== undefined && !isSubset(theirs, labels)) continue;
            if (!deniesPlaintext(ap, port)) continue;
            errors.push(constructMessage(this, `port exception "${group.name}" opens port ${port} to plaintext (${mode}), but ${describe(ap)} denies plaintext callers on it: `
              + `leave the port out of that policy (to.operation.notPorts${roots.includes(ap.json.metadata.namespace) ? ', or addPlaintextPort() on the mesh-wide StrictMtlsNamespace' : ''})`));
          }
        }
      }
    } else {
      for (const ap of denials) {
        if (selectorOf(ap) !== undefined || !deniesPlaintext(ap, undefined)) continue;
        errors.push(constructMessage(this, `migration mode accepts plaintext in namespace "${ns}", but ${describe(ap)} denies plaintext callers: `
          + 'remove that policy during the migration (or set denyPlaintext: false on the StrictMtlsNamespace that makes it)'));
      }
    }
    errors.push(...this.checkIngressGateways(index));
    return errors;
  }

  /** Our policies that deny callers without identity would deny the external clients of ingress gateways. */
  private checkIngressGateways(index: IndexQueries): string[] {
    const policies = [this.denyPlaintextPolicy, this.allowlist].flatMap(p => p ? [`"${p.name}"`] : []);
    if (policies.length === 0) return [];
    const ingressGateways = index.memo(INGRESS_GATEWAYS, all => {
      const list = [
        ...all.ofKind('Gateway').filter(g => String(g.json.apiVersion).startsWith('gateway.networking.k8s.io/') && g.json.spec?.gatewayClassName === 'istio'),
        ...['Deployment', 'DaemonSet', 'StatefulSet', 'Pod'].flatMap(kind => all.ofKind(kind))
          .filter(w => (w.json.kind === 'Pod' ? w.json.metadata?.labels : w.json.spec?.template?.metadata?.labels)?.istio === 'ingressgateway'),
      ];
      const byNamespace = new Map<unknown, IndexedObject[]>();
      for (const g of list) {
        const gwNamespace = g.json?.metadata?.namespace;
        const group = byNamespace.get(gwNamespace);
        if (group) group.push(g);
        else byNamespace.set(gwNamespace, [g]);
      }
      return { list, byNamespace };
    });
    const gateways = this.isMeshWide ? ingressGateways.list : ingressGateways.byNamespace.get(this.namespaceName) ?? [];
    return gateways.map(g => constructMessage(this, `${policies.join(' and ')} would deny the external clients of the ingress gateway ${describe(g)}: `
      + `they have no mTLS identity; ${this.isMeshWide ? 'leave denyPlaintext and defaultDeny off mesh-wide' : 'run the gateway in a namespace of its own, or turn denyPlaintext and defaultDeny off here'}`));
  }
}

/** A stable key for grouping exceptions by selector, and a readable base for their name. */
function selectorIdentity(selector: WorkloadSelector): { key: string; base: string } | undefined {
  let key: string;
  let base: string;
  if (selector.workload === undefined) {
    const labels = selector.toLabels();
    const keys = Object.keys(labels).sort();
    if (keys.length === 0) return undefined;
    key = `labels:${JSON.stringify(keys.map(k => [k, labels[k]]))}`;
    base = keys.map(k => labels[k]).join('-');
  } else {
    key = `workload:${selector.workload.node.path}`;
    base = selector.workload.node.id;
  }
  base = base.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '').slice(0, 53).replace(/-$/, '');
  return { key, base: base.length > 0 ? base : 'workload' };
}

function selectorOf(obj: IndexedObject): { [key: string]: string } | undefined {
  const labels = obj.json?.spec?.selector?.matchLabels;
  return labels && Object.keys(labels).length > 0 ? labels : undefined;
}

/** True when every label of `a` is in `b` (a selector `a` then picks every pod `b` picks). */
function isSubset(a: { [key: string]: string }, b: { [key: string]: string }): boolean {
  return Object.entries(a).every(([k, v]) => b[k] === v);
}

/**
 * True when one rule of a DENY policy denies callers without identity on the port
 * (any port when undefined): a source of `notPrincipals: ["*"]` alone, no condition,
 * and operations on ports only that include the port.
 */
function deniesPlaintext(ap: IndexedObject, port: number | undefined): boolean {
  const rules: any[] = Array.isArray(ap.json?.spec?.rules) ? ap.json.spec.rules : [];
  return rules.some(rule => {
    if (rule?.when?.length) return false;
    const sources: any[] = Array.isArray(rule?.from) ? rule.from : [];
    const plaintext = sources.some(f => {
      const keys = Object.keys(f?.source ?? {});
      return keys.length === 1 && keys[0] === 'notPrincipals' && f.source.notPrincipals.includes('*');
    });
    if (!plaintext) return false;
    if (!Array.isArray(rule.to)) return true;
    return rule.to.some((t: any) => {
      const op = t?.operation ?? {};
      if (Object.keys(op).some(k => k !== 'ports' && k !== 'notPorts')) return false;
      if (port === undefined) return op.ports === undefined;
      return (op.ports === undefined || op.ports.map(String).includes(String(port)))
        && (op.notPorts === undefined || !op.notPorts.map(String).includes(String(port)));
    });
  });
}

function describe(obj: IndexedObject): string {
  return `${obj.json.kind} "${obj.json.metadata?.namespace}/${obj.json.metadata?.name}" ('${obj.apiObject.node.path}')`;
}

/** A selector for messages: its labels when given as labels, else the workload it reads them from. */
function describeSelector(selector: WorkloadSelector): string {
  return selector.workload === undefined ? `labels ${showLabels(selector.toLabels())}` : selector.toString();
}

function showLabels(labels: { [key: string]: string }): string {
  return Object.keys(labels).sort().map(k => `${k}=${labels[k]}`).join(',');
}

function describeSources(sources: AllowedSources): unknown {
  return {
    principals: sources?.principals?.map(String),
    namespaces: sources?.namespaces,
    serviceAccounts: sources?.serviceAccounts,
  };
}
