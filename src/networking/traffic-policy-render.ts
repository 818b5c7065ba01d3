// Internal: checks and renders TrafficPolicy values for a construct. Not exported from
// the package root (free functions do not reach other jsii languages).
import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ConnectionPool, H2UpgradePolicy } from './traffic-connection-pool';
import { ConsistentHash, LoadBalancer, LocalityLbSetting, SimpleLb, Warmup } from './traffic-load-balancer';
import { OutlierDetection, PortTrafficPolicy, RetryBudget, TrafficPolicy, TunnelSettings } from './traffic-policy';
import { ClientTls, ClientTlsMode } from './traffic-tls';
import * as l1 from '../../imports/networking.istio.io';
import { renderDuration } from '../core/duration';
import { constructMessage, throwConstructError, throwPropError } from '../core/errors';
import { isIpAddress, wildcardDomainProblem } from '../core/names';

const INT32_MAX = 2_147_483_647;
const UINT32_MAX = 4_294_967_295;
const MAGLEV_TABLE_LIMIT = 5_000_011;

/** The topology labels that cannot be combined with `failover` in `failoverPriority`. */
const FAILOVER_TOPOLOGY_LABELS = ['topology.kubernetes.io/region', 'topology.kubernetes.io/zone', 'topology.istio.io/subzone'];

/** What rendering a policy produced besides the JSON. */
export interface RenderNotes {
  /** Messages of conditions Istio accepts but reports. */
  readonly warnings: string[];
  /** Props of SIMPLE/MUTUAL TLS settings that name no CA (IST0128/IST0129). */
  readonly unverifiedTls: string[];
}

/**
 * Checks and renders traffic policies for one construct, so that every message names
 * the construct path and the prop. Rendering happens when the policy is given, so a bad
 * value throws at once.
 */
export class TrafficPolicyRenderer {
  public readonly notes: RenderNotes = { warnings: [], unverifiedTls: [] };

  constructor(private readonly scope: IConstruct) {}

  /** A whole traffic policy; undefined when it sets nothing (Istio rejects an empty one). */
  public trafficPolicy(prop: string, policy: TrafficPolicy): l1.DestinationRuleSpecTrafficPolicy | undefined {
    if (policy.tunnel && policy.proxyProtocol) {
      throwConstructError(this.scope, `${prop}.tunnel and ${prop}.proxyProtocol exclude each other (Istio rejects both): keep one`);
    }
    const seen = new Set<number>();
    const ports = (policy.portLevelSettings ?? []).map((p, i) => this.portTrafficPolicy(`${prop}.portLevelSettings[${i}]`, p, seen));
    const out: l1.DestinationRuleSpecTrafficPolicy = {
      loadBalancer: policy.loadBalancer && this.loadBalancer(`${prop}.loadBalancer`, policy.loadBalancer, policy.outlierDetection !== undefined),
      connectionPool: policy.connectionPool && this.connectionPool(`${prop}.connectionPool`, policy.connectionPool),
      outlierDetection: policy.outlierDetection && this.outlierDetection(`${prop}.outlierDetection`, policy.outlierDetection),
      tls: policy.tls && this.tls(`${prop}.tls`, policy.tls, 'IST0128'),
      portLevelSettings: ports.length > 0 ? ports : undefined,
      tunnel: policy.tunnel && this.tunnel(`${prop}.tunnel`, policy.tunnel),
      proxyProtocol: policy.proxyProtocol && { version: policy.proxyProtocol as string as l1.DestinationRuleSpecTrafficPolicyProxyProtocolVersion },
      retryBudget: policy.retryBudget && this.retryBudget(`${prop}.retryBudget`, policy.retryBudget),
    };
    return compact(out);
  }

