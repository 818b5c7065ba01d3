import { ApiObject, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { PortTrafficPolicy, TrafficPolicy } from './traffic-policy';
import { TrafficPolicyRenderer } from './traffic-policy-render';
import * as l1 from '../../imports/networking.istio.io';
import { addAppCheck, IndexedObject, ManifestIndex } from '../core/cross-check';
import { throwConstructError, throwPropError } from '../core/errors';
import { ImportedResource, ReferenceSyntax } from '../core/imported-resource';
import { IIstioResource, IstioResource, IstioResourceProps } from '../core/istio-resource';
import { isDnsLabel, labelsProblem, wildcardDomainProblem } from '../core/names';
import { WorkloadSelector } from '../core/workload-selector';

/**
 * A DestinationRule, made by `DestinationRule` or imported with
 * `DestinationRule.fromDestinationRuleName()`.
 */
export interface IDestinationRule extends IIstioResource {}

/** Options of `DestinationRule.fromDestinationRuleName()`. */
export interface DestinationRuleReferenceOptions {
  /**
   * The namespace of the DestinationRule (or give the name as `namespace/name`).
   *
   * @default - the namespace of the name, if given as `namespace/name`; otherwise unknown
   */
  readonly namespace?: string;
}

/**
 * A named set of the destination's endpoints (a version), for `addSubset()`.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#Subset
 */
export interface SubsetOptions {
  /**
   * The endpoint labels that select the subset, e.g. `{ version: 'v2' }`.
   * Excludes `selector`.
   *
   * @default - no labels (all endpoints; meaningful for an egress gateway host whose
   *   subsets differ by TLS settings)
   */
  readonly labels?: { [key: string]: string };

  /**
   * Take the subset's labels from a WorkloadSelector, e.g.
   * `WorkloadSelector.fromWorkload(deploymentV2)` (read at synth time). Excludes `labels`.
   *
   * @default - use `labels`
   */
  readonly selector?: WorkloadSelector;

  /**
   * The subset's traffic policy. It overrides the rule's policy field by field and
   * takes effect only for routes that name the subset.
   *
   * @default - the rule's traffic policy
   */
  readonly trafficPolicy?: TrafficPolicy;
}

/** A subset with its name, for `DestinationRuleProps.subsets`. */
export interface Subset extends SubsetOptions {
  /** The subset name: a DNS-1123 label, unique in the rule (e.g. `v1`, `canary`). */
  readonly name: string;
}

/** Props of a DestinationRule. */
export interface DestinationRuleProps extends IstioResourceProps {
  /**
   * The service the rule applies to: a registry name such as
   * `reviews.prod.svc.cluster.local`, a short name (`reviews`, read in the rule's
   * namespace, not the service's: prefer the FQDN), or a wildcard such as
   * `*.example.com`. `*` alone is rejected: it would apply to every host of the mesh.
   *
   * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#DestinationRule
   */
  readonly host: string;

  /**
   * Policies for all traffic to the host.
   *
   * @default - none (Istio's defaults, automatic mutual TLS)
   */
  readonly trafficPolicy?: TrafficPolicy;

  /**
   * Named subsets (versions) of the host; add more with `addSubset()`.
   *
   * @default - none
   */
  readonly subsets?: Subset[];

  /**
   * The namespaces the rule is visible to: `.` (its own), `*` (all), or namespace
   * names. An ingress or egress gateway in another namespace needs it visible there.
   * With a `workloadSelector`, only the rule's own namespace is allowed.
   *
   * @default - all namespaces (or the mesh's `defaultDestinationRuleExportTo`)
   */
  readonly exportTo?: string[];

  /**
   * Apply the rule only to these workloads of its namespace (e.g. client TLS for one
   * app). With it, `credentialName` also applies at those sidecars.
   *
   * @default - every workload that sees the rule
   */
  readonly workloadSelector?: WorkloadSelector;
}

interface SubsetEntry {
  readonly name: string;
  readonly labels?: { [key: string]: string };
  readonly selector?: WorkloadSelector;
  readonly trafficPolicy?: l1.DestinationRuleSpecTrafficPolicy;
  readonly index: number;
}

/**
 * A DestinationRule: policies for the traffic to a host after routing (load
 * balancing, connection pool, outlier detection, TLS) and its named subsets.
 *
 * Checked at once: host syntax, subset names (DNS-1123 labels, unique), exportTo,
 * ranges and durations, and the TLS rules of Istio's webhook (ISTIO_MUTUAL takes no
 * certificates; MUTUAL needs a client certificate and key or a credentialName;
 * credentialName excludes the certificate paths; insecureSkipVerify excludes a CA).
 *
 * Conditions Istio accepts but reports (a SIMPLE or MUTUAL setting that names no CA,
 * IST0128/IST0129; failover without outlier detection; warmup with an algorithm that
 * ignores it) are listed by `warnings`.
 *
 * Across the app: two DestinationRules for the same host in the same namespace
 * (without workloadSelector) are merged by Istio, which keeps one definition of a
 * subset name and the top-level trafficPolicy of only one of them. The app fails
 * validation when that happens. This covers DestinationRules made with this class and
 * raw L1 objects alike; rules outside the app are not known and not flagged.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/
 */
export class DestinationRule extends IstioResource implements IDestinationRule {
  /**
   * Refers to a DestinationRule made elsewhere.
   *
   * @param name the rule's name, or `namespace/name`
   */
  public static fromDestinationRuleName(scope: Construct, id: string, name: string, options: DestinationRuleReferenceOptions = {}): IDestinationRule {
    return new ImportedDestinationRule(scope, id, name, options);
  }

  /** The L1 object. */
  public readonly apiObject: l1.DestinationRule;
  /** The host the rule applies to. */
  public readonly host: string;
  /** The workload selector, if any. */
  public readonly workloadSelector?: WorkloadSelector;
  /** The namespaces the rule is exported to, if set. */
  public readonly exportTo?: string[];

  private readonly renderer: TrafficPolicyRenderer;
  private readonly policy?: l1.DestinationRuleSpecTrafficPolicy;
  private readonly portPolicies: l1.DestinationRuleSpecTrafficPolicyPortLevelSettings[] = [];
  private readonly ports = new Set<number>();
  private readonly subsets: SubsetEntry[] = [];

  public constructor(scope: Construct, id: string, props: DestinationRuleProps) {
    super(scope, id, props);
    this.renderer = new TrafficPolicyRenderer(this);
    this.host = props.host;
    this.workloadSelector = props.workloadSelector;
    this.checkHost(props.host);
    this.exportTo = props.exportTo && [...props.exportTo];
    this.checkExportTo(this.exportTo);

    if (props.trafficPolicy) {
      const { portLevelSettings, ...rest } = props.trafficPolicy;
      this.policy = this.renderer.trafficPolicy('trafficPolicy', rest);
      for (const port of portLevelSettings ?? []) this.addPortTrafficPolicy(port);
    }
    for (const subset of props.subsets ?? []) {
      const { name, ...options } = subset;
      this.addSubset(name, options);
    }

    this.apiObject = new l1.DestinationRule(this, 'Resource', {
      metadata: this.resourceMetadata(props),
      spec: Lazy.any({ produce: () => this.renderSpec() }),
    });
    SharedHostCheck.register(this);
  }

  /** The names of the subsets, in the order they were added. */
  public get subsetNames(): string[] {
    return this.subsets.map(s => s.name);
  }

  /**
   * Whether every SIMPLE and MUTUAL TLS setting of the rule (destination, port and
   * subset level) names a CA to verify the server certificate with (`caCertificates`
   * or `credentialName`), or opts out explicitly with `insecureSkipVerify`.
   *
   * When false, Istio's analyzer reports IST0128 (destination level) or IST0129 (port
   * level); the messages are in `warnings`. The rule is still valid: without a CA
   * the proxy falls back to the OS CA certificates, not a CA of yours.
   */
  public get verifiesServerCertificate(): boolean {
    return this.renderer.notes.unverifiedTls.length === 0;
  }

  /**
   * Conditions Istio accepts but reports, each naming the construct and the prop:
   * SIMPLE/MUTUAL TLS without a CA (IST0128/IST0129), locality failover without
   * outlier detection, warmup with an algorithm that ignores it.
   *
   * cdk8s has no warning channel: the validation engine reports these from the
   * synthesized manifests; this list lets code and tests read them from the construct.
   */
  public get warnings(): string[] {
    return [...this.renderer.notes.warnings];
  }

  /**
   * Adds a subset (a version of the host, selected by endpoint labels).
   *
   * @param name a DNS-1123 label, unique in the rule
   */
  public addSubset(name: string, options: SubsetOptions = {}): void {
    const index = this.subsets.length;
    const prop = `subsets[${index}]`;
    if (typeof name !== 'string' || !isDnsLabel(name)) {
      throwPropError(this, `${prop}.name`, name, 'a DNS-1123 label (lower case letters, digits and `-`, at most 63 characters), e.g. "v1"');
    }
    if (this.subsets.some(s => s.name === name)) {
      throwPropError(this, `${prop}.name`, name, 'a subset of that name already exists; subset names must be unique');
    }
    if (options.labels && options.selector) {
      throwConstructError(this, `${prop}.labels and ${prop}.selector exclude each other: give the labels one way`);
    }
    if (options.labels) {
      const problem = labelsProblem(options.labels);
      if (problem) throwPropError(this, `${prop}.labels`, options.labels, problem);
    }
    this.subsets.push({
      name,
      index,
      labels: options.labels && { ...options.labels },
      selector: options.selector,
      trafficPolicy: options.trafficPolicy && this.renderer.trafficPolicy(`${prop}.trafficPolicy`, options.trafficPolicy),
    });
  }

  /**
   * Adds a port-level policy to the rule's traffic policy. It replaces the
   * destination-level policy for that port (omitted fields get Istio's defaults).
   * Ports must be unique.
   */
  public addPortTrafficPolicy(policy: PortTrafficPolicy): void {
    const prop = `trafficPolicy.portLevelSettings[${this.portPolicies.length}]`;
    this.portPolicies.push(this.renderer.portTrafficPolicy(prop, policy, this.ports));
  }

  private checkHost(host: string): void {
    if (host === '*') {
      throwPropError(this, 'host', host, 'a host name or a partial wildcard such as "*.example.com": `*` alone would apply to every host of the mesh');
    }
    const problem = typeof host === 'string' ? wildcardDomainProblem(host) : 'it is not a string';
    if (problem) throwPropError(this, 'host', host, `a DNS name such as "reviews.prod.svc.cluster.local" or "*.example.com": ${problem}`);
  }

  private checkExportTo(exportTo: string[] | undefined): void {
    if (!exportTo) return;
    const seen = new Set<string>();
    for (const entry of exportTo) {
      if (entry !== '.' && entry !== '*' && !isDnsLabel(entry)) {
        throwPropError(this, 'exportTo', entry, '"." (this namespace), "*" (all namespaces) or a namespace name');
      }
      const key = entry === '.' && this.namespace ? this.namespace : entry;
      if (seen.has(key)) throwPropError(this, 'exportTo', exportTo, `"${entry}" is listed twice${key !== entry ? ` ("." is namespace "${key}")` : ''}`);
      seen.add(key);
    }
    if (seen.has('*') && exportTo.length > 1) {
      throwPropError(this, 'exportTo', exportTo, '"*" already exports to all namespaces and cannot be combined with other entries');
    }
    if (this.workloadSelector) {
      const own = exportTo.every(e => e === '.' || (this.namespace !== undefined && e === this.namespace));
      if (!own || seen.size > 1) {
        throwPropError(this, 'exportTo', exportTo, 'a DestinationRule with a workloadSelector can only be exported to its own namespace: use ["."]');
      }
    }
  }

  private renderSpec(): l1.DestinationRuleSpec {
    let trafficPolicy = this.policy;
    if (this.portPolicies.length > 0) trafficPolicy = { ...trafficPolicy, portLevelSettings: [...this.portPolicies] };
    const subsets = this.subsets.map(s => ({
      name: s.name,
      labels: s.selector ? this.selectorLabels(`subsets[${s.index}].selector`, s.selector) : s.labels,
      trafficPolicy: s.trafficPolicy as l1.DestinationRuleSpecSubsetsTrafficPolicy | undefined,
    }));
    return {
      host: this.host,
      trafficPolicy,
      subsets: subsets.length > 0 ? subsets : undefined,
      exportTo: this.exportTo,
      workloadSelector: this.workloadSelector && { matchLabels: this.selectorLabels('workloadSelector', this.workloadSelector) },
    };
  }

  private selectorLabels(prop: string, selector: WorkloadSelector): { [key: string]: string } {
    const labels = selector.toLabels();
    const problem = labelsProblem(labels);
    if (problem) throwPropError(this, prop, labels, `${problem} (labels from ${selector})`);
    return labels;
  }
}

/**
 * `name` or `namespace/name`, split at the first "/"; the namespace is checked before
 * the name, which is a lower case host name of at most 253 characters (Istio's host
 * syntax without wildcards: a trailing dot is taken, an all-digit last label is not).
 */
const DESTINATION_RULE_REFERENCE: ReferenceSyntax = {
  conflict: {
    prop: 'namespace',
    allowed: (reference, inName) => `the name "${reference}" already names namespace "${inName}"`,
  },
  checks: [
    { part: 'namespace', valid: isDnsLabel, allowed: 'a namespace name (a DNS-1123 label)' },
    {
      part: 'name',
      valid: name => name.length <= 253 && wildcardDomainProblem(name, false) === undefined && name === name.toLowerCase(),
      allowed: 'a Kubernetes object name (a lower case DNS-1123 subdomain), or namespace/name',
    },
  ],
};

class ImportedDestinationRule extends ImportedResource implements IDestinationRule {
  constructor(scope: Construct, id: string, reference: string, options: DestinationRuleReferenceOptions) {
    super(scope, id, reference, options.namespace, DESTINATION_RULE_REFERENCE);
  }
}

const SHARED_HOST_CHECK = Symbol.for('cdk8s-istio.DestinationRule.SharedHostCheck');

/**
 * One cross-check per app: DestinationRules (L2 or L1) for the same host in the same
 * namespace, without workloadSelector, are merged by Istio; a subset name defined twice
 * or two top-level traffic policies lose one of the definitions silently.
 */
class SharedHostCheck {
  public static register(scope: IConstruct): void {
    addAppCheck(scope, SHARED_HOST_CHECK, index => SharedHostCheck.check(index));
  }

  private static check(index: ManifestIndex): string[] {
    const groups = new Map<string, IndexedObject[]>();
    for (const entry of index.ofKind('DestinationRule')) {
      const json = entry.json;
      if (!String(json?.apiVersion ?? '').startsWith('networking.istio.io/')) continue;
      if (!json?.spec?.host || json.spec.workloadSelector) continue;
      const namespace = json.metadata?.namespace ?? '';
      const key = `${namespace}|${qualifiedHost(json.spec.host, json.metadata?.namespace)}`;
      const group = groups.get(key);
      if (group) group.push(entry);
      else groups.set(key, [entry]);
    }
    const errors: string[] = [];
    for (const group of groups.values()) {
      if (group.length < 2) continue;
      const subsetOwner = new Map<string, IndexedObject>();
      let policyOwner: IndexedObject | undefined;
      for (const entry of group) {
        const host = entry.json.spec.host;
        const ns = entry.json.metadata?.namespace;
        const where = `host "${host}"${ns ? ` in namespace "${ns}"` : ''}`;
        for (const subset of entry.json.spec.subsets ?? []) {
          const owner = subsetOwner.get(subset?.name);
          if (owner) {
            errors.push(`${describe(entry.apiObject)}: subset "${subset.name}" of ${where} is also defined by ${describe(owner.apiObject)}; Istio merges the two rules and keeps only one definition: define each subset once`);
          } else {
            subsetOwner.set(subset?.name, entry);
          }
        }
        if (entry.json.spec.trafficPolicy) {
          if (policyOwner) {
            errors.push(`${describe(entry.apiObject)}: trafficPolicy of ${where} is also set by ${describe(policyOwner.apiObject)}; Istio merges the two rules and keeps the top-level trafficPolicy of only one: set it in one rule`);
          } else {
            policyOwner = entry;
          }
        }
      }
    }
    return errors;
  }
}

/** Istio reads a short host (no dot) in the rule's namespace. */
function qualifiedHost(host: string, namespace: string | undefined): string {
  return !host.includes('.') && host !== '*' && namespace ? `${host}.${namespace}.svc.cluster.local` : host;
}

/** `DestinationRule 'app/reviews'`: the L2 construct when the object is its `Resource`. */
function describe(obj: ApiObject): string {
  const parent = obj.node.scope;
  const path = obj.node.id === 'Resource' && parent instanceof IstioResource ? parent.node.path : obj.node.path;
  return `${obj.kind} '${path}'`;
}
