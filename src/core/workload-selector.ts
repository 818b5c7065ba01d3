import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';

/**
 * Selects the workloads (pods, or VMs through WorkloadEntry) a policy applies to,
 * by their labels.
 */
export class WorkloadSelector {
  /** Select by an explicit set of labels. */
  public static fromLabels(labels: { [key: string]: string }): WorkloadSelector {
    const copy = { ...labels };
    return new WorkloadSelector(() => ({ ...copy }), 'labels', undefined);
  }

  /**
   * Select the pods of a workload construct: a cdk8s-plus Deployment,
   * StatefulSet, DaemonSet, Job or Pod, or any construct whose `ApiObject`
   * carries pod labels (`spec.template.metadata.labels`, or `metadata.labels`
   * for a Pod). The labels are read at synth time, so labels added later count.
   */
  public static fromWorkload(workload: IConstruct): WorkloadSelector {
    return new WorkloadSelector(() => WorkloadSelector.podLabelsOf(workload), `workload '${workload.node.path}'`, workload);
  }

  /**
   * The pod labels of a workload construct (see `fromWorkload`).
   * Throws when the construct carries no pod labels.
   */
  public static podLabelsOf(workload: IConstruct): { [key: string]: string } {
    let obj: ApiObject;
    try {
      obj = ApiObject.of(workload);
    } catch {
      throw new Error(`'${workload.node.path}' is not a workload: it has no ApiObject to read pod labels from. Use WorkloadSelector.fromLabels() instead`);
    }
    const json = obj.toJson();
    const labels = json?.spec?.template?.metadata?.labels ?? (json?.kind === 'Pod' ? json?.metadata?.labels : undefined);
    if (!labels || Object.keys(labels).length === 0) {
      throw new Error(`${obj.kind} '${workload.node.path}' carries no pod labels (spec.template.metadata.labels): give the labels with WorkloadSelector.fromLabels()`);
    }
    return { ...labels };
  }

  /**
   * The workload construct the labels are read from (`fromWorkload`).
   * @default - the labels were given (`fromLabels`)
   */
  public readonly workload?: IConstruct;

  private constructor(
    private readonly producer: () => { [key: string]: string },
    private readonly description: string,
    workload: IConstruct | undefined,
  ) {
    this.workload = workload;
  }

  /** The labels selected, resolved now. */
  public toLabels(): { [key: string]: string } {
    return this.producer();
  }

  /** Where the labels come from, for messages. */
  public toString(): string {
    return this.description;
  }
}
