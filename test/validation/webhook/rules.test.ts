import { EXAMPLES } from './examples';
import { FindingLayer, FindingLevel } from '../../../src/validation/findings';
import { WebhookValidator } from '../../../src/validation/webhook';
import { RULES, allRules } from '../../../src/validation/webhook/rules';

/** Rules without a bad example: the internal-error safety net cannot be triggered by input. */
const NO_EXAMPLE = new Set([RULES.internalError.code]);

describe('webhook rule catalog', () => {
  test('codes are unique and well-formed', () => {
    const codes = allRules().map(r => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(c).toMatch(/^CDK8S-ISTIO-W\d{3}$/);
  });

  test('every rule has a bad example, and every example names a rule', () => {
    const covered = new Set(EXAMPLES.map(e => RULES[e.rule].code));
    const missing = allRules().filter(r => !covered.has(r.code) && !NO_EXAMPLE.has(r.code)).map(r => r.code);
    expect(missing).toEqual([]);
  });

  test('every rule except the always-on EnvoyFilter notice has a fixed example', () => {
    const withoutFix = EXAMPLES.filter(e => e.fixed === undefined).map(e => e.rule);
    expect(withoutFix).toEqual(['efInternalApi']);
  });
});

describe.each(EXAMPLES.map(e => [`${RULES[e.rule].code} ${e.rule}`, e] as const))('%s', (_name, example) => {
  const rule = RULES[example.rule];

  test(`${rule.level === FindingLevel.ERROR ? 'rejects' : 'flags'} the bad example with field and message`, () => {
    const findings = WebhookValidator.validate(example.bad);
    const hits = findings.filter(f => f.code === rule.code);
    expect(hits.map(f => f.field)).toContain(example.field);
    const hit = hits.find(f => f.field === example.field)!;
    expect(hit.message).toContain(example.message);
    expect(hit).toMatchObject({
      level: rule.level,
      layer: FindingLayer.WEBHOOK,
      kind: example.bad.kind,
      name: example.bad.metadata.name,
      namespace: example.bad.metadata.namespace,
      apiVersion: example.bad.apiVersion,
    });
  });

  if (example.fixed !== undefined) {
    test('accepts the fixed example (no finding of this rule, no error at all)', () => {
      const findings = WebhookValidator.validate(example.fixed);
      expect(findings.filter(f => f.code === rule.code)).toEqual([]);
      expect(findings.filter(f => f.level === FindingLevel.ERROR)).toEqual([]);
    });
  }
});