  /**
   * One port-level policy.
   * @param seen the ports already given at this level (updated)
   */
  public portTrafficPolicy(prop: string, policy: PortTrafficPolicy, seen: Set<number>): l1.DestinationRuleSpecTrafficPolicyPortLevelSettings {
    this.integer(`${prop}.port`, policy.port, 1, 65535, 'a port number from 1 to 65535');
    if (seen.has(policy.port)) {
      throwPropError(this.scope, `${prop}.port`, policy.port, 'another port-level policy already uses this port; ports must be unique');
    }
    seen.add(policy.port);
    if (!policy.loadBalancer && !policy.connectionPool && !policy.outlierDetection && !policy.tls) {
      throwPropError(this.scope, prop, { port: policy.port }, 'a port-level policy must set at least one of loadBalancer, connectionPool, outlierDetection, tls');
    }
    return {
      port: { number: policy.port },
      loadBalancer: policy.loadBalancer && this.loadBalancer(`${prop}.loadBalancer`, policy.loadBalancer, policy.outlierDetection !== undefined) as any,
      connectionPool: policy.connectionPool && this.connectionPool(`${prop}.connectionPool`, policy.connectionPool) as any,
      outlierDetection: policy.outlierDetection && this.outlierDetection(`${prop}.outlierDetection`, policy.outlierDetection),
      tls: policy.tls && this.tls(`${prop}.tls`, policy.tls, 'IST0129') as any,
    };
  }

  private loadBalancer(prop: string, lb: LoadBalancer, hasOutlierDetection: boolean): l1.DestinationRuleSpecTrafficPolicyLoadBalancer {
    if (lb.simple !== undefined && lb.consistentHash !== undefined) {
      throwConstructError(this.scope, `${prop}.simple and ${prop}.consistentHash exclude each other (Istio's one-of): keep one`);
    }
    if (lb.warmup && (lb.consistentHash || lb.simple === SimpleLb.RANDOM || lb.simple === SimpleLb.PASSTHROUGH)) {
      const algorithm = lb.consistentHash ? 'consistentHash' : lb.simple;
      this.notes.warnings.push(constructMessage(this.scope, `${prop}.warmup has no effect with ${algorithm}: Istio applies warmup to ROUND_ROBIN and LEAST_REQUEST only`));
    }
    return {
      simple: lb.simple as string as l1.DestinationRuleSpecTrafficPolicyLoadBalancerSimple,
      consistentHash: lb.consistentHash && this.consistentHash(`${prop}.consistentHash`, lb.consistentHash),
      localityLbSetting: lb.localityLbSetting && this.locality(`${prop}.localityLbSetting`, lb.localityLbSetting, hasOutlierDetection),
      warmup: lb.warmup && this.warmup(`${prop}.warmup`, lb.warmup),
    };
  }

  private consistentHash(prop: string, hash: ConsistentHash): l1.DestinationRuleSpecTrafficPolicyLoadBalancerConsistentHash {
    if (hash.headerName !== undefined && hash.headerName.trim() === '') {
      throwPropError(this.scope, `${prop}.httpHeaderName`, hash.headerName, 'give the header name to hash on');
    }
    if (hash.queryParameterName !== undefined && hash.queryParameterName.trim() === '') {
      throwPropError(this.scope, `${prop}.httpQueryParameterName`, hash.queryParameterName, 'give the query parameter to hash on');
    }
    const cookie = hash.cookie;
    if (cookie) {
      if (!cookie.name || cookie.name.trim() === '') {
        throwPropError(this.scope, `${prop}.httpCookie.name`, cookie.name, 'the cookie name is required (Istio rejects an empty one)');
      }
      (cookie.attributes ?? []).forEach((a, i) => {
        if (!a.name || a.name.trim() === '') throwPropError(this.scope, `${prop}.httpCookie.attributes[${i}].name`, a.name, 'the attribute name is required');
      });
    }
    const algorithm = hash.algorithm;
    let ringHash: l1.DestinationRuleSpecTrafficPolicyLoadBalancerConsistentHashRingHash | undefined;
    let maglev: l1.DestinationRuleSpecTrafficPolicyLoadBalancerConsistentHashMaglev | undefined;
    if (algorithm?.kind === 'ringHash') {
      if (algorithm.size !== undefined) this.integer(`${prop}.algorithm (ringHash minimumRingSize)`, algorithm.size, 1, Number.MAX_SAFE_INTEGER, 'a positive integer');
      ringHash = { minimumRingSize: algorithm.size };
    } else if (algorithm?.kind === 'maglev') {
      const size = algorithm.size as number;
      this.integer(`${prop}.algorithm (maglev tableSize)`, size, 1, MAGLEV_TABLE_LIMIT - 1, `a prime number below ${MAGLEV_TABLE_LIMIT}`);
      if (!isPrime(size)) throwPropError(this.scope, `${prop}.algorithm (maglev tableSize)`, size, `a prime number below ${MAGLEV_TABLE_LIMIT} (Envoy requires a prime), e.g. 65537`);
      maglev = { tableSize: size };
    }
    return {
      httpHeaderName: hash.headerName,
      httpCookie: cookie && {
        name: cookie.name,
        path: cookie.path,
        ttl: cookie.ttl && this.durationOrZero(`${prop}.httpCookie.ttl`, cookie.ttl),
        attributes: cookie.attributes?.map(a => ({ name: a.name, value: a.value })),
      },
      useSourceIp: hash.useSourceIp,
      httpQueryParameterName: hash.queryParameterName,
      ringHash,
      maglev,
    };
  }

