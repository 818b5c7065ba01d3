import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { CrdValidator } from '../../src';

/** docs/validation-crd.md (CRD layer): each code's bad example gets its finding, with the message shown, and the fixed one gets none. */
const crd = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'validation-crd.md'), 'utf-8');
const sections = crd.split(/^### /m).slice(1).map(section => ({
  code: section.split(' ')[0],
  level: section.split('\n').find(line => /^(Error|Warning|Info)\b/.test(line))?.split(/[ .,]/)[0],
  examples: [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map(m => parse(m[1])),
  quoted: [...section.matchAll(/^> (Error|Warning) \[[^\]]+\] (?:[^:]+: )?(.*)$/gm)].map(m => m[2]),
}));

test('the CRD section documents every CRD code', () => {
  expect(sections.map(s => s.code)).toEqual(['CDK8S-ISTIO-CRD001', 'CDK8S-ISTIO-CRD002', 'CDK8S-ISTIO-CRD003', 'CDK8S-ISTIO-CRD004']);
});

describe.each(sections.filter(s => s.examples.length > 0))('$code', ({ code, level, examples, quoted }) => {
  test('the bad example gets the finding the page shows, at the level it shows; the fixed one gets none', () => {
    const [bad, fixed] = examples;
    const findings = CrdValidator.validate(bad);
    expect(findings.map(f => f.code)).toEqual([code]);
    expect(findings[0].level).toBe(level);
    expect(findings[0].message).toContain(quoted[0]);
    expect(CrdValidator.validate(fixed)).toEqual([]);
  });
});
