import { App, Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { findObject, synthValid } from './util';
import { ExtAuthzProvider, ExternalAuthorization, MeshConfig, PolicyTargetRef, WorkloadSelector } from '../src';
import { IstioValidation } from '../src/validation/app';
import { FindingLevel } from '../src/validation/findings';

const web = () => WorkloadSelector.fromLabels({ app: 'web' });

function setup(): { app: App; mesh: Chart; shop: Chart; meshConfig: MeshConfig } {
  const app = Testing.app();
  const mesh = new Chart(app, 'mesh');
  const shop = new Chart(app, 'shop', { namespace: 'shop' });
  return { app, mesh, shop, meshConfig: new MeshConfig(mesh, 'mesh-config') };
}

describe('ExternalAuthorization', () => {
  test('a CUSTOM policy on the workloads, every request checked, and the provider registered in the MeshConfig', () => {
    const { app, shop, meshConfig } = setup();
    const authz = new ExternalAuthorization(shop, 'login', { provider: ExtAuthzProvider.oauth2Proxy(), meshConfig, selector: web() });
    const policy = findObject(synthValid(shop), 'AuthorizationPolicy');
    expect(policy.metadata).toEqual({ name: 'shop-login', namespace: 'shop' });
    expect(policy.spec).toEqual({ action: 'CUSTOM', provider: { name: 'oauth2-proxy' }, rules: [{}], selector: { matchLabels: { app: 'web' } } });
    expect(authz.providerName).toBe('oauth2-proxy');
    expect(authz.policy.node.id).toBe('Policy');
    const cm = findObject(Testing.synth(app.node.findChild('mesh') as Chart), 'ConfigMap');
    expect(parse(cm.data.mesh).extensionProviders.map((p: any) => p.name)).toEqual(['oauth2-proxy']);
  });

  test('paths and hosts narrow what is checked; notPaths exempts public paths', () => {
    const { shop, meshConfig } = setup();
    new ExternalAuthorization(shop, 'opa', {
      provider: ExtAuthzProvider.opa(),
      meshConfig,
      selector: web(),
      paths: ['/api/*'],
      hosts: ['shop.example.com'],
      notPaths: ['/api/health'],
    });
    expect(findObject(synthValid(shop), 'AuthorizationPolicy').spec.rules)
      .toEqual([{ to: [{ operation: { hosts: ['shop.example.com'], paths: ['/api/*'], notPaths: ['/api/health'] } }] }]);
  });

  test('a gateway by targetRefs', () => {
    const { shop, meshConfig } = setup();
    new ExternalAuthorization(shop, 'gw', { provider: ExtAuthzProvider.oauth2Proxy(), meshConfig, targetRefs: [PolicyTargetRef.gateway('shop-gateway')] });
    expect(findObject(synthValid(shop), 'AuthorizationPolicy').spec.targetRefs)
      .toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'shop-gateway' }]);
  });

  test('two policies can share one provider: it is registered once', () => {
    const { shop, meshConfig } = setup();
    new ExternalAuthorization(shop, 'a', { provider: ExtAuthzProvider.opa(), meshConfig, selector: web() });
    new ExternalAuthorization(shop, 'b', { provider: ExtAuthzProvider.opa(), meshConfig, selector: WorkloadSelector.fromLabels({ app: 'api' }) });
    expect(meshConfig.extensionProviderNames).toEqual(['opa']);
  });

  test('a provider declared elsewhere (no MeshConfig in the app) is referred to by name', () => {
    const shop = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    new ExternalAuthorization(shop, 'authz', { provider: ExtAuthzProvider.fromName('corp-authz'), selector: web() });
    expect(findObject(synthValid(shop), 'AuthorizationPolicy').spec.provider).toEqual({ name: 'corp-authz' });
  });

  test('synthesizes clean under strict validation with its defaults (and with the MeshConfig)', () => {
    for (const withMesh of [false, true]) {
      const app = new App({ outdir: '/tmp/cdk8s-istio-ext-authz' });
      IstioValidation.enable(app, { strict: true, printWarnings: false });
      const shop = new Chart(app, 'shop', { namespace: 'shop' });
      const meshConfig = withMesh ? new MeshConfig(new Chart(app, 'mesh'), 'mesh-config') : undefined;
      new ExternalAuthorization(shop, 'authz', { provider: ExtAuthzProvider.oauth2Proxy(), meshConfig, selector: web() });
      expect(() => app.synth()).not.toThrow();
      const found = IstioValidation.findings(app).filter(f => f.level !== FindingLevel.INFO);
      expect(found).toEqual([]);
    }
  });
});

