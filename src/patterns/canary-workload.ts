import { IConstruct } from 'constructs';
import { WorkloadSelector } from '../core/workload-selector';

/**
 * The pods of one version of a CanaryRelease (the stable or the canary one): a
 * workload construct whose pod labels are read, or plain labels (one of).
 *
 * The CanaryRelease takes the version label (`version` unless told otherwise) from
 * these labels: it is what the DestinationRule subset selects, so the two versions
 * must carry different values of it.
 *
 * @example
 * CanaryWorkload.fromWorkload(reviewsV2) // a cdk8s-plus Deployment
 * CanaryWorkload.fromLabels({ app: 'reviews', version: 'v2' })
 */
export class CanaryWorkload {
  /**
   * The pods of a workload construct: a cdk8s-plus Deployment, StatefulSet or
   * DaemonSet, or any construct whose `ApiObject` carries pod labels
   * (`spec.template.metadata.labels`, or `metadata.labels` for a Pod).
   */
  public static fromWorkload(workload: IConstruct): CanaryWorkload {
    return new CanaryWorkload(WorkloadSelector.fromWorkload(workload));
  }

  /**
   * Pods with these labels (they must include the version label).
   */
  public static fromLabels(labels: { [key: string]: string }): CanaryWorkload {
    return new CanaryWorkload(WorkloadSelector.fromLabels(labels));
  }

  private constructor(
    /** Where the labels are read from. */
    public readonly selector: WorkloadSelector,
  ) {}

  /** Where the labels come from, for messages. */
  public toString(): string {
    return this.selector.toString();
  }
}
