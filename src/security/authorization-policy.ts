import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { ipBlockProblem, matchStringProblem, PolicyAttachment, serviceAccountProblem } from './authz-checks';
import { conditionKeyProblem, conditionValueProblem, methodProblem, pathProblem } from './authz-match';
import { AuthorizationCondition, AuthorizationOperation, AuthorizationRule, AuthorizationSource } from './authz-rule';
import * as l1 from '../../imports/security.istio.io';
import { isL7Action, l7Attributes } from '../core/ambient-policy';
import { addSynthValidation } from '../core/cross-check';
import { constructMessage, throwPropError } from '../core/errors';
import { IstioResource, IstioResourceProps } from '../core/istio-resource';
import { Principal } from '../core/principal';
import { A_PORT_IS, checkPortNumber } from '../core/protocol';
import { PolicyTargetRef } from '../core/target-ref';
import { WorkloadSelector } from '../core/workload-selector';

/**
 * What an AuthorizationPolicy does with the requests its rules match.
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#AuthorizationPolicy-Action
 */
export enum AuthorizationAction {
  /** Allow matching requests. Once any ALLOW policy applies to a workload, requests that no ALLOW policy matches are denied. */
  ALLOW = 'ALLOW',
  /** Deny matching requests. */
  DENY = 'DENY',
  /** Audit matching requests (needs an audit-capable telemetry plugin); does not allow or deny. */
  AUDIT = 'AUDIT',
  /** Delegate matching requests to an external authorizer, the mesh config's `extensionProviders` entry named by `provider`. */
  CUSTOM = 'CUSTOM',
}

/** Where an AuthorizationPolicy applies: props shared by the constructor and the intent factories. */
export interface AuthorizationPolicyScopeProps extends IstioResourceProps {
  /**
   * The workloads it applies to. Excludes `targetRefs`.
   *
   * @default - every workload of the namespace (of the whole mesh, in the root namespace), unless `targetRefs` is set
   */
  readonly selector?: WorkloadSelector;

  /**
   * The gateways or services it applies to (at most 16). Excludes `selector`.
   *
   * @default - the workloads picked by `selector`
   */
  readonly targetRefs?: PolicyTargetRef[];

  /**
   * The workloads run in ambient mode: a policy with a `selector` (or with neither
   * `selector` nor `targetRefs`) is then enforced by ztunnel, which only knows L4
   * attributes (identities, namespaces, IP blocks, ports) and fails safe on others (an
   * ALLOW rule with methods, paths, hosts, request principals or `request.*` conditions is
   * dropped, a DENY denies more). With `ambient`, such a policy is refused at synth, as is
   * CUSTOM or AUDIT without `targetRefs`: attach L7 policies to the waypoint's Service,
   * ServiceEntry or Gateway with `targetRefs`.
   *
   * @see https://istio.io/latest/docs/ambient/usage/l4-policy/
   * @default false (sidecar mode: the sidecar enforces every attribute)
   */
  readonly ambient?: boolean;
}

/** Props of an AuthorizationPolicy. */
export interface AuthorizationPolicyProps extends AuthorizationPolicyScopeProps {
  /**
   * What to do with matching requests.
   *
   * @default AuthorizationAction.ALLOW
   */
  readonly action?: AuthorizationAction;

  /**
   * The name of the external authorizer (an `extensionProviders` entry of the mesh
   * config). Required with, and only allowed with, `AuthorizationAction.CUSTOM`.
   *
   * @default - none
   */
  readonly provider?: string;

  /**
   * The rules; a request matches the policy when it matches one rule. More with `addRule()`.
   *
   * @default - no rules: an ALLOW policy then allows nothing (denies every request)
   */
  readonly rules?: AuthorizationRule[];
}

/**
 * Access control for workloads (AuthorizationPolicy).
 *
 * Secure by default, and how Istio evaluates policies:
 * - Policies are evaluated CUSTOM first, then DENY, then ALLOW. A request denied by
 *   a CUSTOM or DENY policy is denied, whatever the ALLOW policies say.
 * - As soon as one ALLOW policy applies to a workload, the workload denies every
 *   request that no ALLOW policy matches. An ALLOW policy without rules
 *   (`AuthorizationPolicy.allowNothing`) therefore denies everything: the usual
 *   starting point, to which narrow ALLOW policies are added.
 * - The action defaults to ALLOW, and a policy made without rules allows nothing.
 * - DENY and CUSTOM policies need rules (else they never trigger): `denyAll` uses
 *   one empty rule, which matches every request.
 * - A policy in the root namespace (`istio-system`) applies to the whole mesh; a
 *   `selector` narrows it to workloads, `targetRefs` to gateways or services.
 *
 * Checks follow Istio's admission webhook and are made at once: empty lists,
 * sources or operations, malformed IPs, ports, methods, paths and condition keys,
 * selector and targetRefs together, a provider without CUSTOM, and identity
 * fields or conditions that CUSTOM does not support.
 *
 * There are no checks across objects: the RequestAuthentication of an issuer, the
 * mesh config's extension providers and the targets may all live outside the app.
 *
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/
 */
