/**
 * A syntax check of RE2 regular expressions as Go's `regexp.Compile` parses them
 * (Perl flags), which is what Istio runs on every regex before Envoy sees it.
 *
 * Returns undefined when the pattern is valid RE2, or a message naming the first
 * problem: lookarounds, backreferences, atomic groups, possessive or stacked
 * quantifiers, bad escapes, unbalanced groups or classes, repeat counts > 1000.
 */
export function checkRe2(re: string): string | undefined {
  return new Re2Checker(re).run();
}

const MAX_REPEAT = 1000;
const HEX = /^[0-9A-Fa-f]$/;
const GROUP_NAME = /^[A-Za-z0-9_]+$/;
/** Unicode general categories and scripts RE2 knows (`\pL`, `\p{Greek}`). */
const UNICODE_CLASSES = new Set(('Any C Cc Cf Cn Co Cs L LC Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs ' +
  'Adlam Ahom Anatolian_Hieroglyphs Arabic Armenian Avestan Balinese Bamum Bassa_Vah Batak Bengali Bhaiksuki ' +
  'Bopomofo Brahmi Braille Buginese Buhid Canadian_Aboriginal Carian Caucasian_Albanian Chakma Cham Cherokee ' +
  'Chorasmian Common Coptic Cuneiform Cypriot Cypro_Minoan Cyrillic Deseret Devanagari Dives_Akuru Dogra Duployan ' +
  'Egyptian_Hieroglyphs Elbasan Elymaic Ethiopic Georgian Glagolitic Gothic Grantha Greek Gujarati Gunjala_Gondi ' +
  'Gurmukhi Han Hangul Hanifi_Rohingya Hanunoo Hatran Hebrew Hiragana Imperial_Aramaic Inherited ' +
  'Inscriptional_Pahlavi Inscriptional_Parthian Javanese Kaithi Kannada Katakana Kawi Kayah_Li Kharoshthi ' +
  'Khitan_Small_Script Khmer Khojki Khudawadi Lao Latin Lepcha Limbu Linear_A Linear_B Lisu Lycian Lydian ' +
  'Mahajani Makasar Malayalam Mandaic Manichaean Marchen Masaram_Gondi Medefaidrin Meetei_Mayek Mende_Kikakui ' +
  'Meroitic_Cursive Meroitic_Hieroglyphs Miao Modi Mongolian Mro Multani Myanmar Nabataean Nag_Mundari ' +
  'Nandinagari New_Tai_Lue Newa Nko Nushu Nyiakeng_Puachue_Hmong Ogham Ol_Chiki Old_Hungarian Old_Italic ' +
  'Old_North_Arabian Old_Permic Old_Persian Old_Sogdian Old_South_Arabian Old_Turkic Old_Uyghur Oriya Osage ' +
  'Osmanya Pahawh_Hmong Palmyrene Pau_Cin_Hau Phags_Pa Phoenician Psalter_Pahlavi Rejang Runic Samaritan ' +
  'Saurashtra Sharada Shavian Siddham SignWriting Sinhala Sogdian Sora_Sompeng Soyombo Sundanese Syloti_Nagri ' +
  'Syriac Tagalog Tagbanwa Tai_Le Tai_Tham Tai_Viet Takri Tamil Tangsa Tangut Telugu Thaana Thai Tibetan Tifinagh ' +
  'Tirhuta Toto Ugaritic Unknown Vai Vithkuqi Wancho Warang_Citi Yezidi Yi Zanabazar_Square Garay Gurung_Khema ' +
  'Kirat_Rai Ol_Onal Sunuwar Todhri Tulu_Tigalari').split(' '));
const POSIX_CLASSES = new Set(['alnum', 'alpha', 'ascii', 'blank', 'cntrl', 'digit', 'graph', 'lower', 'print', 'punct', 'space', 'upper', 'word', 'xdigit']);
const PERL_CLASS_LETTERS = new Set(['d', 'D', 's', 'S', 'w', 'W']);
const CHAR_ESCAPES: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };

