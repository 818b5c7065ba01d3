/**
 * Workloads outside Kubernetes (VMs):
 * - CDK8S-ISTIO-A031: a WorkloadEntry that no ServiceEntry `workloadSelector` and no
 *   Service selector of its namespace selects (no host name reaches it);
 * - CDK8S-ISTIO-A032: a WorkloadEntry or WorkloadGroup whose service account is not
 *   in the input (the VM's identity: its token cannot be made, and policies that name
 *   the account name nothing).
 *
 * Istio's analyzers have neither.
 *
 * Internal module: not part of the public API.
 */
import { Context, Workload } from './context';
import { RawObjects, nearMiss } from './raw-objects';
import { RULES } from './rules';
import { obj, q, selectorString, str, strMap } from './util';

export function checkVmWorkloads(ctx: Context, raw: RawObjects): void {
  checkUnselectedEntries(ctx);
  checkServiceAccounts(ctx, raw);
}

/**
 * A031. Each ServiceEntry selector is resolved once through the label index, so the
 * cost is the number of selected workloads, not entries times ServiceEntries.
 * Services are already resolved by the Context (`servicesOf`). In an open world the
 * ServiceEntry may live elsewhere: Info, unless a ServiceEntry's selector of the
 * namespace is a near miss of the entry's labels.
 */
function checkUnselectedEntries(ctx: Context): void {
  const entries = ctx.workloads.filter(w => w.item.key === 'WorkloadEntry' && w.item.source);
  if (entries.length === 0) return;
  const selected = new Set<Workload>();
  const selectorsByNs = new Map<string, string[]>();
  // the ServiceEntries whose selector is a near miss of an entry's labels (a typo on either side)
  const nearMisses = new Map<Workload, string>();
  for (const se of ctx.all('ServiceEntry')) {
    const selector = strMap(obj(se.spec.workloadSelector).labels);
    if (Object.keys(selector).length === 0) continue;
    const what = `${se.name} (${selectorString(selector)})`;
    for (const w of ctx.select(selector, se.ns)) selected.add(w);
    selectorsByNs.set(se.ns, [...selectorsByNs.get(se.ns) ?? [], what]);
    const fixed = ctx.suggestSelector(selector, se.ns);
    if (fixed) for (const w of ctx.select(parseSelector(fixed), se.ns)) if (!nearMisses.has(w)) nearMisses.set(w, what);
  }
  for (const w of entries) {
    if (selected.has(w) || ctx.servicesOf(w).length > 0) continue;
    const meant = nearMisses.get(w);
    const known = selectorsByNs.get(w.ns) ?? [];
    const shown = known.length > 3 ? `${known.slice(0, 3).join(', ')} and ${known.length - 3} more` : known.join(', ');
    ctx.report({
      item: w.item,
      rule: RULES.workloadEntryNotSelected,
      level: ctx.refLevel(RULES.workloadEntryNotSelected, meant),
      field: 'spec.labels',
      message: `no ServiceEntry workloadSelector and no Service selector of namespace ${w.ns} selects this WorkloadEntry's labels ${q(selectorString(w.labels))}, so no host name reaches the workload `
        + `(ServiceEntries with a workloadSelector in ${w.ns}: ${shown || 'none'})${meant ? `; ServiceEntry ${meant} is a near miss of these labels` : ''}. Give the entry the labels a ServiceEntry selects, or add a ServiceEntry (location MESH_INTERNAL, resolution STATIC) whose workloadSelector matches them (VmWorkload makes both).`,
    });
  }
}

/** A032. `default` exists in every namespace. In an open world Info, unless a ServiceAccount of the namespace is a near miss. */
function checkServiceAccounts(ctx: Context, raw: RawObjects): void {
  const check = (w: Workload, account: string | undefined, field: string) => {
    if (account === undefined || account === 'default') return;
    if (raw.find('/ServiceAccount', w.ns, account)) return;
    const names = raw.names('/ServiceAccount', w.ns);
    const meant = names.filter(n => nearMiss(account, n)).sort()[0];
    ctx.report({
      item: w.item,
      rule: RULES.workloadServiceAccountNotFound,
      level: ctx.refLevel(RULES.workloadServiceAccountNotFound, meant),
      field,
      message: `service account ${q(account)} is not in namespace ${w.ns}${meant ? `; did you mean ${q(meant)}?` : ''}: it is the VM's mesh identity (spiffe://cluster.local/ns/${w.ns}/sa/${account}), `
        + 'the VM\'s istio-agent needs a token for it, and authorization policies that name it select nothing until it exists. '
        + `Create the ServiceAccount ${w.ns}/${account} (VmWorkload does, unless createServiceAccount is false).`,
    });
  };
  for (const w of ctx.workloads) {
    if (!w.item.source) continue;
    if (w.item.key === 'WorkloadEntry') check(w, str(w.item.spec.serviceAccount), 'spec.serviceAccount');
    else if (w.item.key === 'WorkloadGroup') check(w, str(obj(w.item.spec.template).serviceAccount), 'spec.template.serviceAccount');
  }
}

/** `k1=v1,k2=v2` (a `selectorString`; label keys and values hold no "," or "=") as labels. */
function parseSelector(text: string): Record<string, string> {
  return Object.fromEntries(text.split(',').map(pair => pair.split('=', 2) as [string, string]));
}
