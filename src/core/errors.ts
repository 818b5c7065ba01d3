import { IConstruct } from 'constructs';

/**
 * Builds the messages of the library's checks. Every message names the construct
 * (its type and path), the prop, the value given and what is allowed, e.g.
 * `VirtualService 'app/reviews': http[0].timeout must be at least 1ms, got "0s"`.
 *
 * Internal helper: not part of the public API.
 */
export function describeConstruct(scope: IConstruct): string {
  // imports (`Gateway.fromGatewayName`) are private classes named `Imported<Kind>`
  const name = scope.constructor.name.replace(/^Imported/, '');
  return `${name} '${scope.node.path}'`;
}

/** Renders a value the user gave, short enough for one line. */
export function showValue(value: unknown): string {
  let text: string;
  if (value === undefined) {
    text = 'undefined';
  } else if (typeof value === 'string') {
    text = JSON.stringify(value);
  } else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** The message for one bad prop value. */
export function propMessage(scope: IConstruct, prop: string, value: unknown, allowed: string): string {
  return `${describeConstruct(scope)}: invalid ${prop} ${showValue(value)}: ${allowed}`;
}

/** Throws at once for a prop value the construct can reject on its own. */
export function throwPropError(scope: IConstruct, prop: string, value: unknown, allowed: string): never {
  throw new Error(propMessage(scope, prop, value, allowed));
}

/** A message without a single bad value (e.g. two props that exclude each other). */
export function constructMessage(scope: IConstruct, message: string): string {
  return `${describeConstruct(scope)}: ${message}`;
}

export function throwConstructError(scope: IConstruct, message: string): never {
  throw new Error(constructMessage(scope, message));
}
