import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { checkProviderName } from './provider-name';
import { renderDuration } from '../core/duration';
import { throwPropError } from '../core/errors';
import { isDnsLabel, isDnsSubdomain, isHttpToken } from '../core/names';
import { A_PORT_IS, checkPortNumber } from '../core/protocol';

/**
 * What an extension provider of the mesh config is, as Istio names its fields.
 * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-ExtensionProvider
 */
export enum ExtensionProviderKind {
  /** An external authorizer over HTTP (`envoyExtAuthzHttp`), for CUSTOM AuthorizationPolicies. */
  ENVOY_EXT_AUTHZ_HTTP = 'envoyExtAuthzHttp',
  /** An external authorizer over gRPC (`envoyExtAuthzGrpc`), for CUSTOM AuthorizationPolicies. */
  ENVOY_EXT_AUTHZ_GRPC = 'envoyExtAuthzGrpc',
  /** A Zipkin tracing collector (`zipkin`). */
  ZIPKIN = 'zipkin',
  /** An OpenTelemetry tracing collector (`opentelemetry`). */
  OPENTELEMETRY = 'opentelemetry',
  /** Envoy access logs to a file (`envoyFileAccessLog`). */
  ENVOY_FILE_ACCESS_LOG = 'envoyFileAccessLog',
  /** Envoy access logs sent to an OpenTelemetry collector (`envoyOtelAls`). */
  ENVOY_OTEL_ALS = 'envoyOtelAls',
  /** Prometheus metrics (`prometheus`). */
  PROMETHEUS = 'prometheus',
}

/** What a provider can be used for: the Telemetry section or the AuthorizationPolicy action that names it. */
export enum ProviderUse {
  /** `AuthorizationPolicy` with action CUSTOM. */
  AUTHORIZATION = 'AUTHORIZATION',
  /** `Telemetry` `tracing` and `defaultProviders.tracing`. */
  TRACING = 'TRACING',
  /** `Telemetry` `accessLogging` and `defaultProviders.accessLogging`. */
  ACCESS_LOGGING = 'ACCESS_LOGGING',
  /** `Telemetry` `metrics` and `defaultProviders.metrics`. */
  METRICS = 'METRICS',
}

const USES: Record<ExtensionProviderKind, ProviderUse> = {
  [ExtensionProviderKind.ENVOY_EXT_AUTHZ_HTTP]: ProviderUse.AUTHORIZATION,
  [ExtensionProviderKind.ENVOY_EXT_AUTHZ_GRPC]: ProviderUse.AUTHORIZATION,
  [ExtensionProviderKind.ZIPKIN]: ProviderUse.TRACING,
  [ExtensionProviderKind.OPENTELEMETRY]: ProviderUse.TRACING,
  [ExtensionProviderKind.ENVOY_FILE_ACCESS_LOG]: ProviderUse.ACCESS_LOGGING,
  [ExtensionProviderKind.ENVOY_OTEL_ALS]: ProviderUse.ACCESS_LOGGING,
  [ExtensionProviderKind.PROMETHEUS]: ProviderUse.METRICS,
};

/** Where a provider's collector or authorizer runs: a Service (or ServiceEntry) host and port. */
export interface ProviderServiceOptions {
  /**
   * The host of the Service or ServiceEntry, as Istio takes it: `[<namespace>/]<hostname>`,
   * the hostname fully qualified, e.g. `otel-collector.observability.svc.cluster.local`.
   */
  readonly service: string;

  /** The port of the service. */
  readonly port: number;
}

/** Options of `ExtensionProvider.zipkin()`. */
export interface ZipkinProviderOptions extends ProviderServiceOptions {
  /**
   * The longest tag value Envoy reports.
   *
   * @default - Istio's default (256)
   */
  readonly maxTagLength?: number;
}

/** Options of `ExtensionProvider.openTelemetry()`. */
export interface OpenTelemetryProviderOptions extends ProviderServiceOptions {
  /**
   * The longest tag value Envoy reports.
   *
   * @default - Istio's default (256)
   */
  readonly maxTagLength?: number;
}

/** Options of `ExtensionProvider.envoyOtelAls()`. */
export interface EnvoyOtelAlsProviderOptions extends ProviderServiceOptions {
  /**
   * The log format (Envoy command operators).
   *
   * @default - Istio's default format
   */
  readonly logFormat?: string;
}

/** Options of `ExtensionProvider.envoyFileAccessLog()`. */
export interface EnvoyFileAccessLogProviderOptions {
  /**
   * The file Envoy writes to.
   *
   * @default "/dev/stdout"
   */
  readonly path?: string;

