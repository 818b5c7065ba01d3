import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { analyze } from './fixtures';
import { RULES } from '../../../src/validation/analyzer/rules';
import { FindingLevel } from '../../../src/validation/findings';

/** docs/validation-analyzer.md (analyzer layer): every rule's bad example gets its finding, and its fixed example does not. */
const doc = fs.readFileSync(path.join(__dirname, '../../../docs/validation-analyzer.md'), 'utf-8');
const sections = doc.split(/^#### /m).slice(1).map(section => {
  const [heading] = section.split('\n');
  const code = heading.split(' ')[0];
  const level = section.split('\n').find(line => /^(Error|Warning|Info)\b/.test(line))?.split(/[ .,]/)[0];
  const examples = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map(m => parseAllDocuments(m[1]).map(d => d.toJS()));
  return { code, level, examples };
});

test('the docs have a section with a bad and a fixed example for every rule', () => {
  expect(sections.map(s => s.code).sort()).toEqual(Object.values(RULES).map(r => r.code).sort());
  for (const s of sections) {
    expect([s.code, s.examples.length]).toEqual([s.code, 2]);
    expect([s.code, s.level]).toEqual([s.code, Object.values(RULES).find(r => r.code === s.code)!.level]);
  }
});

describe.each(sections)('$code', ({ code, level, examples }) => {
  test('the bad example gets the finding', () => {
    const found = analyze(examples[0]).filter(f => f.code === code);
    expect(found.length).toBeGreaterThan(0);
    expect(found[0].level).toBe(level);
  });

  test('the fixed example does not, and has no error', () => {
    const found = analyze(examples[1]);
    expect(found.filter(f => f.code === code)).toEqual([]);
    expect(found.filter(f => f.level === FindingLevel.ERROR)).toEqual([]);
  });
});
