/**
 * RE2 regular expressions (what Kubernetes uses for OpenAPI `pattern` and CEL
 * `matches()`), run as ECMAScript RegExps where the translation is exact, and by
 * @bufbuild/cel's own RE2 engine (the std `matches` overload) otherwise.
 */
import { celEnv, isCelError } from '@bufbuild/cel';

/** A compiled RE2 pattern. */
export interface Re2Matcher {
  readonly source: string;
  test(text: string): boolean;
  /** The first match (and its index), or undefined. Only for translatable patterns. */
  exec(text: string): RegExpExecArray | null;
}

let stdMatches: ((text: string, pattern: string) => boolean) | undefined;

/** RE2 `text.matches(pattern)` through @bufbuild/cel's std library (RE2JS). */
function re2Test(text: string, pattern: string): boolean {
  if (!stdMatches) {
    const group = celEnv().funcs.find('matches');
    if (!group) throw new Error('@bufbuild/cel has no matches() function');
    stdMatches = (t, p) => {
      const r = group.call(0, t, [p]);
      if (isCelError(r)) throw new Error(`invalid RE2 pattern ${JSON.stringify(p)}: ${r.message}`);
      return r === true;
    };
  }
  return stdMatches(text, pattern);
}

/**
 * Translates an RE2 pattern into an equivalent ECMAScript RegExp (with the `u` flag),
 * or returns undefined when the translation would not be exact.
 */
export function translateRe2(pattern: string): RegExp | undefined {
  let flags = 'u';
  let src = pattern;
  // leading flag groups: (?i) (?s) (?is) ... possibly after a leading ^
  const lead = /^(\^?)\(\?([ims]+)\)/.exec(src);
  if (lead) {
    for (const f of lead[2]) {
      if (f === 'i') flags += 'i';
      else if (f === 's') flags += 's';
      else return undefined; // (?m) changes ^/$ at the start only partially: keep RE2
    }
    src = lead[1] + src.slice(lead[0].length);
  }
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      const n = src[i + 1];
      if (n === undefined) return undefined;
      if (n === 's') {out += inClass ? '\\t\\n\\f\\r ' : '[\\t\\n\\f\\r ]';} else if (n === 'S') {
        if (inClass) return undefined;
        out += '[^\\t\\n\\f\\r ]';
      } else if (/[dDwWbB.\\\-^$*+?()[\]{}|/tnrfvx0-9]/.test(n)) {
        if (n >= '1' && n <= '9') return undefined; // backreferences: not RE2
        if (n === '0') return undefined; // octal
        if (n === 'v') return undefined; // RE2 \v is vertical tab only in some modes
        out += c + n;
        if (n === 'x' && src[i + 2] === '{') return undefined;
      } else {
        return undefined; // \pL, \z, \A, \Q, \C ...: let RE2 run it
      }
      i++;
      continue;
    }
    if (inClass) {
      if (c === '[') {
        if (src[i + 1] === ':') return undefined; // POSIX class
        out += '\\[';
        continue;
      }
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (src[i + 1] === '^') { out += '^'; i++; }
      if (src[i + 1] === ']') { out += '\\]'; i++; } // a leading ] is a literal in RE2
      continue;
    }
    if (c === '.') {
      out += flags.includes('s') ? '[\\s\\S]' : '[^\\n]';
      continue;
    }
    if (c === '(' && src[i + 1] === '?') {
      if (src[i + 2] !== ':') return undefined; // (?P<name>, (?i:...), lookarounds: not plain
    }
    out += c;
  }
  try {
    return new RegExp(out, flags);
  } catch {
    return undefined;
  }
}

const cache = new Map<string, Re2Matcher>();

/** Compiles (once, cached) an RE2 pattern. Throws if the pattern is invalid. */
export function compileRe2(pattern: string): Re2Matcher {
  let m = cache.get(pattern);
  if (m) return m;
  const re = translateRe2(pattern);
  if (re) {
    m = { source: pattern, test: (t: string) => re.test(t), exec: (t: string) => re.exec(t) };
  } else {
    re2Test('', pattern); // throws on an invalid pattern
    m = {
      source: pattern,
      test: (t: string) => re2Test(t, pattern),
      exec: () => {
        throw new Error(`the RE2 pattern ${JSON.stringify(pattern)} has no exact ECMAScript translation`);
      },
    };
  }
  cache.set(pattern, m);
  return m;
}
