/**
 * Internal checks of AuthorizationPolicy match values: methods, paths and
 * condition keys and values, after Istio's webhook (pkg/config/security).
 *
 * Not part of the public (jsii) API: this module is not exported from the index.
 */
import { ipBlockProblem, matchStringProblem, serviceAccountProblem } from './authz-checks';

const MATCH_ONE = '{*}';
const MATCH_ANY = '{**}';
/** RFC 3986 pchar, without the "*" of Istio's wildcards: what a literal path template segment may hold. */
const PATH_LITERAL = /^[a-zA-Z0-9\-._~%!$&'()+,;:@=]+$/;

/** Returns why `value` is not an upper-case HTTP method (with Istio's `*` wildcards), or undefined. */
export function methodProblem(value: string): string | undefined {
  const match = matchStringProblem(value);
  if (match) return match;
  const bare = value.replace(/^\*|\*$/g, '');
  if (value === '*' || /^[A-Z][A-Z0-9_-]*$/.test(bare)) return undefined;
  if (bare.toUpperCase() !== bare && /^[A-Za-z][A-Za-z0-9_-]*$/.test(bare)) {
    return `HTTP methods are matched case-sensitively and are upper case: write ${JSON.stringify(value.toUpperCase())}`;
  }
  return 'must be an upper-case HTTP method, e.g. "GET", "POST" (gRPC is always "POST")';
}

/**
 * Returns why `value` is not a path Istio can match, or undefined: `/exact`, a
 * prefix (`/api/*`), a suffix (`*.png`), `*`, or a template with `{*}` (one segment)
 * and a final `{**}` (any rest), e.g. `/users/{*}/info`.
 */
export function pathProblem(value: string): string | undefined {
  if (value.length === 0) return 'must not be empty';
  if (/\s/.test(value)) return 'must not contain whitespace';
  const isTemplate = value.includes(MATCH_ONE) || value.includes(MATCH_ANY);
  if (isTemplate) {
    if (!value.startsWith('/')) return 'a path template starts with "/"';
    let seenAny = false;
    for (const segment of value.replace(/^\/+|\/+$/g, '').split('/')) {
      if (segment === MATCH_ONE || segment === MATCH_ANY) {
        if (seenAny) return '"{**}" must be the last operator of a path template';
        seenAny = segment === MATCH_ANY;
        continue;
      }
      if (/[{}]/.test(segment)) return 'a path template supports only whole segments "{*}" and "{**}" (no named variables, no "{" or "}" elsewhere)';
      if (!PATH_LITERAL.test(segment)) {
        return `the segment ${JSON.stringify(segment)} of a path template must be literal text (letters, digits and -._~%!$&'()+,;:@=; no "*" or empty segment)`;
      }
    }
    return undefined;
  }
  if (/[{}]/.test(value)) return 'Istio rejects "{" and "}" outside the path templates "{*}" and "{**}"';
  if (value !== '*' && !value.startsWith('/') && !value.startsWith('*')) {
    return 'a path starts with "/" (or "*" for a suffix match); a path without it never matches';
  }
  const match = matchStringProblem(value);
  if (match) return `${match}; for a wildcard segment use a path template, e.g. "/users/{*}/info"`;
  return undefined;
}

const EXACT_KEYS = new Set([
  'source.ip',
  'remote.ip',
  'source.namespace',
  'source.serviceAccount',
  'source.principal',
  'request.auth.principal',
  'request.auth.audiences',
  'request.auth.presenter',
  'destination.ip',
  'destination.port',
  'connection.sni',
]);

const SUPPORTED_KEYS = 'request.headers[NAME], source.ip, remote.ip, source.namespace, source.serviceAccount, source.principal, '
  + 'request.auth.principal, request.auth.audiences, request.auth.presenter, request.auth.claims[NAME], '
  + 'destination.ip, destination.port, connection.sni, experimental.envoy.filters.*[...]';

/** Returns why `key` is not a condition key Istio supports, or undefined. */
export function conditionKeyProblem(key: string): string | undefined {
  if (EXACT_KEYS.has(key)) return undefined;
  if (/^request\.headers\[[^\[\]]+\]$/.test(key)) return undefined;
  if (/^request\.experimental\.inline\.headers\[[^\[\]]+\]$/.test(key)) return undefined;
  if (/^request\.auth\.claims(\[[^\[\]]+\])+$/.test(key)) return undefined;
  if (/^experimental\.envoy\.filters\.[^\[\]]+(\[[^\[\]]+\])+$/.test(key)) return undefined;
  if (key === 'destination.namespace') return 'destination.namespace is replaced by the policy\'s metadata.namespace';
  if (key.startsWith('destination.labels')) return 'destination.labels is replaced by the policy\'s selector';
  if (key === 'destination.name' || key === 'destination.user') return `${key} was only supported by the removed v1alpha1 API`;
  if (/^(request\.headers|request\.auth\.claims|request\.experimental\.inline\.headers)/.test(key)) {
    return 'the name goes in square brackets, e.g. "request.headers[x-user]" or "request.auth.claims[groups]"';
  }
  return `unknown attribute; Istio supports ${SUPPORTED_KEYS}`;
}

/** Returns why `value` does not suit the condition `key`, or undefined. */
export function conditionValueProblem(key: string, value: string): string | undefined {
  if (value.length === 0) return 'must not be empty';
  switch (key) {
    case 'source.ip':
    case 'remote.ip':
    case 'destination.ip':
      return ipBlockProblem(value);
    case 'destination.port':
      return /^\d{1,5}$/.test(value) && Number(value) >= 1 && Number(value) <= 65535 ? undefined : 'a port is a number from 1 to 65535, as a string';
    case 'source.serviceAccount':
      return serviceAccountProblem(value);
    default:
      return undefined;
  }
}
