/**
 * `npm run bench`: how fast the library is for its users, against baselines measured
 * in the same run on the same machine (machines are shared and noisy: only the
 * ratios travel).
 *
 * Workload (scripts/bench-workload.ts): a mesh of N services built with the patterns
 * (per service a CanaryRelease 90/10 with a header match, retries and a circuit
 * breaker, an AuthorizationPolicy for two service accounts, a Service and two
 * Deployments; 50 services per StrictMtlsNamespace chart; one EgressGateway with 20
 * external hosts; one JwtProtectedIngress for all the services' hosts).
 *
 * Measured per size, each size in a fresh child process (so that sizes do not share
 * a heap, and peak RSS is the size's own), after a warm-up at N=20 in that process:
 * - L2: construct the app + `app.synthYaml()` (in memory: no disk I/O in the figure).
 * - L1 baseline: the same final objects rebuilt with the imported L1 classes
 *   (`networking.VirtualService`..., ApiObject for Kubernetes kinds) in Charts of the
 *   same ids and namespaces, from the L2 synth's JSON prepared before the clock
 *   starts; timed: construct + `app.synthYaml()`. Its YAML must equal the L2's.
 * - Floor: the same manifests as plain JS objects through cdk8s' `Yaml.stringify`
 *   (the function `synthYaml` calls: the `yaml` package with cdk8s' options). Its
 *   YAML must equal the L2's too.
 * - Validation of the synthesized objects: the CRD layer (`CrdValidator.validate`
 *   per object), the webhook layer and the analyzer (`Analyzer.analyze` with only
 *   that layer), and all three in one `Analyzer.analyze` (open world). The app must
 *   have no Error finding.
 * - Peer validator: `@kubernetes-models/istio` model `validate()` over the Istio
 *   objects of kinds it has (instances made before the clock starts; other kinds
 *   skipped and counted), against our CRD layer over the same objects.
 * - Peak RSS (`process.resourceUsage().maxRSS` of the child) and objects emitted.
 * And once per run: a cold `require` of the compiled library against a cold
 * `require('cdk8s-plus-33')`, each in a fresh `node` process, interleaved, median.
 *
 *   npm run bench                      N = 100, 1000, 5000, median of 3 rounds (and the synth with
 *                                      IstioValidation.enable); writes bench/RESULTS.md
 *   npm run bench -- --quick           N = 1000 (and N = 200 for the scaling), up to 3 rounds within a
 *                                      time budget (under a minute in all); ends with one summary line
 *   npm run bench -- --sizes 100,500 --rounds 2 [--out file.md]
 *
 * The projen task passes its arguments on (`receiveArgs`); the environment says the
 * same: BENCH_QUICK=1, BENCH_SIZES=100,500, BENCH_ROUNDS=2, BENCH_OUT=file.md.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { ApiObject, App, Chart, JsonPatch, Yaml } from 'cdk8s';
import type * as Workload from './bench-workload';
import type * as Library from '../src';

/**
 * The library and the workload, loaded in the child processes only: loading them
 * through ts-node takes seconds, which the parent (it only spawns and reports) saves.
 */
let loaded: { workload: typeof Workload; lib: typeof Library } | undefined;
function modules(): { workload: typeof Workload; lib: typeof Library } {
  return loaded ??= { workload: require('./bench-workload'), lib: require('../src') };
}

const ROOT = path.resolve(__dirname, '..');
const CHILD_MARK = 'BENCH_CHILD_RESULT ';
const WARMUP_N = 20;
const LOAD_RUNS = 7;
const TARGETS = {
  l2_over_l1: 1.3,
  over_floor: 3,
  validate_over_synth: 1,
  scaling_5x: 5.5,
  require_over_plus: 1,
  seconds_5000: 60,
  peak_mb_5000: 2048,
};

class BenchError extends Error {}

// ---------------------------------------------------------------- options

interface Options {
  readonly quick: boolean;
  readonly sizes: number[];
  readonly rounds: number;
  /** Where the markdown goes (full runs). */
  readonly out?: string;
  /** Child mode: measure one size. */
  readonly child?: number;
  /** Also time the synth with IstioValidation.enable (full runs; `--end-to-end` in the child). */
  readonly endToEnd: boolean;
  /** The rounds of one size stop when the next would pass this many seconds (quick runs). */
  readonly budgetS?: number;
}

