import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { main } from '../../../src/cli';
import { CrossResourceAnalyzer } from '../../../src/validation/analyzer';
import { Finding, FindingLevel, ManifestSource } from '../../../src/validation/findings';

/**
 * A folder of correct manifests from unrelated apps (Istio's documented tasks side by
 * side in one cluster: bookinfo with destination-rule-all and virtual-service-all-v1,
 * sleep, httpbin.org through a ServiceEntry, the egress gateway task, the JWT tasks,
 * the Gateway API ingress task, and the routing of an app deployed elsewhere). Each
 * file is correct on its own; together, in an open world, they get no Error. Each
 * typo a file could have is then made in a copy of the folder: it fires.
 */
const FOLDER = path.join(__dirname, 'open-world');
const FILES = fs.readdirSync(FOLDER).filter(f => f.endsWith('.yaml')).sort();

function read(files: Record<string, string>): ManifestSource[] {
  return Object.entries(files).flatMap(([file, text]) => parseAllDocuments(text).map(d => ({ object: d.toJS(), file })));
}

const original = (): Record<string, string> => Object.fromEntries(FILES.map(f => [f, fs.readFileSync(path.join(FOLDER, f), 'utf-8')]));

function analyze(files: Record<string, string>, openWorld = true): Finding[] {
  return CrossResourceAnalyzer.analyze(read(files), { openWorld });
}

const errors = (found: Finding[]) => found.filter(f => f.level === FindingLevel.ERROR).map(f => `${f.code} ${f.kind} ${f.name} ${f.field ?? ''}: ${f.message}`);

/** The folder with one file's text changed (the change must apply). */
function withTypo(file: string, from: string, to: string): Record<string, string> {
  const files = original();
  expect(files[file]).toContain(from);
  files[file] = files[file].replace(from, to);
  return files;
}

function run(...argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = main(argv, s => { out += s; }, s => { err += s; });
  return { code, out, err };
}

