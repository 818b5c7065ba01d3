import { Duration } from 'cdk8s';
import { ConnectionPool } from './traffic-connection-pool';
import { LoadBalancer } from './traffic-load-balancer';
import { ClientTls } from './traffic-tls';

/**
 * Policies for the traffic to a destination: load balancing, connection pool,
 * outlier detection, TLS, and per-port overrides. Used for a whole DestinationRule
 * and for each subset (a subset inherits the rule's policy and overrides it).
 *
 * Checked when given to a DestinationRule: ranges, durations (at least 1ms), and the
 * mutual exclusions Istio's webhook enforces.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#TrafficPolicy
 */
export interface TrafficPolicy {
  /**
   * Load balancing settings.
   *
   * @default - Istio's default (LEAST_REQUEST)
   */
  readonly loadBalancer?: LoadBalancer;

  /**
   * Connection pool (circuit breaker) settings.
   *
   * @default - Envoy's defaults (no practical limits)
   */
  readonly connectionPool?: ConnectionPool;

  /**
   * Ejection of unhealthy hosts from the load balancing pool.
   *
   * @default - no outlier detection
   */
  readonly outlierDetection?: OutlierDetection;

  /**
   * TLS to the upstream, e.g. `ClientTls.istioMutual()` or `ClientTls.simple({ ... })`.
   *
   * @default - Istio's automatic mutual TLS between workloads of the mesh
   */
  readonly tls?: ClientTls;

  /**
   * Per-port overrides. A port-level policy replaces the destination-level one for
   * that port: what it leaves out gets Istio's defaults, not the destination-level
   * values. Ports must be unique.
   *
   * @default - none
   */
  readonly portLevelSettings?: PortTrafficPolicy[];

  /**
   * Tunnel TCP to the destination over HTTP CONNECT or POST. Excludes `proxyProtocol`.
   *
   * @default - no tunnel
   */
  readonly tunnel?: TunnelSettings;

  /**
   * Send the PROXY protocol header upstream. Excludes `tunnel`.
   *
   * @default - no PROXY protocol
   */
  readonly proxyProtocol?: ProxyProtocolVersion;

  /**
   * Limit on concurrent retries relative to active requests.
   *
   * @default - Envoy's default (20% of active requests, at least 3)
   */
  readonly retryBudget?: RetryBudget;
}

/**
 * The policy of one port of the destination.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#TrafficPolicy-PortTrafficPolicy
 */
export interface PortTrafficPolicy {
  /** The port number of the destination service (1-65535). */
  readonly port: number;

  /**
   * Load balancing settings of this port.
   *
   * @default - Istio's default
   */
  readonly loadBalancer?: LoadBalancer;

  /**
   * Connection pool settings of this port.
   *
   * @default - Envoy's defaults
   */
  readonly connectionPool?: ConnectionPool;

  /**
   * Outlier detection of this port.
   *
   * @default - no outlier detection
   */
  readonly outlierDetection?: OutlierDetection;

  /**
   * TLS to this port.
   *
   * @default - Istio's automatic mutual TLS
   */
  readonly tls?: ClientTls;
}

/**
 * Ejects hosts that keep failing from the load balancing pool (a circuit breaker per
 * host). `{}` turns it on with Istio's defaults (5 consecutive 5xx errors, 10s
 * interval, 30s base ejection time, 10% of hosts at most).
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#OutlierDetection
 */
export interface OutlierDetection {
  /**
   * Consecutive gateway errors (502, 503, 504; connect failures for TCP) before
   * ejection; 0 disables.
   *
   * @default - disabled
   */
  readonly consecutiveGatewayErrors?: number;

  /**
   * Consecutive 5xx errors (connect and request failures for TCP) before ejection;
   * 0 disables.
   *
   * @default 5
   */
  readonly consecutive5xxErrors?: number;

  /**
   * Consecutive locally originated failures before ejection. Needs
   * `splitExternalLocalOriginErrors: true`.
   *
   * @default 5 (when split is on)
   */
  readonly consecutiveLocalOriginFailures?: number;

  /**
   * Count local origin failures (connect errors, timeouts) apart from the
   * upstream's status codes.
   *
   * @default false
   */
  readonly splitExternalLocalOriginErrors?: boolean;

  /**
   * Time between ejection sweeps (at least 1ms).
   *
   * @default - 10s
   */
  readonly interval?: Duration;

  /**
   * Minimum ejection time, multiplied by the number of ejections (at least 1ms).
   *
   * @default - 30s
   */
  readonly baseEjectionTime?: Duration;

  /**
   * Maximum percentage (0-100) of hosts that can be ejected.
   *
   * @default 10
   */
  readonly maxEjectionPercent?: number;

  /**
   * Outlier detection stays on while at least this percentage (0-100) of hosts is
   * healthy.
   *
   * @default 0
   */
  readonly minHealthPercent?: number;
}

/**
 * Protocol of a TCP tunnel.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#TrafficPolicy-TunnelSettings
 */
export enum TunnelProtocol {
  /** HTTP CONNECT. */
  CONNECT = 'CONNECT',
  /** HTTP POST. */
  POST = 'POST',
}

/**
 * Tunnels TCP (or TLS) traffic to the destination through an HTTP proxy. Applies
 * to TCP and TLS routes, not HTTP routes.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#TrafficPolicy-TunnelSettings
 */
export interface TunnelSettings {
  /** The host the connection is tunneled to: an FQDN or an IP address. */
  readonly targetHost: string;

  /** The port the connection is tunneled to (1-65535). */
  readonly targetPort: number;

  /**
   * The tunnel protocol.
   *
   * @default TunnelProtocol.CONNECT
   */
  readonly protocol?: TunnelProtocol;
}

/**
 * PROXY protocol version sent upstream.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#TrafficPolicy-ProxyProtocol-VERSION
 */
export enum ProxyProtocolVersion {
  /** Human-readable version 1. */
  V1 = 'V1',
  /** Binary version 2. */
  V2 = 'V2',
}

/**
 * Limit on concurrent retries.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#TrafficPolicy-RetryBudget
 */
export interface RetryBudget {
  /**
   * Concurrent retries allowed, as a percentage (0-100) of active and pending requests.
   *
   * @default 20
   */
  readonly percent?: number;

  /**
   * Concurrent retries always allowed, whatever the percentage.
   *
   * @default 3
   */
  readonly minRetryConcurrency?: number;
}