  private locality(prop: string, setting: LocalityLbSetting, hasOutlierDetection: boolean)
    : l1.DestinationRuleSpecTrafficPolicyLoadBalancerLocalityLbSetting {
    const distribute = setting.distribute ?? [];
    const failover = setting.failover ?? [];
    const priority = setting.failoverPriority ?? [];
    if (distribute.length > 0 && failover.length > 0) {
      throwConstructError(this.scope, `${prop}.distribute and ${prop}.failover exclude each other (Istio rejects both): keep one`);
    }
    if (failover.length > 0) {
      const topology = priority.find(label => FAILOVER_TOPOLOGY_LABELS.includes(label));
      if (topology) {
        throwPropError(this.scope, `${prop}.failoverPriority`, topology, 'the region, zone and subzone topology labels cannot be combined with failover (Istio rejects it): drop the label or the failover');
      }
    }
    distribute.forEach((d, i) => {
      const p = `${prop}.distribute[${i}]`;
      let total = 0;
      for (const [loc, weight] of Object.entries(d.to ?? {})) {
        this.integer(`${p}.to["${loc}"]`, weight, 1, 100, 'a weight from 1 to 100');
        total += weight;
      }
      if (total !== 100) throwPropError(this.scope, `${p}.to`, d.to, `the weights must sum to 100, got ${total}`);
      this.localities(`${p}.to`, Object.keys(d.to));
    });
    this.localities(`${prop}.distribute[].from`, distribute.map(d => d.from));
    failover.forEach((f, i) => {
      const p = `${prop}.failover[${i}]`;
      for (const [key, region] of [['from', f.from], ['to', f.to]]) {
        if (!region || region.includes('/') || region.includes('*')) {
          throwPropError(this.scope, `${p}.${key}`, region, 'a region name (no `/`, no `*`): failover is set per region');
        }
      }
      if (f.from === f.to) throwPropError(this.scope, `${p}.to`, f.to, 'failover must go to a different region than `from`');
    });
    priority.forEach((label, i) => {
      if (!label || label.trim() === '') throwPropError(this.scope, `${prop}.failoverPriority[${i}]`, label, 'a label key, or key=value');
    });
    if ((failover.length > 0 || priority.length > 0) && !hasOutlierDetection) {
      this.notes.warnings.push(constructMessage(this.scope, `${prop}: failover takes effect only with outlierDetection on the same policy (Istio warns "outlier detection policy must be provided for failover")`));
    }
    return {
      enabled: setting.enabled,
      distribute: setting.distribute?.map(d => ({ from: d.from, to: { ...d.to } })),
      failover: setting.failover?.map(f => ({ from: f.from, to: f.to })),
      failoverPriority: setting.failoverPriority && [...setting.failoverPriority],
    };
  }

  /** Istio's locality rules: `region/zone/subzone`, no empty part, one trailing `*` at most, no overlaps. */
  private localities(prop: string, localities: string[]): void {
    const seen: string[][] = [];
    for (const locality of localities) {
      const stars = (locality.match(/\*/g) ?? []).length;
      if (stars > 1 || (stars === 1 && !locality.endsWith('*'))) {
        throwPropError(this.scope, prop, locality, 'a locality has at most one `*`, at its end (e.g. `us-west/zone1/*`)');
      }
      const parts = locality.split('/');
      if (parts.length > 3 || parts.some(p => p === '')) {
        throwPropError(this.scope, prop, locality, 'a locality is `region`, `region/zone` or `region/zone/subzone`, with no empty part');
      }
      const path = parts[parts.length - 1] === '*' ? parts.slice(0, -1) : parts;
      const overlap = seen.find(other => isPrefix(other, path) || isPrefix(path, other));
      if (overlap) {
        throwPropError(this.scope, prop, locality, `it overlaps "${overlap.join('/') || '*'}" given before: each locality may be covered once`);
      }
      seen.push(path);
    }
  }

