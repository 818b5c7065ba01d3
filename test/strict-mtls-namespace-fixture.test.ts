import { Chart, Testing } from 'cdk8s';
import { synthValid } from './util';
import { WorkloadSelector } from '../src/core/workload-selector';
import { StrictMtlsNamespace } from '../src/patterns/strict-mtls-namespace';
import { MtlsMode } from '../src/security/peer-authentication';

/*
 * Task fixtures: the objects Istio's published tasks apply, written from the task text
 * of the Istio 1.30 docs (security.istio.io/v1; older versions of the same pages show
 * v1beta1, with the same spec):
 * - "Mutual TLS Migration" (https://istio.io/latest/docs/tasks/security/authentication/mtls-migration/):
 *   `kubectl create ns foo`, then "Lock down to mutual TLS by namespace" and "Lock down
 *   mutual TLS for the entire mesh".
 * - "Authentication Policy" (https://istio.io/latest/docs/tasks/security/authentication/authn-policy/):
 *   "Enable mutual TLS per workload", the httpbin policy of namespace bar with port 8080
 *   (httpbin's container port) left to plaintext.
 *
 * The comparison ignores object names, labels and field order. What remains is listed,
 * with the reason, in the expected differences of each test.
 */

const NAMESPACE_FOO = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'foo' } };
const MTLS_MIGRATION_NAMESPACE = [
  NAMESPACE_FOO,
  { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'foo' }, spec: { mtls: { mode: 'STRICT' } } },
];
const MTLS_MIGRATION_MESH = [
  { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'istio-system' }, spec: { mtls: { mode: 'STRICT' } } },
];
const AUTHN_POLICY_WORKLOAD = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bar' } },
  {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name: 'httpbin', namespace: 'bar' },
    spec: { selector: { matchLabels: { app: 'httpbin' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'DISABLE' } } },
  },
];

/** A difference between the synthesized objects and a fixture, with the reason it is there. */
interface Difference {
  readonly kind: string;
  readonly namespace?: string;
  /** `ours`: an object only we make; `fixture`: one we do not make; `field`: a field that differs. */
  readonly only: 'ours' | 'fixture' | 'field';
  readonly path?: string;
  readonly ours?: unknown;
  readonly fixture?: unknown;
  readonly why: string;
}

/** An object without what the comparison ignores (names, labels; field order never counts in toEqual). */
function normalize(obj: any): any {
  const { name, labels, ...metadata } = obj.metadata ?? {};
  return { ...obj, metadata };
}

/** The differences between two lists of objects, matching equal objects first, then same kind and namespace. */
function differences(ours: any[], fixture: any[]): Array<Omit<Difference, 'why'>> {
  const left = ours.map(normalize);
  const right = fixture.map(normalize);
  for (let i = right.length - 1; i >= 0; i--) {
    const match = left.findIndex(o => JSON.stringify(sortKeys(o)) === JSON.stringify(sortKeys(right[i])));
    if (match >= 0) {
      left.splice(match, 1);
      right.splice(i, 1);
    }
  }
  const result: Array<Omit<Difference, 'why'>> = [];
  for (const o of left) {
    const j = right.findIndex(f => f.kind === o.kind && f.metadata.namespace === o.metadata.namespace);
    if (j < 0) {
      result.push({ kind: o.kind, namespace: o.metadata.namespace, only: 'ours', ours: o.spec });
      continue;
    }
    for (const path of fieldPaths(o, right[j])) {
      result.push({ kind: o.kind, namespace: o.metadata.namespace, only: 'field', path, ours: at(o, path), fixture: at(right[j], path) });
    }
    right.splice(j, 1);
  }
  for (const f of right) result.push({ kind: f.kind, namespace: f.metadata.namespace, only: 'fixture', fixture: f.spec });
  return result;
}

function sortKeys(value: any): any {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map(k => [k, sortKeys(value[k])]));
  return value;
}

function fieldPaths(a: any, b: any, prefix = ''): string[] {
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort().flatMap(k => fieldPaths(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b)) ? [] : [prefix];
}

function at(obj: any, path: string): unknown {
  return path.split('.').reduce((o, k) => o?.[k], obj);
}

function expectDifferences(ours: any[], fixture: any[], expected: Difference[]): void {
  for (const d of expected) expect(d.why.length).toBeGreaterThan(20);
  expect(differences(ours, fixture)).toEqual(expected.map(({ why, ...d }) => d));
}

