import { AnalyzerOptions, CrossResourceAnalyzer } from '../../../src/validation/analyzer';
import { Finding } from '../../../src/validation/findings';

/** Plain manifest objects for the analyzer tests. Every builder takes a namespace (default `default` left unwritten). */

const meta = (name: string, ns?: string, extra: Record<string, any> = {}) => ({ name, ...(ns ? { namespace: ns } : {}), ...extra });

export interface ServiceOptions {
  readonly ns?: string;
  readonly selector?: Record<string, string>;
  readonly ports?: any[];
  readonly type?: string;
  readonly annotations?: Record<string, string>;
}

export function service(name: string, opts: ServiceOptions = {}): any {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(name, opts.ns, opts.annotations ? { annotations: opts.annotations } : {}),
    spec: {
      ...(opts.type ? { type: opts.type } : {}),
      selector: opts.selector ?? { app: name },
      ports: opts.ports ?? [{ name: 'http', port: 9080, targetPort: 9080 }],
    },
  };
}

export function deployment(
  name: string, labels: Record<string, string>, opts: { ns?: string; podSpec?: any; annotations?: Record<string, string> } = {},
): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(name, opts.ns),
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels, ...(opts.annotations ? { annotations: opts.annotations } : {}) },
        spec: opts.podSpec ?? { containers: [{ name: 'app', image: `example/${name}` }] },
      },
    },
  };
}

export function istio(kind: string, name: string, spec: any, ns?: string, extraMeta: Record<string, any> = {}): any {
  const group = ['AuthorizationPolicy', 'PeerAuthentication', 'RequestAuthentication'].includes(kind) ? 'security.istio.io/v1'
    : kind === 'Telemetry' ? 'telemetry.istio.io/v1'
      : kind === 'WasmPlugin' ? 'extensions.istio.io/v1alpha1'
        : 'networking.istio.io/v1';
  return { apiVersion: group, kind, metadata: meta(name, ns, extraMeta), spec };
}

export function namespace(name: string, labels?: Record<string, string>): any {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(labels ? { labels } : {}) } };
}

/** A Service and its Deployment, the usual pair. */
export function app(name: string, opts: { ns?: string; version?: string; ports?: any[] } = {}): any[] {
  const labels = { app: name, version: opts.version ?? 'v1' };
  return [service(name, { ns: opts.ns, ports: opts.ports }), deployment(`${name}-${labels.version}`, labels, { ns: opts.ns })];
}

export function analyze(objects: any[], options: AnalyzerOptions = {}): Finding[] {
  return CrossResourceAnalyzer.analyze(objects.map(object => ({ object })), options);
}

/** The findings of one code. */
export function findings(objects: any[], code: string, options: AnalyzerOptions = {}): Finding[] {
  return analyze(objects, options).filter(f => f.code === code);
}

/** The one finding of a code (fails if there is not exactly one). */
export function single(objects: any[], code: string, options: AnalyzerOptions = {}): Finding {
  const found = findings(objects, code, options);
  if (found.length !== 1) throw new Error(`expected one ${code}, got ${found.length}: ${JSON.stringify(analyze(objects, options), undefined, 2)}`);
  return found[0];
}