  /**
   * A text format (Envoy command operators), e.g. `[%START_TIME%] %REQ(:METHOD)% %RESPONSE_CODE%\n`.
   * Excludes `jsonLabels`.
   *
   * @default - Istio's default text format
   */
  readonly textFormat?: string;

  /**
   * JSON logs with these fields (name to Envoy command operator), e.g.
   * `{ status: '%RESPONSE_CODE%' }`. Excludes `textFormat`.
   *
   * @default - text logs
   */
  readonly jsonLabels?: { [field: string]: string };
}

/**
 * An `extensionProviders` entry of the mesh config: a named external authorizer,
 * tracing collector, access log sink or metrics provider that AuthorizationPolicies
 * (CUSTOM) and Telemetry resources refer to by name. Register one with
 * `MeshConfig.addExtensionProvider()`.
 *
 * External authorizers are made with `ExtAuthzProvider` (`http()`, `grpc()`, and the
 * `oauth2Proxy()` and `opa()` presets).
 *
 * The values are checked by the MeshConfig that registers the provider, so that
 * messages name the construct and the prop.
 *
 * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-ExtensionProvider
 */
export class ExtensionProvider {
  /**
   * A Zipkin tracing collector (`zipkin`).
   * @param name the name Telemetry resources refer to
   */
  public static zipkin(name: string, options: ZipkinProviderOptions): ExtensionProvider {
    return new ExtensionProvider(name, { ...options }, ExtensionProviderKind.ZIPKIN);
  }

  /**
   * An OpenTelemetry tracing collector (`opentelemetry`, OTLP over gRPC).
   * @param name the name Telemetry resources refer to
   */
  public static openTelemetry(name: string, options: OpenTelemetryProviderOptions): ExtensionProvider {
    return new ExtensionProvider(name, { ...options }, ExtensionProviderKind.OPENTELEMETRY);
  }

  /**
   * Envoy access logs to a file (`envoyFileAccessLog`), `/dev/stdout` by default.
   * @param name the name Telemetry resources refer to
   */
  public static envoyFileAccessLog(name: string, options: EnvoyFileAccessLogProviderOptions = {}): ExtensionProvider {
    return new ExtensionProvider(name, { ...options }, ExtensionProviderKind.ENVOY_FILE_ACCESS_LOG);
  }

  /**
   * Envoy access logs sent to an OpenTelemetry collector (`envoyOtelAls`).
   * @param name the name Telemetry resources refer to
   */
  public static envoyOtelAls(name: string, options: EnvoyOtelAlsProviderOptions): ExtensionProvider {
    return new ExtensionProvider(name, { ...options }, ExtensionProviderKind.ENVOY_OTEL_ALS);
  }

  /**
   * Prometheus metrics under another name than the built-in `prometheus`.
   * @param name the name Telemetry resources refer to
   */
  public static prometheus(name: string): ExtensionProvider {
    return new ExtensionProvider(name, {}, ExtensionProviderKind.PROMETHEUS);
  }

  /** The name AuthorizationPolicies and Telemetry resources refer to. */
  public readonly name: string;
  /**
   * What the provider is.
   * @default - undefined for a provider known by name only (`ExtAuthzProvider.fromName`)
   */
  public readonly kind?: ExtensionProviderKind;

  protected constructor(name: string, private readonly options: { [key: string]: any }, kind?: ExtensionProviderKind) {
    this.name = name;
    this.kind = kind;
  }

  /**
   * The service host (`[<namespace>/]<hostname>`), unless known by name only or built in.
   * @internal
   */
  public get _service(): string | undefined {
    return this.options.service;
  }

  /** What the provider can be used for. */
  public get use(): ProviderUse {
    return this.kind === undefined ? ProviderUse.AUTHORIZATION : USES[this.kind];
  }

