import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Testing, Yaml } from 'cdk8s';
import {
  Analyzer, CanaryRelease, CanaryWorkload, GitOpsLayout, GitOpsOutput, IstioValidation, MtlsMode, PeerAuthentication, WorkloadSelector,
} from '../src';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-gitops-'));
const read = (d: string) => Object.fromEntries(fs.readdirSync(d).sort().map(f => [f, fs.readFileSync(path.join(d, f), 'utf8')]));

/** An app of two charts, objects in three namespaces and cluster-scoped ones, written in an unsorted order. */
function shopApp(order: 'forward' | 'reverse' = 'forward'): App {
  const app = Testing.app();
  const shop = new Chart(app, 'shop', { namespace: 'shop' });
  const mesh = new Chart(app, 'mesh');
  const parts: Array<() => void> = [
    () => new CanaryRelease(shop, 'reviews', {
      name: 'reviews',
      host: 'reviews',
      stable: CanaryWorkload.fromLabels({ app: 'reviews', version: 'v1' }),
      canary: CanaryWorkload.fromLabels({ app: 'reviews', version: 'v2' }),
      canaryWeight: 10,
    }),
    () => new ApiObject(shop, 'svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews' }, spec: { selector: { app: 'reviews' }, ports: [{ name: 'http', port: 9080 }] } }),
    () => new ApiObject(shop, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: 'yes', b: '0o14' } }),
    () => new PeerAuthentication(mesh, 'mesh-mtls', { metadata: { name: 'default', namespace: 'istio-system' }, mtlsMode: MtlsMode.STRICT }),
    () => new ApiObject(mesh, 'ns-shop', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }),
    () => new ApiObject(mesh, 'role', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' }, rules: [] }),
    () => new ApiObject(mesh, 'ns-billing', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'billing' } }),
    () => new PeerAuthentication(mesh, 'billing-mtls', {
      metadata: { name: 'billing', namespace: 'billing' }, mtlsMode: MtlsMode.STRICT, selector: WorkloadSelector.fromLabels({ app: 'billing' }),
    }),
  ];
  (order === 'forward' ? parts : [...parts].reverse()).forEach(p => p());
  return app;
}

