import { Finding, ManifestSource } from '../findings';
import { checkAmbientPolicies } from './ambient';
import { Context } from './context';
import { checkDeprecations } from './deprecation';
import { checkDestinationRules } from './destination-rule';
import { checkEnvoyFilters } from './envoy-filter';
import { checkExtensionProviders } from './extension-providers';
import { checkGateways } from './gateway';
import { checkGatewayCredentials } from './gateway-credentials';
import { checkJwksFetch } from './jwks';
import { checkMeshWorkloads } from './mesh-workload';
import { checkPolicyTargets } from './policy-targets';
import { checkProtocols } from './protocol';
import { RAW_KINDS, RawObjects } from './raw-objects';
import { checkRouteMatches } from './route-matches';
import { checkSelectors } from './selectors';
import { checkNamespaces, checkServiceEntries, checkServices } from './service';
import { checkTelemetryProviders } from './telemetry';
import { checkVirtualServices } from './virtual-service';
import { checkVmWorkloads } from './vm-workload';
import { checkWorkloads } from './workload';

/** Options of `CrossResourceAnalyzer.analyze`. */
export interface AnalyzerOptions {
  /**
   * Open world: the input is part of what runs in the cluster (an app's Services may
   * live in other repositories). A reference to an object outside the input is
   * reported at Info level, unless it is most likely a typo: a near miss of a known
   * name of the kind searched (another case, or an edit distance of 1 or 2 for names of
   * 4 or 6 characters or more, not a change of digits only), or the same name in another
   * namespace; the message then says what was most likely meant. A DestinationRule
   * subset that selects none of the host's pods in the input is its normal level when a
   * VirtualService of the input routes to it or its labels are a near miss of the pods',
   * else Info (versions are often rolled out separately from their routing).
   *
   * Closed world (`false`): the input is everything, plus a default installation (the
   * istio-system namespace, istiod, the ingress and egress gateways), as
   * `istioctl analyze` assumes.
   * @default false
   */
  readonly openWorld?: boolean;

  /**
   * The mesh config (the `mesh` key of the `istio` ConfigMap, or a MeshConfig
   * document), as a plain object. Read: `rootNamespace`,
   * `defaultConfig.proxyMetadata` (DNS auto-allocation), `extensionProviders` and
   * `defaultProviders` (Telemetry providers).
   * @default - the `istio` ConfigMap of istio-system in the input, else Istio's default mesh config (rootNamespace istio-system)
   */
  readonly meshConfig?: any;
}

/**
 * The cross-resource checks of `istioctl analyze` that work on manifests alone, with
 * Istio's message codes and levels (see
 * https://istio.io/latest/docs/reference/config/analysis/), plus the library's own
 * `CDK8S-ISTIO-Axxx` rules.
 *
 * Reads Istio objects and the Kubernetes objects they refer to: Services, Namespaces,
 * Pods and the pod templates of Deployments, StatefulSets, DaemonSets, ReplicaSets,
 * Jobs and CronJobs, Secrets and cert-manager Certificates (gateway credentials), and
 * Gateway API Gateways (the pods istiod deploys for them). Objects with schema errors are analyzed too: a missing or
 * mistyped field is skipped, never thrown on.
 */
export class CrossResourceAnalyzer {
  /**
   * Analyzes the objects together and returns the findings, grouped by object in
   * input order. Each finding carries the `constructPath` and `file` of its object.
   */
  public static analyze(sources: ManifestSource[], options: AnalyzerOptions = {}): Finding[] {
    const ctx = new Context(sources, options.openWorld === true, options.meshConfig);
    checkVirtualServices(ctx);
    checkRouteMatches(ctx);
    checkDestinationRules(ctx);
    checkGateways(ctx);
    checkServiceEntries(ctx);
    checkServices(ctx);
    checkNamespaces(ctx);
    checkSelectors(ctx);
    checkWorkloads(ctx);
    checkProtocols(ctx);
    checkMeshWorkloads(ctx);
    checkEnvoyFilters(ctx);
    const raw = new RawObjects(sources, RAW_KINDS);
    checkGatewayCredentials(ctx, raw);
    checkTelemetryProviders(ctx);
    checkExtensionProviders(ctx);
    checkDeprecations(ctx);
    checkPolicyTargets(ctx, raw);
    checkAmbientPolicies(ctx, raw);
    checkVmWorkloads(ctx, raw);
    checkJwksFetch(ctx);
    return ctx.results();
  }

  private constructor() {}
}