describe('a folder of correct manifests from unrelated apps', () => {
  test('holds several apps', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(8);
  });

  test('has no Error in an open world', () => {
    const found = analyze(original());
    expect(errors(found)).toEqual([]);
    // the routing of orders, deployed elsewhere, beside Services and ServiceEntries of the same namespace: Info, not Error
    expect(found.filter(f => f.name === 'orders').map(f => `${f.level} ${f.code} ${f.field}`)).toEqual([
      'Info IST0101 spec.http[0].route[0].destination.host',
      'Info IST0101 spec.http[0].route[1].destination.host',
      'Info IST0174 spec.host',
    ]);
    // destination-rule-all's versions that bookinfo does not deploy and nothing routes to
    expect(found.filter(f => f.code === 'IST0173').map(f => `${f.level} ${f.name} ${f.field}`)).toEqual([
      'Info ratings spec.subsets[1]',
      'Info ratings spec.subsets[2]',
      'Info ratings spec.subsets[3]',
      'Info details spec.subsets[1]',
    ]);
  });

  test('has no Error through the CLI: cdk8s-istio analyze --open-world DIR', () => {
    const r = run('analyze', FOLDER, '--open-world');
    expect(r.err).toBe('');
    expect(r.out).not.toMatch(/^Error/m);
    expect(r.code).toBe(0);
  });

  test('each file alone has no Error in an open world either', () => {
    for (const [file, text] of Object.entries(original())) {
      expect([file, errors(analyze({ [file]: text }))]).toEqual([file, []]);
    }
  });

  describe('each typo fires, with what was most likely meant', () => {
    const single = (files: Record<string, string>, code: string) => {
      const found = analyze(files).filter(f => f.code === code && f.level !== FindingLevel.INFO);
      expect(found).toHaveLength(1);
      return found[0];
    };

    test('a destination host', () => {
      const f = single(withTypo('bookinfo-virtual-service-all-v1.yaml', '{host: reviews, subset: v1}', '{host: reveiws, subset: v1}'), 'IST0101');
      expect(f).toMatchObject({ level: FindingLevel.ERROR, name: 'reviews', field: 'spec.http[0].route[0].destination.host' });
      expect(f.message).toBe('Referenced host not found: "reveiws"; did you mean "reviews"?');
    });

    test('a subset name, by case', () => {
      const f = single(withTypo('bookinfo-virtual-service-all-v1.yaml', '{host: reviews, subset: v1}', '{host: reviews, subset: V1}'), 'IST0101');
      expect(f.message).toBe('Referenced host+subset in destinationrule not found: "reviews+V1"; did you mean "v1"?');
    });

    test('a gateway', () => {
      const f = single(withTypo('bookinfo-gateway.yaml', 'gateways: [bookinfo-gateway]', 'gateways: [bookinfo-gatway]'), 'IST0101');
      expect(f.message).toBe('Referenced gateway not found: "bookinfo-gatway"; did you mean "bookinfo-gateway"?');
    });

    test('a gateway selector', () => {
      const f = single(withTypo('egress-gateway-cnn.yaml', 'istio: egressgateway', 'istio: egresgateway'), 'IST0101');
      expect(f.message).toBe('Referenced selector not found: "istio=egresgateway"; did you mean "istio=egressgateway"? (the workloads have istio=egressgateway, ingressgateway, pilot)');
    });

    test('the labels of a subset that a VirtualService routes to', () => {
      const f = single(withTypo('bookinfo-destination-rule-all.yaml', '  - name: v1\n    labels: {version: v1}\n  - name: v2\n    labels: {version: v2}\n  - name: v3',
        '  - name: v1\n    labels: {version: V1}\n  - name: v2\n    labels: {version: v2}\n  - name: v3'), 'IST0173');
      expect(f).toMatchObject({ level: FindingLevel.ERROR, name: 'reviews', field: 'spec.subsets[0]' });
      expect(f.message).toBe('The Subset v1 defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream). '
        + 'The pods of reviews have version=v1, v2, v3. Did you mean "version=v1"? A VirtualService routes to subset v1: its requests fail.');
    });

    test('a policy selector', () => {
      const f = single(withTypo('jwt-httpbin-foo.yaml', 'name: require-jwt\n  namespace: foo\nspec:\n  selector:\n    matchLabels: {app: httpbin}',
        'name: require-jwt\n  namespace: foo\nspec:\n  selector:\n    matchLabels: {app: httbin}'), 'IST0127');
      expect(f.level).toBe(FindingLevel.WARNING);
      expect(f.message).toBe('No matching workloads for this resource with the following labels: app=httbin; did you mean "app=httpbin"? (the workloads of namespace foo have app=httpbin)');
    });

    test('an external host', () => {
      const f = single(withTypo('httpbin-external.yaml', '        host: httpbin.org', '        host: httbin.org'), 'IST0101');
      expect(f.message).toBe('Referenced host not found: "httbin.org"; did you mean "httpbin.org"?');
    });

    test('a Service of another namespace written as a short name', () => {
      const files = { ...original(), 'foo-route.yaml': 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: httpbin}\nspec:\n  hosts: [httpbin.example.com]\n  gateways: [bookinfo-gateway]\n  http:\n  - route: [{destination: {host: httpbin}}]\n' };
      const f = single(files, 'IST0101');
      expect(f.message).toBe('Referenced host not found: "httpbin"; did you mean "httpbin.foo.svc.cluster.local"?');
    });

    test('one object in two files', () => {
      const files = { ...original(), 'bookinfo-gateway-copy.yaml': original()['bookinfo-gateway.yaml'] };
      const found = analyze(files);
      expect(errors(found)).toEqual([]);
      expect(found.filter(f => f.code === 'CDK8S-ISTIO-A002').map(f => `${f.level} ${f.kind} ${f.name}: ${f.message}`)).toEqual([
        'Warning Gateway bookinfo-gateway: Gateway default/bookinfo-gateway is defined in bookinfo-gateway.yaml and bookinfo-gateway-copy.yaml; the later replaces the earlier, as kubectl apply does. Keep one definition (analyzed here: the last).',
        'Warning VirtualService bookinfo: VirtualService default/bookinfo is defined in bookinfo-gateway.yaml and bookinfo-gateway-copy.yaml; the later replaces the earlier, as kubectl apply does. Keep one definition (analyzed here: the last).',
      ]);
      // analyzed once: no IST0145 (two Gateways on one port) and one IST0140
      expect(found.filter(f => f.code === 'IST0145')).toEqual([]);
      expect(found.filter(f => f.code === 'IST0140')).toHaveLength(1);
    });

    test('and the CLI exits 1 on the typo', () => {
      const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-open-world-'));
      for (const [file, text] of Object.entries(withTypo('bookinfo-virtual-service-all-v1.yaml', '{host: ratings, subset: v1}', '{host: ratngs, subset: v1}'))) {
        fs.writeFileSync(path.join(d, file), text);
      }
      const r = run('analyze', d, '--open-world');
      expect(r.code).toBe(1);
      expect(r.out).toContain(`Error [IST0101] (VirtualService ratings) in ${path.join(d, 'bookinfo-virtual-service-all-v1.yaml')} spec.http[0].route[0].destination.host: Referenced host not found: "ratngs"; did you mean "ratings"?`);
    });
  });
});
