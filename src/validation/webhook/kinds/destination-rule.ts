import { checkDuration, checkExportTo, checkHost, checkIntPercent, checkLabels, checkPortNumber, checkWorkloadSelector } from '../checks/common';
import { Ctx, Obj, entries, has, int, isObj, key, list, obj, show, str } from '../context';
import { RULES } from '../rules';
import { checkSubsetName } from './virtual-service';
import { NS_PER_MS, parseGoDuration } from '../syntax/duration';
import { checkFqdn, isIpAddress } from '../syntax/names';

/** Istio's admission checks for a DestinationRule. */
export function validateDestinationRule(ctx: Ctx, spec: Obj): void {
  checkHost(ctx, 'spec.host', str(spec.host), 'wildcard');
  validateTrafficPolicy(ctx, 'spec.trafficPolicy', spec.trafficPolicy);
  const seen = new Set<string>();
  list(spec.subsets).forEach((s, i) => {
    const p = `spec.subsets[${i}]`;
    if (!isObj(s)) return;
    const name = str(s.name);
    if (seen.has(name)) ctx.report(RULES.subsetDuplicate, `${p}.name`, `duplicate subset name ${show(name)}; subset names must be unique`);
    seen.add(name);
    checkSubsetName(ctx, `${p}.name`, name);
    checkLabels(ctx, `${p}.labels`, s.labels);
    validateTrafficPolicy(ctx, `${p}.trafficPolicy`, s.trafficPolicy);
  });
  checkExportTo(ctx, spec.exportTo, { drWithSelector: has(spec, 'workloadSelector') });
  checkWorkloadSelector(ctx, 'spec.workloadSelector', spec.workloadSelector, 'matchLabels');
}

function validateTrafficPolicy(ctx: Ctx, p: string, policy: unknown): void {
  const tp = obj(policy);
  if (!tp) return;
  const fields = ['outlierDetection', 'connectionPool', 'loadBalancer', 'tls', 'tunnel', 'proxyProtocol'];
  if (!fields.some(f => has(tp, f)) && list(tp.portLevelSettings).length === 0) {
    ctx.report(RULES.trafficPolicyEmpty, p, 'trafficPolicy is empty; set at least one of loadBalancer, connectionPool, outlierDetection, tls, portLevelSettings, tunnel, proxyProtocol, or remove it');
    return;
  }
  if (has(tp, 'tunnel') && has(tp, 'proxyProtocol')) {
    ctx.report(RULES.tunnelInvalid, p, 'tunnel and proxyProtocol cannot be set together');
    return;
  }
  validateOutlier(ctx, `${p}.outlierDetection`, tp.outlierDetection);
  validateConnectionPool(ctx, `${p}.connectionPool`, tp.connectionPool);
  validateLoadBalancer(ctx, `${p}.loadBalancer`, tp.loadBalancer, has(tp, 'outlierDetection'));
  validateClientTls(ctx, `${p}.tls`, tp.tls);
  list(tp.portLevelSettings).forEach((pl, i) => validatePortPolicy(ctx, `${p}.portLevelSettings[${i}]`, pl));
  validateTunnel(ctx, `${p}.tunnel`, tp.tunnel);
}

function validatePortPolicy(ctx: Ctx, p: string, pl: unknown): void {
  if (!isObj(pl)) return;
  if (!has(pl, 'port')) {
    ctx.report(RULES.portPolicyNoPort, `${p}.port`, 'a portLevelSettings entry needs port.number');
  } else if (isObj(pl.port)) {
    checkPortNumber(ctx, `${p}.port.number`, int(pl.port.number) ?? 0);
  }
  if (!['outlierDetection', 'connectionPool', 'loadBalancer', 'tls'].some(f => has(pl, f))) {
    ctx.report(RULES.trafficPolicyEmpty, p, 'port-level traffic policy is empty; set loadBalancer, connectionPool, outlierDetection or tls');
    return;
  }
  validateOutlier(ctx, `${p}.outlierDetection`, pl.outlierDetection);
  validateConnectionPool(ctx, `${p}.connectionPool`, pl.connectionPool);
  validateLoadBalancer(ctx, `${p}.loadBalancer`, pl.loadBalancer, has(pl, 'outlierDetection'));
  validateClientTls(ctx, `${p}.tls`, pl.tls);
}