  /**
   * The entry for `extensionProviders`, checked for field `prop` of `scope`.
   * @internal
   */
  public _render(scope: IConstruct, prop: string): { [key: string]: any } {
    if (this.kind === undefined) {
      throwPropError(scope, prop, this.name,
        'a provider known by name only (ExtAuthzProvider.fromName) cannot be registered: give its service with ExtAuthzProvider.http(), grpc(), oauth2Proxy() or opa()');
    }
    checkProviderName(scope, `${prop}.name`, this.name);
    const o = this.options;
    let body: { [key: string]: any };
    switch (this.kind) {
      case ExtensionProviderKind.ENVOY_EXT_AUTHZ_HTTP:
      case ExtensionProviderKind.ENVOY_EXT_AUTHZ_GRPC:
        body = renderExtAuthz(scope, `${prop}.${this.kind}`, this.kind, o);
        break;
      case ExtensionProviderKind.ZIPKIN:
      case ExtensionProviderKind.OPENTELEMETRY:
        body = { ...renderService(scope, `${prop}.${this.kind}`, o), maxTagLength: checkedCount(scope, `${prop}.${this.kind}.maxTagLength`, o.maxTagLength) };
        break;
      case ExtensionProviderKind.ENVOY_OTEL_ALS:
        body = { ...renderService(scope, `${prop}.${this.kind}`, o), logFormat: o.logFormat !== undefined ? { text: o.logFormat } : undefined };
        break;
      case ExtensionProviderKind.ENVOY_FILE_ACCESS_LOG:
        body = renderFileAccessLog(scope, `${prop}.${this.kind}`, o);
        break;
      default:
        body = {};
    }
    return { name: this.name, [this.kind]: dropUndefined(body) };
  }
}

/** Options shared by `ExtAuthzProvider.http()` and `grpc()`. */
export interface ExtAuthzCommonOptions extends ProviderServiceOptions {
  /**
   * How long the proxy waits for the authorizer's answer (at least 1ms).
   *
   * @default - Istio's default (10 minutes)
   */
  readonly timeout?: Duration;

  /**
   * Let requests through when the authorizer cannot be reached or fails. Insecure:
   * an outage of the authorizer opens every protected path.
   *
   * @default false (fail closed: the request gets `statusOnError`)
   */
  readonly failOpen?: boolean;

  /**
   * The HTTP status returned when the authorizer cannot be reached or fails (fail closed).
   *
   * @default - 403
   */
  readonly statusOnError?: number;

  /**
   * Send the request body to the authorizer, up to this many bytes.
   *
   * @default - the body is not sent
   */
  readonly includeRequestBodyInCheckMaxBytes?: number;
}

/** Options of `ExtAuthzProvider.http()`. */
export interface ExtAuthzHttpOptions extends ExtAuthzCommonOptions {
  /**
   * A prefix put before the request path in the check request, e.g. `/check`.
   *
   * @default - the request's own path
   */
  readonly pathPrefix?: string;

  /**
   * Request headers sent to the authorizer: exact names, or a prefix (`x-auth-*`) or
   * suffix (`*-token`). `Host`, `Method`, `Path`, `Content-Length` and `Authorization`
   * are always sent.
   *
   * @default - only the headers always sent
   */
  readonly includeRequestHeadersInCheck?: string[];

  /**
   * Headers of the authorizer's OK response copied onto the request sent to the
   * backend (exact, prefix or suffix).
   *
   * @default - none
   */
  readonly headersToUpstreamOnAllow?: string[];

  /**
   * Headers of the authorizer's deny response sent to the client (exact, prefix or
   * suffix). The status and body are always sent.
   *
   * @default - all the deny response's headers
   */
  readonly headersToDownstreamOnDeny?: string[];

  /**
   * Headers of the authorizer's OK response sent to the client with the backend's response.
   *
   * @default - none
   */
  readonly headersToDownstreamOnAllow?: string[];
}

/** Options of `ExtAuthzProvider.grpc()`. */
export interface ExtAuthzGrpcOptions extends ExtAuthzCommonOptions {}

/** Options of `ExtAuthzProvider.oauth2Proxy()`. */
export interface OAuth2ProxyProviderOptions {
  /**
   * The provider name CUSTOM policies refer to.
   *
   * @default "oauth2-proxy"
   */
  readonly name?: string;

  /**
   * oauth2-proxy's Service host.
   *
   * @default "oauth2-proxy.oauth2-proxy.svc.cluster.local"
   */
  readonly service?: string;

  /**
   * oauth2-proxy's HTTP port.
   *
   * @default 4180
   */
  readonly port?: number;

  /**
   * How long the proxy waits for oauth2-proxy.
   *
   * @default - Istio's default (10 minutes)
   */
  readonly timeout?: Duration;

  /**
   * More response headers copied onto the backend's request, beside `authorization`,
   * `x-auth-request-user`, `x-auth-request-email` and `x-auth-request-groups`.
   *
   * @default - none
   */
  readonly extraHeadersToUpstreamOnAllow?: string[];
}

/** Options of `ExtAuthzProvider.opa()`. */
export interface OpaProviderOptions {
  /**
   * The provider name CUSTOM policies refer to.
   *
   * @default "opa"
   */
  readonly name?: string;

  /**
   * The Service host of the OPA-Envoy plugin (a standalone OPA; for OPA as a sidecar
   * container, a ServiceEntry host that resolves to the pod, e.g. `opa.local`).
   *
   * @default "opa.opa.svc.cluster.local"
   */
  readonly service?: string;

