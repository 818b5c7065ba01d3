/**
 * What the mesh makes of the ports of Services and workloads: the protocol class Istio
 * reads from a Service port (name prefix or `appProtocol`), the workload port a
 * Service port sends to (a named `targetPort` resolved through the containers), and
 * whether a workload gets a sidecar. Shared by the protocol and mesh-workload rules.
 *
 * Internal module: not part of the public API.
 */
import { Context, Item, Workload } from './context';
import { arr, istioProtocol, num, obj, q, str } from './util';

/**
 * How Istio proxies a port: `http` (HTTP, HTTP2, gRPC: HTTP rules and attributes
 * apply), `tcp` (TCP, TLS, HTTPS, Mongo, MySQL, Redis: proxied as bytes, HTTP rules
 * ignored), `udp` (not proxied), `sniffed` (no protocol declared: Istio detects HTTP
 * on each connection).
 */
export type PortClass = 'http' | 'tcp' | 'udp' | 'sniffed';

const HTTP_PROTOCOLS = new Set(['HTTP', 'HTTP2', 'GRPC', 'GRPC-Web', 'HTTP_PROXY']);

export function classOf(protocol: string | undefined): PortClass {
  if (protocol === undefined) return 'sniffed';
  if (protocol === 'UDP') return 'udp';
  return HTTP_PROTOCOLS.has(protocol) ? 'http' : 'tcp';
}

/** One port of a Service, as Istio reads it. */
export interface ServicePort {
  readonly service: Item;
  readonly index: number;
  readonly port: number;
  readonly name?: string;
  readonly appProtocol?: string;
  /** The Istio protocol, or undefined when Istio sniffs it. */
  readonly protocol?: string;
  readonly cls: PortClass;
  /** `targetPort` as written: a number, a name, or undefined (= port). */
  readonly targetPort?: number | string;
}

const PORTS = new WeakMap<Item, ServicePort[]>();

/** The ports of a Service (cached per Service item). */
export function servicePorts(svc: Item): ServicePort[] {
  let ports = PORTS.get(svc);
  if (!ports) {
    ports = [];
    arr(svc.spec.ports).forEach((raw, index) => {
      const p = obj(raw);
      const port = num(p.port);
      if (port === undefined) return;
      const name = str(p.name);
      const appProtocol = str(p.appProtocol);
      const protocol = istioProtocol(name, appProtocol, str(p.protocol), port);
      const targetPort = num(p.targetPort) ?? str(p.targetPort);
      ports!.push({ service: svc, index, port, name, appProtocol, protocol, cls: classOf(protocol), targetPort });
    });
    PORTS.set(svc, ports);
  }
  return ports;
}

/** The workload port a Service port sends to: `targetPort`, a named one through the containers' ports, else the port. */
export function targetOf(p: ServicePort, w: Workload | undefined): number | undefined {
  if (typeof p.targetPort === 'number') return p.targetPort;
  if (p.targetPort === undefined) return p.port;
  if (!w?.podSpec) return undefined;
  for (const c of arr(w.podSpec.containers)) {
    for (const cp of arr(obj(c).ports)) {
      if (str(obj(cp).name) === p.targetPort) return num(obj(cp).containerPort);
    }
  }
  return undefined;
}

/** `9080 ("tcp-web")`, `9080 (appProtocol "tcp")`, `9080 (unnamed)`. */
export function describePort(p: ServicePort): string {
  if (p.appProtocol) return `${p.port} (appProtocol ${q(p.appProtocol)})`;
  return p.name ? `${p.port} (${q(p.name)})` : `${p.port} (unnamed)`;
}

/** `Service ns/name`. */
export function ref(item: Item): string {
  return `${item.kind} ${item.ns ? `${item.ns}/` : ''}${item.name}`;
}

/** Namespaces where automatic injection never happens. */
const NEVER_INJECTED = new Set(['kube-system', 'kube-public', 'istio-system']);

/**
 * True if the workload gets a sidecar as far as the input tells: not opted out by
 * label or annotation, not in a namespace where injection never happens, is disabled,
 * or (a Namespace of the input) is not enabled, not Istio's own (istiod, gateways:
 * labelled `istio`), not a waypoint or a Gateway API gateway deployment. A namespace
 * the input does not hold is assumed injected.
 */
export function getsSidecar(ctx: Context, w: Workload): boolean {
  if (!w.podSpec) return false;
  if (NEVER_INJECTED.has(w.ns)) return false;
  if (w.labels['sidecar.istio.io/inject'] === 'false' || w.podAnnotations['sidecar.istio.io/inject'] === 'false') return false;
  if (isGatewayOrControlPlane(w)) return false;
  const ns = ctx.find('Namespace', '', w.ns);
  if (!ns) return true; // not in the input: assume injected
  if (ns.labels['istio-injection'] === 'disabled') return false;
  // a Namespace in the input without an injection label: only pods that ask for it
  return ns.labels['istio-injection'] === 'enabled' || ns.labels['istio.io/rev'] !== undefined || w.labels['sidecar.istio.io/inject'] === 'true';
}

/** Istio's own pods (istiod, ingress and egress gateways), waypoints and Gateway API gateway deployments. */
export function isGatewayOrControlPlane(w: Workload): boolean {
  const l = w.labels;
  return l.istio !== undefined || w.item.labels.istio !== undefined || l['gateway.istio.io/managed'] !== undefined
    || l['gateway.networking.k8s.io/gateway-name'] !== undefined || l['istio.io/gateway-name'] !== undefined
    || w.podAnnotations['inject.istio.io/templates'] === 'gateway';
}
