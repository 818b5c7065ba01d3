import { analyze, app, findings, istio, service, single } from './fixtures';
import { FindingLevel } from '../../../src/validation/findings';

const route = (host: string, extra: Record<string, any> = {}) => ({ route: [{ destination: { host, ...extra } }] });
const vs = (name: string, spec: any, ns?: string) => istio('VirtualService', name, spec, ns);
const gateway = (name: string, hosts: string[], ns?: string, port = 8080) =>
  istio('Gateway', name, { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: port, name: 'http', protocol: 'HTTP' }, hosts }] }, ns);

describe('IST0101 ReferencedResourceNotFound (VirtualService)', () => {
  test('fails validation when a gateway is not found', () => {
    const f = single([...app('reviews'), vs('reviews', { hosts: ['*'], gateways: ['bookinfo-gateway'], http: [route('reviews')] })], 'IST0101');
    expect(f).toMatchObject({ level: FindingLevel.ERROR, kind: 'VirtualService', name: 'reviews', field: 'spec.gateways[0]' });
    expect(f.message).toBe('Referenced gateway not found: "bookinfo-gateway"');
  });

  test('passes when the gateway exists, by short, namespaced or legacy name', () => {
    const objects = [
      ...app('reviews'),
      gateway('gw', ['*']),
      gateway('shared', ['*'], 'istio-system', 8443),
      vs('reviews', { hosts: ['*'], gateways: ['gw', 'istio-system/shared', 'shared.istio-system', 'mesh'], http: [route('reviews')] }),
    ];
    expect(findings(objects, 'IST0101')).toEqual([]);
  });

  test('fails validation when a destination host is not found', () => {
    const f = single([...app('reviews'), vs('reviews', { hosts: ['reviews'], http: [route('reveiws')] })], 'IST0101');
    expect(f).toMatchObject({ level: FindingLevel.ERROR, field: 'spec.http[0].route[0].destination.host' });
    // a near miss of a known Service name: the message says what was most likely meant
    expect(f.message).toBe('Referenced host not found: "reveiws"; did you mean "reviews"?');
  });

  test('fails validation when a tcp or tls destination host is not found', () => {
    const objects = [
      ...app('db'),
      vs('db', { hosts: ['db'], tcp: [route('dbb')], tls: [{ match: [{ sniHosts: ['db'] }], ...route('db2') }] }),
    ];
    expect(findings(objects, 'IST0101').map(f => f.field)).toEqual(['spec.tcp[0].route[0].destination.host', 'spec.tls[0].route[0].destination.host']);
  });

  test('resolves short names, FQDNs of other namespaces, ServiceEntry hosts and wildcard ServiceEntries', () => {
    const objects = [
      ...app('reviews'),
      ...app('ratings', { ns: 'other' }),
      istio('ServiceEntry', 'ext', { hosts: ['api.example.com'], ports: [{ number: 443, name: 'tls', protocol: 'TLS' }], resolution: 'DNS' }),
      istio('ServiceEntry', 'wild', { hosts: ['*.googleapis.com'], ports: [{ number: 443, name: 'tls', protocol: 'TLS' }], resolution: 'NONE' }),
      vs('reviews', {
        hosts: ['reviews'],
        http: [
          { match: [{ uri: { prefix: '/a' } }], ...route('ratings.other.svc.cluster.local') },
          { match: [{ uri: { prefix: '/b' } }], ...route('api.example.com') },
          { match: [{ uri: { prefix: '/c' } }], ...route('storage.googleapis.com') },
          route('reviews'),
        ],
      }),
    ];
    expect(findings(objects, 'IST0101')).toEqual([]);
  });

  test('fails validation when the Service is not exported to the VirtualService namespace', () => {
    const objects = [
      service('private', { ns: 'team-a', annotations: { 'networking.istio.io/exportTo': '.' } }),
      vs('caller', { hosts: ['caller'], http: [route('private.team-a.svc.cluster.local')] }, 'team-b'),
      ...app('caller', { ns: 'team-b' }),
    ];
    expect(single(objects, 'IST0101').message).toBe('Referenced host not found: "private.team-a.svc.cluster.local"; Service team-a/private defines it but is not exported to namespace team-b');
  });

  test('fails validation when a mirror host is not found', () => {
    const objects = [...app('reviews'), vs('reviews', { hosts: ['reviews'], http: [{ ...route('reviews'), mirror: { host: 'shadow' }, mirrors: [{ destination: { host: 'reviews' } }] }] })];
    const f = single(objects, 'IST0101');
    expect(f.field).toBe('spec.http[0].mirror.host');
    expect(f.message).toBe('Referenced mirror host not found: "shadow"');
  });

  test('fails validation when a destination port is not a port of the Service', () => {
    const f = single([...app('reviews'), vs('reviews', { hosts: ['reviews'], http: [route('reviews', { port: { number: 9090 } })] })], 'IST0101');
    expect(f).toMatchObject({ level: FindingLevel.ERROR, field: 'spec.http[0].route[0].destination.port.number' });
    expect(f.message).toBe('Referenced host:port not found: "reviews:9090"');
  });

  test('fails validation when a subset is defined by no DestinationRule', () => {
    const objects = [
      ...app('reviews'),
      istio('DestinationRule', 'reviews', { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] }),
      vs('reviews', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 90 }, { destination: { host: 'reviews', subset: 'v9' }, weight: 10 }] }] }),
    ];
    const f = single(objects, 'IST0101');
    expect(f).toMatchObject({ level: FindingLevel.ERROR, field: 'spec.http[0].route[1].destination.subset' });
    expect(f.message).toBe('Referenced host+subset in destinationrule not found: "reviews+v9"');
  });

  test('finds subsets of a DestinationRule written with the FQDN in another namespace', () => {
    const objects = [
      ...app('reviews'),
      istio('DestinationRule', 'reviews', { host: 'reviews.default.svc.cluster.local', subsets: [{ name: 'v1', labels: { version: 'v1' } }] }, 'istio-system'),
      vs('reviews', { hosts: ['reviews'], http: [route('reviews', { subset: 'v1' })] }),
    ];
    expect(findings(objects, 'IST0101')).toEqual([]);
  });

  test('fails validation when a mirror subset is defined by no DestinationRule', () => {
    const objects = [...app('reviews'), vs('reviews', { hosts: ['reviews'], http: [{ ...route('reviews'), mirror: { host: 'reviews', subset: 'v2' } }] })];
    expect(single(objects, 'IST0101').message).toBe('Referenced mirror+subset in destinationrule not found: "reviews+v2"');
  });
});

