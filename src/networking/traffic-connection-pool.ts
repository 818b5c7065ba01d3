import { Duration } from 'cdk8s';

/**
 * Whether HTTP/1.1 connections to the destination are upgraded to HTTP/2.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ConnectionPoolSettings-HTTPSettings-H2UpgradePolicy
 */
export enum H2UpgradePolicy {
  /** Use the mesh-wide default. */
  DEFAULT = 'DEFAULT',
  /** Do not upgrade. */
  DO_NOT_UPGRADE = 'DO_NOT_UPGRADE',
  /** Upgrade to HTTP/2. */
  UPGRADE = 'UPGRADE',
}

/**
 * Connection pool (circuit breaker) settings, applied to each host of the
 * destination. Set `tcp`, `http` or both.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ConnectionPoolSettings
 */
export interface ConnectionPool {
  /**
   * Settings common to TCP and HTTP connections.
   *
   * @default - Envoy's defaults
   */
  readonly tcp?: TcpConnectionPool;

  /**
   * Settings of HTTP/1.1, HTTP/2 and gRPC connections.
   *
   * @default - Envoy's defaults
   */
  readonly http?: HttpConnectionPool;
}

/**
 * TCP connection pool settings.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ConnectionPoolSettings-TCPSettings
 */
export interface TcpConnectionPool {
  /**
   * Maximum number of HTTP/1 or TCP connections to one host.
   *
   * @default - 2^32-1 (no limit)
   */
  readonly maxConnections?: number;

  /**
   * TCP connect timeout (at least 1ms).
   *
   * @default - 10s
   */
  readonly connectTimeout?: Duration;

  /**
   * TCP keepalive (SO_KEEPALIVE) on upstream connections.
   *
   * @default - no keepalive
   */
  readonly tcpKeepalive?: TcpKeepalive;

  /**
   * Maximum lifetime of a connection (at least 1ms).
   *
   * @default - no maximum
   */
  readonly maxConnectionDuration?: Duration;

  /**
   * Idle timeout of TCP connections; zero disables it.
   *
   * @default - 1h
   */
  readonly idleTimeout?: Duration;
}

/**
 * TCP keepalive settings.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ConnectionPoolSettings-TCPSettings-TcpKeepalive
 */
export interface TcpKeepalive {
  /**
   * Probes sent without answer before the connection is declared dead.
   *
   * @default - the OS setting (9 on Linux)
   */
  readonly probes?: number;

  /**
   * Idle time before the first probe (at least 1ms).
   *
   * @default - the OS setting (7200s on Linux)
   */
  readonly time?: Duration;

  /**
   * Time between probes (at least 1ms).
   *
   * @default - the OS setting (75s on Linux)
   */
  readonly interval?: Duration;
}

/**
 * HTTP connection pool settings.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ConnectionPoolSettings-HTTPSettings
 */
export interface HttpConnectionPool {
  /**
   * Maximum number of requests queued while waiting for a connection (HTTP/1.1 and HTTP/2).
   *
   * @default - 2^32-1 (no limit)
   */
  readonly http1MaxPendingRequests?: number;

  /**
   * Maximum number of active requests to a destination (HTTP/1.1 and HTTP/2).
   *
   * @default - 2^32-1 (no limit)
   */
  readonly http2MaxRequests?: number;

  /**
   * Maximum number of requests per connection; 1 disables keep-alive.
   *
   * @default - 0 (no limit, up to 2^29)
   */
  readonly maxRequestsPerConnection?: number;

  /**
   * Maximum number of retries outstanding to all hosts at a time.
   *
   * @default - 2^32-1 (no limit)
   */
  readonly maxRetries?: number;

  /**
   * Idle timeout of upstream connections, with no active request (at least 1ms).
   *
   * @default - 1h
   */
  readonly idleTimeout?: Duration;

  /**
   * Whether HTTP/1.1 connections are upgraded to HTTP/2.
   * `UPGRADE` excludes `useClientProtocol`.
   *
   * @default H2UpgradePolicy.DEFAULT
   */
  readonly h2UpgradePolicy?: H2UpgradePolicy;

  /**
   * Keep the client's protocol towards the backend (then no HTTP/2 upgrade happens).
   *
   * @default false
   */
  readonly useClientProtocol?: boolean;

  /**
   * Maximum number of concurrent streams on one HTTP/2 connection.
   *
   * @default - 2^31-1
   */
  readonly maxConcurrentStreams?: number;
}
