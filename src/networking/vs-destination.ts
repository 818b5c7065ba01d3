import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { HeaderManipulation } from './http-policies';
import { checkHost, checkPercentage, checkSubsetName, CLUSTER_DOMAIN } from './vs-checks';
import { renderHeaders } from './vs-render';
import * as l1 from '../../imports/networking.istio.io';
import { throwPropError } from '../core/errors';
import { A_PORT_IS, checkPortNumber } from '../core/protocol';

/** Options of `RouteDestination.to()`. */
export interface RouteDestinationOptions {
  /**
   * The port of the host (needed when the service has several ports).
   * @default - the service's only port
   */
  readonly port?: number;

  /**
   * A subset defined by a DestinationRule for the host.
   * @default - every endpoint of the host
   */
  readonly subset?: string;

  /**
   * The share of the traffic (0-100). When a route has several destinations,
   * their weights must sum to 100.
   * @default - all the traffic when it is the only destination, none otherwise
   */
  readonly weight?: number;

  /**
   * Header manipulation for requests to this destination (HTTP routes only).
   * @default - none
   */
  readonly headers?: HeaderManipulation;
}

/**
 * Where a route sends traffic: a host of the service registry (a Kubernetes
 * Service, a ServiceEntry host), optionally a port and a DestinationRule subset,
 * with a weight when the traffic is split.
 *
 * A short host name such as `reviews` is read by Istio in the namespace of the
 * VirtualService (`reviews.<ns>.svc.cluster.local`).
 *
 * @example
 * RouteDestination.to('reviews', { subset: 'v1', weight: 90 })
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRouteDestination
 */
export class RouteDestination {
  /**
   * A destination by host name.
   * @param host a short name (`reviews`), a fully qualified name or a ServiceEntry host; not `*`
   */
  public static to(host: string, options: RouteDestinationOptions = {}): RouteDestination {
    return new RouteDestination(host, options);
  }

  /**
   * A destination that is a Kubernetes Service made in this app: a cdk8s-plus
   * `Service`, an L1 `KubeService`, or any construct whose `ApiObject` is a Service.
   * The host is `<name>.<namespace>.svc.cluster.local` (the short name if the
   * Service has no namespace).
   */
  public static toService(service: IConstruct, options: RouteDestinationOptions = {}): RouteDestination {
    let obj: ApiObject;
    try {
      obj = ApiObject.of(service);
    } catch {
      throw new Error(`'${service.node.path}' is not a Kubernetes Service: it has no ApiObject. Use RouteDestination.to(host) instead`);
    }
    if (obj.kind !== 'Service') {
      throw new Error(`${obj.kind} '${service.node.path}' is not a Kubernetes Service. Use RouteDestination.to(host) instead`);
    }
    const ns = obj.metadata.namespace;
    return new RouteDestination(ns ? `${obj.name}.${ns}.${CLUSTER_DOMAIN}` : obj.name, options);
  }

  /** The port, if given. */
  public readonly port?: number;
  /** The subset, if given. */
  public readonly subset?: string;
  /** The weight, if given. */
  public readonly weight?: number;
  /** The header manipulation, if given. */
  public readonly headers?: HeaderManipulation;

  private constructor(
    /** The host. */
    public readonly host: string,
    options: RouteDestinationOptions,
  ) {
    this.port = options.port;
    this.subset = options.subset;
    this.weight = options.weight;
    this.headers = options.headers;
  }

  /**
   * Renders the destination of an HTTP route, at `prop` (`http[0].route[1]`).
   * @internal
   */
  public _renderHttp(scope: IConstruct, prop: string): l1.VirtualServiceSpecHttpRoute {
    return {
      destination: renderDestination(scope, `${prop}.destination`, this.host, this.port, this.subset),
      weight: this.renderWeight(scope, prop),
      headers: renderHeaders(scope, `${prop}.headers`, this.headers),
    };
  }

