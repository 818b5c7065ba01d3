import { analyze, deployment, findings, istio, single } from './fixtures';
import { FindingLevel } from '../../../src/validation/findings';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUa\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\n-----END PRIVATE KEY-----\n';
const b64 = (s: string) => Buffer.from(s).toString('base64');

const https = (hosts: string[], tls: any) => ({ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts, tls: { mode: 'SIMPLE', ...tls } });
const gateway = (name: string, servers: any[], opts: { ns?: string; selector?: Record<string, string> } = {}) =>
  istio('Gateway', name, { selector: opts.selector ?? { istio: 'ingressgateway' }, servers }, opts.ns);
const secret = (name: string, ns: string, data: Record<string, string>, stringData = false) =>
  ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns }, type: 'kubernetes.io/tls', ...(stringData ? { stringData: data } : { data }) });
const tlsSecret = (name: string, ns = 'istio-system') => secret(name, ns, { 'tls.crt': b64(PEM), 'tls.key': b64(KEY) });

describe('IST0138 GatewayDuplicateCertificate', () => {
  test('warns when servers of two Gateways of the same pods share a credentialName', () => {
    const objects = [
      gateway('shop', [https(['shop.example.com'], { credentialName: 'wildcard' })]),
      gateway('blog', [https(['blog.example.com'], { credentialName: 'wildcard' })], { ns: 'blog' }),
    ];
    const found = findings(objects, 'IST0138');
    expect(found.map(f => [f.name, f.level, f.field])).toEqual([
      ['shop', FindingLevel.WARNING, 'spec.servers[0].tls.credentialName'],
      ['blog', FindingLevel.WARNING, 'spec.servers[0].tls.credentialName'],
    ]);
    expect(found[0].message).toBe('Duplicate certificate in multiple gateways [default/shop blog/blog] may cause 404s if clients re-use HTTP2 connections. '
      + 'Serve the hosts that share the certificate from one Gateway server, or give each Gateway its own certificate.');
  });

  test('warns for the same certificate and key files, and for a Gateway whose selector is a superset', () => {
    const files = { serverCertificate: '/etc/certs/tls.crt', privateKey: '/etc/certs/tls.key' };
    const objects = [
      gateway('a', [https(['a.example.com'], files)]),
      gateway('b', [https(['b.example.com'], files)], { selector: { istio: 'ingressgateway', app: 'istio-ingressgateway' } }),
    ];
    expect(findings(objects, 'IST0138').map(f => f.name)).toEqual(['a']);
  });

  test('passes for one Gateway serving several hosts with one certificate, distinct certificates, and other gateway pods', () => {
    const objects = [
      gateway('shop', [https(['shop.example.com'], { credentialName: 'wildcard' }), https(['api.example.com'], { credentialName: 'wildcard' })]),
      gateway('blog', [https(['blog.example.com'], { credentialName: 'blog-cert' })]),
      gateway('egress', [https(['x.example.com'], { credentialName: 'wildcard' })], { selector: { istio: 'egressgateway' } }),
    ];
    expect(findings(objects, 'IST0138')).toEqual([]);
  });
});

