/**
 * The workload of `npm run bench` (scripts/bench.ts): a synthetic mesh of N services
 * built with the library's patterns, as a platform team would write it.
 *
 * - Charts `team-<k>`: one StrictMtlsNamespace per 50 services (STRICT, deny-plaintext).
 * - Per service `svc-<i>`: a Service and two Deployments (v1, v2) as ApiObjects; a
 *   CanaryRelease (90/10, header `x-canary: always` to the canary, subsets v1/v2) whose
 *   DestinationRule carries the circuit breaker (outlier detection + connection pool,
 *   through the `trafficPolicy` prop) and whose routes carry retries and a timeout; it
 *   binds the ingress gateway for `svc-<i>.example.com`, so ingress traffic gets the
 *   split too; an ALLOW AuthorizationPolicy for two service accounts (the ingress
 *   gateway's and `web/frontend`).
 * - Chart `ingress` (istio-system): one JwtProtectedIngress for all the services' hosts
 *   (the Gateway, the token policies; its own VirtualService routes /healthz to the
 *   gateway's health backend: the services' routes are the CanaryReleases').
 * - Chart `egress` (istio-system): one EgressGateway with 20 external hosts (HTTP and
 *   HTTPS passthrough, alternating).
 */
import { ApiObject, App, Chart, Duration } from 'cdk8s';
import {
  AuthorizationAction, AuthorizationPolicy, CanaryMatch, CanaryRelease, CanaryWorkload, EgressGateway, EgressTraffic,
  JwtIssuer, JwtProtectedIngress, Principal, RetryOn, RouteDestination, StrictMtlsNamespace, StringMatch, WorkloadSelector,
} from '../src';

/** Services per StrictMtlsNamespace (and per chart). */
export const PER_NAMESPACE = 50;
/** External hosts behind the EgressGateway. */
export const EXTERNAL_HOSTS = 20;

export function serviceHost(i: number): string {
  return `svc-${i}.example.com`;
}

/** Builds the app (not synthesized). */
export function buildMeshApp(n: number, outdir = '/tmp/cdk8s-istio-bench'): App {
  const app = new App({ outdir });

  const edge = new Chart(app, 'ingress', { namespace: 'istio-system' });
  const ingress = new JwtProtectedIngress(edge, 'ingress', {
    hosts: Array.from({ length: n }, (_, i) => serviceHost(i)),
    credentialName: 'mesh-example-com-tls',
    issuers: [JwtIssuer.auth0('mesh.eu.auth0.com', { audiences: ['https://api.example.com'] })],
    publicPaths: ['/healthz'],
    routes: [{ pathPrefix: '/healthz', destination: RouteDestination.to('ingress-health.istio-system.svc.cluster.local', { port: 8080 }) }],
  });
  kubeService(edge, 'ingress-health', 'istio-system');
  for (const version of ['v1']) kubeDeployment(edge, 'ingress-health', version);

  const egressChart = new Chart(app, 'egress', { namespace: 'istio-system' });
  const egress = new EgressGateway(egressChart, 'egress');
  for (let k = 0; k < EXTERNAL_HOSTS; k++) {
    egress.addHost(`api-${k}.partner.example.org`, k % 2 === 0 ? EgressTraffic.http() : EgressTraffic.httpsPassthrough());
  }

  let chart!: Chart;
  let namespace = '';
  for (let i = 0; i < n; i++) {
    if (i % PER_NAMESPACE === 0) {
      namespace = `team-${i / PER_NAMESPACE}`;
      chart = new Chart(app, namespace, { namespace });
      new StrictMtlsNamespace(chart, 'mtls', { namespace });
    }
    const name = `svc-${i}`;
    kubeService(chart, name, namespace);
    const v1 = kubeDeployment(chart, name, 'v1');
    const v2 = kubeDeployment(chart, name, 'v2');
    new CanaryRelease(chart, name, {
      name,
      host: name,
      stable: CanaryWorkload.fromWorkload(v1),
      canary: CanaryWorkload.fromWorkload(v2),
      stableSubsetName: 'v1',
      canarySubsetName: 'v2',
      canaryWeight: 10,
      canaryMatches: [CanaryMatch.header('x-canary', StringMatch.exact('always'))],
      // resilience: retries and a timeout on the routes, a circuit breaker on the DestinationRule
      timeout: Duration.seconds(10),
      retries: { attempts: 3, perTryTimeout: Duration.seconds(2), retryOn: [RetryOn.GATEWAY_ERROR, RetryOn.CONNECT_FAILURE, RetryOn.REFUSED_STREAM] },
      trafficPolicy: {
        connectionPool: {
          tcp: { maxConnections: 100, connectTimeout: Duration.seconds(1) },
          http: { http1MaxPendingRequests: 64, http2MaxRequests: 256, maxRequestsPerConnection: 16, maxRetries: 3 },
        },
        outlierDetection: {
          consecutive5xxErrors: 5,
          interval: Duration.seconds(10),
          baseEjectionTime: Duration.seconds(30),
          maxEjectionPercent: 50,
        },
      },
      gateways: [ingress.gateway!],
      gatewayHosts: [serviceHost(i)],
    });
    new AuthorizationPolicy(chart, `${name}-authz`, {
      metadata: { name },
      selector: WorkloadSelector.fromLabels({ app: name }),
      action: AuthorizationAction.ALLOW,
      rules: [{
        from: [{
          principals: [
            Principal.serviceAccount('istio-system', 'istio-ingressgateway-service-account'),
            Principal.serviceAccount('web', 'frontend'),
          ],
        }],
      }],
    });
  }
  return app;
}

function kubeService(chart: Chart, name: string, namespace: string): ApiObject {
  return new ApiObject(chart, `${name}-service`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { selector: { app: name }, ports: [{ name: 'http', port: 8080, targetPort: 8080 }] },
  } as any);
}

function kubeDeployment(chart: Chart, name: string, version: string): ApiObject {
  const labels = { app: name, version };
  return new ApiObject(chart, `${name}-${version}`, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `${name}-${version}` },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'app', image: `registry.example.com/${name}:${version}`, ports: [{ name: 'http', containerPort: 8080 }] }] },
      },
    },
  } as any);
}
