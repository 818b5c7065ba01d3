import { App, Chart, Duration, Testing } from 'cdk8s';
import { findObject, findingsOf, synthValid } from './util';
import { WorkloadSelector } from '../src/core/workload-selector';
import {
  EnvoyFilter, EnvoyPatchApplyTo, EnvoyPatchContext, EnvoyPatchOperation, ProxyVersionMatch,
} from '../src/networking/envoy-filter';
import { IstioValidation } from '../src/validation/app';
import { FindingLevel } from '../src/validation/findings';

function chart(): Chart {
  return new Chart(Testing.app(), 'test', { namespace: 'bookinfo' });
}

const HCM = 'envoy.filters.network.http_connection_manager';
const LUA = 'function envoy_on_request(request_handle)\n  request_handle:headers():add("x-lua", "1")\nend\n';

/** The findings of the EnvoyFilter patch analyzers (and the webhook's EnvoyFilter rules) that are not Info. */
function patchFindings(manifests: any[]): string[] {
  return findingsOf(manifests, { openWorld: true })
    .filter(f => f.level !== FindingLevel.INFO)
    .map(f => `${f.code} ${f.message}`);
}

describe('EnvoyFilter presets', () => {
  test('gatewayTcpKeepalive: socket options on the gateway listeners, pinned to 1.30, priority 10, in istio-system', () => {
    const c = chart();
    EnvoyFilter.gatewayTcpKeepalive(c, 'keepalive');
    const manifests = synthValid(c);
    const ef = findObject(manifests, 'EnvoyFilter');
    expect(ef.metadata).toEqual({ name: 'test-keepalive', namespace: 'istio-system' });
    expect(ef.spec).toEqual({
      workloadSelector: { labels: { istio: 'ingressgateway' } },
      priority: 10,
      configPatches: [{
        applyTo: 'LISTENER',
        match: { context: 'GATEWAY', proxy: { proxyVersion: '^1\\.30\\..*' } },
        patch: {
          operation: 'MERGE',
          value: {
            socket_options: [
              { level: 1, name: 9, int_value: 1, state: 'STATE_LISTENING' },
              { level: 6, name: 4, int_value: 300, state: 'STATE_LISTENING' },
              { level: 6, name: 5, int_value: 75, state: 'STATE_LISTENING' },
              { level: 6, name: 6, int_value: 9, state: 'STATE_LISTENING' },
            ],
          },
        },
      }],
    });
    expect(patchFindings(manifests)).toEqual([]);
  });

  test('gatewayTcpKeepalive on one listener port, with custom times', () => {
    const c = chart();
    EnvoyFilter.gatewayTcpKeepalive(c, 'keepalive', {
      gatewaySelector: { app: 'edge' }, portNumber: 8443, time: Duration.seconds(60), interval: Duration.seconds(10), probes: 3,
    });
    const ef = findObject(synthValid(c), 'EnvoyFilter');
    expect(ef.spec.workloadSelector).toEqual({ labels: { app: 'edge' } });
    expect(ef.spec.configPatches[0].match.listener).toEqual({ portNumber: 8443 });
    expect(ef.spec.configPatches[0].patch.value.socket_options.map((o: any) => o.int_value)).toEqual([1, 60, 10, 3]);
  });

  test('inboundLua: a Lua filter before the router of the inbound HTTP connection manager', () => {
    const c = chart();
    EnvoyFilter.inboundLua(c, 'reviews-lua', { selector: WorkloadSelector.fromLabels({ app: 'reviews' }), code: LUA, portNumber: 8080 });
    const manifests = synthValid(c);
    const ef = findObject(manifests, 'EnvoyFilter');
    expect(ef.metadata).toEqual({ name: 'test-reviews-lua', namespace: 'bookinfo' });
    expect(ef.spec).toEqual({
      workloadSelector: { labels: { app: 'reviews' } },
      priority: 10,
      configPatches: [{
        applyTo: 'HTTP_FILTER',
        match: {
          context: 'SIDECAR_INBOUND',
          proxy: { proxyVersion: '^1\\.30\\..*' },
          listener: { portNumber: 8080, filterChain: { filter: { name: HCM, subFilter: { name: 'envoy.filters.http.router' } } } },
        },
        patch: {
          operation: 'INSERT_BEFORE',
          value: {
            name: 'envoy.filters.http.lua',
            typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua', 'default_source_code': { inline_string: LUA } },
          },
        },
      }],
    });
    expect(patchFindings(manifests)).toEqual([]);
  });

  test('inboundLocalRateLimit: the token bucket of Istio\'s local rate limit task, fill interval in protobuf seconds', () => {
    const c = chart();
    EnvoyFilter.inboundLocalRateLimit(c, 'productpage-ratelimit', {
      selector: WorkloadSelector.fromLabels({ app: 'productpage' }), maxTokens: 4, fillInterval: Duration.minutes(1),
    });
    const manifests = synthValid(c);
    const ef = findObject(manifests, 'EnvoyFilter');
    const patch = ef.spec.configPatches[0];
    expect(patch.applyTo).toBe('HTTP_FILTER');
    expect(patch.match.context).toBe('SIDECAR_INBOUND');
    expect(patch.match.listener).toEqual({ filterChain: { filter: { name: HCM, subFilter: { name: 'envoy.filters.http.router' } } } });
    expect(patch.patch.operation).toBe('INSERT_BEFORE');
    expect(patch.patch.value.name).toBe('envoy.filters.http.local_ratelimit');
    expect(patch.patch.value.typed_config.value.token_bucket).toEqual({ max_tokens: 4, tokens_per_fill: 4, fill_interval: '60s' });
    expect(patch.patch.value.typed_config.value.filter_enforced.default_value.numerator).toBe(100);
    expect(patchFindings(manifests)).toEqual([]);
  });

  test('inboundLocalRateLimit in shadow mode enforces 0%, and a sub-second interval is written in seconds', () => {
    const c = chart();
    EnvoyFilter.inboundLocalRateLimit(c, 'rl', {
      selector: WorkloadSelector.fromLabels({ app: 'api' }), maxTokens: 100, tokensPerFill: 10, fillInterval: Duration.millis(250), enforce: false,
    });
    const value = findObject(synthValid(c), 'EnvoyFilter').spec.configPatches[0].patch.value.typed_config.value;
    expect(value.token_bucket).toEqual({ max_tokens: 100, tokens_per_fill: 10, fill_interval: '0.25s' });
    expect(value.filter_enforced.default_value.numerator).toBe(0);
  });

  test('a preset can be unpinned or pinned to another version', () => {
    const c = chart();
    EnvoyFilter.gatewayTcpKeepalive(c, 'any', { proxyVersion: ProxyVersionMatch.any() });
    EnvoyFilter.gatewayTcpKeepalive(c, 'wide', { proxyVersion: ProxyVersionMatch.regex('^1\\.(30|31)\\..*'), gatewaySelector: { istio: 'edge' } });
    const manifests = synthValid(c);
    expect(findObject(manifests, 'EnvoyFilter', 'test-any').spec.configPatches[0].match).toEqual({ context: 'GATEWAY' });
    expect(findObject(manifests, 'EnvoyFilter', 'test-wide').spec.configPatches[0].match.proxy).toEqual({ proxyVersion: '^1\\.(30|31)\\..*' });
    expect(patchFindings(manifests)).toEqual([]);
  });

  test('every preset synthesizes under strict validation', () => {
    const app = new App({ outdir: '/tmp/cdk8s-istio-envoy-filter-strict' });
    IstioValidation.enable(app, { strict: true, printWarnings: false });
    const c = new Chart(app, 'test', { namespace: 'bookinfo' });
    EnvoyFilter.gatewayTcpKeepalive(c, 'keepalive');
    EnvoyFilter.inboundLua(c, 'lua', { selector: WorkloadSelector.fromLabels({ app: 'reviews' }), code: LUA });
    EnvoyFilter.inboundLocalRateLimit(c, 'rl', { selector: WorkloadSelector.fromLabels({ app: 'productpage' }), maxTokens: 4, fillInterval: Duration.minutes(1) });
    expect(() => app.synth()).not.toThrow();
    expect(IstioValidation.findings(app).filter(f => f.level !== FindingLevel.INFO)).toEqual([]);
  });
});

