import { IConstruct } from 'constructs';
import { throwPropError } from '../core/errors';
import { isHttpToken } from '../core/names';
import { StringMatch } from '../core/string-match';
import { HttpMatchRequest } from '../networking/vs-match';

/** RFC 6265 cookie-octet: printable US-ASCII except `"`, `,`, `;` and `\`. */
const COOKIE_VALUE = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]+$/;

/**
 * Which requests a CanaryRelease sends to the canary whatever the weights (A/B
 * routing): one of a header match, a cookie, or a full HTTP match.
 *
 * @example
 * CanaryMatch.header('end-user', StringMatch.exact('jason'))
 * CanaryMatch.cookie('user', 'jason')
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMatchRequest
 */
export class CanaryMatch {
  /**
   * Requests whose header matches.
   * @param name the header name, lowercase (e.g. `end-user`)
   * @param match how the value is compared
   */
  public static header(name: string, match: StringMatch): CanaryMatch {
    return new CanaryMatch({ kind: 'header', name, match });
  }

  /**
   * Requests that carry the cookie `name=value`, wherever it sits in the `Cookie`
   * header. Rendered as a regex on the `cookie` header,
   * `^(.*?;\s*)?(name=value)(;.*)?$`, with the name and value quoted; unlike the
   * `^(.*?;)?(user=jason)(;.*)?$` of Istio's docs it also matches after the
   * `"; "` separator that browsers write.
   *
   * @param name the cookie name (an RFC 6265 token)
   * @param value the cookie value (RFC 6265 cookie octets: no space, `"`, `,`, `;` or `\`)
   */
  public static cookie(name: string, value: string): CanaryMatch {
    return new CanaryMatch({ kind: 'cookie', name, value });
  }

  /**
   * Requests that meet a full HTTP match (uri, headers, query parameters, source
   * labels...).
   */
  public static request(match: HttpMatchRequest): CanaryMatch {
    return new CanaryMatch({ kind: 'request', request: match });
  }

  private constructor(private readonly spec: MatchSpec) {}

  /**
   * The match as the VirtualService takes it; checks the cookie name and value.
   * @internal
   */
  public _toHttpMatch(scope: IConstruct, prop: string): HttpMatchRequest {
    const spec = this.spec;
    switch (spec.kind) {
      case 'header':
        return { headers: { [spec.name]: spec.match } };
      case 'cookie':
        if (typeof spec.name !== 'string' || !isHttpToken(spec.name)) {
          throwPropError(scope, `${prop}.cookie name`, spec.name, 'a cookie name is an RFC 6265 token (letters, digits and !#$%&\'*+-.^_`|~)');
        }
        if (typeof spec.value !== 'string' || !COOKIE_VALUE.test(spec.value)) {
          throwPropError(scope, `${prop}.cookie value`, spec.value, 'a cookie value is one or more RFC 6265 cookie octets: printable ASCII without space, ", comma, ; or \\');
        }
        return { headers: { cookie: StringMatch.regex(`^(.*?;\\s*)?(${quoteRe2(spec.name)}=${quoteRe2(spec.value)})(;.*)?$`) } };
      default:
        return spec.request;
    }
  }

  /** The match, for messages. */
  public toString(): string {
    const spec = this.spec;
    switch (spec.kind) {
      case 'header': return `header ${spec.name} ${spec.match}`;
      case 'cookie': return `cookie ${spec.name}=${spec.value}`;
      default: return 'request match';
    }
  }
}

type MatchSpec =
  | { readonly kind: 'header'; readonly name: string; readonly match: StringMatch }
  | { readonly kind: 'cookie'; readonly name: string; readonly value: string }
  | { readonly kind: 'request'; readonly request: HttpMatchRequest };

/** Escapes the RE2 metacharacters of a literal. */
function quoteRe2(literal: string): string {
  return literal.replace(/[\\^$.*+?()[\]{}|]/g, c => `\\${c}`);
}
