/**
 * Protocol mistakes that every layer accepts and the mesh gets wrong:
 * - CDK8S-ISTIO-A010: HTTP rules of a mesh VirtualService for a Service whose ports
 *   are declared TCP (ignored) or not declared (sniffed);
 * - CDK8S-ISTIO-A011: an AuthorizationPolicy rule with HTTP-only fields on workloads
 *   that serve TCP (ALLOW: the rule is ignored; DENY: the HTTP fields are dropped);
 * - CDK8S-ISTIO-A012: a server-first protocol (SMTP, DNS, MySQL, MongoDB, or a port
 *   the Service marks server-first) declared HTTP, or marked and left to sniffing.
 *
 * Internal module: not part of the public API.
 */
import { Context, Workload } from './context';
import { describePort, PortClass, ref, ServicePort, servicePorts, targetOf } from './ports';
import { RULES } from './rules';
import { arr, num, obj, q, str, strList, strMap } from './util';
import { FindingLevel } from '../findings';

export function checkProtocols(ctx: Context): void {
  checkHttpRulesOnTcp(ctx);
  checkHttpAuthorizationOnTcp(ctx);
  checkServerFirstAsHttp(ctx);
}

// ---- A010 ----

/**
 * A010. A mesh VirtualService's `http` rules apply to the HTTP ports of its hosts only.
 * On a port declared TCP (TLS, HTTPS, Mongo, ...) Istio proxies bytes and ignores them:
 * Warning. On a port that declares no protocol Istio sniffs each connection, so the
 * rules apply to plaintext HTTP/1.1 and h2c, but not to TLS the app opens itself nor to
 * other protocols: Info. Gateway-only VirtualServices are left alone (the gateway's
 * server protocol decides there), and so are hosts whose Service is not in the input.
 */
function checkHttpRulesOnTcp(ctx: Context): void {
  for (const vs of ctx.all('VirtualService')) {
    if (!vs.source) continue;
    const rules = arr(vs.spec.http);
    if (rules.length === 0) continue;
    const gateways = strList(vs.spec.gateways);
    if (gateways.length > 0 && !gateways.includes('mesh')) continue;
    for (const host of new Set(strList(vs.spec.hosts))) {
      if (host.startsWith('*')) continue;
      const entry = ctx.lookupHost(host, vs.ns);
      if (!entry || entry.kind !== 'Service' || !entry.item.source) continue;
      const ports = servicePorts(entry.item);
      if (ports.length === 0) continue;
      rules.forEach((raw, i) => {
        const matches = arr(obj(raw).match).map(obj);
        const matchPorts = matches.length > 0 && matches.every(m => num(m.port) !== undefined) ? new Set(matches.map(m => num(m.port)!)) : undefined;
        const covered = matchPorts ? ports.filter(p => matchPorts.has(p.port)) : ports;
        if (covered.length === 0 || covered.some(p => p.cls === 'http')) return;
        const sniffed = covered.filter(p => p.cls === 'sniffed');
        const what = `spec.http[${i}] (HTTP routes, header matches, retries, timeouts, faults and weighted splits) is for host ${q(host)}, but ${ref(entry.item)}`;
        if (sniffed.length === 0) {
          ctx.report({
            item: vs,
            rule: RULES.httpRulesOnTcpPort,
            field: `spec.http[${i}]`,
            message: `${what} declares ${plural(covered, 'port')} ${covered.map(p => `${describePort(p)} as ${p.protocol}`).join(', ')}: `
              + 'Istio proxies such a port as TCP and ignores HTTP rules. '
              + 'If the port speaks HTTP, name it "http-…" (or set appProtocol: http); otherwise move the rule to spec.tcp (or spec.tls with sniHosts), or remove the HTTP rules.',
          });
        } else {
          ctx.report({
            item: vs,
            rule: RULES.httpRulesOnTcpPort,
            level: FindingLevel.INFO,
            field: `spec.http[${i}]`,
            message: `${what} declares no protocol for ${plural(sniffed, 'port')} ${sniffed.map(describePort).join(', ')}: `
              + 'Istio sniffs the protocol of each connection, so these rules apply only to plaintext HTTP/1.1 and h2c, not to TLS the app opens itself nor to other protocols. '
              + 'Name the port "http-…" (or set appProtocol: http) to make the rules certain.',
          });
        }
      });
    }
  }
}