function parseOptions(argv: string[]): Options {
  const flag = (name: string) => argv.includes(`--${name}`);
  const value = (name: string, env?: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    if (i >= 0) {
      if (i + 1 >= argv.length) throw new BenchError(`--${name} needs a value`);
      return argv[i + 1];
    }
    return env ? process.env[env] || undefined : undefined;
  };
  const known = new Set(['--quick', '--sizes', '--rounds', '--out', '--child', '--end-to-end', '--budget']);
  argv.forEach((a, i) => {
    if (a.startsWith('--') && !known.has(a)) throw new BenchError(`unknown option ${a} (known: ${[...known].join(', ')})`);
    if (!a.startsWith('--') && !(i > 0 && ['--sizes', '--rounds', '--out', '--child', '--budget'].includes(argv[i - 1]))) throw new BenchError(`unexpected argument ${a}`);
  });
  const quick = flag('quick') || ['1', 'true'].includes(process.env.BENCH_QUICK ?? '');
  const positiveInt = (s: string, what: string) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n <= 0) throw new BenchError(`${what}: "${s}" is not a positive integer`);
    return n;
  };
  const sizesArg = value('sizes', 'BENCH_SIZES');
  const roundsArg = value('rounds', 'BENCH_ROUNDS');
  const childArg = value('child');
  const budgetArg = value('budget');
  return {
    quick,
    sizes: sizesArg ? sizesArg.split(',').map(s => positiveInt(s.trim(), '--sizes')) : (quick ? [200, 1000] : [100, 1000, 5000]),
    rounds: roundsArg ? positiveInt(roundsArg, '--rounds') : 3,
    out: value('out', 'BENCH_OUT') ?? (quick || sizesArg ? undefined : path.join(ROOT, 'bench', 'RESULTS.md')),
    child: childArg ? positiveInt(childArg, '--child') : undefined,
    endToEnd: childArg ? flag('end-to-end') : !quick,
    budgetS: budgetArg !== undefined ? positiveInt(budgetArg, '--budget') : undefined,
  };
}

// ---------------------------------------------------------------- helpers

function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

function time<T>(fn: () => T): [number, T] {
  const start = now();
  const result = fn();
  return [now() - start, result];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function clone<T>(x: T): T {
  return JSON.parse(JSON.stringify(x));
}

/** Runs one baseline; a failure names it and ends the run. */
function baseline<T>(name: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof BenchError) throw e;
    throw new BenchError(`${name} failed: ${(e as Error).stack ?? e}`);
  }
}

async function baselineAsync<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof BenchError) throw e;
    throw new BenchError(`${name} failed: ${(e as Error).stack ?? e}`);
  }
}

// ---------------------------------------------------------------- child: one size

/** The synthesized objects of one chart, as `app.synthYaml()` rendered them. */
interface ChartJson {
  readonly id: string;
  readonly namespace?: string;
  readonly objects: any[];
}

/** Timings of one round, in ms. */
interface Round {
  l2Construct: number;
  l2: number;
  l1: number;
  floor: number;
  crd: number;
  webhook: number;
  analyzer: number;
  all: number;
  peer: number;
  crdPeerSubset: number;
  /** L2 construct + synth with `IstioValidation.enable` (full runs only). */
  l2Validated?: number;
}

interface SizeResult {
  n: number;
  perNamespace: number;
  externalHosts: number;
  objects: number;
  istioObjects: number;
  yamlBytes: number;
  peerValidated: number;
  peerRejected: number;
  peerRejectedExample?: string;
  peerSkipped: { [kind: string]: number };
  findings: { [levelCode: string]: number };
  rounds: Round[];
  peakMb: number;
}

/**
 * Constructs the pattern app and synthesizes it to YAML; returns the objects of each
 * chart as that synth rendered them (each chart's `toJson()` result is kept as
 * `synthYaml` asks for it: calling `toJson()` again afterwards would re-validate the
 * whole app once per chart).
 */
function synthPatternApp(n: number, validated = false): { constructMs: number; totalMs: number; yaml: string; charts: ChartJson[] } {
  const start = now();
  const { workload, lib } = modules();
  const app = workload.buildMeshApp(n);
  if (validated) lib.IstioValidation.enable(app, { printWarnings: false });
  const constructMs = now() - start;
  const captured = new Map<Chart, any[]>();
  for (const chart of app.charts) {
    const toJson = chart.toJson.bind(chart);
    Object.defineProperty(chart, 'toJson', { value: () => { const json = toJson(); captured.set(chart, json); return json; } });
  }
  const yaml = app.synthYaml();
  const totalMs = now() - start;
  const charts = app.charts.map(chart => {
    const objects = captured.get(chart);
    if (!objects) throw new BenchError(`synthYaml did not render chart ${chart.node.id}`);
    return { id: chart.node.id, namespace: chart.namespace, objects };
  });
  return { constructMs, totalMs, yaml, charts };
}

interface L1Classes {
  /** The L1 classes by `apiVersion|kind`. */
  readonly byKind: Map<string, any>;
  /**
   * The JSON keys whose L1 prop is spelled otherwise (`consecutive5xxErrors` is the
   * prop `consecutive5XxErrors`), read from the L1's `toJson_*` functions, which
   * write `'jsonKey': obj.propKey`.
   */
  readonly propKeys: Map<string, string>;
}

