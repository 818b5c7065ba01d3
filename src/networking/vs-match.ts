import { IGateway } from '../core/references';
import { StringMatch } from '../core/string-match';

/**
 * Conditions an HTTP request must meet for a route rule to apply. All the
 * conditions of one match must hold (AND); the matches of a rule are alternatives (OR).
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMatchRequest
 */
export interface HttpMatchRequest {
  /**
   * A name for the match, joined to the route's name in access logs.
   * @default - none
   */
  readonly name?: string;

  /**
   * The path (`StringMatch.prefix('/api/')`, `exact`, `regex`).
   * @default - any path
   */
  readonly uri?: StringMatch;

  /**
   * The URI scheme (`http`, `https`).
   * @default - any scheme
   */
  readonly scheme?: StringMatch;

  /**
   * The HTTP method (`StringMatch.exact('GET')`).
   * @default - any method
   */
  readonly method?: StringMatch;

  /**
   * The authority (Host header).
   * @default - any authority
   */
  readonly authority?: StringMatch;

  /**
   * Headers that must be present and match, keyed by lowercase header name.
   * A key `@request.auth.claims.<claim>` matches a claim of the validated JWT (gateways only).
   * @default - no header condition
   */
  readonly headers?: { [name: string]: StringMatch };

  /**
   * Headers that must NOT match (or be absent), keyed by lowercase header name.
   * @default - no header condition
   */
  readonly withoutHeaders?: { [name: string]: StringMatch };

  /**
   * Query parameters, keyed by name; `exact` or `regex` only.
   * @default - no query parameter condition
   */
  readonly queryParams?: { [name: string]: StringMatch };

  /**
   * Match the `uri` case-insensitively.
   * @default false
   */
  readonly ignoreUriCase?: boolean;

  /**
   * The port of the host addressed (for services with several ports).
   * @default - any port
   */
  readonly port?: number;

  /**
   * Apply only to requests from workloads with these labels.
   * @default - any source workload
   */
  readonly sourceLabels?: { [key: string]: string };

  /**
   * Apply only to requests from workloads of this namespace.
   * @default - any source namespace
   */
  readonly sourceNamespace?: string;

  /**
   * Apply only on these gateways (overrides the VirtualService's `gateways` for this match).
   * @default - the VirtualService's gateways
   */
  readonly gateways?: IGateway[];

  /**
   * Apply only on these gateways, by name: `<namespace>/<name>`, `<name>` or
   * `mesh` (the sidecars). Combined with `gateways`.
   * @default - the VirtualService's gateways
   */
  readonly gatewayNames?: string[];

  /**
   * The prefix of the statistics Envoy emits for this route.
   * @default - none
   */
  readonly statPrefix?: string;
}

/**
 * Conditions a TCP connection must meet for a TCP route rule to apply.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#L4MatchAttributes
 */
export interface L4MatchAttributes {
  /**
   * The port of the host addressed.
   * @default - any port
   */
  readonly port?: number;

  /**
   * Destination IP addresses or CIDR blocks (`10.1.0.0/16`).
   * @default - any destination address
   */
  readonly destinationSubnets?: string[];

  /**
   * The source IP address or CIDR block.
   * @default - any source address
   */
  readonly sourceSubnet?: string;

  /**
   * Apply only to connections from workloads with these labels.
   * @default - any source workload
   */
  readonly sourceLabels?: { [key: string]: string };

  /**
   * Apply only to connections from workloads of this namespace.
   * @default - any source namespace
   */
  readonly sourceNamespace?: string;

  /**
   * Apply only on these gateways (overrides the VirtualService's `gateways` for this match).
   * @default - the VirtualService's gateways
   */
  readonly gateways?: IGateway[];

  /**
   * Apply only on these gateways, by name (`<namespace>/<name>`, `<name>` or `mesh`).
   * @default - the VirtualService's gateways
   */
  readonly gatewayNames?: string[];
}

/**
 * Conditions a TLS connection (not terminated) must meet for a TLS route rule to apply.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#TLSMatchAttributes
 */
export interface TlsMatchAttributes {
  /**
   * The SNI names to match; each must be covered by one of the VirtualService's
   * hosts (`api.example.com` is covered by `*.example.com`).
   */
  readonly sniHosts: string[];

  /**
   * The port of the host addressed.
   * @default - any port
   */
  readonly port?: number;

  /**
   * Destination IP addresses or CIDR blocks.
   * @default - any destination address
   */
  readonly destinationSubnets?: string[];

  /**
   * Apply only to connections from workloads with these labels.
   * @default - any source workload
   */
  readonly sourceLabels?: { [key: string]: string };

  /**
   * Apply only to connections from workloads of this namespace.
   * @default - any source namespace
   */
  readonly sourceNamespace?: string;

  /**
   * Apply only on these gateways (overrides the VirtualService's `gateways` for this match).
   * @default - the VirtualService's gateways
   */
  readonly gateways?: IGateway[];

  /**
   * Apply only on these gateways, by name (`<namespace>/<name>`, `<name>` or `mesh`).
   * @default - the VirtualService's gateways
   */
  readonly gatewayNames?: string[];
}
