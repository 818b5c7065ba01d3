import { Duration } from 'cdk8s';
import { StringMatch } from '../core/string-match';

/**
 * Header operations on a request or a response.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#Headers-HeaderOperations
 */
export interface HeaderOperations {
  /**
   * Headers to overwrite with the given value (added if missing).
   * @default - none
   */
  readonly set?: { [name: string]: string };

  /**
   * Headers to append the given value to.
   * @default - none
   */
  readonly add?: { [name: string]: string };

  /**
   * Headers to remove.
   * @default - none
   */
  readonly remove?: string[];
}

/**
 * Changes to the headers of the requests sent to a destination and of the
 * responses returned to the caller.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#Headers
 */
export interface HeaderManipulation {
  /**
   * Operations on the request headers, before forwarding.
   * @default - none
   */
  readonly request?: HeaderOperations;

  /**
   * Operations on the response headers, before returning.
   * @default - none
   */
  readonly response?: HeaderOperations;
}

/**
 * The port of a redirect's `Location`: one of a fixed number, the protocol's
 * default port, or the port of the request.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRedirect
 */
export class RedirectPort {
  /** Redirect to this port (1-65535). */
  public static toPort(port: number): RedirectPort {
    return new RedirectPort(port, undefined);
  }

  /** Redirect to 80 for HTTP and 443 for HTTPS (`derivePort: FROM_PROTOCOL_DEFAULT`). */
  public static fromProtocolDefault(): RedirectPort {
    return new RedirectPort(undefined, 'FROM_PROTOCOL_DEFAULT');
  }

  /** Redirect to the port of the request (`derivePort: FROM_REQUEST_PORT`). */
  public static fromRequestPort(): RedirectPort {
    return new RedirectPort(undefined, 'FROM_REQUEST_PORT');
  }

  /** The fixed port, if any. */
  public readonly port?: number;
  /** `FROM_PROTOCOL_DEFAULT` or `FROM_REQUEST_PORT`, if the port is derived. */
  public readonly derivePort?: string;

  private constructor(port: number | undefined, derivePort: string | undefined) {
    this.port = port;
    this.derivePort = derivePort;
  }
}

/**
 * Answers with a redirect instead of forwarding the request.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRedirect
 */
export interface HttpRedirect {
  /**
   * Replaces the path of the URL.
   * @default - the path of the request
   */
  readonly uri?: string;

  /**
   * Replaces the authority (host) of the URL.
   * @default - the authority of the request
   */
  readonly authority?: string;

  /**
   * Replaces the port of the URL.
   * @default - the port of the request URL is kept as written
   */
  readonly port?: RedirectPort;

  /**
   * Replaces the scheme of the URL (`http` or `https`).
   * @default - the scheme of the request
   */
  readonly scheme?: string;

  /**
   * The HTTP status of the redirect: 301, 302, 303, 307 or 308.
   * @default 301
   */
  readonly redirectCode?: number;
}

/**
 * The body of a direct response: text or bytes (one of).
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPBody
 */
export class DirectResponseBody {
  /** A text body. */
  public static fromString(text: string): DirectResponseBody {
    return new DirectResponseBody(text, undefined);
  }

  /** A binary body, given base64-encoded. */
  public static fromBase64(base64: string): DirectResponseBody {
    return new DirectResponseBody(undefined, base64);
  }

  /** The text body, if any. */
  public readonly text?: string;
  /** The base64-encoded binary body, if any. */
  public readonly base64?: string;

  private constructor(text: string | undefined, base64: string | undefined) {
    this.text = text;
    this.base64 = base64;
  }
}

/**
 * Answers the request directly, without forwarding it.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPDirectResponse
 */
export interface HttpDirectResponse {
  /** The HTTP status to return (200-599). */
  readonly status: number;

  /**
   * The body of the response.
   * @default - no body
   */
  readonly body?: DirectResponseBody;
}

/**
 * Rewrites the path with a regular expression.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#RegexRewrite
 */
export interface RegexRewrite {
  /** An RE2 regular expression over the path. */
  readonly match: string;
  /** The replacement; `\1` and so on refer to capture groups. */
  readonly rewrite: string;
}

/**
 * Rewrites the path or authority before forwarding.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRewrite
 */
export interface HttpRewrite {
  /**
   * Replaces the matched part of the path (the matched prefix, or the whole path).
   * Not together with `uriRegexRewrite`.
   * @default - the path is kept
   */
  readonly uri?: string;

