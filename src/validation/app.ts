import { ApiObject, App } from 'cdk8s';
import { IConstruct, IValidation } from 'constructs';
import { Analyzer, AnalyzeOptions } from './engine';
import { Finding, FindingLevel, ManifestSource } from './findings';

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
    const validation = new AppValidation(app, options);
    Object.defineProperty(root, ENABLED, { value: validation });
    app.node.addValidation(validation);
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

class AppValidation implements IValidation {
  constructor(private readonly app: App, public options: IstioValidationOptions) {}

  public validate(): string[] {
    const findings = IstioValidation.findings(this.app, this.options);
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
  const out: ManifestSource[] = [];
  for (const c of scope.node.findAll()) {
    if (c instanceof ApiObject) {
      // an L2's object is its `Resource` child: report the L2's path
      const owner = c.node.id === 'Resource' && c.node.scope ? c.node.scope : c;
      out.push({ object: c.toJson(), constructPath: owner.node.path });
    }
  }
  return out;
}
