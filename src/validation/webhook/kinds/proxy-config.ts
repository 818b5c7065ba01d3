import { checkWorkloadSelector } from '../checks/common';
import { Ctx, Obj, int, obj } from '../context';
import { RULES } from '../rules';

/** Istio's admission checks for a ProxyConfig. */
export function validateProxyConfig(ctx: Ctx, spec: Obj): void {
  checkWorkloadSelector(ctx, 'spec.selector', spec.selector, 'matchLabels');
  // concurrency is an Int32Value: a number, or {value: n}
  const concurrency = int(obj(spec.concurrency)?.value ?? spec.concurrency);
  if (concurrency !== undefined && concurrency < 0) {
    ctx.report(RULES.concurrencyNegative, 'spec.concurrency', `concurrency ${concurrency} is negative; use 0 for one worker per CPU, or a positive count`);
  }
}
