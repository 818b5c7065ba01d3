import { ApiObject, App } from 'cdk8s';
import { IConstruct } from 'constructs';
import { Analyzer, AnalyzeOptions } from './engine';
import { Finding, FindingLevel, ManifestSource } from './findings';
import { addCrossCheck } from '../core/cross-check';

/** Options of `IstioValidation.enable`. */
export interface IstioValidationOptions extends AnalyzeOptions {
  /**
   * Print warnings and infos to stderr at synth.
   * @default true
   */
  readonly printWarnings?: boolean;
}

const ENABLED = Symbol.for('cdk8s-istio.IstioValidation');

/**
 * The one switch that makes every synth of an app validate every Istio and
 * Gateway API object in it: L1, L2 and `Include`d YAML.
 *
 * Errors fail synth with the object (kind/namespace/name), the construct path, the
 * field path and the rule's message. Warnings are printed; `strict` turns them into
 * failures.
 *
 * @example
 * const app = new App();
 * IstioValidation.enable(app, { strict: true });
 */
export class IstioValidation {
  /**
   * Validate every synth of this app (or of any construct tree root).
   * Calling it again replaces the options.
   */
  public static enable(app: App, options: IstioValidationOptions = {}): void {
    const root = app.node.root as any;
    const existing: AppValidation | undefined = root[ENABLED];
    if (existing) {
      existing.options = options;
      return;
    }
    const validation = new AppValidation(options);
    Object.defineProperty(root, ENABLED, { value: validation });
    // runs over the app's one index of synthesized objects, shared with the constructs'
    // cross-checks: every object is rendered once per validation pass
    addCrossCheck(app, index => validation.validate(index.all.map(entry => source(entry.apiObject, entry.json))));
  }

  /** True if `enable` was called for this app. */
  public static isEnabled(app: App): boolean {
    return (app.node.root as any)[ENABLED] !== undefined;
  }

  /**
   * Runs the validation layers over every API object under `scope` now and returns
   * the findings, without failing. Useful in tests. The world is open unless
   * `openWorld: false` is given.
   */
  public static findings(scope: IConstruct, options: AnalyzeOptions = {}): Finding[] {
    // at synth the world is open by default: an app's Services often live in other repos
    return Analyzer.analyzeSources(collect(scope), { ...options, openWorld: options.openWorld ?? true });
  }

  private constructor() {}
}

class AppValidation {
  constructor(public options: IstioValidationOptions) {}

  public validate(sources: ManifestSource[]): string[] {
    // at synth the world is open by default: an app's Services often live in other repos
    const findings = Analyzer.analyzeSources(sources, { ...this.options, openWorld: this.options.openWorld ?? true });
    const strict = this.options.strict === true;
    const failing = findings.filter(f => f.level === FindingLevel.ERROR || (strict && f.level === FindingLevel.WARNING));
    if (this.options.printWarnings !== false) {
      const rest = findings.filter(f => !failing.includes(f));
      if (rest.length > 0) {
        process.stderr.write(`cdk8s-istio: ${rest.length} finding(s) that do not fail synth${strict ? '' : ' (use strict to fail on warnings)'}:\n${rest.map(f => `  ${Analyzer.format(f)}`).join('\n')}\n`);
      }
    }
    return failing.map(f => Analyzer.format(f));
  }
}

function collect(scope: IConstruct): ManifestSource[] {
  return scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map(c => source(c, c.toJson()));
}

function source(apiObject: ApiObject, object: any): ManifestSource {
  // an L2's object is its `Resource` child: report the L2's path
  const owner = apiObject.node.id === 'Resource' && apiObject.node.scope ? apiObject.node.scope : apiObject;
  return { object, constructPath: owner.node.path };
}
