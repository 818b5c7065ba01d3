import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../../src/cli';

/**
 * The CLI (`cdk8s-istio analyze DIR`, closed world by default) reports each mesh mistake
 * of CDK8S-ISTIO-A010..A015 from the docs' bad example, and not from the fixed one.
 */
const page = fs.readFileSync(path.join(__dirname, '../../../docs/validation-analyzer.md'), 'utf-8');
const CODES = ['A010', 'A011', 'A012', 'A013', 'A014', 'A015'].map(c => `CDK8S-ISTIO-${c}`);

function examples(code: string): string[] {
  const start = page.indexOf(`\n#### ${code} `);
  const end = page.indexOf('\n#### ', start + 1);
  return [...page.slice(start, end).matchAll(/```yaml\n([\s\S]*?)```/g)].map(m => m[1]);
}

function analyzeYaml(yaml: string, ...options: string[]): { code: number; out: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-cli-'));
  try {
    fs.writeFileSync(path.join(dir, 'manifests.yaml'), yaml);
    const lines: string[] = [];
    const code = main(['analyze', dir, ...options], s => lines.push(s), s => lines.push(s));
    return { code, out: lines.join('\n') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe.each(CODES)('%s in the CLI', code => {
  test('the bad example gets a Warning naming the object (exit 1 with --fail-on warning)', () => {
    const [bad] = examples(code);
    const { out } = analyzeYaml(bad);
    expect(analyzeYaml(bad, '--fail-on', 'warning').code).toBe(1);
    expect(out).toMatch(new RegExp(`Warning \\[${code}\\] \\((VirtualService|AuthorizationPolicy|Service|Deployment|PeerAuthentication) [a-z-]+\\)`));
  });

  test('the fixed example does not', () => {
    const [, fixed] = examples(code);
    expect(analyzeYaml(fixed).out).not.toContain(code);
  });
});
