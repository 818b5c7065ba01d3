import { app, findings, istio } from './fixtures';
import { FindingLevel } from '../../../src/validation/findings';

const to = (host = 'web') => ({ route: [{ destination: { host } }] });
const vs = (spec: any) => [...app('web'), istio('VirtualService', 'web', { hosts: ['web'], ...spec })];

describe('IST0130 VirtualServiceUnreachableRule', () => {
  test('fails validation when a rule follows a rule without matches', () => {
    const found = findings(vs({ http: [{ name: 'all', ...to() }, { match: [{ uri: { prefix: '/a' } }], ...to() }, to()] }), 'IST0130');
    expect(found.map(f => [f.field, f.message])).toEqual([
      ['spec.http[1]', 'VirtualService rule #1 not used (route without matches defined before).'],
      ['spec.http[2]', 'VirtualService rule #2 not used (only the last rule can have no matches).'],
    ]);
    expect(found[0].level).toBe(FindingLevel.WARNING);
  });

  test('fails validation when every match of a rule is used by earlier rules', () => {
    const http = [
      { name: 'api', match: [{ uri: { prefix: '/api' } }, { headers: { 'x-debug': { exact: '1' } } }], ...to() },
      { name: 'api-v2', match: [{ name: 'v2', uri: { prefix: '/api/v2' } }, { headers: { 'x-debug': { exact: '1' } } }], ...to() },
      to(),
    ];
    const found = findings(vs({ http }), 'IST0130');
    expect(found.map(f => f.message)).toEqual(['VirtualService rule "api-v2" not used (all matches used by prior rules).']);
  });

  test('applies to tcp and tls routes', () => {
    const found = findings(vs({ tcp: [{ match: [{ port: 5432 }], ...to() }, { match: [{ port: 5432 }], ...to() }] }), 'IST0130');
    expect(found.map(f => [f.field, f.message])).toEqual([['spec.tcp[1]', 'VirtualService rule #1 not used (all matches used by prior rules).']]);
  });

  test('passes for rules ordered from specific to general', () => {
    const http = [
      { match: [{ uri: { prefix: '/api/v2' } }], ...to() },
      { match: [{ uri: { prefix: '/api' }, headers: { 'x-debug': { exact: '1' } } }], ...to() },
      { match: [{ uri: { prefix: '/api' } }], ...to() },
      { match: [{ uri: { regex: '/a.*' } }], ...to() },
      to(),
    ];
    expect(findings(vs({ http }), 'IST0130')).toEqual([]);
    expect(findings(vs({ http }), 'IST0131')).toEqual([]);
  });
});

describe('IST0131 VirtualServiceIneffectiveMatch', () => {
  test('fails validation when a match repeats an earlier one', () => {
    const http = [
      { match: [{ uri: { exact: '/login' } }], ...to() },
      { name: 'two', match: [{ uri: { exact: '/logout' } }, { name: 'login-again', uri: { exact: '/login' } }], ...to() },
    ];
    const found = findings(vs({ http }), 'IST0131');
    expect(found.map(f => [f.field, f.level, f.message])).toEqual([
      ['spec.http[1].match[1]', FindingLevel.INFO, 'VirtualService rule "two" match "login-again" is not used (duplicate/overlapping match in rule #0).'],
    ]);
  });

  test('fails validation when an earlier prefix covers a later match', () => {
    const http = [
      { match: [{ uri: { prefix: '/debug' } }], ...to() },
      { match: [{ uri: { prefix: '/debugs' }, method: { exact: 'GET' } }, { uri: { prefix: '/other' } }], ...to() },
    ];
    const found = findings(vs({ http }), 'IST0131');
    expect(found.map(f => f.message)).toEqual(['VirtualService rule #1 match #0 is not used (duplicate/overlapping match in rule #0).']);
  });

  test('passes when the later match accepts more (case-insensitive, other gateways)', () => {
    const http = [
      { match: [{ uri: { prefix: '/a' }, gateways: ['mesh'] }], ...to() },
      { match: [{ uri: { prefix: '/a/b' }, ignoreUriCase: true }], ...to() },
      { match: [{ uri: { prefix: '/a/c' } }], ...to() },
    ];
    expect(findings(vs({ http }), 'IST0131')).toEqual([]);
  });
});