function l1Classes(): L1Classes {
  const byKind = new Map<string, any>();
  const propKeys = new Map<string, string>();
  const { lib } = modules();
  for (const group of [lib.networking, lib.security, lib.telemetry, lib.extensions, lib.gatewayApi, lib.gatewayApiX]) {
    for (const [name, value] of Object.entries(group)) {
      const gvk = (value as any)?.GVK;
      if (typeof value === 'function' && gvk?.apiVersion && gvk?.kind) byKind.set(`${gvk.apiVersion}|${gvk.kind}`, value);
      if (typeof value === 'function' && name.startsWith('toJson_')) {
        for (const [, jsonKey, propKey] of value.toString().matchAll(/'([^']+)': obj\.([A-Za-z0-9_$]+)/g)) {
          if (jsonKey === propKey) continue;
          if (propKeys.has(jsonKey) && propKeys.get(jsonKey) !== propKey) {
            throw new BenchError(`JSON key ${jsonKey} is the L1 prop ${propKeys.get(jsonKey)} and ${propKey}: the L1 rebuild needs a per-type mapping`);
          }
          propKeys.set(jsonKey, propKey);
        }
      }
    }
  }
  if (byKind.size === 0 || propKeys.size === 0) throw new BenchError(`found ${byKind.size} L1 classes and ${propKeys.size} renamed keys: the imports changed shape`);
  return { byKind, propKeys };
}

/** A spec as L1 props: the JSON keys renamed to the L1 props' spelling. */
function toL1Props(value: any, propKeys: Map<string, string>): any {
  if (Array.isArray(value)) return value.map(v => toL1Props(v, propKeys));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [propKeys.get(k) ?? k, toL1Props(v, propKeys)]));
}

interface L1Plan {
  readonly charts: Array<{ id: string; namespace?: string; objects: Array<{ cls?: any; id: string; props: any; clusterScoped: boolean }> }>;
}

/**
 * What the L1 rebuild constructs, prepared before the clock starts: the L1 class and
 * its props (`metadata`, `spec`) for the kinds of the imports, ApiObject props (the
 * whole object) for the others.
 */
function planL1(charts: ChartJson[], classes: L1Classes): L1Plan {
  return {
    charts: charts.map(chart => ({
      id: chart.id,
      namespace: chart.namespace,
      objects: chart.objects.map((obj, i) => {
        const cls = classes.byKind.get(`${obj.apiVersion}|${obj.kind}`);
        const { apiVersion, kind, ...rest } = clone(obj);
        const onlyMetadataAndSpec = Object.keys(rest).every(k => k === 'metadata' || k === 'spec');
        // a cluster-scoped object (Namespace) in a chart with a namespace: cdk8s would add it
        const clusterScoped = chart.namespace !== undefined && obj.metadata?.namespace === undefined;
        return cls && onlyMetadataAndSpec
          ? { cls, id: `o${i}`, props: { ...rest, spec: toL1Props(rest.spec, classes.propKeys) }, clusterScoped }
          : { id: `o${i}`, props: { apiVersion, kind, ...rest }, clusterScoped };
      }),
    })),
  };
}

function synthL1(plan: L1Plan): string {
  const app = new App({ outdir: os.tmpdir() });
  for (const c of plan.charts) {
    const chart = new Chart(app, c.id, { namespace: c.namespace });
    for (const o of c.objects) {
      const obj: ApiObject = o.cls ? new o.cls(chart, o.id, o.props) : new ApiObject(chart, o.id, o.props);
      if (o.clusterScoped) obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }
  }
  return app.synthYaml();
}

/** The @kubernetes-models/istio model classes by `apiVersion|kind` (an ES module: imported by file URL). */
async function peerClasses(apiVersions: string[]): Promise<Map<string, any>> {
  const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<any>;
  const base = path.dirname(require.resolve('@kubernetes-models/istio/package.json', { paths: [ROOT] }));
  const classes = new Map<string, any>();
  for (const apiVersion of new Set(apiVersions)) {
    const file = path.join(base, ...apiVersion.split('/'), 'index.js');
    if (!fs.existsSync(file)) continue;
    const mod = await importEsm(pathToFileURL(file).href);
    for (const value of Object.values(mod)) {
      const cls = value as any;
      if (typeof cls === 'function' && cls.apiVersion === apiVersion && typeof cls.kind === 'string') classes.set(`${apiVersion}|${cls.kind}`, cls);
    }
  }
  return classes;
}

/** The L1 or floor YAML must be the L2's: otherwise the baseline measures something else. */
function checkSameYaml(name: string, yaml: string, expected: string): void {
  if (yaml === expected) return;
  const a = yaml.split('---\n');
  const b = expected.split('---\n');
  const i = a.findIndex((d, j) => d !== b[j]);
  const differs = a.length !== b.length ? `${a.length} documents instead of ${b.length}` : `document ${i} differs`;
  throw new BenchError(`${name}: its YAML is not the L2 synth's (${differs}):\n${(a[i] ?? '').slice(0, 800)}\n--- the L2's:\n${(b[i] ?? '').slice(0, 800)}`);
}

const ISTIO_GROUP = /\.istio\.io\//;

