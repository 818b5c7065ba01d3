import { checkRegex, checkWorkloadSelector } from '../checks/common';
import { Ctx, Obj, has, isObj, list, obj, str } from '../context';
import { RULES } from '../rules';

const LISTENER_OBJECTS = new Set(['LISTENER', 'FILTER_CHAIN', 'NETWORK_FILTER', 'HTTP_FILTER']);
const ROUTE_OBJECTS = new Set(['ROUTE_CONFIGURATION', 'VIRTUAL_HOST', 'HTTP_ROUTE']);
const ORDERED_LISTS = new Set(['LISTENER_FILTER', 'NETWORK_FILTER', 'HTTP_FILTER', 'HTTP_ROUTE']);
const REPLACEABLE = new Set(['HTTP_FILTER', 'NETWORK_FILTER']);
const HCM = new Set(['envoy.filters.network.http_connection_manager', 'envoy.http_connection_manager']);

/** Istio's admission checks for an EnvoyFilter. */
export function validateEnvoyFilter(ctx: Ctx, spec: Obj): void {
  ctx.report(RULES.efInternalApi, 'spec', 'EnvoyFilter exposes Envoy internals that may change on any upgrade; prefer another API where one exists, and re-test on upgrades');
  checkWorkloadSelector(ctx, 'spec.workloadSelector', spec.workloadSelector, 'labels');
  if (has(spec, 'workloadSelector') && list(spec.targetRefs).length > 0) {
    ctx.report(RULES.selectorOneOf, 'spec', 'workloadSelector and targetRefs are set; only one of them may be');
  }
  list(spec.configPatches).forEach((cp, i) => {
    if (isObj(cp)) validatePatch(ctx, `spec.configPatches[${i}]`, cp);
  });
}

function validatePatch(ctx: Ctx, p: string, cp: Obj): void {
  const applyTo = str(cp.applyTo);
  if (applyTo === '' || applyTo === 'INVALID') {
    ctx.report(RULES.efPatchIncomplete, `${p}.applyTo`, 'config patch needs applyTo (LISTENER, FILTER_CHAIN, NETWORK_FILTER, HTTP_FILTER, ROUTE_CONFIGURATION, VIRTUAL_HOST, HTTP_ROUTE, CLUSTER, ...)');
    return;
  }
  const patch = obj(cp.patch);
  if (!patch) {
    ctx.report(RULES.efPatchIncomplete, `${p}.patch`, 'config patch needs a patch');
    return;
  }
  const operation = str(patch.operation);
  if (operation === '' || operation === 'INVALID') {
    ctx.report(RULES.efPatchIncomplete, `${p}.patch.operation`, 'patch needs an operation (MERGE, ADD, REMOVE, INSERT_BEFORE, INSERT_AFTER, INSERT_FIRST, REPLACE)');
    return;
  }
  if (operation !== 'REMOVE' && !has(patch, 'value')) {
    ctx.report(RULES.efPatchIncomplete, `${p}.patch.value`, `patch operation ${operation} needs a value`);
    return;
  }
  const match = obj(cp.match);
  const proxyVersion = str(obj(match?.proxy)?.proxyVersion);
  if (proxyVersion !== '') {
    const before = ctx.findings.length;
    checkRegex(ctx, `${p}.match.proxy.proxyVersion`, proxyVersion);
    if (ctx.findings.length !== before) return;
  }

  const objectType = ['listener', 'routeConfiguration', 'cluster'].find(t => has(match, t));
  if (LISTENER_OBJECTS.has(applyTo)) {
    if (objectType !== undefined && objectType !== 'listener') {
      ctx.report(RULES.efMatchMismatch, `${p}.match.${objectType}`, `applyTo ${applyTo} needs a listener match, not ${objectType}`);
      return;
    }
    const filter = obj(obj(obj(match?.listener)?.filterChain)?.filter);
    if (filter) {
      const fp = `${p}.match.listener.filterChain.filter`;
      if (applyTo === 'LISTENER' || applyTo === 'FILTER_CHAIN') {
        ctx.report(RULES.efFilterMatchIgnored, fp, `a filter match has no effect with applyTo ${applyTo}`);
      }
      const name = str(filter.name);
      if (name === '') {
        ctx.report(RULES.efFilterMatch, `${fp}.name`, 'filter match needs a name, e.g. envoy.filters.network.http_connection_manager');
        return;
      }
      const sub = obj(filter.subFilter);
      if (sub) {
        if (applyTo !== 'HTTP_FILTER') {
          ctx.report(RULES.efFilterMatch, `${fp}.subFilter`, `a subFilter match only works with applyTo HTTP_FILTER, not ${applyTo}`);
          return;
        }
        if (!HCM.has(name)) {
          ctx.report(RULES.efFilterMatch, `${fp}.name`, `a subFilter match needs the filter match envoy.filters.network.http_connection_manager, got ${JSON.stringify(name)}`);
          return;
        }
        if (str(sub.name) === '') {
          ctx.report(RULES.efFilterMatch, `${fp}.subFilter.name`, 'subFilter match needs a name, e.g. envoy.filters.http.router');
          return;
        }
      }
    }
  } else if (ROUTE_OBJECTS.has(applyTo)) {
    if (objectType !== undefined && objectType !== 'routeConfiguration') {
      ctx.report(RULES.efMatchMismatch, `${p}.match.${objectType}`, `applyTo ${applyTo} needs a routeConfiguration match, not ${objectType}`);
    }
  } else if (applyTo === 'CLUSTER') {
    if (objectType !== undefined && objectType !== 'cluster') {
      ctx.report(RULES.efMatchMismatch, `${p}.match.${objectType}`, `applyTo CLUSTER needs a cluster match, not ${objectType}`);
    }
  }

  const opField = `${p}.patch.operation`;
  if (operation === 'REPLACE' && !REPLACEABLE.has(applyTo)) {
    ctx.report(RULES.efOperationIgnored, opField, `REPLACE only works with applyTo HTTP_FILTER or NETWORK_FILTER, not ${applyTo}; use MERGE`);
  } else if (operation.startsWith('INSERT_') && !ORDERED_LISTS.has(applyTo)) {
    ctx.report(RULES.efOperationIgnored, opField, `${operation} only orders LISTENER_FILTER, NETWORK_FILTER, HTTP_FILTER or HTTP_ROUTE entries; for ${applyTo} use ADD`);
  } else if ((operation === 'ADD' || operation === 'REMOVE') && applyTo === 'ROUTE_CONFIGURATION') {
    ctx.report(RULES.efOperationIgnored, opField, `${operation} is ignored with applyTo ROUTE_CONFIGURATION; use MERGE`);
  }
}