describe('ExternalAuthorization: checks', () => {
  test('throws when a namespace-wide policy is in the root namespace', () => {
    const { mesh, meshConfig } = setup();
    expect(() => new ExternalAuthorization(mesh, 'all', { provider: ExtAuthzProvider.opa(), meshConfig, namespace: 'istio-system' }))
      .toThrow("ExternalAuthorization 'mesh/all': invalid selector undefined: a CUSTOM policy in the root namespace without selector or targetRefs sends every request of the mesh to the authorizer, its own check requests included: pick the workloads with selector, or the gateway with targetRefs");
    expect(() => new ExternalAuthorization(mesh, 'gw', { provider: ExtAuthzProvider.opa(), meshConfig, namespace: 'istio-system', selector: WorkloadSelector.fromLabels({ istio: 'ingressgateway' }) }))
      .not.toThrow();
  });

  test('throws when a namespace-wide policy is in the authorizer\'s own namespace; another namespace is fine', () => {
    const { app, shop, meshConfig } = setup();
    const opa = new Chart(app, 'opa', { namespace: 'opa' });
    expect(() => new ExternalAuthorization(opa, 'all', { provider: ExtAuthzProvider.opa(), meshConfig }))
      .toThrow("ExternalAuthorization 'opa/all': invalid selector undefined: the authorizer (opa.opa.svc.cluster.local) runs in namespace \"opa\", where a policy without selector or targetRefs would send its own check requests to itself: pick the protected workloads with selector");
    new ExternalAuthorization(shop, 'all', { provider: ExtAuthzProvider.opa(), meshConfig });
    expect(findObject(synthValid(shop), 'AuthorizationPolicy').spec.selector).toBeUndefined();
  });

  test('throws when notPaths exempts every path', () => {
    const { shop, meshConfig } = setup();
    expect(() => new ExternalAuthorization(shop, 'a', { provider: ExtAuthzProvider.opa(), meshConfig, selector: web(), notPaths: ['/healthz', '/*'] }))
      .toThrow("ExternalAuthorization 'shop/a': invalid notPaths[1] \"/*\": exempts every path, so the authorizer is never asked: list the public paths only (e.g. \"/healthz\"), or remove the ExternalAuthorization");
  });

  test('throws when a path is malformed (the AuthorizationPolicy\'s checks)', () => {
    const { shop, meshConfig } = setup();
    expect(() => new ExternalAuthorization(shop, 'a', { provider: ExtAuthzProvider.opa(), meshConfig, selector: web(), paths: ['/a*b'] }))
      .toThrow("AuthorizationPolicy 'shop/a/Policy': invalid rules[0].to[0].operation.paths[0] \"/a*b\"");
  });

  test('throws when a provider known by name only is to be registered', () => {
    const { shop, meshConfig } = setup();
    expect(() => new ExternalAuthorization(shop, 'a', { provider: ExtAuthzProvider.fromName('corp'), meshConfig, selector: web() }))
      .toThrow("MeshConfig 'mesh/mesh-config': invalid extensionProviders[0] \"corp\": a provider known by name only (ExtAuthzProvider.fromName) cannot be registered");
  });

  test('fails synth when the app has a MeshConfig that does not declare the provider', () => {
    const { shop } = setup();
    new ExternalAuthorization(shop, 'a', { provider: ExtAuthzProvider.fromName('corp-authz'), selector: web() });
    expect(() => Testing.synth(shop)).toThrow(
      "ExternalAuthorization 'shop/a': invalid provider \"corp-authz\": no MeshConfig of the app declares extension provider \"corp-authz\" ('mesh/mesh-config' declares none; istiod adds envoy, prometheus, stackdriver), so istiod ignores the reference: register it with meshConfig.addExtensionProvider(), or fix the name (or pass it here with the meshConfig prop)");
  });

  test('fails synth when the provider of that name is no external authorizer', () => {
    const { shop, meshConfig } = setup();
    meshConfig.addExtensionProvider(ExtAuthzProvider.opa());
    new ExternalAuthorization(shop, 'a', { provider: ExtAuthzProvider.fromName('prometheus'), selector: web() });
    new ExternalAuthorization(shop, 'b', { provider: ExtAuthzProvider.fromName('opa'), selector: WorkloadSelector.fromLabels({ app: 'b' }) });
    expect(() => Testing.synth(shop)).toThrow(
      "ExternalAuthorization 'shop/a': invalid provider \"prometheus\": \"prometheus\" is Istio's built-in metrics provider, not an external authorization (envoyExtAuthzHttp/envoyExtAuthzGrpc) provider");
    expect(() => Testing.synth(shop)).not.toThrow(/shop\/b/);
  });
});
