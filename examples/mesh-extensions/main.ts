// A platform's mesh extensions, in Istio 1.30: the mesh config (an OpenTelemetry collector
// and OAuth2 Proxy as extension providers, egress only to declared hosts, proxy defaults),
// OAuth2 Proxy in front of a shop's web front end (external authorization), access logs
// and tracing, and proxy settings. Validation checks every object at synth.
import { App, Chart, Duration } from 'cdk8s';
import { Deployment } from 'cdk8s-plus-32';
import {
  ExtAuthzProvider, ExtensionProvider, ExternalAuthorization, IstioValidation, MeshConfig,
  ProxyConfig, ProxyImageType, TelemetryPolicy, WorkloadSelector,
} from 'cdk8s-istio';

const app = new App();
IstioValidation.enable(app, { strict: true });

const mesh = new Chart(app, 'mesh');

const meshConfig = new MeshConfig(mesh, 'mesh-config', {
  extensionProviders: [
    ExtensionProvider.openTelemetry('otel', { service: 'otel-collector.observability.svc.cluster.local', port: 4317 }),
  ],
  // workload certificates live 12 hours instead of 24
  secretTtl: Duration.hours(12),
  defaultProviders: { tracing: ['otel'] },
});

// every proxy: two worker threads, and the distroless image
ProxyConfig.meshWide(mesh, 'proxy', { concurrency: 2, imageType: ProxyImageType.DISTROLESS });

// everywhere: access logs of failed requests, and 5% of the requests traced
TelemetryPolicy.meshWide(mesh, 'telemetry', {
  accessLogging: [{ filter: 'response.code >= 400' }],
  tracing: { providers: ['otel'], randomSamplingPercentage: 5 },
});

const shop = new Chart(app, 'shop', { namespace: 'shop' });

const web = new Deployment(shop, 'web', {
  containers: [{ name: 'web', image: 'ghcr.io/example/web:2.1.0', ports: [{ number: 8080, name: 'http' }] }],
});
web.podMetadata.addLabel('app', 'web');

// every request to the web front end goes through OAuth2 Proxy first, except the health check
new ExternalAuthorization(shop, 'login', {
  provider: ExtAuthzProvider.oauth2Proxy({ service: 'oauth2-proxy.auth.svc.cluster.local' }),
  meshConfig,
  selector: WorkloadSelector.fromLabels({ app: 'web' }),
  notPaths: ['/healthz'],
});

// the web front end logs every request, not only the failed ones
new TelemetryPolicy(shop, 'web-logs', {
  selector: WorkloadSelector.fromLabels({ app: 'web' }),
  accessLogging: [{}],
});

app.synth();
