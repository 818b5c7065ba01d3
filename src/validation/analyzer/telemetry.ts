/**
 * Telemetry providers (Istio's `telemetry.ProviderAnalyzer`), IST0157: an access
 * logging entry with no provider while the mesh config names no default access log
 * provider (Istio's check: istiod ignores the entry), and, beyond Istio, a provider
 * name that is neither a built-in provider nor one of the mesh config's
 * `extensionProviders` (istiod skips it, so the entry does nothing).
 *
 * The mesh config is `ctx.meshConfig`; istiod adds the built-in providers
 * `prometheus`, `stackdriver` and `envoy` (file access log to /dev/stdout) to the
 * configured ones. Open world without a mesh config in the input or the options, an
 * unknown provider name is Info (the cluster's mesh config may define it), unless it is
 * a near miss of a known one ("did you mean").
 *
 * Internal module: not part of the public API.
 */
import { FindingLevel } from '../findings';
import { Context } from './context';
import { NearNames } from './raw-objects';
import { RULES } from './rules';
import { arr, list, obj, q, str } from './util';

/** The providers of Istio's default mesh config, merged with the configured ones. */
export const BUILT_IN_PROVIDERS = ['prometheus', 'stackdriver', 'envoy'];

const SECTIONS = ['accessLogging', 'metrics', 'tracing'];

export function checkTelemetryProviders(ctx: Context): void {
  const mesh = ctx.meshConfig;
  const meshKnown = Object.keys(mesh).length > 0 || ctx.find('ConfigMap', 'istio-system', 'istio') !== undefined;
  const providers = new Set([...BUILT_IN_PROVIDERS, ...arr(mesh.extensionProviders).map(p => str(obj(p).name)).filter((n): n is string => !!n)]);
  const defaultAccessLogging = arr(obj(mesh.defaultProviders).accessLogging).length > 0;
  const known = list([...providers].sort());
  const near = new NearNames([...providers]);

  for (const t of ctx.all('Telemetry')) {
    if (!defaultAccessLogging) {
      arr(t.spec.accessLogging).forEach((entry, i) => {
        const e = obj(entry);
        if (e.disabled === true || arr(e.providers).length > 0) return;
        ctx.report({
          item: t,
          rule: RULES.invalidTelemetryProvider,
          field: `spec.accessLogging[${i}]`,
          message: `The Telemetry ${t.name} in namespace ${q(t.ns)} with empty providers will be ignored. `
            + 'Name a provider (for example envoy), or set defaultProviders.accessLogging in the mesh config.',
        });
      });
    }
    for (const section of SECTIONS) {
      arr(t.spec[section]).forEach((entry, i) => {
        arr(obj(entry).providers).forEach((p, j) => {
          const name = str(obj(p).name);
          if (!name || providers.has(name)) return;
          const meant = near.near(name)[0];
          ctx.report({
            item: t,
            rule: RULES.invalidTelemetryProvider,
            field: `spec.${section}[${i}].providers[${j}].name`,
            // a near miss is most likely a typo, in either world
            level: ctx.openWorld && !meshKnown && meant === undefined ? FindingLevel.INFO : undefined,
            message: `The Telemetry ${t.name} in namespace ${q(t.ns)} refers to provider ${q(name)}, which is not a provider of the mesh config ${known}`
              + `${meant !== undefined ? `; did you mean ${q(meant)}?` : ''}: istiod ignores it. Define it in the mesh config's extensionProviders, or fix the name.`,
          });
        });
      });
    }
  }
}