describe('IST0112 VirtualServiceDestinationPortSelectorRequired', () => {
  const twoPorts = [{ name: 'http', port: 9080 }, { name: 'grpc', port: 9090 }];

  test('fails validation when the Service has several ports and the destination names none', () => {
    const f = single([...app('reviews', { ports: twoPorts }), vs('reviews', { hosts: ['reviews'], http: [route('reviews')] })], 'IST0112');
    expect(f).toMatchObject({ level: FindingLevel.ERROR, field: 'spec.http[0].route[0].destination.host' });
    expect(f.message).toBe('This VirtualService routes to a service "reviews" that exposes multiple ports [9080 9090]. Specifying a port in the destination is required to disambiguate.');
  });

  test('passes when the destination names the port', () => {
    expect(findings([...app('reviews', { ports: twoPorts }), vs('reviews', { hosts: ['reviews'], http: [route('reviews', { port: { number: 9090 } })] })], 'IST0112')).toEqual([]);
  });
});

describe('IST0132 VirtualServiceHostNotFoundInGateway', () => {
  test('fails validation when no host of the VirtualService is served by the gateway', () => {
    const objects = [...app('web'), gateway('gw', ['shop.example.com']), vs('web', { hosts: ['blog.example.com'], gateways: ['gw'], http: [route('web')] })];
    const f = single(objects, 'IST0132');
    expect(f).toMatchObject({ level: FindingLevel.WARNING, field: 'spec.gateways[0]' });
    expect(f.message).toBe('one or more host [blog.example.com] defined in VirtualService default/web not found in Gateway default/gw.');
  });

  test('passes with a wildcard or namespaced gateway host', () => {
    const objects = [
      ...app('web'),
      gateway('gw', ['default/*.example.com'], 'istio-system'),
      vs('web', { hosts: ['blog.example.com'], gateways: ['istio-system/gw'], http: [route('web')] }),
    ];
    expect(findings(objects, 'IST0132')).toEqual([]);
  });

  test('a gateway shared by many VirtualServices: exact, `*.suffix`, `*suffix` and wildcard VirtualService hosts', () => {
    const hosts = [...Array.from({ length: 50 }, (_, i) => `svc-${i}.example.com`), '*.shop.example.com', '*blog.example.org'];
    const bind = (name: string, host: string) => vs(name, { hosts: [host], gateways: ['gw'], http: [route('web')] });
    const served = [
      bind('exact', 'svc-7.example.com'), bind('sub', 'eu.shop.example.com'), bind('star-suffix', 'myblog.example.org'),
      bind('wild-inside', '*.eu.shop.example.com'), bind('wild-covering', '*.example.com'),
    ];
    const unserved = [bind('other', 'svc-7.example.net'), bind('parent', 'shop.example.com'), bind('wild-other', '*.example.net')];
    const found = findings([...app('web'), gateway('gw', hosts), ...served, ...unserved], 'IST0132');
    expect(found.map(f => f.name).sort()).toEqual(['other', 'parent', 'wild-other']);
  });

  test('fails validation when the gateway host is reserved for another namespace', () => {
    const objects = [...app('web'), gateway('gw', ['team-a/*'], 'istio-system'), vs('web', { hosts: ['blog.example.com'], gateways: ['istio-system/gw'], http: [route('web')] })];
    expect(single(objects, 'IST0132').level).toBe(FindingLevel.WARNING);
  });
});