describe('EnvoyFilter with raw patches', () => {
  test('an ADD patch needs no priority; the version pin is the default', () => {
    const c = chart();
    new EnvoyFilter(c, 'cluster', {
      patches: [{
        applyTo: EnvoyPatchApplyTo.CLUSTER,
        context: EnvoyPatchContext.SIDECAR_OUTBOUND,
        operation: EnvoyPatchOperation.ADD,
        value: { name: 'my-cluster', connect_timeout: '1s', type: 'STRICT_DNS', load_assignment: { cluster_name: 'my-cluster' } },
      }],
    });
    const manifests = synthValid(c);
    const ef = findObject(manifests, 'EnvoyFilter');
    expect(ef.spec.priority).toBeUndefined();
    expect(ef.spec.configPatches[0].match).toEqual({ context: 'SIDECAR_OUTBOUND', proxy: { proxyVersion: '^1\\.30\\..*' } });
    expect(patchFindings(manifests)).toEqual([]);
  });

  test('a MERGE patch with a priority passes the patch analyzers', () => {
    const c = chart();
    const ef = new EnvoyFilter(c, 'hcm', { priority: 5, workloadSelector: WorkloadSelector.fromLabels({ app: 'reviews' }) });
    ef.addPatch({
      applyTo: EnvoyPatchApplyTo.NETWORK_FILTER,
      context: EnvoyPatchContext.SIDECAR_INBOUND,
      match: { listener: { filterChain: { filter: { name: HCM } } } },
      operation: EnvoyPatchOperation.MERGE,
      value: { name: HCM, typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', 'common_http_protocol_options': { idle_timeout: '30s' } } },
    });
    expect(patchFindings(synthValid(c))).toEqual([]);
  });

  test('the same MERGE as raw YAML without priority is what IST0155 reports (the neighbour the L2 refuses)', () => {
    const manifests = [{
      apiVersion: 'networking.istio.io/v1alpha3',
      kind: 'EnvoyFilter',
      metadata: { name: 'raw', namespace: 'bookinfo' },
      spec: {
        configPatches: [{
          applyTo: 'LISTENER',
          match: { context: 'GATEWAY', proxy: { proxyVersion: '^1\\.30\\..*' } },
          patch: { operation: 'MERGE', value: { socket_options: [] } },
        }],
      },
    }];
    expect(findingsOf(manifests).map(f => f.code)).toContain('IST0155');
  });

  const AT = "EnvoyFilter 'test/ef'";
  function raw(patch: any, priority?: number): () => EnvoyFilter {
    return () => new EnvoyFilter(chart(), 'ef', { priority, patches: [patch] });
  }

  test('throws when a relative operation has no priority (IST0151, IST0155)', () => {
    expect(raw({ applyTo: EnvoyPatchApplyTo.LISTENER, operation: EnvoyPatchOperation.MERGE, value: { a: 1 } })).toThrow(
      `${AT}: invalid priority 0: patches[0] uses the relative operation MERGE, whose effect depends on the patches applied before it, and the filter has no priority (IST0151, IST0155 with proxyVersion): give the EnvoyFilter a priority other than 0, or use ADD or INSERT_FIRST`);
    expect(raw({ applyTo: EnvoyPatchApplyTo.HTTP_FILTER, operation: EnvoyPatchOperation.INSERT_BEFORE, value: { name: 'x' } })).toThrow(`${AT}: invalid priority 0: patches[0] uses the relative operation INSERT_BEFORE`);
    expect(raw({ applyTo: EnvoyPatchApplyTo.HTTP_FILTER, operation: EnvoyPatchOperation.INSERT_FIRST, value: { name: 'x' } })).not.toThrow();
  });

  test('throws when REPLACE is used on an object istiod does not replace (IST0152)', () => {
    expect(raw({ applyTo: EnvoyPatchApplyTo.CLUSTER, operation: EnvoyPatchOperation.REPLACE, value: { name: 'c' } }, 1)).toThrow(
      `${AT}: invalid patches[0].operation "REPLACE": REPLACE works on HTTP_FILTER and NETWORK_FILTER only, not CLUSTER (IST0152; Istio ignores it): use MERGE`);
    expect(raw({ applyTo: EnvoyPatchApplyTo.HTTP_FILTER, operation: EnvoyPatchOperation.REPLACE, value: { name: 'c' } }, 1)).not.toThrow();
  });

  test('throws when ADD or REMOVE is applied to ROUTE_CONFIGURATION (IST0153, IST0154)', () => {
    expect(raw({ applyTo: EnvoyPatchApplyTo.ROUTE_CONFIGURATION, operation: EnvoyPatchOperation.ADD, value: { a: 1 } })).toThrow(
      `${AT}: invalid patches[0].operation "ADD": ADD is ignored with applyTo ROUTE_CONFIGURATION (IST0153): use MERGE, or applyTo VIRTUAL_HOST or HTTP_ROUTE`);
    expect(raw({ applyTo: EnvoyPatchApplyTo.ROUTE_CONFIGURATION, operation: EnvoyPatchOperation.REMOVE }, 1)).toThrow(
      `${AT}: invalid patches[0].operation "REMOVE": REMOVE is ignored with applyTo ROUTE_CONFIGURATION (IST0154)`);
    expect(raw({ applyTo: EnvoyPatchApplyTo.VIRTUAL_HOST, operation: EnvoyPatchOperation.ADD, value: { name: 'vh', domains: ['*'] } })).not.toThrow();
  });

  test('throws when INSERT_* targets a list that is not ordered', () => {
    expect(raw({ applyTo: EnvoyPatchApplyTo.CLUSTER, operation: EnvoyPatchOperation.INSERT_FIRST, value: { name: 'c' } })).toThrow(
      `${AT}: invalid patches[0].operation "INSERT_FIRST": INSERT_FIRST orders LISTENER_FILTER, NETWORK_FILTER, HTTP_FILTER and HTTP_ROUTE entries only, not CLUSTER: use ADD`);
    expect(raw({ applyTo: EnvoyPatchApplyTo.HTTP_ROUTE, operation: EnvoyPatchOperation.INSERT_FIRST, value: { name: 'r' } })).not.toThrow();
  });

  test('throws when the value is missing, or given with REMOVE', () => {
    expect(raw({ applyTo: EnvoyPatchApplyTo.CLUSTER, operation: EnvoyPatchOperation.ADD })).toThrow(
      `${AT}: invalid patches[0].value undefined: ADD needs a value (the Envoy configuration to apply)`);
    expect(raw({ applyTo: EnvoyPatchApplyTo.HTTP_FILTER, operation: EnvoyPatchOperation.REMOVE, value: { name: 'x' } }, 1)).toThrow(
      `${AT}: invalid patches[0].value {"name":"x"}: REMOVE takes no value`);
    expect(raw({ applyTo: EnvoyPatchApplyTo.HTTP_FILTER, operation: EnvoyPatchOperation.REMOVE }, 1)).not.toThrow();
  });

  test('throws when the match is about another kind of object, or gives context or proxy', () => {
    expect(raw({ applyTo: EnvoyPatchApplyTo.CLUSTER, operation: EnvoyPatchOperation.ADD, value: { name: 'c' }, match: { listener: { portNumber: 80 } } })).toThrow(
      `${AT}: invalid patches[0].match.listener {"portNumber":80}: applyTo CLUSTER needs a cluster match`);
    expect(raw({ applyTo: EnvoyPatchApplyTo.CLUSTER, operation: EnvoyPatchOperation.ADD, value: { name: 'c' }, match: { context: 'GATEWAY' } })).toThrow(
      `${AT}: invalid patches[0].match.context "GATEWAY": give it with the patch's context prop`);
    expect(raw({ applyTo: EnvoyPatchApplyTo.CLUSTER, operation: EnvoyPatchOperation.ADD, value: { name: 'c' }, match: { cluster: { service: 'a.b.svc.cluster.local' }, listener: {} } })).toThrow(
      `${AT}: invalid patches[0].match ["cluster","listener"]: a match has one of listener, routeConfiguration or cluster, not several`);
    expect(raw({ applyTo: EnvoyPatchApplyTo.CLUSTER, operation: EnvoyPatchOperation.ADD, value: { name: 'c' }, match: { cluster: { service: 'a.b.svc.cluster.local' } } })).not.toThrow();
  });

  test('throws when a filter match cannot apply', () => {
    const listenerWithFilter = { listener: { filterChain: { filter: { name: HCM } } } };
    expect(raw({ applyTo: EnvoyPatchApplyTo.LISTENER, operation: EnvoyPatchOperation.ADD, value: { a: 1 }, match: listenerWithFilter })).toThrow(
      `${AT}: invalid patches[0].match.listener.filterChain.filter {"name":"${HCM}"}: a filter match has no effect with applyTo LISTENER`);
    expect(raw({ applyTo: EnvoyPatchApplyTo.NETWORK_FILTER, operation: EnvoyPatchOperation.INSERT_FIRST, value: { a: 1 }, match: { listener: { filterChain: { filter: { name: HCM, subFilter: { name: 'envoy.filters.http.router' } } } } } })).toThrow(
      `${AT}: invalid patches[0].match.listener.filterChain.filter.subFilter {"name":"envoy.filters.http.router"}: a subFilter match works with applyTo HTTP_FILTER only, not NETWORK_FILTER`);
    expect(raw({ applyTo: EnvoyPatchApplyTo.HTTP_FILTER, operation: EnvoyPatchOperation.INSERT_FIRST, value: { a: 1 }, match: { listener: { filterChain: { filter: { name: 'envoy.tcp_proxy', subFilter: { name: 'x' } } } } } })).toThrow(
      `${AT}: invalid patches[0].match.listener.filterChain.filter.name "envoy.tcp_proxy": a subFilter match needs the filter "${HCM}"`);
  });

  test('throws when a proxyVersion is not a regular expression', () => {
    expect(() => new EnvoyFilter(chart(), 'ef', { proxyVersion: ProxyVersionMatch.regex('^1.(30') })).toThrow(
      `${AT}: invalid proxyVersion "^1.(30": a regular expression on the proxy version`);
    expect(() => new EnvoyFilter(chart(), 'ef', { proxyVersion: ProxyVersionMatch.regex('^1\\.(30|31)\\..*') })).not.toThrow();
  });

  test('fails validation when the filter has no patch', () => {
    const c = chart();
    new EnvoyFilter(c, 'ef');
    expect(() => Testing.synth(c)).toThrow(`${AT}: an EnvoyFilter needs at least one patch: call addPatch() or pass patches`);
  });

  test('fails validation when the selector has no labels, or bad ones', () => {
    const c = chart();
    EnvoyFilter.inboundLua(c, 'ef', { selector: WorkloadSelector.fromLabels({}), code: LUA });
    expect(() => Testing.synth(c)).toThrow(
      `${AT}: invalid workloadSelector {}: it has no labels (it would select every proxy: leave workloadSelector out for that) (from labels)`);
    const d = chart();
    EnvoyFilter.inboundLua(d, 'ef', { selector: WorkloadSelector.fromLabels({ app: 'bad value!' }), code: LUA });
    expect(() => Testing.synth(d)).toThrow(`${AT}: invalid workloadSelector {"app":"bad value!"}: label value "bad value!" of "app" is not a valid label value`);
  });

  test('throws when a workload preset gets no selector', () => {
    expect(() => EnvoyFilter.inboundLua(chart(), 'ef', { code: LUA } as any)).toThrow(
      `${AT}: invalid selector undefined: a workload-scoped preset needs the workloads it applies to, e.g. WorkloadSelector.fromLabels({ app: "reviews" })`);
    expect(() => EnvoyFilter.inboundLocalRateLimit(chart(), 'ef', { maxTokens: 1, fillInterval: Duration.seconds(1) } as any)).toThrow(`${AT}: invalid selector undefined`);
  });

  test('throws when the Lua code defines no handler', () => {
    expect(() => EnvoyFilter.inboundLua(chart(), 'ef', { selector: WorkloadSelector.fromLabels({ app: 'a' }), code: 'print("hi")' })).toThrow(
      `${AT}: invalid code "print(\\"hi\\")": the Lua source must define envoy_on_request(request_handle) or envoy_on_response(response_handle)`);
  });

  test('throws when the rate limit is out of range', () => {
    const selector = WorkloadSelector.fromLabels({ app: 'a' });
    expect(() => EnvoyFilter.inboundLocalRateLimit(chart(), 'ef', { selector, maxTokens: 0, fillInterval: Duration.seconds(1) })).toThrow(
      `${AT}: invalid maxTokens 0: an integer of 1 or more`);
    expect(() => EnvoyFilter.inboundLocalRateLimit(chart(), 'ef', { selector, maxTokens: 1, fillInterval: Duration.millis(10) })).toThrow(
      `${AT}: invalid fillInterval "10ms": whole milliseconds, at least 50ms (Envoy rejects a shorter interval)`);
  });

  test('throws when keepalive times are not whole seconds', () => {
    expect(() => EnvoyFilter.gatewayTcpKeepalive(chart(), 'ef', { time: Duration.millis(1500) })).toThrow(
      `${AT}: invalid time "1500ms": whole seconds from 1 to 32767 (the Linux limit)`);
    expect(() => EnvoyFilter.gatewayTcpKeepalive(chart(), 'ef', { probes: 0 })).toThrow(`${AT}: invalid probes 0: an integer from 1 to 127`);
  });
});
