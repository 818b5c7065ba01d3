/**
 * EnvoyFilter patch operations (Istio's `envoyfilter.EnvoyPatchAnalyzer`): a relative
 * operation without a priority (IST0151; IST0155 when a `proxyVersion` match is
 * involved), and operations istiod ignores for the `applyTo` (IST0152 REPLACE, IST0153
 * ADD, IST0154 REMOVE).
 *
 * Where this differs from Istio's analyzer: istiod 1.30 applies REPLACE to
 * LISTENER_FILTER and VIRTUAL_HOST patches too, and ADD and REMOVE to HTTP_ROUTE
 * patches; those are not reported (Istio's analyzer predates them and would report a
 * correct filter as an Error).
 *
 * Internal module: not part of the public API.
 */
import { Context } from './context';
import { RULES } from './rules';
import { arr, num, obj, str } from './util';

/** The applyTo values istiod applies a REPLACE patch to. */
const REPLACEABLE = new Set(['HTTP_FILTER', 'NETWORK_FILTER', 'LISTENER_FILTER', 'VIRTUAL_HOST']);
/** Operations whose effect depends on what earlier patches did. */
const RELATIVE = new Set(['MERGE', 'REPLACE', 'REMOVE', 'INSERT_BEFORE', 'INSERT_AFTER']);

interface Patch {
  readonly index: number;
  readonly applyTo: string;
  readonly operation: string;
  readonly instance: string;
  readonly proxyVersion: boolean;
}

export function checkEnvoyFilters(ctx: Context): void {
  const filters = ctx.all('EnvoyFilter').map(item => ({ item, patches: patchesOf(item.spec) }));
  // the filter names some patch matches by proxyVersion: a later upgrade changes which of them apply
  const versioned = new Set<string>();
  for (const f of filters) for (const p of f.patches) if (p.proxyVersion && p.instance) versioned.add(p.instance);

  for (const { item, patches } of filters) {
    const priority = num(item.spec.priority) ?? 0;
    for (const p of patches) {
      const field = `spec.configPatches[${p.index}].patch.operation`;
      if (p.applyTo === 'ROUTE_CONFIGURATION' && (p.operation === 'ADD' || p.operation === 'REMOVE')) {
        ctx.report({
          item,
          rule: p.operation === 'ADD' ? RULES.envoyFilterUsesAddOperationIncorrectly : RULES.envoyFilterUsesRemoveOperationIncorrectly,
          field,
          message: `The ${p.operation} operation will be ignored when applyTo is set to ROUTE_CONFIGURATION. `
            + `Use MERGE to change the route configuration, or applyTo VIRTUAL_HOST or HTTP_ROUTE to ${p.operation === 'ADD' ? 'add' : 'remove'} entries of it.`,
        });
        continue;
      }
      if (p.operation === 'REPLACE' && !REPLACEABLE.has(p.applyTo)) {
        ctx.report({
          item,
          rule: RULES.envoyFilterUsesReplaceOperationIncorrectly,
          field,
          message: `The REPLACE operation is only valid for HTTP_FILTER and NETWORK_FILTER (and LISTENER_FILTER, VIRTUAL_HOST); istiod ignores it for applyTo ${p.applyTo || '(unset)'}. Use MERGE.`,
        });
        continue;
      }
      if (!RELATIVE.has(p.operation) || priority !== 0) continue;
      if (p.proxyVersion || (p.instance && versioned.has(p.instance))) {
        ctx.report({
          item,
          rule: RULES.envoyFilterUsesRelativeOperationWithProxyVersion,
          field,
          message: `This EnvoyFilter does not have a priority and has a relative patch operation (${p.operation}) and proxyVersion set, `
            + 'which can cause the EnvoyFilter not to be applied during an upgrade. '
            + 'Using the INSERT_FIRST or ADD option or setting the priority may help in ensuring the EnvoyFilter is applied correctly.',
        });
      } else {
        ctx.report({
          item,
          rule: RULES.envoyFilterUsesRelativeOperation,
          field,
          message: `This EnvoyFilter does not have a priority and has a relative patch operation (${p.operation}) set, which can cause the EnvoyFilter not to be applied. `
            + 'Using the INSERT_FIRST or ADD option or setting the priority may help in ensuring the EnvoyFilter is applied correctly.',
        });
      }
    }
  }
}

/** The patches up to the first one without a `patch` (Istio stops there). */
function patchesOf(spec: Record<string, any>): Patch[] {
  const out: Patch[] = [];
  const list = arr(spec.configPatches);
  for (let index = 0; index < list.length; index++) {
    const cp = obj(list[index]);
    if (cp.patch === undefined || cp.patch === null) break;
    const patch = obj(cp.patch);
    const match = obj(cp.match);
    const value = obj(patch.value);
    // the object the patch is about: the name of the value, else the filter it matches
    const instance = str(value.name) ?? str(obj(obj(obj(match.listener).filterChain).filter).name) ?? '';
    out.push({
      index,
      applyTo: str(cp.applyTo) ?? '',
      operation: str(patch.operation) ?? '',
      instance,
      proxyVersion: str(obj(match.proxy).proxyVersion) !== undefined,
    });
  }
  return out;
}
