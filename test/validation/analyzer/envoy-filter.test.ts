import { findings, istio, single } from './fixtures';
import { FindingLevel } from '../../../src/validation/findings';

const patch = (applyTo: string, operation: string, extra: { match?: any; value?: any } = {}) => ({
  applyTo,
  match: extra.match ?? { context: 'SIDECAR_INBOUND' },
  patch: { operation, value: extra.value ?? { name: 'envoy.filters.http.lua' } },
});
const filter = (name: string, patches: any[], priority?: number) =>
  istio('EnvoyFilter', name, { configPatches: patches, ...(priority !== undefined ? { priority } : {}) });
const CODES = ['IST0151', 'IST0152', 'IST0153', 'IST0154', 'IST0155'];
const all = (objects: any[]) => CODES.flatMap(code => findings(objects, code));

describe('IST0151 EnvoyFilterUsesRelativeOperation', () => {
  test('warns about a relative operation without a priority', () => {
    const f = single([filter('lua', [patch('HTTP_FILTER', 'INSERT_BEFORE')])], 'IST0151');
    expect(f).toMatchObject({ level: FindingLevel.WARNING, kind: 'EnvoyFilter', name: 'lua', field: 'spec.configPatches[0].patch.operation' });
    expect(f.message).toContain('does not have a priority and has a relative patch operation (INSERT_BEFORE)');
    expect(f.message).toContain('setting the priority');
  });

  test.each(['MERGE', 'REPLACE', 'REMOVE', 'INSERT_AFTER'])('warns about %s too', op => {
    expect(findings([filter('lua', [patch('HTTP_FILTER', op)])], 'IST0151')).toHaveLength(1);
  });

  test('passes with a priority, and for absolute operations (ADD, INSERT_FIRST)', () => {
    expect(all([
      filter('ordered', [patch('HTTP_FILTER', 'INSERT_BEFORE')], 10),
      filter('absolute', [patch('HTTP_FILTER', 'INSERT_FIRST'), patch('CLUSTER', 'ADD', { match: { context: 'SIDECAR_OUTBOUND' } })]),
    ])).toEqual([]);
  });

  test('stops at the first patch without a patch section, as Istio does', () => {
    expect(findings([filter('f', [{ applyTo: 'HTTP_FILTER' }, patch('HTTP_FILTER', 'MERGE')])], 'IST0151')).toEqual([]);
  });
});

describe('IST0155 EnvoyFilterUsesRelativeOperationWithProxyVersion', () => {
  const versioned = { context: 'SIDECAR_OUTBOUND', proxy: { proxyVersion: '^1\\.30.*' } };

  test('warns about a relative operation without a priority that matches a proxyVersion', () => {
    const f = single([filter('lua', [patch('HTTP_FILTER', 'REPLACE', { match: versioned })])], 'IST0155');
    expect(f.level).toBe(FindingLevel.WARNING);
    expect(f.message).toContain('proxyVersion set');
    expect(findings([filter('lua', [patch('HTTP_FILTER', 'REPLACE', { match: versioned })])], 'IST0151')).toEqual([]);
  });

  test('warns about a relative patch of a filter another patch selects by proxyVersion', () => {
    const objects = [
      filter('a', [patch('HTTP_FILTER', 'INSERT_FIRST', { match: versioned })]),
      filter('b', [patch('HTTP_FILTER', 'MERGE')]),
    ];
    expect(findings(objects, 'IST0155').map(f => f.name)).toEqual(['b']);
  });

  test('passes with a priority', () => {
    expect(all([filter('lua', [patch('HTTP_FILTER', 'REPLACE', { match: versioned })], 5)])).toEqual([]);
  });
});

describe('IST0152 EnvoyFilterUsesReplaceOperationIncorrectly', () => {
  test('fails validation for REPLACE of a listener or cluster', () => {
    const found = findings([filter('f', [patch('LISTENER', 'REPLACE'), patch('CLUSTER', 'REPLACE')], 1)], 'IST0152');
    expect(found.map(f => [f.level, f.field])).toEqual([
      [FindingLevel.ERROR, 'spec.configPatches[0].patch.operation'],
      [FindingLevel.ERROR, 'spec.configPatches[1].patch.operation'],
    ]);
    expect(found[0].message).toContain('The REPLACE operation is only valid for HTTP_FILTER and NETWORK_FILTER');
    expect(found[0].message).toContain('Use MERGE');
  });

  test('passes for the filters istiod replaces (HTTP, network and listener filters, virtual hosts)', () => {
    expect(all([filter('f', ['HTTP_FILTER', 'NETWORK_FILTER', 'LISTENER_FILTER', 'VIRTUAL_HOST'].map(a => patch(a, 'REPLACE')), 1)])).toEqual([]);
  });
});

describe('IST0153 EnvoyFilterUsesAddOperationIncorrectly and IST0154 EnvoyFilterUsesRemoveOperationIncorrectly', () => {
  test('fail validation for ADD and REMOVE of a route configuration', () => {
    const objects = [filter('f', [patch('ROUTE_CONFIGURATION', 'ADD'), patch('ROUTE_CONFIGURATION', 'REMOVE')], 1)];
    expect(single(objects, 'IST0153')).toMatchObject({ level: FindingLevel.ERROR, field: 'spec.configPatches[0].patch.operation' });
    expect(single(objects, 'IST0153').message).toContain('The ADD operation will be ignored when applyTo is set to ROUTE_CONFIGURATION');
    expect(single(objects, 'IST0154')).toMatchObject({ level: FindingLevel.ERROR, field: 'spec.configPatches[1].patch.operation' });
  });

  test('pass for ADD and REMOVE of HTTP routes, which istiod applies, and MERGE of a route configuration', () => {
    expect(all([filter('f', [patch('HTTP_ROUTE', 'ADD'), patch('HTTP_ROUTE', 'REMOVE'), patch('ROUTE_CONFIGURATION', 'MERGE')], 1)])).toEqual([]);
  });
});