  private warmup(prop: string, warmup: Warmup): l1.DestinationRuleSpecTrafficPolicyLoadBalancerWarmup {
    if (warmup.minimumPercent !== undefined) this.number(`${prop}.minimumPercent`, warmup.minimumPercent, 0, 100, 'a percentage from 0 to 100');
    if (warmup.aggression !== undefined) this.number(`${prop}.aggression`, warmup.aggression, 1, Number.MAX_VALUE, 'at least 1 (1 is linear)');
    return {
      duration: renderDuration(this.scope, `${prop}.duration`, warmup.duration),
      minimumPercent: warmup.minimumPercent,
      aggression: warmup.aggression,
    };
  }

  private connectionPool(prop: string, pool: ConnectionPool): l1.DestinationRuleSpecTrafficPolicyConnectionPool {
    if (!pool.tcp && !pool.http) {
      throwPropError(this.scope, prop, pool, 'set tcp, http or both (Istio rejects an empty connection pool)');
    }
    const tcp = pool.tcp;
    const http = pool.http;
    if (tcp) {
      this.optionalInteger(`${prop}.tcp.maxConnections`, tcp.maxConnections, 0, INT32_MAX);
      this.optionalInteger(`${prop}.tcp.tcpKeepalive.probes`, tcp.tcpKeepalive?.probes, 0, UINT32_MAX);
    }
    if (http) {
      this.optionalInteger(`${prop}.http.http1MaxPendingRequests`, http.http1MaxPendingRequests, 0, INT32_MAX);
      this.optionalInteger(`${prop}.http.http2MaxRequests`, http.http2MaxRequests, 0, INT32_MAX);
      this.optionalInteger(`${prop}.http.maxRequestsPerConnection`, http.maxRequestsPerConnection, 0, INT32_MAX);
      this.optionalInteger(`${prop}.http.maxRetries`, http.maxRetries, 0, INT32_MAX);
      this.optionalInteger(`${prop}.http.maxConcurrentStreams`, http.maxConcurrentStreams, 0, INT32_MAX);
      if (http.h2UpgradePolicy === H2UpgradePolicy.UPGRADE && http.useClientProtocol) {
        throwConstructError(this.scope, `${prop}.http.useClientProtocol cannot be true when ${prop}.http.h2UpgradePolicy is UPGRADE (Istio rejects it): keep one`);
      }
    }
    return {
      tcp: tcp && {
        maxConnections: tcp.maxConnections,
        connectTimeout: tcp.connectTimeout && renderDuration(this.scope, `${prop}.tcp.connectTimeout`, tcp.connectTimeout),
        tcpKeepalive: tcp.tcpKeepalive && {
          probes: tcp.tcpKeepalive.probes,
          time: tcp.tcpKeepalive.time && renderDuration(this.scope, `${prop}.tcp.tcpKeepalive.time`, tcp.tcpKeepalive.time),
          interval: tcp.tcpKeepalive.interval && renderDuration(this.scope, `${prop}.tcp.tcpKeepalive.interval`, tcp.tcpKeepalive.interval),
        },
        maxConnectionDuration: tcp.maxConnectionDuration && renderDuration(this.scope, `${prop}.tcp.maxConnectionDuration`, tcp.maxConnectionDuration),
        idleTimeout: tcp.idleTimeout && this.durationOrZero(`${prop}.tcp.idleTimeout`, tcp.idleTimeout),
      },
      http: http && {
        http1MaxPendingRequests: http.http1MaxPendingRequests,
        http2MaxRequests: http.http2MaxRequests,
        maxRequestsPerConnection: http.maxRequestsPerConnection,
        maxRetries: http.maxRetries,
        idleTimeout: http.idleTimeout && renderDuration(this.scope, `${prop}.http.idleTimeout`, http.idleTimeout),
        h2UpgradePolicy: http.h2UpgradePolicy as string as l1.DestinationRuleSpecTrafficPolicyConnectionPoolHttpH2UpgradePolicy,
        useClientProtocol: http.useClientProtocol,
        maxConcurrentStreams: http.maxConcurrentStreams,
      },
    };
  }

