/**
 * Workload rules, read from Pods and the pod templates of Deployments, StatefulSets,
 * DaemonSets, ReplicaSets, Jobs and CronJobs: containers running as the proxy's UID
 * 1337 (IST0144), a workload behind several Services that disagree on a port's
 * protocol (IST0116) or on the port of a targetPort (IST0137), and deprecated Istio
 * annotations (IST0135).
 *
 * Internal module: not part of the public API.
 */
import { Context, Item, Workload } from './context';
import { RULES } from './rules';
import { isControlPlane } from './service';
import { arr, istioProtocol, list, num, obj, push, q, str } from './util';

const PROXY_UID = 1337;

export function checkWorkloads(ctx: Context): void {
  for (const w of ctx.workloads) {
    if (!w.item.source || !w.podSpec) continue;
    checkApplicationUid(ctx, w);
    if (!optedOut(ctx, w)) checkServicePorts(ctx, w);
  }
  checkDeprecatedAnnotations(ctx);
}

/** IST0144: UID 1337 is the sidecar's. Init containers are exempt (with Istio CNI, running one as 1337 is how it reaches the network). */
function checkApplicationUid(ctx: Context, w: Workload): void {
  if (isControlPlane(w.item.labels)) return;
  const message = 'User ID (UID) 1337 is reserved for the sidecar proxy.';
  const path = w.podPath!;
  // the pod-level UID applies to the containers that do not set their own (init containers are exempt)
  const inherit = arr(w.podSpec!.containers).map(obj)
    .some(c => c.name !== 'istio-proxy' && num(obj(c.securityContext).runAsUser) === undefined);
  if (inherit && num(obj(w.podSpec!.securityContext).runAsUser) === PROXY_UID) {
    ctx.report({ item: w.item, rule: RULES.invalidApplicationUID, field: `${path}.securityContext.runAsUser`, message });
  }
  arr(w.podSpec!.containers).forEach((c, i) => {
    const container = obj(c);
    if (container.name === 'istio-proxy' || container.name === 'istio-operator') return;
    if (num(obj(container.securityContext).runAsUser) === PROXY_UID) {
      ctx.report({ item: w.item, rule: RULES.invalidApplicationUID, field: `${path}.containers[${i}].securityContext.runAsUser`, message });
    }
  });
}

/** Workloads that will not get a sidecar: opted out by label/annotation or namespace, or waypoints. */
function optedOut(ctx: Context, w: Workload): boolean {
  if (w.labels['sidecar.istio.io/inject'] === 'false' || w.podAnnotations['sidecar.istio.io/inject'] === 'false') return true;
  if (w.labels['gateway.istio.io/managed'] === 'istio.io-mesh-controller') return true;
  return ctx.find('Namespace', '', w.ns)?.labels['istio-injection'] === 'disabled';
}

interface PortUse {
  readonly service: string;
  readonly l4: string;
  readonly protocol?: string;
}

/**
 * IST0116 and IST0137. A pod's inbound listener is built per port: every Service that
 * selects the pod must agree on each port's protocol (Kubernetes L4 protocol, and the
 * Istio protocol where both name one), and on which port a targetPort is.
 */
function checkServicePorts(ctx: Context, w: Workload): void {
  const services = ctx.servicesOf(w).filter(s => s.source);
  if (services.length < 2) return;
  const byPort = new Map<number, PortUse[]>();
  const byTarget = new Map<string, Map<number, Set<string>>>();
  for (const svc of services) {
    const service = `${svc.ns}/${svc.name}`;
    for (const p of arr(svc.spec.ports).map(obj)) {
      const port = num(p.port);
      if (port === undefined) continue;
      const l4 = str(p.protocol) ?? 'TCP';
      push(byPort, port, { service, l4, protocol: istioProtocol(str(p.name), str(p.appProtocol), l4, port) });
      const target = str(p.targetPort) ?? String(num(p.targetPort) ?? port);
      const ports = byTarget.get(target) ?? new Map<number, Set<string>>();
      ports.set(port, (ports.get(port) ?? new Set()).add(service));
      byTarget.set(target, ports);
    }
  }

  for (const [port, uses] of byPort) {
    const l4s = new Set(uses.map(u => u.l4));
    const protocols = new Set(uses.map(u => u.protocol).filter(p => p !== undefined));
    if (l4s.size < 2 && protocols.size < 2) continue;
    ctx.report({
      item: w.item,
      rule: RULES.deploymentAssociatedToMultipleServices,
      field: 'metadata.name',
      message: `This deployment ${w.name} is associated with multiple services using port ${port} but different protocols: ${list(sortedUnique(uses.map(u => u.service)))}`,
    });
  }

  for (const [target, ports] of byTarget) {
    const names = sortedUnique([...ports.values()].flatMap(s => [...s]));
    if (ports.size < 2 || names.length < 2) continue;
    ctx.report({
      item: w.item,
      rule: RULES.deploymentConflictingPorts,
      field: 'metadata.name',
      message: `This deployment ${w.name} is associated with multiple services ${list(names)} using targetPort ${q(target)} but different ports: ${list([...ports.keys()].sort((a, b) => a - b))}.`,
    });
  }
}

/** Deprecated Istio annotations, and what replaces them. */
const DEPRECATED_ANNOTATIONS: Record<string, string> = {
  'sidecar.istio.io/inject': ' in favor of the "sidecar.istio.io/inject" label',
  'alpha.istio.io/kubernetes-serviceaccounts': '',
  'alpha.istio.io/canonical-serviceaccounts': '',
  'alpha.istio.io/identity': '',
  'sidecar.istio.io/controlPlaneAuthPolicy': '',
  'sidecar.istio.io/discoveryAddress': '',
  'sidecar.istio.io/statsInclusionPrefixes': '',
  'sidecar.istio.io/statsInclusionSuffixes': '',
  'sidecar.istio.io/statsInclusionRegexps': '',
};

/** IST0135, on the metadata of Namespaces, Services and workloads, and on pod templates. */
function checkDeprecatedAnnotations(ctx: Context): void {
  const check = (item: Item, annotations: Record<string, string>, labels: Record<string, string>, field: string) => {
    for (const name of Object.keys(annotations)) {
      const extra = DEPRECATED_ANNOTATIONS[name];
      if (extra === undefined) continue;
      // both the annotation and its replacement label: kept for compatibility on purpose
      if (name === 'sidecar.istio.io/inject' && labels[name] !== undefined) continue;
      ctx.report({
        item,
        rule: RULES.deprecatedAnnotation,
        field: `${field}.annotations`,
        message: `Annotation ${q(name)} has been deprecated${extra} and may not work in future Istio versions.`,
      });
    }
  };
  for (const key of ['Namespace', 'Service']) {
    for (const item of ctx.all(key)) check(item, item.annotations, item.labels, 'metadata');
  }
  for (const w of ctx.workloads) {
    if (!w.item.source || !w.podPath) continue;
    check(w.item, w.item.annotations, w.item.labels, 'metadata');
    if (w.item.key !== 'Pod') check(w.item, w.podAnnotations, w.labels, w.podPath.replace(/\.spec$/, '.metadata'));
  }
}

function sortedUnique(xs: string[]): string[] {
  return [...new Set(xs)].sort();
}