// ---- A011 ----

/** HTTP-only fields of a rule, and where they are. */
const HTTP_SOURCE_FIELDS = ['requestPrincipals', 'notRequestPrincipals'];
const HTTP_OPERATION_FIELDS = ['methods', 'notMethods', 'paths', 'notPaths', 'hosts', 'notHosts'];

function httpFieldsOf(rule: Record<string, any>): string[] {
  const fields = new Set<string>();
  for (const from of arr(rule.from)) {
    const source = obj(obj(from).source);
    for (const f of HTTP_SOURCE_FIELDS) if (source[f] !== undefined) fields.add(`from.source.${f}`);
  }
  for (const to of arr(rule.to)) {
    const operation = obj(obj(to).operation);
    for (const f of HTTP_OPERATION_FIELDS) if (operation[f] !== undefined) fields.add(`to.operation.${f}`);
  }
  for (const cond of arr(rule.when)) {
    const key = str(obj(cond).key);
    if (key?.startsWith('request.')) fields.add(`when ${key}`);
  }
  return [...fields];
}

/** True if the rule has conditions that also apply to TCP (sources by identity or IP, ports, non-request `when` keys). */
function hasTcpConditions(rule: Record<string, any>): boolean {
  for (const from of arr(rule.from)) {
    const source = obj(obj(from).source);
    if (Object.keys(source).some(k => !HTTP_SOURCE_FIELDS.includes(k))) return true;
  }
  for (const to of arr(rule.to)) {
    const operation = obj(obj(to).operation);
    if (operation.ports !== undefined || operation.notPorts !== undefined) return true;
  }
  return arr(rule.when).some(c => !(str(obj(c).key) ?? 'request.').startsWith('request.'));
}

/** The ports a rule is limited to (`to.operation.ports` on every `to`), or undefined for all. */
function rulePorts(rule: Record<string, any>): Set<number> | undefined {
  const tos = arr(rule.to).map(t => obj(obj(t).operation));
  if (tos.length === 0 || tos.some(op => op.ports === undefined)) return undefined;
  const ports = new Set<number>();
  for (const op of tos) for (const p of arr(op.ports)) if (num(p) !== undefined) ports.add(num(p)!);
  return ports;
}

/** One workload port, as the workload's proxy serves it. */
interface ServedPort {
  readonly port: number;
  readonly cls: PortClass;
  readonly what: string;
}

const SERVER_TCP = new Set(['TCP', 'TLS', 'MONGO', 'MYSQL', 'REDIS']);

/**
 * The ports a workload's proxy serves: for gateway pods, the servers of the Gateways
 * that select them (pod port through the gateway Service); for other pods, the ports of
 * the Services that select them. Undefined when the input does not tell.
 */
class ServedPorts {
  private readonly gatewayServers = new Map<Workload, ServedPort[]>();
  private readonly cache = new Map<Workload, ServedPort[] | undefined>();

  constructor(private readonly ctx: Context) {
    for (const gw of ctx.all('Gateway')) {
      const selector = strMap(gw.spec.selector);
      if (Object.keys(selector).length === 0) continue;
      const workloads = ctx.select(selector, undefined);
      arr(gw.spec.servers).forEach((raw, i) => {
        const server = obj(raw);
        const port = obj(server.port);
        const number = num(port.number);
        if (number === undefined) return;
        const protocol = (str(port.protocol) ?? '').toUpperCase();
        const tlsMode = str(obj(server.tls).mode);
        const tcp = SERVER_TCP.has(protocol) || (protocol === 'HTTPS' && (tlsMode === 'PASSTHROUGH' || tlsMode === 'AUTO_PASSTHROUGH'));
        for (const w of workloads) {
          const target = ctx.servicesOf(w).flatMap(servicePorts).find(p => p.port === number);
          const podPort = (target && targetOf(target, w)) ?? number;
          const list = this.gatewayServers.get(w) ?? [];
          list.push({ port: podPort, cls: tcp ? 'tcp' : 'http', what: `${ref(gw)} server ${i} (${protocol || 'no protocol'}${tlsMode ? ` ${tlsMode}` : ''}, port ${number})` });
          this.gatewayServers.set(w, list);
        }
      });
    }
  }