  private outlierDetection(prop: string, od: OutlierDetection): l1.DestinationRuleSpecTrafficPolicyOutlierDetection {
    this.optionalInteger(`${prop}.consecutiveGatewayErrors`, od.consecutiveGatewayErrors, 0, UINT32_MAX);
    this.optionalInteger(`${prop}.consecutive5xxErrors`, od.consecutive5xxErrors, 0, UINT32_MAX);
    this.optionalInteger(`${prop}.consecutiveLocalOriginFailures`, od.consecutiveLocalOriginFailures, 0, UINT32_MAX);
    if (od.maxEjectionPercent !== undefined) this.integer(`${prop}.maxEjectionPercent`, od.maxEjectionPercent, 0, 100, 'a percentage from 0 to 100');
    if (od.minHealthPercent !== undefined) this.integer(`${prop}.minHealthPercent`, od.minHealthPercent, 0, 100, 'a percentage from 0 to 100');
    if ((od.consecutiveLocalOriginFailures ?? 0) > 0 && !od.splitExternalLocalOriginErrors) {
      throwPropError(this.scope, `${prop}.consecutiveLocalOriginFailures`, od.consecutiveLocalOriginFailures,
        'it counts only with splitExternalLocalOriginErrors: true (Istio rejects it otherwise)');
    }
    return {
      consecutiveGatewayErrors: od.consecutiveGatewayErrors,
      consecutive5XxErrors: od.consecutive5xxErrors,
      consecutiveLocalOriginFailures: od.consecutiveLocalOriginFailures,
      splitExternalLocalOriginErrors: od.splitExternalLocalOriginErrors,
      interval: od.interval && renderDuration(this.scope, `${prop}.interval`, od.interval),
      baseEjectionTime: od.baseEjectionTime && renderDuration(this.scope, `${prop}.baseEjectionTime`, od.baseEjectionTime),
      maxEjectionPercent: od.maxEjectionPercent,
      minHealthPercent: od.minHealthPercent,
    };
  }

  /**
   * @param code the analyzer code of a SIMPLE/MUTUAL setting without a CA at this level
   */
  private tls(prop: string, tls: ClientTls, code: string): l1.DestinationRuleSpecTrafficPolicyTls {
    const s = tls.settings;
    const given = (keys: string[]) => keys.filter(k => (s as any)[k] !== undefined);
    const certificateFields = ['clientCertificate', 'privateKey', 'caCertificates', 'caCrl'];
    switch (tls.mode) {
      case ClientTlsMode.DISABLE: {
        const extra = given(Object.keys(s));
        if (extra.length > 0) throwPropError(this.scope, prop, pick(s, extra), 'DISABLE sends plaintext and takes no other TLS setting');
        break;
      }
      case ClientTlsMode.ISTIO_MUTUAL: {
        const extra = given([...certificateFields, 'credentialName', 'insecureSkipVerify']);
        if (extra.length > 0) {
          throwPropError(this.scope, prop, pick(s, extra), 'ISTIO_MUTUAL uses the certificates Istio issues and takes no certificate paths, credentialName or insecureSkipVerify (only sni and subjectAltNames)');
        }
        break;
      }
      case ClientTlsMode.SIMPLE:
      case ClientTlsMode.MUTUAL: {
        if (s.credentialName !== undefined) {
          const extra = given(certificateFields);
          if (extra.length > 0) {
            throwPropError(this.scope, prop, pick(s, ['credentialName', ...extra]), 'credentialName excludes clientCertificate, privateKey, caCertificates and caCrl: the Secret holds them');
          }
        } else if (tls.mode === ClientTlsMode.MUTUAL && (s.clientCertificate === undefined || s.privateKey === undefined)) {
          throwPropError(this.scope, prop, pick(s, given(['clientCertificate', 'privateKey'])), 'MUTUAL needs clientCertificate and privateKey, or credentialName');
        }
        if (tls.mode === ClientTlsMode.SIMPLE && (s.clientCertificate !== undefined || s.privateKey !== undefined)) {
          throwPropError(this.scope, prop, pick(s, given(['clientCertificate', 'privateKey'])), 'SIMPLE presents no client certificate: use ClientTls.mutual()');
        }
        if (s.insecureSkipVerify) {
          const excluded = tls.mode === ClientTlsMode.SIMPLE ? ['caCertificates', 'credentialName', 'subjectAltNames'] : ['caCertificates', 'subjectAltNames'];
          const extra = given(excluded);
          if (extra.length > 0) {
            throwPropError(this.scope, prop, pick(s, ['insecureSkipVerify', ...extra]), `insecureSkipVerify excludes ${excluded.join(', ')} (Istio rejects both)`);
          }
        } else if (s.caCertificates === undefined && s.credentialName === undefined) {
          this.notes.unverifiedTls.push(prop);
          this.notes.warnings.push(constructMessage(this.scope,
            `${prop}: mode ${tls.mode} without caCertificates or credentialName does not verify the server certificate against a CA of yours (${code}): set caCertificates or credentialName, or insecureSkipVerify: true to opt out explicitly`));
        }
        break;
      }
    }
    return {
      mode: tls.mode as string as l1.DestinationRuleSpecTrafficPolicyTlsMode,
      clientCertificate: s.clientCertificate,
      privateKey: s.privateKey,
      caCertificates: s.caCertificates,
      caCrl: s.caCrl,
      credentialName: s.credentialName,
      subjectAltNames: s.subjectAltNames && [...s.subjectAltNames],
      sni: s.sni,
      insecureSkipVerify: s.insecureSkipVerify,
    };
  }

