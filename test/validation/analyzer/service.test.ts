import { findings, istio, namespace, service, single } from './fixtures';
import { FindingLevel } from '../../../src/validation/findings';

describe('IST0118 PortNameIsNotUnderNamingConvention', () => {
  test('fails validation when Istio cannot read a protocol from the port', () => {
    const f = single([service('web', { ports: [{ name: 'web', port: 8080, targetPort: 'web-port' }] })], 'IST0118');
    expect(f).toMatchObject({ level: FindingLevel.INFO, kind: 'Service', field: 'spec.ports[0].name' });
    expect(f.message).toBe('Port name web (port: 8080, targetPort: web-port) doesn\'t follow the naming convention of Istio port.');
  });

  test('passes for name prefixes, appProtocol, UDP and server-first well-known ports', () => {
    const ports = [
      { name: 'http-web', port: 80 }, { name: 'GRPC', port: 81 }, { name: 'grpc-web-x', port: 82 }, { name: 'tcp', port: 83 },
      { name: 'web', port: 84, appProtocol: 'http' }, { name: 'dns', port: 85, protocol: 'UDP' }, { name: 'db', port: 3306 },
      { name: 'h2c', port: 86, appProtocol: 'kubernetes.io/h2c' },
    ];
    expect(findings([service('web', { ports })], 'IST0118')).toEqual([]);
  });

  test('skips system namespaces and Istio\'s own Services', () => {
    const objects = [
      service('dns', { ns: 'kube-system', ports: [{ name: 'dns', port: 5353 }] }),
      { ...service('gw', { ports: [{ name: 'status', port: 15021 }] }), metadata: { name: 'gw', labels: { istio: 'ingressgateway' } } },
    ];
    expect(findings(objects, 'IST0118')).toEqual([]);
  });
});

describe('IST0150 ExternalNameServiceTypeInvalidPortName', () => {
  test('fails validation when an ExternalName Service port is named tcp', () => {
    const f = single([service('db', { type: 'ExternalName', ports: [{ name: 'tcp', port: 5432 }] })], 'IST0150');
    expect(f.level).toBe(FindingLevel.WARNING);
    expect(f.message).toBe('Port name for ExternalName service is invalid. Proxy may prevent tcp named ports and unmatched traffic for ports serving TCP protocol from being forwarded correctly');
  });

  test('passes for a named protocol', () => {
    expect(findings([service('db', { type: 'ExternalName', ports: [{ name: 'tcp-postgres', port: 5432 }] })], 'IST0150')).toEqual([]);
  });
});

describe('IST0134 ServiceEntryAddressesRequired', () => {
  const se = (spec: any) => istio('ServiceEntry', 'db', { hosts: ['db.example.com'], resolution: 'DNS', ...spec });

  test('fails validation when a TCP (or unset protocol) port has no addresses', () => {
    const found = findings([se({ ports: [{ number: 5432, name: 'tcp-pg', protocol: 'TCP' }, { number: 5433, name: 'pg2' }, { number: 443, name: 'tls', protocol: 'TLS' }] })], 'IST0134');
    expect(found.map(f => f.field)).toEqual(['spec.ports[0].protocol', 'spec.ports[1].protocol']);
    expect(found[0]).toMatchObject({ level: FindingLevel.WARNING, message: 'ServiceEntry addresses are required for this protocol.' });
  });

  test('passes with addresses, or with DNS auto-allocation in the mesh config', () => {
    const tcp = { ports: [{ number: 5432, name: 'tcp-pg', protocol: 'TCP' }] };
    expect(findings([se({ ...tcp, addresses: ['240.240.0.1'] })], 'IST0134')).toEqual([]);
    const meshConfig = { defaultConfig: { proxyMetadata: { ISTIO_META_DNS_CAPTURE: 'true', ISTIO_META_DNS_AUTO_ALLOCATE: 'true' } } };
    expect(findings([se(tcp)], 'IST0134', { meshConfig })).toEqual([]);
  });

  test('reads the mesh config from an istio ConfigMap in the input', () => {
    const configMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'istio', namespace: 'istio-system' },
      data: { mesh: 'defaultConfig:\n  proxyMetadata:\n    ISTIO_META_DNS_CAPTURE: "true"\n    ISTIO_META_DNS_AUTO_ALLOCATE: "true"\n' },
    };
    expect(findings([configMap, se({ ports: [{ number: 5432, name: 'tcp-pg', protocol: 'TCP' }] })], 'IST0134')).toEqual([]);
  });
});

describe('IST0102 NamespaceNotInjected / IST0123 NamespaceMultipleInjectionLabels', () => {
  test('fails validation when a namespace has no injection label', () => {
    const f = single([namespace('shop')], 'IST0102');
    expect(f).toMatchObject({ level: FindingLevel.INFO, kind: 'Namespace', name: 'shop' });
    expect(f.message).toBe('The namespace is not enabled for Istio injection. Run \'kubectl label namespace shop istio-injection=enabled\' to enable it, '
      + 'or \'kubectl label namespace shop istio-injection=disabled\' to explicitly mark it as not needing injection.');
  });

  test('fails validation when a namespace has both injection labels', () => {
    const f = single([namespace('shop', { 'istio-injection': 'enabled', 'istio.io/rev': 'canary' })], 'IST0123');
    expect(f.level).toBe(FindingLevel.WARNING);
    expect(f.message).toBe('The namespace has more than one type of injection labels [istio-injection istio.io/rev], which may lead to undefined behavior. Make sure only one injection label exists.');
  });

  test('passes for injected, revision-labelled, ambient, disabled and system namespaces', () => {
    const objects = [
      namespace('a', { 'istio-injection': 'enabled' }), namespace('b', { 'istio.io/rev': 'canary' }), namespace('c', { 'istio.io/dataplane-mode': 'ambient' }),
      namespace('d', { 'istio-injection': 'disabled' }), namespace('istio-system'), namespace('kube-system'),
    ];
    expect(findings(objects, 'IST0102')).toEqual([]);
    expect(findings(objects, 'IST0123')).toEqual([]);
  });
});
