import { FindingLevel } from '../findings';

/**
 * One rule of the webhook layer: a stable code, its level, the kinds it applies
 * to and one line on why. The catalog below is the single source of truth: the
 * validators report through it and docs/validation-webhook.md (webhook layer) is generated from it.
 */
export interface WebhookRule {
  readonly code: string;
  readonly level: FindingLevel;
  readonly kinds: string;
  readonly summary: string;
}

const E = FindingLevel.ERROR;
const W = FindingLevel.WARNING;
const I = FindingLevel.INFO;

function r(n: number, level: FindingLevel, kinds: string, summary: string): WebhookRule {
  return { code: `CDK8S-ISTIO-W${String(n).padStart(3, '0')}`, level, kinds, summary };
}

const POLICIES = 'AuthorizationPolicy, RequestAuthentication, Telemetry, WasmPlugin';
const ROUTES = 'VirtualService';

/**
 * Every rule, keyed by a short name. Codes are stable: never renumber, only add.
 */
export const RULES = {
  // ---- shared rules (W0xx) ----
  internalError: r(0, W, 'all kinds', 'The webhook layer failed on this object (a cdk8s-istio bug, please report it); the object was only partly checked.'),
  selectorOneOf: r(1, E, `${POLICIES}, EnvoyFilter`, 'A policy is scoped by a workload selector or by targetRef(s), never both.'),
  targetRefInvalid: r(2, E, POLICIES, 'A targetRef needs a name, no namespace (cross-namespace references are unsupported) and a kind Istio can attach to.'),
  selectorLabelInvalid: r(3, E, 'all kinds with a workload selector', 'Selector labels may not have an empty key or contain `*`.'),
  selectorWithoutLabels: r(4, W, 'all kinds with a workload selector', 'A selector without labels selects every workload of the namespace; that is rarely meant.'),
  exportToInvalid: r(5, E, 'VirtualService, DestinationRule, ServiceEntry', 'exportTo entries are `.`, `*` or a namespace, without duplicates; `*` stands alone; `~` only for a ServiceEntry and alone; a DestinationRule with a workloadSelector exports only to its own namespace.'),
  labelsInvalid: r(6, E, 'DestinationRule, VirtualService, ServiceEntry, WorkloadEntry, WorkloadGroup', 'Label keys and values must be valid Kubernetes label syntax.'),
  portOutOfRange: r(7, E, 'all kinds', 'Port numbers are 1..65535.'),
  durationInvalid: r(8, E, 'all kinds', 'Durations are Go duration strings of at least 1ms, in whole milliseconds (Envoy has no finer resolution).'),
  dryRunAnnotation: r(9, E, 'all kinds', 'The `istio.io/dry-run` annotation is only for ALLOW/DENY AuthorizationPolicies, with a boolean value.'),
  regexInvalid: r(10, E, 'VirtualService, EnvoyFilter', 'Regexes are RE2 (no lookaround, no backreferences), non-empty and at most 1024 characters, or Envoy rejects the config.'),
  portNameInvalid: r(11, E, 'ServiceEntry, Sidecar, WorkloadEntry', 'Port names are DNS labels.'),
  protocolUnsupported: r(12, E, 'Gateway, ServiceEntry, Sidecar', 'Port protocols are one of HTTP, HTTPS, HTTP2, GRPC, GRPC-WEB, HTTP_PROXY, TCP, TLS, UDP, MONGO, MYSQL, REDIS.'),
  ipInvalid: r(13, E, 'VirtualService, ServiceEntry, Gateway, Sidecar, AuthorizationPolicy', 'IP addresses and CIDR blocks must parse.'),
  percentageOutOfRange: r(14, E, 'VirtualService, DestinationRule, Telemetry', 'Percentages are 0..100 (fractional ones are 0 or at least 0.0001).'),
  hostnameInvalid: r(15, E, 'VirtualService, DestinationRule, ServiceEntry, Sidecar', 'Host names are DNS names; a wildcard is only allowed as the first label.'),
  unixAddressInvalid: r(16, E, 'Gateway, Sidecar, ServiceEntry, WorkloadEntry', 'A `unix://` address needs an absolute socket path (or an abstract `@name`).'),
  headerNameInvalid: r(17, E, 'VirtualService, RequestAuthentication, WorkloadGroup', 'Header names must be valid HTTP header names.'),

  // ---- VirtualService (W1xx) ----
  vsNoRoutes: r(100, E, ROUTES, 'A VirtualService needs an http, tcp or tls section.'),
  vsMeshWildcardHost: r(101, E, ROUTES, 'A VirtualService bound to the mesh (no gateways, or `mesh` listed) may not use the host `*`.'),
  vsDuplicateHosts: r(102, E, ROUTES, 'Hosts may not repeat or overlap (`*.example.com` covers `a.example.com`).'),
  vsDelegate: r(103, E, ROUTES, 'A delegate VirtualService (no hosts) takes no gateways, tls or tcp routes, and may not delegate again.'),
  vsRootRoute: r(104, E, ROUTES, 'An http route that delegates may not also have route or redirect.'),
  gatewayRefInvalid: r(105, E, ROUTES, 'Gateway references are `mesh`, `<name>` or `<namespace>/<name>` with DNS-label parts.'),
  gatewayRefLegacy: r(106, W, ROUTES, 'The legacy `<name>.<namespace>` gateway reference should be written `<namespace>/<name>`.'),
  vsJwtClaimMeshBound: r(107, E, ROUTES, 'JWT claim routing (`@request.auth.claims.*` header matches) works only on gateway-bound VirtualServices.'),
  httpRouteAction: r(108, E, ROUTES, 'Each http route has exactly one of route, redirect or directResponse (or delegate).'),
  httpRouteConflict: r(109, E, ROUTES, 'fault and rewrite cannot be combined with redirect or directResponse.'),
  mirrorAndMirrors: r(110, E, ROUTES, '`mirror` and `mirrors` are mutually exclusive.'),
  weightNegative: r(111, E, ROUTES, 'Route weights are >= 0.'),
  weightTotalZero: r(112, E, ROUTES, 'Several destinations whose weights sum to 0 send traffic nowhere.'),
  destinationRequired: r(113, E, ROUTES, 'Every route entry and mirror needs a destination.'),
  destinationHostWildcard: r(114, E, 'VirtualService, Sidecar', 'A destination host cannot be `*`.'),
  subsetNameInvalid: r(115, E, 'VirtualService, DestinationRule', 'Subset names are non-empty DNS labels.'),
  retryOnUnknown: r(116, E, ROUTES, '`retryOn` is a comma-separated list (no spaces) of Envoy retry policies or HTTP status codes.'),
  retriesInvalid: r(117, E, ROUTES, 'Retry attempts are >= 0, and retry settings need attempts > 0.'),
  stringMatchEmpty: r(118, E, ROUTES, 'A prefix or regex string match (and a CORS origin) may not be empty.'),
  headerOperationInvalid: r(119, E, ROUTES, 'Header manipulation may not touch Host or pseudo-headers, values must be valid Envoy header values, and the authority is rewritten in one place only.'),
  redirectInvalid: r(120, E, ROUTES, 'A redirect sets uri, authority, scheme or port; redirectCode is 3xx; scheme is http or https.'),
  directResponseInvalid: r(121, E, ROUTES, 'A direct response has a status of 200..599 and a body under 1MB.'),
  directResponseLarge: r(122, W, ROUTES, 'Direct response bodies over 100KB slow down the control plane.'),
  faultInvalid: r(123, E, ROUTES, 'A fault has an abort and/or a delay, a valid HTTP or gRPC status, and no unsupported http2Error or exponentialDelay.'),
  faultAbortNoType: r(124, W, ROUTES, 'An abort fault without httpStatus or grpcStatus does nothing.'),
  rewriteInvalid: r(125, E, ROUTES, 'A rewrite sets uri or uriRegexRewrite (not both) and/or authority; uriRegexRewrite needs match and rewrite.'),
  corsInvalid: r(126, E, ROUTES, 'CORS methods must be HTTP methods and maxAge whole seconds.'),
  tlsRouteMatch: r(127, E, ROUTES, 'A tls route needs at least one match, and every match needs sniHosts.'),
  sniHostNotInHosts: r(128, E, ROUTES, 'Each sniHost must fall within the VirtualService hosts (wildcard-aware).'),
  sniHostIp: r(129, W, ROUTES, 'An IP address as SNI host goes against the SNI spec and most clients do not send it.'),
  l4RouteRequired: r(130, E, ROUTES, 'tcp and tls routes need a route.'),
  sourceNamespaceInvalid: r(131, E, ROUTES, 'match.sourceNamespace is a DNS label.'),
  mirrorPercentDeprecated: r(132, W, ROUTES, '`mirrorPercent` is deprecated; use `mirrorPercentage`.'),

  // ---- DestinationRule, traffic policy, client TLS (W2xx) ----
  subsetDuplicate: r(200, E, 'DestinationRule', 'Subset names are unique.'),
  trafficPolicyEmpty: r(201, E, 'DestinationRule', 'A trafficPolicy (and a port-level policy) must set at least one field.'),
  portPolicyNoPort: r(202, E, 'DestinationRule', 'A portLevelSettings entry needs a port.'),
  tunnelInvalid: r(203, E, 'DestinationRule', 'tunnel and proxyProtocol are exclusive; tunnel.protocol is CONNECT or POST; tunnel.targetHost is an FQDN or IP.'),
  outlierInvalid: r(204, E, 'DestinationRule', 'consecutiveLocalOriginFailures needs splitExternalLocalOriginErrors: true.'),
  outlierDeprecated: r(205, W, 'DestinationRule', 'outlierDetection.consecutiveErrors is deprecated; use consecutiveGatewayErrors or consecutive5xxErrors.'),
  connectionPoolInvalid: r(206, E, 'DestinationRule, Sidecar', 'A connectionPool sets http or tcp, with non-negative limits, and no useClientProtocol with h2UpgradePolicy UPGRADE.'),
  loadBalancerInvalid: r(207, E, 'DestinationRule', 'Consistent-hash and warmup settings must be complete and in range (cookie name, maglev tableSize prime < 5000011, ...).'),
  minimumRingSizeDeprecated: r(208, W, 'DestinationRule', 'consistentHash.minimumRingSize is deprecated; use ringHash.minimumRingSize.'),
  localityLbInvalid: r(209, E, 'DestinationRule', 'localityLbSetting: distribute xor failover, weights 1..100 summing to 100, localities well-formed and not overlapping.'),
  localityFailoverNoOutlier: r(210, W, 'DestinationRule', 'Locality failover only works with outlierDetection set.'),
  clientTlsMutualNoCert: r(211, E, 'DestinationRule', 'TLS mode MUTUAL needs clientCertificate and privateKey, or a credentialName.'),
  clientTlsCredentialConflict: r(212, E, 'DestinationRule', 'credentialName excludes inline clientCertificate, privateKey, caCertificates and caCrl.'),
  clientTlsIstioMutualCerts: r(213, W, 'DestinationRule', 'ISTIO_MUTUAL uses Istio\'s own certificates; certificate fields and credentialName are ignored.'),
  clientTlsInsecureSkipVerify: r(214, E, 'DestinationRule', 'insecureSkipVerify cannot be combined with CA certificates or subjectAltNames.'),

  // ---- Gateway (W3xx) ----
  gatewayNoServers: r(300, E, 'Gateway', 'A Gateway needs at least one server.'),
  gatewayNameInvalid: r(301, E, 'Gateway', 'A Gateway name is a DNS label (no dots): VirtualServices reference it as `<namespace>/<name>`.'),
  serverHostsInvalid: r(302, E, 'Gateway', 'Server hosts are required, as `<namespace>/<dnsName>` or `<dnsName>`, fully qualified, no partial wildcards.'),
  serverPortInvalid: r(303, E, 'Gateway', 'A server needs a port with a name; targetPort has no effect on Gateways.'),
  serverPortNameDuplicate: r(304, E, 'Gateway', 'Server port names are unique within a Gateway.'),
  serverTlsRequired: r(305, E, 'Gateway, Sidecar', 'HTTPS and TLS servers need tls settings; plain servers take none (an HTTP server only httpsRedirect).'),
  serverTlsCertRequired: r(306, E, 'Gateway, Sidecar', 'SIMPLE and MUTUAL server TLS need serverCertificate and privateKey, or a credentialName.'),
  serverTlsCaRequired: r(307, E, 'Gateway, Sidecar', 'MUTUAL and OPTIONAL_MUTUAL server TLS need caCertificates (or a credentialName).'),
  serverTlsMultipleSources: r(308, E, 'Gateway, Sidecar', 'Only one certificate source: credentialName, credentialNames, serverCertificate/privateKey or tlsCertificates.'),
  serverTlsIstioMutualCerts: r(309, E, 'Gateway, Sidecar', 'ISTIO_MUTUAL server TLS takes no certificates or credentialName.'),
  serverTlsPassthroughCerts: r(310, W, 'Gateway, Sidecar', 'PASSTHROUGH and AUTO_PASSTHROUGH ignore certificates (mode defaults to PASSTHROUGH when unset).'),
  serverTlsCrl: r(311, E, 'Gateway, Sidecar', 'caCrl is not supported with credentialName (put it in the secret) or with SIMPLE TLS.'),
  httpsRedirectNonHttp: r(312, W, 'Gateway', 'tls.httpsRedirect only has an effect on HTTP servers.'),
  serverBindInvalid: r(313, E, 'Gateway', 'A server bound to a unix domain socket uses port number 0.'),
  serverTlsCiphers: r(314, W, 'Gateway, Sidecar', 'Cipher suites must be known and unique; TLS below 1.2 needs explicit cipher suites; at most 2 server certificates are used.'),

  // ---- AuthorizationPolicy (W4xx) ----
  customWithoutRules: r(400, E, 'AuthorizationPolicy', 'A CUSTOM policy without rules never triggers; add `rules: [{}]` to match every request.'),
  customWithoutProvider: r(401, E, 'AuthorizationPolicy', 'A CUSTOM policy needs provider.name.'),
  customUnsupportedField: r(402, E, 'AuthorizationPolicy', 'CUSTOM rules cannot match principals, request principals, namespaces, service accounts, or their `when` equivalents.'),
  providerWithoutCustom: r(403, E, 'AuthorizationPolicy', 'provider is only for action CUSTOM.'),
  denyWithoutRules: r(404, E, 'AuthorizationPolicy', 'A DENY policy without rules never triggers; add `rules: [{}]` to deny every request.'),
  ruleEmptyList: r(405, E, 'AuthorizationPolicy', '`from` and `to`, when present, may not be empty lists.'),
  ruleMissingSourceOrOperation: r(406, E, 'AuthorizationPolicy', 'Every rule, `from` and `to` entry is an object with a source / operation.'),
  ruleEmptySourceOrOperation: r(407, E, 'AuthorizationPolicy', 'A source or operation must set at least one field.'),
  serviceAccountsMixed: r(408, E, 'AuthorizationPolicy', 'serviceAccounts cannot be combined with principals or namespaces in one source.'),
  emptyValue: r(409, E, 'AuthorizationPolicy', 'Match lists may not contain empty strings.'),
  serviceAccountInvalid: r(410, E, 'AuthorizationPolicy', 'serviceAccounts are `name` or `namespace/name`, without wildcards, at most 16 of them.'),
  portValueInvalid: r(411, E, 'AuthorizationPolicy', 'Operation ports are numbers in 0..65535.'),
  pathTemplateInvalid: r(412, E, 'AuthorizationPolicy', 'Path templates use `{*}` and `{**}` as whole segments, `{**}` last.'),
  conditionInvalid: r(413, E, 'AuthorizationPolicy', 'A `when` condition needs a key and values or notValues.'),
  conditionKeyInvalid: r(414, E, 'AuthorizationPolicy', 'A `when` key is a supported attribute and its values fit it (IPs, ports, `a[b]` keys).'),
  denyHttpOnTcp: r(415, I, 'AuthorizationPolicy', 'A DENY rule with only HTTP attributes denies all TCP traffic of the workloads it selects, if they have TCP ports. Info: the object alone does not tell (CDK8S-ISTIO-A011 warns when the ports are known); list the HTTP ports in to.operation.ports.'),

  // ---- RequestAuthentication (W45x) ----
  jwtIssuerOrJwksUri: r(450, E, 'RequestAuthentication', 'A JWT rule needs an issuer or a jwksUri.'),
  jwksUriInvalid: r(451, E, 'RequestAuthentication', 'jwksUri is an http or https URL with a host.'),
  jwksAndJwksUri: r(452, W, 'RequestAuthentication', 'jwks and jwksUri are exclusive: Istio uses jwks and ignores jwksUri.'),
  jwksInvalid: r(453, E, 'RequestAuthentication', 'Inline jwks must be a JSON Web Key Set (or a single JWK).'),
  jwtRuleEmptyValue: r(454, E, 'RequestAuthentication', 'Audiences, fromHeaders, fromParams, fromCookies and outputClaimToHeaders may not hold empty values.'),

  // ---- PeerAuthentication (W48x) ----
  portMtlsWithoutSelector: r(480, E, 'PeerAuthentication', 'Port-level mTLS needs a workload selector with labels.'),
  portMtlsEmpty: r(481, E, 'PeerAuthentication', 'portLevelMtls, when present, has at least one entry.'),

  // ---- ServiceEntry (W5xx) ----
  seNoHosts: r(500, E, 'ServiceEntry', 'A ServiceEntry needs at least one host.'),
  seWildcardHost: r(501, E, 'ServiceEntry', 'The host `*` alone is not allowed.'),
  sePartialWildcard: r(502, W, 'ServiceEntry', 'Partial wildcards (`foo*.com`) are not supported; only a leading `*.`.'),
  seCidrResolution: r(503, E, 'ServiceEntry', 'CIDR addresses need resolution NONE or STATIC.'),
  sePortDuplicate: r(504, E, 'ServiceEntry', 'Port names and port numbers are unique.'),
  seSelectorAndEndpoints: r(505, E, 'ServiceEntry', 'workloadSelector and endpoints are exclusive.'),
  seNoneWithEndpoints: r(506, E, 'ServiceEntry', 'Resolution NONE takes no endpoints.'),
  seSelectorIgnored: r(507, W, 'ServiceEntry', 'workloadSelector has no effect with resolution NONE, DNS or DNS_ROUND_ROBIN.'),
  seDnsNeedsFqdn: r(508, E, 'ServiceEntry', 'Resolution DNS without endpoints needs fully qualified hosts (no wildcard): use NONE for wildcards.'),
  seDnsRoundRobinEndpoints: r(509, E, 'ServiceEntry', 'DNS_ROUND_ROBIN takes 0 or 1 endpoint.'),
  seEndpointPorts: r(510, E, 'ServiceEntry', 'Endpoint ports must name ports of the ServiceEntry; unix endpoints take no ports and need exactly one service port.'),
  seMultipleHostsTcp: r(511, E, 'ServiceEntry', 'Several hosts with a plain TCP port cannot be told apart unless resolution is NONE.'),
  seStaticNoEndpoints: r(512, W, 'ServiceEntry', 'Resolution STATIC without endpoints or workloadSelector has no endpoints to send to.'),

  // ---- Sidecar (W6xx) ----
  sidecarEmpty: r(600, E, 'Sidecar', 'A Sidecar needs ingress, egress, outboundTrafficPolicy or inboundConnectionPool.'),
  sidecarIngressPort: r(601, E, 'Sidecar', 'Ingress listeners need a port, unique per Sidecar; targetPort has no effect.'),
  sidecarDefaultEndpoint: r(602, E, 'Sidecar', 'defaultEndpoint is `127.0.0.1:<port>`, `0.0.0.0:<port>`, `[::1]:<port>`, `[::]:<port>` or `unix://<path>`.'),
  sidecarIngressTls: r(603, E, 'Sidecar', 'Ingress TLS is for TLS ports, without subjectAltNames, httpsRedirect, credentialName(s), tlsCertificates, ISTIO_MUTUAL or AUTO_PASSTHROUGH.'),
  sidecarCatchAll: r(604, E, 'Sidecar', 'At most one egress listener has no port, and it is the last one.'),
  sidecarEgressPort: r(605, E, 'Sidecar', 'Egress ports are unique; port 0 means a unix socket bind with captureMode DEFAULT or NONE; targetPort has no effect.'),
  sidecarEgressHosts: r(606, E, 'Sidecar', 'Egress hosts are required, each `<namespace>/<dnsName>` (namespace `*`, `.`, `~` or a name).'),
  sidecarEgressHostDuplicate: r(607, W, 'Sidecar', 'Egress hosts should not repeat or be covered by `ns/*` or `*/*`.'),
  sidecarEgressProxy: r(608, E, 'Sidecar', 'outboundTrafficPolicy.egressProxy needs mode ALLOW_ANY and a port.'),
  sidecarHttpPoolOnTcp: r(609, W, 'Sidecar', 'HTTP connection pool settings on a non-HTTP ingress port are ignored.'),

  // ---- Telemetry (W70x) ----
  telemetryProviderName: r(700, E, 'Telemetry', 'providers entries need a name.'),
  telemetryCustomTag: r(701, E, 'Telemetry', 'Tracing custom tags need a name and a non-empty literal value, header name or environment name.'),
  telemetryTagOverride: r(702, E, 'Telemetry', 'Metric tag overrides: UPSERT needs a value, REMOVE takes none; customMetric may not be empty.'),
  telemetryMultiple: r(703, W, 'Telemetry', 'Only one tracing entry and one tracing provider are supported.'),

  // ---- WasmPlugin (W72x) ----
  wasmUrl: r(720, E, 'WasmPlugin', 'url is required, with scheme oci, http, https or file (or none).'),
  wasmSha256: r(721, E, 'WasmPlugin', 'sha256 is 64 lowercase hex characters.'),
  wasmLength: r(722, E, 'WasmPlugin', 'imagePullSecret is at most 253 characters, pluginName at most 256.'),
  wasmEnv: r(723, E, 'WasmPlugin', 'vmConfig.env entries have unique non-empty names; value only with valueFrom INLINE.'),

  // ---- EnvoyFilter (W74x) ----
  efPatchIncomplete: r(740, E, 'EnvoyFilter', 'A config patch needs applyTo, patch.operation, and a patch.value unless the operation is REMOVE.'),
  efMatchMismatch: r(741, E, 'EnvoyFilter', 'The match type fits applyTo: listener for listener objects, routeConfiguration for route objects, cluster for CLUSTER.'),
  efFilterMatch: r(742, E, 'EnvoyFilter', 'Filter matches need a name; subFilter matches need applyTo HTTP_FILTER and the http_connection_manager filter.'),
  efFilterMatchIgnored: r(743, W, 'EnvoyFilter', 'A filter match has no effect with applyTo LISTENER or FILTER_CHAIN.'),
  efOperationIgnored: r(744, W, 'EnvoyFilter', 'The patch operation has no effect for this applyTo (REPLACE only for filters, INSERT_* only for ordered lists, ADD/REMOVE not for ROUTE_CONFIGURATION).'),
  efInternalApi: r(745, I, 'EnvoyFilter', 'EnvoyFilter exposes Envoy internals that may change on any upgrade; prefer another API.'),

  // ---- ProxyConfig (W76x) ----
  concurrencyNegative: r(760, E, 'ProxyConfig', 'concurrency is >= 0.'),

  // ---- WorkloadEntry, WorkloadGroup, ServiceEntry endpoints (W77x) ----
  weAddressRequired: r(770, E, 'WorkloadEntry, ServiceEntry', 'A workload entry or endpoint needs an address unless a network is set.'),
  weAddressUnset: r(771, W, 'WorkloadEntry, ServiceEntry', 'An entry without address but with a network is only reachable through that network\'s gateway.'),
  weAddressInvalid: r(772, E, 'WorkloadEntry, ServiceEntry', 'The address is an IP, a DNS name where allowed, or `unix://` (without ports).'),
  wgTemplateRequired: r(775, E, 'WorkloadGroup', 'A WorkloadGroup needs a template.'),
  wgProbeInvalid: r(776, E, 'WorkloadGroup', 'A probe has exactly one of httpGet, tcpSocket, exec, with non-negative timings and a valid scheme/command.'),
} as const;

export type RuleName = keyof typeof RULES;

/** All rules sorted by code. */
export function allRules(): WebhookRule[] {
  return Object.values(RULES).sort((a, b) => a.code.localeCompare(b.code));
}
