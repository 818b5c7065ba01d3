import { IConstruct } from 'constructs';
import { RouteDestination } from './vs-destination';
import { DestinationList } from './vs-destination-list';
import { L4MatchAttributes } from './vs-match';
import { renderL4Match } from './vs-render';
import * as l1 from '../../imports/networking.istio.io';

/**
 * A route rule for opaque TCP traffic.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#TCPRoute
 */
export interface TcpRouteRuleProps {
  /**
   * Conditions for the rule to apply (alternatives), e.g. `{ port: 3306 }`.
   * More with `addMatch()`.
   * @default - every connection
   */
  readonly match?: L4MatchAttributes[];

  /**
   * Where to forward the connections; several destinations split them by weight
   * (summing to 100). More with `addDestination()`.
   * @default - none yet: add one before synth
   */
  readonly destinations?: RouteDestination[];
}

/**
 * A TCP route rule, made by `VirtualService.addTcpRoute()`.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#TCPRoute
 */
export class TcpRouteRule {
  /**
   * @param scope the VirtualService, for messages
   * @param prop the path of the rule in the spec (`tcp[0]`)
   * @internal
   */
  public static _create(scope: IConstruct, prop: string, props: TcpRouteRuleProps): TcpRouteRule {
    return new TcpRouteRule(scope, prop, props);
  }

  private readonly matches: l1.VirtualServiceSpecTcpMatch[] = [];
  private readonly route: DestinationList;

  private constructor(private readonly scope: IConstruct, private readonly prop: string, props: TcpRouteRuleProps) {
    for (const match of props.match ?? []) this.addMatch(match);
    this.route = new DestinationList(scope, `${prop}.route`, false);
    for (const destination of props.destinations ?? []) this.route.add(destination);
    this.route.assertWeights();
  }

  /** The destinations, in order. */
  public get destinations(): RouteDestination[] {
    return this.route.destinations;
  }

  /** Adds a match (an alternative). */
  public addMatch(match: L4MatchAttributes): void {
    this.matches.push(renderL4Match(this.scope, `${this.prop}.match[${this.matches.length}]`, match));
  }

  /** Adds a destination; with several, the weights must sum to 100 when the app is validated. */
  public addDestination(destination: RouteDestination): void {
    this.route.add(destination);
  }

  /** @internal */
  public _render(): l1.VirtualServiceSpecTcp {
    return { match: this.matches.length > 0 ? [...this.matches] : undefined, route: this.route.render() };
  }

  /** @internal */
  public _problems(): string[] {
    return this.route.problems(true, this.prop, 'add one with addDestination()');
  }
}
