import * as fs from 'fs';
import * as path from 'path';
import { Document, isScalar, visit } from 'yaml';
import { EXAMPLES, Example } from './examples';
import { WebhookValidator } from '../../../src/validation/webhook';
import { RULES, WebhookRule, allRules } from '../../../src/validation/webhook/rules';

/**
 * docs/validation-webhook.md (webhook layer): the part between the `generated` markers is the rule
 * table and a bad and a fixed example per rule, rendered from the catalog and from the
 * examples the rule tests run, with the finding the bad example really produces.
 */
const DOC = path.join(__dirname, '../../../docs/validation-webhook.md');
const START = '<!-- generated:start -->';
const END = '<!-- generated:end -->';

function ruleName(rule: WebhookRule): string {
  return Object.entries(RULES).find(([, r]) => r === rule)![0];
}

function anchor(rule: WebhookRule): string {
  return `${rule.code}-${ruleName(rule)}`.toLowerCase();
}

/** Long strings would drown the example: show their length instead. */
function shorten(v: any): any {
  if (typeof v === 'string') return v.length > 100 ? `<${v.length} characters>` : v;
  if (Array.isArray(v)) return v.map(shorten);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shorten(x)]));
  return v;
}

/** YAML with small all-scalar maps and lists on one line (`{ host: reviews, subset: v1 }`), to keep the page short. */
function yaml(o: any): string {
  const doc = new Document(shorten(o));
  visit(doc, {
    Map(_, node) {
      if (node.items.length <= 4 && node.items.every(p => isScalar(p.value)) && String(node).length < 70) node.flow = true;
    },
    Seq(_, node) {
      if (node.items.every(isScalar) && String(node).length < 70) node.flow = true;
    },
  });
  return ['```yaml', doc.toString({ lineWidth: 0 }).trimEnd(), '```'].join('\n');
}

function section(rule: WebhookRule, examples: Example[]): string {
  const out = [`#### ${rule.code} ${ruleName(rule)}`, '', `${rule.level} (${rule.kinds}). ${rule.summary}`];
  if (examples.length === 0) {
    out.push('', 'No example: this finding means the layer itself failed on an object (a bug to report), not that the object is wrong.');
  }
  for (const e of examples) {
    const finding = WebhookValidator.validate(e.bad).find(f => f.code === rule.code && f.field === e.field)!;
    out.push('', 'Reported:', '', yaml(e.bad), '', `> ${finding.level} [${finding.code}] ${finding.field}: ${finding.message}`);
    if (e.fixed !== undefined) out.push('', 'Fixed:', '', yaml(e.fixed));
    if (e.docsNote) out.push('', `(Long values are shown by their length; ${e.docsNote}.)`);
  }
  return out.join('\n');
}

function render(): string {
  const rules = allRules();
  const table = [
    '### Rules',
    '',
    '| code | level | kinds | why |',
    '|---|---|---|---|',
    ...rules.map(r => `| [${r.code}](#${anchor(r)}) | ${r.level} | ${r.kinds} | ${r.summary.replace(/\|/g, '\\|')} |`),
  ].join('\n');
  const sections = rules.map(r => section(r, EXAMPLES.filter(e => RULES[e.rule] === r)));
  return [START, table, '### The rules one by one', ...sections, END].join('\n\n');
}

test('docs/validation-webhook.md holds the webhook layer\'s generated rule table and examples', () => {
  const doc = fs.readFileSync(DOC, 'utf-8');
  const before = doc.slice(0, doc.indexOf(START));
  const after = doc.slice(doc.indexOf(END) + END.length);
  expect(doc.indexOf(START)).toBeGreaterThan(0);
  const expected = before + render() + after;
  if (process.env.UPDATE_WEBHOOK_DOCS) fs.writeFileSync(DOC, expected);
  expect(doc).toBe(expected);
});
