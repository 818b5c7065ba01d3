import { Finding } from '../findings';
import { checkDryRun } from './checks/common';
import { Ctx, Obj, isObj, str } from './context';
import { validateRequestAuthentication, validatePeerAuthentication } from './kinds/authentication';
import { validateAuthorizationPolicy } from './kinds/authorization-policy';
import { validateDestinationRule } from './kinds/destination-rule';
import { validateEnvoyFilter } from './kinds/envoy-filter';
import { validateGateway } from './kinds/gateway';
import { validateProxyConfig } from './kinds/proxy-config';
import { validateServiceEntry } from './kinds/service-entry';
import { validateSidecar } from './kinds/sidecar';
import { validateTelemetry } from './kinds/telemetry';
import { validateVirtualService } from './kinds/virtual-service';
import { validateWasmPlugin } from './kinds/wasm-plugin';
import { validateWorkloadEntry, validateWorkloadGroup } from './kinds/workload';
import { RULES } from './rules';

type KindValidator = (ctx: Ctx, spec: Obj) => void;

/** The validators by `<group>/<kind>`. Every served version of a group is accepted. */
const VALIDATORS = new Map<string, KindValidator>([
  ['networking.istio.io/VirtualService', validateVirtualService],
  ['networking.istio.io/DestinationRule', validateDestinationRule],
  ['networking.istio.io/Gateway', validateGateway],
  ['networking.istio.io/ServiceEntry', validateServiceEntry],
  ['networking.istio.io/Sidecar', validateSidecar],
  ['networking.istio.io/EnvoyFilter', validateEnvoyFilter],
  ['networking.istio.io/WorkloadEntry', validateWorkloadEntry],
  ['networking.istio.io/WorkloadGroup', validateWorkloadGroup],
  ['networking.istio.io/ProxyConfig', validateProxyConfig],
  ['security.istio.io/AuthorizationPolicy', validateAuthorizationPolicy],
  ['security.istio.io/RequestAuthentication', validateRequestAuthentication],
  ['security.istio.io/PeerAuthentication', validatePeerAuthentication],
  ['telemetry.istio.io/Telemetry', validateTelemetry],
  ['extensions.istio.io/WasmPlugin', validateWasmPlugin],
]);

/**
 * The checks Istio's validating admission webhook (istiod) makes beyond the CRD
 * schemas: cross-field rules such as route weights, TLS settings, selector vs
 * targetRef, host syntax, RE2 regexes and durations.
 *
 * Works on plain manifest objects (as synthesized or parsed from YAML). Wrong
 * types are skipped (the CRD layer reports them); it never throws.
 */
export class WebhookValidator {
  /** Istio's admission-webhook checks for one object; [] for kinds it does not know. */
  public static validate(obj: any): Finding[] {
    if (!isObj(obj) || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') return [];
    const slash = obj.apiVersion.indexOf('/');
    const group = slash < 0 ? '' : obj.apiVersion.slice(0, slash);
    const validator = VALIDATORS.get(`${group}/${obj.kind}`);
    if (validator === undefined) return [];
    const spec = obj.spec === undefined || obj.spec === null ? {} : obj.spec;
    if (!isObj(spec)) return []; // a schema error: the CRD layer reports it

    const metadata = isObj(obj.metadata) ? obj.metadata : {};
    const namespace = typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : undefined;
    const ctx = new Ctx(obj.kind, str(metadata.name), namespace, obj.apiVersion);
    try {
      checkDryRun(ctx, metadata, validator === validateAuthorizationPolicy ? str(spec.action) || 'ALLOW' : undefined);
      validator(ctx, spec);
    } catch (e) {
      ctx.report(RULES.internalError, 'spec', `the webhook checks failed on this object (${(e as Error)?.message ?? String(e)}); please report this as a cdk8s-istio bug`);
    }
    return ctx.findings;
  }

  private constructor() {}
}