class Re2Checker {
  private i = 0;
  private depth = 0;
  private readonly names = new Set<string>();
  /** The previous item can take a repetition operator. */
  private canRepeat = false;
  /** The previous item was a repetition operator. */
  private afterRepeat = false;

  constructor(private readonly re: string) {}

  public run(): string | undefined {
    const re = this.re;
    while (this.i < re.length) {
      const c = re[this.i];
      let err: string | undefined;
      switch (c) {
        case '(': err = this.openGroup(); break;
        case ')':
          if (this.depth === 0) return `unexpected ) at offset ${this.i}`;
          this.depth--;
          this.i++;
          this.atom();
          break;
        case '|':
          this.i++;
          this.canRepeat = false;
          this.afterRepeat = false;
          break;
        case '*': case '+': case '?':
          err = this.repeat(this.i + 1);
          break;
        case '{': {
          const end = this.repeatBraces();
          if (end === undefined) {
            this.i++;
            this.atom(); // a literal {
          } else if (typeof end === 'string') {
            err = end;
          } else {
            err = this.repeat(end);
          }
          break;
        }
        case '[': err = this.charClass(); break;
        case '\\': err = this.escape(); break;
        default:
          this.i += codePointLength(re, this.i);
          this.atom();
      }
      if (err !== undefined) return err;
    }
    if (this.depth > 0) return 'missing closing )';
    return undefined;
  }

  private atom(): void {
    this.canRepeat = true;
    this.afterRepeat = false;
  }

  /** A repetition operator spanning [i, end); end is past the operator. */
  private repeat(end: number): string | undefined {
    const op = this.re.slice(this.i, end);
    if (this.afterRepeat) return `invalid nested repetition operator ${quote(op)} at offset ${this.i} (RE2 has no possessive or stacked quantifiers)`;
    if (!this.canRepeat) return `missing argument to repetition operator ${quote(op)} at offset ${this.i}`;
    this.i = end;
    if (this.re[this.i] === '?') this.i++; // non-greedy
    this.afterRepeat = true;
    return undefined;
  }

  /**
   * At a `{`: the end offset of a `{n}`, `{n,}` or `{n,m}` repeat, an error
   * message for a count out of range, or undefined when the brace is a literal.
   */
  private repeatBraces(): number | string | undefined {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(this.re.slice(this.i, this.i + 24));
    if (!m) return undefined;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : m[3] === '' ? -1 : Number(m[3]);
    if (lo > MAX_REPEAT || hi > MAX_REPEAT || (hi >= 0 && hi < lo)) {
      return `invalid repeat count ${quote(m[0])} (counts are at most ${MAX_REPEAT}, min <= max)`;
    }
    return this.i + m[0].length;
  }