async function measureSize(n: number, rounds: number, endToEnd: boolean, budgetMs?: number): Promise<SizeResult> {
  const { Analyzer, CrdValidator } = modules().lib;
  const classes = baseline('L1 baseline (finding the L1 classes)', l1Classes);

  // warm-up: loads and compiles everything once (schemas, CEL rules, the peer's models)
  const warm = synthPatternApp(WARMUP_N);
  if (endToEnd) synthPatternApp(WARMUP_N, true);
  const warmObjects = warm.charts.flatMap(c => c.objects);
  synthL1(planL1(warm.charts, classes));
  Yaml.stringify(...clone(warmObjects));
  Analyzer.analyze(warmObjects, { openWorld: true });
  const peer = await baselineAsync('peer validator (importing @kubernetes-models/istio)', () =>
    peerClasses(warmObjects.filter(o => ISTIO_GROUP.test(`${o.apiVersion}/`)).map(o => o.apiVersion)));
  for (const o of warmObjects) {
    const cls = peer.get(`${o.apiVersion}|${o.kind}`);
    if (cls) try { new cls(clone(o)).validate(); } catch { /* counted in the measured rounds */ }
  }

  const result: SizeResult = {
    n, perNamespace: modules().workload.PER_NAMESPACE, externalHosts: modules().workload.EXTERNAL_HOSTS, objects: 0, istioObjects: 0, yamlBytes: 0, peerValidated: 0, peerRejected: 0, peerSkipped: {}, findings: {}, rounds: [], peakMb: 0,
  };
  // no forced gc() between phases: a full GC made the phase after it ~200 ms slower
  // (code and feedback dropped, heap regrown), more than the garbage it removed
  const started = now();
  for (let round = 0; round < rounds; round++) {
    // a time budget (quick runs) stops before a round that would overrun it; one round always runs
    const elapsed = now() - started;
    if (budgetMs !== undefined && round > 0 && elapsed + elapsed / round > budgetMs) break;
    const l2 = baseline('L2 synth (the pattern app)', () => synthPatternApp(n));
    const objects = l2.charts.flatMap(c => c.objects);
    result.objects = objects.length;
    result.yamlBytes = Buffer.byteLength(l2.yaml);

    // L1 baseline
    const plan = baseline('L1 baseline (planning)', () => planL1(l2.charts, classes));
    const [l1Ms, l1Yaml] = baseline('L1 baseline', () => time(() => synthL1(plan)));
    baseline('L1 baseline', () => checkSameYaml('L1 baseline', l1Yaml, l2.yaml));

    // floor
    const plain = clone(objects);
    const [floorMs, floorYaml] = baseline('floor (Yaml.stringify)', () => time(() => Yaml.stringify(...plain)));
    baseline('floor', () => checkSameYaml('floor', floorYaml, l2.yaml));

    // our validation layers, over the synthesized objects
    const [crdMs] = baseline('CRD layer', () => time(() => { for (const o of objects) CrdValidator.validate(o); }));
    const [webhookMs] = baseline('webhook layer', () => time(() => Analyzer.analyze(objects, { crd: false, webhook: true, analyzers: false })));
    const [analyzerMs] = baseline('analyzer layer', () => time(() => Analyzer.analyze(objects, { crd: false, webhook: false, analyzers: true, openWorld: true })));
    const [allMs, findings] = baseline('all layers', () => time(() => Analyzer.analyze(objects, { openWorld: true })));
    const errors = findings.filter(f => f.level === 'Error');
    if (errors.length > 0) {
      throw new BenchError(`the synthetic app must be valid, got ${errors.length} errors, e.g.\n${errors.slice(0, 3).map(f => Analyzer.format(f)).join('\n')}`);
    }
    result.findings = {};
    for (const f of findings) result.findings[`${f.level} ${f.code}`] = (result.findings[`${f.level} ${f.code}`] ?? 0) + 1;

    // the peer validator, and our CRD layer over the same objects
    const istio = objects.filter(o => ISTIO_GROUP.test(`${o.apiVersion}/`));
    result.istioObjects = istio.length;
    const subset: any[] = [];
    const models: any[] = [];
    result.peerSkipped = {};
    for (const o of istio) {
      const cls = peer.get(`${o.apiVersion}|${o.kind}`);
      if (!cls) {
        result.peerSkipped[`${o.apiVersion}/${o.kind}`] = (result.peerSkipped[`${o.apiVersion}/${o.kind}`] ?? 0) + 1;
        continue;
      }
      subset.push(o);
      models.push(baseline('peer validator (making the models)', () => new cls(clone(o))));
    }
    let rejected = 0;
    let example: string | undefined;
    const [peerMs] = baseline('peer validator', () => time(() => {
      for (const m of models) {
        try {
          m.validate();
        } catch (e) {
          rejected++;
          example ??= `${m.kind} ${m.metadata?.namespace}/${m.metadata?.name}: ${String((e as Error).message).split('\n')[0]}`;
        }
      }
    }));
    const [crdPeerSubsetMs] = baseline('CRD layer (peer subset)', () => time(() => { for (const o of subset) CrdValidator.validate(o); }));
    result.peerValidated = models.length;
    result.peerRejected = rejected;
    result.peerRejectedExample = example;

    // end to end: what a user of the validation switch waits for
    const l2Validated = endToEnd ? baseline('L2 synth with IstioValidation.enable', () => synthPatternApp(n, true)).totalMs : undefined;

    result.rounds.push({
      l2Construct: l2.constructMs, l2: l2.totalMs, l1: l1Ms, floor: floorMs,
      crd: crdMs, webhook: webhookMs, analyzer: analyzerMs, all: allMs, peer: peerMs, crdPeerSubset: crdPeerSubsetMs, l2Validated,
    });
  }
  result.peakMb = process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
  return result;
}

