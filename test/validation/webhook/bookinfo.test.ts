import { readFileSync } from 'fs';
import { join } from 'path';
import { parseAllDocuments } from 'yaml';
import { FindingLevel } from '../../../src/validation/findings';
import { WebhookValidator } from '../../../src/validation/webhook';

function load(file: string): any[] {
  return parseAllDocuments(readFileSync(join(__dirname, 'fixtures', file), 'utf8'))
    .map(d => d.toJSON())
    .filter(o => o !== null);
}

describe('bookinfo', () => {
  test.each(['bookinfo.yaml', 'bookinfo-tasks.yaml'])('%s: no webhook finding at all', file => {
    const objects = load(file);
    expect(objects.length).toBeGreaterThanOrEqual(10);
    const findings = objects.flatMap(o => WebhookValidator.validate(o));
    expect(findings).toEqual([]);
  });

  test('the canonical samples are all checked (each has a validator)', () => {
    // a broken copy of each sample produces an error, so none is silently skipped
    const broken = load('bookinfo.yaml').map(o => ({ ...o, spec: { ...o.spec, http: [{}], host: 'bad host', servers: [] } }));
    for (const o of broken) {
      expect(WebhookValidator.validate(o).filter(f => f.level === FindingLevel.ERROR).length).toBeGreaterThan(0);
    }
  });
});