describe('GitOpsOutput.synth', () => {
  test('PER_NAMESPACE: one file per namespace, cluster-scoped objects in _cluster.yaml, Namespaces first', () => {
    const d = tmp();
    const files = GitOpsOutput.synth(shopApp(), { outdir: d });
    expect(files).toEqual(['_cluster.yaml', 'billing.yaml', 'istio-system.yaml', 'shop.yaml']);
    expect(fs.readdirSync(d).sort()).toEqual(files);
    const cluster = Yaml.load(path.join(d, '_cluster.yaml'));
    expect(cluster.map(o => `${o.kind}/${o.metadata.name}`)).toEqual(['Namespace/billing', 'Namespace/shop', 'ClusterRole/reader']);
    const shop = Yaml.load(path.join(d, 'shop.yaml'));
    // kubectl apply order: ConfigMap, Service (Helm's order), then the Istio kinds by group and kind
    expect(shop.map(o => `${o.kind}/${o.metadata.name}`)).toEqual(['ConfigMap/settings', 'Service/reviews', 'DestinationRule/reviews', 'VirtualService/reviews']);
    expect(shop.every(o => o.metadata.namespace === 'shop')).toBe(true);
    expect(Yaml.load(path.join(d, 'istio-system.yaml')).map(o => `${o.kind}/${o.metadata.name}`)).toEqual(['PeerAuthentication/default']);
  });

  test('PER_APP: one app.yaml, in the same order', () => {
    const d = tmp();
    expect(GitOpsOutput.synth(shopApp(), { layout: GitOpsLayout.PER_APP, outdir: d })).toEqual(['app.yaml']);
    const all = Yaml.load(path.join(d, 'app.yaml')).map(o => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(all).toEqual([
      'Namespace//billing', 'Namespace//shop', 'ConfigMap/shop/settings', 'ClusterRole//reader', 'Service/shop/reviews',
      'DestinationRule/shop/reviews', 'VirtualService/shop/reviews', 'PeerAuthentication/billing/billing', 'PeerAuthentication/istio-system/default',
    ]);
  });

  test('the same app gives the same bytes: two synths, two builds, and constructs in another order', () => {
    const [a, b, c] = [tmp(), tmp(), tmp()];
    const app = shopApp();
    GitOpsOutput.synth(app, { outdir: a });
    GitOpsOutput.synth(app, { outdir: b });
    expect(read(b)).toEqual(read(a));
    GitOpsOutput.synth(shopApp('reverse'), { outdir: c });
    expect(read(c)).toEqual(read(a));
  });

  test('the library names objects without hashes', () => {
    const d = tmp();
    GitOpsOutput.synth(shopApp(), { layout: GitOpsLayout.PER_APP, outdir: d });
    const istio = Yaml.load(path.join(d, 'app.yaml')).filter(o => String(o.apiVersion).includes('istio.io'));
    expect(istio.map(o => o.metadata.name).sort()).toEqual(['billing', 'default', 'reviews', 'reviews']);
  });

  test('values YAML 1.1 reads as other types stay strings', () => {
    const d = tmp();
    GitOpsOutput.synth(shopApp(), { outdir: d });
    const cm = Yaml.load(path.join(d, 'shop.yaml')).find(o => o.kind === 'ConfigMap');
    expect(cm.data).toEqual({ a: 'yes', b: '0o14' });
  });

  test('runs the app\'s validations once, IstioValidation included, and writes nothing when one fails', () => {
    const d = tmp();
    const app = shopApp();
    IstioValidation.enable(app, { printWarnings: false });
    const analyze = jest.spyOn(Analyzer, 'analyzeSources');
    try {
      GitOpsOutput.synth(app, { outdir: d });
      expect(analyze).toHaveBeenCalledTimes(1);
    } finally {
      analyze.mockRestore();
    }
    const failing = shopApp();
    failing.node.addValidation({ validate: () => ['no, not today'] });
    const e = tmp();
    expect(() => GitOpsOutput.synth(failing, { outdir: path.join(e, 'out') })).toThrow(/no, not today/);
    expect(fs.existsSync(path.join(e, 'out'))).toBe(false);
  });

  test('namespaced objects without a namespace go to _no-namespace.yaml', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'loose' } });
    const d = tmp();
    expect(GitOpsOutput.synth(app, { outdir: d })).toEqual([GitOpsOutput.NO_NAMESPACE_FILE]);
  });

  test('outdir defaults to the app\'s outdir', () => {
    const d = tmp();
    const app = new App({ outdir: path.join(d, 'dist') });
    new ApiObject(new Chart(app, 'c', { namespace: 'a' }), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
    GitOpsOutput.synth(app);
    expect(fs.readdirSync(path.join(d, 'dist'))).toEqual(['a.yaml']);
  });

  test('clean deletes the YAML files of namespaces the app no longer has, and nothing else', () => {
    const d = tmp();
    fs.writeFileSync(path.join(d, 'gone.yaml'), 'kind: ConfigMap\n');
    fs.writeFileSync(path.join(d, 'README.md'), '# manifests\n');
    fs.writeFileSync(path.join(d, 'mesh.mmd'), 'flowchart LR\n');
    GitOpsOutput.synth(shopApp(), { outdir: d });
    expect(fs.existsSync(path.join(d, 'gone.yaml'))).toBe(true);
    GitOpsOutput.synth(shopApp(), { outdir: d, clean: true });
    expect(fs.readdirSync(d).sort()).toEqual(['README.md', '_cluster.yaml', 'billing.yaml', 'istio-system.yaml', 'mesh.mmd', 'shop.yaml']);
  });

  test('an app without objects writes no file', () => {
    const d = tmp();
    expect(GitOpsOutput.synth(Testing.app(), { outdir: d })).toEqual([]);
    expect(fs.readdirSync(d)).toEqual([]);
  });

  test('throws when outdir cannot be written', () => {
    const d = tmp();
    fs.writeFileSync(path.join(d, 'file'), '');
    const outdir = path.join(d, 'file', 'prod');
    expect(() => GitOpsOutput.synth(shopApp(), { outdir })).toThrow(`GitOpsOutput.synth: cannot write to outdir ${outdir}: `);
  });

  test('throws when the layout is not a GitOpsLayout', () => {
    expect(() => GitOpsOutput.synth(shopApp(), { layout: 'PER_CHART' as any, outdir: tmp() }))
      .toThrow('GitOpsOutput.synth: layout must be GitOpsLayout.PER_NAMESPACE or GitOpsLayout.PER_APP, got "PER_CHART"');
  });

  test('throws when outdir is empty', () => {
    expect(() => GitOpsOutput.synth(shopApp(), { outdir: '' })).toThrow('GitOpsOutput.synth: outdir must be a non-empty path, got ""');
  });

  test('throws when app is not a cdk8s App', () => {
    expect(() => GitOpsOutput.synth(new Chart(Testing.app(), 'c') as any)).toThrow('GitOpsOutput.synth: app must be a cdk8s App, got object');
  });

  test('throws when a namespace cannot name a file', () => {
    const app = Testing.app();
    new ApiObject(new Chart(app, 'c'), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: '../etc' } });
    expect(() => GitOpsOutput.synth(app, { outdir: tmp() }))
      .toThrow('GitOpsOutput.synth: ConfigMap x: metadata.namespace must be a DNS label (lower-case letters, digits and \'-\', at most 63 characters) to name its file, got "../etc"');
  });
});
