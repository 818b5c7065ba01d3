/**
 * Selector or targetRefs: how a policy (AuthorizationPolicy, RequestAuthentication,
 * Telemetry...) picks what it applies to. Internal: not part of the public (jsii) API.
 */
import { IConstruct } from 'constructs';
import { throwConstructError, throwPropError } from './errors';
import { PolicyTargetRef, PolicyTargetReference } from './target-ref';
import { WorkloadSelector } from './workload-selector';

/**
 * Selector or targetRefs: the two ways a policy picks what it applies to, which
 * exclude each other (Istio's CRD and webhook both reject both).
 */
export class PolicyAttachment {
  private readonly targetRefs: PolicyTargetRef[] = [];

  private readonly rendered: PolicyTargetReference[] = [];

  /**
   * @param scope the policy, for messages
   * @param namespace the policy's namespace, which every target must share
   * @param selector the workload selector, if any
   * @param targetRefs the targets, if any
   */
  constructor(
    private readonly scope: IConstruct,
    private readonly namespace: string | undefined,
    public readonly selector: WorkloadSelector | undefined,
    targetRefs: PolicyTargetRef[] | undefined,
  ) {
    if (targetRefs !== undefined) {
      if (selector !== undefined) {
        throwConstructError(scope, `selector (${selector}) and targetRefs (${targetRefs.join(', ')}) exclude each other: a policy applies either to the workloads a selector picks or to its targetRefs`);
      }
      if (targetRefs.length === 0) {
        throwPropError(scope, 'targetRefs', [], 'must not be empty: leave it out to apply to the whole namespace, or list at least one target');
      }
      targetRefs.forEach((ref, i) => this.add(ref, `targetRefs[${i}]`));
    }
  }

  /** Adds one target (from `add*TargetRef()`). */
  public add(ref: PolicyTargetRef, prop: string): void {
    if (this.selector !== undefined) {
      throwPropError(this.scope, prop, ref.toString(), `targetRefs and selector (${this.selector}) exclude each other: a policy applies either to the workloads a selector picks or to its targetRefs`);
    }
    if (this.targetRefs.length >= 16) {
      throwPropError(this.scope, prop, ref.toString(), 'at most 16 targetRefs are allowed');
    }
    if (this.targetRefs.some(r => r.group === ref.group && r.kind === ref.kind && r.name === ref.name)) {
      throwPropError(this.scope, prop, ref.toString(), 'this target is already listed');
    }
    this.rendered.push(ref._render(this.scope, prop, this.namespace));
    this.targetRefs.push(ref);
  }

  /** The targets, in the order added. */
  public get refs(): PolicyTargetRef[] {
    return [...this.targetRefs];
  }

  public renderSelector(): { matchLabels: { [key: string]: string } } | undefined {
    return this.selector ? { matchLabels: this.selector.toLabels() } : undefined;
  }

  public renderTargetRefs(): PolicyTargetReference[] | undefined {
    return this.rendered.length > 0 ? this.rendered.map(r => ({ ...r })) : undefined;
  }
}
