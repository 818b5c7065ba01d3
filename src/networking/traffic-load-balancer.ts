import { Duration } from 'cdk8s';

/**
 * Standard load balancing algorithms that need no tuning (`loadBalancer.simple`).
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LoadBalancerSettings-SimpleLB
 */
export enum SimpleLb {
  /** No algorithm chosen: Istio picks its default (LEAST_REQUEST). */
  UNSPECIFIED = 'UNSPECIFIED',
  /** Deprecated by Istio: use LEAST_REQUEST. */
  LEAST_CONN = 'LEAST_CONN',
  /** A random healthy host. */
  RANDOM = 'RANDOM',
  /** Forward to the original destination IP, without load balancing (advanced use only). */
  PASSTHROUGH = 'PASSTHROUGH',
  /** Round robin. Istio advises LEAST_REQUEST instead in nearly all cases. */
  ROUND_ROBIN = 'ROUND_ROBIN',
  /** The host with the fewest outstanding requests (Istio's default). */
  LEAST_REQUEST = 'LEAST_REQUEST',
}

/**
 * Settings of the load balancer of a destination (or of one subset or port).
 *
 * `simple` and `consistentHash` exclude each other; leave both out to keep Istio's
 * default algorithm and set only the locality or warmup settings.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LoadBalancerSettings
 */
export interface LoadBalancer {
  /**
   * A standard algorithm.
   *
   * @default - Istio's default (LEAST_REQUEST), unless `consistentHash` is set
   */
  readonly simple?: SimpleLb;

  /**
   * Consistent-hash load balancing (soft session affinity), e.g.
   * `ConsistentHash.httpCookie({ name: 'user', ttl: Duration.seconds(0) })`.
   *
   * @default - no consistent hashing
   */
  readonly consistentHash?: ConsistentHash;

  /**
   * Locality-aware load balancing. Replaces the mesh-wide setting entirely (no merge).
   *
   * @default - the mesh-wide locality settings
   */
  readonly localityLbSetting?: LocalityLbSetting;

  /**
   * Slow start: new endpoints receive progressively more traffic during this window.
   * Istio supports it with ROUND_ROBIN and LEAST_REQUEST only.
   *
   * @default - no warmup
   */
  readonly warmup?: Warmup;
}

/**
 * A cookie used as the hash key of consistent-hash load balancing.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LoadBalancerSettings-ConsistentHashLB-HTTPCookie
 */
export interface HttpCookie {
  /** Name of the cookie. */
  readonly name: string;

  /**
   * Path to set for the cookie.
   *
   * @default - no path
   */
  readonly path?: string;

  /**
   * Lifetime of the cookie. When set, the proxy generates the cookie if the request
   * has none; zero (`Duration.seconds(0)`) generates a session cookie.
   *
   * @default - the proxy never generates the cookie
   */
  readonly ttl?: Duration;

  /**
   * Additional attributes of a generated cookie (e.g. `SameSite`).
   *
   * @default - none
   */
  readonly attributes?: HttpCookieAttribute[];
}

/** One attribute of a generated hash cookie. */
export interface HttpCookieAttribute {
  /** The attribute name, e.g. `SameSite`. */
  readonly name: string;

  /**
   * The attribute value, e.g. `Strict`.
   *
   * @default - an attribute without a value (e.g. `Secure`)
   */
  readonly value?: string;
}

/**
 * The hash algorithm of consistent-hash load balancing (Istio's one-of
 * `ringHash` / `maglev`).
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LoadBalancerSettings-ConsistentHashLB
 */
export class HashAlgorithm {
  /**
   * The ring (modulo) hash.
   * @param minimumRingSize the minimum number of virtual nodes of the ring (Envoy's default is 1024)
   */
  public static ringHash(minimumRingSize?: number): HashAlgorithm {
    return new HashAlgorithm('ringHash', minimumRingSize);
  }

  /**
   * Maglev hashing.
   * @param tableSize the lookup table size: a prime below 5000011. Istio's webhook requires it,
   *   so the default is written out.
   * @default 65537
   */
  public static maglev(tableSize: number = 65537): HashAlgorithm {
    return new HashAlgorithm('maglev', tableSize);
  }

  /** `ringHash` or `maglev`. */
  public readonly kind: string;
  /** The minimum ring size (ringHash) or the table size (maglev), if given. */
  public readonly size?: number;

  private constructor(kind: string, size?: number) {
    this.kind = kind;
    this.size = size;
  }
}

/** Options common to every consistent-hash key. */
export interface ConsistentHashOptions {
  /**
   * The hash algorithm.
   *
   * @default - the ring hash with Envoy's default size
   */
  readonly algorithm?: HashAlgorithm;
}

