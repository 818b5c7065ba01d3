import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { throwPropError } from './errors';

/**
 * Renders a cdk8s Duration the way Istio writes durations (`250ms`, `5s`, `1m`...).
 *
 * Istio's CRDs reject any duration under 1ms (also `0s`) and the webhook wants whole
 * milliseconds, so both are checked here with a message naming the construct and prop.
 *
 * @param scope the construct, for the message
 * @param prop the prop path, for the message
 * @param duration the value
 * @param minimum the smallest allowed value
 */
export function renderDuration(scope: IConstruct, prop: string, duration: Duration, minimum: Duration = Duration.millis(1)): string {
  const ms = duration.toMilliseconds({ integral: false });
  if (!Number.isInteger(ms)) {
    throwPropError(scope, prop, `${ms}ms`, 'Istio durations are whole milliseconds');
  }
  if (ms < minimum.toMilliseconds()) {
    throwPropError(scope, prop, `${ms}ms`, `must be at least ${minimum.toMilliseconds()}ms (to leave a timeout out, omit the prop)`);
  }
  return formatMillis(ms);
}

/** `90000` -> `90s`; `1500` -> `1500ms`; `3600000` -> `1h`. */
export function formatMillis(ms: number): string {
  if (ms === 0) return '0s';
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
