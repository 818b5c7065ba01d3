/**
 * Deprecated fields, IST0002, as Istio's `deprecation.FieldAnalyzer` and
 * `telemetry.LightstepAnalyzer` report them: a VirtualService fault delay `percent`
 * (replaced by `percentage`), a Sidecar `outboundTrafficPolicy.egressProxy`, and a
 * Telemetry tracing provider that the mesh config defines as a Lightstep provider.
 * (Istio also reports installed CRDs of the removed `rbac.istio.io` kinds; manifests of
 * an app do not install CRDs, and the CRD layer rejects objects of those kinds.)
 *
 * Internal module: not part of the public API.
 */
import { Context } from './context';
import { RULES } from './rules';
import { arr, num, obj, str } from './util';

export function checkDeprecations(ctx: Context): void {
  for (const vs of ctx.all('VirtualService')) {
    arr(vs.spec.http).forEach((route, i) => {
      const delay = obj(obj(obj(route).fault).delay);
      if ((num(delay.percent) ?? 0) <= 0) return;
      ctx.report({
        item: vs,
        rule: RULES.deprecated,
        field: `spec.http[${i}].fault.delay.percent`,
        message: 'Deprecated: HTTPRoute.fault.delay.percent is deprecated; use HTTPRoute.fault.delay.percentage '
          + `(percentage: {value: ${num(delay.percent)}}).`,
      });
    });
  }

  for (const sc of ctx.all('Sidecar')) {
    const policy = obj(sc.spec.outboundTrafficPolicy);
    if (policy.egressProxy === undefined || policy.egressProxy === null) continue;
    ctx.report({
      item: sc,
      rule: RULES.deprecated,
      field: 'spec.outboundTrafficPolicy.egressProxy',
      message: 'Deprecated: OutboundTrafficPolicy.EgressProxy ignored. Remove it, and send outbound traffic through an egress gateway '
        + 'with a ServiceEntry and a VirtualService instead.',
    });
  }

  const lightstep = new Set(arr(ctx.meshConfig.extensionProviders).map(obj)
    .filter(p => p.lightstep !== undefined).map(p => str(p.name)).filter((n): n is string => !!n));
  if (lightstep.size === 0) return;
  for (const t of ctx.all('Telemetry')) {
    arr(t.spec.tracing).forEach((tracing, i) => {
      arr(obj(tracing).providers).forEach((p, j) => {
        const name = str(obj(p).name);
        if (!name || !lightstep.has(name)) return;
        ctx.report({
          item: t,
          rule: RULES.deprecated,
          field: `spec.tracing[${i}].providers[${j}].name`,
          message: `Deprecated: The Lightstep provider ${name} is deprecated, please migrate to OpenTelemetry provider `
            + '(an extensionProviders entry with opentelemetry, pointing at a collector).',
        });
      });
    });
  }
}
