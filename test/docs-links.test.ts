import * as fs from 'fs';
import * as path from 'path';

/**
 * Every relative link of README.md and docs/*.md points at a file that exists, and every
 * `#anchor` into a markdown page (or within one) at one of its headings, by GitHub's rules:
 * lowercase, spaces to `-`, punctuation other than `-` and `_` dropped, `-1`, `-2`... for
 * repeated headings; HTML anchors (`<a id="X">`, as jsii-docgen writes API.md) count too.
 * Links inside code blocks and inline code are not links.
 */
const ROOT = path.join(__dirname, '..');
const PAGES = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter(f => f.endsWith('.md')).map(f => `docs/${f}`)];

/** The text of a page outside fenced code blocks and inline code. */
function prose(page: string): string {
  return page.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

/** The anchors of a markdown page's headings. */
function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const page = prose(fs.readFileSync(file, 'utf-8'));
  const out = new Set<string>([...page.matchAll(/<a (?:id|name)="([^"]+)"/g)].map(m => m[1]));
  for (const m of page.matchAll(/^#{1,6} +(.*?) *#*$/gm)) {
    // links in headings count by their text
    const base = slug(m[1].replace(/\[([^\]]*)\]\([^)]*\)/g, '$1'));
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

function links(page: string): string[] {
  return [...prose(fs.readFileSync(path.join(ROOT, page), 'utf-8')).matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)]
    .map(m => m[1])
    .filter(target => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

test('the pages have relative links to check', () => {
  expect(PAGES).toEqual(expect.arrayContaining(['README.md', 'docs/validation.md', 'docs/validation-codes.md']));
  expect(links('docs/validation-codes.md').length).toBeGreaterThan(200);
});

describe.each(PAGES)('%s', page => {
  test('every relative link points at an existing file, and every #anchor at a heading of it', () => {
    const broken: string[] = [];
    for (const target of links(page)) {
      const [file, anchor] = target.split('#');
      const resolved = file === '' ? path.join(ROOT, page) : path.resolve(path.dirname(path.join(ROOT, page)), decodeURIComponent(file));
      if (!fs.existsSync(resolved)) {
        broken.push(`${target}: no such file`);
      } else if (anchor !== undefined && resolved.endsWith('.md') && !anchors(resolved).has(decodeURIComponent(anchor))) {
        broken.push(`${target}: no heading with anchor #${anchor} in ${path.relative(ROOT, resolved)}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
