/**
 * `npm run bench`: the plain L1 synth of a synthetic app of N services (default
 * 5,000) is the baseline; each validation layer is reported as a ratio against it,
 * measured in the same run (machines are shared and noisy), plus the CRD layer's
 * cost per object and the heap growth. Median of several rounds.
 *
 *   BENCH_SERVICES=5000 BENCH_ROUNDS=3 npm run bench
 */
import { ApiObject, App, Chart } from 'cdk8s';
import { CrdValidator } from '../src/validation/crd';
import { IstioValidation } from '../src/validation/app';
import { Analyzer } from '../src/validation/engine';
import { networking, security } from '../src';

const N = Number(process.env.BENCH_SERVICES ?? 5000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PER_NAMESPACE = 50;

function buildApp(): App {
  const app = new App({ outdir: '/tmp/cdk8s-istio-bench' });
  let chart: Chart | undefined;
  for (let i = 0; i < N; i++) {
    const ns = `team-${Math.floor(i / PER_NAMESPACE)}`;
    if (i % PER_NAMESPACE === 0) {
      chart = new Chart(app, ns, { namespace: ns });
      new ApiObject(chart, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, namespace: undefined, labels: { 'istio-injection': 'enabled' } } });
      new security.PeerAuthentication(chart, 'default', { metadata: { name: 'default' }, spec: { mtls: { mode: security.PeerAuthenticationSpecMtlsMode.STRICT } } });
    }
    const c = chart!;
    const name = `svc-${i}`;
    const labels = { app: name };
    new ApiObject(c, `${name}-svc`, {
      apiVersion: 'v1', kind: 'Service', metadata: { name },
      spec: { selector: labels, ports: [{ name: 'http', port: 8080, targetPort: 8080 }] },
    } as any);
    for (const version of ['v1', 'v2']) {
      new ApiObject(c, `${name}-${version}`, {
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `${name}-${version}` },
        spec: {
          selector: { matchLabels: { ...labels, version } },
          template: { metadata: { labels: { ...labels, version } }, spec: { containers: [{ name: 'app', image: `example/${name}:${version}`, ports: [{ containerPort: 8080 }] }] } },
        },
      } as any);
    }
    new networking.DestinationRule(c, `${name}-dr`, {
      metadata: { name },
      spec: {
        host: name,
        trafficPolicy: { tls: { mode: networking.DestinationRuleSpecTrafficPolicyTlsMode.ISTIO_UNDERSCORE_MUTUAL } },
        subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }],
      },
    });
    new networking.VirtualService(c, `${name}-vs`, {
      metadata: { name },
      spec: {
        hosts: [name],
        http: [{
          match: [{ headers: { 'end-user': { exact: 'jason' } } }],
          route: [{ destination: { host: name, subset: 'v2' } }],
        }, {
          timeout: '5s',
          retries: { attempts: 3, perTryTimeout: '2s', retryOn: 'gateway-error,connect-failure' },
          route: [{ destination: { host: name, subset: 'v1' }, weight: 90 }, { destination: { host: name, subset: 'v2' }, weight: 10 }],
        }],
      },
    });
  }
  return app;
}

function time<T>(fn: () => T): [number, T] {
  const start = process.hrtime.bigint();
  const result = fn();
  return [Number(process.hrtime.bigint() - start) / 1e6, result];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const rows: Record<string, number[]> = { synth: [], crd: [], webhook: [], analyzer: [], all: [], appSynth: [], appSynthValidated: [] };
let objectCount = 0;
let heapMb = 0;
for (let round = 0; round < ROUNDS + 1; round++) {
  const app = buildApp();
  // baseline: the plain L1 synth (every object rendered to YAML, as `cdk8s synth` does)
  const [synthMs, yaml] = time(() => app.charts.map(chart => chart.toJson()).flat());
  const objects: any[] = yaml;
  objectCount = objects.length;
  const heapBefore = process.memoryUsage().heapUsed;
  const [crdMs] = time(() => objects.forEach(o => CrdValidator.validate(o)));
  const [webhookMs] = time(() => Analyzer.analyze(objects, { crd: false, webhook: true, analyzers: false }));
  const [analyzerMs] = time(() => Analyzer.analyze(objects, { crd: false, webhook: false, analyzers: true }));
  const [allMs, findings] = time(() => Analyzer.analyze(objects, { openWorld: true }));
  heapMb = Math.max(heapMb, (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20);
  if (round === 0) {
    // warm-up round: loads the schema data and compiles schemas and CEL rules once
    const errors = findings.filter(f => f.level === 'Error');
    if (errors.length > 0) throw new Error(`the synthetic app must be valid, got ${errors.length} errors, e.g. ${Analyzer.format(errors[0])}`);
    continue;
  }
  // end to end: `cdk8s synth` (app.synth(): render, write YAML) without and with the switch
  const [appSynthMs] = time(() => buildApp().synth());
  const validated = buildApp();
  IstioValidation.enable(validated, { printWarnings: false });
  const [appSynthValidatedMs] = time(() => validated.synth());
  rows.appSynth.push(appSynthMs);
  rows.appSynthValidated.push(appSynthValidatedMs);
  rows.synth.push(synthMs);
  rows.crd.push(crdMs);
  rows.webhook.push(webhookMs);
  rows.analyzer.push(analyzerMs);
  rows.all.push(allMs);
}

const base = median(rows.synth);
console.log(`cdk8s-istio bench: ${N} services, ${objectCount} objects, median of ${ROUNDS} rounds (after one warm-up)`);
console.log('');
console.log('| measure | ms | ratio to L1 synth |');
console.log('|---|---:|---:|');
for (const [name, label] of [['synth', 'L1 synth (baseline)'], ['crd', 'CRD layer (schema + CEL)'], ['webhook', 'webhook layer'], ['analyzer', 'analyzer layer'], ['all', 'all three layers (one Analyzer.analyze)']]) {
  const ms = median(rows[name]);
  console.log(`| ${label} | ${ms.toFixed(0)} | ${(ms / base).toFixed(2)} |`);
}
console.log('');
const appSynth = median(rows.appSynth);
const appSynthValidated = median(rows.appSynthValidated);
console.log(`end to end, app.synth() to YAML files: ${appSynth.toFixed(0)} ms without validation, ${appSynthValidated.toFixed(0)} ms with IstioValidation.enable (x${(appSynthValidated / appSynth).toFixed(2)})`);
console.log(`CRD layer per object: ${(median(rows.crd) * 1000 / objectCount).toFixed(1)} µs (the L1 synth: ${(base * 1000 / objectCount).toFixed(1)} µs per object)`);
console.log(`heap growth during validation: ${heapMb.toFixed(0)} MiB`);
const ratio = median(rows.all) / base;
console.log(`target (all layers <= L1 synth): ${ratio <= 1 ? 'met' : 'NOT met'} (${ratio.toFixed(2)})`);
