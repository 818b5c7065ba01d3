import { IConstruct } from 'constructs';
import { RouteDestination } from './vs-destination';
import { DestinationList } from './vs-destination-list';
import { TlsMatchAttributes } from './vs-match';
import { renderTlsMatch } from './vs-render';
import * as l1 from '../../imports/networking.istio.io';
import { throwPropError } from '../core/errors';

/**
 * A route rule for TLS traffic that is passed through (not terminated), routed
 * by SNI.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#TLSRoute
 */
export interface TlsRouteRuleProps {
  /**
   * Conditions for the rule to apply (alternatives); at least one, each with
   * `sniHosts` covered by the VirtualService's hosts. More with `addMatch()`.
   */
  readonly match: TlsMatchAttributes[];

  /**
   * Where to forward the connections; several destinations split them by weight
   * (summing to 100). More with `addDestination()`.
   * @default - none yet: add one before synth
   */
  readonly destinations?: RouteDestination[];
}

/**
 * A TLS route rule, made by `VirtualService.addTlsRoute()`.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#TLSRoute
 */
export class TlsRouteRule {
  /**
   * @param scope the VirtualService, for messages
   * @param prop the path of the rule in the spec (`tls[0]`)
   * @param hosts the VirtualService's hosts (SNI hosts must be covered by them)
   * @internal
   */
  public static _create(scope: IConstruct, prop: string, props: TlsRouteRuleProps, hosts: () => readonly string[]): TlsRouteRule {
    return new TlsRouteRule(scope, prop, props, hosts);
  }

  private readonly matches: l1.VirtualServiceSpecTlsMatch[] = [];
  private readonly route: DestinationList;

  private constructor(
    private readonly scope: IConstruct,
    private readonly prop: string,
    props: TlsRouteRuleProps,
    private readonly hosts: () => readonly string[],
  ) {
    if (!props.match || props.match.length === 0) {
      throwPropError(scope, `${prop}.match`, props.match ?? [], 'a TLS route needs at least one match with sniHosts');
    }
    for (const match of props.match) this.addMatch(match);
    this.route = new DestinationList(scope, `${prop}.route`, false);
    for (const destination of props.destinations ?? []) this.route.add(destination);
    this.route.assertWeights();
  }

  /** The destinations, in order. */
  public get destinations(): RouteDestination[] {
    return this.route.destinations;
  }

  /** Adds a match (an alternative); its SNI hosts must be covered by the VirtualService's hosts. */
  public addMatch(match: TlsMatchAttributes): void {
    this.matches.push(renderTlsMatch(this.scope, `${this.prop}.match[${this.matches.length}]`, match, this.hosts()));
  }

  /** Adds a destination; with several, the weights must sum to 100 when the app is validated. */
  public addDestination(destination: RouteDestination): void {
    this.route.add(destination);
  }

  /** @internal */
  public _render(): l1.VirtualServiceSpecTls {
    return { match: [...this.matches], route: this.route.render() };
  }

  /** @internal */
  public _problems(): string[] {
    return this.route.problems(true, this.prop, 'add one with addDestination()');
  }
}
