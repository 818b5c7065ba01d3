import { IConstruct } from 'constructs';
import { throwPropError } from './errors';

/**
 * How a `StringMatch` compares, spelled as Istio spells the field.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#StringMatch
 */
export enum StringMatchType {
  /** The whole value must be equal. */
  EXACT = 'exact',
  /** The value must start with the given string. */
  PREFIX = 'prefix',
  /** The value must match an RE2 regular expression (the whole value). */
  REGEX = 'regex',
}

/** The longest regular expression Istio accepts (it approximates Envoy's RE2 program size limit by length). */
const MAX_REGEX_LENGTH = 1024;

/**
 * Istio's `StringMatch`: exactly one of `exact`, `prefix` or `regex`.
 *
 * Used for URI, scheme, method, authority, header and query parameter matches and
 * for CORS origins. The value is checked when a construct uses it, so that the
 * message names the construct and the field: a prefix must not be empty, and a
 * regex must be a valid RE2 expression of at most 1024 characters.
 *
 * @example
 * StringMatch.prefix('/api/')
 * StringMatch.regex('^/reviews/[0-9]+$')
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#StringMatch
 */
export class StringMatch {
  /** Matches the whole value. */
  public static exact(value: string): StringMatch {
    return new StringMatch(StringMatchType.EXACT, value);
  }

  /** Matches values that start with `value` (which must not be empty). */
  public static prefix(value: string): StringMatch {
    return new StringMatch(StringMatchType.PREFIX, value);
  }

  /**
   * Matches values against an RE2 regular expression
   * (https://github.com/google/re2/wiki/Syntax), at most 1024 characters long.
   */
  public static regex(value: string): StringMatch {
    return new StringMatch(StringMatchType.REGEX, value);
  }

  /**
   * Checks an RE2 regular expression used in field `prop` of `scope`: not empty,
   * at most 1024 characters, and valid syntax.
   * @internal
   */
  public static _checkRegex(scope: IConstruct, prop: string, regex: string): void {
    if (typeof regex !== 'string' || regex.length === 0) {
      throwPropError(scope, prop, regex, 'a regex must not be empty');
    }
    if (regex.length > MAX_REGEX_LENGTH) {
      throwPropError(scope, prop, regex, `a regex is at most ${MAX_REGEX_LENGTH} characters long (got ${regex.length})`);
    }
    const problem = re2Problem(regex);
    if (problem) {
      throwPropError(scope, prop, regex, `not a valid RE2 regular expression (${problem})`);
    }
  }

  private constructor(
    /** How the value is compared. */
    public readonly matchType: StringMatchType,
    /** The string (or regular expression) to compare with. */
    public readonly value: string,
  ) {}

  /**
   * Checks the match for field `prop` of `scope` and renders it as Istio's
   * `StringMatch` object.
   * @internal
   */
  public _render(scope: IConstruct, prop: string): { exact?: string; prefix?: string; regex?: string } {
    switch (this.matchType) {
      case StringMatchType.EXACT:
        return { exact: this.value };
      case StringMatchType.PREFIX:
        if (!this.value) {
          throwPropError(scope, `${prop}.prefix`, this.value, 'a prefix match must not be empty (leave the match out to match everything)');
        }
        return { prefix: this.value };
      case StringMatchType.REGEX:
        StringMatch._checkRegex(scope, `${prop}.regex`, this.value);
        return { regex: this.value };
      default:
        throwPropError(scope, prop, this.matchType, 'one of exact, prefix, regex');
    }
  }

  /** `exact:"value"`, `prefix:"value"` or `regex:"value"`. */
  public toString(): string {
    return `${this.matchType}:${JSON.stringify(this.value)}`;
  }
}

/**
 * Why a regular expression is not valid RE2, or undefined. RE2 is checked with the
 * JavaScript engine after rejecting what RE2 lacks (lookaround, backreferences)
 * and translating what JavaScript lacks (`(?P<name>`, inline flags, `\A`, `\z`,
 * `\Q...\E`). What both accept but mean differently is rare enough to ignore.
 */
function re2Problem(regex: string): string | undefined {
  let translated = '';
  let inClass = false;
  for (let i = 0; i < regex.length; i++) {
    const c = regex[i];
    if (c === '\\') {
      const next = regex[i + 1];
      if (next === undefined) return 'trailing backslash';
      if (!inClass && /[1-9]/.test(next)) return 'backreferences are not supported by RE2';
      if (!inClass && next === 'k' && regex[i + 2] === '<') return 'backreferences are not supported by RE2';
      if (!inClass && next === 'A') {
        translated += '^';
      } else if (!inClass && next === 'z') {
        translated += '$';
      } else if (next === 'Q') {
        const end = regex.indexOf('\\E', i + 2);
        const literal = regex.slice(i + 2, end === -1 ? undefined : end);
        translated += literal.replace(/[\\^$.*+?()[\]{}|/-]/g, m => `\\${m}`);
        i = end === -1 ? regex.length : end + 1;
        continue;
      } else {
        translated += c + next;
      }
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      translated += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      translated += c;
      // a leading `]` (or `^]`) is a literal in RE2
      if (regex[i + 1] === '^') {
        translated += '^';
        i++;
      }
      if (regex[i + 1] === ']') {
        translated += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && regex[i + 1] === '?') {
      const rest = regex.slice(i + 2);
      if (/^(=|!|<=|<!)/.test(rest)) return 'lookahead and lookbehind are not supported by RE2';
      if (rest.startsWith('P<')) {
        translated += '(?<';
        i += 3;
        continue;
      }
      const flags = /^([imsU]*(-[imsU]*)?)(\)|:)/.exec(rest);
      if (flags && flags[1].length > 0) {
        // inline flags: drop them (only their syntax is checked here)
        if (flags[3] === ':') translated += '(?:';
        i += 1 + flags[0].length;
        continue;
      }
    }
    translated += c;
  }
  if (inClass) return 'missing closing ]';
  try {
    new RegExp(translated);
    return undefined;
  } catch (e) {
    const message = (e as Error).message;
    const colon = message.lastIndexOf(': ');
    return colon === -1 ? message : message.slice(colon + 2);
  }
}
