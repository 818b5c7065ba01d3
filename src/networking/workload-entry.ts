import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { checkWorkloadEntryOptions, renderEntry } from './workload-entry-fields';
import * as l1 from '../../imports/networking.istio.io';
import { throwPropError } from '../core/errors';
import { IstioResource, IstioResourceProps } from '../core/istio-resource';
import { isFqdn, isIpAddress, isUnixAddress } from '../core/names';

/**
 * The fields a WorkloadEntry and a WorkloadGroup's template share: what Istio knows
 * of a workload outside Kubernetes (a VM, a bare-metal host).
 *
 * @see https://istio.io/latest/docs/reference/config/networking/workload-entry/#WorkloadEntry
 */
export interface WorkloadEntryOptions {
  /**
   * Labels of the workload: ServiceEntry `workloadSelector`s, Service selectors and
   * policy selectors pick it by them.
   *
   * @default - none
   */
  readonly labels?: { [key: string]: string };

  /**
   * Port numbers on the workload, keyed by the port names of the ServiceEntry (or
   * Service) that selects it, where they differ from its `targetPort`.
   *
   * @default - the ServiceEntry's targetPort (or port)
   */
  readonly ports?: { [portName: string]: number };

  /**
   * The Kubernetes service account the workload runs as, in the entry's namespace:
   * its mTLS identity (`spiffe://<trust domain>/ns/<namespace>/sa/<serviceAccount>`).
   *
   * @default - none (the workload has no mesh identity of its own)
   */
  readonly serviceAccount?: string;

  /**
   * The network the workload is in, for multi-network meshes (traffic from other
   * networks goes through that network's east-west gateway).
   *
   * @default - the same network as the proxies that call it
   */
  readonly network?: string;

  /**
   * The locality, `region/zone/subzone` (locality-aware load balancing).
   *
   * @default - none
   */
  readonly locality?: string;

  /**
   * The load balancing weight, 1 or more.
   *
   * @default - equal weights
   */
  readonly weight?: number;
}

/** Props of a WorkloadEntry. */
export interface WorkloadEntryProps extends IstioResourceProps, WorkloadEntryOptions {
  /**
   * The address of the workload: an IP (what a STATIC ServiceEntry selects), a DNS
   * name (DNS resolution only), or `unix:///absolute/path`.
   *
   * @default - none; then `network` is required (the workload is reached through that network's gateway)
   */
  readonly address?: string;
}

/**
 * One workload outside Kubernetes (a VM) in the mesh. ServiceEntries with a
 * `workloadSelector` (and Services with a selector) send traffic to it when its labels
 * match; policies select it by its labels as they select pods.
 *
 * Checked at once: the address (an IP, a DNS name with a dot, or a unix socket; an
 * entry without address needs a network), labels, port names and numbers, the service
 * account (a DNS subdomain), the locality and the weight. An entry that no ServiceEntry
 * or Service selects is reported by validation (CDK8S-ISTIO-A031), and so is a service
 * account the app does not have (CDK8S-ISTIO-A032).
 *
 * @see https://istio.io/latest/docs/reference/config/networking/workload-entry/
 */
export class WorkloadEntry extends IstioResource {
  /** The L1 object. */
  public readonly apiObject: l1.WorkloadEntry;
  /** The address, if any. */
  public readonly address?: string;
  /** The labels. */
  public readonly labels: { [key: string]: string };
  /** The service account, if any. */
  public readonly serviceAccount?: string;

  public constructor(scope: Construct, id: string, props: WorkloadEntryProps = {}) {
    super(scope, id, props);
    const address = props.address;
    if (address === undefined) {
      if (props.network === undefined) throwPropError(this, 'address', address, 'a workload entry needs an address (or a network, to be reached through that network\'s gateway)');
    } else if (address.startsWith('unix://')) {
      if (!isUnixAddress(address)) throwPropError(this, 'address', address, 'a socket address is "unix://<absolute path>" or "unix://@<abstract name>"');
      if (props.ports !== undefined) throwPropError(this, 'ports', props.ports, 'a unix socket entry takes no ports');
    } else if (!isIpAddress(address) && !isFqdn(address)) {
      throwPropError(this, 'address', address, 'an IP address, a DNS name with a dot, or unix://<absolute path>');
    }
    this.address = address;
    checkWorkloadEntryOptions(this, '', props);
    this.labels = { ...props.labels };
    this.serviceAccount = props.serviceAccount;
    this.apiObject = new l1.WorkloadEntry(this, 'Resource', {
      metadata: this.resourceMetadata(props),
      spec: Lazy.any({ produce: () => renderEntry({ ...props, labels: this.labels }, address) }),
    });
  }
}
