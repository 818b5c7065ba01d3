// The EnvoyFilter presets: TCP keepalive on the ingress gateway's listeners, a Lua
// filter on the inbound HTTP traffic of bookinfo's reviews (as in the EnvoyFilter
// reference), and the local rate limit of Istio's rate limit task on productpage.
// Each is pinned to Istio 1.30 proxies: re-test and widen the pin on upgrades.
// https://istio.io/latest/docs/reference/config/networking/envoy-filter/
// https://istio.io/latest/docs/tasks/policy-enforcement/rate-limit/#local-rate-limit
import { App, Chart, Duration } from 'cdk8s';
import {
  EnvoyFilter, EnvoyPatchApplyTo, EnvoyPatchContext, EnvoyPatchOperation, IstioValidation, WorkloadSelector,
} from 'cdk8s-istio';

const app = new App();
IstioValidation.enable(app, { strict: true });

// the gateway pods' namespace (istio-system) is the preset's default
const gateway = new Chart(app, 'gateway');
EnvoyFilter.gatewayTcpKeepalive(gateway, 'keepalive', {
  time: Duration.seconds(120), // idle time before the first probe: below the load balancer's idle timeout
  interval: Duration.seconds(30),
  probes: 4,
});

const bookinfo = new Chart(app, 'bookinfo', { namespace: 'bookinfo' });

EnvoyFilter.inboundLua(bookinfo, 'reviews-lua', {
  selector: WorkloadSelector.fromLabels({ app: 'reviews' }),
  portNumber: 9080,
  code: [
    'function envoy_on_request(request_handle)',
    '  request_handle:headers():add("x-lua-filter", "reviews")',
    'end',
  ].join('\n'),
});

EnvoyFilter.inboundLocalRateLimit(bookinfo, 'productpage-ratelimit', {
  selector: WorkloadSelector.fromLabels({ app: 'productpage' }),
  maxTokens: 4,
  tokensPerFill: 4,
  fillInterval: Duration.minutes(1),
});

// a raw patch: the HTTP connection manager's idle timeout on reviews' inbound listener
const filter = new EnvoyFilter(bookinfo, 'hcm-idle-timeout', {
  priority: 10,
  workloadSelector: WorkloadSelector.fromLabels({ app: 'reviews' }),
});
filter.addPatch({
  applyTo: EnvoyPatchApplyTo.NETWORK_FILTER,
  context: EnvoyPatchContext.SIDECAR_INBOUND,
  match: { listener: { filterChain: { filter: { name: 'envoy.filters.network.http_connection_manager' } } } },
  operation: EnvoyPatchOperation.MERGE,
  value: {
    name: 'envoy.filters.network.http_connection_manager',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
      'common_http_protocol_options': { idle_timeout: '30s' },
    },
  },
});

app.synth();