  /**
   * Rewrites the path with a regular expression. Not together with `uri`.
   * @default - the path is kept
   */
  readonly uriRegexRewrite?: RegexRewrite;

  /**
   * Replaces the authority (Host header).
   * @default - the authority is kept
   */
  readonly authority?: string;
}

/**
 * Conditions on which a request is retried (Envoy's `x-envoy-retry-on` and
 * `x-envoy-retry-grpc-on` tokens). Retry on given HTTP statuses with
 * `HttpRetry.retryOnStatusCodes`.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRetry
 */
export enum RetryOn {
  /** Any 5xx response, or no response (reset, timeout). */
  FIVE_XX = '5xx',
  /** 502, 503 or 504. */
  GATEWAY_ERROR = 'gateway-error',
  /** The upstream did not respond (disconnect, reset, read timeout). */
  RESET = 'reset',
  /** The connection to the upstream failed. */
  CONNECT_FAILURE = 'connect-failure',
  /** Envoy answered `x-envoy-ratelimited`. */
  ENVOY_RATELIMITED = 'envoy-ratelimited',
  /** Retriable 4xx responses (409). */
  RETRIABLE_4XX = 'retriable-4xx',
  /** The upstream reset the stream with REFUSED_STREAM. */
  REFUSED_STREAM = 'refused-stream',
  /** The statuses of the `x-envoy-retriable-status-codes` header. */
  RETRIABLE_STATUS_CODES = 'retriable-status-codes',
  /** Responses with a header of `x-envoy-retriable-header-names`. */
  RETRIABLE_HEADERS = 'retriable-headers',
  /** gRPC status CANCELLED. */
  CANCELLED = 'cancelled',
  /** gRPC status DEADLINE_EXCEEDED. */
  DEADLINE_EXCEEDED = 'deadline-exceeded',
  /** gRPC status INTERNAL. */
  INTERNAL = 'internal',
  /** gRPC status RESOURCE_EXHAUSTED. */
  RESOURCE_EXHAUSTED = 'resource-exhausted',
  /** gRPC status UNAVAILABLE. */
  UNAVAILABLE = 'unavailable',
}

/**
 * Retries of a failed request.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRetry
 */
export interface HttpRetry {
  /**
   * How many times a request is retried (0 disables retries).
   * @default - Istio's default (2)
   */
  readonly attempts?: number;

  /**
   * The timeout of each attempt, including the first (at least 1ms).
   * @default - the route's `timeout`
   */
  readonly perTryTimeout?: Duration;

  /**
   * The conditions to retry on.
   * @default - Istio's default (`connect-failure,refused-stream,unavailable,cancelled,503`) unless `retryOnStatusCodes` is given
   */
  readonly retryOn?: RetryOn[];

  /**
   * HTTP statuses to retry on (100-599), added to `retryOn`.
   * @default - none
   */
  readonly retryOnStatusCodes?: number[];

  /**
   * Retry in other localities than the first attempt's.
   * @default - Istio's default (false)
   */
  readonly retryRemoteLocalities?: boolean;

  /**
   * Retry on other hosts than the ones already tried.
   * @default - Istio's default (true)
   */
  readonly retryIgnorePreviousHosts?: boolean;

  /**
   * The base interval between retries (at least 1ms).
   * @default - Envoy's default (25ms)
   */
  readonly backoff?: Duration;
}

/**
 * gRPC status codes, as Istio spells them in a fault's `grpcStatus`.
 * @see https://github.com/grpc/grpc/blob/master/doc/statuscodes.md
 */
export enum GrpcStatusCode {
  /** 0 */
  OK = 'OK',
  /** 1 */
  CANCELLED = 'CANCELLED',
  /** 2 */
  UNKNOWN = 'UNKNOWN',
  /** 3 */
  INVALID_ARGUMENT = 'INVALID_ARGUMENT',
  /** 4 */
  DEADLINE_EXCEEDED = 'DEADLINE_EXCEEDED',
  /** 5 */
  NOT_FOUND = 'NOT_FOUND',
  /** 6 */
  ALREADY_EXISTS = 'ALREADY_EXISTS',
  /** 7 */
  PERMISSION_DENIED = 'PERMISSION_DENIED',
  /** 8 */
  RESOURCE_EXHAUSTED = 'RESOURCE_EXHAUSTED',
  /** 9 */
  FAILED_PRECONDITION = 'FAILED_PRECONDITION',
  /** 10 */
  ABORTED = 'ABORTED',
  /** 11 */
  OUT_OF_RANGE = 'OUT_OF_RANGE',
  /** 12 */
  UNIMPLEMENTED = 'UNIMPLEMENTED',
  /** 13 */
  INTERNAL = 'INTERNAL',
  /** 14 */
  UNAVAILABLE = 'UNAVAILABLE',
  /** 15 */
  DATA_LOSS = 'DATA_LOSS',
  /** 16 */
  UNAUTHENTICATED = 'UNAUTHENTICATED',
}

