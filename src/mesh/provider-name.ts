/**
 * The syntax of an extension provider name, shared by the MeshConfig, the Telemetry
 * and the authorization constructs. Internal: not part of the public (jsii) API.
 */
import { IConstruct } from 'constructs';
import { throwPropError } from '../core/errors';

/** Checks an extension provider name: not empty, no whitespace or control characters. */
export function checkProviderName(scope: IConstruct, prop: string, name: string): void {
  if (typeof name !== 'string' || name.length === 0 || /[\s\x00-\x1f]/.test(name)) {
    throwPropError(scope, prop, name, 'a provider name is not empty and has no whitespace, e.g. "oauth2-proxy" or "otel"');
  }
}
