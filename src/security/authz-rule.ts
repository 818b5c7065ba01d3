import { Principal } from '../core/principal';

/**
 * Who sends a request. The fields of one source are ANDed; the items of one field
 * are ORed. `not*` fields match what none of their items match.
 *
 * Identity fields (`principals`, `namespaces`, `serviceAccounts`, `trustDomains`)
 * come from the peer's mTLS certificate, so they never match plaintext callers.
 *
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source
 */
export interface AuthorizationSource {
  /**
   * Peer identities (`source.principal`), e.g. `Principal.serviceAccount('default', 'productpage')`.
   * @default - any principal
   */
  readonly principals?: Principal[];
  /**
   * Peer identities that must not match. `[Principal.any()]` matches plaintext callers.
   * @default - none excluded
   */
  readonly notPrincipals?: Principal[];
  /**
   * Request (JWT) identities, `"<issuer>/<subject>"` (`request.auth.principal`); `*` is
   * any valid token. Needs a RequestAuthentication for the issuer.
   * @default - any request principal, or none
   */
  readonly requestPrincipals?: string[];
  /**
   * Request identities that must not match. `['*']` matches requests without a valid token.
   * @default - none excluded
   */
  readonly notRequestPrincipals?: string[];
  /**
   * Namespaces of the peer, from its certificate (`source.namespace`).
   * @default - any namespace
   */
  readonly namespaces?: string[];
  /**
   * Namespaces that must not match.
   * @default - none excluded
   */
  readonly notNamespaces?: string[];
  /**
   * Kubernetes service accounts of the peer, `"namespace/name"`, at most 16, no
   * wildcards. Excludes `principals`, `notPrincipals`, `namespaces` and
   * `notNamespaces` in the same source.
   * @default - any service account
   */
  readonly serviceAccounts?: string[];
  /**
   * Service accounts that must not match (same format and limits as `serviceAccounts`).
   * @default - none excluded
   */
  readonly notServiceAccounts?: string[];
  /**
   * Trust domains of the peer's identity, e.g. `cluster.local`.
   * @default - any trust domain
   */
  readonly trustDomains?: string[];
  /**
   * Trust domains that must not match.
   * @default - none excluded
   */
  readonly notTrustDomains?: string[];
  /**
   * Source IP addresses or CIDR blocks of the connection (`source.ip`).
   * @default - any address
   */
  readonly ipBlocks?: string[];
  /**
   * Source addresses that must not match.
   * @default - none excluded
   */
  readonly notIpBlocks?: string[];
  /**
   * Original client addresses, from X-Forwarded-For or the PROXY protocol
   * (`remote.ip`); needs `numTrustedProxies` in the gateway topology.
   * @default - any address
   */
  readonly remoteIpBlocks?: string[];
  /**
   * Original client addresses that must not match.
   * @default - none excluded
   */
  readonly notRemoteIpBlocks?: string[];
}

/**
 * What a request does. The fields of one operation are ANDed; the items of one
 * field are ORed. `hosts`, `methods` and `paths` are HTTP attributes: only use them
 * for HTTP traffic.
 *
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#Operation
 */
export interface AuthorizationOperation {
  /**
   * Hosts (the Host/authority header, case-insensitive), e.g. `api.example.com`, `*.example.com`.
   * @default - any host
   */
  readonly hosts?: string[];
  /**
   * Hosts that must not match.
   * @default - none excluded
   */
  readonly notHosts?: string[];
  /**
   * Upper-case HTTP methods, e.g. `GET`, `POST` (gRPC is always `POST`).
   * @default - any method
   */
  readonly methods?: string[];
  /**
   * Methods that must not match.
   * @default - none excluded
   */
  readonly notMethods?: string[];
  /**
   * Paths, e.g. `/api/v1/users`, `/api/*` (prefix), `*.html` (suffix), or templates
   * `/users/{*}/info`, `/static/{**}`. For gRPC: `/package.Service/Method`.
   * @default - any path
   */
  readonly paths?: string[];
  /**
   * Paths that must not match.
   * @default - none excluded
   */
  readonly notPaths?: string[];
  /**
   * Destination ports of the connection (the workload's port, not the Service's).
   * @default - any port
   */
  readonly ports?: number[];
  /**
   * Ports that must not match.
   * @default - none excluded
   */
  readonly notPorts?: number[];
}

/**
 * An extra condition on an Istio attribute.
 *
 * Keys Istio supports: `request.headers[NAME]`, `source.ip`, `remote.ip`,
 * `source.namespace`, `source.serviceAccount`, `source.principal`,
 * `request.auth.principal`, `request.auth.audiences`, `request.auth.presenter`,
 * `request.auth.claims[NAME]` (nested: `request.auth.claims[a][b]`), `destination.ip`,
 * `destination.port`, `connection.sni`, `experimental.envoy.filters.*[...]`.
 *
 * @see https://istio.io/latest/docs/reference/config/security/conditions/
 */
export interface AuthorizationCondition {
  /** The attribute, e.g. `request.auth.claims[iss]`. */
  readonly key: string;
  /**
   * Values, one of which must match. At least one of `values` and `notValues` is required.
   * @default - no positive match
   */
  readonly values?: string[];
  /**
   * Values none of which may match.
   * @default - no negative match
   */
  readonly notValues?: string[];
}

/**
 * One rule of an AuthorizationPolicy: it matches when one of its sources, one of
 * its operations and all of its conditions match. An empty rule (`{}`) matches
 * every request.
 *
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#Rule
 */
export interface AuthorizationRule {
  /**
   * The sources (ORed). Each must set at least one field.
   * @default - any source
   */
  readonly from?: AuthorizationSource[];
  /**
   * The operations (ORed). Each must set at least one field.
   * @default - any operation
   */
  readonly to?: AuthorizationOperation[];
  /**
   * The conditions (ANDed).
   * @default - no condition
   */
  readonly when?: AuthorizationCondition[];
}