// ---------------------------------------------------------------- parent

/** Runs one size in a fresh Node process (ts-node, as this script runs). */
function runChild(n: number, rounds: number, endToEnd: boolean, budgetS?: number): SizeResult {
  const started = now();
  process.stderr.write(`bench: n=${n}, up to ${rounds} round(s)${budgetS !== undefined ? ` within ${budgetS} s` : ''}... `);
  const child = spawnSync(process.execPath, [
    '-r', 'ts-node/register/transpile-only', __filename, '--child', String(n), '--rounds', String(rounds), ...(endToEnd ? ['--end-to-end'] : []),
    ...(budgetS !== undefined ? ['--budget', String(budgetS)] : []),
  ], {
    cwd: ROOT,
    env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'test', 'tsconfig.json'), TS_NODE_TRANSPILE_ONLY: 'true', BENCH_QUICK: '', BENCH_SIZES: '', BENCH_OUT: '' },
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  const line = (child.stdout ?? '').split('\n').find(l => l.startsWith(CHILD_MARK));
  if (child.status !== 0 || !line) {
    throw new BenchError(`the run at n=${n} failed (exit ${child.status ?? child.signal}${child.error ? `, ${child.error.message}` : ''}):\n${(child.stderr ?? '').trim()}\n${(child.stdout ?? '').trim()}`);
  }
  const result: SizeResult = JSON.parse(line.slice(CHILD_MARK.length));
  process.stderr.write(`${result.rounds.length} round(s) in ${((now() - started) / 1000).toFixed(1)} s\n`);
  return result;
}

interface LoadResult {
  /** What was required as the library, and why. */
  readonly library: string;
  readonly note?: string;
  readonly istioMs: number[];
  readonly plusMs: number[];
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * The compiled library: lib/src/index.js (jsii's output) when it is there and newer
 * than every source; otherwise a transpile of src/ and imports/ into .tmp/bench-lib
 * with TypeScript's transpileModule and the compilerOptions of tsconfig.json (what
 * jsii emits, inline source maps included, without the type check).
 */
function compiledLibrary(): { entry: string; note?: string } {
  const lib = path.join(ROOT, 'lib', 'src', 'index.js');
  const sources = Math.max(newestMtime(path.join(ROOT, 'src')), newestMtime(path.join(ROOT, 'imports')));
  const why = !fs.existsSync(lib) ? 'lib/ is missing' : fs.statSync(lib).mtimeMs < sources ? 'lib/ is older than src/' : undefined;
  if (!why) return { entry: lib };
  const outDir = path.join(ROOT, '.tmp', 'bench-lib');
  const entry = path.join(outDir, 'src', 'index.js');
  if (!fs.existsSync(entry) || fs.statSync(entry).mtimeMs < sources) {
    const ts = require('typescript') as typeof import('typescript');
    const config = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
    const compilerOptions = { ...parsed.options, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, outDir };
    fs.rmSync(outDir, { recursive: true, force: true });
    for (const file of parsed.fileNames) {
      const out = path.join(outDir, path.relative(ROOT, file)).replace(/\.ts$/, '.js');
      const js = ts.transpileModule(fs.readFileSync(file, 'utf8'), { compilerOptions, fileName: file }).outputText;
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, js);
    }
    // the entry point as the build's post-compile step writes it (lazy re-exports)
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'lazify-index.js'), entry], { stdio: 'ignore' });
  }
  return { entry, note: `${why}: measured a transpile of src/ and imports/ into .tmp/bench-lib (TypeScript transpileModule, the tsconfig.json options: jsii's JavaScript without the type check; its entry point made lazy as the build does); \`npx projen build\` first to measure jsii's lib/` };
}