function validateTunnel(ctx: Ctx, p: string, tunnel: unknown): void {
  const t = obj(tunnel);
  if (!t) return;
  const protocol = str(t.protocol);
  if (protocol !== '' && protocol !== 'CONNECT' && protocol !== 'POST') {
    ctx.report(RULES.tunnelInvalid, `${p}.protocol`, `tunnel protocol ${show(protocol)} is invalid; use CONNECT or POST`);
  }
  const host = str(t.targetHost);
  if (checkFqdn(host) !== undefined && !isIpAddress(host)) {
    ctx.report(RULES.tunnelInvalid, `${p}.targetHost`, `tunnel targetHost ${show(host)} is not an FQDN or an IP address`);
  }
  checkPortNumber(ctx, `${p}.targetPort`, int(t.targetPort) ?? 0, 'tunnel targetPort');
}

function validateOutlier(ctx: Ctx, p: string, outlier: unknown): void {
  const o = obj(outlier);
  if (!o) return;
  checkDuration(ctx, `${p}.baseEjectionTime`, o.baseEjectionTime);
  checkDuration(ctx, `${p}.interval`, o.interval);
  if ((int(o.consecutiveErrors) ?? 0) !== 0) {
    ctx.report(RULES.outlierDeprecated, `${p}.consecutiveErrors`, 'consecutiveErrors is deprecated; use consecutiveGatewayErrors or consecutive5xxErrors');
  }
  if (o.splitExternalLocalOriginErrors !== true && (int(o.consecutiveLocalOriginFailures) ?? 0) > 0) {
    ctx.report(RULES.outlierInvalid, `${p}.consecutiveLocalOriginFailures`, `consecutiveLocalOriginFailures ${o.consecutiveLocalOriginFailures} has no effect unless splitExternalLocalOriginErrors is true`);
  }
  checkIntPercent(ctx, `${p}.maxEjectionPercent`, o.maxEjectionPercent);
  checkIntPercent(ctx, `${p}.minHealthPercent`, o.minHealthPercent);
}

/** ConnectionPoolSettings (DestinationRule, Sidecar ingress). */
export function validateConnectionPool(ctx: Ctx, p: string, pool: unknown): void {
  const cp = obj(pool);
  if (!cp) return;
  if (!has(cp, 'http') && !has(cp, 'tcp')) {
    ctx.report(RULES.connectionPoolInvalid, p, 'connectionPool is empty; set http and/or tcp');
    return;
  }
  const http = obj(cp.http);
  if (http) {
    for (const f of ['http1MaxPendingRequests', 'http2MaxRequests', 'maxRequestsPerConnection', 'maxRetries', 'maxConcurrentStreams']) {
      const v = int(http[f]);
      if (v !== undefined && v < 0) ctx.report(RULES.connectionPoolInvalid, `${p}.http.${f}`, `${f} ${v} is negative; it must be >= 0`);
    }
    checkDuration(ctx, `${p}.http.idleTimeout`, http.idleTimeout);
    if (http.h2UpgradePolicy === 'UPGRADE' && http.useClientProtocol === true) {
      ctx.report(RULES.connectionPoolInvalid, `${p}.http.useClientProtocol`, 'useClientProtocol must not be true when h2UpgradePolicy is UPGRADE');
    }
  }
  const tcp = obj(cp.tcp);
  if (tcp) {
    const v = int(tcp.maxConnections);
    if (v !== undefined && v < 0) ctx.report(RULES.connectionPoolInvalid, `${p}.tcp.maxConnections`, `maxConnections ${v} is negative; it must be >= 0`);
    checkDuration(ctx, `${p}.tcp.connectTimeout`, tcp.connectTimeout);
    checkDuration(ctx, `${p}.tcp.maxConnectionDuration`, tcp.maxConnectionDuration);
    // an idleTimeout under 1ms (0s) disables the timeout
    const idle = typeof tcp.idleTimeout === 'string' ? parseGoDuration(tcp.idleTimeout) : undefined;
    if (idle === undefined || idle <= -NS_PER_MS || idle >= NS_PER_MS) checkDuration(ctx, `${p}.tcp.idleTimeout`, tcp.idleTimeout);
    const ka = obj(tcp.tcpKeepalive);
    if (ka) {
      checkDuration(ctx, `${p}.tcp.tcpKeepalive.time`, ka.time);
      checkDuration(ctx, `${p}.tcp.tcpKeepalive.interval`, ka.interval);
    }
  }
}

