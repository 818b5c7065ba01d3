import { IIstioResource } from '../core/istio-resource';

/**
 * A VirtualService that other objects refer to, e.g. as the `delegate` of a route.
 * Made by `VirtualService`, or imported with `VirtualService.fromVirtualServiceName()`.
 */
export interface IVirtualService extends IIstioResource {}