/** Cold `require` times, each in a fresh `node` process, interleaved (the order alternates). */
function measureLoad(runs: number): LoadResult {
  const { entry, note } = compiledLibrary();
  const plus = require.resolve('cdk8s-plus-33', { paths: [ROOT] });
  const once = (target: string): number => {
    const code = `const t=process.hrtime.bigint();require(${JSON.stringify(target)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
    const child = spawnSync(process.execPath, ['-e', code], { cwd: ROOT, encoding: 'utf8' });
    const ms = Number(child.stdout);
    if (child.status !== 0 || !Number.isFinite(ms)) throw new BenchError(`load time: require(${target}) failed (exit ${child.status}):\n${child.stderr}`);
    return ms;
  };
  const istioMs: number[] = [];
  const plusMs: number[] = [];
  once(entry); once(plus); // fills the file cache for both
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) { istioMs.push(once(entry)); plusMs.push(once(plus)); } else { plusMs.push(once(plus)); istioMs.push(once(entry)); }
  }
  return { library: path.relative(ROOT, entry), note, istioMs, plusMs };
}

interface Summary {
  readonly n: number;
  readonly l2: number;
  readonly l1: number;
  readonly floor: number;
  readonly validate: number;
  readonly l2_over_l1: number;
  readonly over_floor: number;
  readonly validate_over_synth: number;
  readonly crd_over_peer: number;
}

function summarize(r: SizeResult): Summary {
  const m = (k: keyof Round) => median(r.rounds.map(x => x[k] ?? NaN));
  return {
    n: r.n, l2: m('l2'), l1: m('l1'), floor: m('floor'), validate: m('all'),
    l2_over_l1: m('l2') / m('l1'),
    over_floor: m('l2') / m('floor'),
    validate_over_synth: m('all') / m('l2'),
    crd_over_peer: m('crdPeerSubset') / m('peer'),
  };
}

function fmtMs(xs: number[]): string {
  const ms = median(xs);
  const f = (x: number) => (x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${x.toFixed(0)} ms`);
  return xs.length > 1 ? `${f(ms)} (${f(Math.min(...xs))}–${f(Math.max(...xs))})` : f(ms);
}

const COLUMNS: Array<[keyof Round, string]> = [
  ['l2', 'L2 construct + synth'],
  ['l2Construct', '… of which construct'],
  ['l1', 'L1 construct + synth'],
  ['floor', 'floor (Yaml.stringify)'],
  ['crd', 'CRD layer'],
  ['webhook', 'webhook layer'],
  ['analyzer', 'analyzer'],
  ['all', 'all layers (Analyzer.analyze)'],
  ['peer', 'peer validate() (Istio kinds it has)'],
  ['crdPeerSubset', 'our CRD layer, same objects'],
  ['l2Validated', 'L2 construct + synth with IstioValidation.enable'],
];

function table(results: SizeResult[]): string[] {
  const lines = [
    `| measure | ${results.map(r => `N = ${r.n}`).join(' | ')} |`,
    `|---|${results.map(() => '---:').join('|')}|`,
    `| objects emitted | ${results.map(r => `${r.objects} (${r.istioObjects} Istio, ${(r.yamlBytes / 2 ** 20).toFixed(1)} MiB YAML)`).join(' | ')} |`,
  ];
  for (const [key, label] of COLUMNS) {
    if (results.some(r => r.rounds.some(x => x[key] === undefined))) continue;
    lines.push(`| ${label} | ${results.map(r => fmtMs(r.rounds.map(x => x[key]!))).join(' | ')} |`);
  }
  lines.push(`| peak RSS | ${results.map(r => `${r.peakMb.toFixed(0)} MiB`).join(' | ')} |`);
  const s = results.map(summarize);
  lines.push(`| **l2_over_l1** (target ≤ ${TARGETS.l2_over_l1}) | ${s.map(x => x.l2_over_l1.toFixed(2)).join(' | ')} |`);
  lines.push(`| **over_floor** (target ≤ ${TARGETS.over_floor}) | ${s.map(x => x.over_floor.toFixed(1)).join(' | ')} |`);
  lines.push(`| **validate_over_synth** (target ≤ ${TARGETS.validate_over_synth}) | ${s.map(x => x.validate_over_synth.toFixed(2)).join(' | ')} |`);
  lines.push(`| crd_over_peer (no target) | ${s.map(x => x.crd_over_peer.toFixed(2)).join(' | ')} |`);
  return lines;
}

/** Time(big)/Time(small) for synth and for validation, and the worse of the two. */
function scaling(small: SizeResult, big: SizeResult): { synth: number; validate: number; worst: number } {
  const a = summarize(small);
  const b = summarize(big);
  const synth = b.l2 / a.l2;
  const validate = b.validate / a.validate;
  return { synth, validate, worst: Math.max(synth, validate) };
}

/** The commit measured, and whether src/ or imports/ had uncommitted changes. */
function revision(): string {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD');
  if (head.status !== 0) return 'not a git checkout';
  const dirty = git('status', '--porcelain', '--', 'src', 'imports', 'scripts').stdout.trim();
  return `commit ${head.stdout.trim()}${dirty ? ', with uncommitted changes to src/, imports/ or scripts/' : ''}`;
}