  public of(w: Workload): ServedPort[] | undefined {
    if (this.cache.has(w)) return this.cache.get(w);
    let served: ServedPort[] | undefined = this.gatewayServers.get(w);
    if (!served && !isGatewayPod(w)) {
      const ports: ServedPort[] = [];
      for (const svc of this.ctx.servicesOf(w)) {
        for (const p of servicePorts(svc)) {
          const target = targetOf(p, w);
          if (target === undefined) continue;
          ports.push({ port: target, cls: p.cls, what: `${ref(svc)} port ${describePort(p)}${target !== p.port ? ` -> ${target}` : ''}` });
        }
      }
      served = ports.length > 0 ? ports : undefined;
    }
    this.cache.set(w, served);
    return served;
  }
}

function isGatewayPod(w: Workload): boolean {
  return w.labels.istio === 'ingressgateway' || w.labels.istio === 'egressgateway' || w.podAnnotations['inject.istio.io/templates'] === 'gateway';
}

/**
 * A011. Istio builds the TCP filter of a workload from its policies without the HTTP-only
 * fields (request principals, hosts, methods, paths and `request.*` conditions): an ALLOW
 * rule that has one is left out (it allows nothing on TCP), a DENY rule has them removed
 * (it denies every connection its other conditions match). Reported when the input tells
 * which ports the selected workloads serve (their Services, or the Gateway servers of
 * gateway pods): ALLOW when every port the rule covers is TCP, DENY when one is.
 * @see https://istio.io/latest/docs/tasks/security/authorization/authz-tcp/
 */
function checkHttpAuthorizationOnTcp(ctx: Context): void {
  let served: ServedPorts | undefined;
  for (const ap of ctx.all('AuthorizationPolicy')) {
    if (!ap.source) continue;
    const action = str(ap.spec.action) ?? 'ALLOW';
    if (action !== 'ALLOW' && action !== 'DENY') continue;
    if (ap.spec.targetRef !== undefined || ap.spec.targetRefs !== undefined) continue;
    const rules = arr(ap.spec.rules).map(obj);
    const withHttp = rules.map(httpFieldsOf);
    if (withHttp.every(f => f.length === 0)) continue;
    const workloads = ctx.select(strMap(obj(ap.spec.selector).matchLabels), ap.ns === ctx.rootNamespace ? undefined : ap.ns)
      .filter(w => w.podSpec !== undefined);
    if (workloads.length === 0) continue;
    served ??= new ServedPorts(ctx);
    rules.forEach((rule, i) => {
      const fields = withHttp[i];
      if (fields.length === 0) return;
      const limit = rulePorts(rule);
      const hits: string[] = [];
      for (const w of workloads) {
        const ports = served!.of(w)?.filter(p => !limit || limit.has(p.port));
        if (!ports || ports.length === 0) continue;
        const tcp = ports.filter(p => p.cls === 'tcp');
        if (action === 'ALLOW' ? tcp.length === ports.length : tcp.length > 0) {
          hits.push(`${ref(w.item)}: ${tcp.map(p => p.what).join(', ')}`);
        }
      }
      if (hits.length === 0) return;
      const shown = hits.length > 3 ? `${hits.slice(0, 3).join('; ')}; and ${hits.length - 3} more` : hits.join('; ');
      const message = action === 'ALLOW'
        ? `spec.rules[${i}] uses HTTP-only fields (${fields.join(', ')}), but every port it covers on the workloads it selects is TCP (${shown}): `
          + 'Istio leaves an ALLOW rule with HTTP-only fields out of TCP traffic, so it allows nothing there and connections are denied unless another ALLOW rule matches. '
          + 'For TCP workloads match only TCP attributes (from.source.principals, namespaces or ipBlocks, to.operation.ports); if the ports speak HTTP, name them "http-…" (or set appProtocol: http).'
        : `spec.rules[${i}] uses HTTP-only fields (${fields.join(', ')}), and the workloads it selects serve TCP (${shown}): `
          + `Istio drops HTTP-only fields on TCP, so there this DENY rule denies every connection${hasTcpConditions(rule) ? ' its other conditions match' : ''}, not only the requests those fields describe. `
          + 'List the HTTP ports in to.operation.ports (JwtProtectedIngress: the gatewayPorts prop), or serve the TCP ports from other workloads.';
      ctx.report({ item: ap, rule: RULES.httpAuthorizationOnTcp, field: `spec.rules[${i}]`, message });
    });
  }
}

