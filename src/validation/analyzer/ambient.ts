/**
 * Authorization in ambient mode: where a policy is enforced, and whether the waypoint is
 * really in the path.
 *
 * - CDK8S-ISTIO-A040 L7PolicyEnforcedByZtunnel: an AuthorizationPolicy that ztunnel
 *   enforces (a `selector`, or neither selector nor `targetRefs`) on ambient workloads, with
 *   L7 attributes (methods, paths, hosts, request principals, `request.*` conditions) or the
 *   action CUSTOM or AUDIT. ztunnel fails safe: an ALLOW rule with L7 attributes is dropped
 *   (less is allowed), a DENY denies more. Waypoints only take policies through `targetRefs`,
 *   so a waypoint does not change this.
 * - CDK8S-ISTIO-A041 WaypointBypass: a policy the waypoint enforces (`targetRefs` to an
 *   enrolled Service, or to the waypoint) while ztunnel lets callers reach the Service's pods
 *   directly (by pod IP, or from outside the ambient mesh) without going through the
 *   waypoint: the pods have no L4 ALLOW policy, or one with a rule that admits callers it
 *   does not name (no `from`, wildcard principals, whole namespaces).
 * - CDK8S-ISTIO-A042 WaypointIdentityNotAllowed: the pods of a Service enrolled in a
 *   waypoint have L4 ALLOW policies, and none of them admits the waypoint's identity
 *   (`cluster.local/ns/<waypoint namespace>/sa/<waypoint name>`): ztunnel sees that
 *   identity for every request that went through the waypoint, and denies them all.
 *
 * - CDK8S-ISTIO-A043 WaypointNotFound: `istio.io/use-waypoint` names a waypoint that is not in
 *   the input (or a Gateway that is not of class `istio-waypoint`): the enrolment has no
 *   waypoint to send the traffic to.
 * - CDK8S-ISTIO-A044 WaypointTrafficTypeMismatch: the waypoint's `istio.io/waypoint-for`
 *   does not take the enrolled object's traffic (a Service or ServiceEntry enrolled in a
 *   `workload` waypoint, a pod in a `service` one, anything in a `none` one): Istio
 *   ignores the enrolment.
 * - CDK8S-ISTIO-A045 WaypointNamespaceNotAllowed: an object uses a waypoint of another
 *   namespace (`istio.io/use-waypoint-namespace`) whose listener only allows routes from
 *   its own namespace (`allowedRoutes.namespaces.from` Same, the default): Istio ignores
 *   the enrolment.
 *
 * @see https://istio.io/latest/docs/ambient/usage/l4-policy/
 * @see https://istio.io/latest/docs/ambient/usage/waypoint/
 *
 * Internal module: not part of the public API.
 */
import { Context, Item, Workload } from './context';
import { inAmbient, namespaceAmbient } from './policy-targets';
import { RawObjects } from './raw-objects';
import { RULES } from './rules';
import { arr, obj, selectorMatches, str, strMap } from './util';
import { isL7Action, l7Attributes, PeerIdentity, ruleAdmitsOnly, ruleMayAdmit } from '../../core/ambient-policy';
import { FindingLevel } from '../findings';

const USE_WAYPOINT = 'istio.io/use-waypoint';
const USE_WAYPOINT_NAMESPACE = 'istio.io/use-waypoint-namespace';
const WAYPOINT_FOR = 'istio.io/waypoint-for';
const GATEWAY = 'gateway.networking.k8s.io/Gateway';

export function checkAmbientPolicies(ctx: Context, raw: RawObjects): void {
  checkZtunnelL7(ctx);
  const enrolled = enrolledServices(ctx, raw);
  checkWaypointBypass(ctx, enrolled);
  checkWaypointIdentity(ctx, enrolled);
  checkEnrolments(ctx, raw);
}

function hasTargets(policy: Item): boolean {
  return policy.spec.targetRef !== undefined || policy.spec.targetRefs !== undefined;
}