function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory, Node ${process.version}, ${os.type()} ${os.release()}`;
}

function notes(results: SizeResult[], load: LoadResult): string[] {
  const out: string[] = [];
  const last = results[results.length - 1];
  const skipped = Object.entries(last.peerSkipped).map(([k, v]) => `${v} ${k}`).join(', ');
  out.push(`Peer validator: ${last.peerValidated} of ${last.istioObjects} Istio objects at N = ${last.n} validated by @kubernetes-models/istio${skipped ? `; skipped (kinds it does not have): ${skipped}` : ''}; rejected: ${last.peerRejected}${last.peerRejectedExample ? ` (e.g. ${last.peerRejectedExample})` : ''}.`);
  out.push(`Findings of the app (all layers, open world): ${Object.entries(last.findings).map(([k, v]) => `${v} ${k}`).join(', ') || 'none'}.`);
  out.push(`Load time: require('${load.library}') ${median(load.istioMs).toFixed(0)} ms vs require('cdk8s-plus-33') ${median(load.plusMs).toFixed(0)} ms (median of ${load.istioMs.length} cold runs each, interleaved; ranges ${Math.min(...load.istioMs).toFixed(0)}–${Math.max(...load.istioMs).toFixed(0)} and ${Math.min(...load.plusMs).toFixed(0)}–${Math.max(...load.plusMs).toFixed(0)} ms).${load.note ? ` Note: ${load.note}.` : ''}`);
  return out;
}

function writeResults(file: string, results: SizeResult[], load: LoadResult): void {
  const s = results.map(summarize);
  const at = (n: number) => results.find(r => r.n === n);
  const r1000 = at(1000);
  const r5000 = at(5000);
  const requireRatio = median(load.istioMs) / median(load.plusMs);
  const ratioLines: string[] = [];
  if (r1000 && r5000) {
    const sc = scaling(r1000, r5000);
    ratioLines.push(`| scaling_5x, synth: T(5000) / T(1000) | ${sc.synth.toFixed(2)} | ≤ ${TARGETS.scaling_5x} | ${sc.synth <= TARGETS.scaling_5x ? 'met' : 'NOT met'} |`);
    ratioLines.push(`| scaling_5x, validation: T(5000) / T(1000) | ${sc.validate.toFixed(2)} | ≤ ${TARGETS.scaling_5x} | ${sc.validate <= TARGETS.scaling_5x ? 'met' : 'NOT met'} |`);
    const total = (summarize(r5000).l2 + summarize(r5000).validate) / 1000;
    ratioLines.push(`| N = 5000: synth + validation | ${total.toFixed(1)} s | < ${TARGETS.seconds_5000} s | ${total < TARGETS.seconds_5000 ? 'met' : 'NOT met'} |`);
    ratioLines.push(`| N = 5000: peak RSS | ${r5000.peakMb.toFixed(0)} MiB | < 2 GiB | ${r5000.peakMb < TARGETS.peak_mb_5000 ? 'met' : 'NOT met'} |`);
  }
  const partial = r1000 && r5000 ? [] : [
    `**Partial run** (sizes ${results.map(r => r.n).join(', ')}): scaling_5x and the N = 5000 targets need N = 1000 and N = 5000; \`npm run bench\` without options measures them.`,
    '',
  ];
  const big = { ...s[s.length - 1], ...results[results.length - 1] };
  const md = [
    '# Benchmark results',
    '',
    `Written by \`npm run bench\` (scripts/bench.ts) on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
    '',
    `Machine: ${machine()}. Code: ${revision()}.`,
    '',
    `Median of ${results.map(r => `${r.rounds.length} rounds at N = ${r.n}`).join(', ')} (min–max in parentheses), each size in a fresh Node process after a warm-up at N = ${WARMUP_N}.`,
    '',
    ...table(results),
    '',
    `## Targets (issue 13), at N = ${big.n} unless said`,
    '',
    ...partial,
    '| ratio | value | target | |',
    '|---|---:|---:|---|',
    `| l2_over_l1 | ${big.l2_over_l1.toFixed(2)} | ≤ ${TARGETS.l2_over_l1} | ${big.l2_over_l1 <= TARGETS.l2_over_l1 ? 'met' : 'NOT met'} |`,
    `| over_floor | ${big.over_floor.toFixed(1)} | ≤ ${TARGETS.over_floor} | ${big.over_floor <= TARGETS.over_floor ? 'met' : 'NOT met'} |`,
    `| validate_over_synth | ${big.validate_over_synth.toFixed(2)} | ≤ ${TARGETS.validate_over_synth} | ${big.validate_over_synth <= TARGETS.validate_over_synth ? 'met' : 'NOT met'} |`,
    ...ratioLines,
    `| require_over_plus | ${requireRatio.toFixed(2)} | ≤ ${TARGETS.require_over_plus} | ${requireRatio <= TARGETS.require_over_plus ? 'met' : 'NOT met'} |`,
    '',
    ...notes(results, load).flatMap(l => [l, '']),
    '## What the columns mean',
    '',
    `- **Workload**: N services built with the patterns (scripts/bench-workload.ts): per service a CanaryRelease (90/10, a header match to the canary, retries and a timeout on the routes, a circuit breaker — outlier detection and connection pool — on its DestinationRule, bound to the ingress gateway for the service's public host), an ALLOW AuthorizationPolicy for two service accounts, a Service and two Deployments (v1, v2) as ApiObjects; ${big.perNamespace} services per StrictMtlsNamespace, one chart per namespace; one EgressGateway with ${big.externalHosts} external hosts; one JwtProtectedIngress serving every service's host.`,
    '- **L2 construct + synth**: constructing that app and `app.synthYaml()` (the YAML `cdk8s synth` writes, in memory; the cross-checks run inside it). "of which construct": the constructors alone.',
    '- **L1 construct + synth**: the same final objects built with the imported L1 classes (`networking.VirtualService`, … with the same `metadata` and `spec`; ApiObjects for the Kubernetes kinds) in charts of the same ids and namespaces, then `app.synthYaml()`. The props are prepared from the L2 synth\'s JSON before the clock starts; the YAML is checked equal to the L2\'s. **l2_over_l1** = L2 / L1: what the abstractions cost over hand-built L1.',
    '- **floor**: the same manifests as plain JS objects through cdk8s\' `Yaml.stringify` (what `synthYaml` calls: the `yaml` package with `lineWidth: 0`, YAML 1.1); the YAML is checked equal to the L2\'s. **over_floor** = L2 / floor: the physical limit of producing those bytes.',
    '- **CRD layer / webhook layer / analyzer**: each layer alone over the synthesized objects (`CrdValidator.validate` per object; `Analyzer.analyze` with only that layer; the analyzer in open world); **all layers**: one `Analyzer.analyze(objects, { openWorld: true })`. **validate_over_synth** = all layers / L2 construct + synth.',
    '- **peer validate()**: `@kubernetes-models/istio` 3.0.1 (schemas only: no CEL, no cross-resource rule), `new Model(json).validate()` per Istio object of a kind it has, models made before the clock starts; **crd_over_peer** = our CRD layer over exactly those objects / the peer.',
    '- **scaling_5x** = T(5000) / T(1000), for synth and for validation: linear work gives about 5.',
    '- **require_over_plus** = cold `require` of the compiled library / cold `require(\'cdk8s-plus-33\')`, each in a fresh `node` process, median of the interleaved runs.',
    '- **with IstioValidation.enable**: the L2 construct + synth with the validation switch on (the three layers run inside the synth, over the objects the cross-checks render once).',
    '- **peak RSS**: `process.resourceUsage().maxRSS` of the process that ran the size (every round of it, the warm-up and the baselines included).',
    '',
  ];
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, md.join('\n'));
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options.child !== undefined) {
    const result = await measureSize(options.child, options.rounds, options.endToEnd, options.budgetS !== undefined ? options.budgetS * 1000 : undefined);
    process.stdout.write(`\n${CHILD_MARK}${JSON.stringify(result)}\n`);
    return;
  }

  // quick: up to 3 rounds, within a budget per size that keeps the run under a minute
  const budget = (n: number) => (options.quick ? (n >= 1000 ? 18 : 4) : undefined);
  const results = options.sizes.map(n => runChild(n, options.rounds, options.endToEnd, budget(n)));
  const load = baseline('load time', () => measureLoad(LOAD_RUNS));
  const requireRatio = median(load.istioMs) / median(load.plusMs);

  console.log(`cdk8s-istio bench: ${machine()}; ${revision()}`);
  console.log(`median of ${results.map(r => `${r.rounds.length} round(s) at N = ${r.n}`).join(', ')}, each size in a fresh process`);
  console.log('');
  for (const line of table(results)) console.log(line);
  console.log('');
  for (const line of notes(results, load)) console.log(line);

  if (options.out) {
    writeResults(options.out, results, load);
    console.log(`wrote ${path.relative(process.cwd(), options.out)}`);
  }

  const main1000 = results.find(r => r.n === 1000) ?? results[results.length - 1];
  const s = summarize(main1000);
  // scaling_5x: the worse of T(5n)/T(n) for synth and for validation, from the first
  // size n with 5n measured too: quick runs N = 200 and N = 1000, so t1000/t200 is
  // the 5x ratio itself (no extrapolation); the full run uses t5000/t1000.
  const pair = results.map(small => [small, results.find(big => big.n === small.n * 5)] as const).find(([, big]) => big !== undefined);
  let scalingText = 'n/a';
  if (pair) {
    const sc = scaling(pair[0], pair[1]!);
    console.log(`scaling T(${pair[1]!.n})/T(${pair[0].n}): synth ${sc.synth.toFixed(2)}, validation ${sc.validate.toFixed(2)} (linear: 5)`);
    scalingText = sc.worst.toFixed(2);
  }
  console.log(`bench: n=${main1000.n} l2_over_l1=${s.l2_over_l1.toFixed(2)} over_floor=${s.over_floor.toFixed(1)} validate_over_synth=${s.validate_over_synth.toFixed(2)} scaling_5x=${scalingText} require_over_plus=${requireRatio.toFixed(2)} peak_mb=${main1000.peakMb.toFixed(0)}`);
}

main().catch(e => {
  console.error(e instanceof BenchError ? `bench: ${e.message}` : e);
  process.exit(1);
});