/**
 * Consistent-hash load balancing: soft session affinity keyed on a header, a cookie,
 * the source IP or a query parameter (Istio's one-of `hashKey`, so exactly one key).
 *
 * Affinity is lost for `1/backends` of the keys whenever a host is added or removed,
 * and needs every proxy to see the same endpoints (so not with locality load balancing
 * across localities).
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LoadBalancerSettings-ConsistentHashLB
 */
export class ConsistentHash {
  /**
   * Hash on an HTTP header.
   * @param name the header name, e.g. `x-user-id`
   */
  public static httpHeaderName(name: string, options: ConsistentHashOptions = {}): ConsistentHash {
    return new ConsistentHash({ httpHeaderName: name }, options);
  }

  /**
   * Hash on an HTTP cookie (generated by the proxy when `ttl` is set).
   */
  public static httpCookie(cookie: HttpCookie, options: ConsistentHashOptions = {}): ConsistentHash {
    return new ConsistentHash({ httpCookie: cookie }, options);
  }

  /**
   * Hash on the source IP address (TCP and HTTP).
   */
  public static sourceIp(options: ConsistentHashOptions = {}): ConsistentHash {
    return new ConsistentHash({ useSourceIp: true }, options);
  }

  /**
   * Hash on an HTTP query parameter.
   * @param name the parameter name
   */
  public static httpQueryParameterName(name: string, options: ConsistentHashOptions = {}): ConsistentHash {
    return new ConsistentHash({ httpQueryParameterName: name }, options);
  }

  /** The header hashed on, if that is the key. */
  public readonly headerName?: string;
  /** The cookie hashed on, if that is the key. */
  public readonly cookie?: HttpCookie;
  /** True when the key is the source IP. */
  public readonly useSourceIp?: boolean;
  /** The query parameter hashed on, if that is the key. */
  public readonly queryParameterName?: string;
  /** The hash algorithm, if chosen. */
  public readonly algorithm?: HashAlgorithm;

  private constructor(key: ConsistentHashKey, options: ConsistentHashOptions) {
    this.headerName = key.httpHeaderName;
    this.cookie = key.httpCookie;
    this.useSourceIp = key.useSourceIp;
    this.queryParameterName = key.httpQueryParameterName;
    this.algorithm = options.algorithm;
  }
}

/** Internal: the one key a factory sets. */
interface ConsistentHashKey {
  readonly httpHeaderName?: string;
  readonly httpCookie?: HttpCookie;
  readonly useSourceIp?: boolean;
  readonly httpQueryParameterName?: string;
}

/**
 * Locality-aware load balancing: weights across localities (`distribute`), or where
 * traffic fails over to (`failover`, `failoverPriority`).
 *
 * Localities are written `region/zone/sub-zone`; a trailing `*` matches everything
 * below. `distribute` and `failover` exclude each other; failover only takes effect
 * with outlier detection on the same policy.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LocalityLoadBalancerSetting
 */
export interface LocalityLbSetting {
  /**
   * Turns locality load balancing on or off for this destination.
   *
   * @default - the mesh-wide setting
   */
  readonly enabled?: boolean;

  /**
   * Traffic weights from each originating locality to the upstream localities.
   *
   * @default - weights follow the number of endpoints in each locality
   */
  readonly distribute?: LocalityDistribute[];

  /**
   * Regions that traffic fails over to when the endpoints of a region become unhealthy.
   *
   * @default - fail over to any endpoint
   */
  readonly failover?: LocalityFailover[];

  /**
   * Ordered labels (`key` or `key=value`) used to rank endpoints for failover, e.g.
   * `topology.istio.io/network`, `topology.kubernetes.io/region`.
   *
   * @default - none
   */
  readonly failoverPriority?: string[];
}

/**
 * Weights of the traffic that originates in one locality.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LocalityLoadBalancerSetting-Distribute
 */
export interface LocalityDistribute {
  /** The originating locality, e.g. `us-west/zone1/*`. */
  readonly from: string;

  /** Upstream localities and their weights, from 1 to 100, summing to 100. */
  readonly to: { [locality: string]: number };
}

/**
 * A region that traffic fails over to.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LocalityLoadBalancerSetting-Failover
 */
export interface LocalityFailover {
  /** The originating region (a region only: no `/`, no `*`). */
  readonly from: string;

  /** The region to fail over to (a different region). */
  readonly to: string;
}

/**
 * Slow start of new endpoints.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#WarmupConfiguration
 */
export interface Warmup {
  /** How long a new endpoint stays in warmup (at least 1ms). */
  readonly duration: Duration;

  /**
   * The share of its normal traffic (0 to 100) a new endpoint gets at the start.
   *
   * @default - Envoy's default (10)
   */
  readonly minimumPercent?: number;

  /**
   * How fast traffic grows over the window (1 is linear; must be at least 1).
   *
   * @default - Envoy's default (1.0, linear)
   */
  readonly aggression?: number;
}