export class AuthorizationPolicy extends IstioResource {
  /**
   * Allows every request to the selected workloads (ALLOW with one empty rule).
   *
   * @param scope the parent construct
   * @param id the construct id
   * @param props where the policy applies
   */
  public static allowAll(scope: Construct, id: string, props: AuthorizationPolicyScopeProps = {}): AuthorizationPolicy {
    return new AuthorizationPolicy(scope, id, { ...props, action: AuthorizationAction.ALLOW, rules: [{}] });
  }

  /**
   * Denies every request to the selected workloads (DENY with one empty rule).
   * Nothing an ALLOW policy says can let a request through.
   *
   * @param scope the parent construct
   * @param id the construct id
   * @param props where the policy applies
   */
  public static denyAll(scope: Construct, id: string, props: AuthorizationPolicyScopeProps = {}): AuthorizationPolicy {
    return new AuthorizationPolicy(scope, id, { ...props, action: AuthorizationAction.DENY, rules: [{}] });
  }

  /**
   * Allows nothing (ALLOW without rules): every request to the selected workloads is
   * denied until other ALLOW policies allow it. Unlike `denyAll`, narrower ALLOW
   * policies can open it up.
   *
   * @param scope the parent construct
   * @param id the construct id
   * @param props where the policy applies
   */
  public static allowNothing(scope: Construct, id: string, props: AuthorizationPolicyScopeProps = {}): AuthorizationPolicy {
    return new AuthorizationPolicy(scope, id, { ...props, action: AuthorizationAction.ALLOW });
  }

  /** The L1 object. */
  public readonly apiObject: l1.AuthorizationPolicy;
  /** What the policy does with matching requests. */
  public readonly action: AuthorizationAction;
  /** The external authorizer of a CUSTOM policy. */
  public readonly provider?: string;
  /** The workload selector, if any. */
  public readonly selector?: WorkloadSelector;
  /** True when the workloads run in ambient mode (see `ambient`). */
  public readonly ambient: boolean;

  private readonly attachment: PolicyAttachment;
  private readonly rules: AuthorizationRule[] = [];

  public constructor(scope: Construct, id: string, props: AuthorizationPolicyProps = {}) {
    super(scope, id, props);
    this.action = props.action ?? AuthorizationAction.ALLOW;
    this.provider = props.provider;
    this.selector = props.selector;
    this.ambient = props.ambient ?? false;
    if (this.provider !== undefined && this.action !== AuthorizationAction.CUSTOM) {
      throwPropError(this, 'provider', this.provider, `a provider is only allowed with action CUSTOM, not ${this.action}`);
    }
    if (this.action === AuthorizationAction.CUSTOM && (this.provider === undefined || this.provider.trim().length === 0)) {
      throwPropError(this, 'provider', this.provider, 'action CUSTOM needs the name of an extensionProviders entry of the mesh config');
    }
    this.attachment = new PolicyAttachment(this, this.namespace, props.selector, props.targetRefs);
    (props.rules ?? []).forEach(rule => this.addRule(rule));
    this.apiObject = new l1.AuthorizationPolicy(this, 'Resource', {
      metadata: this.resourceMetadata(props),
      spec: Lazy.any({ produce: () => this.renderSpec() }),
    });
    addSynthValidation(this, () => [...this.validateRules(), ...this.validateAmbient()]);
  }

  /** The number of rules. */
  public get ruleCount(): number {
    return this.rules.length;
  }

  /** The targets, in the order added. */
  public get targetRefs(): PolicyTargetRef[] {
    return this.attachment.refs;
  }

