import { ApiObject, Duration, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import type * as Yaml from 'yaml';
import { ExtensionProvider, ProviderUse } from './extension-provider';
import { appMeshConfigs, BUILT_IN_PROVIDERS } from './mesh-registry';
import { addSynthValidation } from '../core/cross-check';
import { formatMillis, renderDuration } from '../core/duration';
import { constructMessage, throwPropError } from '../core/errors';
import { IstioResource } from '../core/istio-resource';
import { isDnsLabel } from '../core/names';
import { OutboundTrafficPolicyMode } from '../networking/sidecar';

/**
 * The format of the access log file of the mesh config.
 * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-AccessLogEncoding
 */
export enum AccessLogEncoding {
  /** Plain text (Envoy's default format, or `accessLogFormat`). */
  TEXT = 'TEXT',
  /** One JSON object a line. */
  JSON = 'JSON',
}

/**
 * The providers used where a Telemetry resource names none (the mesh config's
 * `defaultProviders`).
 * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-DefaultProviders
 */
export interface MeshDefaultProviders {
  /**
   * The tracing providers (a `zipkin` or `opentelemetry` extension provider, or `stackdriver`).
   *
   * @default - none
   */
  readonly tracing?: string[];

  /**
   * The metrics providers (e.g. `prometheus`).
   *
   * @default - Istio's default (`prometheus`)
   */
  readonly metrics?: string[];

  /**
   * The access logging providers (e.g. `envoy`, or an `envoyFileAccessLog` extension provider).
   *
   * @default - none: Telemetry access logging entries must name their providers
   */
  readonly accessLogging?: string[];
}

/** Props of a MeshConfig. */
export interface MeshConfigProps {
  /**
   * The istiod revision this mesh config is for: the ConfigMap is then
   * `istio-<revision>`, as istiod's Helm chart names it.
   *
   * @default - the default revision: ConfigMap `istio`
   */
  readonly revision?: string;

  /**
   * The namespace istiod runs in (and reads the ConfigMap from).
   *
   * @default "istio-system"
   */
  readonly namespace?: string;

  /**
   * The extension providers: external authorizers, tracing collectors, access log
   * sinks. More with `addExtensionProvider()`.
   *
   * @default - none
   * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-ExtensionProvider
   */
  readonly extensionProviders?: ExtensionProvider[];

  /**
   * What sidecars do with traffic to hosts outside the service registry.
   *
   * @default OutboundTrafficPolicyMode.REGISTRY_ONLY (secure by default: egress only to
   *   hosts declared with ServiceEntries, as the `Sidecar` construct does)
   * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-OutboundTrafficPolicy
   */
  readonly outboundTrafficPolicy?: OutboundTrafficPolicyMode;

  /**
   * The file every proxy writes its access log to, e.g. `/dev/stdout`. The Telemetry
   * API (`TelemetryPolicy`) is the finer-grained way.
   *
   * @default - no access log file
   */
  readonly accessLogFile?: string;

  /**
   * The format of `accessLogFile`.
   *
   * @default - AccessLogEncoding.TEXT (Istio's default), only with `accessLogFile`
   */
  readonly accessLogEncoding?: AccessLogEncoding;

  /**
   * The text format of `accessLogFile` (Envoy command operators).
   *
   * @default - Istio's default format
   */
  readonly accessLogFormat?: string;

  /**
   * Environment variables of every proxy (`defaultConfig.proxyMetadata`), e.g.
   * `{ ISTIO_META_DNS_CAPTURE: 'true' }`.
   *
   * @default - none
   * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#ProxyConfig
   */
  readonly proxyMetadata?: { [name: string]: string };

  /**
   * How long workload certificates live (`defaultConfig.proxyMetadata.SECRET_TTL`).
   * At most 90 days (istiod's `MAX_WORKLOAD_CERT_TTL`, it refuses longer requests).
   *
   * @default - Istio's default (24 hours)
   */
  readonly secretTtl?: Duration;

  /**
   * Start the application containers only once the proxy is ready
   * (`defaultConfig.holdApplicationUntilProxyStarts`), so that they never make calls
   * the proxy is not ready for.
   *
   * @default true
   */
  readonly holdApplicationUntilProxyStarts?: boolean;

  /**
   * Whether proxies trace requests (`enableTracing`).
   *
   * @default - Istio's default (tracing on, to the providers Telemetry resources name)
   */
  readonly enableTracing?: boolean;

  /**
   * The percentage of requests traced, from 0 to 100 (`defaultConfig.tracing.sampling`).
   * Telemetry resources can set their own (`randomSamplingPercentage`).
   *
   * @default - Istio's default (1%)
   */
  readonly tracingSampling?: number;

  /**
   * The providers used where a Telemetry resource names none.
   *
   * @default - Istio's defaults
   */
  readonly defaultProviders?: MeshDefaultProviders;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_SECRET_TTL = Duration.days(90);

/**
 * The mesh config: the `istio` ConfigMap (`istio-<revision>` with a revision) in
 * istiod's namespace, whose `mesh` key holds the MeshConfig as YAML. For the settings
 * an application platform owns: extension providers (external authorizers, tracing,
 * access logs), the outbound traffic policy, access logs, proxy defaults, tracing and
 * the default Telemetry providers.
 *
 * Secure by default:
 * - `outboundTrafficPolicy` is REGISTRY_ONLY: sidecars reach only hosts of the
 *   service registry (Services, and ServiceEntries for external hosts);
 * - `holdApplicationUntilProxyStarts` is true;
 * - external authorizers fail closed (see `ExtAuthzProvider`).
 *
 * istiod reads this ConfigMap as a whole: it replaces the one the installation wrote
 * (istioctl's `meshConfig`, the istiod chart's `meshConfig` values), so keep every
 * setting the installation needs here, or give the same values to the installer
 * (`toMeshConfig()`).
 *
 * Checks: one MeshConfig per revision and namespace in the app; extension provider
 * names unique; ports, durations and percentages in range; `defaultProviders` name
 * providers this mesh config declares (or Istio's built-in ones) that serve that use.
 *
 * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/
 */
export class MeshConfig extends IstioResource {
  /** The ConfigMap (escape hatch). */
  public readonly apiObject: ApiObject;
  /** The revision, if any. */
  public readonly revision?: string;
  /** The outbound traffic policy. */
  public readonly outboundTrafficPolicy: OutboundTrafficPolicyMode;

  private readonly providers: ExtensionProvider[] = [];
  private readonly renderedProviders: { [key: string]: any }[] = [];
  private readonly props: MeshConfigProps;
  private readonly staticFields: { [key: string]: any };

  public constructor(scope: Construct, id: string, props: MeshConfigProps = {}) {
    const revision = props.revision;
    const name = revision === undefined ? 'istio' : `istio-${revision}`;
    super(scope, id, { metadata: { name, namespace: props.namespace ?? 'istio-system' } });
    if (revision !== undefined && (!isDnsLabel(revision) || name.length > 63)) {
      throwPropError(this, 'revision', revision, 'an istiod revision is a DNS label of at most 57 characters (lower case letters, digits and "-"), e.g. "1-30-3" or "canary"');
    }
    if (props.namespace !== undefined && !isDnsLabel(props.namespace)) {
      throwPropError(this, 'namespace', props.namespace, 'the namespace istiod runs in, a DNS label, e.g. "istio-system"');
    }
    this.revision = revision;
    this.props = props;
    this.outboundTrafficPolicy = props.outboundTrafficPolicy ?? OutboundTrafficPolicyMode.REGISTRY_ONLY;

    const registry = appMeshConfigs(this);
    const key = `${this.namespace}/${this.name}`;
    const other = registry.get(key);
    if (other) {
      throwPropError(this, 'revision', revision ?? '(default)',
        `the app already has a MeshConfig for this revision, '${other.construct.node.path}' (ConfigMap ${key}): istiod reads one mesh config per revision, so put every setting in that one, or give this one another revision`);
    }
    registry.set(key, {
      construct: this,
      configMapName: this.name,
      provider: n => this.providers.find(p => p.name === n),
      providerNames: () => this.providers.map(p => p.name),
    });

    this.staticFields = this.renderStatic(props);
    (props.extensionProviders ?? []).forEach(p => this.addExtensionProvider(p));

    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: this.name, namespace: this.namespace },
      // yaml loads at synth, not with the library (~20-50 ms)
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      data: { mesh: Lazy.any({ produce: () => (require('yaml') as typeof Yaml).stringify(this.toMeshConfig()) }) },
    });
    addSynthValidation(this, () => this.validateDefaultProviders());
  }

  /**
   * Declares an extension provider. Registering the same provider (same name and
   * settings) again is a no-op, so that several constructs can register the one they use.
   *
   * @param provider the provider
   */
  public addExtensionProvider(provider: ExtensionProvider): void {
    const at = `extensionProviders[${this.providers.length}]`;
    const rendered = provider._render(this, at);
    const i = this.providers.findIndex(p => p.name === provider.name);
    if (i >= 0) {
      if (JSON.stringify(this.renderedProviders[i]) === JSON.stringify(rendered)) return;
      throwPropError(this, `${at}.name`, provider.name,
        `extensionProviders[${i}] already has this name with other settings: provider names must be unique (istiod rejects the mesh config otherwise)`);
    }
    this.providers.push(provider);
    this.renderedProviders.push(rendered);
  }

  /** The names of the extension providers, in the order added. */
  public get extensionProviderNames(): string[] {
    return this.providers.map(p => p.name);
  }

  /**
   * The extension provider of this name, if declared.
   * @param name the provider name
   */
  public extensionProvider(name: string): ExtensionProvider | undefined {
    return this.providers.find(p => p.name === name);
  }

  /**
   * The mesh config as a plain object: what the ConfigMap's `mesh` key holds, e.g. for
   * istioctl's `meshConfig` or the istiod Helm chart's `meshConfig` values.
   */
  public toMeshConfig(): any {
    // a fixed key order (the output is stable): the extension providers first, as Istio's docs write them
    return dropUndefined({
      extensionProviders: this.renderedProviders.length > 0 ? this.renderedProviders.map(p => JSON.parse(JSON.stringify(p))) : undefined,
      ...this.staticFields,
    });
  }

  private renderStatic(props: MeshConfigProps): { [key: string]: any } {
    if (props.accessLogFile !== undefined && (typeof props.accessLogFile !== 'string' || !props.accessLogFile.startsWith('/'))) {
      throwPropError(this, 'accessLogFile', props.accessLogFile, 'an absolute file path, e.g. "/dev/stdout"');
    }
    for (const field of ['accessLogEncoding', 'accessLogFormat'] as const) {
      if (props[field] !== undefined && props.accessLogFile === undefined) {
        throwPropError(this, field, props[field], 'applies to the access log file only: set accessLogFile too (e.g. "/dev/stdout"), or configure access logs with a TelemetryPolicy');
      }
    }
    const metadata: { [key: string]: string } = {};
    for (const [k, v] of Object.entries(props.proxyMetadata ?? {})) {
      if (!ENV_NAME.test(k)) throwPropError(this, `proxyMetadata["${k}"]`, k, 'an environment variable name: letters, digits and "_", not starting with a digit');
      if (typeof v !== 'string') throwPropError(this, `proxyMetadata["${k}"]`, v, 'a string value');
      metadata[k] = v;
    }
    if (props.secretTtl !== undefined) {
      if (metadata.SECRET_TTL !== undefined) {
        throwPropError(this, 'secretTtl', formatMillis(props.secretTtl.toMilliseconds()), 'proxyMetadata sets SECRET_TTL too: give one of them');
      }
      const ttl = renderDuration(this, 'secretTtl', props.secretTtl, Duration.minutes(1));
      if (props.secretTtl.toMilliseconds() > MAX_SECRET_TTL.toMilliseconds()) {
        throwPropError(this, 'secretTtl', ttl, 'at most 90 days (2160h): istiod refuses longer certificate requests (MAX_WORKLOAD_CERT_TTL)');
      }
      metadata.SECRET_TTL = ttl;
    }
    const sampling = props.tracingSampling;
    if (sampling !== undefined) {
      if (typeof sampling !== 'number' || !Number.isFinite(sampling) || sampling < 0 || sampling > 100) {
        throwPropError(this, 'tracingSampling', sampling, 'a percentage from 0 to 100');
      }
      if (props.enableTracing === false) {
        throwPropError(this, 'tracingSampling', sampling, 'enableTracing is false: leave the sampling out, or turn tracing on');
      }
    }
    const defaults = props.defaultProviders;
    const defaultProviders = defaults && (defaults.tracing ?? defaults.metrics ?? defaults.accessLogging) !== undefined ? {
      tracing: defaults.tracing ? [...defaults.tracing] : undefined,
      metrics: defaults.metrics ? [...defaults.metrics] : undefined,
      accessLogging: defaults.accessLogging ? [...defaults.accessLogging] : undefined,
    } : undefined;
    return dropUndefined({
      outboundTrafficPolicy: { mode: this.outboundTrafficPolicy },
      accessLogFile: props.accessLogFile,
      accessLogEncoding: props.accessLogEncoding,
      accessLogFormat: props.accessLogFormat,
      enableTracing: props.enableTracing,
      defaultConfig: dropUndefined({
        holdApplicationUntilProxyStarts: props.holdApplicationUntilProxyStarts ?? true,
        proxyMetadata: Object.keys(metadata).length > 0 ? sortedByKey(metadata) : undefined,
        tracing: sampling !== undefined ? { sampling } : undefined,
      }),
      defaultProviders: defaultProviders ? dropUndefined(defaultProviders) : undefined,
    });
  }

  private validateDefaultProviders(): string[] {
    const errors: string[] = [];
    const uses: Array<[keyof MeshDefaultProviders, ProviderUse]> = [
      ['tracing', ProviderUse.TRACING], ['metrics', ProviderUse.METRICS], ['accessLogging', ProviderUse.ACCESS_LOGGING],
    ];
    for (const [field, use] of uses) {
      (this.props.defaultProviders?.[field] ?? []).forEach((name, i) => {
        const provider = this.extensionProvider(name);
        const builtIn = BUILT_IN_PROVIDERS[name];
        const prop = `defaultProviders.${field}[${i}]`;
        if (!provider && !builtIn) {
          const known = [...this.extensionProviderNames, ...Object.keys(BUILT_IN_PROVIDERS)].map(n => `"${n}"`).join(', ');
          errors.push(constructMessage(this, `invalid ${prop} "${name}": not an extension provider of this mesh config (known: ${known}); add it with addExtensionProvider(), or fix the name`));
        } else if (provider ? provider.use !== use : !builtIn.includes(use)) {
          errors.push(constructMessage(this, `invalid ${prop} "${name}": ${provider ? `its kind is ${provider.kind}` : 'it is an Istio built-in provider'}, which does not serve ${field}`));
        }
      });
    }
    return errors;
  }
}

function sortedByKey(o: { [key: string]: string }): { [key: string]: string } {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function dropUndefined(o: { [key: string]: any }): { [key: string]: any } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
