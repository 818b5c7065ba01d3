/**
 * Internal checks shared by RequestAuthentication and AuthorizationPolicy. They
 * follow Istio's admission webhook (pkg/config/validation and
 * pkg/config/security) so that what the library accepts, Istio accepts.
 *
 * Not part of the public (jsii) API: this module is not exported from the index.
 */
import { isIP } from 'net';
import { IConstruct } from 'constructs';
import { throwConstructError, throwPropError } from '../core/errors';
import { isIpBlock } from '../core/names';
import { PolicyTargetRef, PolicyTargetReference } from '../core/target-ref';
import { WorkloadSelector } from '../core/workload-selector';

/** Returns why `value` is not an IP address or CIDR block, or undefined if it is one. */
export function ipBlockProblem(value: string): string | undefined {
  if (isIpBlock(value)) return undefined;
  const slash = value.indexOf('/');
  const family = isIP(slash < 0 ? value : value.slice(0, slash));
  if (family === 0) return 'must be an IP address (e.g. "203.0.113.4") or a CIDR block (e.g. "203.0.113.0/24", "2001:db8::/32")';
  return `the prefix length after "/" must be a number from 0 to ${family === 4 ? 32 : 128}`;
}

/**
 * Returns why an Istio match string is wrong, or undefined. Istio matches rule
 * strings exactly, by prefix (`abc*`), by suffix (`*abc`) or by presence (`*`);
 * a `*` anywhere else is taken literally and silently never matches.
 */
export function matchStringProblem(value: string): string | undefined {
  if (value.length === 0) return 'must not be empty';
  if (/\s/.test(value)) return 'must not contain whitespace';
  if (value === '*') return undefined;
  if (value.slice(1, -1).includes('*') || (value.startsWith('*') && value.endsWith('*'))) {
    return 'Istio matches exactly, by prefix ("abc*"), by suffix ("*abc") or by presence ("*"): "*" is only allowed alone, first or last, not both (elsewhere it is taken literally and never matches)';
  }
  return undefined;
}

/**
 * Returns why a `serviceAccounts` entry is wrong, or undefined: `namespace/name`,
 * without wildcards, at most 320 characters. Istio's webhook also lets a bare `name`
 * through, but its meaning is not documented, so the library asks for the namespace.
 */
export function serviceAccountProblem(value: string): string | undefined {
  const format = 'a service account is written "namespace/name", e.g. "bookinfo/productpage"';
  if (value.length === 0) return `must not be empty: ${format}`;
  if (value.includes('*')) return `wildcards are not allowed: ${format}`;
  if (value.length > 320) return 'must be at most 320 characters';
  const parts = value.split('/');
  if (parts.length !== 2 || parts.some(p => p.length === 0)) return format;
  return undefined;
}

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
