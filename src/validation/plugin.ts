import { Analyzer } from './engine';
import { FindingLevel } from './findings';
import { readManifests, readMeshConfig } from './manifest-reader';

/** Properties of the cdk8s validation plugin (the `properties:` of its `cdk8s.yaml` entry). */
export interface IstioValidationPluginProps {
  /**
   * Fail on warnings too.
   * @default false
   */
  readonly strict?: boolean;

  /**
   * Open world: references to objects outside the synthesized app are Info, not Error.
   * @default true (an app's Services often live in other repos)
   */
  readonly openWorld?: boolean;

  /**
   * Finding codes to drop.
   * @default - none
   */
  readonly suppress?: string[];

  /**
   * A mesh config file (MeshConfig YAML, or the `istio` ConfigMap), relative to the app.
   * @default - Istio's default mesh config
   */
  readonly meshConfigFile?: string;
}

/**
 * A cdk8s-cli validation plugin: `cdk8s synth` reports Istio findings (CRD schema
 * and CEL, Istio's webhook rules, istioctl-analyze checks) with construct paths.
 *
 * In `cdk8s.yaml` (cdk8s-cli installs plain package names from the registry, so
 * load the installed package by relative path; `version` must equal its version):
 *
 * ```yaml
 * validations:
 *   - package: ./node_modules/cdk8s-istio
 *     version: 1.2.3
 *     class: IstioValidationPlugin
 *     properties:
 *       strict: true
 * ```
 */
export class IstioValidationPlugin {
  private readonly props: IstioValidationPluginProps;

  public constructor(props: IstioValidationPluginProps = {}) {
    this.props = props;
  }

  /**
   * Runs the validation on the synthesized manifests (cdk8s-cli's plugin interface).
   * @param context cdk8s-cli's `ValidationContext`
   */
  public async validate(context: any): Promise<void> {
    const manifests: string[] = [...(context.manifests ?? [])];
    const { sources } = readManifests(manifests);
    const meshConfig = this.props.meshConfigFile ? readMeshConfig(this.props.meshConfigFile) : undefined;
    const findings = Analyzer.analyzeSources(sources, {
      openWorld: this.props.openWorld ?? true,
      suppress: this.props.suppress,
      meshConfig,
    });
    const strict = this.props.strict === true;
    let failed = false;
    for (const f of findings) {
      const failing = f.level === FindingLevel.ERROR || (strict && f.level === FindingLevel.WARNING);
      failed = failed || failing;
      context.report.addViolation({
        ruleName: `${f.level} [${f.code}] ${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name}: ${f.message}`,
        recommendation: f.message,
        fix: f.code.startsWith('IST')
          ? `see https://istio.io/latest/docs/reference/config/analysis/${f.code.toLowerCase()}/`
          : `see docs/validation-codes.md of cdk8s-istio, code ${f.code}`,
        violatingResources: [{
          resourceName: f.name,
          locations: f.field ? [f.field] : [],
          manifestPath: f.file ?? '',
        }],
      });
    }
    context.report.submit(failed ? 'failure' : 'success', {
      errors: String(findings.filter(f => f.level === FindingLevel.ERROR).length),
      warnings: String(findings.filter(f => f.level === FindingLevel.WARNING).length),
    });
  }
}
