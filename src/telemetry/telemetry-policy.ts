import { Duration, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { celSyntaxProblem } from './cel-expression';
import * as l1 from '../../imports/telemetry.istio.io';
import { addSynthValidation } from '../core/cross-check';
import { renderDuration } from '../core/duration';
import { constructMessage, throwPropError } from '../core/errors';
import { IstioResource, IstioResourceProps } from '../core/istio-resource';
import { PolicyAttachment } from '../core/policy-attachment';
import { PolicyTargetRef } from '../core/target-ref';
import { WorkloadSelector } from '../core/workload-selector';
import { ProviderUse } from '../mesh/extension-provider';
import { providerReferenceProblem } from '../mesh/mesh-registry';
import { checkProviderName } from '../mesh/provider-name';

/**
 * Which side of a connection a Telemetry entry applies to.
 * @see https://istio.io/latest/docs/reference/config/telemetry/#WorkloadMode
 */
export enum TelemetryMode {
  /** Both: the workload as client and as server. */
  CLIENT_AND_SERVER = 'CLIENT_AND_SERVER',
  /** The workload as client (outbound). */
  CLIENT = 'CLIENT',
  /** The workload as server (inbound). */
  SERVER = 'SERVER',
}

/**
 * Istio's standard metrics.
 * @see https://istio.io/latest/docs/reference/config/metrics/
 */
export enum IstioMetric {
  /** Every metric. */
  ALL_METRICS = 'ALL_METRICS',
  /** `istio_requests_total`. */
  REQUEST_COUNT = 'REQUEST_COUNT',
  /** `istio_request_duration_milliseconds`. */
  REQUEST_DURATION = 'REQUEST_DURATION',
  /** `istio_request_bytes`. */
  REQUEST_SIZE = 'REQUEST_SIZE',
  /** `istio_response_bytes`. */
  RESPONSE_SIZE = 'RESPONSE_SIZE',
  /** `istio_tcp_connections_opened_total`. */
  TCP_OPENED_CONNECTIONS = 'TCP_OPENED_CONNECTIONS',
  /** `istio_tcp_connections_closed_total`. */
  TCP_CLOSED_CONNECTIONS = 'TCP_CLOSED_CONNECTIONS',
  /** `istio_tcp_sent_bytes_total`. */
  TCP_SENT_BYTES = 'TCP_SENT_BYTES',
  /** `istio_tcp_received_bytes_total`. */
  TCP_RECEIVED_BYTES = 'TCP_RECEIVED_BYTES',
  /** `istio_request_messages_total`. */
  GRPC_REQUEST_MESSAGES = 'GRPC_REQUEST_MESSAGES',
  /** `istio_response_messages_total`. */
  GRPC_RESPONSE_MESSAGES = 'GRPC_RESPONSE_MESSAGES',
}

/** One access logging entry. */
export interface TelemetryAccessLogging {
  /**
   * The access log providers: `envoy` (built in: text logs to the proxy's stdout) or
   * extension providers of the mesh config (`envoyFileAccessLog`, `envoyOtelAls`).
   *
   * @default ['envoy'] (an entry without providers is ignored unless the mesh config
   *   has default access log providers, IST0157)
   */
  readonly providers?: string[];

  /**
   * Log only the requests (or connections) this CEL expression selects, e.g.
   * `response.code >= 400`. Checked to parse.
   *
   * @default - every request is logged
   * @see https://istio.io/latest/docs/reference/config/telemetry/#AccessLogging-Filter
   */
  readonly filter?: string;

  /**
   * Which side logs.
   *
   * @default TelemetryMode.CLIENT_AND_SERVER
   */
  readonly mode?: TelemetryMode;

  /**
   * Turn access logging off for this scope (e.g. a noisy health-check workload).
   *
   * @default false
   */
  readonly disabled?: boolean;
}

/** One override of Istio's standard metrics. */
export interface TelemetryMetricOverride {
  /**
   * The standard metric overridden. Excludes `customMetric`.
   *
   * @default IstioMetric.ALL_METRICS, unless `customMetric` is given
   */
  readonly metric?: IstioMetric;

  /**
   * A metric by name, e.g. one a Wasm extension adds. Excludes `metric`.
   *
   * @default - a standard metric (`metric`)
   */
  readonly customMetric?: string;

  /**
   * Which side's metrics.
   *
   * @default TelemetryMode.CLIENT_AND_SERVER
   */
  readonly mode?: TelemetryMode;

  /**
   * Stop generating the metric.
   *
   * @default false
   */
  readonly disabled?: boolean;

  /**
   * Tags added or replaced (UPSERT), by tag name, each a CEL expression over
   * request attributes, e.g. `{ request_method: 'request.method' }`. Checked to parse.
   *
   * @default - none
   */
  readonly tagOverrides?: { [tag: string]: string };

  /**
   * Tags removed from the metric (REMOVE), e.g. `['request_protocol']`, to cut its cardinality.
   *
   * @default - none
   */
  readonly removeTags?: string[];
}

/** One metrics entry. */
export interface TelemetryMetrics {
  /**
   * The metrics providers.
   *
   * @default ['prometheus']
   */
  readonly providers?: string[];

  /**
   * Overrides of the metrics and their tags.
   *
   * @default - none
   */
  readonly overrides?: TelemetryMetricOverride[];

  /**
   * How often metrics are reported (providers that push; at least 1ms).
   *
   * @default - the provider's default
   */
  readonly reportingInterval?: Duration;
}

/** The tracing settings. */
export interface TelemetryTracing {
  /**
   * The tracing provider (at most one: Istio supports one): a `zipkin` or
   * `opentelemetry` extension provider of the mesh config.
   *
   * @default - the mesh config's `defaultProviders.tracing`
   */
  readonly providers?: string[];

  /**
   * The percentage of requests sampled, from 0 to 100, where no earlier hop decided.
   *
   * @default - the mesh config's sampling (Istio's default: 1%)
   */
  readonly randomSamplingPercentage?: number;

  /**
   * Which side reports spans.
   *
   * @default TelemetryMode.CLIENT_AND_SERVER
   */
  readonly mode?: TelemetryMode;

  /**
   * Stop reporting spans (trace headers are still propagated).
   *
   * @default false
   */
  readonly disableSpanReporting?: boolean;
}

/** What a TelemetryPolicy configures. */
export interface TelemetryOptions {
  /**
   * Access logging entries. More with `addAccessLogging()`.
   *
   * @default - none
   */
  readonly accessLogging?: TelemetryAccessLogging[];

  /**
   * Metrics entries. More with `addMetrics()`.
   *
   * @default - none
   */
  readonly metrics?: TelemetryMetrics[];

  /**
   * Tracing.
   *
   * @default - none
   */
  readonly tracing?: TelemetryTracing;
}

/** Props of a TelemetryPolicy. */
export interface TelemetryPolicyProps extends TelemetryOptions, IstioResourceProps {
  /**
   * The workloads it applies to. Excludes `targetRefs`.
   *
   * @default - every workload of the namespace (of the mesh, in the root namespace), unless `targetRefs` is set
   */
  readonly selector?: WorkloadSelector;

  /**
   * The gateways or services it applies to. Excludes `selector`.
   *
   * @default - the workloads picked by `selector`
   */
  readonly targetRefs?: PolicyTargetRef[];
}

/** A provider name and where it was given. */
interface ProviderRef {
  readonly name: string;
  readonly prop: string;
  readonly use: ProviderUse;
}

/**
 * Access logging, metrics and tracing (a Telemetry resource) for the whole mesh (the
 * root namespace, `TelemetryPolicy.meshWide`), a namespace, or the workloads a
 * `selector` or `targetRefs` pick. The narrowest one wins, entry by entry.
 *
 * Secure by default:
 * - an access logging entry names `envoy` unless given providers (an entry without
 *   providers is silently ignored by istiod, IST0157);
 * - a metrics entry names `prometheus` unless given providers;
 * - tracing samples what the mesh config says (1% by default) unless given a percentage.
 *
 * Checks: CEL filters and tag values parse; sampling from 0 to 100; at most one tracing
 * provider; a metric override names a standard or a custom metric, not both; and when
 * the app has a `MeshConfig`, every provider is one of its extension providers (or
 * Istio's built-in `envoy`, `prometheus`, `stackdriver`) and serves that use
 * (access logging, metrics, tracing). Without a MeshConfig in the app, the mesh config
 * is elsewhere: the analyzer reports unknown providers (IST0157, Info in an open world).
 *
 * @see https://istio.io/latest/docs/reference/config/telemetry/
 */
export class TelemetryPolicy extends IstioResource {
  /**
   * A TelemetryPolicy for the whole mesh: in the root namespace, without a selector.
   *
   * @param scope the parent construct
   * @param id the construct id
   * @param options what to configure
   * @param rootNamespace the mesh's root namespace
   */
  public static meshWide(scope: Construct, id: string, options: TelemetryOptions, rootNamespace: string = 'istio-system'): TelemetryPolicy {
    return new TelemetryPolicy(scope, id, { ...options, metadata: { namespace: rootNamespace } });
  }

  /** The L1 object. */
  public readonly apiObject: l1.Telemetry;

  private readonly attachment: PolicyAttachment;
  private readonly accessLogging: l1.TelemetrySpecAccessLogging[] = [];
  private readonly metrics: l1.TelemetrySpecMetrics[] = [];
  private readonly tracing?: l1.TelemetrySpecTracing;
  private readonly providerRefs: ProviderRef[] = [];

  public constructor(scope: Construct, id: string, props: TelemetryPolicyProps = {}) {
    super(scope, id, props);
    this.attachment = new PolicyAttachment(this, this.namespace, props.selector, props.targetRefs);
    (props.accessLogging ?? []).forEach(a => this.addAccessLogging(a));
    (props.metrics ?? []).forEach(m => this.addMetrics(m));
    if (props.tracing !== undefined) this.tracing = this.renderTracing(props.tracing, 'tracing');
    this.apiObject = new l1.Telemetry(this, 'Resource', {
      metadata: this.resourceMetadata(props),
      spec: Lazy.any({ produce: () => this.renderSpec() }),
    });
    addSynthValidation(this, () => this.validate());
  }

  /** The workload selector, if any. */
  public get selector(): WorkloadSelector | undefined {
    return this.attachment.selector;
  }

  /**
   * Adds an access logging entry.
   * @param accessLogging providers, filter, mode
   */
  public addAccessLogging(accessLogging: TelemetryAccessLogging): void {
    const at = `accessLogging[${this.accessLogging.length}]`;
    if (accessLogging.filter !== undefined) {
      const problem = celSyntaxProblem(accessLogging.filter);
      if (problem) throwPropError(this, `${at}.filter`, accessLogging.filter, `not a CEL expression (${problem}); e.g. "response.code >= 400"`);
    }
    this.accessLogging.push({
      providers: this.providers(accessLogging.providers ?? ['envoy'], `${at}.providers`, ProviderUse.ACCESS_LOGGING),
      filter: accessLogging.filter !== undefined ? { expression: accessLogging.filter } : undefined,
      match: accessLogging.mode !== undefined ? { mode: accessLogging.mode as string as l1.TelemetrySpecAccessLoggingMatchMode } : undefined,
      disabled: accessLogging.disabled,
    });
  }

  /**
   * Adds a metrics entry.
   * @param metrics providers, overrides, reporting interval
   */
  public addMetrics(metrics: TelemetryMetrics): void {
    const at = `metrics[${this.metrics.length}]`;
    const overrides = (metrics.overrides ?? []).map((o, i) => this.renderOverride(o, `${at}.overrides[${i}]`));
    this.metrics.push({
      providers: this.providers(metrics.providers ?? ['prometheus'], `${at}.providers`, ProviderUse.METRICS),
      overrides: overrides.length > 0 ? overrides : undefined,
      reportingInterval: metrics.reportingInterval !== undefined ? renderDuration(this, `${at}.reportingInterval`, metrics.reportingInterval) : undefined,
    });
  }

  private renderOverride(o: TelemetryMetricOverride, at: string): l1.TelemetrySpecMetricsOverrides {
    if (o.metric !== undefined && o.customMetric !== undefined) {
      throwPropError(this, `${at}.customMetric`, o.customMetric, `metric (${o.metric}) and customMetric exclude each other: give one`);
    }
    if (o.customMetric !== undefined && (typeof o.customMetric !== 'string' || !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(o.customMetric))) {
      throwPropError(this, `${at}.customMetric`, o.customMetric, 'a metric name: letters, digits, "_" and ":", not starting with a digit');
    }
    const tags: { [tag: string]: l1.TelemetrySpecMetricsOverridesTagOverrides } = {};
    for (const [tag, value] of Object.entries(o.tagOverrides ?? {})) {
      checkTagName(this, `${at}.tagOverrides["${tag}"]`, tag);
      const problem = celSyntaxProblem(value);
      if (problem) throwPropError(this, `${at}.tagOverrides["${tag}"]`, value, `a tag value is a CEL expression (${problem}); e.g. "request.method", or "'literal'" for a fixed string`);
      tags[tag] = { operation: l1.TelemetrySpecMetricsOverridesTagOverridesOperation.UPSERT, value };
    }
    (o.removeTags ?? []).forEach((tag, i) => {
      checkTagName(this, `${at}.removeTags[${i}]`, tag);
      if (tags[tag] !== undefined) throwPropError(this, `${at}.removeTags[${i}]`, tag, 'this tag is also in tagOverrides: upsert it or remove it, not both');
      tags[tag] = { operation: l1.TelemetrySpecMetricsOverridesTagOverridesOperation.REMOVE };
    });
    const metric = o.customMetric === undefined ? (o.metric ?? IstioMetric.ALL_METRICS) : undefined;
    return {
      match: {
        metric: metric as string as l1.TelemetrySpecMetricsOverridesMatchMetric | undefined,
        customMetric: o.customMetric,
        mode: o.mode as string as l1.TelemetrySpecMetricsOverridesMatchMode | undefined,
      },
      disabled: o.disabled,
      tagOverrides: Object.keys(tags).length > 0 ? tags : undefined,
    };
  }

  private renderTracing(t: TelemetryTracing, at: string): l1.TelemetrySpecTracing {
    const p = t.randomSamplingPercentage;
    if (p !== undefined && (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 100)) {
      throwPropError(this, `${at}.randomSamplingPercentage`, p, 'a percentage from 0 to 100');
    }
    if (t.providers !== undefined && t.providers.length > 1) {
      throwPropError(this, `${at}.providers`, t.providers, 'Istio supports one tracing provider per Telemetry: give one');
    }
    return {
      providers: t.providers !== undefined ? this.providers(t.providers, `${at}.providers`, ProviderUse.TRACING) : undefined,
      randomSamplingPercentage: p,
      match: t.mode !== undefined ? { mode: t.mode as string as l1.TelemetrySpecTracingMatchMode } : undefined,
      disableSpanReporting: t.disableSpanReporting,
    };
  }

  private providers(names: string[], prop: string, use: ProviderUse): { name: string }[] {
    if (names.length === 0) throwPropError(this, prop, [], 'must not be empty: leave it out for the default provider');
    const seen = new Set<string>();
    return names.map((name, i) => {
      checkProviderName(this, `${prop}[${i}]`, name);
      if (seen.has(name)) throwPropError(this, `${prop}[${i}]`, name, 'this provider is already listed');
      seen.add(name);
      this.providerRefs.push({ name, prop: `${prop}[${i}]`, use });
      return { name };
    });
  }

  private validate(): string[] {
    const errors: string[] = [];
    if (this.accessLogging.length === 0 && this.metrics.length === 0 && this.tracing === undefined) {
      errors.push(constructMessage(this, 'configures nothing: give accessLogging, metrics or tracing (or call addAccessLogging()/addMetrics())'));
    }
    for (const ref of this.providerRefs) {
      const problem = providerReferenceProblem(this, ref.name, ref.use);
      if (problem) errors.push(constructMessage(this, `invalid ${ref.prop} "${ref.name}": ${problem}`));
    }
    return errors;
  }

  private renderSpec(): l1.TelemetrySpec {
    return {
      selector: this.attachment.renderSelector(),
      targetRefs: this.attachment.renderTargetRefs(),
      accessLogging: this.accessLogging.length > 0 ? this.accessLogging : undefined,
      metrics: this.metrics.length > 0 ? this.metrics : undefined,
      tracing: this.tracing ? [this.tracing] : undefined,
    };
  }
}

function checkTagName(scope: Construct, prop: string, tag: string): void {
  if (typeof tag !== 'string' || !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(tag)) {
    throwPropError(scope, prop, tag, 'a tag name: letters, digits and "_", not starting with a digit, e.g. "request_method"');
  }
}