const MAGLEV_MAX = 5000011;

function isPrime(x: number): boolean {
  if (x !== 0 && x < 4) return true;
  if (x % 2 === 0) return false;
  const limit = Math.floor(Math.sqrt(x));
  for (let f = 3; f <= limit; f += 2) if (x % f === 0) return false;
  return true;
}

function validateLoadBalancer(ctx: Ctx, p: string, lb: unknown, hasOutlier: boolean): void {
  const l = obj(lb);
  if (!l) return;
  const ch = obj(l.consistentHash);
  if (ch) {
    const cookie = obj(ch.httpCookie);
    if (cookie && str(cookie.name) === '') ctx.report(RULES.loadBalancerInvalid, `${p}.consistentHash.httpCookie.name`, 'httpCookie needs a name');
    const ringSize = int(ch.minimumRingSize) ?? 0;
    if (ringSize !== 0) {
      ctx.report(RULES.minimumRingSizeDeprecated, `${p}.consistentHash.minimumRingSize`, 'consistentHash.minimumRingSize is deprecated; use consistentHash.ringHash.minimumRingSize');
      if (has(ch, 'ringHash') || has(ch, 'maglev')) {
        ctx.report(RULES.loadBalancerInvalid, `${p}.consistentHash.minimumRingSize`, 'minimumRingSize cannot be combined with ringHash or maglev; use ringHash.minimumRingSize');
      }
    }
    const maglev = obj(ch.maglev);
    if (maglev) {
      const size = int(maglev.tableSize) ?? 0;
      const field = `${p}.consistentHash.maglev.tableSize`;
      if (size === 0) ctx.report(RULES.loadBalancerInvalid, field, 'maglev needs tableSize, a prime number such as 65537');
      else if (size >= MAGLEV_MAX) ctx.report(RULES.loadBalancerInvalid, field, `maglev tableSize ${size} must be less than ${MAGLEV_MAX}`);
      else if (!isPrime(size)) ctx.report(RULES.loadBalancerInvalid, field, `maglev tableSize ${size} must be a prime number, such as 65537`);
    }
  }
  validateLocality(ctx, `${p}.localityLbSetting`, l.localityLbSetting, hasOutlier);
  checkDuration(ctx, `${p}.warmupDurationSecs`, l.warmupDurationSecs);
  const warmup = obj(l.warmup);
  if (warmup) {
    if (!has(warmup, 'duration')) ctx.report(RULES.loadBalancerInvalid, `${p}.warmup.duration`, 'warmup needs a duration');
    else checkDuration(ctx, `${p}.warmup.duration`, warmup.duration);
    const min = typeof warmup.minimumPercent === 'number' ? warmup.minimumPercent : undefined;
    if (min !== undefined && min > 100) ctx.report(RULES.loadBalancerInvalid, `${p}.warmup.minimumPercent`, `minimumPercent ${min} must be <= 100`);
    const aggression = typeof warmup.aggression === 'number' ? warmup.aggression : undefined;
    if (aggression !== undefined && aggression < 1) ctx.report(RULES.loadBalancerInvalid, `${p}.warmup.aggression`, `aggression ${aggression} must be >= 1`);
  }
}

