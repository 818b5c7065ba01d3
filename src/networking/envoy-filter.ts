import { Duration, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import * as l1 from '../../imports/networking.istio.io';
import { addSynthValidation } from '../core/cross-check';
import { constructMessage, propMessage, throwPropError } from '../core/errors';
import { IstioResource, IstioResourceProps } from '../core/istio-resource';
import { labelsProblem } from '../core/names';
import { checkPortNumber } from '../core/protocol';
import { WorkloadSelector } from '../core/workload-selector';

/**
 * Which proxies (and which of their listeners) a patch applies to.
 * @see https://istio.io/latest/docs/reference/config/networking/envoy-filter/#EnvoyFilter-PatchContext
 */
export enum EnvoyPatchContext {
  /** Sidecars and gateways, inbound and outbound. */
  ANY = 'ANY',
  /** The inbound listener of sidecars: traffic to the workload. */
  SIDECAR_INBOUND = 'SIDECAR_INBOUND',
  /** The outbound listeners of sidecars: traffic from the workload. */
  SIDECAR_OUTBOUND = 'SIDECAR_OUTBOUND',
  /** The listeners of gateways (ingress and egress). */
  GATEWAY = 'GATEWAY',
}

/**
 * The kind of Envoy object a patch changes.
 * @see https://istio.io/latest/docs/reference/config/networking/envoy-filter/#EnvoyFilter-ApplyTo
 */
export enum EnvoyPatchApplyTo {
  /** A listener (e.g. its `socket_options`). */
  LISTENER = 'LISTENER',
  /** A filter chain of a listener. */
  FILTER_CHAIN = 'FILTER_CHAIN',
  /** A network filter of a filter chain (e.g. the HTTP connection manager). */
  NETWORK_FILTER = 'NETWORK_FILTER',
  /** An HTTP filter of the HTTP connection manager (Lua, rate limits...). */
  HTTP_FILTER = 'HTTP_FILTER',
  /** A route configuration (RDS). */
  ROUTE_CONFIGURATION = 'ROUTE_CONFIGURATION',
  /** A virtual host of a route configuration. */
  VIRTUAL_HOST = 'VIRTUAL_HOST',
  /** A route of a virtual host. */
  HTTP_ROUTE = 'HTTP_ROUTE',
  /** A cluster (CDS). */
  CLUSTER = 'CLUSTER',
  /** An extension configuration (ECDS). */
  EXTENSION_CONFIG = 'EXTENSION_CONFIG',
  /** The bootstrap configuration. */
  BOOTSTRAP = 'BOOTSTRAP',
  /** A listener filter of a listener. */
  LISTENER_FILTER = 'LISTENER_FILTER',
}

/**
 * How a patch changes the object it matches.
 * @see https://istio.io/latest/docs/reference/config/networking/envoy-filter/#EnvoyFilter-Patch-Operation
 */
export enum EnvoyPatchOperation {
  /** Merge the value into the matched object (protobuf merge: lists are appended). */
  MERGE = 'MERGE',
  /** Add the value (a new listener, cluster, route, filter chain...). */
  ADD = 'ADD',
  /** Remove the matched object. Takes no value. */
  REMOVE = 'REMOVE',
  /** Insert the value before the matched filter or route. */
  INSERT_BEFORE = 'INSERT_BEFORE',
  /** Insert the value after the matched filter or route. */
  INSERT_AFTER = 'INSERT_AFTER',
  /** Insert the value first in the list of filters or routes. */
  INSERT_FIRST = 'INSERT_FIRST',
  /** Replace the matched filter (HTTP_FILTER and NETWORK_FILTER only). */
  REPLACE = 'REPLACE',
}

/**
 * Which Istio proxy versions a patch applies to (`match.proxy.proxyVersion`, a regular
 * expression on the proxy's version).
 *
 * EnvoyFilter patches are written against the Envoy configuration that one Istio
 * version generates, and Istio does not keep it stable across versions: a patch that
 * works on 1.30 may do nothing, or break a listener, on 1.31. Pinning the version
 * makes an upgraded proxy skip the patch (the behaviour the patch adds is gone until it
 * is re-tested and re-pinned) instead of applying it blind.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/envoy-filter/#EnvoyFilter-ProxyMatch
 */
export class ProxyVersionMatch {
  /** The regular expression for the Istio version this library targets: `^1\.30\..*`. */
  public static readonly ISTIO_1_30 = '^1\\.30\\..*';

  /** Proxies of Istio 1.30, the version this library targets (the default). */
  public static istio130(): ProxyVersionMatch {
    return new ProxyVersionMatch(ProxyVersionMatch.ISTIO_1_30);
  }

  /**
   * Proxies whose version matches a regular expression (RE2), e.g. `^1\.(30|31)\..*`.
   */
  public static regex(regex: string): ProxyVersionMatch {
    return new ProxyVersionMatch(regex);
  }

  /**
   * Every proxy version: no `proxyVersion` in the match. Only for patches that do not
   * depend on generated configuration (e.g. adding a cluster of your own).
   */
  public static any(): ProxyVersionMatch {
    return new ProxyVersionMatch(undefined);
  }

  /** The regular expression, or undefined for any version. */
  public readonly pattern?: string;

  private constructor(pattern: string | undefined) {
    this.pattern = pattern;
  }
}

/**
 * One patch of an EnvoyFilter (`configPatches[]`), written as Istio writes it, for
 * recipes the presets do not cover.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/envoy-filter/#EnvoyFilter-EnvoyConfigObjectPatch
 */
export interface EnvoyConfigPatch {
  /** The kind of Envoy object to patch. */
  readonly applyTo: EnvoyPatchApplyTo;

  /**
   * Which proxies and listeners.
   * @default - Istio's default (ANY)
   */
  readonly context?: EnvoyPatchContext;

  /**
   * The rest of the match: one of `listener`, `routeConfiguration` or `cluster`, as in
   * Istio's YAML (e.g. `{ listener: { portNumber: 8080, filterChain: { filter: { name:
   * 'envoy.filters.network.http_connection_manager' } } } }`). The context and the
   * proxy version are given by `context` and `proxyVersion`.
   *
   * @default - every object of the kind in the context
   */
  readonly match?: { [key: string]: any };

  /**
   * The proxy versions the patch applies to.
   * @default - the EnvoyFilter's `proxyVersion`
   */
  readonly proxyVersion?: ProxyVersionMatch;

  /** The operation. */
  readonly operation: EnvoyPatchOperation;

  /**
   * The Envoy configuration to merge, add or insert (field names as in Envoy's API,
   * e.g. `{ name: 'envoy.filters.http.lua', typed_config: {...} }`). Not with REMOVE.
   *
   * @default - none (REMOVE only)
   */
  readonly value?: { [key: string]: any };
}

/**
 * Props of an EnvoyFilter.
 * @see https://istio.io/latest/docs/reference/config/networking/envoy-filter/
 */
export interface EnvoyFilterProps extends IstioResourceProps {
  /**
   * The proxies the patches apply to, by their pod labels (in the EnvoyFilter's
   * namespace; in the root namespace, in every namespace).
   *
   * @default - every proxy of the namespace (in the root namespace: of the mesh)
   */
  readonly workloadSelector?: WorkloadSelector;

  /**
   * The order of this filter's patches among the EnvoyFilters of the same context
   * (lower first; negative before Istio's defaults). Patches with relative operations
   * (MERGE, REPLACE, REMOVE, INSERT_BEFORE, INSERT_AFTER) need a priority other than 0:
   * their effect depends on what the other filters did before them (IST0151, IST0155).
   *
   * @default 0 (then only ADD and INSERT_FIRST patches are accepted)
   */
  readonly priority?: number;

  /**
   * The proxy versions the patches apply to, unless a patch says otherwise.
   *
   * @default ProxyVersionMatch.istio130()
   */
  readonly proxyVersion?: ProxyVersionMatch;

  /**
   * The patches. More with `addPatch()`; at least one is required.
   *
   * @default - none yet
   */
  readonly patches?: EnvoyConfigPatch[];
}

/** Options every preset takes. */
export interface EnvoyFilterPresetOptions extends IstioResourceProps {
  /**
   * The proxy versions the patch applies to.
   *
   * @default ProxyVersionMatch.istio130()
   */
  readonly proxyVersion?: ProxyVersionMatch;

  /**
   * The filter's priority (not 0: the presets use relative operations).
   *
   * @default 10
   */
  readonly priority?: number;
}

/**
 * Props of `EnvoyFilter.gatewayTcpKeepalive()`.
 * @see https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/core/v3/socket_option.proto
 */
export interface GatewayTcpKeepaliveProps extends EnvoyFilterPresetOptions {
  /**
   * The labels of the gateway pods.
   *
   * @default { istio: 'ingressgateway' }
   */
  readonly gatewaySelector?: { [key: string]: string };

  /**
   * The listener port of the gateway pods (the targetPort of the gateway Service's
   * port, e.g. 8443 for port 443 in an istioctl install).
   *
   * @default - every listener of the gateway pods
   */
  readonly portNumber?: number;

  /**
   * Idle time before the first keepalive probe (`TCP_KEEPIDLE`), whole seconds.
   * Keep it below the idle timeout of the load balancer in front of the gateway
   * (350 s for an AWS NLB, 4 min by default for an Azure load balancer).
   *
   * @default Duration.seconds(300)
   */
  readonly time?: Duration;

  /**
   * Time between probes (`TCP_KEEPINTVL`), whole seconds.
   *
   * @default Duration.seconds(75)
   */
  readonly interval?: Duration;

  /**
   * Unanswered probes before the connection is dropped (`TCP_KEEPCNT`).
   *
   * @default 9
   */
  readonly probes?: number;
}

/**
 * Props of `EnvoyFilter.inboundLua()`.
 * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/lua_filter
 */
export interface InboundLuaProps extends EnvoyFilterPresetOptions {
  /**
   * The workloads whose inbound HTTP traffic runs the script, e.g.
   * `WorkloadSelector.fromLabels({ app: 'reviews' })`. Required: a namespace-wide Lua
   * filter is rarely meant.
   */
  readonly selector: WorkloadSelector;

  /**
   * The Lua source. It defines `envoy_on_request(request_handle)`,
   * `envoy_on_response(response_handle)` or both.
   *
   * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/lua_filter
   */
  readonly code: string;

  /**
   * The workload port whose inbound traffic runs the script (the container port).
   *
   * @default - every inbound HTTP port of the workloads
   */
  readonly portNumber?: number;
}

/**
 * Props of `EnvoyFilter.inboundLocalRateLimit()`.
 * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/local_rate_limit_filter
 */
export interface InboundLocalRateLimitProps extends EnvoyFilterPresetOptions {
  /**
   * The workloads whose inbound HTTP traffic is limited, e.g.
   * `WorkloadSelector.fromLabels({ app: 'productpage' })`. Required. The limit is per
   * pod (each sidecar has its own token bucket).
   */
  readonly selector: WorkloadSelector;

  /** The size of the token bucket: the burst of requests allowed (1 or more). */
  readonly maxTokens: number;

  /**
   * Tokens added per `fillInterval`.
   *
   * @default - maxTokens
   */
  readonly tokensPerFill?: number;

  /** How often the bucket is refilled (at least 50 ms, as Envoy requires). */
  readonly fillInterval: Duration;

  /**
   * The workload port whose inbound traffic is limited (the container port).
   *
   * @default - every inbound HTTP port of the workloads
   */
  readonly portNumber?: number;

  /**
   * Reject requests over the limit (429). When false, the filter only counts them
   * (`http_local_rate_limit.rate_limited` stats): a shadow mode to size the limit.
   *
   * @default true
   */
  readonly enforce?: boolean;

  /**
   * The stats prefix of the filter.
   *
   * @default 'http_local_rate_limiter'
   */
  readonly statPrefix?: string;
}

const HCM = 'envoy.filters.network.http_connection_manager';
const ROUTER = 'envoy.filters.http.router';
const PRESET_PRIORITY = 10;
const INT32_MAX = 2147483647;

/** The applyTo values a REPLACE patch works on (as Istio's webhook says). */
const REPLACEABLE = new Set<string>([EnvoyPatchApplyTo.HTTP_FILTER, EnvoyPatchApplyTo.NETWORK_FILTER]);
/** The ordered lists INSERT_* operations apply to. */
const ORDERED = new Set<string>([
  EnvoyPatchApplyTo.LISTENER_FILTER, EnvoyPatchApplyTo.NETWORK_FILTER, EnvoyPatchApplyTo.HTTP_FILTER, EnvoyPatchApplyTo.HTTP_ROUTE,
]);
/** Operations whose effect depends on what earlier patches did (IST0151). */
const RELATIVE = new Set<string>([
  EnvoyPatchOperation.MERGE, EnvoyPatchOperation.REPLACE, EnvoyPatchOperation.REMOVE,
  EnvoyPatchOperation.INSERT_BEFORE, EnvoyPatchOperation.INSERT_AFTER,
]);
const LISTENER_KINDS = new Set<string>([
  EnvoyPatchApplyTo.LISTENER, EnvoyPatchApplyTo.FILTER_CHAIN, EnvoyPatchApplyTo.NETWORK_FILTER,
  EnvoyPatchApplyTo.HTTP_FILTER, EnvoyPatchApplyTo.LISTENER_FILTER,
]);
const ROUTE_KINDS = new Set<string>([EnvoyPatchApplyTo.ROUTE_CONFIGURATION, EnvoyPatchApplyTo.VIRTUAL_HOST, EnvoyPatchApplyTo.HTTP_ROUTE]);

/**
 * An EnvoyFilter (networking.istio.io/v1alpha3): patches to the Envoy configuration
 * Istio generates, with presets for common recipes.
 *
 * **EnvoyFilter is fragile across Istio versions.** It patches Envoy's configuration as
 * one Istio version generates it (listener and filter names, filter order, field
 * names), which Istio does not keep stable; a patch can silently stop applying, or
 * break a listener, after an upgrade. Prefer a typed API where one exists (Telemetry,
 * ProxyConfig, DestinationRule, WasmPlugin). So every patch here matches
 * `proxyVersion` `^1\.30\..*` by default (`ProxyVersionMatch`): an upgraded proxy
 * skips it until you re-test it and widen the match. Re-test every EnvoyFilter on each
 * Istio upgrade.
 *
 * Presets (each pins the proxy version and has priority 10):
 * - `EnvoyFilter.gatewayTcpKeepalive()`: TCP keepalive socket options on the gateway's listeners.
 * - `EnvoyFilter.inboundLua()`: a Lua filter on a workload's inbound HTTP traffic.
 * - `EnvoyFilter.inboundLocalRateLimit()`: a local (per pod) rate limit on a workload's inbound HTTP traffic.
 *
 * Checks at once, so that what is emitted passes Istio's webhook and the patch
 * analyzers (IST0151-IST0155): a relative operation (MERGE, REPLACE, REMOVE,
 * INSERT_BEFORE, INSERT_AFTER) needs a priority other than 0; REPLACE only on
 * HTTP_FILTER and NETWORK_FILTER; INSERT_* only on ordered lists (listener, network and
 * HTTP filters, HTTP routes); no ADD or REMOVE on ROUTE_CONFIGURATION; a value unless
 * REMOVE, none with REMOVE; a match on the object kind the patch applies to (listener,
 * routeConfiguration or cluster); a filter match only below the filter chain, a
 * subFilter match only with HTTP_FILTER under the HTTP connection manager; valid
 * proxyVersion regular expressions and selector labels. At synth: at least one patch.
 *
 * @example
 * EnvoyFilter.inboundLocalRateLimit(chart, 'productpage-ratelimit', {
 *   selector: WorkloadSelector.fromLabels({ app: 'productpage' }),
 *   maxTokens: 4,
 *   fillInterval: Duration.minutes(1),
 * });
 *
 * @see https://istio.io/latest/docs/reference/config/networking/envoy-filter/
 */
export class EnvoyFilter extends IstioResource {
  /**
   * TCP keepalive on the listeners of gateway pods (`SO_KEEPALIVE`, `TCP_KEEPIDLE`,
   * `TCP_KEEPINTVL`, `TCP_KEEPCNT` socket options), so that idle client connections
   * through a load balancer are not dropped silently. Istio has no API for the
   * downstream side (DestinationRule `tcpKeepalive` is for upstream connections).
   *
   * One LISTENER patch, context GATEWAY, MERGE of `socket_options` (Linux values), in
   * namespace `istio-system` unless `metadata.namespace` says otherwise: it must be the
   * namespace of the gateway pods.
   */
  public static gatewayTcpKeepalive(scope: Construct, id: string, props: GatewayTcpKeepaliveProps = {}): EnvoyFilter {
    const selector = props.gatewaySelector ?? { istio: 'ingressgateway' };
    const filter = new EnvoyFilter(scope, id, {
      ...presetProps(props),
      metadata: { ...props.metadata, namespace: props.metadata?.namespace ?? 'istio-system' },
      workloadSelector: WorkloadSelector.fromLabels(selector),
    });
    const seconds = (prop: string, value: Duration | undefined, fallback: number) => {
      if (value === undefined) return fallback;
      const s = value.toSeconds({ integral: false });
      if (!Number.isInteger(s) || s < 1 || s > 32767) throwPropError(filter, prop, `${value.toMilliseconds()}ms`, 'whole seconds from 1 to 32767 (the Linux limit)');
      return s;
    };
    const time = seconds('time', props.time, 300);
    const interval = seconds('interval', props.interval, 75);
    const probes = props.probes ?? 9;
    if (!Number.isInteger(probes) || probes < 1 || probes > 127) throwPropError(filter, 'probes', probes, 'an integer from 1 to 127 (the Linux limit)');
    if (props.portNumber !== undefined) checkPortNumber(filter, 'portNumber', props.portNumber);
    const option = (level: number, name: number, value: number) => ({ level, name, int_value: value, state: 'STATE_LISTENING' });
    filter.addPatch({
      applyTo: EnvoyPatchApplyTo.LISTENER,
      context: EnvoyPatchContext.GATEWAY,
      match: props.portNumber !== undefined ? { listener: { portNumber: props.portNumber } } : undefined,
      operation: EnvoyPatchOperation.MERGE,
      value: {
        socket_options: [
          option(1, 9, 1), // SOL_SOCKET, SO_KEEPALIVE
          option(6, 4, time), // IPPROTO_TCP, TCP_KEEPIDLE
          option(6, 5, interval), // IPPROTO_TCP, TCP_KEEPINTVL
          option(6, 6, probes), // IPPROTO_TCP, TCP_KEEPCNT
        ],
      },
    });
    return filter;
  }

  /**
   * A Lua script on the inbound HTTP traffic of the selected workloads: one HTTP_FILTER
   * patch, context SIDECAR_INBOUND, inserted before the router (after Istio's
   * authentication and authorization filters).
   *
   * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/lua_filter
   */
  public static inboundLua(scope: Construct, id: string, props: InboundLuaProps): EnvoyFilter {
    const filter = new EnvoyFilter(scope, id, { ...presetProps(props), workloadSelector: requiredSelector(scope, id, props.selector) });
    if (typeof props.code !== 'string' || !/\benvoy_on_(request|response)\s*\(/.test(props.code)) {
      throwPropError(filter, 'code', props.code, 'the Lua source must define envoy_on_request(request_handle) or envoy_on_response(response_handle)');
    }
    filter.addPatch(inboundHttpFilter(filter, props.portNumber, {
      name: 'envoy.filters.http.lua',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua',
        'default_source_code': { inline_string: props.code },
      },
    }));
    return filter;
  }

  /**
   * A local rate limit (a token bucket per pod) on the inbound HTTP traffic of the
   * selected workloads, as in Istio's local rate limit task: one HTTP_FILTER patch,
   * context SIDECAR_INBOUND, inserted before the router. Requests over the limit get
   * 429 and the header `x-local-rate-limit: true`.
   *
   * @see https://istio.io/latest/docs/tasks/policy-enforcement/rate-limit/#local-rate-limit
   */
  public static inboundLocalRateLimit(scope: Construct, id: string, props: InboundLocalRateLimitProps): EnvoyFilter {
    const filter = new EnvoyFilter(scope, id, { ...presetProps(props), workloadSelector: requiredSelector(scope, id, props.selector) });
    const tokens = (prop: string, value: number) => {
      if (!Number.isInteger(value) || value < 1 || value > 4294967295) throwPropError(filter, prop, value, 'an integer of 1 or more');
      return value;
    };
    const maxTokens = tokens('maxTokens', props.maxTokens);
    const tokensPerFill = tokens('tokensPerFill', props.tokensPerFill ?? maxTokens);
    const ms = props.fillInterval?.toMilliseconds({ integral: false });
    if (ms === undefined || !Number.isInteger(ms) || ms < 50) {
      throwPropError(filter, 'fillInterval', ms === undefined ? undefined : `${ms}ms`, 'whole milliseconds, at least 50ms (Envoy rejects a shorter interval)');
    }
    const statPrefix = props.statPrefix ?? 'http_local_rate_limiter';
    if (!/^[A-Za-z0-9_.]+$/.test(statPrefix)) throwPropError(filter, 'statPrefix', statPrefix, 'letters, digits, "_" and "."');
    const percent = (runtimeKey: string, numerator: number) => ({ runtime_key: runtimeKey, default_value: { numerator, denominator: 'HUNDRED' } });
    filter.addPatch(inboundHttpFilter(filter, props.portNumber, {
      name: 'envoy.filters.http.local_ratelimit',
      typed_config: {
        '@type': 'type.googleapis.com/udpa.type.v1.TypedStruct',
        'type_url': 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
        'value': {
          stat_prefix: statPrefix,
          token_bucket: { max_tokens: maxTokens, tokens_per_fill: tokensPerFill, fill_interval: protobufDuration(ms) },
          filter_enabled: percent('local_rate_limit_enabled', 100),
          filter_enforced: percent('local_rate_limit_enforced', props.enforce === false ? 0 : 100),
          response_headers_to_add: [{ append_action: 'OVERWRITE_IF_EXISTS_OR_ADD', header: { key: 'x-local-rate-limit', value: 'true' } }],
        },
      },
    }));
    return filter;
  }

  /** The L1 object. */
  public readonly apiObject: l1.EnvoyFilter;
  /** The proxies the patches apply to, if selected. */
  public readonly workloadSelector?: WorkloadSelector;
  /** The filter's priority. */
  public readonly priority: number;
  /** The default proxy version match of the patches. */
  public readonly proxyVersion: ProxyVersionMatch;

  private readonly patches: l1.EnvoyFilterSpecConfigPatches[] = [];

  public constructor(scope: Construct, id: string, props: EnvoyFilterProps = {}) {
    super(scope, id, props);
    this.workloadSelector = props.workloadSelector;
    this.priority = props.priority ?? 0;
    if (!Number.isInteger(this.priority) || this.priority < -INT32_MAX - 1 || this.priority > INT32_MAX) {
      throwPropError(this, 'priority', props.priority, 'an integer (int32)');
    }
    this.proxyVersion = props.proxyVersion ?? ProxyVersionMatch.istio130();
    this.checkProxyVersion('proxyVersion', this.proxyVersion);
    (props.patches ?? []).forEach(p => this.addPatch(p));

    this.apiObject = new l1.EnvoyFilter(this, 'Resource', {
      metadata: this.resourceMetadata(props),
      spec: Lazy.any({ produce: () => this.renderSpec() }),
    });
    addSynthValidation(this, () => this.validateComplete());
  }

  /** How many patches the filter has. */
  public get patchCount(): number {
    return this.patches.length;
  }

  /**
   * Adds a patch (applied after the existing ones).
   *
   * @example
   * filter.addPatch({
   *   applyTo: EnvoyPatchApplyTo.NETWORK_FILTER,
   *   context: EnvoyPatchContext.SIDECAR_INBOUND,
   *   match: { listener: { filterChain: { filter: { name: 'envoy.filters.network.http_connection_manager' } } } },
   *   operation: EnvoyPatchOperation.MERGE,
   *   value: { typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', common_http_protocol_options: { idle_timeout: '30s' } } },
   * });
   */
  public addPatch(patch: EnvoyConfigPatch): void {
    const prop = `patches[${this.patches.length}]`;
    const { applyTo, operation } = patch;
    if (!Object.values(EnvoyPatchApplyTo).includes(applyTo)) throwPropError(this, `${prop}.applyTo`, applyTo, `one of ${Object.values(EnvoyPatchApplyTo).join(', ')}`);
    if (!Object.values(EnvoyPatchOperation).includes(operation)) throwPropError(this, `${prop}.operation`, operation, `one of ${Object.values(EnvoyPatchOperation).join(', ')}`);
    if (patch.context !== undefined && !Object.values(EnvoyPatchContext).includes(patch.context)) {
      throwPropError(this, `${prop}.context`, patch.context, `one of ${Object.values(EnvoyPatchContext).join(', ')}`);
    }

    if (operation === EnvoyPatchOperation.REPLACE && !REPLACEABLE.has(applyTo)) {
      throwPropError(this, `${prop}.operation`, operation, `REPLACE works on HTTP_FILTER and NETWORK_FILTER only, not ${applyTo} (IST0152; Istio ignores it): use MERGE`);
    }
    if (operation.startsWith('INSERT_') && !ORDERED.has(applyTo)) {
      throwPropError(this, `${prop}.operation`, operation, `${operation} orders LISTENER_FILTER, NETWORK_FILTER, HTTP_FILTER and HTTP_ROUTE entries only, not ${applyTo}: use ADD`);
    }
    if (applyTo === EnvoyPatchApplyTo.ROUTE_CONFIGURATION && (operation === EnvoyPatchOperation.ADD || operation === EnvoyPatchOperation.REMOVE)) {
      throwPropError(this, `${prop}.operation`, operation,
        `${operation} is ignored with applyTo ROUTE_CONFIGURATION (${operation === EnvoyPatchOperation.ADD ? 'IST0153' : 'IST0154'}): use MERGE, or applyTo VIRTUAL_HOST or HTTP_ROUTE`);
    }
    if (RELATIVE.has(operation) && this.priority === 0) {
      throwPropError(this, 'priority', this.priority,
        `${prop} uses the relative operation ${operation}, whose effect depends on the patches applied before it, and the filter has no priority `
        + '(IST0151, IST0155 with proxyVersion): give the EnvoyFilter a priority other than 0, or use ADD or INSERT_FIRST');
    }
    if (operation === EnvoyPatchOperation.REMOVE) {
      if (patch.value !== undefined) throwPropError(this, `${prop}.value`, patch.value, 'REMOVE takes no value');
    } else if (patch.value === undefined || typeof patch.value !== 'object' || Object.keys(patch.value).length === 0) {
      throwPropError(this, `${prop}.value`, patch.value, `${operation} needs a value (the Envoy configuration to apply)`);
    }

    const match = this.checkMatch(`${prop}.match`, applyTo, patch.match ?? {});
    const version = patch.proxyVersion ?? this.proxyVersion;
    this.checkProxyVersion(`${prop}.proxyVersion`, version);
    const rendered: { [key: string]: any } = { ...match };
    if (patch.context !== undefined) rendered.context = patch.context;
    if (version.pattern !== undefined) rendered.proxy = { proxyVersion: version.pattern };
    this.patches.push({
      applyTo: applyTo as string as l1.EnvoyFilterSpecConfigPatchesApplyTo,
      match: Object.keys(rendered).length > 0 ? rendered as l1.EnvoyFilterSpecConfigPatchesMatch : undefined,
      patch: {
        operation: operation as string as l1.EnvoyFilterSpecConfigPatchesPatchOperation,
        value: patch.value !== undefined ? clone(patch.value) : undefined,
      },
    });
  }

  private checkMatch(prop: string, applyTo: EnvoyPatchApplyTo, match: { [key: string]: any }): { [key: string]: any } {
    const keys = Object.keys(match);
    for (const key of keys) {
      if (key === 'context' || key === 'proxy') {
        throwPropError(this, `${prop}.${key}`, match[key], `give it with the patch's ${key === 'context' ? 'context' : 'proxyVersion'} prop`);
      }
      if (!['listener', 'routeConfiguration', 'cluster'].includes(key)) {
        throwPropError(this, `${prop}.${key}`, match[key], 'a match has one of listener, routeConfiguration or cluster');
      }
    }
    if (keys.length > 1) throwPropError(this, prop, keys, 'a match has one of listener, routeConfiguration or cluster, not several');
    const kind = keys[0];
    const expected = LISTENER_KINDS.has(applyTo) ? 'listener' : ROUTE_KINDS.has(applyTo) ? 'routeConfiguration' : applyTo === EnvoyPatchApplyTo.CLUSTER ? 'cluster' : undefined;
    if (kind !== undefined && kind !== expected) {
      throwPropError(this, `${prop}.${kind}`, match[kind], expected
        ? `applyTo ${applyTo} needs a ${expected} match`
        : `applyTo ${applyTo} takes no listener, routeConfiguration or cluster match`);
    }
    const filter = match.listener?.filterChain?.filter;
    if (filter !== undefined) {
      const fp = `${prop}.listener.filterChain.filter`;
      if (applyTo === EnvoyPatchApplyTo.LISTENER || applyTo === EnvoyPatchApplyTo.FILTER_CHAIN || applyTo === EnvoyPatchApplyTo.LISTENER_FILTER) {
        throwPropError(this, fp, filter, `a filter match has no effect with applyTo ${applyTo}: match the listener or filter chain only`);
      }
      if (typeof filter?.name !== 'string' || filter.name.length === 0) {
        throwPropError(this, `${fp}.name`, filter?.name, `a filter match needs a name, e.g. "${HCM}"`);
      }
      const sub = filter.subFilter;
      if (sub !== undefined) {
        if (applyTo !== EnvoyPatchApplyTo.HTTP_FILTER) throwPropError(this, `${fp}.subFilter`, sub, `a subFilter match works with applyTo HTTP_FILTER only, not ${applyTo}`);
        if (filter.name !== HCM) throwPropError(this, `${fp}.name`, filter.name, `a subFilter match needs the filter "${HCM}"`);
        if (typeof sub?.name !== 'string' || sub.name.length === 0) throwPropError(this, `${fp}.subFilter.name`, sub?.name, `a subFilter match needs a name, e.g. "${ROUTER}"`);
      }
    }
    const port = match.listener?.portNumber;
    if (port !== undefined) checkPortNumber(this, `${prop}.listener.portNumber`, port);
    return clone(match);
  }

  private checkProxyVersion(prop: string, version: ProxyVersionMatch): void {
    const regex = version.pattern;
    if (regex === undefined) return;
    let ok = typeof regex === 'string' && regex.length > 0;
    try {
      if (ok) new RegExp(regex);
    } catch {
      ok = false;
    }
    if (!ok) throwPropError(this, prop, regex, 'a regular expression on the proxy version, e.g. "^1\\\\.30\\\\..*" (ProxyVersionMatch.istio130())');
  }

  private validateComplete(): string[] {
    const errors: string[] = [];
    if (this.patches.length === 0) errors.push(constructMessage(this, 'an EnvoyFilter needs at least one patch: call addPatch() or pass patches'));
    const labels = this.workloadSelector?.toLabels();
    if (labels !== undefined) {
      const problem = Object.keys(labels).length === 0 ? 'it has no labels (it would select every proxy: leave workloadSelector out for that)' : labelsProblem(labels);
      if (problem) errors.push(propMessage(this, 'workloadSelector', labels, `${problem} (from ${this.workloadSelector})`));
    }
    return errors;
  }

  private renderSpec(): l1.EnvoyFilterSpec {
    const labels = this.workloadSelector?.toLabels();
    return {
      workloadSelector: labels !== undefined ? { labels } : undefined,
      priority: this.priority !== 0 ? this.priority : undefined,
      configPatches: this.patches.map(p => clone(p)),
    };
  }
}

function presetProps(props: EnvoyFilterPresetOptions): EnvoyFilterProps {
  return { metadata: props.metadata, proxyVersion: props.proxyVersion, priority: props.priority ?? PRESET_PRIORITY };
}

function requiredSelector(scope: Construct, id: string, selector: WorkloadSelector | undefined): WorkloadSelector {
  if (!(selector instanceof WorkloadSelector)) {
    throw new Error(`EnvoyFilter '${scope.node.path}/${id}': invalid selector ${selector === undefined ? 'undefined' : typeof selector}: `
      + 'a workload-scoped preset needs the workloads it applies to, e.g. WorkloadSelector.fromLabels({ app: "reviews" })');
  }
  return selector;
}

/** An HTTP filter inserted before the router of the inbound HTTP connection manager (on one port, or all). */
function inboundHttpFilter(scope: EnvoyFilter, portNumber: number | undefined, value: { [key: string]: any }): EnvoyConfigPatch {
  if (portNumber !== undefined) checkPortNumber(scope, 'portNumber', portNumber);
  return {
    applyTo: EnvoyPatchApplyTo.HTTP_FILTER,
    context: EnvoyPatchContext.SIDECAR_INBOUND,
    match: {
      listener: {
        ...(portNumber !== undefined ? { portNumber } : {}),
        filterChain: { filter: { name: HCM, subFilter: { name: ROUTER } } },
      },
    },
    operation: EnvoyPatchOperation.INSERT_BEFORE,
    value,
  };
}

/** A protobuf JSON duration (`60s`, `0.25s`): Envoy takes seconds only, not Istio's `1m`. */
function protobufDuration(ms: number): string {
  return `${ms / 1000}s`;
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}
