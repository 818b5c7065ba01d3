import { App, Chart, Duration, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { findObject, synthValid } from './util';
import { AccessLogEncoding, ExtAuthzProvider, ExtensionProvider, MeshConfig, OutboundTrafficPolicyMode } from '../src';
import { IstioValidation } from '../src/validation/app';

function chart(app: App = Testing.app()): Chart {
  return new Chart(app, 'mesh');
}

function meshOf(c: Chart, name = 'istio'): any {
  return parse(findObject(synthValid(c), 'ConfigMap', name).data.mesh);
}

/**
 * The MeshConfig fields the construct writes, with their types, from Istio's reference
 * (https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/). A type is a
 * scalar name, `[type]` for a list, `{ '*': type }` for a map, or an object of fields.
 */
type FieldType = string | FieldType[] | { [field: string]: FieldType };
const STRING_LIST = ['string'];
const SERVICE = { service: 'string', port: 'uint32' };
const BODY = { maxRequestBytes: 'uint32', allowPartialMessage: 'bool', packAsBytes: 'bool' };
const LOG_FORMAT = { text: 'string', labels: { '*': 'string' } };
const EXT_AUTHZ_COMMON = { ...SERVICE, timeout: 'duration', failOpen: 'bool', statusOnError: 'string', includeRequestBodyInCheck: BODY };
const MESH_CONFIG: { [field: string]: FieldType } = {
  extensionProviders: [{
    name: 'string',
    envoyExtAuthzHttp: {
      ...EXT_AUTHZ_COMMON,
      pathPrefix: 'string',
      includeRequestHeadersInCheck: STRING_LIST,
      includeAdditionalHeadersInCheck: { '*': 'string' },
      headersToUpstreamOnAllow: STRING_LIST,
      headersToDownstreamOnDeny: STRING_LIST,
      headersToDownstreamOnAllow: STRING_LIST,
    },
    envoyExtAuthzGrpc: EXT_AUTHZ_COMMON,
    zipkin: { ...SERVICE, maxTagLength: 'uint32', enable64bitTraceId: 'bool', path: 'string' },
    opentelemetry: { ...SERVICE, maxTagLength: 'uint32' },
    envoyFileAccessLog: { path: 'string', logFormat: LOG_FORMAT },
    envoyOtelAls: { ...SERVICE, logName: 'string', logFormat: LOG_FORMAT },
    prometheus: {},
  }],
  outboundTrafficPolicy: { mode: 'REGISTRY_ONLY|ALLOW_ANY' },
  accessLogFile: 'string',
  accessLogEncoding: 'TEXT|JSON',
  accessLogFormat: 'string',
  enableTracing: 'bool',
  defaultConfig: {
    holdApplicationUntilProxyStarts: 'bool',
    proxyMetadata: { '*': 'string' },
    tracing: { sampling: 'double' },
  },
  defaultProviders: { tracing: STRING_LIST, metrics: STRING_LIST, accessLogging: STRING_LIST },
};

/** The fields of `value` that `type` does not allow, as `path: why`. */
function mismatches(value: unknown, type: FieldType, path: string): string[] {
  if (Array.isArray(type)) {
    if (!Array.isArray(value)) return [`${path}: expected a list`];
    return value.flatMap((v, i) => mismatches(v, type[0], `${path}[${i}]`));
  }
  if (typeof type === 'object') {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected an object`];
    return Object.entries(value).flatMap(([k, v]) => {
      const t = type[k] ?? type['*'];
      return t === undefined ? [`${path}.${k}: not a field of MeshConfig here`] : mismatches(v, t, `${path}.${k}`);
    });
  }
  const ok = {
    string: typeof value === 'string',
    bool: typeof value === 'boolean',
    uint32: Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 4294967295,
    double: typeof value === 'number',
    duration: typeof value === 'string' && /^\d+(\.\d+)?(ms|s|m|h)$/.test(value),
  }[type] ?? (typeof value === 'string' && type.split('|').includes(value));
  return ok ? [] : [`${path}: ${JSON.stringify(value)} is not a ${type}`];
}

describe('MeshConfig', () => {
  test('defaults: the istio ConfigMap of istio-system, REGISTRY_ONLY and holdApplicationUntilProxyStarts', () => {
    const c = chart();
    const mesh = new MeshConfig(c, 'mesh-config');
    const cm = findObject(synthValid(c), 'ConfigMap');
    expect(cm.metadata).toEqual({ name: 'istio', namespace: 'istio-system' });
    expect(cm.data.mesh).toBe('outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\ndefaultConfig:\n  holdApplicationUntilProxyStarts: true\n');
    expect(mesh.outboundTrafficPolicy).toBe(OutboundTrafficPolicyMode.REGISTRY_ONLY);
    expect(mesh.name).toBe('istio');
  });

  test('a revision names the ConfigMap istio-<revision>; the namespace can be changed', () => {
    const c = chart();
    new MeshConfig(c, 'canary', { revision: 'canary', namespace: 'istio-control' });
    expect(findObject(synthValid(c), 'ConfigMap').metadata).toEqual({ name: 'istio-canary', namespace: 'istio-control' });
  });

  test('every field it writes is a MeshConfig field of the right type (parsed back from the mesh key)', () => {
    const c = chart();
    const mesh = new MeshConfig(c, 'mesh-config', {
      extensionProviders: [
        ExtAuthzProvider.http('authz-http', {
          service: 'ext-authz.foo.svc.cluster.local',
          port: 8000,
          timeout: Duration.millis(1500),
          failOpen: false,
          statusOnError: 503,
          pathPrefix: '/check',
          includeRequestBodyInCheckMaxBytes: 4096,
          includeRequestHeadersInCheck: ['x-ext-authz'],
          headersToUpstreamOnAllow: ['x-user*'],
          headersToDownstreamOnDeny: ['*-reason'],
          headersToDownstreamOnAllow: ['set-cookie'],
        }),
        ExtAuthzProvider.grpc('authz-grpc', { service: 'foo/ext-authz.example.com', port: 9000, timeout: Duration.seconds(2) }),
        ExtAuthzProvider.oauth2Proxy(),
        ExtAuthzProvider.opa(),
        ExtensionProvider.zipkin('zipkin', { service: 'zipkin.istio-system.svc.cluster.local', port: 9411, maxTagLength: 256 }),
        ExtensionProvider.openTelemetry('otel', { service: 'otel-collector.observability.svc.cluster.local', port: 4317 }),
        ExtensionProvider.envoyFileAccessLog('json-log', { jsonLabels: { status: '%RESPONSE_CODE%', path: '%REQ(:PATH)%' } }),
        ExtensionProvider.envoyFileAccessLog('text-log', { path: '/dev/stderr', textFormat: '%RESPONSE_CODE%\n' }),
        ExtensionProvider.envoyOtelAls('otel-als', { service: 'otel-collector.observability.svc.cluster.local', port: 4317, logFormat: '%RESPONSE_CODE%' }),
        ExtensionProvider.prometheus('prom'),
      ],
      outboundTrafficPolicy: OutboundTrafficPolicyMode.ALLOW_ANY,
      accessLogFile: '/dev/stdout',
      accessLogEncoding: AccessLogEncoding.JSON,
      accessLogFormat: '%START_TIME% %RESPONSE_CODE%\n',
      proxyMetadata: { ISTIO_META_DNS_CAPTURE: 'true' },
      secretTtl: Duration.hours(12),
      holdApplicationUntilProxyStarts: false,
      enableTracing: true,
      tracingSampling: 2.5,
      defaultProviders: { tracing: ['otel'], metrics: ['prometheus'], accessLogging: ['envoy', 'json-log'] },
    });
    const parsed = meshOf(c);
    expect(mismatches(parsed, MESH_CONFIG, 'mesh')).toEqual([]);
    // every top-level field and every provider kind was written
    expect(Object.keys(parsed).sort()).toEqual(Object.keys(MESH_CONFIG).sort());
    expect(parsed.extensionProviders.map((p: any) => Object.keys(p).find(k => k !== 'name'))).toEqual([
      'envoyExtAuthzHttp', 'envoyExtAuthzGrpc', 'envoyExtAuthzHttp', 'envoyExtAuthzGrpc', 'zipkin', 'opentelemetry',
      'envoyFileAccessLog', 'envoyFileAccessLog', 'envoyOtelAls', 'prometheus',
    ]);
    expect(parsed.defaultConfig).toEqual({ holdApplicationUntilProxyStarts: false, proxyMetadata: { ISTIO_META_DNS_CAPTURE: 'true', SECRET_TTL: '12h' }, tracing: { sampling: 2.5 } });
    expect(parsed.extensionProviders[0].envoyExtAuthzHttp).toMatchObject({ timeout: '1500ms', statusOnError: '503', includeRequestBodyInCheck: { maxRequestBytes: 4096 } });
    expect(mesh.toMeshConfig()).toEqual(parsed);
    expect(mesh.extensionProviderNames).toContain('oauth2-proxy');
  });

  test('the presets: OAuth2 Proxy over HTTP with its headers, OPA over gRPC on 9191', () => {
    const c = chart();
    new MeshConfig(c, 'mesh-config', { extensionProviders: [ExtAuthzProvider.oauth2Proxy({ service: 'oauth2-proxy.auth.svc.cluster.local' }), ExtAuthzProvider.opa()] });
    expect(meshOf(c).extensionProviders).toEqual([
      {
        name: 'oauth2-proxy',
        envoyExtAuthzHttp: {
          service: 'oauth2-proxy.auth.svc.cluster.local',
          port: 4180,
          includeRequestHeadersInCheck: ['authorization', 'cookie'],
          headersToUpstreamOnAllow: ['authorization', 'x-auth-request-user', 'x-auth-request-email', 'x-auth-request-groups'],
          headersToDownstreamOnDeny: ['content-type', 'set-cookie'],
        },
      },
      { name: 'opa', envoyExtAuthzGrpc: { service: 'opa.opa.svc.cluster.local', port: 9191 } },
    ]);
  });

  test('the output is stable: the same props give the same YAML, whatever the order of proxyMetadata', () => {
    const yamlOf = (metadata: { [k: string]: string }) => {
      const c = chart();
      new MeshConfig(c, 'm', { proxyMetadata: metadata, secretTtl: Duration.hours(6) });
      return findObject(synthValid(c), 'ConfigMap').data.mesh;
    };
    expect(yamlOf({ B: '2', A: '1' })).toBe(yamlOf({ A: '1', B: '2' }));
    expect(yamlOf({ B: '2', A: '1' })).toContain('proxyMetadata:\n    A: "1"\n    B: "2"\n    SECRET_TTL: 6h\n');
  });

  test('registering the same provider twice is a no-op', () => {
    const c = chart();
    const mesh = new MeshConfig(c, 'm');
    mesh.addExtensionProvider(ExtAuthzProvider.opa());
    mesh.addExtensionProvider(ExtAuthzProvider.opa());
    expect(mesh.extensionProviderNames).toEqual(['opa']);
  });

  test('synthesizes clean under strict validation with its defaults', () => {
    const app = new App({ outdir: '/tmp/cdk8s-istio-mesh-config' });
    IstioValidation.enable(app, { strict: true, printWarnings: false });
    new MeshConfig(chart(app), 'mesh-config');
    expect(() => app.synth()).not.toThrow();
    expect(IstioValidation.findings(app)).toEqual([]);
  });
});

describe('MeshConfig: checks', () => {
  test('throws when the app already has a MeshConfig for the revision; another revision is fine', () => {
    const app = Testing.app();
    new MeshConfig(chart(app), 'mesh-config');
    const other = new Chart(app, 'other');
    expect(() => new MeshConfig(other, 'again'))
      .toThrow("MeshConfig 'other/again': invalid revision \"(default)\": the app already has a MeshConfig for this revision, 'mesh/mesh-config' (ConfigMap istio-system/istio): istiod reads one mesh config per revision, so put every setting in that one, or give this one another revision");
    expect(() => new MeshConfig(other, 'canary', { revision: 'canary' })).not.toThrow();
  });

  test('throws when the revision is not a DNS label', () => {
    expect(() => new MeshConfig(chart(), 'm', { revision: '1.30' }))
      .toThrow("MeshConfig 'mesh/m': invalid revision \"1.30\": an istiod revision is a DNS label of at most 57 characters");
  });

  test('throws when two extension providers share a name', () => {
    const mesh = new MeshConfig(chart(), 'm', { extensionProviders: [ExtAuthzProvider.opa()] });
    expect(() => mesh.addExtensionProvider(ExtAuthzProvider.opa({ port: 9292 })))
      .toThrow("MeshConfig 'mesh/m': invalid extensionProviders[1].name \"opa\": extensionProviders[0] already has this name with other settings: provider names must be unique");
    expect(() => mesh.addExtensionProvider(ExtAuthzProvider.opa({ name: 'opa-2', port: 9292 }))).not.toThrow();
  });

  test('throws when a provider port is out of range or its service is not a fully qualified host', () => {
    expect(() => new MeshConfig(chart(), 'm', { extensionProviders: [ExtAuthzProvider.opa({ port: 70000 })] }))
      .toThrow("MeshConfig 'mesh/m': invalid extensionProviders[0].envoyExtAuthzGrpc.port 70000: a port is an integer from 1 to 65535");
    expect(() => new MeshConfig(chart(), 'm', { extensionProviders: [ExtAuthzProvider.opa({ service: 'opa' })] }))
      .toThrow("MeshConfig 'mesh/m': invalid extensionProviders[0].envoyExtAuthzGrpc.service \"opa\": the fully qualified host of a Service or ServiceEntry");
    expect(() => new MeshConfig(chart(), 'm', { extensionProviders: [ExtAuthzProvider.opa({ service: 'opa/opa.local' })] })).not.toThrow();
  });

  test('throws when a timeout is under 1ms', () => {
    expect(() => new MeshConfig(chart(), 'm', { extensionProviders: [ExtAuthzProvider.opa({ timeout: Duration.millis(0) })] }))
      .toThrow("MeshConfig 'mesh/m': invalid extensionProviders[0].envoyExtAuthzGrpc.timeout \"0ms\": must be at least 1ms");
    expect(() => new MeshConfig(chart(), 'm', { extensionProviders: [ExtAuthzProvider.opa({ timeout: Duration.millis(1) })] })).not.toThrow();
  });

  test('throws when a header list entry is "*" alone or empty', () => {
    const provider = (headers: string[]) => ExtAuthzProvider.http('h', { service: 'a.b.svc.cluster.local', port: 80, includeRequestHeadersInCheck: headers });
    expect(() => new MeshConfig(chart(), 'm', { extensionProviders: [provider(['*'])] }))
      .toThrow("MeshConfig 'mesh/m': invalid extensionProviders[0].envoyExtAuthzHttp.includeRequestHeadersInCheck[0] \"*\": a header name, exact (\"x-user\"), by prefix (\"x-auth-*\") or by suffix (\"*-token\")");
    expect(() => new MeshConfig(chart(), 'm', { extensionProviders: [provider([])] }))
      .toThrow('invalid extensionProviders[0].envoyExtAuthzHttp.includeRequestHeadersInCheck []: must not be empty');
    expect(() => new MeshConfig(chart(), 'm', { extensionProviders: [provider(['x-auth-*', '*-token'])] })).not.toThrow();
  });

  test('throws when statusOnError is not an HTTP status', () => {
    expect(() => new MeshConfig(chart(), 'm', { extensionProviders: [ExtAuthzProvider.grpc('g', { service: 'a.b.svc.cluster.local', port: 9000, statusOnError: 99 })] }))
      .toThrow('invalid extensionProviders[0].envoyExtAuthzGrpc.statusOnError 99: an HTTP status code from 200 to 599');
    expect(() => new MeshConfig(chart(), 'm', { extensionProviders: [ExtAuthzProvider.grpc('g', { service: 'a.b.svc.cluster.local', port: 9000, statusOnError: 503 })] })).not.toThrow();
  });

  test('throws when a provider known by name only is registered', () => {
    expect(() => new MeshConfig(chart(), 'm', { extensionProviders: [ExtAuthzProvider.fromName('elsewhere')] }))
      .toThrow("MeshConfig 'mesh/m': invalid extensionProviders[0] \"elsewhere\": a provider known by name only (ExtAuthzProvider.fromName) cannot be registered");
  });

  test('throws when a provider name is empty or has whitespace', () => {
    expect(() => new MeshConfig(chart(), 'm', { extensionProviders: [ExtAuthzProvider.opa({ name: 'my opa' })] }))
      .toThrow("MeshConfig 'mesh/m': invalid extensionProviders[0].name \"my opa\": a provider name is not empty and has no whitespace");
  });

  test('throws when the access log encoding or format is given without a file', () => {
    expect(() => new MeshConfig(chart(), 'm', { accessLogEncoding: AccessLogEncoding.JSON }))
      .toThrow("MeshConfig 'mesh/m': invalid accessLogEncoding \"JSON\": applies to the access log file only: set accessLogFile too");
    expect(() => new MeshConfig(chart(), 'm', { accessLogFile: 'stdout' }))
      .toThrow("MeshConfig 'mesh/m': invalid accessLogFile \"stdout\": an absolute file path, e.g. \"/dev/stdout\"");
    expect(() => new MeshConfig(chart(), 'm', { accessLogFile: '/dev/stdout', accessLogEncoding: AccessLogEncoding.JSON })).not.toThrow();
  });

  test('throws when the tracing sampling is out of 0..100 or tracing is off', () => {
    expect(() => new MeshConfig(chart(), 'm', { tracingSampling: 101 }))
      .toThrow("MeshConfig 'mesh/m': invalid tracingSampling 101: a percentage from 0 to 100");
    expect(() => new MeshConfig(chart(), 'm', { enableTracing: false, tracingSampling: 10 }))
      .toThrow("MeshConfig 'mesh/m': invalid tracingSampling 10: enableTracing is false: leave the sampling out, or turn tracing on");
    expect(() => new MeshConfig(chart(), 'm', { tracingSampling: 100 })).not.toThrow();
  });

  test('throws when proxyMetadata has a bad name, or SECRET_TTL twice', () => {
    expect(() => new MeshConfig(chart(), 'm', { proxyMetadata: { 'SECRET-TTL': '1h' } }))
      .toThrow("MeshConfig 'mesh/m': invalid proxyMetadata[\"SECRET-TTL\"] \"SECRET-TTL\": an environment variable name");
    expect(() => new MeshConfig(chart(), 'm', { proxyMetadata: { SECRET_TTL: '1h' }, secretTtl: Duration.hours(2) }))
      .toThrow("MeshConfig 'mesh/m': invalid secretTtl \"2h\": proxyMetadata sets SECRET_TTL too: give one of them");
  });

  test('throws when secretTtl is under a minute or over 90 days', () => {
    expect(() => new MeshConfig(chart(), 'm', { secretTtl: Duration.seconds(30) }))
      .toThrow("MeshConfig 'mesh/m': invalid secretTtl \"30000ms\": must be at least 60000ms");
    expect(() => new MeshConfig(chart(), 'm', { secretTtl: Duration.days(91) }))
      .toThrow("MeshConfig 'mesh/m': invalid secretTtl \"2184h\": at most 90 days (2160h): istiod refuses longer certificate requests (MAX_WORKLOAD_CERT_TTL)");
    expect(() => new MeshConfig(chart(), 'm', { secretTtl: Duration.days(90) })).not.toThrow();
  });

  test('fails synth when defaultProviders names an unknown provider, or one that does not serve that use', () => {
    const c = chart();
    new MeshConfig(c, 'm', {
      extensionProviders: [ExtAuthzProvider.opa()],
      defaultProviders: { tracing: ['otel'], accessLogging: ['opa'], metrics: ['envoy'] },
    });
    expect(() => Testing.synth(c)).toThrow(/MeshConfig 'mesh\/m': invalid defaultProviders.tracing\[0\] "otel": not an extension provider of this mesh config \(known: "opa", "envoy", "prometheus", "stackdriver"\); add it with addExtensionProvider\(\), or fix the name/);
    expect(() => Testing.synth(c)).toThrow(/invalid defaultProviders.accessLogging\[0\] "opa": its kind is envoyExtAuthzGrpc, which does not serve accessLogging/);
    expect(() => Testing.synth(c)).toThrow(/invalid defaultProviders.metrics\[0\] "envoy": it is an Istio built-in provider, which does not serve metrics/);
  });

  test('defaultProviders naming providers added later and built-in ones synthesize', () => {
    const c = chart();
    const mesh = new MeshConfig(c, 'm', { defaultProviders: { tracing: ['otel'], accessLogging: ['envoy'], metrics: ['prometheus'] } });
    mesh.addExtensionProvider(ExtensionProvider.openTelemetry('otel', { service: 'otel.obs.svc.cluster.local', port: 4317 }));
    expect(meshOf(c).defaultProviders).toEqual({ tracing: ['otel'], metrics: ['prometheus'], accessLogging: ['envoy'] });
  });
});