/**
 * Aborts requests with an error (one of an HTTP status or a gRPC status).
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPFaultInjection-Abort
 */
export class FaultAbort {
  /**
   * Answer with an HTTP status (200-599).
   * @param status the HTTP status
   * @param percentage the share of requests aborted (0-100); default: every request
   */
  public static httpStatus(status: number, percentage?: number): FaultAbort {
    return new FaultAbort(status, undefined, percentage);
  }

  /**
   * Answer with a gRPC status.
   * @param status the gRPC status
   * @param percentage the share of requests aborted (0-100); default: every request
   */
  public static grpcStatus(status: GrpcStatusCode, percentage?: number): FaultAbort {
    return new FaultAbort(undefined, status, percentage);
  }

  /** The HTTP status, if it aborts with one. */
  public readonly httpStatusCode?: number;
  /** The gRPC status, if it aborts with one. */
  public readonly grpcStatusCode?: GrpcStatusCode;
  /** The share of requests aborted (0-100), if not every request. */
  public readonly percentage?: number;

  private constructor(httpStatus: number | undefined, grpcStatus: GrpcStatusCode | undefined, percentage: number | undefined) {
    this.httpStatusCode = httpStatus;
    this.grpcStatusCode = grpcStatus;
    this.percentage = percentage;
  }
}

/**
 * Delays requests before forwarding them.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPFaultInjection-Delay
 */
export interface FaultDelay {
  /** The delay (at least 1ms). */
  readonly fixedDelay: Duration;

  /**
   * The share of requests delayed (0-100).
   * @default - every request
   */
  readonly percentage?: number;
}

/**
 * Injects faults (delays and/or aborts) on the client side, for resilience tests.
 * At least one of `delay` and `abort`.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPFaultInjection
 */
export interface HttpFaultInjection {
  /**
   * Delay requests.
   * @default - no delay
   */
  readonly delay?: FaultDelay;

  /**
   * Abort requests.
   * @default - no abort
   */
  readonly abort?: FaultAbort;
}

/**
 * HTTP methods, as CORS `allowMethods` accepts them.
 */
export enum HttpMethod {
  /** GET */
  GET = 'GET',
  /** HEAD */
  HEAD = 'HEAD',
  /** POST */
  POST = 'POST',
  /** PUT */
  PUT = 'PUT',
  /** DELETE */
  DELETE = 'DELETE',
  /** CONNECT */
  CONNECT = 'CONNECT',
  /** OPTIONS */
  OPTIONS = 'OPTIONS',
  /** TRACE */
  TRACE = 'TRACE',
  /** PATCH */
  PATCH = 'PATCH',
}

/**
 * What happens to a preflight request whose origin no `allowOrigins` matches.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#CorsPolicy-UnmatchedPreflights
 */
export enum UnmatchedPreflights {
  /** Forward it to the upstream. */
  FORWARD = 'FORWARD',
  /** Answer it without CORS headers, do not forward it. */
  IGNORE = 'IGNORE',
}

/**
 * Cross-Origin Resource Sharing policy.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#CorsPolicy
 */
export interface CorsPolicy {
  /**
   * The origins allowed, e.g. `StringMatch.exact('https://example.com')`.
   * @default - no origin is allowed
   */
  readonly allowOrigins?: StringMatch[];

  /**
   * The methods allowed.
   * @default - none (browsers allow the simple methods)
   */
  readonly allowMethods?: HttpMethod[];

  /**
   * The request headers allowed.
   * @default - none
   */
  readonly allowHeaders?: string[];

  /**
   * The response headers browsers may read.
   * @default - none
   */
  readonly exposeHeaders?: string[];

  /**
   * How long browsers may cache the preflight response (whole seconds).
   * @default - browsers' default
   */
  readonly maxAge?: Duration;

  /**
   * Whether the actual request may carry credentials.
   * @default - not allowed
   */
  readonly allowCredentials?: boolean;

  /**
   * What happens to preflight requests from origins not allowed.
   * @default - Istio's default (FORWARD)
   */
  readonly unmatchedPreflights?: UnmatchedPreflights;
}
