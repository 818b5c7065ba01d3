/**
 * The istioctl installation profiles of Istio 1.30.3.
 * @see https://istio.io/latest/docs/setup/additional-setup/config-profiles/
 */
export enum InstallProfile {
  /** base, istiod and the `istio-ingressgateway`: for production. */
  DEFAULT = 'default',
  /** default, plus the `istio-egressgateway` and the demo settings (tracing, access logs): for trying Istio out. */
  DEMO = 'demo',
  /** base and istiod only (the control plane of the sidecar mode). */
  MINIMAL = 'minimal',
  /** base, istiod, the Istio CNI node agent and ztunnel, no gateway: the ambient data plane mode. */
  AMBIENT = 'ambient',
  /** nothing: a base for custom configuration, e.g. the CNI node agent alone. */
  EMPTY = 'empty',
}

/** The components a profile turns on (istioctl overlays every profile on `default`). */
export interface ProfileComponents {
  readonly base: boolean;
  readonly pilot: boolean;
  readonly cni: boolean;
  readonly ztunnel: boolean;
  /** The profile's ingress gateway `istio-ingressgateway`. */
  readonly ingressGateway: boolean;
  /** The profile's egress gateway `istio-egressgateway`. */
  readonly egressGateway: boolean;
}

/**
 * What each profile of install/istio-1.30.3/profiles/ turns on; a test compares this
 * table with the vendored files, so that the library need not read them at run time.
 * Internal.
 */
export const PROFILE_COMPONENTS: { readonly [profile: string]: ProfileComponents } = {
  [InstallProfile.DEFAULT]: { base: true, pilot: true, cni: false, ztunnel: false, ingressGateway: true, egressGateway: false },
  [InstallProfile.DEMO]: { base: true, pilot: true, cni: false, ztunnel: false, ingressGateway: true, egressGateway: true },
  [InstallProfile.MINIMAL]: { base: true, pilot: true, cni: false, ztunnel: false, ingressGateway: false, egressGateway: false },
  [InstallProfile.AMBIENT]: { base: true, pilot: true, cni: true, ztunnel: true, ingressGateway: false, egressGateway: false },
  [InstallProfile.EMPTY]: { base: false, pilot: false, cni: false, ztunnel: false, ingressGateway: false, egressGateway: false },
};

/** The names of the profiles' gateways. */
export const PROFILE_INGRESS_GATEWAY = 'istio-ingressgateway';
export const PROFILE_EGRESS_GATEWAY = 'istio-egressgateway';