  /**
   * Adds a rule; the policy matches a request that matches any of its rules.
   * An empty rule (`{}`) matches every request.
   *
   * @param rule sources, operations and conditions
   */
  public addRule(rule: AuthorizationRule): void {
    const at = `rules[${this.rules.length}]`;
    if (this.rules.length >= 512) throwPropError(this, at, '...', 'at most 512 rules are allowed');
    this.rules.push(this.checkedRule(rule, at));
  }

  /**
   * Replaces a rule added before (e.g. a pattern that widens its own rule as ports are
   * added), with the same checks as `addRule`.
   *
   * @param index the position of the rule, from 0
   * @param rule the new rule
   */
  public replaceRule(index: number, rule: AuthorizationRule): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.rules.length) {
      throwPropError(this, 'replaceRule(index)', index, `the index of an existing rule, 0 to ${this.rules.length - 1}`);
    }
    this.rules[index] = this.checkedRule(rule, `rules[${index}]`);
  }

  private checkedRule(rule: AuthorizationRule, at: string): AuthorizationRule {
    rule = this.snapshot(rule, at);
    this.checkList(`${at}.from`, rule.from);
    (rule.from ?? []).forEach((source, i) => this.checkSource(source, `${at}.from[${i}].source`));
    this.checkList(`${at}.to`, rule.to);
    (rule.to ?? []).forEach((operation, i) => this.checkOperation(operation, `${at}.to[${i}].operation`));
    this.checkList(`${at}.when`, rule.when);
    (rule.when ?? []).forEach((condition, i) => this.checkCondition(condition, `${at}.when[${i}]`));
    return rule;
  }

  /**
   * Lets the traffic that went through a waypoint in (ambient mode): adds a rule allowing
   * the waypoint's identity. Once a Service is enrolled in a waypoint, the destination's
   * ztunnel sees the waypoint's identity instead of the client's, so an L4 ALLOW policy
   * (a `selector` policy) on its workloads must allow it, or every request through the
   * waypoint is denied. Pair it with an L7 policy on the waypoint (`targetRefs`) that
   * checks the clients.
   *
   * @param waypoint the waypoint's identity (`waypoint.principal`)
   */
  public allowWaypoint(waypoint: Principal): void {
    if (this.action !== AuthorizationAction.ALLOW) {
      throwPropError(this, 'allowWaypoint()', waypoint.toString(), `only an ALLOW policy lets a waypoint in; this one is ${this.action}`);
    }
    if (this.attachment.refs.length > 0) {
      throwPropError(this, 'allowWaypoint()', waypoint.toString(), 'the policy has targetRefs: the waypoint itself enforces it, and sees the clients\' identities; allow the waypoint in the L4 (selector) policy of the workloads instead');
    }
    this.addRule({ from: [{ principals: [waypoint] }] });
  }

  /**
   * Applies the policy to one more target (excludes `selector`).
   * @param targetRef the gateway or service
   */
  public addTargetRef(targetRef: PolicyTargetRef): void {
    this.attachment.add(targetRef, `targetRefs[${this.attachment.refs.length}]`);
  }

  /** A copy of the rule (later changes to the caller's arrays cannot bypass the checks), with unknown fields rejected. */
  private snapshot(rule: AuthorizationRule, at: string): AuthorizationRule {
    const pick = <T extends object>(obj: T, known: readonly string[], where: string): T => {
      const out: any = {};
      for (const [k, v] of Object.entries(obj ?? {})) {
        if (!known.includes(k)) throwPropError(this, `${where}.${k}`, v, `unknown field; allowed: ${known.join(', ')}`);
        if (v !== undefined) out[k] = Array.isArray(v) ? [...v] : v;
      }
      return out;
    };
    const r = pick(rule, RULE_FIELDS, at);
    return {
      from: r.from?.map((s, i) => pick(s, SOURCE_FIELDS, `${at}.from[${i}].source`)),
      to: r.to?.map((o, i) => pick(o, OPERATION_FIELDS, `${at}.to[${i}].operation`)),
      when: r.when?.map((c, i) => pick(c, CONDITION_FIELDS, `${at}.when[${i}]`)),
    };
  }

  private validateRules(): string[] {
    const needsRules = this.action === AuthorizationAction.DENY || this.action === AuthorizationAction.CUSTOM;
    if (!needsRules || this.rules.length > 0) return [];
    return [constructMessage(this, `action ${this.action} without rules never triggers (Istio rejects it): `
      + 'add a rule with addRule(), or an empty rule addRule({}) to match every request')];
  }

  private validateAmbient(): string[] {
    if (!this.ambient || this.attachment.refs.length > 0) return [];
    const where = this.selector ? `its selector (${this.selector})` : 'no selector or targetRefs (the whole namespace)';
    const fix = 'attach it to the waypoint with targetRefs (PolicyTargetRef.service(), .serviceEntry() or the waypoint\'s targetRef), and keep the selector policy to L4 attributes';
    if (isL7Action(this.action)) {
      return [constructMessage(this, `action ${this.action} with ${where} is enforced by ztunnel in ambient mode, which cannot carry it out: ${fix}`)];
    }
    const l7 = l7Attributes(this.rules.map(rule => renderRule(rule)));
    if (l7.length === 0) return [];
    return [constructMessage(this, `with ${where} the policy is enforced by ztunnel in ambient mode, which cannot match L7 attributes `
      + `(${l7.slice(0, 4).join(', ')}${l7.length > 4 ? ', ...' : ''}) and fails safe (${this.action === AuthorizationAction.ALLOW ? 'the rules are dropped: less is allowed' : 'more is denied'}): ${fix}`)];
  }

  private checkSource(source: AuthorizationSource, at: string): void {
    const fields = Object.entries(source).filter(([, v]) => v !== undefined) as Array<[string, unknown[]]>;
    if (fields.length === 0) {
      throwPropError(this, at, {}, 'a source must set at least one field; leave `from` out to match any source');
    }
    for (const [field, list] of fields) this.checkList(`${at}.${field}`, list);

    if (this.action === AuthorizationAction.CUSTOM) {
      for (const field of ['principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals', 'namespaces', 'notNamespaces', 'serviceAccounts', 'notServiceAccounts']) {
        if ((source as any)[field] !== undefined) {
          throwPropError(this, `${at}.${field}`, (source as any)[field].map(String), 'Istio does not support identity fields (principals, request principals, namespaces, service accounts) with action CUSTOM; match them in a DENY or ALLOW policy');
        }
      }
    }
    const accounts = [...(source.serviceAccounts ?? []), ...(source.notServiceAccounts ?? [])];
    if (accounts.length > 0 && (source.principals ?? source.notPrincipals ?? source.namespaces ?? source.notNamespaces) !== undefined) {
      throwPropError(this, `${at}.${source.serviceAccounts ? 'serviceAccounts' : 'notServiceAccounts'}`, accounts,
        'serviceAccounts and notServiceAccounts exclude principals, notPrincipals, namespaces and notNamespaces in one source; use separate sources');
    }
    for (const field of ['serviceAccounts', 'notServiceAccounts'] as const) {
      const list = source[field];
      if (list !== undefined && list.length > 16) throwPropError(this, `${at}.${field}`, `${list.length} entries`, 'at most 16 service accounts are allowed');
      this.checkEach(`${at}.${field}`, list, serviceAccountProblem);
    }
    for (const field of ['requestPrincipals', 'notRequestPrincipals', 'namespaces', 'notNamespaces', 'trustDomains', 'notTrustDomains'] as const) {
      this.checkEach(`${at}.${field}`, source[field], matchStringProblem);
    }
    for (const field of ['ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'] as const) {
      this.checkEach(`${at}.${field}`, source[field], ipBlockProblem);
    }
  }

  private checkOperation(operation: AuthorizationOperation, at: string): void {
    const fields = Object.entries(operation).filter(([, v]) => v !== undefined) as Array<[string, unknown[]]>;
    if (fields.length === 0) {
      throwPropError(this, at, {}, 'an operation must set at least one field; leave `to` out to match any operation');
    }
    for (const [field, list] of fields) this.checkList(`${at}.${field}`, list);
    this.checkEach(`${at}.hosts`, operation.hosts, matchStringProblem);
    this.checkEach(`${at}.notHosts`, operation.notHosts, matchStringProblem);
    this.checkEach(`${at}.methods`, operation.methods, methodProblem);
    this.checkEach(`${at}.notMethods`, operation.notMethods, methodProblem);
    this.checkEach(`${at}.paths`, operation.paths, pathProblem);
    this.checkEach(`${at}.notPaths`, operation.notPaths, pathProblem);
    (operation.ports ?? []).forEach((p, i) => checkPortNumber(this, `${at}.ports[${i}]`, p, A_PORT_IS));
    (operation.notPorts ?? []).forEach((p, i) => checkPortNumber(this, `${at}.notPorts[${i}]`, p, A_PORT_IS));
  }

  private checkCondition(condition: AuthorizationCondition, at: string): void {
    const keyProblem = conditionKeyProblem(condition.key);
    if (keyProblem) throwPropError(this, `${at}.key`, condition.key, keyProblem);
    if (this.action === AuthorizationAction.CUSTOM
      && (['source.namespace', 'source.serviceAccount', 'source.principal'].includes(condition.key) || condition.key.startsWith('request.auth.'))) {
      throwPropError(this, `${at}.key`, condition.key, 'Istio does not support source.namespace, source.serviceAccount, source.principal and request.auth.* conditions with action CUSTOM');
    }
    if (condition.values === undefined && condition.notValues === undefined) {
      throwPropError(this, at, condition.key, 'a condition needs values or notValues');
    }
    this.checkList(`${at}.values`, condition.values);
    this.checkList(`${at}.notValues`, condition.notValues);
    this.checkEach(`${at}.values`, condition.values, v => conditionValueProblem(condition.key, v));
    this.checkEach(`${at}.notValues`, condition.notValues, v => conditionValueProblem(condition.key, v));
  }

  private checkList(prop: string, list: unknown[] | undefined): void {
    if (list !== undefined && list.length === 0) {
      throwPropError(this, prop, [], 'must not be empty: leave it out instead');
    }
  }

  private checkEach(prop: string, list: string[] | undefined, problem: (value: string) => string | undefined): void {
    (list ?? []).forEach((value, i) => {
      const why = problem(value);
      if (why) throwPropError(this, `${prop}[${i}]`, value, why);
    });
  }

  private renderSpec(): l1.AuthorizationPolicySpec {
    return {
      selector: this.attachment.renderSelector(),
      targetRefs: this.attachment.renderTargetRefs(),
      action: this.action as string as l1.AuthorizationPolicySpecAction,
      provider: this.provider !== undefined ? { name: this.provider } : undefined,
      rules: this.rules.length > 0 ? this.rules.map(rule => renderRule(rule)) : undefined,
    };
  }
}

