import { IIstioResource } from './istio-resource';

/**
 * An Istio Gateway (networking.istio.io) that VirtualServices can bind to.
 * Made by `Gateway`, or imported with `Gateway.fromGatewayName()`.
 */
export interface IGateway extends IIstioResource {}

/**
 * How a VirtualService's `gateways` refers to a gateway: `namespace/name`, or
 * `name` when it has no namespace.
 */
export function gatewayReference(gateway: IGateway): string {
  return gateway.namespace ? `${gateway.namespace}/${gateway.name}` : gateway.name;
}
