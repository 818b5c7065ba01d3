// L1: the generated classes of the Istio 1.30.3 and Gateway API v1.5.1 CRDs,
// under one namespace per API group (Istio's Gateway and the Gateway API's never collide).
export * as networking from '../imports/networking.istio.io';
export * as security from '../imports/security.istio.io';
export * as telemetry from '../imports/telemetry.istio.io';
export * as extensions from '../imports/extensions.istio.io';
export * as gatewayApi from '../imports/gateway.networking.k8s.io';
export * as gatewayApiX from '../imports/gateway.networking.x-k8s.io';

// core
export * from './core/istio-resource';
export * from './core/workload-selector';
export * from './core/principal';
export * from './core/target-ref';
export * from './core/references';
export { Protocol } from './core/protocol';
export { ApiMode, OutputMode } from './core/output-mode';
export * from './core/string-match';

// resource-level L2s: networking
export * from './networking/virtual-service';
export * from './networking/vs-reference';
export * from './networking/vs-match';
export * from './networking/vs-destination';
export * from './networking/http-policies';
export * from './networking/http-route';
export * from './networking/tcp-route';
export * from './networking/tls-route';
export * from './networking/gateway';
export * from './networking/service-entry';
export * from './networking/sidecar';
export * from './networking/destination-rule';
export * from './networking/traffic-policy';
export * from './networking/traffic-load-balancer';
export * from './networking/traffic-connection-pool';
export * from './networking/traffic-tls';
export * from './networking/envoy-filter';
export * from './networking/workload-entry';
export * from './networking/workload-group';
export * from './networking/waypoint';

// resource-level L2s: security
export * from './security/peer-authentication';
export * from './security/request-authentication';
export * from './security/authorization-policy';
export * from './security/authz-rule';

// resource-level L2s: mesh config, proxy config and telemetry
export * from './mesh/extension-provider';
export * from './mesh/mesh-config';
export * from './mesh/proxy-config';
export * from './telemetry/telemetry-policy';

// installation config
export { InstallProfile } from './install/profile';
export * from './install/istio-installation';

// patterns
export * from './patterns/canary-release';
export * from './patterns/canary-workload';
export * from './patterns/canary-match';
export * from './patterns/strict-mtls-namespace';
export * from './patterns/egress-gateway';
export * from './patterns/egress-traffic';
export * from './patterns/jwt-issuer';
export * from './patterns/jwt-protected-ingress';
export * from './patterns/external-authorization';
export * from './patterns/ingress-gateway';
export * from './patterns/external-service';
export * from './patterns/mesh-workload';
export * from './patterns/vm-workload';
export * from './patterns/ambient-namespace';
export * from './patterns/waypoint-egress';

// validation
export * from './validation/findings';
export * from './validation/crd';
export * from './validation/webhook';
export * from './validation/analyzer';
export * from './validation/plugin';
export * from './validation/engine';
export * from './validation/app';
export * from './validation/graph';

// GitOps output
export * from './output/gitops-output';
