import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli';

const root = path.join(__dirname, '..', '..');
const SHOP = path.join(root, 'test', 'validation', 'graph', 'shop.yaml');
const golden = (name: string) => fs.readFileSync(path.join(root, 'test', '__golden__', name), 'utf8');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-cli-graph-'));

function run(...argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = main(argv, s => { out += s; }, s => { err += s; });
  return { code, out, err };
}

describe('cdk8s-istio graph', () => {
  test('prints the Mermaid graph by default, exit 0', () => {
    const r = run('graph', SHOP);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe(golden('graph-shop.mmd'));
  });

  test('--format dot prints the DOT graph (and --format=dot)', () => {
    expect(run('graph', '--format', 'dot', SHOP)).toEqual({ code: 0, out: golden('graph-shop.dot'), err: '' });
    expect(run('graph', '--format=dot', SHOP).out).toBe(golden('graph-shop.dot'));
  });

  test('reads folders as analyze does (nested, multi-document files split across files)', () => {
    const d = tmp();
    const docs = fs.readFileSync(SHOP, 'utf8').split(/^---$/m);
    fs.mkdirSync(path.join(d, 'a', 'b'), { recursive: true });
    fs.writeFileSync(path.join(d, 'a', 'first.yaml'), docs.slice(0, 10).join('---'));
    fs.writeFileSync(path.join(d, 'a', 'b', 'rest.yml'), docs.slice(10).join('---'));
    const r = run('graph', d, '--format', 'dot');
    expect(r.code).toBe(0);
    expect(r.out).toBe(golden('graph-shop.dot'));
  });

  test('--out writes the file (its folder created) and prints nothing', () => {
    const file = path.join(tmp(), 'graphs', 'mesh.dot');
    const r = run('graph', '--format', 'dot', '--out', file, SHOP);
    expect(r).toEqual({ code: 0, out: '', err: '' });
    expect(fs.readFileSync(file, 'utf8')).toBe(golden('graph-shop.dot'));
  });

  test('--mesh-config sets the root namespace of mesh-wide policies', () => {
    const d = tmp();
    fs.writeFileSync(path.join(d, 'mesh.yaml'), 'rootNamespace: mesh-root\n');
    const pa = (ns: string) => `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: { name: default, namespace: ${ns} }\nspec: { mtls: { mode: STRICT } }\n`;
    fs.writeFileSync(path.join(d, 'pa.yaml'), `${pa('mesh-root')}---\n${pa('istio-system')}`);
    const r = run('graph', '--format', 'dot', '--mesh-config', path.join(d, 'mesh.yaml'), path.join(d, 'pa.yaml'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('PeerAuthentication mesh-root/default\\nmTLS STRICT\\nscope: mesh');
    expect(r.out).toContain('PeerAuthentication istio-system/default\\nmTLS STRICT\\nscope: namespace istio-system');
  });

  test('-h prints the usage, exit 0', () => {
    const r = run('graph', '-h');
    expect(r.code).toBe(0);
    expect(r.out).toContain('cdk8s-istio graph [--format mermaid|dot] [--out FILE] PATH...');
  });

  test('exit 2 when --format is not mermaid or dot', () => {
    const r = run('graph', '--format', 'svg', SHOP);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain('cdk8s-istio: graph: --format must be mermaid or dot, got "svg"');
  });

  test('exit 2 when an option is unknown', () => {
    const r = run('graph', '--open-world', SHOP);
    expect(r.code).toBe(2);
    expect(r.err).toContain('cdk8s-istio: graph: unknown option "--open-world" (graph takes --format, --out and --mesh-config)');
  });

  test('exit 2 when an option has no value', () => {
    const r = run('graph', SHOP, '--out');
    expect(r.code).toBe(2);
    expect(r.err).toContain('cdk8s-istio: graph: --out needs a value');
  });

  test('exit 2 when no path is given', () => {
    const r = run('graph', '--format', 'dot');
    expect(r.code).toBe(2);
    expect(r.err).toContain('cdk8s-istio: graph: give at least one file or folder to draw');
  });

  test('exit 2 when a path does not exist', () => {
    const missing = path.join(tmp(), 'nope');
    const r = run('graph', missing);
    expect(r).toEqual({ code: 2, out: '', err: `cdk8s-istio: ${missing}: no such file or directory\n` });
  });

  test('exit 2 when the --mesh-config file does not exist', () => {
    const missing = path.join(tmp(), 'mesh.yaml');
    const r = run('graph', '--mesh-config', missing, SHOP);
    expect(r).toEqual({ code: 2, out: '', err: `cdk8s-istio: ${missing}: no such file or directory\n` });
  });

  test('exit 2 when a file is not YAML', () => {
    const file = path.join(tmp(), 'bad.yaml');
    fs.writeFileSync(file, 'kind: [unclosed\n');
    const r = run('graph', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`cdk8s-istio: ${file}: YAML parse error:`);
  });

  test('exit 2 when --out cannot be written', () => {
    const d = tmp();
    fs.writeFileSync(path.join(d, 'file'), '');
    const out = path.join(d, 'file', 'mesh.mmd');
    const r = run('graph', '--out', out, SHOP);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`cdk8s-istio: graph: cannot write --out ${out}:`);
  });

  test('an unknown command names both commands', () => {
    const r = run('draw', SHOP);
    expect(r.code).toBe(2);
    expect(r.err).toContain('cdk8s-istio: unknown command "draw": the commands are "analyze" and "graph"');
  });
});
