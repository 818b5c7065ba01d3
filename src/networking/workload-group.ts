import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { WorkloadEntryOptions } from './workload-entry';
import { checkWorkloadEntryOptions, renderEntry } from './workload-entry-fields';
import * as l1 from '../../imports/networking.istio.io';
import { throwPropError } from '../core/errors';
import { IstioResource, IstioResourceProps } from '../core/istio-resource';
import { checkLabels } from '../core/names';

/** Props of a WorkloadGroup. */
export interface WorkloadGroupProps extends IstioResourceProps {
  /**
   * The labels of the group's workloads (`spec.metadata.labels`): the WorkloadEntries
   * that auto-registration creates carry them, and selectors pick them by them.
   *
   * @default - none
   */
  readonly labels?: { [key: string]: string };

  /**
   * Annotations of the group's workloads (`spec.metadata.annotations`).
   *
   * @default - none
   */
  readonly annotations?: { [key: string]: string };

  /**
   * The template of the group's WorkloadEntries: service account, network, ports,
   * locality, weight. No address: each workload registers its own.
   *
   * @see https://istio.io/latest/docs/reference/config/networking/workload-group/#WorkloadGroup
   */
  readonly template: WorkloadEntryOptions;
}

/**
 * A group of workloads outside Kubernetes (VMs) that share a template: the
 * equivalent of a Deployment for VMs. `istioctl x workload entry configure` reads it to
 * make each VM's mesh configuration, and VMs that join the mesh with auto-registration
 * get WorkloadEntries from its template.
 *
 * Checked at once: the labels and annotations, and the template's fields (as a
 * WorkloadEntry's); the template takes no labels (give them in `labels`).
 *
 * @see https://istio.io/latest/docs/reference/config/networking/workload-group/
 */
export class WorkloadGroup extends IstioResource {
  /** The L1 object. */
  public readonly apiObject: l1.WorkloadGroup;
  /** The labels of the group's workloads. */
  public readonly labels: { [key: string]: string };
  /** The service account of the group's workloads, if any. */
  public readonly serviceAccount?: string;

  public constructor(scope: Construct, id: string, props: WorkloadGroupProps) {
    super(scope, id, props);
    if (props?.template === undefined) throwPropError(this, 'template', undefined, 'a WorkloadGroup needs a template (at least {}: its serviceAccount, network, ports)');
    if (props.template.labels !== undefined) {
      throwPropError(this, 'template.labels', props.template.labels, 'Istio takes the labels of the group\'s workloads from spec.metadata.labels: give them in `labels`');
    }
    checkWorkloadEntryOptions(this, 'template.', props.template);
    if (props.labels !== undefined) checkLabels(this, 'labels', props.labels);
    if (props.annotations !== undefined) {
      for (const key of Object.keys(props.annotations)) {
        if (key.length === 0) throwPropError(this, 'annotations', key, 'annotation keys are "[<prefix>/]<name>"');
      }
    }
    this.labels = { ...props.labels };
    this.serviceAccount = props.template.serviceAccount;
    const annotations = props.annotations ? { ...props.annotations } : undefined;
    this.apiObject = new l1.WorkloadGroup(this, 'Resource', {
      metadata: this.resourceMetadata(props),
      spec: Lazy.any({
        produce: (): l1.WorkloadGroupSpec => {
          const labels = Object.keys(this.labels).length > 0 ? { ...this.labels } : undefined;
          return { metadata: labels || annotations ? { labels, annotations } : undefined, template: renderEntry(props.template) };
        },
      }),
    });
  }
}
