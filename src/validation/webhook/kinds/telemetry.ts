import { checkPolicyScope } from '../checks/common';
import { Ctx, Obj, entries, isObj, key, list, num, obj, show, str } from '../context';
import { RULES } from '../rules';

/** Istio's admission checks for a Telemetry. */
export function validateTelemetry(ctx: Ctx, spec: Obj): void {
  checkPolicyScope(ctx, spec, 'selector', 'matchLabels');

  list(spec.metrics).forEach((m, i) => {
    const p = `spec.metrics[${i}]`;
    if (!isObj(m)) return;
    checkProviders(ctx, p, m.providers);
    list(m.overrides).forEach((o, j) => {
      const op = `${p}.overrides[${j}]`;
      if (!isObj(o)) {
        ctx.report(RULES.telemetryTagOverride, op, 'metric override may not be null');
        return;
      }
      for (const [tag, override] of entries(o.tagOverrides)) {
        const tp = key(`${op}.tagOverrides`, tag);
        if (!isObj(override)) {
          ctx.report(RULES.telemetryTagOverride, tp, `tag override ${show(tag)} may not be null`);
          continue;
        }
        const operation = str(override.operation) || 'UPSERT';
        const value = str(override.value);
        if (operation === 'UPSERT' && value === '') ctx.report(RULES.telemetryTagOverride, `${tp}.value`, `tag override ${show(tag)} with operation UPSERT needs a value`);
        if (operation === 'REMOVE' && value !== '') ctx.report(RULES.telemetryTagOverride, `${tp}.value`, `tag override ${show(tag)} with operation REMOVE takes no value`);
      }
      const match = obj(o.match);
      if (match && match.customMetric === '') ctx.report(RULES.telemetryTagOverride, `${op}.match.customMetric`, 'customMetric may not be empty');
    });
  });

  const tracing = list(spec.tracing);
  if (tracing.length > 1) ctx.report(RULES.telemetryMultiple, 'spec.tracing', `${tracing.length} tracing entries are configured; only one is supported`);
  tracing.forEach((t, i) => {
    const p = `spec.tracing[${i}]`;
    if (!isObj(t)) return;
    if (list(t.providers).length > 1) ctx.report(RULES.telemetryMultiple, `${p}.providers`, `${list(t.providers).length} tracing providers are configured; only one is supported`);
    checkProviders(ctx, p, t.providers);
    const sampling = num(obj(t.randomSamplingPercentage)?.value ?? t.randomSamplingPercentage);
    if (sampling !== undefined && (sampling < 0 || sampling > 100)) {
      ctx.report(RULES.percentageOutOfRange, `${p}.randomSamplingPercentage`, `randomSamplingPercentage ${sampling} is out of range 0..100`);
    }
    for (const [name, tag] of entries(t.customTags)) {
      const tp = key(`${p}.customTags`, name);
      if (name === '') ctx.report(RULES.telemetryCustomTag, tp, 'custom tag name may not be empty');
      if (!isObj(tag)) {
        ctx.report(RULES.telemetryCustomTag, tp, `custom tag ${show(name)} may not be null`);
        continue;
      }
      if (isObj(tag.literal) && str(tag.literal.value) === '') ctx.report(RULES.telemetryCustomTag, `${tp}.literal.value`, `literal custom tag ${show(name)} needs a value`);
      if (isObj(tag.header) && str(tag.header.name) === '') ctx.report(RULES.telemetryCustomTag, `${tp}.header.name`, `header custom tag ${show(name)} needs a header name`);
      if (isObj(tag.environment) && str(tag.environment.name) === '') ctx.report(RULES.telemetryCustomTag, `${tp}.environment.name`, `environment custom tag ${show(name)} needs a variable name`);
    }
  });

  list(spec.accessLogging).forEach((l, i) => {
    if (isObj(l)) checkProviders(ctx, `spec.accessLogging[${i}]`, l.providers);
  });
}

function checkProviders(ctx: Ctx, p: string, providers: unknown): void {
  list(providers).forEach((prov, i) => {
    if (!isObj(prov) || str(prov.name) === '') {
      ctx.report(RULES.telemetryProviderName, `${p}.providers[${i}].name`, 'provider name may not be empty; name an extensionProviders entry of the mesh config (e.g. envoy, prometheus)');
    }
  });
}
