/**
 * Acceptance: valid objects (Istio's bookinfo samples and documentation examples) give
 * zero findings, in the newest version and in the older served versions.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { CrdValidator } from '../../../src/validation/crd';

function load(file: string): any[] {
  return YAML.parseAllDocuments(fs.readFileSync(path.join(__dirname, 'fixtures', file), 'utf8'))
    .map(d => d.toJS())
    .filter(o => o && typeof o === 'object');
}

const bookinfo = load('bookinfo.yaml');
const mesh = load('mesh.yaml');

/** Older served versions, by group (the newest is what the fixtures use). */
const OLDER: Record<string, string[]> = {
  'networking.istio.io/v1': ['v1alpha3', 'v1beta1'],
  'security.istio.io/v1': ['v1beta1'],
  'telemetry.istio.io/v1': ['v1alpha1'],
  'gateway.networking.k8s.io/v1': ['v1beta1'],
};
/** Kinds that are not served in every older version of their group. */
const ONLY_NEWEST = new Set(['gateway.networking.k8s.io/GRPCRoute']);

function label(o: any): string {
  return `${o.apiVersion} ${o.kind} ${o.metadata?.name}`;
}

function messages(o: any): string[] {
  return CrdValidator.validate(o).map(f => `${f.code} ${f.level}: ${f.message}`);
}

describe('valid objects give no findings', () => {
  test.each(bookinfo.map(o => [label(o), o]))('bookinfo: %s', (_, o) => {
    expect(messages(o)).toEqual([]);
  });

  test.each(mesh.map(o => [label(o), o]))('mesh: %s', (_, o) => {
    expect(messages(o)).toEqual([]);
  });

  const older: Array<[string, any]> = [];
  for (const o of [...bookinfo, ...mesh]) {
    const versions = OLDER[o.apiVersion];
    const group = o.apiVersion.split('/')[0];
    if (!versions || ONLY_NEWEST.has(`${group}/${o.kind}`)) continue;
    for (const v of versions) {
      const copy = { ...o, apiVersion: `${group}/${v}` };
      older.push([label(copy), copy]);
    }
  }

  test('the older-version set covers every group and the bookinfo kinds', () => {
    const seen = new Set(older.map(([, o]) => `${o.apiVersion} ${o.kind}`));
    for (const k of [
      'networking.istio.io/v1alpha3 VirtualService', 'networking.istio.io/v1beta1 VirtualService',
      'networking.istio.io/v1alpha3 DestinationRule', 'networking.istio.io/v1beta1 Gateway',
      'security.istio.io/v1beta1 AuthorizationPolicy', 'security.istio.io/v1beta1 PeerAuthentication',
      'security.istio.io/v1beta1 RequestAuthentication', 'telemetry.istio.io/v1alpha1 Telemetry',
      'gateway.networking.k8s.io/v1beta1 Gateway', 'gateway.networking.k8s.io/v1beta1 HTTPRoute',
      'networking.istio.io/v1alpha3 ServiceEntry', 'networking.istio.io/v1beta1 Sidecar',
    ]) {
      expect(seen).toContain(k);
    }
  });

  test.each(older)('older version: %s', (_, o) => {
    expect(messages(o)).toEqual([]);
  });

  test('objects of other API groups are not this layer\'s business', () => {
    expect(CrdValidator.validate({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'Bad_Name' }, spec: { bogus: 1 } })).toEqual([]);
    expect(CrdValidator.validate({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: {} })).toEqual([]);
    expect(CrdValidator.validate(null)).toEqual([]);
    expect(CrdValidator.validate('nope')).toEqual([]);
    expect(CrdValidator.isCustomResource('v1', 'Service')).toBe(false);
    expect(CrdValidator.isCustomResource('networking.istio.io/v1', 'VirtualService')).toBe(true);
    expect(CrdValidator.isCustomResource('gateway.networking.x-k8s.io/v1alpha1', 'XMesh')).toBe(true);
  });
});
