import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli';

const VALID_VS = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: bookinfo
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: { host: reviews }
`;

const BAD_VS = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ratings
  namespace: bookinfo
spec:
  hosts: [ratings]
  http:
  - timeout: 0s
    route:
    - destination: { host: ratings }
`;

const SERVICES = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: { name: reviews, namespace: bookinfo }
  spec: { selector: { app: reviews }, ports: [{ name: http, port: 9080 }] }
- apiVersion: v1
  kind: Service
  metadata: { name: ratings, namespace: bookinfo }
  spec: { selector: { app: ratings }, ports: [{ name: http, port: 9080 }] }
`;

function dir(files: { [name: string]: string }): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-cli-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(d, name)), { recursive: true });
    fs.writeFileSync(path.join(d, name), content);
  }
  return d;
}

function run(...argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = main(argv, s => { out += s; }, s => { err += s; });
  return { code, out, err };
}

describe('cdk8s-istio analyze', () => {
  test('exit 0 and no issues for a valid folder (multi-document files and Lists)', () => {
    const d = dir({ 'a/vs.yaml': VALID_VS, 'b/services.yaml': SERVICES });
    const r = run('analyze', d, '--open-world');
    expect(r.err).toBe('');
    expect(r.out).toBe('\u2714 No validation issues found when analyzing 3 object(s).\n');
    expect(r.code).toBe(0);
  });

  test('exit 1 and istioctl-style lines when an object is rejected', () => {
    const d = dir({ 'vs.yaml': `${VALID_VS}---\n${BAD_VS}`, 'svc.yaml': SERVICES });
    const r = run('analyze', d);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`Error [CDK8S-ISTIO-CRD002] (VirtualService bookinfo/ratings) in ${path.join(d, 'vs.yaml')} spec.http[0].timeout: must be a valid duration greater than 1ms`);
  });

  test('--format json prints the findings with their file', () => {
    const d = dir({ 'vs.yaml': BAD_VS });
    const r = run('analyze', '--format', 'json', '--only-crd', path.join(d, 'vs.yaml'));
    expect(r.code).toBe(1);
    const findings = JSON.parse(r.out);
    expect(findings).toEqual([expect.objectContaining({
      code: 'CDK8S-ISTIO-CRD002',
      level: 'Error',
      layer: 'crd',
      kind: 'VirtualService',
      name: 'ratings',
      namespace: 'bookinfo',
      field: 'spec.http[0].timeout',
      file: path.join(d, 'vs.yaml'),
    })]);
  });

  test('closed world is the default: a missing Service is an Error; --open-world makes it Info', () => {
    const d = dir({ 'vs.yaml': VALID_VS });
    const closed = run('analyze', d, '--format=json');
    expect(JSON.parse(closed.out)).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'IST0101', level: 'Error' })]));
    expect(closed.code).toBe(1);
    const open = run('analyze', d, '--format=json', '--open-world');
    expect(JSON.parse(open.out).filter((f: any) => f.level === 'Error')).toEqual([]);
    expect(open.code).toBe(0);
  });

  test('--suppress drops a code, --no-analyzers skips the cross-resource layer', () => {
    const d = dir({ 'vs.yaml': VALID_VS });
    expect(run('analyze', d, '--suppress', 'IST0101').code).toBe(0);
    expect(run('analyze', d, '--no-analyzers').code).toBe(0);
  });

  test('--fail-on warning fails on warnings', () => {
    const dr = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: api, namespace: bookinfo }
spec:
  host: api.example.com
  trafficPolicy: { tls: { mode: SIMPLE } }
`;
    const se = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: api, namespace: bookinfo }
spec:
  hosts: [api.example.com]
  location: MESH_EXTERNAL
  resolution: DNS
  ports: [{ number: 443, name: https, protocol: HTTPS }]
`;
    const d = dir({ 'dr.yaml': `${dr}---\n${se}` });
    const lenient = run('analyze', d);
    expect(lenient.out).toContain('Warning [IST0128]');
    expect(lenient.code).toBe(0);
    expect(run('analyze', d, '--fail-on', 'warning').code).toBe(1);
  });

  test('a document without kind is mesh config', () => {
    const d = dir({ 'mesh.yaml': 'rootNamespace: istio-config\n', 'vs.yaml': VALID_VS, 'svc.yaml': SERVICES });
    expect(run('analyze', d).code).toBe(0);
    expect(run('analyze', path.join(d, 'vs.yaml'), path.join(d, 'svc.yaml'), '--mesh-config', path.join(d, 'mesh.yaml')).code).toBe(0);
  });

  test('exit 2 for usage errors', () => {
    expect(run('lint', '.').code).toBe(2);
    expect(run('analyze').err).toContain('give at least one file or folder to analyze');
    expect(run('analyze', '--format', 'xml', '.').err).toContain('--format must be text or json, got "xml"');
    expect(run('analyze', '--bogus', '.').err).toContain('unknown option "--bogus"');
  });

  test('exit 2 for a missing file or a YAML parse error', () => {
    const missing = run('analyze', '/nonexistent/manifests');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('/nonexistent/manifests: no such file or directory');
    const d = dir({ 'broken.yaml': 'kind: [unclosed\n' });
    const broken = run('analyze', d);
    expect(broken.code).toBe(2);
    expect(broken.err).toContain('broken.yaml: YAML parse error');
  });

  test('--help prints the usage and exits 0', () => {
    const r = run('--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: cdk8s-istio analyze [options] PATH...');
  });
});