  /**
   * The gRPC port of the OPA-Envoy plugin.
   *
   * @default 9191
   */
  readonly port?: number;

  /**
   * How long the proxy waits for OPA.
   *
   * @default - Istio's default (10 minutes)
   */
  readonly timeout?: Duration;
}

/**
 * An external authorizer (an `envoyExtAuthzHttp` or `envoyExtAuthzGrpc` extension
 * provider), for `ExternalAuthorization` and CUSTOM AuthorizationPolicies.
 *
 * Secure by default: fail closed (`failOpen: false`, errors answered 403), and only
 * the headers listed are sent to the authorizer and copied from its answer.
 *
 * @example
 * ExtAuthzProvider.oauth2Proxy({ service: 'oauth2-proxy.auth.svc.cluster.local' })
 * ExtAuthzProvider.grpc('ext-authz', { service: 'ext-authz.foo.svc.cluster.local', port: 9000 })
 *
 * @see https://istio.io/latest/docs/tasks/security/authorization/authz-custom/
 */
export class ExtAuthzProvider extends ExtensionProvider {
  /**
   * An authorizer that answers HTTP check requests (`envoyExtAuthzHttp`): 200 allows,
   * anything else denies and is sent to the client.
   * @param name the provider name CUSTOM policies refer to
   */
  public static http(name: string, options: ExtAuthzHttpOptions): ExtAuthzProvider {
    return new ExtAuthzProvider(name, { ...options }, ExtensionProviderKind.ENVOY_EXT_AUTHZ_HTTP);
  }

  /**
   * An authorizer that implements Envoy's gRPC `Authorization` service (`envoyExtAuthzGrpc`).
   * @param name the provider name CUSTOM policies refer to
   */
  public static grpc(name: string, options: ExtAuthzGrpcOptions): ExtAuthzProvider {
    return new ExtAuthzProvider(name, { ...options }, ExtensionProviderKind.ENVOY_EXT_AUTHZ_GRPC);
  }

  /**
   * OAuth2 Proxy as an HTTP authorizer: it gets the session cookie and the bearer token
   * (`includeRequestHeadersInCheck: [authorization, cookie]`), passes the user to the
   * backend (`headersToUpstreamOnAllow: [authorization, x-auth-request-user,
   * x-auth-request-email, x-auth-request-groups]`) and its login redirect and cookies to
   * the client (`headersToDownstreamOnDeny: [content-type, set-cookie]`). Run
   * oauth2-proxy with `--upstream=static://200 --reverse-proxy --set-authorization-header
   * --set-xauthrequest`.
   *
   * @see https://oauth2-proxy.github.io/oauth2-proxy/configuration/overview
   */
  public static oauth2Proxy(options: OAuth2ProxyProviderOptions = {}): ExtAuthzProvider {
    return ExtAuthzProvider.http(options.name ?? 'oauth2-proxy', {
      service: options.service ?? 'oauth2-proxy.oauth2-proxy.svc.cluster.local',
      port: options.port ?? 4180,
      timeout: options.timeout,
      includeRequestHeadersInCheck: ['authorization', 'cookie'],
      headersToUpstreamOnAllow: ['authorization', 'x-auth-request-user', 'x-auth-request-email', 'x-auth-request-groups',
        ...(options.extraHeadersToUpstreamOnAllow ?? [])],
      headersToDownstreamOnDeny: ['content-type', 'set-cookie'],
    });
  }

  /**
   * The OPA-Envoy plugin as a gRPC authorizer, on its default port 9191.
   *
   * @see https://www.openpolicyagent.org/docs/latest/envoy-introduction/
   */
  public static opa(options: OpaProviderOptions = {}): ExtAuthzProvider {
    return ExtAuthzProvider.grpc(options.name ?? 'opa', {
      service: options.service ?? 'opa.opa.svc.cluster.local',
      port: options.port ?? 9191,
      timeout: options.timeout,
    });
  }

  /**
   * A provider declared in a mesh config outside the app, referred to by name only
   * (it cannot be registered in a `MeshConfig`).
   * @param name the `extensionProviders` entry's name
   */
  public static fromName(name: string): ExtAuthzProvider {
    return new ExtAuthzProvider(name, {});
  }

  private constructor(name: string, options: { [key: string]: any }, kind?: ExtensionProviderKind) {
    super(name, options, kind);
  }

}