// ---- A012 ----

/** Server-first protocols on their well-known ports. */
const SERVER_FIRST: Record<number, string> = { 25: 'SMTP', 53: 'DNS', 3306: 'MySQL', 27017: 'MongoDB' };

/** Annotation of a Service that marks more ports server-first: port numbers or names, comma-separated. */
export const SERVER_FIRST_ANNOTATION = 'cdk8s-istio.io/server-first-ports';

/**
 * A012. With a server-first protocol the server speaks first. A port declared HTTP makes
 * the proxies wait for a request that never comes (MySQL: "Lost connection to MySQL
 * server at 'reading initial communication packet'"); a port left to sniffing waits the
 * same way (Istio defaults undeclared SMTP, DNS, MySQL and MongoDB ports to TCP, but
 * not other ports). Ports are matched by `port` and by numeric `targetPort`; the
 * `cdk8s-istio.io/server-first-ports` annotation adds ports (numbers or names).
 */
function checkServerFirstAsHttp(ctx: Context): void {
  for (const svc of ctx.all('Service')) {
    if (!svc.source) continue;
    const marked = new Set((svc.annotations[SERVER_FIRST_ANNOTATION] ?? '').split(',').map(s => s.trim()).filter(s => s));
    for (const p of servicePorts(svc)) {
      const known = SERVER_FIRST[p.port] ?? (typeof p.targetPort === 'number' ? SERVER_FIRST[p.targetPort] : undefined);
      const isMarked = marked.has(String(p.port)) || (p.name !== undefined && marked.has(p.name))
        || (p.targetPort !== undefined && marked.has(String(p.targetPort)));
      if (!known && !isMarked) continue;
      const what = known ? `is ${known}'s port, a server-first protocol` : `is marked server-first (${SERVER_FIRST_ANNOTATION})`;
      if (p.cls === 'http') {
        ctx.report({
          item: svc,
          rule: RULES.serverFirstProtocolAsHttp,
          field: `spec.ports[${p.index}]`,
          message: `port ${describePort(p)} ${what}, but is declared ${p.protocol}: the proxies wait for the client's request while the client waits for the server's greeting, and the connection hangs or drops `
            + '(MySQL: "Lost connection to MySQL server at \'reading initial communication packet\'"). Name the port "tcp-…" (or "mysql-…", "mongo-…"), or set appProtocol: tcp.',
        });
      } else if (p.cls === 'sniffed' && isMarked) {
        ctx.report({
          item: svc,
          rule: RULES.serverFirstProtocolAsHttp,
          field: `spec.ports[${p.index}]`,
          message: `port ${describePort(p)} ${what}, but declares no protocol: Istio sniffs the protocol by waiting for the client's first bytes, which a server-first client never sends first, so the connection hangs. `
            + 'Name the port "tcp-…", or set appProtocol: tcp.',
        });
      }
    }
  }
}

function plural(xs: ServicePort[], word: string): string {
  return xs.length === 1 ? word : `${word}s`;
}
