/**
 * Workloads whose ports clash with what the mesh does to them:
 * - CDK8S-ISTIO-A013: a port excluded from inbound capture that clients still send
 *   mutual TLS to;
 * - CDK8S-ISTIO-A014: a PeerAuthentication port exception keyed by a Service port
 *   whose targetPort differs (Istio keys it by the workload port);
 * - CDK8S-ISTIO-A015: a container port the sidecar reserves.
 *
 * Internal module: not part of the public API.
 */
import { Context, Item, Workload } from './context';
import { getsSidecar, ref, ServicePort, servicePorts, targetOf } from './ports';
import { RULES } from './rules';
import { arr, num, obj, q, str, strMap, toFqdn } from './util';
import { SIDECAR_PORTS } from '../../core/protocol';

export function checkMeshWorkloads(ctx: Context): void {
  checkExcludedInboundPorts(ctx);
  checkPortLevelMtlsKeys(ctx);
  checkReservedPorts(ctx);
}

/** The pod metadata path of a workload (`spec.template.metadata`, `metadata` for a Pod). */
function podMetaPath(w: Workload): string {
  return w.podPath === 'spec' ? 'metadata' : w.podPath!.replace(/\.spec$/, '.metadata');
}

/** The ports of a comma-separated port annotation (`*` and ranges are left out). */
function portList(value: string | undefined): number[] {
  return (value ?? '').split(',').map(s => s.trim()).filter(s => /^\d+$/.test(s)).map(Number);
}

// ---- A013 ----

const NAMESPACE_MODES = new WeakMap<Context, Map<string, string | undefined>>();

/** The mode of the namespace-wide PeerAuthentication of a namespace (no selector), if any (cached per run). */
function namespaceMode(ctx: Context, ns: string): string | undefined {
  let modes = NAMESPACE_MODES.get(ctx);
  if (!modes) NAMESPACE_MODES.set(ctx, modes = new Map());
  if (modes.has(ns)) return modes.get(ns);
  const pa = ctx.allIn('PeerAuthentication', ns).find(p => Object.keys(strMap(obj(p.spec.selector).matchLabels)).length === 0);
  const written = str(obj(pa?.spec.mtls).mode);
  const mode = written === 'UNSET' ? undefined : written;
  modes.set(ns, mode);
  return mode;
}

/** The TLS mode a DestinationRule gives a port of its host: port-level first, then the top-level policy. */
function drTlsMode(dr: Item, port: number): string | undefined {
  const policy = obj(dr.spec.trafficPolicy);
  const portLevel = arr(policy.portLevelSettings).map(obj).find(s => num(obj(s.port).number) === port);
  return str(obj(portLevel?.tls).mode) ?? (portLevel?.tls === undefined ? str(obj(policy.tls).mode) : undefined);
}

/**
 * A013. A port in `traffic.sidecar.istio.io/excludeInboundPorts` (or, with an
 * `includeInboundPorts` list other than `*`, a port not in it) reaches the app without
 * the sidecar. Clients with a sidecar still pick mutual TLS for it: Istio's auto mTLS
 * uses mTLS towards every pod with a sidecar unless the mesh or the namespace mode is
 * DISABLE or a DestinationRule says otherwise, and it ignores workload-level and
 * port-level PeerAuthentications (`BestEffortInferServiceMTLSMode`). So the app gets TLS
 * bytes. Reported for each Service port that targets an excluded port, unless the mesh
 * or namespace mode is DISABLE or a DestinationRule of the Service's host sets
 * `tls.mode: DISABLE` for that port.
 */
function checkExcludedInboundPorts(ctx: Context): void {
  let drByHost: Map<string, Item[]> | undefined;
  for (const w of ctx.workloads) {
    if (!w.item.source || !w.podSpec) continue;
    const exclude = portList(w.podAnnotations['traffic.sidecar.istio.io/excludeInboundPorts']);
    // an include list other than `*` leaves every other port uncaptured too
    const include = w.podAnnotations['traffic.sidecar.istio.io/includeInboundPorts']?.trim();
    const included = include !== undefined && include !== '*' ? new Set(portList(include)) : undefined;
    if ((exclude.length === 0 && !included) || !getsSidecar(ctx, w)) continue;
    const excluded = new Map<number, string>(exclude.map(p => [p, 'in traffic.sidecar.istio.io/excludeInboundPorts']));
    if (included) {
      for (const svc of ctx.servicesOf(w)) {
        for (const p of servicePorts(svc)) {
          const target = targetOf(p, w);
          if (target !== undefined && !included.has(target) && !excluded.has(target)) excluded.set(target, 'not in traffic.sidecar.istio.io/includeInboundPorts');
        }
      }
    }
    const mode = namespaceMode(ctx, w.ns) ?? namespaceMode(ctx, ctx.rootNamespace);
    if (mode === 'DISABLE') continue;
    if (!drByHost) {
      drByHost = new Map();
      for (const dr of ctx.all('DestinationRule')) {
        const host = str(dr.spec.host);
        if (!host || obj(dr.spec.workloadSelector).matchLabels !== undefined) continue;
        const fqdn = toFqdn(host, dr.ns);
        drByHost.set(fqdn, [...drByHost.get(fqdn) ?? [], dr]);
      }
    }
    for (const [port, why] of excluded) {
      const clientsSendMtls: ServicePort[] = [];
      for (const svc of ctx.servicesOf(w)) {
        const fqdn = `${svc.name}.${svc.ns}.svc.cluster.local`;
        for (const p of servicePorts(svc)) {
          if (p.cls === 'udp' || targetOf(p, w) !== port) continue;
          const tls = (drByHost.get(fqdn) ?? []).map(dr => drTlsMode(dr, p.port)).find(m => m !== undefined);
          if (tls !== 'DISABLE') clientsSendMtls.push(p);
        }
      }
      if (clientsSendMtls.length === 0) continue;
      const p = clientsSendMtls[0];
      const fqdn = `${p.service.name}.${p.service.ns}.svc.cluster.local`;
      const strict = mode === 'STRICT' ? `, and STRICT mTLS (${namespaceMode(ctx, w.ns) ? `namespace ${w.ns}` : 'mesh-wide'}) only adds to it` : '';
      ctx.report({
        item: w.item,
        rule: RULES.excludedInboundPortGetsMtls,
        field: `${podMetaPath(w)}.annotations`,
        message: `port ${port} is excluded from inbound capture (${why}), so no sidecar serves it, but clients with a sidecar still send mutual TLS `
          + `to it through ${clientsSendMtls.map(s => `${ref(s.service)} port ${s.port}`).join(', ')}: the app receives TLS bytes. `
          + `Istio's clients pick mTLS for every pod with a sidecar and ignore workload and port-level PeerAuthentications when they do${strict}. `
          + `Give the clients a DestinationRule for ${q(fqdn)} with trafficPolicy.portLevelSettings [{ port: { number: ${p.port} }, tls: { mode: DISABLE } }], or stop excluding the port.`,
      });
    }
  }
}

