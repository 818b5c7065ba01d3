/**
 * Gateway rules: a selector that selects no gateway workload (IST0101), a server
 * port the gateway's Service does not expose (IST0162), and two Gateways serving the
 * same host on the same port of the same workloads (IST0145).
 *
 * Internal module: not part of the public API.
 */
import { Context, Item } from './context';
import { RULES } from './rules';
import { arr, hostsOverlap, num, obj, push, q, selectorString, str, strList, strMap } from './util';

interface Server {
  readonly gateway: Item;
  readonly index: number;
  readonly hosts: string[];
}

export function checkGateways(ctx: Context): void {
  const byPort = new Map<string, Server[]>();

  for (const gw of ctx.all('Gateway')) {
    const selector = strMap(gw.spec.selector);
    const selectorText = selectorString(selector);
    const servers = arr(gw.spec.servers).map(obj);

    servers.forEach((server, index) => {
      const port = num(obj(server.port).number);
      if (port === undefined) return;
      push(byPort, `${selectorText}~${port}`, { gateway: gw, index, hosts: strList(server.hosts).map(stripNamespace) });
    });

    if (Object.keys(selector).length === 0) continue;
    // gateway selectors select pods of every namespace
    const pods = ctx.select(selector, undefined);
    if (pods.length === 0) {
      const miss = ctx.selectorMiss(selector, undefined);
      ctx.report({
        item: gw,
        rule: RULES.referencedResourceNotFound,
        level: ctx.refLevel(RULES.referencedResourceNotFound, miss.meant),
        field: 'spec.selector',
        message: `Referenced selector not found: ${q(selectorText)}${miss.detail}`,
      });
      continue;
    }

    // a server port is reachable if it is a Service's targetPort, or a Service port (Istio then listens on its targetPort)
    const targetPorts = new Set<number>();
    let services = 0;
    for (const pod of pods) {
      for (const svc of ctx.servicesOf(pod)) {
        services++;
        for (const p of arr(svc.spec.ports).map(obj)) {
          if (str(p.protocol) && p.protocol !== 'TCP') continue;
          for (const n of [num(p.port), num(p.targetPort)]) if (n !== undefined) targetPorts.add(n);
        }
      }
    }
    // open world: the gateway pods' Services may live elsewhere, unless the input holds some of them
    const held = services > 0;
    servers.forEach((server, i) => {
      const port = num(obj(server.port).number);
      if (port === undefined || targetPorts.has(port)) return;
      ctx.report({
        item: gw,
        rule: RULES.gatewayPortNotDefinedOnService,
        level: ctx.refLevel(RULES.gatewayPortNotDefinedOnService, held),
        field: `spec.servers[${i}].port.number`,
        message: `The gateway is listening on a target port (port ${port}) that is not defined in the Service associated with its workload instances (Pod selector ${selectorText}). `
          + 'If you need to access the gateway port through the gateway Service, it will not be available.',
      });
    });
  }

  for (const [key, servers] of byPort) {
    if (new Set(servers.map(s => s.gateway)).size < 2) continue;
    const [selectorText, port] = key.split('~');
    const overlapping = hostIndex(servers);
    for (const server of servers) {
      const others = new Set<string>();
      for (const host of server.hosts) {
        for (const other of overlapping(host)) {
          if (other.gateway !== server.gateway) others.add(`${other.gateway.ns}/${other.gateway.name}`);
        }
      }
      if (others.size === 0) continue;
      ctx.report({
        item: server.gateway,
        rule: RULES.conflictingGateways,
        field: `spec.servers[${server.index}]`,
        message: `Conflict with gateways ${[...others].sort().join(',')} (workload selector ${selectorText}, port ${port}, hosts ${server.hosts.join(',')}).`,
      });
    }
  }
}

/**
 * The servers with a host overlapping a given host: exact names through a map,
 * wildcards by their suffixes, so that many Gateways sharing one port stay linear.
 */
function hostIndex(servers: Server[]): (host: string) => Server[] {
  const byHost = new Map<string, Server[]>();
  const all: Array<[string, Server]> = [];
  for (const server of servers) {
    for (const host of new Set(server.hosts)) {
      push(byHost, host, server);
      all.push([host, server]);
    }
  }
  return host => {
    if (host.startsWith('*')) return all.filter(([h]) => hostsOverlap(host, h)).map(([, s]) => s);
    const out = [...byHost.get(host) ?? [], ...byHost.get('*') ?? []];
    for (let i = host.indexOf('.'); i >= 0; i = host.indexOf('.', i + 1)) out.push(...byHost.get(`*${host.slice(i)}`) ?? []);
    return out;
  };
}

/** `ns/host` -> `host`. */
function stripNamespace(host: string): string {
  const slash = host.indexOf('/');
  return slash >= 0 ? host.slice(slash + 1) : host;
}
