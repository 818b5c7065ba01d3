import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import * as YamlModule from 'yaml';
import { CanaryRelease, CanaryWorkload, GitOpsLayout, GitOpsOutput, GraphFormat, IstioValidation, MeshGraph, MtlsMode, PeerAuthentication } from '../src';
import { main } from '../src/cli';

/**
 * docs/gitops.md: its TypeScript is mirrored here verbatim (and run), its YAML parses,
 * and the pre-merge check it shows passes on the folder the TypeScript writes.
 */
const root = path.join(__dirname, '..');
const doc = fs.readFileSync(path.join(root, 'docs', 'gitops.md'), 'utf8');
const blocks = (lang: string) => [...doc.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map(m => m[1]);

function inTmp<T>(f: (dir: string) => T): T {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-gitops-doc-'));
  const cwd = process.cwd();
  process.chdir(d);
  try {
    return f(d);
  } finally {
    process.chdir(cwd);
  }
}

function run(...argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = main(argv, s => { out += s; }, s => { err += s; });
  return { code, out, err };
}

test('the TypeScript of docs/gitops.md stands verbatim in this test', () => {
  const source = fs.readFileSync(__filename, 'utf8');
  const ts = blocks('ts').map(s => s.trim());
  expect(ts.length).toBeGreaterThanOrEqual(1);
  for (const snippet of ts) expect(source).toContain(snippet.split('\n').map(l => (l ? `    ${l}` : l)).join('\n'));
});

test('the app of docs/gitops.md writes the documented folder, and the documented check passes on it', () => {
  inTmp(dir => {
    // docs/gitops.md, verbatim
    const app = new App();
    IstioValidation.enable(app, { strict: true });

    const mesh = new Chart(app, 'mesh');
    new ApiObject(mesh, 'shop-namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    new PeerAuthentication(mesh, 'mesh-mtls', { metadata: { name: 'default', namespace: 'istio-system' }, mtlsMode: MtlsMode.STRICT });

    const shop = new Chart(app, 'shop', { namespace: 'shop' });
    new CanaryRelease(shop, 'reviews', {
      name: 'reviews',
      host: 'reviews',
      stable: CanaryWorkload.fromLabels({ app: 'reviews', version: 'v1' }),
      canary: CanaryWorkload.fromLabels({ app: 'reviews', version: 'v2' }),
      canaryWeight: 10,
    });

    MeshGraph.writeOnSynth(app, { file: 'clusters/prod/mesh.mmd', format: GraphFormat.MERMAID });
    GitOpsOutput.synth(app, { layout: GitOpsLayout.PER_NAMESPACE, outdir: 'clusters/prod', clean: true });
    // end of the snippet

    const files = fs.readdirSync(path.join(dir, 'clusters', 'prod')).sort();
    expect(files).toEqual(['_cluster.yaml', 'istio-system.yaml', 'mesh.mmd', 'shop.yaml']);
    for (const f of files) expect(doc).toContain(f);
    const r = run('analyze', 'clusters/prod', '--fail-on', 'warning', '--open-world');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const json = run('analyze', 'clusters/prod', '--format', 'json', '--open-world');
    expect(json.code).toBe(0);
    expect(Array.isArray(JSON.parse(json.out))).toBe(true);
  });
});

test('the YAML of docs/gitops.md parses (Argo CD and Flux objects: not validated against our CRDs)', () => {
  const yaml = blocks('yaml');
  expect(yaml.length).toBeGreaterThanOrEqual(3);
  for (const y of yaml) {
    for (const d of YamlModule.parseAllDocuments(y)) expect(d.errors).toEqual([]);
  }
  expect(doc).toContain('kind: Application');
  expect(doc).toContain('kind: Kustomization');
});

test('the flags of the pre-merge check exist', () => {
  for (const flag of ['--fail-on', '--format json', '--open-world']) expect(doc).toContain(flag);
  const usage = run('--help').out;
  for (const flag of ['--fail-on', '--format', '--open-world', '--suppress']) expect(usage).toContain(flag);
});