// ---- A014 ----

/**
 * A014. `portLevelMtls` is keyed by the port the workload listens on. A key that is a
 * Service port of the selected workloads, sent to another targetPort, and not itself a
 * port the workloads listen on never applies.
 */
function checkPortLevelMtlsKeys(ctx: Context): void {
  for (const pa of ctx.all('PeerAuthentication')) {
    if (!pa.source) continue;
    const keys = Object.keys(obj(pa.spec.portLevelMtls)).filter(k => /^\d+$/.test(k)).map(Number);
    const selector = strMap(obj(pa.spec.selector).matchLabels);
    if (keys.length === 0 || Object.keys(selector).length === 0) continue;
    const workloads = ctx.select(selector, pa.ns).filter(w => w.podSpec !== undefined);
    if (workloads.length === 0) continue;
    const listened = new Set<number>();
    const byServicePort = new Map<number, Array<{ p: ServicePort; target: number }>>();
    for (const w of workloads) {
      for (const c of arr(w.podSpec!.containers)) {
        for (const cp of arr(obj(c).ports)) {
          const n = num(obj(cp).containerPort);
          if (n !== undefined) listened.add(n);
        }
      }
      for (const svc of ctx.servicesOf(w)) {
        for (const p of servicePorts(svc)) {
          const target = targetOf(p, w);
          if (target === undefined) continue;
          listened.add(target);
          if (target !== p.port) byServicePort.set(p.port, [...byServicePort.get(p.port) ?? [], { p, target }]);
        }
      }
    }
    for (const key of keys) {
      const uses = byServicePort.get(key);
      if (listened.has(key) || !uses) continue;
      const targets = [...new Set(uses.map(u => u.target))];
      const services = [...new Set(uses.map(u => ref(u.p.service)))];
      ctx.report({
        item: pa,
        rule: RULES.portLevelMtlsOnServicePort,
        field: `spec.portLevelMtls.${key}`,
        message: `port ${key} is a port of ${services.join(', ')}, which sends it to targetPort ${targets.join(' or ')}: Istio keys portLevelMtls by the port the workload listens on, `
          + `so this exception never applies and port ${targets.join('/')} keeps the workload's mode. Use ${targets.length === 1 ? `${targets[0]} as the key` : `the target ports ${targets.join(', ')} as keys`} `
          + '(StrictMtlsNamespace.addPortException takes the workload port too).',
      });
    }
  }
}

// ---- A015 ----


/**
 * A015. A container that listens on a port the sidecar uses: one of the two fails to
 * bind, or the capture rules send the port's traffic to Envoy. Only for workloads that
 * get a sidecar (not gateways, istiod, waypoints or opted-out pods); init containers
 * and the istio-proxy container are exempt.
 */
function checkReservedPorts(ctx: Context): void {
  for (const w of ctx.workloads) {
    if (!w.item.source || !w.podSpec || !getsSidecar(ctx, w)) continue;
    arr(w.podSpec.containers).forEach((raw, i) => {
      const c = obj(raw);
      if (c.name === 'istio-proxy') return;
      arr(c.ports).forEach((cp, j) => {
        const port = num(obj(cp).containerPort);
        const use = port !== undefined ? SIDECAR_PORTS[port] : undefined;
        if (!use) return;
        ctx.report({
          item: w.item,
          rule: RULES.sidecarReservedPort,
          field: `${w.podPath}.containers[${i}].ports[${j}].containerPort`,
          message: `container ${q(str(c.name) ?? String(i))} listens on port ${port}, which the sidecar reserves (${use}): the app and Envoy cannot both bind it, and the capture rules treat its traffic as the proxy's. `
            + 'Move the app to another port (the sidecar reserves 15000, 15001, 15004, 15006, 15008, 15020, 15021, 15053 and 15090), or opt the pod out of injection (label sidecar.istio.io/inject: "false").',
        });
      });
    });
  }
}