  private tunnel(prop: string, tunnel: TunnelSettings): l1.DestinationRuleSpecTrafficPolicyTunnel {
    if (!isIpAddress(tunnel.targetHost) && (wildcardDomainProblem(tunnel.targetHost, false) !== undefined)) {
      throwPropError(this.scope, `${prop}.targetHost`, tunnel.targetHost, 'an FQDN or an IP address');
    }
    this.integer(`${prop}.targetPort`, tunnel.targetPort, 1, 65535, 'a port number from 1 to 65535');
    return { targetHost: tunnel.targetHost, targetPort: tunnel.targetPort, protocol: tunnel.protocol };
  }

  private retryBudget(prop: string, budget: RetryBudget): l1.DestinationRuleSpecTrafficPolicyRetryBudget {
    if (budget.percent !== undefined) this.number(`${prop}.percent`, budget.percent, 0, 100, 'a percentage from 0 to 100');
    this.optionalInteger(`${prop}.minRetryConcurrency`, budget.minRetryConcurrency, 0, UINT32_MAX);
    return { percent: budget.percent, minRetryConcurrency: budget.minRetryConcurrency };
  }

  /** A duration that may be zero (`0s`: a session cookie, a disabled idle timeout). */
  private durationOrZero(prop: string, duration: Duration): string {
    return duration.toMilliseconds() === 0 ? '0s' : renderDuration(this.scope, prop, duration);
  }

  private optionalInteger(prop: string, value: number | undefined, min: number, max: number): void {
    if (value !== undefined) this.integer(prop, value, min, max, `an integer from ${min} to ${max}`);
  }

  private integer(prop: string, value: number, min: number, max: number, allowed: string): void {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throwPropError(this.scope, prop, value, allowed);
  }

  private number(prop: string, value: number, min: number, max: number, allowed: string): void {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) throwPropError(this.scope, prop, value, allowed);
  }
}

/** Envoy's primality test for Maglev table sizes. */
function isPrime(x: number): boolean {
  if (x !== 0 && x < 4) return true;
  if (x % 2 === 0) return false;
  const limit = Math.floor(Math.sqrt(x));
  for (let factor = 3; factor <= limit; factor += 2) {
    if (x % factor === 0) return false;
  }
  return true;
}

function isPrefix(prefix: string[], of: string[]): boolean {
  return prefix.length <= of.length && prefix.every((p, i) => p === of[i]);
}

function pick(obj: any, keys: string[]): any {
  const out: any = {};
  for (const k of keys) out[k] = obj[k];
  return out;
}

/** The object without its undefined fields, or undefined when nothing is left. */
function compact<T extends object>(obj: T): T | undefined {
  const entries = Object.entries(obj).filter(([, v]) => v !== undefined);
  return entries.length > 0 ? Object.fromEntries(entries) as T : undefined;
}