  private openGroup(): string | undefined {
    const re = this.re;
    const start = this.i;
    if (re[start + 1] !== '?') {
      this.i++;
      this.depth++;
      this.canRepeat = false;
      this.afterRepeat = false;
      return undefined;
    }
    const rest = re.slice(start + 2, start + 4);
    if (rest.startsWith('=')) return `lookahead ${quote('(?=')} at offset ${start} is not supported by RE2`;
    if (rest.startsWith('!')) return `negative lookahead ${quote('(?!')} at offset ${start} is not supported by RE2`;
    if (rest === '<=') return `lookbehind ${quote('(?<=')} at offset ${start} is not supported by RE2`;
    if (rest === '<!') return `negative lookbehind ${quote('(?<!')} at offset ${start} is not supported by RE2`;
    if (rest.startsWith('>')) return `atomic group ${quote('(?>')} at offset ${start} is not supported by RE2`;
    if (rest.startsWith('#')) return `comment group ${quote('(?#')} at offset ${start} is not supported by RE2`;
    if (rest.startsWith('(')) return `conditional ${quote('(?(')} at offset ${start} is not supported by RE2`;
    if (rest.startsWith('|')) return `branch reset ${quote('(?|')} at offset ${start} is not supported by RE2`;
    if (rest.startsWith('P=')) return `backreference ${quote('(?P=')} at offset ${start} is not supported by RE2`;
    if (rest.startsWith('P>') || rest.startsWith('&') || /^[R0-9+-][0-9)]/.test(rest) || rest === 'R)') {
      return `recursion at offset ${start} is not supported by RE2`;
    }
    // named group: (?P<name>...) or (?<name>...)
    const nameStart = rest.startsWith('P<') ? start + 4 : rest.startsWith('<') ? start + 3 : -1;
    if (nameStart >= 0) {
      const end = re.indexOf('>', nameStart);
      if (end < 0) return `invalid named capture at offset ${start}`;
      const name = re.slice(nameStart, end);
      if (!GROUP_NAME.test(name)) return `invalid named capture ${quote(re.slice(start, end + 1))}`;
      if (this.names.has(name)) return `duplicate capture group name ${quote(name)}`;
      this.names.add(name);
      this.i = end + 1;
      this.depth++;
      this.canRepeat = false;
      this.afterRepeat = false;
      return undefined;
    }
    // flags: (?flags) or (?flags:...)
    let j = start + 2;
    let negated = false;
    let sawFlag = false;
    for (; j < re.length; j++) {
      const c = re[j];
      if (c === 'i' || c === 'm' || c === 's' || c === 'U') {
        sawFlag = true;
      } else if (c === '-' && !negated) {
        negated = true;
        sawFlag = false;
      } else if (c === ':' || c === ')') {
        if (negated && !sawFlag) break;
        this.i = j + 1;
        this.afterRepeat = false; // `a*(?i)+` repeats the a* again, as in Go
        if (c === ':') {
          this.depth++;
          this.canRepeat = false;
        }
        return undefined;
      } else {
        break;
      }
    }
    const end = Math.min(re.length, j + 1);
    return `invalid or unsupported Perl syntax ${quote(re.slice(start, end))} at offset ${start}`;
  }

  private escape(): string | undefined {
    const re = this.re;
    const start = this.i;
    const c = re[start + 1];
    if (c === undefined) return 'trailing backslash at end of expression';
    if (c === 'Q') {
      const end = re.indexOf('\\E', start + 2);
      const literal = end < 0 ? re.slice(start + 2) : re.slice(start + 2, end);
      this.i = end < 0 ? re.length : end + 2;
      if (literal.length > 0) this.atom();
      return undefined;
    }
    if (c === 'A' || c === 'z' || c === 'b' || c === 'B') {
      this.i = start + 2;
      this.atom();
      return undefined;
    }
    const perl = this.classEscape(start);
    if (typeof perl === 'string') return perl;
    this.i = perl.end;
    this.atom();
    return undefined;
  }

  /**
   * An escape that may also appear in a class (Perl class, Unicode class or a
   * character). Returns its end and, for a single character, its code point.
   */
  private classEscape(start: number): { end: number; char?: number } | string {
    const re = this.re;
    const c = re[start + 1];
    if (c === undefined) return 'trailing backslash at end of expression';
    if (PERL_CLASS_LETTERS.has(c)) return { end: start + 2 };
    if (c === 'p' || c === 'P') {
      if (re[start + 2] === '{') {
        const end = re.indexOf('}', start + 3);
        const name = end < 0 ? '' : re.slice(start + 3, end).replace(/^\^/, '');
        if (end < 0 || !UNICODE_CLASSES.has(name)) return `invalid Unicode class ${quote(re.slice(start, end < 0 ? start + 3 : end + 1))}`;
        return { end: end + 1 };
      }
      if (UNICODE_CLASSES.has(re[start + 2] ?? '')) return { end: start + 3 };
      return `invalid Unicode class ${quote(re.slice(start, start + 3))}`;
    }
    if (c in CHAR_ESCAPES) return { end: start + 2, char: CHAR_ESCAPES[c] };
    if (c >= '1' && c <= '9') {
      // \1..\7 followed by an octal digit is an octal escape; otherwise a backreference
      const next = re[start + 2];
      if (c <= '7' && next !== undefined && next >= '0' && next <= '7') return this.octal(start);
      return `backreference ${quote(`\\${c}`)} at offset ${start} is not supported by RE2`;
    }
    if (c === '0') return this.octal(start);
    if (c === 'x') {
      if (re[start + 2] === '{') {
        const end = re.indexOf('}', start + 3);
        const hex = end < 0 ? '' : re.slice(start + 3, end);
        if (hex === '' || ![...hex].every(h => HEX.test(h)) || parseInt(hex, 16) > 0x10ffff) {
          return `invalid escape sequence ${quote(re.slice(start, end < 0 ? start + 3 : end + 1))}`;
        }
        return { end: end + 1, char: parseInt(hex, 16) };
      }
      const hex = re.slice(start + 2, start + 4);
      if (hex.length !== 2 || !HEX.test(hex[0]) || !HEX.test(hex[1])) return `invalid escape sequence ${quote(re.slice(start, start + 4))}`;
      return { end: start + 4, char: parseInt(hex, 16) };
    }
    const code = c.charCodeAt(0);
    if (code < 0x80 && !/[A-Za-z0-9]/.test(c)) return { end: start + 2, char: code }; // escaped punctuation
    const hint = c === 'k' || c === 'g' ? ' (backreferences are not supported by RE2)'
      : c === 'Z' ? ' (use \\z)'
        : c === 'G' || c === 'K' || c === 'R' || c === 'X' || c === 'h' || c === 'e' || c === 'c' || c === 'u' || c === 'C' ? ' (not supported by RE2)' : '';
    return `invalid escape sequence ${quote(`\\${c}`)} at offset ${start}${hint}`;
  }

  private octal(start: number): { end: number; char: number } {
    let j = start + 1;
    const digitsStart = j;
    while (j < this.re.length && j - digitsStart < 3 && this.re[j] >= '0' && this.re[j] <= '7') j++;
    return { end: j, char: parseInt(this.re.slice(digitsStart, j), 8) };
  }

  private charClass(): string | undefined {
    const re = this.re;
    const start = this.i;
    let j = start + 1;
    if (re[j] === '^') j++;
    let first = true;
    while (true) {
      if (j >= re.length) return `missing closing ] for the class at offset ${start}`;
      const c = re[j];
      if (c === ']' && !first) break;
      first = false;
      // POSIX class [:name:]
      if (c === '[' && re[j + 1] === ':') {
        const end = re.indexOf(':]', j + 2);
        if (end >= 0) {
          const name = re.slice(j + 2, end).replace(/^\^/, '');
          if (!POSIX_CLASSES.has(name)) return `invalid character class range ${quote(re.slice(j, end + 2))}`;
          j = end + 2;
          continue;
        }
      }
      const lo = this.classChar(j);
      if (typeof lo === 'string') return lo;
      j = lo.end;
      // range lo-hi (after a class such as \d, a '-' is a literal)
      if (lo.char !== undefined && re[j] === '-' && re[j + 1] !== undefined && re[j + 1] !== ']') {
        const hi = this.classChar(j + 1);
        if (typeof hi === 'string') return hi;
        if (hi.char === undefined || hi.char < lo.char) return `invalid character class range ${quote(re.slice(lo.start, hi.end))}`;
        j = hi.end;
      }
    }
    this.i = j + 1;
    this.atom();
    return undefined;
  }

  private classChar(j: number): { start: number; end: number; char?: number } | string {
    const re = this.re;
    if (re[j] === '\\') {
      const c = re[j + 1];
      if (c === 'b' || c === 'B' || c === 'A' || c === 'z' || c === 'Q') return `invalid escape sequence ${quote(`\\${c}`)} in a character class`;
      const e = this.classEscape(j);
      if (typeof e === 'string') return e;
      return { start: j, end: e.end, char: e.char };
    }
    const cp = re.codePointAt(j)!;
    return { start: j, end: j + (cp > 0xffff ? 2 : 1), char: cp };
  }
}

function codePointLength(s: string, i: number): number {
  const cp = s.codePointAt(i)!;
  return cp > 0xffff ? 2 : 1;
}

function quote(s: string): string {
  return `\`${s}\``;
}
