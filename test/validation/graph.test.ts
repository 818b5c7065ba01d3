import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { GraphFormat, IstioValidation, MeshGraph, RouteDestination, VirtualService } from '../../src';
import { readManifests } from '../../src/validation/manifest-reader';

const root = path.join(__dirname, '..', '..');
const golden = (name: string) => fs.readFileSync(path.join(root, 'test', '__golden__', name), 'utf8');
const objectsOf = (p: string) => readManifests([path.join(root, p)]).sources.map(s => s.object);

describe('MeshGraph of known examples (expected files in test/__golden__, written by hand and reviewed)', () => {
  test.each([
    ['test/validation/graph/shop.yaml', 'graph-shop'],
    ['test/validation/analyzer/bookinfo.yaml', 'graph-bookinfo'],
  ])('%s as Mermaid and DOT', (input, name) => {
    const graph = MeshGraph.fromObjects(objectsOf(input));
    expect(graph.toMermaid()).toBe(golden(`${name}.mmd`));
    expect(graph.toDot()).toBe(golden(`${name}.dot`));
    expect(graph.render(GraphFormat.MERMAID)).toBe(graph.toMermaid());
    expect(graph.render(GraphFormat.DOT)).toBe(graph.toDot());
  });

  test('the picture in docs/graph.md is the shop graph (rendered with Graphviz from graph-shop.dot)', () => {
    const doc = fs.readFileSync(path.join(root, 'docs', 'graph.md'), 'utf8');
    expect(doc).toContain('![');
    expect(doc).toContain('images/mesh-graph-shop.svg');
    // the picture is current: every line of every label of the expected DOT is a text of the SVG
    const svg = fs.readFileSync(path.join(root, 'docs', 'images', 'mesh-graph-shop.svg'), 'utf8');
    const texts = new Set([...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map(m => m[1].replace(/&#45;/g, '-').replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/&amp;/g, '&')));
    const lines = [...golden('graph-shop.dot').matchAll(/label="((?:[^"\\]|\\.)*)"/g)].flatMap(m => m[1].split('\\n'));
    expect(lines.length).toBeGreaterThan(40);
    expect(lines.filter(l => !texts.has(l))).toEqual([]);
  });
});

describe('MeshGraph', () => {
  const objects = objectsOf('test/validation/graph/shop.yaml');

  test('the same objects in another order give the same bytes', () => {
    const shuffled = [...objects].reverse();
    const a = MeshGraph.fromObjects(objects);
    const b = MeshGraph.fromObjects(shuffled);
    expect(b.toMermaid()).toBe(a.toMermaid());
    expect(b.toDot()).toBe(a.toDot());
  });

  test('routes carry their weights, subsets and match summaries; policies their scope', () => {
    const dot = MeshGraph.fromObjects(objects).toDot();
    expect(dot).toContain('"VirtualService:shop/reviews" -> "Service:shop/reviews" [label="subset v1 90%"];');
    expect(dot).toContain('"VirtualService:shop/reviews" -> "Service:shop/reviews" [label="end-user=jason; subset v2"];');
    expect(dot).toContain('"gateway.networking.k8s.io/HTTPRoute:shop/partners" -> "Service:shop/payments" [label="path=/pay*; port 9090 weight 3 (75%)"];');
    expect(dot).toContain('mTLS STRICT\\nscope: mesh');
    expect(dot).toContain('authz ALLOW: deny all\\nscope: namespace shop');
    expect(dot).toContain('"RequestAuthentication:istio-system/shop-jwt" -> "Gateway:shop/shop-gateway" [style=dashed');
  });

  test('a host or gateway outside the input is a node of its own, dashed', () => {
    const graph = MeshGraph.fromObjects([{
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'r', namespace: 'a' },
      spec: { hosts: ['r'], gateways: ['edge/public'], http: [{ route: [{ destination: { host: 'ratings.b.svc.cluster.local' } }] }] },
    }]);
    const dot = graph.toDot();
    expect(dot).toContain('"missing:Gateway:edge/public" [label="Gateway edge/public\\n(not in the input)", shape=box, style="dashed"];');
    expect(dot).toContain('"host:ratings.b.svc.cluster.local" [label="host ratings.b.svc.cluster.local\\n(not in the input)"');
    expect(dot).toContain('"missing:Gateway:edge/public" -> "VirtualService:a/r";');
    expect(dot).not.toContain('"mesh"');
  });

  test('a delegating rule points at its delegate', () => {
    const vs = (name: string, spec: any) => ({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace: 'a' }, spec });
    const dot = MeshGraph.fromObjects([
      vs('root', { hosts: ['shop.example.com'], http: [{ match: [{ uri: { prefix: '/cart' } }], delegate: { name: 'cart' } }, { delegate: { name: 'gone', namespace: 'b' } }] }),
      vs('cart', { http: [{ route: [{ destination: { host: 'cart' } }] }] }),
    ]).toDot();
    expect(dot).toContain('"VirtualService:a/root" -> "VirtualService:a/cart" [label="uri=/cart*; delegate"];');
    expect(dot).toContain('"VirtualService:a/root" -> "missing:VirtualService:b/gone" [label="delegate"];');
    expect(dot).toContain('"VirtualService:a/cart" [label="VirtualService a/cart\\ndelegate"');
    expect(dot).not.toContain('"mesh" -> "VirtualService:a/cart"');
  });

  test('a GAMMA route (parent: a Service) starts at its Service', () => {
    const svc = (name: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'bookinfo' }, spec: { ports: [{ port: 9080 }] } });
    const dot = MeshGraph.fromObjects([svc('reviews'), svc('reviews-v1'), {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'reviews', namespace: 'bookinfo' },
      spec: { parentRefs: [{ group: '', kind: 'Service', name: 'reviews', port: 9080 }], rules: [{ backendRefs: [{ name: 'reviews-v1', port: 9080 }] }] },
    }]).toDot();
    expect(dot).toContain('"Service:bookinfo/reviews" -> "gateway.networking.k8s.io/HTTPRoute:bookinfo/reviews" [label="port 9080"];');
    expect(dot).toContain('"gateway.networking.k8s.io/HTTPRoute:bookinfo/reviews" -> "Service:bookinfo/reviews-v1" [label="port 9080"];');
  });

  test('ids and labels are escaped for each format; distinct names keep distinct ids', () => {
    const vs = (name: string, value: string) => ({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name, namespace: 'ns' },
      spec: { hosts: ['h'], http: [{ match: [{ headers: { x: { exact: value } } }], route: [{ destination: { host: 'h' } }] }] },
    });
    const graph = MeshGraph.fromObjects([vs('a-b', 'say "hi" <b>#1|2'), vs('a.b', 'x')]);
    const mermaid = graph.toMermaid();
    expect(mermaid).toContain('n_VirtualService_3ans_2fa_2db[["VirtualService ns/a-b<br/>hosts: h"]]');
    expect(mermaid).toContain('n_VirtualService_3ans_2fa_2eb[["VirtualService ns/a.b<br/>hosts: h"]]');
    expect(mermaid).toContain('-->|"x=say #34;hi#34; #60;b#62;#35;1#124;2"|');
    expect(graph.toDot()).toContain('[label="x=say \\"hi\\" <b>#1|2"]');
  });

  test('throws when the objects are not an array', () => {
    expect(() => MeshGraph.fromObjects({} as any)).toThrow('MeshGraph.fromObjects: objects must be an array of manifest objects, got object');
  });

  test('throws when render gets a format that is not a GraphFormat', () => {
    expect(() => MeshGraph.fromObjects([]).render('svg' as any)).toThrow('MeshGraph.render: format must be GraphFormat.MERMAID (\'mermaid\') or GraphFormat.DOT (\'dot\'), got "svg"');
  });
});

