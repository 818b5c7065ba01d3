import { CrossResourceAnalyzer } from './analyzer';
import { CrdValidator } from './crd';
import { Finding, FindingLevel, ManifestSource } from './findings';
import { WebhookValidator } from './webhook';

/** Options of a validation run. */
export interface AnalyzeOptions {
  /**
   * Treat warnings as failures.
   * @default false
   */
  readonly strict?: boolean;

  /**
   * Report CEL rules that cannot be evaluated as warnings instead of errors.
   * @default false
   */
  readonly allowUnevaluableRules?: boolean;

  /**
   * Finding codes to drop (e.g. `IST0118`).
   * @default - none
   */
  readonly suppress?: string[];

  /**
   * Run the CRD layer (OpenAPI schema, defaults and CEL rules).
   * @default true
   */
  readonly crd?: boolean;

  /**
   * Run the webhook layer (what Istio's validating admission webhook rejects).
   * @default true
   */
  readonly webhook?: boolean;

  /**
   * Run the analyzer layer (cross-resource checks, as `istioctl analyze` makes them).
   * @default true
   */
  readonly analyzers?: boolean;

  /**
   * Open world: references to objects outside the input (a Service in another repo)
   * are reported at Info level, or not at all, unless they are most likely a typo (a
   * near miss of a known name, or the same name in another namespace). Closed world
   * treats the input as everything (plus a default Istio installation), as
   * `istioctl analyze` does.
   *
   * @default false (closed world)
   */
  readonly openWorld?: boolean;

  /**
   * The mesh config (MeshConfig, as in the `istio` ConfigMap's `mesh` key).
   * @default - Istio's default mesh config
   */
  readonly meshConfig?: any;
}

/**
 * Runs the three validation layers over a set of manifest objects:
 * 1. the CRD layer: the OpenAPI schemas, defaults and CEL rules (what the Kubernetes
 *    API server rejects);
 * 2. the webhook layer: what Istio's validating admission webhook rejects;
 * 3. the analyzer layer: cross-resource checks with `istioctl analyze`'s codes.
 *
 * Works on plain manifest objects, so it serves L2 output, raw L1 objects,
 * included YAML, the CLI and the cdk8s plugin alike.
 */
export class Analyzer {
  /**
   * Validates manifest objects (plain JSON, as synthesized or parsed from YAML) and
   * returns every finding.
   */
  public static analyze(objects: any[], options: AnalyzeOptions = {}): Finding[] {
    return Analyzer.analyzeSources(objects.map(object => ({ object })), options);
  }

  /**
   * Validates manifest objects that carry where they came from (construct path, file);
   * the findings carry it too.
   */
  public static analyzeSources(sources: ManifestSource[], options: AnalyzeOptions = {}): Finding[] {
    const findings: Finding[] = [];
    const objects = sources.filter(source => source.object !== null && typeof source.object === 'object' && !Array.isArray(source.object));
    // every layer sees every object, including objects that failed the CRD layer
    for (const source of objects) {
      if (options.crd !== false) {
        for (const f of CrdValidator.validate(source.object, { allowUnevaluableRules: options.allowUnevaluableRules })) {
          findings.push(withSource(f, source));
        }
      }
      if (options.webhook !== false) {
        for (const f of WebhookValidator.validate(source.object)) {
          findings.push(withSource(f, source));
        }
      }
    }
    if (options.analyzers !== false) {
      // the analyzer copies each source's construct path and file itself
      findings.push(...CrossResourceAnalyzer.analyze(objects, { openWorld: options.openWorld, meshConfig: options.meshConfig }));
    }
    const suppress = new Set(options.suppress ?? []);
    return findings.filter(f => !suppress.has(f.code));
  }

  /** True if the findings fail a run with these options (errors; warnings too when strict). */
  public static fails(findings: Finding[], options: AnalyzeOptions = {}): boolean {
    return findings.some(f => f.level === FindingLevel.ERROR || (options.strict === true && f.level === FindingLevel.WARNING));
  }

  /**
   * One finding on one line, in istioctl's style:
   * `Error [IST0101] (VirtualService ns/name) spec.http[0]: message`.
   */
  public static format(finding: Finding): string {
    const ref = finding.namespace ? `${finding.namespace}/${finding.name}` : finding.name;
    const where = [finding.constructPath ? `at '${finding.constructPath}'` : undefined, finding.file ? `in ${finding.file}` : undefined]
      .filter(x => x !== undefined).join(' ');
    // messages may already start with the object and the field: don't say them twice
    let message = finding.message;
    for (const prefix of [`${finding.kind} ${ref}: `, `${finding.kind} ${finding.name}: `]) {
      if (message.startsWith(prefix)) message = message.slice(prefix.length);
    }
    const field = finding.field && !message.startsWith(`${finding.field}:`) ? `${finding.field}: ` : '';
    return `${finding.level} [${finding.code}] (${finding.kind} ${ref})${where ? ` ${where}` : ''} ${field}${message}`;
  }

  private constructor() {}
}

function withSource(f: Finding, source: ManifestSource): Finding {
  if (!source.constructPath && !source.file) return f;
  return {
    ...f,
    ...(source.constructPath ? { constructPath: source.constructPath } : {}),
    ...(source.file ? { file: source.file } : {}),
  };
}
