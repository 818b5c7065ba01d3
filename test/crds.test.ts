import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CRD_DIR, CRD_FILES, readCrds } from '../scripts/crd-source';

/** The vendored CRDs (crds/) are upstream's files: each one has the sha256 SHA256SUMS and SOURCES.md give it. */
const root = path.join(__dirname, '..');
const sums = new Map(fs.readFileSync(path.join(CRD_DIR, 'SHA256SUMS'), 'utf8').trim().split('\n').map(line => {
  const [sum, file] = line.split(/\s+\*?/);
  return [file, sum] as [string, string];
}));
const sources = fs.readFileSync(path.join(CRD_DIR, 'SOURCES.md'), 'utf8');

describe('vendored CRDs (crds/)', () => {
  test('every file read is listed in SHA256SUMS, and nothing else is', () => {
    expect([...sums.keys()].sort()).toEqual([...CRD_FILES].sort());
  });

  test.each(CRD_FILES)('%s has its recorded sha256', file => {
    const actual = createHash('sha256').update(fs.readFileSync(path.join(CRD_DIR, file))).digest('hex');
    expect(actual).toBe(sums.get(file));
    // SOURCES.md names the file with the same checksum on its row
    const row = sources.split('\n').find(line => line.startsWith(`| \`${file}\``));
    expect(row).toBeDefined();
    expect(row).toContain(`\`${actual}\``);
  });

  test('they hold the CRDs of Istio 1.30.3 and Gateway API v1.5.1', () => {
    const crds = readCrds();
    expect(crds.filter(c => c.spec.group.endsWith('.istio.io')).length).toBe(15);
    expect(crds.filter(c => c.spec.group.includes('gateway.networking')).length).toBe(12);
    const gatewayApi = crds.find(c => c.metadata.name === 'httproutes.gateway.networking.k8s.io')!;
    expect(gatewayApi.metadata.annotations?.['gateway.networking.k8s.io/bundle-version']).toBe('v1.5.1');
    expect(gatewayApi.metadata.annotations?.['gateway.networking.k8s.io/channel']).toBe('experimental');
  });

  test('nothing in the repository reads ../shared/', () => {
    const offenders: string[] = [];
    const skip = new Set(['node_modules', '.git', 'lib', 'dist', 'test-reports', '.tmp', 'crds', 'imports', 'data']);
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (skip.has(entry.name)) continue;
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          walk(full);
          continue;
        }
        const text = /\.(ts|js|sh|json|md|ya?ml)$/.test(entry.name) || entry.name === 'run';
        if (!text || full === __filename || entry.name === 'package-lock.json') continue;
        if (/\.\.\/shared\b|['"]shared['"],\s*['"]crds['"]/.test(fs.readFileSync(full, 'utf8'))) offenders.push(path.relative(root, full));
      }
    };
    walk(root);
    expect(offenders).toEqual([]);
  });
});