/** A040. */
function checkZtunnelL7(ctx: Context): void {
  for (const policy of ctx.all('AuthorizationPolicy')) {
    if (hasTargets(policy) || policy.ns === ctx.rootNamespace) continue;
    const action = str(policy.spec.action) ?? 'ALLOW';
    const l7 = isL7Action(action) ? [`action ${action}`] : l7Attributes(policy.spec.rules);
    if (l7.length === 0) continue;
    const selector = strMap(obj(policy.spec.selector).matchLabels);
    const candidates = ctx.select(selector, policy.ns);
    const ambient = candidates.filter(w => inAmbient(ctx, w));
    let level: FindingLevel;
    let who: string;
    if (ambient.length > 0) {
      level = ambient.length === candidates.length ? FindingLevel.ERROR : FindingLevel.WARNING;
      who = `${ambient.length === candidates.length ? 'the' : 'some of the'} workloads it applies to (${names(ambient)}) run in ambient mode`;
    } else if (candidates.length === 0 && namespaceAmbient(ctx, policy.ns)) {
      level = FindingLevel.WARNING;
      who = `namespace ${policy.ns} is in ambient mode (istio.io/dataplane-mode=ambient)`;
    } else {
      continue;
    }
    const where = Object.keys(selector).length > 0 ? 'a selector' : 'neither selector nor targetRefs';
    ctx.report({
      item: policy,
      rule: RULES.l7PolicyEnforcedByZtunnel,
      level,
      field: isL7Action(action) ? 'spec.action' : `spec.${l7[0].split(' ')[0]}`,
      message: `${who}, so this policy (${where}) is enforced by ztunnel, which cannot match ${isL7Action(action) ? `action ${action}` : `L7 attributes (${l7.slice(0, 3).join(', ')}${l7.length > 3 ? ', ...' : ''})`} `
        + `and fails safe (${action === 'DENY' ? 'it denies more than it says' : 'the rules with L7 attributes are dropped: less is allowed'}). `
        + 'Deploy a waypoint, enroll the Service in it (istio.io/use-waypoint) and attach the policy with targetRefs to the Service (or the waypoint); keep selector policies to L4 attributes (principals, namespaces, ipBlocks, ports).',
    });
  }
}

/** A Service (or ServiceEntry) enrolled in a waypoint. */
interface Enrolled {
  readonly service: Item;
  readonly waypoint: string;
  readonly waypointNs: string;
  /** The waypoint's service account: its name, or the Gateway's `gateway.istio.io/service-account` annotation. */
  readonly serviceAccount: string;
  /** The waypoint's Gateway is in the input, and takes service traffic. */
  readonly known: boolean;
}

/** The Services enrolled in a waypoint that takes service traffic, by `ns/name`. */
function enrolledServices(ctx: Context, raw: RawObjects): Map<string, Enrolled> {
  const out = new Map<string, Enrolled>();
  for (const service of ctx.all('Service')) {
    const nsLabels = ctx.find('Namespace', '', service.ns)?.labels ?? {};
    const own = service.labels[USE_WAYPOINT];
    const name = own ?? nsLabels[USE_WAYPOINT];
    if (name === undefined || name === 'none' || name === '') continue;
    const waypointNs = (own !== undefined ? service.labels[USE_WAYPOINT_NAMESPACE] : nsLabels[USE_WAYPOINT_NAMESPACE]) ?? service.ns;
    const gw = raw.find(GATEWAY, waypointNs, name);
    const forWhat = gw ? strMap(obj(gw.object.metadata).labels)[WAYPOINT_FOR] ?? 'service' : 'service';
    if (forWhat !== 'service' && forWhat !== 'all') continue; // the waypoint ignores service traffic
    const known = gw !== undefined && str(obj(gw.object.spec).gatewayClassName) === 'istio-waypoint';
    const serviceAccount = (gw && str(obj(obj(gw.object.metadata).annotations)['gateway.istio.io/service-account'])) || name;
    out.set(`${service.ns}/${service.name}`, { service, waypoint: name, waypointNs, serviceAccount, known });
  }
  return out;
}

/** The pods of a Service in the input. */
function podsOf(ctx: Context, service: Item): Workload[] {
  const selector = strMap(service.spec.selector);
  if (Object.keys(selector).length === 0) return [];
  return ctx.select(selector, service.ns);
}

/** The ALLOW policies ztunnel enforces on a workload (its namespace's and the root namespace's, without targetRefs). */
function ztunnelAllowPolicies(ctx: Context, w: Workload): Item[] {
  const namespaces = w.ns === ctx.rootNamespace ? [w.ns] : [w.ns, ctx.rootNamespace];
  return namespaces.flatMap(ns => ctx.allIn('AuthorizationPolicy', ns)).filter(p => {
    if (hasTargets(p) || (str(p.spec.action) ?? 'ALLOW') !== 'ALLOW') return false;
    return selectorMatches(strMap(obj(p.spec.selector).matchLabels), w.labels);
  });
}

/** The Services a waypoint-enforced policy protects: its Service targets, or the Services enrolled in its waypoint targets. */
function protectedServices(policy: Item, enrolled: Map<string, Enrolled>): Enrolled[] {
  const refs = [...arr(policy.spec.targetRefs), ...(policy.spec.targetRef ? [policy.spec.targetRef] : [])].map(obj);
  const out: Enrolled[] = [];
  for (const ref of refs) {
    const kind = str(ref.kind);
    const name = str(ref.name);
    if (!name) continue;
    if (kind === 'Service' && (str(ref.group) ?? '') === '') {
      const e = enrolled.get(`${policy.ns}/${name}`);
      if (e) out.push(e);
    } else if (kind === 'Gateway' && str(ref.group) === 'gateway.networking.k8s.io') {
      for (const e of enrolled.values()) if (e.waypoint === name && e.waypointNs === policy.ns) out.push(e);
    }
  }
  return out;
}

