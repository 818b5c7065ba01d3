import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { CorsPolicy, HeaderManipulation, HttpDirectResponse, HttpFaultInjection, HttpRedirect, HttpRetry, HttpRewrite } from './http-policies';
import { MirrorPolicy, RouteDestination } from './vs-destination';
import { DestinationList } from './vs-destination-list';
import { HttpMatchRequest } from './vs-match';
import { IVirtualService } from './vs-reference';
import {
  renderCors, renderDirectResponse, renderFault, renderHeaders, renderHttpMatch, renderRedirect, renderRetries, renderRewrite,
} from './vs-render';
import * as l1 from '../../imports/networking.istio.io';
import { renderDuration } from '../core/duration';
import { throwPropError } from '../core/errors';

/**
 * One HTTP route rule of a VirtualService. It has exactly one of: destinations
 * (forward), a redirect, a direct response, or a delegate VirtualService.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRoute
 */
export interface HttpRouteRuleProps {
  /**
   * The name of the rule, for access logs and debugging.
   * @default - none
   */
  readonly name?: string;

  /**
   * Conditions for the rule to apply (alternatives: any of them). More with `addMatch()`.
   * @default - every request
   */
  readonly match?: HttpMatchRequest[];

  /**
   * Where to forward the requests (`route`). Several destinations split the
   * traffic by weight; their weights must sum to 100. More with `addDestination()`.
   * @default - none: give a redirect, directResponse or delegate instead
   */
  readonly destinations?: RouteDestination[];

  /**
   * Answer with a redirect instead of forwarding.
   * @default - no redirect
   */
  readonly redirect?: HttpRedirect;

  /**
   * Answer directly instead of forwarding.
   * @default - no direct response
   */
  readonly directResponse?: HttpDirectResponse;

  /**
   * Hand the rule over to another VirtualService (one without hosts), which holds
   * the routes. Istio allows one level of delegation.
   * @default - no delegation
   */
  readonly delegate?: IVirtualService;

  /**
   * Rewrite the path or authority before forwarding.
   * @default - no rewrite
   */
  readonly rewrite?: HttpRewrite;

  /**
   * The timeout of a request (at least 1ms).
   * @default - no timeout
   */
  readonly timeout?: Duration;

  /**
   * Retries of failed requests.
   * @default - the mesh's default retry policy
   */
  readonly retries?: HttpRetry;

  /**
   * Inject faults (delays, aborts).
   * @default - no fault injection
   */
  readonly fault?: HttpFaultInjection;

  /**
   * Mirror the requests to one destination. Not together with `mirrors`.
   * @default - no mirroring
   */
  readonly mirror?: MirrorPolicy;

  /**
   * Mirror the requests to several destinations. Not together with `mirror`.
   * More with `addMirror()`.
   * @default - no mirroring
   */
  readonly mirrors?: MirrorPolicy[];

  /**
   * Cross-Origin Resource Sharing policy.
   * @default - no CORS policy
   */
  readonly corsPolicy?: CorsPolicy;

  /**
   * Header manipulation for every destination of the rule.
   * @default - none
   */
  readonly headers?: HeaderManipulation;
}

/**
 * An HTTP route rule, made by `VirtualService.addHttpRoute()`. Matches,
 * destinations and mirrors can be added after it was made.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRoute
 */
export class HttpRouteRule {
  /**
   * @param scope the VirtualService, for messages
   * @param prop the path of the rule in the spec (`http[0]`)
   * @internal
   */
  public static _create(scope: IConstruct, prop: string, props: HttpRouteRuleProps): HttpRouteRule {
    return new HttpRouteRule(scope, prop, props);
  }

  /** The name of the rule, if any. */
  public readonly name?: string;
  /** The VirtualService the rule delegates to, if any. */
  public readonly delegate?: IVirtualService;

  private readonly matches: l1.VirtualServiceSpecHttpMatch[] = [];
  private readonly route: DestinationList;
  private readonly mirrors: l1.VirtualServiceSpecHttpMirrors[] = [];
  private readonly rendered: l1.VirtualServiceSpecHttp;

