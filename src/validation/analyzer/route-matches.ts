/**
 * IST0130 VirtualServiceUnreachableRule and IST0131 VirtualServiceIneffectiveMatch:
 * routes are tried in order and the first match wins, so a rule after a catch-all,
 * or whose matches all repeat (or are covered by) earlier ones, is never used.
 *
 * Istio compares matches for equality and checks URI prefixes for overlap; this
 * check also finds the general case: an earlier match whose every condition is at
 * most as strict as a later one's covers it. It claims coverage only when sure
 * (regexes only cover identical regexes).
 *
 * Internal module: not part of the public API.
 */
import { Context, Item } from './context';
import { RULES } from './rules';
import { arr, canonicalJson, hostCovers, obj, q, str, strList } from './util';

export function checkRouteMatches(ctx: Context): void {
  for (const vs of ctx.all('VirtualService')) {
    for (const section of ['http', 'tcp', 'tls'] as const) {
      analyzeRules(ctx, vs, section, arr(vs.spec[section]));
    }
  }
}

interface Seen {
  readonly rule: number;
  readonly match: Record<string, any>;
}

function analyzeRules(ctx: Context, vs: Item, section: string, routes: any[]): void {
  const isHttp = section === 'http';
  const routeName = (i: number) => (isHttp && str(obj(routes[i]).name) ? q(obj(routes[i]).name) : `#${i}`);
  const matchName = (m: Record<string, any>, j: number) => (isHttp && str(m.name) ? q(m.name) : `#${j}`);
  const unreachable = (i: number, reason: string) => ctx.report({
    item: vs,
    rule: RULES.virtualServiceUnreachableRule,
    field: `spec.${section}[${i}]`,
    message: `VirtualService rule ${routeName(i)} not used (${reason}).`,
  });

  const exact = new Map<string, number>();
  const seen: Seen[] = [];
  let catchAll = -1;
  routes.forEach((route, i) => {
    if (route === null || typeof route !== 'object') return;
    const matches = arr(route.match).map(obj);
    if (matches.length === 0) {
      if (catchAll >= 0) unreachable(i, 'only the last rule can have no matches');
      catchAll = i;
      return;
    }
    if (catchAll >= 0) {
      unreachable(i, 'route without matches defined before');
      return;
    }
    let unused = 0;
    matches.forEach((match, j) => {
      const key = canonicalJson({ ...match, name: undefined });
      const dup = exact.get(key) ?? seen.find(s => s.rule < i && covers(s.match, match))?.rule;
      if (dup !== undefined) {
        unused++;
        ctx.report({
          item: vs,
          rule: RULES.virtualServiceIneffectiveMatch,
          field: `spec.${section}[${i}].match[${j}]`,
          message: `VirtualService rule ${routeName(i)} match ${matchName(match, j)} is not used (duplicate/overlapping match in rule ${routeName(dup)}).`,
        });
      }
      if (!exact.has(key)) exact.set(key, i);
      seen.push({ rule: i, match });
    });
    if (unused === matches.length) unreachable(i, 'all matches used by prior rules');
  });
}

/** True if every request that `b` matches is also matched by `a`. */
function covers(a: Record<string, any>, b: Record<string, any>): boolean {
  for (const [k, av] of Object.entries(a)) {
    if (av === undefined || k === 'name' || k === 'statPrefix') continue;
    const bv = b[k];
    switch (k) {
      case 'uri':
      case 'scheme':
      case 'method':
      case 'authority':
        if (!stringMatchCovers(av, bv)) return false;
        break;
      case 'headers':
      case 'queryParams':
        for (const [hk, hv] of Object.entries(obj(av))) {
          const other = obj(bv)[hk];
          if (other === undefined || !stringMatchCovers(hv, other)) return false;
        }
        break;
      case 'withoutHeaders':
        for (const [hk, hv] of Object.entries(obj(av))) {
          if (canonicalJson(hv) !== canonicalJson(obj(bv)[hk])) return false;
        }
        break;
      case 'sourceLabels':
        for (const [lk, lv] of Object.entries(obj(av))) {
          if (obj(bv)[lk] !== lv) return false;
        }
        break;
      case 'gateways':
      case 'destinationSubnets': {
        const bs = strList(bv);
        const as = strList(av);
        if (bs.length === 0 || !bs.every(x => as.includes(x))) return false;
        break;
      }
      case 'sniHosts': {
        const bs = strList(bv);
        const as = strList(av);
        if (bs.length === 0 || !bs.every(x => as.some(y => hostCovers(y, x)))) return false;
        break;
      }
      default:
        if (canonicalJson(av) !== canonicalJson(bv)) return false;
    }
  }
  // a case-insensitive match accepts more than a case-sensitive one can cover
  return !(b.ignoreUriCase === true && a.ignoreUriCase !== true);
}

/** True if string match `a` accepts every value string match `b` accepts (`a` missing: any value). */
function stringMatchCovers(a: unknown, b: unknown): boolean {
  const am = obj(a);
  const bm = obj(b);
  if (str(am.exact) !== undefined) return bm.exact === am.exact;
  if (str(am.prefix) !== undefined) {
    const bValue = str(bm.exact) ?? str(bm.prefix);
    return bValue !== undefined && bValue.startsWith(am.prefix);
  }
  if (str(am.regex) !== undefined) return bm.regex === am.regex;
  return true;
}
