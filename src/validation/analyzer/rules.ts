/**
 * The analyzer's rule catalogue: Istio's message codes, names and levels (from
 * `pkg/config/analysis/msg/messages.yaml`, so users can look a finding up at
 * https://istio.io/latest/docs/reference/config/analysis/), plus the library's own
 * `CDK8S-ISTIO-Axxx` rules.
 *
 * Internal module: not part of the public API.
 */
import { FindingLevel } from '../findings';

/** One kind of finding. */
export interface Rule {
  readonly code: string;
  readonly name: string;
  readonly level: FindingLevel;
}

function rule(code: string, name: string, level: FindingLevel): Rule {
  return { code, name, level };
}

const { ERROR, WARNING, INFO } = FindingLevel;

export const RULES = {
  deprecated: rule('IST0002', 'Deprecated', WARNING),
  referencedResourceNotFound: rule('IST0101', 'ReferencedResourceNotFound', ERROR),
  namespaceNotInjected: rule('IST0102', 'NamespaceNotInjected', INFO),
  conflictingMeshGatewayVirtualServiceHosts: rule('IST0109', 'ConflictingMeshGatewayVirtualServiceHosts', ERROR),
  conflictingSidecarWorkloadSelectors: rule('IST0110', 'ConflictingSidecarWorkloadSelectors', ERROR),
  multipleSidecarsWithoutWorkloadSelectors: rule('IST0111', 'MultipleSidecarsWithoutWorkloadSelectors', ERROR),
  virtualServiceDestinationPortSelectorRequired: rule('IST0112', 'VirtualServiceDestinationPortSelectorRequired', ERROR),
  deploymentAssociatedToMultipleServices: rule('IST0116', 'DeploymentAssociatedToMultipleServices', WARNING),
  portNameIsNotUnderNamingConvention: rule('IST0118', 'PortNameIsNotUnderNamingConvention', INFO),
  namespaceMultipleInjectionLabels: rule('IST0123', 'NamespaceMultipleInjectionLabels', WARNING),
  noMatchingWorkloadsFound: rule('IST0127', 'NoMatchingWorkloadsFound', WARNING),
  noServerCertificateVerificationDestinationLevel: rule('IST0128', 'NoServerCertificateVerificationDestinationLevel', WARNING),
  noServerCertificateVerificationPortLevel: rule('IST0129', 'NoServerCertificateVerificationPortLevel', WARNING),
  virtualServiceUnreachableRule: rule('IST0130', 'VirtualServiceUnreachableRule', WARNING),
  virtualServiceIneffectiveMatch: rule('IST0131', 'VirtualServiceIneffectiveMatch', INFO),
  virtualServiceHostNotFoundInGateway: rule('IST0132', 'VirtualServiceHostNotFoundInGateway', WARNING),
  serviceEntryAddressesRequired: rule('IST0134', 'ServiceEntryAddressesRequired', WARNING),
  deprecatedAnnotation: rule('IST0135', 'DeprecatedAnnotation', INFO),
  deploymentConflictingPorts: rule('IST0137', 'DeploymentConflictingPorts', WARNING),
  gatewayDuplicateCertificate: rule('IST0138', 'GatewayDuplicateCertificate', WARNING),
  ingressRouteRulesNotAffected: rule('IST0140', 'IngressRouteRulesNotAffected', WARNING),
  invalidApplicationUID: rule('IST0144', 'InvalidApplicationUID', WARNING),
  conflictingGateways: rule('IST0145', 'ConflictingGateways', ERROR),
  jwtClaimBasedRoutingWithoutRequestAuthN: rule('IST0149', 'JwtClaimBasedRoutingWithoutRequestAuthN', ERROR),
  externalNameServiceTypeInvalidPortName: rule('IST0150', 'ExternalNameServiceTypeInvalidPortName', WARNING),
  envoyFilterUsesRelativeOperation: rule('IST0151', 'EnvoyFilterUsesRelativeOperation', WARNING),
  envoyFilterUsesReplaceOperationIncorrectly: rule('IST0152', 'EnvoyFilterUsesReplaceOperationIncorrectly', ERROR),
  envoyFilterUsesAddOperationIncorrectly: rule('IST0153', 'EnvoyFilterUsesAddOperationIncorrectly', ERROR),
  envoyFilterUsesRemoveOperationIncorrectly: rule('IST0154', 'EnvoyFilterUsesRemoveOperationIncorrectly', ERROR),
  envoyFilterUsesRelativeOperationWithProxyVersion: rule('IST0155', 'EnvoyFilterUsesRelativeOperationWithProxyVersion', WARNING),
  invalidTelemetryProvider: rule('IST0157', 'InvalidTelemetryProvider', WARNING),
  conflictingTelemetryWorkloadSelectors: rule('IST0159', 'ConflictingTelemetryWorkloadSelectors', ERROR),
  multipleTelemetriesWithoutWorkloadSelectors: rule('IST0160', 'MultipleTelemetriesWithoutWorkloadSelectors', ERROR),
  invalidGatewayCredential: rule('IST0161', 'InvalidGatewayCredential', ERROR),
  gatewayPortNotDefinedOnService: rule('IST0162', 'GatewayPortNotDefinedOnService', WARNING),
  referencedInternalGateway: rule('IST0165', 'ReferencedInternalGateway', WARNING),
  ineffectiveSelector: rule('IST0166', 'IneffectiveSelector', WARNING),
  ineffectivePolicy: rule('IST0167', 'IneffectivePolicy', WARNING),
  destinationRuleSubsetNotSelectPods: rule('IST0173', 'DestinationRuleSubsetNotSelectPods', ERROR),
  unknownDestinationRuleHost: rule('IST0174', 'UnknownDestinationRuleHost', WARNING),
  jwksUriFetchUnrestricted: rule('IST0175', 'JwksUriFetchUnrestricted', WARNING),
  gatewayLoopsToItself: rule('CDK8S-ISTIO-A001', 'ResolutionNoneThroughGateway', ERROR),
  httpRulesOnTcpPort: rule('CDK8S-ISTIO-A010', 'HttpRulesOnTcpPort', WARNING),
  httpAuthorizationOnTcp: rule('CDK8S-ISTIO-A011', 'HttpAuthorizationOnTcp', WARNING),
  serverFirstProtocolAsHttp: rule('CDK8S-ISTIO-A012', 'ServerFirstProtocolAsHttp', WARNING),
  excludedInboundPortGetsMtls: rule('CDK8S-ISTIO-A013', 'ExcludedInboundPortGetsMtls', WARNING),
  portLevelMtlsOnServicePort: rule('CDK8S-ISTIO-A014', 'PortLevelMtlsOnServicePort', WARNING),
  sidecarReservedPort: rule('CDK8S-ISTIO-A015', 'SidecarReservedPort', WARNING),
  unknownExtensionProvider: rule('CDK8S-ISTIO-A030', 'UnknownExtensionProvider', WARNING),
  workloadEntryNotSelected: rule('CDK8S-ISTIO-A031', 'WorkloadEntryNotSelected', WARNING),
  workloadServiceAccountNotFound: rule('CDK8S-ISTIO-A032', 'WorkloadServiceAccountNotFound', WARNING),
  l7PolicyEnforcedByZtunnel: rule('CDK8S-ISTIO-A040', 'L7PolicyEnforcedByZtunnel', ERROR),
  waypointBypass: rule('CDK8S-ISTIO-A041', 'WaypointBypass', WARNING),
  waypointIdentityNotAllowed: rule('CDK8S-ISTIO-A042', 'WaypointIdentityNotAllowed', ERROR),
  waypointNotFound: rule('CDK8S-ISTIO-A043', 'WaypointNotFound', WARNING),
  waypointTrafficTypeMismatch: rule('CDK8S-ISTIO-A044', 'WaypointTrafficTypeMismatch', WARNING),
  waypointNamespaceNotAllowed: rule('CDK8S-ISTIO-A045', 'WaypointNamespaceNotAllowed', WARNING),
  duplicateDefinition: rule('CDK8S-ISTIO-A002', 'DuplicateDefinition', WARNING),
} as const;