describe('IST0109 ConflictingMeshGatewayVirtualServiceHosts', () => {
  test('fails validation when two mesh VirtualServices define the same host', () => {
    const objects = [
      ...app('reviews'),
      vs('reviews-a', { hosts: ['reviews'], http: [route('reviews')] }),
      vs('reviews-b', { hosts: ['reviews.default.svc.cluster.local'], gateways: ['mesh'], http: [route('reviews')] }),
    ];
    const found = findings(objects, 'IST0109');
    expect(found.map(f => f.name)).toEqual(['reviews-a', 'reviews-b']);
    expect(found[0].level).toBe(FindingLevel.ERROR);
    expect(found[0].message).toBe('The VirtualServices default/reviews-a,default/reviews-b associated with mesh gateway define the same host reviews.default.svc.cluster.local '
      + 'which can lead to undefined behavior. This can be fixed by merging the conflicting VirtualServices into a single resource.');
  });

  test('passes when one is gateway-only or they are exported to different namespaces', () => {
    const objects = [
      ...app('reviews'),
      istio('Gateway', 'gw', { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 8080, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] }),
      vs('reviews-a', { hosts: ['reviews'], http: [route('reviews')], exportTo: ['.'] }),
      vs('reviews-b', { hosts: ['reviews'], http: [route('reviews')], exportTo: ['team-b'] }),
      vs('reviews-c', { hosts: ['reviews'], gateways: ['gw'], http: [route('reviews')] }),
    ];
    expect(findings(objects, 'IST0109')).toEqual([]);
  });
});

describe('IST0140 IngressRouteRulesNotAffected', () => {
  const objects = (gatewayRoute: any) => [
    ...app('productpage'),
    istio('DestinationRule', 'productpage', { host: 'productpage', subsets: [{ name: 'v1', labels: { version: 'v1' } }] }),
    istio('Gateway', 'gw', { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 8080, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] }),
    vs('productpage', { hosts: ['productpage'], http: [route('productpage', { subset: 'v1' })] }),
    vs('ingress', { hosts: ['*'], gateways: ['gw'], http: [gatewayRoute] }),
  ];

  test('fails validation when a gateway route ignores the subset split of the mesh VirtualService', () => {
    const f = single(objects(route('productpage', { port: { number: 9080 } })), 'IST0140');
    expect(f).toMatchObject({ level: FindingLevel.WARNING, name: 'ingress', field: 'spec.http[0].route[0].destination.host' });
    expect(f.message).toBe('Subset in virtual service default/productpage has no effect on ingress gateway default/ingress requests');
  });

  test('passes when the gateway route names the subset itself', () => {
    expect(findings(objects(route('productpage', { subset: 'v1' })), 'IST0140')).toEqual([]);
  });
});

