import { Chart, Names } from 'cdk8s';
import { Construct } from 'constructs';
import { addSynthValidation } from '../core/cross-check';
import { constructMessage, throwPropError } from '../core/errors';
import { PolicyTargetRef } from '../core/target-ref';
import { WorkloadSelector } from '../core/workload-selector';
import { ExtAuthzProvider, ProviderUse } from '../mesh/extension-provider';
import { MeshConfig } from '../mesh/mesh-config';
import { providerReferenceProblem } from '../mesh/mesh-registry';
import { AuthorizationAction, AuthorizationPolicy } from '../security/authorization-policy';
import { AuthorizationOperation } from '../security/authz-rule';

/** Props of an ExternalAuthorization. */
export interface ExternalAuthorizationProps {
  /**
   * The external authorizer: `ExtAuthzProvider.oauth2Proxy()`, `opa()`, `http()`,
   * `grpc()`, or `fromName()` for one declared in a mesh config outside the app.
   */
  readonly provider: ExtAuthzProvider;

  /**
   * The MeshConfig of the app to register the provider in. Leave it out when the mesh
   * config lives elsewhere (the installation's values): the policy then refers to the
   * provider by name, and the mesh config must declare it (the analyzer reports it
   * otherwise, CDK8S-ISTIO-A030).
   *
   * @default - the provider is not registered by this construct
   */
  readonly meshConfig?: MeshConfig;

  /**
   * `metadata.name` of the AuthorizationPolicy.
   *
   * @default - derived from the construct path, without a hash
   */
  readonly name?: string;

  /**
   * The namespace of the AuthorizationPolicy: the workloads' (or the gateway's).
   *
   * @default - the chart's namespace
   */
  readonly namespace?: string;

  /**
   * The workloads whose incoming requests are checked. Excludes `targetRefs`.
   *
   * @default - every workload of the namespace, unless `targetRefs` is set; refused in
   *   the root namespace (the whole mesh, including the authorizer itself) and in the
   *   authorizer's own namespace
   */
  readonly selector?: WorkloadSelector;

  /**
   * The gateways or services whose requests are checked (a Gateway API gateway, or a
   * waypoint's Service). Excludes `selector`.
   *
   * @default - the workloads picked by `selector`
   */
  readonly targetRefs?: PolicyTargetRef[];

  /**
   * Only requests to these paths are checked (exact, `/prefix*`, `*suffix`, or path
   * templates such as `/api/{**}`).
   *
   * @default - every path
   */
  readonly paths?: string[];

  /**
   * Only requests for these hosts (`Host` header; exact, prefix or suffix) are checked.
   *
   * @default - every host
   */
  readonly hosts?: string[];

  /**
   * Paths that are never sent to the authorizer: public paths such as `/healthz` or
   * `/static/*`. Everything else (of `paths`, if given) is checked.
   *
   * @default - none: every request is checked
   */
  readonly notPaths?: string[];
}

/**
 * Sends the requests to some workloads through an external authorizer first
 * (OAuth2 Proxy, an OPA ext-authz server, or any Envoy ext_authz service): a CUSTOM
 * AuthorizationPolicy naming the provider (`policy`), and the provider's registration
 * in the app's `MeshConfig` (`extensionProviders` entry with `envoyExtAuthzHttp` or
 * `envoyExtAuthzGrpc`).
 *
 * CUSTOM policies are evaluated before DENY and ALLOW: a request the authorizer denies
 * never reaches the workload, whatever the ALLOW policies say; one it allows still
 * goes through them.
 *
 * Secure by default:
 * - every request to the selected workloads is checked, unless `paths`/`hosts` narrow
 *   it or `notPaths` exempts it; an exemption of every path (`*`, `/*`) is refused;
 * - the authorizer fails closed (`ExtAuthzProvider`: no `failOpen`, errors get 403);
 * - a namespace-wide policy is refused in the root namespace (the whole mesh) and in
 *   the authorizer's own namespace: the authorizer's check requests would be sent to
 *   itself.
 *
 * Checks: as above, and when the app has a MeshConfig but the provider is registered
 * in none of them (no `meshConfig` given), synth fails; without any MeshConfig in the
 * app the analyzer reports it (CDK8S-ISTIO-A030, Info in an open world).
 *
 * @see https://istio.io/latest/docs/tasks/security/authorization/authz-custom/
 */
export class ExternalAuthorization extends Construct {
  /** The CUSTOM AuthorizationPolicy. */
  public readonly policy: AuthorizationPolicy;
  /** The provider. */
  public readonly provider: ExtAuthzProvider;
  /** The MeshConfig the provider is registered in, if any. */
  public readonly meshConfig?: MeshConfig;

  public constructor(scope: Construct, id: string, props: ExternalAuthorizationProps) {
    super(scope, id);
    this.provider = props.provider;
    this.meshConfig = props.meshConfig;
    const namespace = props.namespace ?? Chart.of(this).namespace;

    if (props.selector === undefined && props.targetRefs === undefined) {
      if (namespace === 'istio-system') {
        throwPropError(this, 'selector', undefined,
          'a CUSTOM policy in the root namespace without selector or targetRefs sends every request of the mesh to the authorizer, its own check requests included: '
          + 'pick the workloads with selector, or the gateway with targetRefs');
      }
      const authorizerNamespace = serviceNamespace(this.provider._service);
      if (authorizerNamespace !== undefined && authorizerNamespace === namespace) {
        throwPropError(this, 'selector', undefined,
          `the authorizer (${this.provider._service}) runs in namespace "${namespace}", where a policy without selector or targetRefs would send its own check requests to itself: `
          + 'pick the protected workloads with selector');
      }
    }
    (props.notPaths ?? []).forEach((p, i) => {
      if (p === '*' || p === '/*' || p === '/{**}') {
        throwPropError(this, `notPaths[${i}]`, p, 'exempts every path, so the authorizer is never asked: list the public paths only (e.g. "/healthz"), or remove the ExternalAuthorization');
      }
    });

    if (this.meshConfig) this.meshConfig.addExtensionProvider(this.provider);

    const operation: AuthorizationOperation = { paths: props.paths, hosts: props.hosts, notPaths: props.notPaths };
    const hasOperation = Object.values(operation).some(v => v !== undefined);
    this.policy = new AuthorizationPolicy(this, 'Policy', {
      metadata: { name: props.name ?? Names.toDnsLabel(this, { includeHash: false }), namespace },
      selector: props.selector,
      targetRefs: props.targetRefs,
      action: AuthorizationAction.CUSTOM,
      provider: this.provider.name,
      rules: [hasOperation ? { to: [operation] } : {}],
    });

    if (!this.meshConfig) {
      addSynthValidation(this, () => {
        const problem = providerReferenceProblem(this, this.provider.name, ProviderUse.AUTHORIZATION);
        return problem ? [constructMessage(this, `invalid provider "${this.provider.name}": ${problem} (or pass it here with the meshConfig prop)`)] : [];
      });
    }
  }

  /** The provider's name, as the policy names it. */
  public get providerName(): string {
    return this.provider.name;
  }
}

/** The namespace of a provider service `<name>.<namespace>.svc[.<domain>]` or `<namespace>/<host>`, if it says. */
function serviceNamespace(service: string | undefined): string | undefined {
  if (service === undefined) return undefined;
  const slash = service.indexOf('/');
  if (slash >= 0) return service.slice(0, slash);
  const labels = service.split('.');
  return labels.length >= 3 && labels[2] === 'svc' ? labels[1] : undefined;
}
