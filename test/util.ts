import { Chart, Testing } from 'cdk8s';
import { Finding, FindingLevel, Analyzer, AnalyzeOptions } from '../src';

/**
 * Synthesizes a chart and validates every object through the library's validation
 * (CRD schema + CEL, and the other layers behind the same switch). Throws with all
 * findings when any object would be rejected. Every test synthesizes through this.
 */
export function synthValid(chart: Chart, options: AnalyzeOptions = {}): any[] {
  const manifests = Testing.synth(chart);
  // as at synth: open world unless said otherwise (a test's chart is not the whole mesh)
  const findings = Analyzer.analyze(manifests, { openWorld: true, ...options });
  if (Analyzer.fails(findings, options)) {
    throw new Error(`synthesized output is invalid:\n${findings.map(f => `  ${Analyzer.format(f)}`).join('\n')}`);
  }
  return manifests;
}

/** The findings for a set of manifest objects (for "fails validation when ..." tests). */
export function findingsOf(objects: any[], options: AnalyzeOptions = {}): Finding[] {
  return Analyzer.analyze(objects, options);
}

/** The error-level findings only. */
export function errorsOf(objects: any[], options: AnalyzeOptions = {}): Finding[] {
  return findingsOf(objects, options).filter(f => f.level === FindingLevel.ERROR);
}

/** The one object of a kind (and name, if given) in a synthesized manifest; fails if not exactly one. */
export function findObject(manifests: any[], kind: string, name?: string): any {
  const found = manifests.filter(m => m.kind === kind && (name === undefined || m.metadata?.name === name));
  if (found.length !== 1) {
    throw new Error(`expected one ${kind}${name ? ` named ${name}` : ''}, found ${found.length}: ${manifests.map(m => `${m.kind}/${m.metadata?.name}`).join(', ')}`);
  }
  return found[0];
}

/** All objects of a kind. */
export function objectsOf(manifests: any[], kind: string): any[] {
  return manifests.filter(m => m.kind === kind);
}