  /**
   * Renders the destination of a TCP or TLS route, at `prop` (`tcp[0].route[1]`).
   * @internal
   */
  public _renderL4(scope: IConstruct, prop: string): l1.VirtualServiceSpecTcpRoute {
    if (this.headers) {
      throwPropError(scope, `${prop}.headers`, this.headers, 'header manipulation applies to HTTP routes only');
    }
    return {
      destination: renderDestination(scope, `${prop}.destination`, this.host, this.port, this.subset),
      weight: this.renderWeight(scope, prop),
    };
  }

  /** `reviews` or `reviews/v1`, for messages. */
  public toString(): string {
    return this.subset ? `${this.host}/${this.subset}` : this.host;
  }

  private renderWeight(scope: IConstruct, prop: string): number | undefined {
    if (this.weight !== undefined && (!Number.isInteger(this.weight) || this.weight < 0 || this.weight > 100)) {
      throwPropError(scope, `${prop}.weight`, this.weight, 'a weight is an integer from 0 to 100');
    }
    return this.weight;
  }
}

/** Options of `MirrorPolicy.to()`. */
export interface MirrorPolicyOptions {
  /**
   * The port of the host.
   * @default - the service's only port
   */
  readonly port?: number;

  /**
   * A subset defined by a DestinationRule for the host.
   * @default - every endpoint of the host
   */
  readonly subset?: string;

  /**
   * The share of the requests mirrored (0-100, fractions allowed).
   * @default - every request
   */
  readonly percentage?: number;
}

/**
 * Sends a copy of the requests to another destination ("shadowing"); the
 * responses of the copy are dropped.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMirrorPolicy
 */
export class MirrorPolicy {
  /**
   * Mirror to a host.
   * @param host a short name, a fully qualified name or a ServiceEntry host; not `*`
   */
  public static to(host: string, options: MirrorPolicyOptions = {}): MirrorPolicy {
    return new MirrorPolicy(host, options);
  }

  /** The port, if given. */
  public readonly port?: number;
  /** The subset, if given. */
  public readonly subset?: string;
  /** The share of requests mirrored, if given. */
  public readonly percentage?: number;

  private constructor(
    /** The host. */
    public readonly host: string,
    options: MirrorPolicyOptions,
  ) {
    this.port = options.port;
    this.subset = options.subset;
    this.percentage = options.percentage;
  }

  /**
   * Renders the mirror as a `mirrors[]` entry at `prop` (`http[0].mirrors[1]`).
   * @internal
   */
  public _render(scope: IConstruct, prop: string): l1.VirtualServiceSpecHttpMirrors {
    if (this.percentage !== undefined) checkPercentage(scope, `${prop}.percentage.value`, this.percentage);
    return {
      destination: renderDestination(scope, `${prop}.destination`, this.host, this.port, this.subset),
      percentage: this.percentage !== undefined ? { value: this.percentage } : undefined,
    };
  }

  /**
   * Renders the mirror as the single `mirror` (+ `mirrorPercentage`) of the rule at `prop` (`http[0]`).
   * @internal
   */
  public _renderSingle(scope: IConstruct, prop: string): Pick<l1.VirtualServiceSpecHttp, 'mirror' | 'mirrorPercentage'> {
    if (this.percentage !== undefined) checkPercentage(scope, `${prop}.mirrorPercentage.value`, this.percentage);
    return {
      mirror: renderDestination(scope, `${prop}.mirror`, this.host, this.port, this.subset),
      mirrorPercentage: this.percentage !== undefined ? { value: this.percentage } : undefined,
    };
  }
}

function renderDestination(scope: IConstruct, prop: string, host: string, port: number | undefined, subset: string | undefined) {
  checkHost(scope, `${prop}.host`, host, { allowStar: false, allowIp: false });
  if (port !== undefined) checkPortNumber(scope, `${prop}.port.number`, port, A_PORT_IS);
  if (subset !== undefined) checkSubsetName(scope, `${prop}.subset`, subset);
  return { host, port: port !== undefined ? { number: port } : undefined, subset };
}