describe('MeshGraph.writeOnSynth', () => {
  const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-graph-'));

  function shopApp(outdir: string): App {
    const app = Testing.app({ outdir });
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    new VirtualService(chart, 'reviews', { hosts: ['reviews'] }).addHttpRoute({
      destinations: [RouteDestination.to('reviews', { subset: 'v1', weight: 90 }), RouteDestination.to('reviews', { subset: 'v2', weight: 10 })],
    });
    return app;
  }

  test('writes the graph of the app at synth, once per synth, with or without IstioValidation', () => {
    const d = tmp();
    const app = shopApp(path.join(d, 'dist'));
    IstioValidation.enable(app, { printWarnings: false });
    const file = path.join(d, 'graph', 'mesh.dot');
    MeshGraph.writeOnSynth(app, { file, format: GraphFormat.DOT });
    // two charts: cdk8s validates the app again for every chart it renders
    new Chart(app, 'other', { namespace: 'other' });
    const build = jest.spyOn(MeshGraph, 'fromObjects');
    try {
      app.synth();
      expect(build).toHaveBeenCalledTimes(1);
    } finally {
      build.mockRestore();
    }
    const dot = fs.readFileSync(file, 'utf8');
    expect(dot.startsWith('digraph mesh {')).toBe(true);
    expect(dot).toContain('"VirtualService:shop/shop-reviews" -> "host:reviews.shop.svc.cluster.local" [label="subset v1 90%"];');
  });

  test('the default format is Mermaid', () => {
    const d = tmp();
    const app = shopApp(path.join(d, 'dist'));
    MeshGraph.writeOnSynth(app, { file: path.join(d, 'mesh.mmd') });
    app.synthYaml();
    expect(fs.readFileSync(path.join(d, 'mesh.mmd'), 'utf8').startsWith('flowchart LR\n')).toBe(true);
  });

  test('synth fails when the file cannot be written', () => {
    const d = tmp();
    fs.writeFileSync(path.join(d, 'file'), '');
    const app = shopApp(path.join(d, 'dist'));
    const file = path.join(d, 'file', 'mesh.mmd');
    MeshGraph.writeOnSynth(app, { file });
    expect(() => app.synthYaml()).toThrow(`MeshGraph.writeOnSynth: cannot write the graph to ${file}: `);
  });

  test('throws when the file is empty', () => {
    expect(() => MeshGraph.writeOnSynth(new App(), { file: '' })).toThrow('MeshGraph.writeOnSynth: file must be a non-empty path, got ""');
  });

  test('throws when the format is not a GraphFormat', () => {
    expect(() => MeshGraph.writeOnSynth(new App(), { file: 'x', format: 'png' as any })).toThrow('MeshGraph.writeOnSynth: format must be GraphFormat.MERMAID (\'mermaid\') or GraphFormat.DOT (\'dot\'), got "png"');
  });
});

