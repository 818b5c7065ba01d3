import { ApiObject, App, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-32';
import { ApiMode, OutputMode } from '../src/core/output-mode';
import { Protocol } from '../src/core/protocol';
import { WorkloadSelector } from '../src/core/workload-selector';
import { ExtAuthzProvider } from '../src/mesh/extension-provider';
import { MeshConfig } from '../src/mesh/mesh-config';
import { EnvoyFilter } from '../src/networking/envoy-filter';
import { RouteDestination } from '../src/networking/vs-destination';
import { Waypoint } from '../src/networking/waypoint';
import { AmbientNamespace } from '../src/patterns/ambient-namespace';
import { CanaryRelease } from '../src/patterns/canary-release';
import { CanaryWorkload } from '../src/patterns/canary-workload';
import { EgressGateway } from '../src/patterns/egress-gateway';
import { EgressTraffic } from '../src/patterns/egress-traffic';
import { ExternalAuthorization } from '../src/patterns/external-authorization';
import { ExternalPort, ExternalService } from '../src/patterns/external-service';
import { IngressGateway, IngressTls } from '../src/patterns/ingress-gateway';
import { JwtIssuer } from '../src/patterns/jwt-issuer';
import { JwtProtectedIngress } from '../src/patterns/jwt-protected-ingress';
import { MeshWorkload } from '../src/patterns/mesh-workload';
import { StrictMtlsNamespace } from '../src/patterns/strict-mtls-namespace';
import { VmWorkload } from '../src/patterns/vm-workload';
import { WaypointEgress } from '../src/patterns/waypoint-egress';
import { IstioValidation } from '../src/validation/app';
import { FindingLevel } from '../src/validation/findings';

/** The minimal EgressGateway and JwtProtectedIngress: the same props in both API modes. */
const egressGateway = (chart: Chart) => {
  new EgressGateway(chart, 'egress').addHost('edition.cnn.com', EgressTraffic.http());
};
const jwtProtectedIngress = (chart: Chart) => {
  new JwtProtectedIngress(chart, 'api', {
    hosts: ['api.example.com'],
    credentialName: 'api-tls',
    issuers: [JwtIssuer.custom({ issuer: 'https://idp.example.com', jwksUri: 'https://idp.example.com/.well-known/jwks.json' })],
    routes: [{ destination: RouteDestination.to('api', { port: 8080 }) }],
  });
};

/**
 * Every pattern, built with its minimal props, synthesizes under
 * `IstioValidation.enable(app, { strict: true })`: no error and no warning.
 */
function strictApp(): { app: App; chart: Chart } {
  const app = new App({ outdir: '/tmp/cdk8s-istio-strict-defaults' });
  IstioValidation.enable(app, { strict: true, printWarnings: false });
  return { app, chart: new Chart(app, 'test') };
}

const PATTERNS: Array<[string, (chart: Chart) => void]> = [
  ['CanaryRelease', chart => {
    new CanaryRelease(chart, 'reviews', {
      host: 'reviews',
      stable: CanaryWorkload.fromLabels({ app: 'reviews', version: 'v1' }),
      canary: CanaryWorkload.fromLabels({ app: 'reviews', version: 'v2' }),
    });
  }],
  ['EgressGateway', egressGateway],
  ['JwtProtectedIngress', jwtProtectedIngress],
  ['StrictMtlsNamespace', chart => {
    new StrictMtlsNamespace(chart, 'shop', { namespace: 'shop' });
  }],
  ['ExternalAuthorization', chart => {
    new ExternalAuthorization(chart, 'authz', {
      provider: ExtAuthzProvider.oauth2Proxy(),
      meshConfig: new MeshConfig(chart, 'mesh-config'),
      namespace: 'shop',
      selector: WorkloadSelector.fromLabels({ app: 'web' }),
    });
  }],
  ['MeshWorkload', chart => {
    const web = new kplus.Deployment(chart, 'web', { containers: [{ image: 'example/web:1.0', portNumber: 8080 }] });
    const service = web.exposeViaService({ ports: [{ port: 80, targetPort: 8080 }] });
    new MeshWorkload(chart, 'mesh', { workload: web }).addService(service, [{ port: 80, protocol: Protocol.HTTP }]);
  }],
  ['VmWorkload', chart => {
    new VmWorkload(chart, 'billing', {
      hosts: ['billing.vm.example.com'], ports: [{ number: 8080, protocol: Protocol.HTTP }], serviceAccount: 'billing', vms: { 'vm-1': { address: '10.0.0.11' } },
    });
  }],
  ['IngressGateway', chart => {
    new IngressGateway(chart, 'ingress', {
      hosts: [{ host: 'httpbin.example.com', tls: IngressTls.simple('httpbin-credential') }],
      routes: [{ host: 'httpbin.example.com', destination: RouteDestination.to('httpbin', { port: 8000 }) }],
    });
  }],
  ['ExternalService', chart => {
    new ExternalService(chart, 'api', { host: 'api.example.com', ports: [ExternalPort.https()] });
  }],
  ['EnvoyFilter presets', chart => {
    EnvoyFilter.gatewayTcpKeepalive(chart, 'keepalive');
    EnvoyFilter.inboundLua(chart, 'lua', { selector: WorkloadSelector.fromLabels({ app: 'reviews' }), code: 'function envoy_on_request(h) end' });
    EnvoyFilter.inboundLocalRateLimit(chart, 'rate-limit', { selector: WorkloadSelector.fromLabels({ app: 'reviews' }), maxTokens: 10, fillInterval: Duration.seconds(1) });
  }],
  ['AmbientNamespace', chart => {
    new AmbientNamespace(chart, 'shop', { namespace: 'shop' });
  }],
  ['Waypoint', chart => {
    new Waypoint(new Chart(chart, 'waypoint', { namespace: 'shop' }), 'waypoint');
  }],
  ['WaypointEgress', chart => {
    new WaypointEgress(chart, 'egress', { namespace: 'istio-egress' }).addHost('httpbin.org', EgressTraffic.http());
  }],
  ['StrictMtlsNamespace (ambient)', chart => {
    new StrictMtlsNamespace(chart, 'shop', { namespace: 'shop', ambient: true });
  }],
];

describe.each(PATTERNS)('%s with its defaults', (_name, build) => {
  test('synthesizes under strict validation', () => {
    const { app, chart } = strictApp();
    build(chart);
    expect(() => app.synth()).not.toThrow();
  });

  test('has no warning or error (open world, as at synth)', () => {
    const { app, chart } = strictApp();
    build(chart);
    const found = IstioValidation.findings(app).filter(f => f.level !== FindingLevel.INFO);
    expect(found).toEqual([]);
  });
});

describe('JwtProtectedIngress on gateway pods that also serve TCP', () => {
  function build(gatewayPorts?: number[]): App {
    const { app, chart } = strictApp();
    new JwtProtectedIngress(chart, 'api', {
      hosts: ['api.example.com'],
      credentialName: 'api-tls',
      issuers: [JwtIssuer.custom({ issuer: 'https://idp.example.com', jwksUri: 'https://idp.example.com/.well-known/jwks.json' })],
      routes: [{ destination: RouteDestination.to('api', { port: 8080 }) }],
      gatewayPorts,
    });
    new ApiObject(chart, 'tcp-gateway', {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'db', namespace: 'istio-system' },
      spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 31400, name: 'tcp', protocol: 'TCP' }, hosts: ['*'] }] },
    });
    return app;
  }

  test('the token policy gets CDK8S-ISTIO-A011, naming the gatewayPorts prop (closed world: the default ingress gateway)', () => {
    const found = IstioValidation.findings(build(), { openWorld: false }).filter(f => f.code === 'CDK8S-ISTIO-A011');
    expect(found.map(f => f.constructPath)).toEqual(['test/api/RequireToken']);
    expect(found[0].message).toContain('JwtProtectedIngress: the gatewayPorts prop');
  });

  test('with gatewayPorts the policies are limited to the HTTP ports: quiet', () => {
    const found = IstioValidation.findings(build([8443, 8080]), { openWorld: false }).filter(f => f.code === 'CDK8S-ISTIO-A011');
    expect(found).toEqual([]);
  });
});

