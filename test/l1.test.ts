import { Testing } from 'cdk8s';
import { extensions, gatewayApi, gatewayApiX, networking, security, telemetry } from '../src';
import { findObject, synthValid } from './util';

describe('L1 (imports/, generated from the vendored crds/)', () => {
  test('one namespace per API group, at the newest served version', () => {
    expect(networking.VirtualService.GVK).toEqual({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService' });
    expect(networking.EnvoyFilter.GVK.apiVersion).toBe('networking.istio.io/v1alpha3');
    expect(networking.ProxyConfig.GVK.apiVersion).toBe('networking.istio.io/v1beta1');
    expect(security.AuthorizationPolicy.GVK.apiVersion).toBe('security.istio.io/v1');
    expect(telemetry.Telemetry.GVK.apiVersion).toBe('telemetry.istio.io/v1');
    expect(extensions.WasmPlugin.GVK.apiVersion).toBe('extensions.istio.io/v1alpha1');
    expect(gatewayApi.Gateway.GVK).toEqual({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway' });
    expect(gatewayApi.ReferenceGrant.GVK.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(gatewayApiX.XMesh.GVK.apiVersion).toBe('gateway.networking.x-k8s.io/v1alpha1');
  });

  test('fields are written by their JSON names, not the proto aliases the CRDs also accept', () => {
    const chart = Testing.chart();
    new security.RequestAuthentication(chart, 'jwt', {
      metadata: { name: 'jwt' },
      spec: { jwtRules: [{ issuer: 'https://issuer.example.com', jwksUri: 'https://issuer.example.com/jwks.json' }] },
    });
    new networking.VirtualService(chart, 'vs', {
      metadata: { name: 'vs' },
      spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }], mirror: { host: 'reviews' }, mirrorPercent: 5 }] },
    });
    const manifests = synthValid(chart, { suppress: ['CDK8S-ISTIO-W132'] });
    expect(findObject(manifests, 'RequestAuthentication').spec.jwtRules[0]).toEqual({ issuer: 'https://issuer.example.com', jwksUri: 'https://issuer.example.com/jwks.json' });
    expect(findObject(manifests, 'VirtualService').spec.http[0].mirrorPercent).toBe(5);
  });

  test('Istio\'s Gateway and the Gateway API\'s Gateway never collide', () => {
    const chart = Testing.chart();
    new networking.Gateway(chart, 'istio', { metadata: { name: 'public' }, spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] } });
    new gatewayApi.Gateway(chart, 'k8s', { metadata: { name: 'public' }, spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } });
    const manifests = synthValid(chart);
    expect(manifests.map(m => m.apiVersion).sort()).toEqual(['gateway.networking.k8s.io/v1', 'networking.istio.io/v1']);
  });
});
