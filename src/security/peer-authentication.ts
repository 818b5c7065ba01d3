import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import * as l1 from '../../imports/security.istio.io';
import { throwPropError } from '../core/errors';
import { IstioResource, IstioResourceProps } from '../core/istio-resource';
import { checkPortNumber } from '../core/protocol';
import { WorkloadSelector } from '../core/workload-selector';

/**
 * Mutual TLS mode of a PeerAuthentication.
 * @see https://istio.io/latest/docs/reference/config/security/peer_authentication/#PeerAuthentication-MutualTLS-Mode
 */
export enum MtlsMode {
  /** Inherit from the parent (namespace, then mesh); PERMISSIVE if none sets it. */
  UNSET = 'UNSET',
  /** Plaintext only. */
  DISABLE = 'DISABLE',
  /** Both plaintext and mutual TLS (migration). */
  PERMISSIVE = 'PERMISSIVE',
  /** Mutual TLS only: workloads outside the mesh cannot call in. */
  STRICT = 'STRICT',
}

/** Props of a PeerAuthentication. */
export interface PeerAuthenticationProps extends IstioResourceProps {
  /**
   * The workloads it applies to.
   *
   * @default - every workload of the namespace (of the mesh, in the root namespace)
   */
  readonly selector?: WorkloadSelector;

  /**
   * The mutual TLS mode.
   *
   * @default MtlsMode.STRICT (secure by default)
   */
  readonly mtlsMode?: MtlsMode;

  /**
   * Per-port mutual TLS modes, keyed by the workload's (container) port number.
   * Port-level settings need a `selector`, as Istio requires.
   *
   * @default - no port-level settings
   */
  readonly portLevelMtls?: { [port: string]: MtlsMode };
}

/**
 * Sets the mutual TLS mode that workloads accept.
 *
 * Secure by default: the mode is STRICT unless said otherwise.
 *
 * @see https://istio.io/latest/docs/reference/config/security/peer_authentication/
 */
export class PeerAuthentication extends IstioResource {
  /** The L1 object. */
  public readonly apiObject: l1.PeerAuthentication;
  /** The mutual TLS mode. */
  public readonly mtlsMode: MtlsMode;
  /** The workload selector, if any. */
  public readonly selector?: WorkloadSelector;

  private readonly portLevel = new Map<number, MtlsMode>();

  public constructor(scope: Construct, id: string, props: PeerAuthenticationProps = {}) {
    super(scope, id, props);
    this.mtlsMode = props.mtlsMode ?? MtlsMode.STRICT;
    this.selector = props.selector;
    for (const [port, mode] of Object.entries(props.portLevelMtls ?? {})) {
      this.setPortLevel(Number(port), mode, `portLevelMtls["${port}"]`);
    }
    this.apiObject = new l1.PeerAuthentication(this, 'Resource', {
      metadata: this.resourceMetadata(props),
      spec: Lazy.any({ produce: () => this.renderSpec() }),
    });
  }

  /**
   * Sets the mutual TLS mode of one port. Needs a `selector`, as Istio requires.
   * @param port the workload's port number (1-65535)
   * @param mode the mode for that port
   */
  public addPortLevelMtls(port: number, mode: MtlsMode): void {
    this.setPortLevel(port, mode, `addPortLevelMtls(${port})`);
  }

  private setPortLevel(port: number, mode: MtlsMode, prop: string): void {
    if (!this.selector) {
      throwPropError(this, prop, mode, 'port-level mTLS needs a workload selector (Istio ignores it without one): set `selector`');
    }
    checkPortNumber(this, prop, port, 'the port must be an integer from 1 to 65535');
    this.portLevel.set(port, mode);
  }

  private renderSpec(): l1.PeerAuthenticationSpec {
    const ports = [...this.portLevel.keys()].sort((a, b) => a - b);
    const portLevelMtls: { [key: string]: l1.PeerAuthenticationSpecPortLevelMtls } = {};
    for (const p of ports) {
      portLevelMtls[String(p)] = { mode: this.portLevel.get(p) as string as l1.PeerAuthenticationSpecPortLevelMtlsMode };
    }
    return {
      selector: this.selector ? { matchLabels: this.selector.toLabels() } : undefined,
      mtls: { mode: this.mtlsMode as string as l1.PeerAuthenticationSpecMtlsMode },
      portLevelMtls: ports.length > 0 ? portLevelMtls : undefined,
    };
  }
}