/** The traffic patterns in gateway-api mode (OutputMode), each with its minimal props for that mode. */
const GATEWAY_API_PATTERNS: Array<[string, (chart: Chart) => void]> = [
  ['CanaryRelease', chart => {
    new CanaryRelease(chart, 'reviews', { host: 'reviews', stableHost: 'reviews-v1', canaryHost: 'reviews-v2', port: 9080 });
  }],
  ['EgressGateway', egressGateway],
  ['JwtProtectedIngress', jwtProtectedIngress],
  ['IngressGateway', chart => {
    new IngressGateway(chart, 'ingress', {
      hosts: [{ host: 'httpbin.example.com', tls: IngressTls.simple('httpbin-credential') }],
      routes: [{ host: 'httpbin.example.com', destination: RouteDestination.to('httpbin', { port: 8000 }) }],
    });
  }],
];

describe.each(GATEWAY_API_PATTERNS)('%s in gateway-api mode with its defaults', (_name, build) => {
  function gatewayApiApp(): { app: App; chart: Chart } {
    const app = new App({ outdir: '/tmp/cdk8s-istio-strict-defaults' });
    OutputMode.set(app, ApiMode.GATEWAY_API);
    IstioValidation.enable(app, { strict: true, printWarnings: false });
    return { app, chart: new Chart(app, 'test', { namespace: 'shop' }) };
  }

  test('synthesizes under strict validation, with Gateway API objects', () => {
    const { app, chart } = gatewayApiApp();
    build(chart);
    expect(() => app.synth()).not.toThrow();
    expect(chart.node.findAll().some(c => c instanceof ApiObject && c.apiVersion.startsWith('gateway.networking.k8s.io/'))).toBe(true);
  });

  test('has no warning or error (open world, as at synth)', () => {
    const { app, chart } = gatewayApiApp();
    build(chart);
    const found = IstioValidation.findings(app).filter(f => f.level !== FindingLevel.INFO);
    expect(found).toEqual([]);
  });
});