const DENY_PLAINTEXT = { action: 'DENY', rules: [{ from: [{ source: { notPrincipals: ['*'] } }] }] };
const WHY_DENY_PLAINTEXT = 'secure default denyPlaintext: a DENY policy for callers without an mTLS identity keeps plaintext out even if a workload-level PeerAuthentication is loosened later; the task relies on the PeerAuthentication alone';

describe('StrictMtlsNamespace against Istio\'s task manifests', () => {
  test('Mutual TLS Migration: lock down namespace foo', () => {
    const chart = new Chart(Testing.app(), 'foo', { namespace: 'foo' });
    new StrictMtlsNamespace(chart, 'foo');
    expectDifferences(synthValid(chart), MTLS_MIGRATION_NAMESPACE, [
      { kind: 'AuthorizationPolicy', namespace: 'foo', only: 'ours', ours: DENY_PLAINTEXT, why: WHY_DENY_PLAINTEXT },
    ]);
  });

  test('Mutual TLS Migration: without the secure default, exactly the task\'s objects', () => {
    const chart = new Chart(Testing.app(), 'foo', { namespace: 'foo' });
    new StrictMtlsNamespace(chart, 'foo', { denyPlaintext: false });
    expectDifferences(synthValid(chart), MTLS_MIGRATION_NAMESPACE, []);
  });

  test('Mutual TLS Migration: migration mode on an existing namespace is the step before the lock-down', () => {
    const chart = new Chart(Testing.app(), 'foo', { namespace: 'foo' });
    new StrictMtlsNamespace(chart, 'foo', { migration: true, createNamespace: false });
    expectDifferences(synthValid(chart), MTLS_MIGRATION_NAMESPACE, [
      {
        kind: 'PeerAuthentication',
        namespace: 'foo',
        only: 'field',
        path: 'spec.mtls.mode',
        ours: 'PERMISSIVE',
        fixture: 'STRICT',
        why: 'migration: true keeps plaintext clients working (the task\'s starting state, PERMISSIVE by mesh default); the lock-down step is migration: false',
      },
      { kind: 'Namespace', only: 'fixture', why: 'createNamespace: false: the namespace exists already (the task creates it with kubectl create ns foo)' },
    ]);
  });

  test('Mutual TLS Migration: lock down the entire mesh (no deny-plaintext by default mesh-wide, where it would cut off ingress gateways)', () => {
    const chart = new Chart(Testing.app(), 'mesh');
    StrictMtlsNamespace.meshWide(chart, 'mesh');
    expectDifferences(synthValid(chart), MTLS_MIGRATION_MESH, []);
  });

  test('Mutual TLS Migration: the entire mesh with deny-plaintext asked for', () => {
    const chart = new Chart(Testing.app(), 'mesh');
    StrictMtlsNamespace.meshWide(chart, 'mesh', { denyPlaintext: true });
    expectDifferences(synthValid(chart), MTLS_MIGRATION_MESH, [
      { kind: 'AuthorizationPolicy', namespace: 'istio-system', only: 'ours', ours: DENY_PLAINTEXT, why: 'denyPlaintext: true, mesh-wide from the root namespace: plaintext callers are denied everywhere (ingress gateways included)' },
    ]);
  });

  test('Authentication Policy: mutual TLS per workload, port 8080 of httpbin in plaintext', () => {
    const chart = new Chart(Testing.app(), 'bar', { namespace: 'bar' });
    const ns = new StrictMtlsNamespace(chart, 'bar');
    ns.addPortException({ selector: WorkloadSelector.fromLabels({ app: 'httpbin' }), port: 8080, mode: MtlsMode.DISABLE, name: 'httpbin' });
    expectDifferences(synthValid(chart), AUTHN_POLICY_WORKLOAD, [
      {
        kind: 'PeerAuthentication',
        namespace: 'bar',
        only: 'ours',
        ours: { mtls: { mode: 'STRICT' } },
        why: 'the pattern makes the whole namespace STRICT (PeerAuthentication default); the task step only scopes a workload, namespace bar inheriting the mesh default (PERMISSIVE)',
      },
      {
        kind: 'AuthorizationPolicy',
        namespace: 'bar',
        only: 'ours',
        ours: { ...DENY_PLAINTEXT, rules: [{ ...DENY_PLAINTEXT.rules[0], to: [{ operation: { notPorts: ['8080'] } }] }] },
        why: `${WHY_DENY_PLAINTEXT}; the port the exception opens (8080) is left out of it, or the exception would be dead`,
      },
    ]);
  });
});