const TOPOLOGY_LABELS = new Set(['topology.kubernetes.io/region', 'topology.kubernetes.io/zone', 'topology.istio.io/subzone']);

function validateLocality(ctx: Ctx, p: string, setting: unknown, hasOutlier: boolean): void {
  const s = obj(setting);
  if (!s) return;
  const distribute = list(s.distribute);
  const failover = list(s.failover);
  const priority = list(s.failoverPriority);
  if (distribute.length > 0 && failover.length > 0) {
    ctx.report(RULES.localityLbInvalid, p, 'distribute and failover cannot both be set');
    return;
  }
  if (failover.length > 0) {
    const topo = priority.find(l => TOPOLOGY_LABELS.has(l));
    if (topo !== undefined) {
      ctx.report(RULES.localityLbInvalid, `${p}.failoverPriority`, `failover cannot be combined with the topology label ${show(topo)} in failoverPriority`);
      return;
    }
  }
  const sources: string[] = [];
  for (let i = 0; i < distribute.length; i++) {
    const d = obj(distribute[i]);
    if (!d) continue;
    const dp = `${p}.distribute[${i}]`;
    sources.push(str(d.from));
    let total = 0;
    const dests: string[] = [];
    for (const [loc, w] of entries(d.to)) {
      dests.push(loc);
      const weight = int(w) ?? 0;
      if (weight <= 0 || weight > 100) {
        ctx.report(RULES.localityLbInvalid, key(`${dp}.to`, loc), `locality weight ${weight} must be in range 1..100`);
        return;
      }
      total += weight;
    }
    if (total !== 100) {
      ctx.report(RULES.localityLbInvalid, `${dp}.to`, `locality weights sum to ${total}; they must sum to 100`);
      return;
    }
    const err = localitiesError(dests);
    if (err) ctx.report(RULES.localityLbInvalid, `${dp}.to`, err);
  }
  const err = localitiesError(sources);
  if (err) ctx.report(RULES.localityLbInvalid, `${p}.distribute`, err);
  if ((failover.length > 0 || priority.length > 0) && !hasOutlier) {
    ctx.report(RULES.localityFailoverNoOutlier, p, 'locality failover needs outlierDetection in the same traffic policy to detect unhealthy endpoints');
  }
  failover.forEach((f, i) => {
    const fo = obj(f);
    if (!fo) return;
    const from = str(fo.from);
    const to = str(fo.to);
    const fp = `${p}.failover[${i}]`;
    if (from === to) ctx.report(RULES.localityLbInvalid, fp, `failover from and to are both ${show(from)}; they must be different regions`);
    if (from.includes('/') || to.includes('/')) ctx.report(RULES.localityLbInvalid, fp, `failover ${show(from)} -> ${show(to)} must name regions only, without zone`);
    if (from.includes('*') || to.includes('*')) ctx.report(RULES.localityLbInvalid, fp, `failover ${show(from)} -> ${show(to)} cannot contain the '*' wildcard`);
  });
}