/** A041. */
function checkWaypointBypass(ctx: Context, enrolled: Map<string, Enrolled>): void {
  for (const policy of ctx.all('AuthorizationPolicy')) {
    if (!hasTargets(policy)) continue;
    const action = str(policy.spec.action) ?? 'ALLOW';
    if (action !== 'ALLOW' && action !== 'CUSTOM') continue;
    for (const e of protectedServices(policy, enrolled)) {
      const waypoint: PeerIdentity = { namespace: e.waypointNs, serviceAccount: e.serviceAccount };
      const open: string[] = [];
      for (const w of podsOf(ctx, e.service).filter(p => inAmbient(ctx, p))) {
        const allow = ztunnelAllowPolicies(ctx, w);
        if (allow.length === 0) {
          open.push(`${w.name} (no L4 ALLOW policy)`);
          continue;
        }
        const wide = allow.find(p => arr(p.spec.rules).some(rule => !ruleAdmitsOnlyNamed(rule, waypoint)));
        if (wide) open.push(`${w.name} (AuthorizationPolicy ${wide.ns}/${wide.name} admits callers it does not name)`);
      }
      if (open.length === 0) continue;
      ctx.report({
        item: policy,
        rule: RULES.waypointBypass,
        field: 'spec.targetRefs',
        message: `Service ${e.service.ns}/${e.service.name} is enrolled in waypoint ${e.waypointNs}/${e.waypoint}, which enforces this policy, but enrolment alone does not stop traffic bypassing the waypoint: `
          + `ztunnel lets callers reach ${open.slice(0, 3).join(', ')}${open.length > 3 ? ', ...' : ''} directly (by pod IP, or from outside the ambient mesh), and they skip this policy. `
          + `Add an L4 ALLOW policy on the pods (selector) whose rules name the callers: the waypoint's identity cluster.local/ns/${e.waypointNs}/sa/${e.serviceAccount}, and only the clients that must bypass it.`,
      });
    }
  }
}

/** A rule that only admits callers it names (exact principals or service accounts), e.g. the waypoint and an ingress gateway. */
function ruleAdmitsOnlyNamed(rule: unknown, waypoint: PeerIdentity): boolean {
  const from = arr(obj(rule).from).map(f => obj(obj(f).source));
  if (from.length === 0) return false;
  const named = from.flatMap(s => [
    ...arr(s.principals).map(p => identityOfPrincipal(String(p))),
    ...arr(s.serviceAccounts).map(a => identityOfAccount(String(a))),
  ]);
  if (named.some(id => id === undefined)) return false;
  return ruleAdmitsOnly(rule, [waypoint, ...named as PeerIdentity[]]);
}

