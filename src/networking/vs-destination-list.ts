/**
 * The destinations of one route rule (HTTP, TCP or TLS), checked and rendered as
 * they are added. Internal: not re-exported from the package root.
 */
import { IConstruct } from 'constructs';
import { RouteDestination } from './vs-destination';
import { constructMessage, propMessage } from '../core/errors';

export class DestinationList {
  private readonly items: RouteDestination[] = [];
  private readonly rendered: any[] = [];

  /**
   * @param scope the VirtualService, for messages
   * @param prop the path of the list (`http[0].route`)
   * @param http whether the rule is an HTTP rule (destinations may manipulate headers)
   */
  constructor(private readonly scope: IConstruct, private readonly prop: string, private readonly http: boolean) {}

  /** Checks and adds one destination. */
  public add(destination: RouteDestination): void {
    const prop = `${this.prop}[${this.items.length}]`;
    this.rendered.push(this.http ? destination._renderHttp(this.scope, prop) : destination._renderL4(this.scope, prop));
    this.items.push(destination);
  }

  public get destinations(): RouteDestination[] {
    return [...this.items];
  }

  public get length(): number {
    return this.items.length;
  }

  /** The rendered `route` list, or undefined when empty. */
  public render(): any[] | undefined {
    return this.rendered.length > 0 ? [...this.rendered] : undefined;
  }

  /** Throws when the weights are off (for a list given whole, at once). */
  public assertWeights(): void {
    const problem = this.weightProblem();
    if (problem) throw new Error(problem);
  }

  /**
   * What is wrong with the complete list: no destination (when `required`), weights.
   * @param rule how to name the rule in the message (`tcp[0]`)
   * @param fix how to fix a missing destination
   */
  public problems(required: boolean, rule: string, fix: string): string[] {
    const problems: string[] = [];
    if (required && this.items.length === 0) problems.push(constructMessage(this.scope, `${rule} has no destination: ${fix}`));
    const weights = this.weightProblem();
    if (weights) problems.push(weights);
    return problems;
  }

  /**
   * The message when several destinations carry weights that do not sum to 100
   * (a missing weight counts as 0, as Istio reads it), or undefined.
   */
  private weightProblem(): string | undefined {
    if (this.items.length < 2) return undefined;
    const sum = this.items.reduce((total, d) => total + (d.weight ?? 0), 0);
    if (sum === 100) return undefined;
    const terms = this.items.map(d => `${d} ${d.weight ?? 0}`).join(' + ');
    return propMessage(this.scope, `${this.prop}[].weight`, `${terms} = ${sum}`,
      'the weights of a route with several destinations must sum to 100 (a destination without weight counts as 0)');
  }
}
