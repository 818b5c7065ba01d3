import { app, deployment, findings, istio, single } from './fixtures';
import { FindingLevel } from '../../../src/validation/findings';

const dr = (name: string, spec: any, ns?: string) => istio('DestinationRule', name, spec, ns);

describe('IST0128 / IST0129 NoServerCertificateVerification', () => {
  const external = istio('ServiceEntry', 'api', { hosts: ['api.example.com'], ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }], resolution: 'DNS' });

  test('fails validation when SIMPLE TLS has no caCertificates (destination level)', () => {
    const f = single([external, dr('api', { host: 'api.example.com', trafficPolicy: { tls: { mode: 'SIMPLE' } } })], 'IST0128');
    expect(f).toMatchObject({ level: FindingLevel.WARNING, kind: 'DestinationRule', field: 'spec.trafficPolicy.tls' });
    expect(f.message).toBe('DestinationRule default/api in namespace default has TLS mode set to SIMPLE but no caCertificates are set to validate server identity for host: api.example.com');
  });

  test('fails validation when MUTUAL TLS has no caCertificates (port level)', () => {
    const spec = { host: 'api.example.com', trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'MUTUAL', clientCertificate: '/c.pem', privateKey: '/k.pem' } }] } };
    const f = single([external, dr('api', spec)], 'IST0129');
    expect(f).toMatchObject({ level: FindingLevel.WARNING, field: 'spec.trafficPolicy.portLevelSettings[0].tls' });
    expect(f.message).toBe('DestinationRule default/api in namespace default has TLS mode set to MUTUAL but no caCertificates are set to validate server identity for host: api.example.com at port 443');
  });

  test('passes with caCertificates, a credentialName, or ISTIO_MUTUAL', () => {
    const objects = [
      external,
      dr('a', { host: 'api.example.com', trafficPolicy: { tls: { mode: 'SIMPLE', caCertificates: '/etc/ca.pem' } } }),
      dr('b', { host: 'api.example.com', trafficPolicy: { tls: { mode: 'MUTUAL', credentialName: 'api-client' } } }),
      dr('c', { host: 'api.example.com', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }),
    ];
    expect(findings(objects, 'IST0128')).toEqual([]);
  });
});

describe('IST0174 UnknownDestinationRuleHost', () => {
  test('fails validation when no Service or ServiceEntry defines the host', () => {
    const f = single([...app('reviews'), dr('reviews', { host: 'reveiws' })], 'IST0174');
    expect(f).toMatchObject({ level: FindingLevel.WARNING, field: 'spec.host' });
    expect(f.message).toBe('The host reveiws defined in the DestinationRule does not match any services in the mesh. Did you mean "reviews"?');
  });

  test('passes for a Service, a ServiceEntry host, and the default installation\'s gateways', () => {
    const objects = [
      ...app('reviews'),
      istio('ServiceEntry', 'wild', { hosts: ['*.example.com'], ports: [{ number: 443, name: 'tls', protocol: 'TLS' }], addresses: ['240.0.0.1'] }),
      dr('reviews', { host: 'reviews' }),
      dr('ext', { host: 'api.example.com' }),
      dr('egress', { host: 'istio-egressgateway.istio-system.svc.cluster.local' }),
    ];
    expect(findings(objects, 'IST0174')).toEqual([]);
  });
});

describe('IST0173 DestinationRuleSubsetNotSelectPods', () => {
  const subsets = [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }];

  test('fails validation when a subset selects no pod of the Service', () => {
    // a v2 pod of another app does not count: the subset's pods are the Service's pods
    const objects = [...app('reviews'), deployment('ratings-v2', { app: 'ratings', version: 'v2' }), dr('reviews', { host: 'reviews', subsets })];
    const f = single(objects, 'IST0173');
    expect(f).toMatchObject({ level: FindingLevel.ERROR, field: 'spec.subsets[1]' });
    expect(f.message).toBe('The Subset v2 defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream). The pods of reviews have version=v1.');
  });

  test('is Info in an open world (versions are often rolled out separately)', () => {
    const objects = [...app('reviews'), dr('reviews', { host: 'reviews', subsets })];
    expect(single(objects, 'IST0173', { openWorld: true }).level).toBe(FindingLevel.INFO);
  });

  test('passes when every subset selects a pod', () => {
    const objects = [...app('reviews'), deployment('reviews-v2', { app: 'reviews', version: 'v2' }), dr('reviews', { host: 'reviews', subsets })];
    expect(findings(objects, 'IST0173')).toEqual([]);
  });

  test('matches ServiceEntry endpoints and workloadSelector', () => {
    const objects = [
      istio('ServiceEntry', 'vm', { hosts: ['vm.example.com'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], resolution: 'STATIC', endpoints: [{ address: '10.0.0.1', labels: { version: 'v1' } }] }),
      istio('ServiceEntry', 'mesh', { hosts: ['mesh.example.com'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], workloadSelector: { labels: { app: 'legacy' } } }),
      istio('WorkloadEntry', 'legacy-v2', { address: '10.0.0.2', labels: { app: 'legacy', version: 'v2' } }),
      dr('vm', { host: 'vm.example.com', subsets: [{ name: 'v1', labels: { version: 'v1' } }] }),
      dr('mesh', { host: 'mesh.example.com', subsets: [{ name: 'v2', labels: { version: 'v2' } }, { name: 'v3', labels: { version: 'v3' } }] }),
    ];
    expect(findings(objects, 'IST0173').map(f => `${f.name} ${f.field}`)).toEqual(['mesh spec.subsets[1]']);
  });
});