function identityOfPrincipal(p: string): PeerIdentity | undefined {
  const m = /^([^/*]+)\/ns\/([^/*]+)\/sa\/([^/*]+)$/.exec(p);
  return m ? { trustDomain: m[1], namespace: m[2], serviceAccount: m[3] } : undefined;
}

function identityOfAccount(a: string): PeerIdentity | undefined {
  const m = /^([^/*]+)\/([^/*]+)$/.exec(a);
  return m ? { namespace: m[1], serviceAccount: m[2] } : undefined;
}

/** A042. */
function checkWaypointIdentity(ctx: Context, enrolled: Map<string, Enrolled>): void {
  for (const e of enrolled.values()) {
    const waypoint: PeerIdentity = { namespace: e.waypointNs, serviceAccount: e.serviceAccount };
    for (const w of podsOf(ctx, e.service).filter(p => inAmbient(ctx, p))) {
      const allow = ztunnelAllowPolicies(ctx, w);
      if (allow.length === 0) continue;
      if (allow.some(p => arr(p.spec.rules).some(rule => ruleMayAdmit(rule, waypoint)))) continue;
      for (const policy of allow) {
        ctx.report({
          item: policy,
          rule: RULES.waypointIdentityNotAllowed,
          // open world: an ALLOW policy outside the input may admit the waypoint
          level: e.known && !ctx.openWorld ? FindingLevel.ERROR : FindingLevel.WARNING,
          field: 'spec.rules',
          message: `Service ${e.service.ns}/${e.service.name} is enrolled in waypoint ${e.waypointNs}/${e.waypoint}: ztunnel sees the waypoint's identity `
            + `cluster.local/ns/${e.waypointNs}/sa/${e.serviceAccount} for every request through it, and no L4 ALLOW policy of ${w.ns}/${w.name} (this one included) admits it, so they are all denied. `
            + 'Add the waypoint\'s principal to this policy\'s sources (AuthorizationPolicy.allowWaypoint(waypoint.principal)), and check the clients in an L7 policy on the waypoint (targetRefs).',
        });
      }
    }
  }
}

function names(ws: Workload[]): string {
  const sorted = ws.map(w => w.name).sort();
  return `${sorted.slice(0, 3).join(', ')}${sorted.length > 3 ? ', ...' : ''}`;
}

/** What each waypoint traffic type takes, by the enrolled object's kind. */
const TAKES: Record<string, string[]> = {
  service: ['Namespace', 'Service', 'ServiceEntry'],
  workload: ['Namespace', 'Pod'],
  all: ['Namespace', 'Service', 'ServiceEntry', 'Pod'],
  none: [],
};

/** A043, A044, A045: every `istio.io/use-waypoint` label of the input. */
function checkEnrolments(ctx: Context, raw: RawObjects): void {
  const check = (item: Item, kind: string, ownNs: string, labels: Record<string, string>, field: string) => {
    const name = labels[USE_WAYPOINT];
    if (name === undefined || name === 'none' || name === '') return;
    const waypointNs = labels[USE_WAYPOINT_NAMESPACE] ?? ownNs;
    const what = `${kind === 'Pod' ? `the pods of ${item.kind}` : item.kind} ${kind === 'Namespace' ? item.name : `${item.ns}/${item.name}`}`;
    const gw = raw.find(GATEWAY, waypointNs, name);
    const cls = gw ? str(obj(gw.object.spec).gatewayClassName) : undefined;
    if (!gw || cls !== 'istio-waypoint') {
      const near = gw ? undefined : raw.nearNames(GATEWAY, waypointNs).near(name)[0];
      ctx.report({
        item,
        rule: RULES.waypointNotFound,
        level: gw ? RULES.waypointNotFound.level : ctx.refLevel(RULES.waypointNotFound, near),
        field,
        message: gw
          ? `${what} uses the waypoint ${waypointNs}/${name} (${USE_WAYPOINT}), but that Gateway is of class ${cls ?? '(none)'}, not istio-waypoint: it is not a waypoint. Enroll in a Gateway of class istio-waypoint.`
          : `${what} uses the waypoint ${waypointNs}/${name} (${USE_WAYPOINT}), which is not in the input${near ? `: did you mean "${near}"?` : '. Deploy it (a Gateway of class istio-waypoint, e.g. istioctl waypoint apply), or fix the label.'}`,
      });
      return;
    }
    const forWhat = strMap(obj(gw.object.metadata).labels)[WAYPOINT_FOR] ?? 'service';
    if (!(TAKES[forWhat] ?? TAKES.service).includes(kind)) {
      ctx.report({
        item,
        rule: RULES.waypointTrafficTypeMismatch,
        field,
        message: `${what} is enrolled in the waypoint ${waypointNs}/${name}, which takes ${forWhat === 'none' ? 'no' : `${forWhat}`} traffic (${WAYPOINT_FOR}: ${forWhat}): `
          + `Istio ignores the enrolment, and the waypoint's policies and routes never see this traffic. Give the waypoint ${WAYPOINT_FOR}: ${kind === 'Pod' ? 'workload' : 'service'} or all, or enroll in another waypoint.`,
      });
    }
    if (waypointNs !== ownNs) {
      const listeners = arr(obj(gw.object.spec).listeners).map(obj);
      const from = listeners.map(l => str(obj(obj(l.allowedRoutes).namespaces).from) ?? 'Same');
      if (from.length > 0 && from.every(f => f === 'Same')) {
        ctx.report({
          item,
          rule: RULES.waypointNamespaceNotAllowed,
          field,
          message: `${what} uses the waypoint ${waypointNs}/${name} of another namespace (${USE_WAYPOINT_NAMESPACE}), whose listeners only allow routes from namespace ${waypointNs} (allowedRoutes.namespaces.from: Same, the default): `
            + 'Istio ignores the enrolment. Set allowedRoutes.namespaces.from: All on the waypoint\'s listener (Waypoint allowOtherNamespaces: true), or use a waypoint in the object\'s namespace.',
        });
      }
    }
  };
  for (const ns of ctx.all('Namespace')) check(ns, 'Namespace', ns.name, ns.labels, 'metadata.labels');
  for (const kind of ['Service', 'ServiceEntry']) {
    for (const item of ctx.all(kind)) check(item, kind, item.ns, item.labels, 'metadata.labels');
  }
  for (const w of ctx.workloads) {
    if (w.labels[USE_WAYPOINT] === undefined) continue;
    check(w.item, 'Pod', w.ns, w.labels, !w.podPath || w.podPath === 'spec' ? 'metadata.labels' : w.podPath.replace(/\.spec$/, '.metadata.labels'));
  }
}