describe('IST0161 InvalidGatewayCredential', () => {
  test('fails validation when the Secret in the gateway pods\' namespace lacks tls.crt and tls.key', () => {
    const objects = [gateway('shop', [https(['shop.example.com'], { credentialName: 'shop-cert' })]), secret('shop-cert', 'istio-system', { 'ca.crt': b64(PEM) })];
    const f = single(objects, 'IST0161');
    expect(f).toMatchObject({ level: FindingLevel.ERROR, kind: 'Gateway', name: 'shop', field: 'spec.servers[0].tls.credentialName' });
    expect(f.message).toBe('The credential referenced by the Gateway shop in namespace istio-system is invalid, which can cause the traffic not to work as expected. '
      + 'Secret istio-system/shop-cert has neither tls.crt and tls.key nor cert and key: it needs tls.crt and tls.key (or cert and key) holding a PEM certificate and its key.');
  });

  test('fails validation when the certificate is not PEM', () => {
    const objects = [gateway('shop', [https(['shop.example.com'], { credentialName: 'shop-cert' })]), secret('shop-cert', 'istio-system', { cert: 'not a cert', key: KEY }, true)];
    expect(single(objects, 'IST0161').message).toContain('holds no PEM certificate in cert');
  });

  test('passes for a tls Secret (data or stringData), a generic cert/key Secret, and a cert-manager Certificate', () => {
    const objects = [
      gateway('a', [https(['a.example.com'], { credentialName: 'a-cert' })]),
      gateway('b', [https(['b.example.com'], { credentialName: 'b-cert' })]),
      gateway('c', [https(['c.example.com'], { credentialName: 'c-cert' })]),
      gateway('d', [https(['d.example.com'], { credentialName: 'd-cert' })]),
      tlsSecret('a-cert'),
      secret('b-cert', 'istio-system', { 'tls.crt': PEM, 'tls.key': KEY }, true),
      secret('c-cert', 'istio-system', { cert: b64(PEM), key: b64(KEY) }),
      { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'd', namespace: 'istio-system' }, spec: { secretName: 'd-cert', dnsNames: ['d.example.com'] } },
    ];
    expect(analyze(objects).filter(f => f.code === 'IST0161' || f.code === 'IST0101')).toEqual([]);
  });

  test('reads the Secret in the namespace of the gateway pods, not of the Gateway', () => {
    const objects = [
      deployment('edge', { app: 'edge', istio: 'edge' }, { ns: 'edge' }),
      gateway('shop', [https(['shop.example.com'], { credentialName: 'shop-cert' })], { ns: 'shop', selector: { istio: 'edge' } }),
      tlsSecret('shop-cert', 'edge'),
      secret('shop-cert', 'shop', {}),
    ];
    expect(analyze(objects).filter(f => ['IST0161', 'IST0101'].includes(f.code))).toEqual([]);
  });

  test('reads it where the input\'s own gateway pods run, not where the assumed default installation\'s would', () => {
    const objects = [
      deployment('ingress', { app: 'ingress', istio: 'ingressgateway' }, { ns: 'istio-ingress' }),
      gateway('shop', [https(['shop.example.com'], { credentialName: 'shop-cert' })], { ns: 'istio-ingress' }),
      tlsSecret('shop-cert', 'istio-ingress'),
    ];
    for (const openWorld of [false, true]) {
      expect(analyze(objects, { openWorld }).filter(f => ['IST0161', 'IST0101'].includes(f.code))).toEqual([]);
    }
  });
});

describe('IST0101 ReferencedResourceNotFound (credentialName)', () => {
  const gw = gateway('shop', [https(['shop.example.com'], { credentialName: 'shop-cert' })], { ns: 'shop' });

  test('is Info when the input holds no Secret of the gateway pods\' namespace (closed and open world)', () => {
    for (const openWorld of [false, true]) {
      const f = single([gw], 'IST0101', { openWorld });
      expect(f).toMatchObject({ level: FindingLevel.INFO, field: 'spec.servers[0].tls.credentialName' });
      expect(f.message).toContain('Referenced credentialName not found: "shop-cert"');
    }
  });

  test('is a Warning in a closed world whose input manages Secrets of that namespace, Info in an open world', () => {
    expect(single([gw, tlsSecret('other-cert')], 'IST0101').level).toBe(FindingLevel.WARNING);
    expect(single([gw, tlsSecret('other-cert')], 'IST0101', { openWorld: true }).level).toBe(FindingLevel.INFO);
  });

  test('is not a near miss when the names differ only in digits', () => {
    expect(single([gateway('shop', [https(['shop.example.com'], { credentialName: 'shop-v2' })], { ns: 'shop' }), tlsSecret('shop-v1')], 'IST0101').level)
      .toBe(FindingLevel.WARNING);
  });

  test('fails validation for a near miss, or for the Secret put in the Gateway\'s namespace, in either world', () => {
    for (const openWorld of [false, true]) {
      const typo = single([gw, tlsSecret('shop-certs')], 'IST0101', { openWorld });
      expect(typo.level).toBe(FindingLevel.ERROR);
      expect(typo.message).toContain('did you mean "shop-certs"?');
      const misplaced = single([gw, tlsSecret('shop-cert', 'shop')], 'IST0101', { openWorld });
      expect(misplaced.level).toBe(FindingLevel.ERROR);
      expect(misplaced.message).toContain('create the Secret in istio-system');
    }
  });
});