const RULE_FIELDS = ['from', 'to', 'when'];
const SOURCE_FIELDS = ['principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals', 'namespaces', 'notNamespaces',
  'serviceAccounts', 'notServiceAccounts', 'trustDomains', 'notTrustDomains', 'ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'];
const OPERATION_FIELDS = ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths', 'ports', 'notPorts'];
const CONDITION_FIELDS = ['key', 'values', 'notValues'];

function renderRule(rule: AuthorizationRule): l1.AuthorizationPolicySpecRules {
  return {
    from: rule.from?.map(source => ({ source: renderSource(source) })),
    to: rule.to?.map(operation => ({ operation: renderOperation(operation) })),
    when: rule.when?.map(c => ({ key: c.key, values: copy(c.values), notValues: copy(c.notValues) })),
  };
}

function renderSource(s: AuthorizationSource): l1.AuthorizationPolicySpecRulesFromSource {
  const principals = (list: Principal[] | undefined) => list?.map(p => p.value);
  return {
    principals: principals(s.principals),
    notPrincipals: principals(s.notPrincipals),
    requestPrincipals: copy(s.requestPrincipals),
    notRequestPrincipals: copy(s.notRequestPrincipals),
    namespaces: copy(s.namespaces),
    notNamespaces: copy(s.notNamespaces),
    serviceAccounts: copy(s.serviceAccounts),
    notServiceAccounts: copy(s.notServiceAccounts),
    trustDomains: copy(s.trustDomains),
    notTrustDomains: copy(s.notTrustDomains),
    ipBlocks: copy(s.ipBlocks),
    notIpBlocks: copy(s.notIpBlocks),
    remoteIpBlocks: copy(s.remoteIpBlocks),
    notRemoteIpBlocks: copy(s.notRemoteIpBlocks),
  };
}

function renderOperation(o: AuthorizationOperation): l1.AuthorizationPolicySpecRulesToOperation {
  const ports = (list: number[] | undefined) => list?.map(String);
  return {
    hosts: copy(o.hosts),
    notHosts: copy(o.notHosts),
    methods: copy(o.methods),
    notMethods: copy(o.notMethods),
    paths: copy(o.paths),
    notPaths: copy(o.notPaths),
    ports: ports(o.ports),
    notPorts: ports(o.notPorts),
  };
}

function copy(list: string[] | undefined): string[] | undefined {
  return list ? [...list] : undefined;
}