/** Istio's overlap check of region/zone/subzone localities; the message of the first problem. */
function localitiesError(localities: string[]): string | undefined {
  const regions = new Map<string, Map<string, Set<string>>>();
  for (const locality of localities) {
    const stars = locality.split('*').length - 1;
    if (stars > 0 && (stars > 1 || !locality.endsWith('*'))) {
      return `locality ${show(locality)}: the '*' wildcard may appear once, at the end`;
    }
    if (regions.has('*')) return `locality ${show(locality)} overlaps with a previous one`;
    const items = splitN(locality, '/', 3);
    if (items.some(x => x === '')) return `locality ${show(locality)} must not contain an empty region, zone or subzone`;
    const [region, zone, subzone] = items;
    const r = regions.get(region);
    if (items.length === 1) {
      if (r) return `locality ${show(locality)} overlaps with a previous one`;
      regions.set(region, new Map([['*', new Set(['*'])]]));
    } else if (items.length === 2) {
      if (r) {
        if (r.has('*') || r.has(zone)) return `locality ${show(locality)} overlaps with a previous one`;
        r.set(zone, new Set(['*']));
      } else {
        regions.set(region, new Map([[zone, new Set(['*'])]]));
      }
    } else {
      if (r) {
        if (r.has('*')) return `locality ${show(locality)} overlaps with a previous one`;
        const z = r.get(zone);
        if (z) {
          if (z.has('*') || z.has(subzone)) return `locality ${show(locality)} overlaps with a previous one`;
          z.add(subzone);
        } else {
          r.set(zone, new Set([subzone]));
        }
      } else {
        regions.set(region, new Map([[zone, new Set([subzone])]]));
      }
    }
  }
  return undefined;
}

function splitN(s: string, sep: string, n: number): string[] {
  const out: string[] = [];
  let rest = s;
  while (out.length < n - 1) {
    const i = rest.indexOf(sep);
    if (i < 0) break;
    out.push(rest.slice(0, i));
    rest = rest.slice(i + 1);
  }
  out.push(rest);
  return out;
}

/** ClientTLSSettings of a DestinationRule traffic policy. */
function validateClientTls(ctx: Ctx, p: string, tls: unknown): void {
  const t = obj(tls);
  if (!t) return;
  const mode = str(t.mode) || 'DISABLE';
  const credentialName = str(t.credentialName);
  const set = (f: string) => str(t[f]) !== '';
  if (t.insecureSkipVerify === true) {
    if (mode === 'SIMPLE' && (set('caCertificates') || credentialName !== '' || has(t, 'subjectAltNames'))) {
      ctx.report(RULES.clientTlsInsecureSkipVerify, `${p}.insecureSkipVerify`, 'insecureSkipVerify cannot be combined with caCertificates, credentialName or subjectAltNames');
    }
    if (mode === 'MUTUAL' && (set('caCertificates') || has(t, 'subjectAltNames'))) {
      ctx.report(RULES.clientTlsInsecureSkipVerify, `${p}.insecureSkipVerify`, 'insecureSkipVerify cannot be combined with caCertificates or subjectAltNames');
    }
  }
  if ((mode === 'SIMPLE' || mode === 'MUTUAL') && credentialName !== '') {
    const inline = ['clientCertificate', 'privateKey', 'caCertificates', 'caCrl'].filter(set);
    if (inline.length) {
      ctx.report(RULES.clientTlsCredentialConflict, `${p}.credentialName`, `credentialName ${show(credentialName)} cannot be combined with ${inline.join(', ')}; put them in the secret`);
    }
    return;
  }
  if (mode === 'MUTUAL') {
    const missing = ['clientCertificate', 'privateKey'].filter(f => !set(f));
    if (missing.length) {
      ctx.report(RULES.clientTlsMutualNoCert, p, `TLS mode MUTUAL needs ${missing.join(' and ')}, or a credentialName; use ISTIO_MUTUAL for Istio's own certificates`);
    }
  }
  if (mode === 'ISTIO_MUTUAL') {
    const ignored = ['clientCertificate', 'privateKey', 'caCertificates', 'credentialName', 'caCrl'].filter(set);
    if (ignored.length) {
      ctx.report(RULES.clientTlsIstioMutualCerts, p, `TLS mode ISTIO_MUTUAL uses Istio's certificates; ${ignored.join(', ')} ${ignored.length > 1 ? 'are' : 'is'} ignored (use MUTUAL for your own)`);
    }
  }
}
