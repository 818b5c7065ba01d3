#!/usr/bin/env node
/**
 * `cdk8s-istio analyze PATH...`: validates YAML manifests offline, with the same
 * layers as synth (CRD schema + CEL, Istio's webhook rules, istioctl-analyze
 * checks). A thin shell over `Analyzer`; the GitOps pre-merge check for any folder.
 *
 * Exit codes: 0 no errors, 1 errors (or warnings with --fail-on warning), 2 usage
 * or parse errors.
 *
 * `cdk8s-istio graph PATH...`: the traffic topology of the manifests (`MeshGraph`), as
 * Mermaid or DOT. Exit codes: 0, or 2 on usage or read errors.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Analyzer, AnalyzeOptions } from './validation/engine';
import { FindingLevel } from './validation/findings';
import { GraphFormat, MeshGraph } from './validation/graph';
import { ManifestReadError, readManifests, readMeshConfig } from './validation/manifest-reader';

const USAGE = `Usage: cdk8s-istio analyze [options] PATH...
       cdk8s-istio graph [--format mermaid|dot] [--out FILE] PATH...

Validates Istio and Gateway API manifests (YAML files or folders, multi-document
files and Lists) offline: the CRD schemas and CEL rules, Istio's admission webhook
rules, and istioctl-analyze style cross-resource checks. A document without
'kind' is mesh config.

Options:
  --format text|json     output format (default: text)
  --fail-on error|warning
                         exit 1 on errors (default), or on warnings too
  --suppress CODE        drop findings with this code (repeatable, or comma-separated)
  --only-crd             only the CRD layer (what the API server rejects)
  --no-analyzers         skip the cross-resource analyzers
  --open-world           references to objects outside the input are Info, not Error
  --mesh-config FILE     mesh config (MeshConfig YAML, or the istio ConfigMap)
  --allow-unevaluable-rules
                         CEL rules that cannot be evaluated are warnings, not errors
  -h, --help             this help

graph draws the traffic topology of the manifests: gateways and their hosts,
routes with their matches and weights, Services and their subsets, ServiceEntries,
and the mTLS, authorization and JWT policies with what they apply to.

Options of graph:
  --format mermaid|dot   output format (default: mermaid, a flowchart for Markdown)
  --out FILE             write to FILE instead of stdout
  --mesh-config FILE     mesh config (its rootNamespace: mesh-wide policies)
`;

class UsageError extends Error {}

interface Args {
  readonly paths: string[];
  readonly format: 'text' | 'json';
  readonly failOnWarning: boolean;
  readonly options: AnalyzeOptions;
  readonly meshConfigFile?: string;
}

function parseArgs(argv: string[]): Args | undefined {
  if (argv.length === 0 || argv[0] === '-h' || argv[0] === '--help') return undefined;
  const [command, ...rest] = argv;
  if (command !== 'analyze') throw new UsageError(`unknown command "${command}": the commands are "analyze" and "graph"`);
  const paths: string[] = [];
  const suppress: string[] = [];
  let format: 'text' | 'json' = 'text';
  let failOnWarning = false;
  let onlyCrd = false;
  let analyzers = true;
  let openWorld = false;
  let allowUnevaluableRules = false;
  let meshConfigFile: string | undefined;
  const value = (i: number, flag: string): string => {
    const v = rest[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const take = (): string => inline ?? value(i++, flag);
    switch (flag) {
      case '-h': case '--help': return undefined;
      case '--format': {
        const f = take();
        if (f !== 'text' && f !== 'json') throw new UsageError(`--format must be text or json, got "${f}"`);
        format = f;
        break;
      }
      case '--fail-on': {
        const f = take();
        if (f !== 'error' && f !== 'warning') throw new UsageError(`--fail-on must be error or warning, got "${f}"`);
        failOnWarning = f === 'warning';
        break;
      }
      case '--suppress': suppress.push(...take().split(',').map(s => s.trim()).filter(s => s)); break;
      case '--only-crd': onlyCrd = true; break;
      case '--no-analyzers': analyzers = false; break;
      case '--open-world': openWorld = true; break;
      case '--allow-unevaluable-rules': allowUnevaluableRules = true; break;
      case '--mesh-config': meshConfigFile = take(); break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option "${arg}"`);
        paths.push(arg);
    }
  }
  if (paths.length === 0) throw new UsageError('give at least one file or folder to analyze');
  return {
    paths,
    format,
    failOnWarning,
    meshConfigFile,
    options: {
      suppress,
      openWorld,
      allowUnevaluableRules,
      crd: true,
      webhook: !onlyCrd,
      analyzers: !onlyCrd && analyzers,
    },
  };
}

interface GraphArgs {
  readonly paths: string[];
  readonly format: GraphFormat;
  readonly outFile?: string;
  readonly meshConfigFile?: string;
}

function parseGraphArgs(rest: string[]): GraphArgs | undefined {
  const paths: string[] = [];
  let format = GraphFormat.MERMAID;
  let outFile: string | undefined;
  let meshConfigFile: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const take = (): string => {
      if (inline !== undefined) return inline;
      const v = rest[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`graph: ${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '-h': case '--help': return undefined;
      case '--format': {
        const f = take();
        if (f !== GraphFormat.MERMAID && f !== GraphFormat.DOT) throw new UsageError(`graph: --format must be mermaid or dot, got "${f}"`);
        format = f;
        break;
      }
      case '--out': outFile = take(); break;
      case '--mesh-config': meshConfigFile = take(); break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`graph: unknown option "${arg}" (graph takes --format, --out and --mesh-config)`);
        paths.push(arg);
    }
  }
  if (paths.length === 0) throw new UsageError('graph: give at least one file or folder to draw');
  return { paths, format, outFile, meshConfigFile };
}

/** The parsed arguments, or the exit code: 0 after printing the usage (`-h`), 2 after a usage error. */
function parseOrExit<T>(parse: () => T | undefined, out: (s: string) => void, err: (s: string) => void): T | number {
  try {
    const args = parse();
    if (args !== undefined) return args;
    out(USAGE);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`cdk8s-istio: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }
}

interface Input {
  readonly read: ReturnType<typeof readManifests>;
  readonly meshConfig: any;
}

/** The manifests of the paths and the mesh config (the --mesh-config file, else the input's istio ConfigMaps), or 2 after a read error. */
function readInput(paths: string[], meshConfigFile: string | undefined, err: (s: string) => void): Input | number {
  try {
    const read = readManifests(paths);
    let meshConfig: any;
    if (meshConfigFile) meshConfig = readMeshConfig(meshConfigFile);
    else if (read.meshConfigs.length > 0) meshConfig = Object.assign({}, ...read.meshConfigs);
    return { read, meshConfig };
  } catch (e) {
    if (e instanceof ManifestReadError) {
      err(`cdk8s-istio: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

function graphMain(rest: string[], out: (s: string) => void, err: (s: string) => void): number {
  const args = parseOrExit(() => parseGraphArgs(rest), out, err);
  if (typeof args === 'number') return args;
  const input = readInput(args.paths, args.meshConfigFile, err);
  if (typeof input === 'number') return input;
  const text = MeshGraph.fromObjects(input.read.sources.map(s => s.object), { meshConfig: input.meshConfig }).render(args.format);
  if (args.outFile === undefined) {
    out(text);
    return 0;
  }
  try {
    fs.mkdirSync(path.dirname(path.resolve(args.outFile)), { recursive: true });
    fs.writeFileSync(args.outFile, text);
  } catch (e: any) {
    err(`cdk8s-istio: graph: cannot write --out ${args.outFile}: ${e.message}\n`);
    return 2;
  }
  return 0;
}

export function main(argv: string[], out: (s: string) => void, err: (s: string) => void): number {
  if (argv[0] === 'graph') return graphMain(argv.slice(1), out, err);
  const args = parseOrExit(() => parseArgs(argv), out, err);
  if (typeof args === 'number') return args;
  const input = readInput(args.paths, args.meshConfigFile, err);
  if (typeof input === 'number') return input;
  const { read, meshConfig } = input;
  const findings = Analyzer.analyzeSources(read.sources, { ...args.options, meshConfig });
  if (args.format === 'json') {
    out(JSON.stringify(findings, undefined, 2) + '\n');
  } else if (findings.length === 0) {
    out(`\u2714 No validation issues found when analyzing ${read.sources.length} object(s).\n`);
  } else {
    out(findings.map(f => Analyzer.format(f)).join('\n') + '\n');
  }
  const failing = findings.some(f => f.level === FindingLevel.ERROR || (args.failOnWarning && f.level === FindingLevel.WARNING));
  return failing ? 1 : 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), s => process.stdout.write(s), s => process.stderr.write(s));
}
