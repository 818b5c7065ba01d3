/**
 * CEL expressions of Telemetry resources (access log filters, metric tag values),
 * parsed with @bufbuild/cel, which is loaded on first use: importing the library must
 * not pay for it. Internal: not part of the public (jsii) API.
 */
let cel: typeof import('@bufbuild/cel') | undefined;

/** Why `expression` is not a CEL expression (the parser's message), or undefined if it parses. */
export function celSyntaxProblem(expression: string): string | undefined {
  if (typeof expression !== 'string' || expression.trim().length === 0) return 'an expression must not be empty';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  cel ??= require('@bufbuild/cel') as typeof import('@bufbuild/cel');
  try {
    cel.parse(expression);
    return undefined;
  } catch (e) {
    return String((e as Error).message ?? e).split('\n')[0].replace(/^<input>:/, 'at ');
  }
}
