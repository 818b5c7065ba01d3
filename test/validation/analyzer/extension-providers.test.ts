import { findings, istio, single } from './fixtures';
import { FindingLevel } from '../../../src/validation/findings';

const custom = (name: string, provider: string | undefined, ns = 'shop') =>
  istio('AuthorizationPolicy', name, { selector: { matchLabels: { app: 'web' } }, action: 'CUSTOM', ...(provider !== undefined ? { provider: { name: provider } } : {}), rules: [{}] }, ns);
const meshConfigMap = (mesh: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio', namespace: 'istio-system' }, data: { mesh } });
const OAUTH2_PROXY = 'extensionProviders:\n- name: oauth2-proxy\n  envoyExtAuthzHttp: {service: oauth2-proxy.auth.svc.cluster.local, port: 4180}\n'
  + '- name: otel\n  opentelemetry: {service: otel.obs.svc.cluster.local, port: 4317}\n';

describe('CDK8S-ISTIO-A030 UnknownExtensionProvider', () => {
  test('warns about a CUSTOM policy whose provider the mesh config does not declare, with a near miss', () => {
    const f = single([meshConfigMap(OAUTH2_PROXY), custom('login', 'oauth2proxy')], 'CDK8S-ISTIO-A030');
    expect(f).toMatchObject({ level: FindingLevel.WARNING, kind: 'AuthorizationPolicy', name: 'login', namespace: 'shop', field: 'spec.provider.name' });
    expect(f.message).toBe('The AuthorizationPolicy login in namespace "shop" uses provider "oauth2proxy" with action CUSTOM, which is not an extension provider of the mesh config '
      + '(external authorizers: [oauth2-proxy]): istiod cannot send the matched requests to it, and they are denied. '
      + 'Add an envoyExtAuthzHttp or envoyExtAuthzGrpc entry of that name to the mesh config\'s extensionProviders, or fix the name (did you mean "oauth2-proxy"?).');
  });

  test('warns about a provider that is no external authorizer', () => {
    const f = single([meshConfigMap(OAUTH2_PROXY), custom('login', 'otel')], 'CDK8S-ISTIO-A030');
    expect(f.message).toBe('The AuthorizationPolicy login in namespace "shop" uses provider "otel" with action CUSTOM, but that extension provider of the mesh config is opentelemetry, '
      + 'not an external authorizer: name an envoyExtAuthzHttp or envoyExtAuthzGrpc provider.');
  });

  test('closed world without a mesh config (Istio\'s default has no extension providers): a warning', () => {
    expect(single([custom('login', 'oauth2-proxy')], 'CDK8S-ISTIO-A030').level).toBe(FindingLevel.WARNING);
  });

  test('open world without a mesh config: Info (the cluster\'s mesh config may declare it); with one in the input: a warning', () => {
    expect(single([custom('login', 'oauth2-proxy')], 'CDK8S-ISTIO-A030', { openWorld: true }).level).toBe(FindingLevel.INFO);
    expect(single([meshConfigMap(OAUTH2_PROXY), custom('login', 'opa')], 'CDK8S-ISTIO-A030', { openWorld: true }).level).toBe(FindingLevel.WARNING);
  });

  test('passes for a declared authorizer (ConfigMap or meshConfig option), for ALLOW/DENY policies, and leaves a missing name to W401', () => {
    expect(findings([meshConfigMap(OAUTH2_PROXY), custom('login', 'oauth2-proxy')], 'CDK8S-ISTIO-A030')).toEqual([]);
    const meshConfig = { extensionProviders: [{ name: 'opa', envoyExtAuthzGrpc: { service: 'opa.opa.svc.cluster.local', port: 9191 } }] };
    expect(findings([custom('login', 'opa')], 'CDK8S-ISTIO-A030', { meshConfig })).toEqual([]);
    expect(findings([istio('AuthorizationPolicy', 'allow', { action: 'ALLOW', rules: [{}] }, 'shop')], 'CDK8S-ISTIO-A030')).toEqual([]);
    expect(findings([custom('login', undefined)], 'CDK8S-ISTIO-A030')).toEqual([]);
  });
});