function renderService(scope: IConstruct, prop: string, o: { [key: string]: any }): { service: string; port: number } {
  const service = o.service;
  const slash = typeof service === 'string' ? service.indexOf('/') : -1;
  const ns = slash >= 0 ? service.slice(0, slash) : undefined;
  const host = slash >= 0 ? service.slice(slash + 1) : service;
  if (typeof service !== 'string' || (ns !== undefined && !isDnsLabel(ns)) || !isDnsSubdomain(host) || !host.includes('.')) {
    throwPropError(scope, `${prop}.service`, service,
      'the fully qualified host of a Service or ServiceEntry, optionally after its namespace: "<name>.<namespace>.svc.cluster.local" or "<namespace>/<host>"');
  }
  checkPortNumber(scope, `${prop}.port`, o.port, A_PORT_IS);
  return { service, port: o.port };
}

function renderExtAuthz(scope: IConstruct, prop: string, kind: ExtensionProviderKind, o: { [key: string]: any }): { [key: string]: any } {
  const statusOnError = o.statusOnError;
  if (statusOnError !== undefined && (!Number.isInteger(statusOnError) || statusOnError < 200 || statusOnError > 599)) {
    throwPropError(scope, `${prop}.statusOnError`, statusOnError, 'an HTTP status code from 200 to 599, e.g. 403 or 503');
  }
  const maxBytes = o.includeRequestBodyInCheckMaxBytes;
  const out: { [key: string]: any } = {
    ...renderService(scope, prop, o),
    timeout: o.timeout !== undefined ? renderDuration(scope, `${prop}.timeout`, o.timeout) : undefined,
    failOpen: o.failOpen,
    statusOnError: statusOnError !== undefined ? String(statusOnError) : undefined,
    includeRequestBodyInCheck: maxBytes !== undefined ? { maxRequestBytes: checkedCount(scope, `${prop}.includeRequestBodyInCheckMaxBytes`, maxBytes) } : undefined,
  };
  if (kind === ExtensionProviderKind.ENVOY_EXT_AUTHZ_HTTP) {
    if (o.pathPrefix !== undefined && (typeof o.pathPrefix !== 'string' || !/^\/\S*$/.test(o.pathPrefix))) {
      throwPropError(scope, `${prop}.pathPrefix`, o.pathPrefix, 'a path that starts with "/", without whitespace, e.g. "/check"');
    }
    out.pathPrefix = o.pathPrefix;
    for (const field of ['includeRequestHeadersInCheck', 'headersToUpstreamOnAllow', 'headersToDownstreamOnDeny', 'headersToDownstreamOnAllow']) {
      out[field] = checkedHeaders(scope, `${prop}.${field}`, o[field]);
    }
  }
  return out;
}

function renderFileAccessLog(scope: IConstruct, prop: string, o: { [key: string]: any }): { [key: string]: any } {
  const path = o.path ?? '/dev/stdout';
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throwPropError(scope, `${prop}.path`, path, 'an absolute file path, e.g. "/dev/stdout"');
  }
  if (o.textFormat !== undefined && o.jsonLabels !== undefined) {
    throwPropError(scope, `${prop}.textFormat`, o.textFormat, 'textFormat and jsonLabels exclude each other: give one log format');
  }
  let logFormat: { [key: string]: any } | undefined;
  if (o.textFormat !== undefined) logFormat = { text: o.textFormat };
  if (o.jsonLabels !== undefined) {
    if (Object.keys(o.jsonLabels).length === 0) throwPropError(scope, `${prop}.jsonLabels`, {}, 'must not be empty: leave it out for text logs');
    logFormat = { labels: { ...o.jsonLabels } };
  }
  return { path, logFormat };
}

function checkedHeaders(scope: IConstruct, prop: string, headers: string[] | undefined): string[] | undefined {
  if (headers === undefined) return undefined;
  if (headers.length === 0) throwPropError(scope, prop, [], 'must not be empty: leave it out instead');
  headers.forEach((h, i) => {
    const bare = typeof h === 'string' ? h.replace(/^\*/, '').replace(/\*$/, '') : '';
    if (typeof h !== 'string' || bare.length === 0 || (h.startsWith('*') && h.endsWith('*')) || !isHttpToken(bare) || bare.includes('*')) {
      throwPropError(scope, `${prop}[${i}]`, h, 'a header name, exact ("x-user"), by prefix ("x-auth-*") or by suffix ("*-token"); "*" alone is not allowed');
    }
  });
  return [...headers];
}

function checkedCount(scope: IConstruct, prop: string, value: number | undefined): number | undefined {
  if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > 4294967295)) {
    throwPropError(scope, prop, value, 'a positive integer');
  }
  return value;
}

function dropUndefined(o: { [key: string]: any }): { [key: string]: any } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
