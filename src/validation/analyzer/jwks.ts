/**
 * IST0175 JwksUriFetchUnrestricted (Istio's `authn.BlockedCIDRsAnalyzer`): the input
 * holds RequestAuthentications and an istiod Deployment (label `app: istiod`) none of
 * whose containers sets `BLOCKED_CIDRS_IN_JWKS_URIS`. istiod fetches every `jwksUri`
 * itself, so whoever may create a RequestAuthentication can make istiod send requests
 * to any address, internal ones included. As in Istio, nothing is reported when the
 * input holds no istiod Deployment (an app's manifests usually do not install Istio).
 *
 * Internal module: not part of the public API.
 */
import { Context } from './context';
import { RULES } from './rules';
import { arr, obj, str } from './util';

const ENV = 'BLOCKED_CIDRS_IN_JWKS_URIS';
const MAX_LISTED = 5;

export function checkJwksFetch(ctx: Context): void {
  const names = ctx.all('RequestAuthentication').filter(r => r.source).map(r => `${r.ns}/${r.name}`).sort();
  if (names.length === 0) return;
  const listed = names.length <= MAX_LISTED ? names.join(', ') : `${names.slice(0, MAX_LISTED).join(', ')}, and ${names.length - MAX_LISTED} more`;
  for (const d of ctx.all('Deployment')) {
    if (!d.source || d.labels.app !== 'istiod') continue;
    const containers = arr(obj(obj(d.spec.template).spec).containers).map(obj);
    const configured = containers.some(c => arr(c.env).map(obj)
      .some(e => e.name === ENV && (str(e.value) !== undefined || e.valueFrom !== undefined)));
    if (configured) continue;
    ctx.report({
      item: d,
      rule: RULES.jwksUriFetchUnrestricted,
      field: 'spec.template.spec.containers',
      message: `${ENV} is not configured but ${names.length} RequestAuthentication resource(s) exist (${listed}). `
        + 'Consider configuring it to restrict JWKS URI fetches to trusted networks: set the environment variable on the discovery container '
        + `(Helm and IstioOperator: values.pilot.env.${ENV}) to the CIDRs istiod must not connect to, e.g. "10.0.0.0/8,169.254.169.254/32".`,
    });
  }
}
