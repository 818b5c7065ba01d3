import { IConstruct } from 'constructs';
import { propMessage } from './errors';

/**
 * The API the traffic patterns (CanaryRelease, EgressGateway, ...) write their
 * routing in. Spelled the way the option reads in the docs and the context key.
 */
export enum ApiMode {
  /** Istio's networking API (networking.istio.io VirtualService, Gateway, DestinationRule): the default. */
  ISTIO = 'istio',
  /**
   * The Kubernetes Gateway API (gateway.networking.k8s.io HTTPRoute, GRPCRoute, TCPRoute,
   * TLSRoute, Gateway of class `istio`, ReferenceGrant). A feature the Gateway API
   * cannot express fails at once, naming the feature, the prop and `ApiMode.ISTIO`.
   */
  GATEWAY_API = 'gateway-api',
}

/**
 * Selects the API of the traffic patterns for a whole app or chart.
 *
 * The mode is construct context under the key {@link OutputMode.CONTEXT_KEY}
 * (`cdk8s-istio:apiMode`), read by each pattern when it is made, from the pattern
 * up to the app: a chart's setting wins over the app's. Set it before adding
 * constructs to the scope (construct context cannot change once a scope has
 * children), with `OutputMode.set(app, ApiMode.GATEWAY_API)`, or as the context
 * entry itself (`new App({ ... })` users may set it with `app.node.setContext`).
 *
 * Only the traffic patterns read it. The resource-level L2s (VirtualService,
 * DestinationRule, ...) are Istio's API whatever the mode; the Gateway API's L1
 * classes are under `gatewayApi` / `gatewayApiX`.
 *
 * @example
 * const app = new App();
 * OutputMode.set(app, ApiMode.GATEWAY_API);
 * const chart = new Chart(app, 'bookinfo', { namespace: 'bookinfo' });
 * new CanaryRelease(chart, 'reviews', { host: 'reviews', stableHost: 'reviews-v1', canaryHost: 'reviews-v2', port: 9080, canaryWeight: 10 });
 */
export class OutputMode {
  /** The construct context key that holds the mode (`istio` or `gateway-api`). */
  public static readonly CONTEXT_KEY = 'cdk8s-istio:apiMode';

  /**
   * Sets the mode of an app or chart (any scope that has no children yet).
   * @param scope the App or Chart, before constructs are added to it
   * @param mode the API the patterns under it write
   */
  public static set(scope: IConstruct, mode: ApiMode): void {
    if (!Object.values(ApiMode).includes(mode)) {
      throw new Error(propMessage(scope, 'mode', mode, `one of ${Object.values(ApiMode).map(m => JSON.stringify(m)).join(', ')} (ApiMode.ISTIO, ApiMode.GATEWAY_API)`));
    }
    if (scope.node.children.length > 0) {
      throw new Error(propMessage(scope, 'mode', mode,
        `set the API mode before adding constructs to '${scope.node.path || '<app>'}' (it has ${scope.node.children.map(c => `'${c.node.id}'`).join(', ')}): patterns read it when they are made`));
    }
    scope.node.setContext(OutputMode.CONTEXT_KEY, mode);
  }

  /**
   * The mode of a construct: the nearest setting from the scope up to the app, or
   * `ApiMode.ISTIO`. Throws for a context value that is not a mode.
   */
  public static of(scope: IConstruct): ApiMode {
    const value = scope.node.tryGetContext(OutputMode.CONTEXT_KEY);
    if (value === undefined) return ApiMode.ISTIO;
    if (!Object.values(ApiMode).includes(value)) {
      throw new Error(propMessage(scope, `context "${OutputMode.CONTEXT_KEY}"`, value,
        `one of ${Object.values(ApiMode).map(m => JSON.stringify(m)).join(', ')}`));
    }
    return value as ApiMode;
  }

  private constructor() {}
}

/**
 * The message of a feature the chosen mode cannot express: names the construct, the
 * prop, the feature and the other mode. Internal helper.
 */
export function modeRefusal(scope: IConstruct, prop: string, value: unknown, feature: string, fix: string): string {
  return propMessage(scope, prop, value,
    `${feature} cannot be expressed in ApiMode.GATEWAY_API ("gateway-api", set by OutputMode on this app or chart): ${fix}, or set ApiMode.ISTIO ("istio") for this chart`);
}