describe('docs/graph.md', () => {
  const doc = fs.readFileSync(path.join(root, 'docs', 'graph.md'), 'utf8');

  test('its Mermaid source is the graph of the bookinfo fixture', () => {
    const mermaid = [...doc.matchAll(/```mermaid\n([\s\S]*?)```/g)].map(m => m[1]);
    expect(mermaid).toEqual([MeshGraph.fromObjects(objectsOf('test/validation/analyzer/bookinfo.yaml')).toMermaid()]);
  });

  test('its TypeScript runs (mirrored here)', () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-graph-doc-'));
    const cwd = process.cwd();
    process.chdir(d);
    try {
      // the snippet of docs/graph.md, verbatim
      const app = new App();
      new Chart(app, 'shop', { namespace: 'shop' });
      MeshGraph.writeOnSynth(app, { file: 'dist/mesh.mmd', format: GraphFormat.MERMAID });
      app.synth();
      expect(fs.readFileSync(path.join(d, 'dist', 'mesh.mmd'), 'utf8')).toBe('flowchart LR\n');
    } finally {
      process.chdir(cwd);
    }
    const source = fs.readFileSync(__filename, 'utf8');
    for (const snippet of [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map(m => m[1].trim())) {
      expect(source).toContain(snippet.split('\n').map(l => `      ${l}`).join('\n'));
    }
  });
});
