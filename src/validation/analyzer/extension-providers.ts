/**
 * CDK8S-ISTIO-A030 UnknownExtensionProvider: an AuthorizationPolicy with action CUSTOM
 * whose `provider.name` is not an `extensionProviders` entry of the mesh config, or is
 * one that is no external authorizer (`envoyExtAuthzHttp` / `envoyExtAuthzGrpc`).
 * istiod cannot build the ext_authz filter, and (as Istio documents for CUSTOM policies
 * with a missing provider) the workload denies the requests the policy matches.
 *
 * Istio's analyzers have no such check (IST0157 covers Telemetry providers only), and
 * the webhook only checks that a name is given (CDK8S-ISTIO-W401).
 *
 * The mesh config is `ctx.meshConfig`. Open world without a mesh config in the input or
 * the options, the finding is Info: the cluster's mesh config may define the provider.
 *
 * Internal module: not part of the public API.
 */
import { FindingLevel } from '../findings';
import { Context } from './context';
import { RULES } from './rules';
import { arr, list, NameIndex, obj, q, str } from './util';

const EXT_AUTHZ_KINDS = ['envoyExtAuthzHttp', 'envoyExtAuthzGrpc'];

export function checkExtensionProviders(ctx: Context): void {
  const policies = ctx.all('AuthorizationPolicy').filter(p => str(p.spec.action) === 'CUSTOM');
  if (policies.length === 0) return;
  const mesh = ctx.meshConfig;
  const meshKnown = Object.keys(mesh).length > 0 || ctx.find('ConfigMap', 'istio-system', 'istio') !== undefined;
  // provider name -> the kind of the first entry of that name (istiod keeps the first)
  const kinds = new Map<string, string>();
  const names = new NameIndex();
  for (const entry of arr(mesh.extensionProviders)) {
    const e = obj(entry);
    const name = str(e.name);
    if (!name || kinds.has(name)) continue;
    kinds.set(name, Object.keys(e).find(k => k !== 'name') ?? '');
    names.add('', name);
  }
  const authorizers = [...kinds].filter(([, kind]) => EXT_AUTHZ_KINDS.includes(kind)).map(([name]) => name).sort();

  for (const p of policies) {
    const name = str(obj(p.spec.provider).name);
    if (!name) continue; // CDK8S-ISTIO-W401
    const kind = kinds.get(name);
    if (kind !== undefined && EXT_AUTHZ_KINDS.includes(kind)) continue;
    const where = `The AuthorizationPolicy ${p.name} in namespace ${q(p.ns)}`;
    let message: string;
    if (kind !== undefined) {
      message = `${where} uses provider ${q(name)} with action CUSTOM, but that extension provider of the mesh config is ${kind || 'empty'}, not an external authorizer: `
        + 'name an envoyExtAuthzHttp or envoyExtAuthzGrpc provider.';
    } else {
      const meant = names.nearest('', name);
      message = `${where} uses provider ${q(name)} with action CUSTOM, which is not an extension provider of the mesh config `
        + `(external authorizers: ${list(authorizers)}): istiod cannot send the matched requests to it, and they are denied. `
        + `Add an envoyExtAuthzHttp or envoyExtAuthzGrpc entry of that name to the mesh config's extensionProviders, or fix the name${meant !== undefined ? ` (did you mean ${q(meant)}?)` : ''}.`;
    }
    ctx.report({
      item: p,
      rule: RULES.unknownExtensionProvider,
      field: 'spec.provider.name',
      level: ctx.openWorld && !meshKnown ? FindingLevel.INFO : undefined,
      message,
    });
  }
}