  private constructor(private readonly scope: IConstruct, private readonly prop: string, private readonly props: HttpRouteRuleProps) {
    this.name = props.name;
    this.delegate = props.delegate;
    const destinations = props.destinations ?? [];

    const actions = [
      destinations.length > 0 ? 'destinations' : undefined,
      props.redirect ? 'redirect' : undefined,
      props.directResponse ? 'directResponse' : undefined,
      props.delegate ? 'delegate' : undefined,
    ].filter(a => a !== undefined);
    if (actions.length > 1) {
      throwPropError(scope, prop, actions.join(' + '), 'a route rule has exactly one of destinations, redirect, directResponse or delegate');
    }
    const answersItself = props.redirect ? 'redirect' : props.directResponse ? 'directResponse' : undefined;
    if (answersItself && props.fault) {
      throwPropError(scope, `${prop}.fault`, props.fault, `a ${answersItself} rule never reaches a destination: fault injection does not apply; leave fault out`);
    }
    if (answersItself && props.rewrite) {
      throwPropError(scope, `${prop}.rewrite`, props.rewrite, `a ${answersItself} rule never reaches a destination: rewrite does not apply; leave rewrite out`);
    }
    if (props.mirror && props.mirrors) {
      throwPropError(scope, `${prop}.mirrors`, props.mirrors.map(m => m.host), 'give mirror or mirrors, not both');
    }

    const single = props.mirror?._renderSingle(scope, prop);
    this.rendered = {
      name: props.name,
      redirect: props.redirect ? renderRedirect(scope, `${prop}.redirect`, props.redirect) : undefined,
      directResponse: props.directResponse ? renderDirectResponse(scope, `${prop}.directResponse`, props.directResponse) : undefined,
      delegate: props.delegate ? { name: props.delegate.name, namespace: props.delegate.namespace } : undefined,
      rewrite: props.rewrite ? renderRewrite(scope, `${prop}.rewrite`, props.rewrite) : undefined,
      timeout: props.timeout ? renderDuration(scope, `${prop}.timeout`, props.timeout) : undefined,
      retries: props.retries ? renderRetries(scope, `${prop}.retries`, props.retries) : undefined,
      fault: props.fault ? renderFault(scope, `${prop}.fault`, props.fault) : undefined,
      mirror: single?.mirror,
      mirrorPercentage: single?.mirrorPercentage,
      corsPolicy: props.corsPolicy ? renderCors(scope, `${prop}.corsPolicy`, props.corsPolicy) : undefined,
      headers: renderHeaders(scope, `${prop}.headers`, props.headers),
    };

    for (const match of props.match ?? []) this.addMatch(match);
    this.route = new DestinationList(scope, `${prop}.route`, true);
    for (const destination of destinations) this.route.add(destination);
    this.route.assertWeights();
    for (const mirror of props.mirrors ?? []) this.addMirror(mirror);
  }

  /** The destinations, in order. */
  public get destinations(): RouteDestination[] {
    return this.route.destinations;
  }

  /** Adds a match (an alternative: the rule applies if any match holds). */
  public addMatch(match: HttpMatchRequest): void {
    this.matches.push(renderHttpMatch(this.scope, `${this.prop}.match[${this.matches.length}]`, match));
  }

  /**
   * Adds a destination. With several destinations, the weights must sum to 100
   * when the app is validated.
   */
  public addDestination(destination: RouteDestination): void {
    const action = this.props.redirect ? 'redirect' : this.props.directResponse ? 'directResponse' : this.props.delegate ? 'delegate' : undefined;
    if (action) {
      throwPropError(this.scope, `${this.prop}.route[${this.route.length}]`, destination.toString(),
        `this rule has a ${action}: a route rule has exactly one of destinations, redirect, directResponse or delegate`);
    }
    this.route.add(destination);
  }

  /** Adds a mirror destination (`mirrors`); not with the single `mirror` prop. */
  public addMirror(mirror: MirrorPolicy): void {
    const prop = `${this.prop}.mirrors[${this.mirrors.length}]`;
    if (this.props.mirror) {
      throwPropError(this.scope, prop, mirror.host, 'this rule has a single mirror: give mirror or mirrors, not both');
    }
    this.mirrors.push(mirror._render(this.scope, prop));
  }

  /** @internal */
  public _render(): l1.VirtualServiceSpecHttp {
    return {
      ...this.rendered,
      match: this.matches.length > 0 ? [...this.matches] : undefined,
      route: this.route.render(),
      mirrors: this.mirrors.length > 0 ? [...this.mirrors] : undefined,
    };
  }

  /**
   * What is wrong with the rule once complete: no destination, weights not summing to 100.
   * @internal
   */
  public _problems(): string[] {
    const forwards = !this.props.redirect && !this.props.directResponse && !this.props.delegate;
    return this.route.problems(forwards, `${this.prop}${this.name ? ` ("${this.name}")` : ''}`,
      'give it destinations (addDestination()), a redirect, a directResponse or a delegate');
  }
}