describe('IST0149 JwtClaimBasedRoutingWithoutRequestAuthN', () => {
  const objects = (extra: any[]) => [
    ...app('api'),
    istio('Gateway', 'gw', { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 8080, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] }),
    vs('api', { hosts: ['*'], gateways: ['gw'], http: [{ match: [{ headers: { '@request.auth.claims.group': { exact: 'admin' } } }], ...route('api') }] }),
    ...extra,
  ];

  test('fails validation when no RequestAuthentication applies to the gateway pods', () => {
    const f = single(objects([]), 'IST0149');
    expect(f).toMatchObject({ level: FindingLevel.ERROR, field: 'spec.http[0].match[0].headers' });
    expect(f.message).toBe('The virtual service uses the JWT claim based routing (key: @request.auth.claims.group) but found no request authentication for the gateway (default/gw) '
      + 'pod (istio-system/istio-ingressgateway). The request authentication must first be applied for the gateway pods to validate the JWT token and make the claims available for routing.');
  });

  test('passes with a RequestAuthentication on the gateway pods', () => {
    const ra = istio('RequestAuthentication', 'jwt', { selector: { matchLabels: { istio: 'ingressgateway' } }, jwtRules: [{ issuer: 'https://issuer.example.com' }] }, 'istio-system');
    expect(findings(objects([ra]), 'IST0149')).toEqual([]);
  });
});

describe('CDK8S-ISTIO-A001 resolution NONE through a gateway', () => {
  const egress = (resolution: string | undefined) => [
    istio('ServiceEntry', 'cnn', { hosts: ['edition.cnn.com'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], location: 'MESH_EXTERNAL', ...(resolution ? { resolution } : {}) }),
    istio('Gateway', 'egress', { selector: { istio: 'egressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['edition.cnn.com'] }] }, 'istio-system'),
    istio('DestinationRule', 'egressgateway', { host: 'istio-egressgateway.istio-system.svc.cluster.local', subsets: [{ name: 'cnn' }] }),
    vs('cnn', {
      hosts: ['edition.cnn.com'],
      gateways: ['istio-system/egress', 'mesh'],
      http: [
        { match: [{ gateways: ['mesh'], port: 80 }], ...route('istio-egressgateway.istio-system.svc.cluster.local', { subset: 'cnn', port: { number: 80 } }) },
        { match: [{ gateways: ['istio-system/egress'], port: 80 }], ...route('edition.cnn.com', { port: { number: 80 } }) },
      ],
    }),
  ];

  test('fails validation when a ServiceEntry with resolution NONE is routed through a gateway', () => {
    const f = single(egress('NONE'), 'CDK8S-ISTIO-A001');
    expect(f).toMatchObject({ level: FindingLevel.ERROR, kind: 'ServiceEntry', name: 'cnn', field: 'spec.resolution' });
    expect(f.message).toBe('ServiceEntry default/cnn has resolution NONE, but VirtualService default/cnn routes host "edition.cnn.com" through gateway "istio-system/egress". '
      + 'With resolution NONE a gateway forwards to the original destination address, which is the gateway itself, so the request loops. Use resolution: DNS (or STATIC with endpoints).');
  });

  test('fails validation when the resolution is left to its default (NONE)', () => {
    expect(single(egress(undefined), 'CDK8S-ISTIO-A001').message).toMatch(/^ServiceEntry default\/cnn has resolution NONE \(the default\), but/);
  });

  test('passes with resolution DNS (and the Istio egress task has no other finding)', () => {
    expect(analyze(egress('DNS'))).toEqual([]);
  });
});
