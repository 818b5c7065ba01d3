import * as fs from 'fs';
import * as path from 'path';

/**
 * What the docs tests share: the README and the guides show TypeScript that stands
 * verbatim in an example app (which CI compiles, synthesizes and validates) and YAML that
 * stands verbatim in the example's synthesized output.
 */
export const ROOT = path.join(__dirname, '..');

/** The fenced code blocks of a language in a markdown text (`trim`: both ends, else the end only). */
export function codeBlocks(markdown: string, lang: string, trim: 'both' | 'end' = 'both'): string[] {
  return [...markdown.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))]
    .map(m => (trim === 'both' ? m[1].trim() : m[1].trimEnd()));
}

/** A file of the repository, as text. */
export function readRepoFile(relative: string): string {
  return fs.readFileSync(path.join(ROOT, relative), 'utf8');
}

/** The main.ts of an example app (`examples/<name>`). */
export function exampleSource(name: string): string {
  return readRepoFile(path.join('examples', name, 'main.ts'));
}

/** Every example app's name (a folder of examples/ with a main.ts). */
export function exampleNames(): string[] {
  return fs.readdirSync(path.join(ROOT, 'examples')).filter(d => fs.existsSync(path.join(ROOT, 'examples', d, 'main.ts'))).sort();
}

/**
 * The YAML an example wrote, every `.yaml` file under its `dist/` (and any other folders
 * given, e.g. `helm`), sorted, joined by `---` lines.
 */
export function exampleOutput(name: string, folders: string[] = ['dist']): string {
  return folders
    .flatMap(folder => yamlFilesUnder(path.join(ROOT, 'examples', name, folder)))
    .map(f => fs.readFileSync(f, 'utf8'))
    .join('\n---\n');
}

function yamlFilesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap(e => (e.isDirectory() ? yamlFilesUnder(path.join(dir, e.name)) : e.name.endsWith('.yaml') ? [path.join(dir, e.name)] : []));
}
