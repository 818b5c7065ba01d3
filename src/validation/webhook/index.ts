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

/** The validators by API group and kind. Every served version of a group is accepted. */
const VALIDATORS: Record<string, Record<string, KindValidator>> = {
  'networking.istio.io': {
    VirtualService: validateVirtualService,
    DestinationRule: validateDestinationRule,
    Gateway: validateGateway,
    ServiceEntry: validateServiceEntry,
    Sidecar: validateSidecar,
    EnvoyFilter: validateEnvoyFilter,
    WorkloadEntry: validateWorkloadEntry,
    WorkloadGroup: validateWorkloadGroup,
    ProxyConfig: validateProxyConfig,
  },
  'security.istio.io': {
    AuthorizationPolicy: validateAuthorizationPolicy,
    RequestAuthentication: validateRequestAuthentication,
    PeerAuthentication: validatePeerAuthentication,
  },
  'telemetry.istio.io': {
    Telemetry: validateTelemetry,
  },
  'extensions.istio.io': {
    WasmPlugin: validateWasmPlugin,
  },
};

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
    const group = obj.apiVersion.slice(0, obj.apiVersion.indexOf('/'));
    const validator = VALIDATORS[group]?.[obj.kind];
    if (validator === undefined || !Object.prototype.hasOwnProperty.call(VALIDATORS[group], obj.kind)) return [];
    const spec = obj.spec === undefined || obj.spec === null ? {} : obj.spec;
    if (!isObj(spec)) return []; // a schema error: the CRD layer reports it

    const metadata = isObj(obj.metadata) ? obj.metadata : {};
    const namespace = typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : undefined;
    const ctx = new Ctx(obj.kind, str(metadata.name), namespace, obj.apiVersion);
    try {
      checkDryRun(ctx, metadata, obj.kind === 'AuthorizationPolicy' && group === 'security.istio.io' ? str(spec.action) || 'ALLOW' : undefined);
      validator(ctx, spec);
    } catch (e) {
      ctx.report(RULES.internalError, 'spec', `the webhook checks failed on this object (${(e as Error)?.message ?? String(e)}); please report this as a cdk8s-istio bug`);
    }
    return ctx.findings;
  }

  private constructor() {}
}
