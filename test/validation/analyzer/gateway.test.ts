import { deployment, findings, istio, service, single } from './fixtures';
import { FindingLevel } from '../../../src/validation/findings';

const server = (port: number, hosts: string[]) => ({ port: { number: port, name: `http-${port}`, protocol: 'HTTP' }, hosts });
const gateway = (name: string, selector: Record<string, string>, servers: any[], ns?: string) => istio('Gateway', name, { selector, servers }, ns);

describe('IST0101 ReferencedResourceNotFound (Gateway selector)', () => {
  test('fails validation when the selector selects no workload', () => {
    const f = single([gateway('gw', { istio: 'ingress' }, [server(8080, ['*'])])], 'IST0101');
    expect(f).toMatchObject({ level: FindingLevel.ERROR, kind: 'Gateway', field: 'spec.selector' });
    expect(f.message).toBe('Referenced selector not found: "istio=ingress" (the workloads have istio=egressgateway, ingressgateway, pilot)');
  });

  test('passes for the default ingress gateway and for an own gateway deployment in any namespace', () => {
    const objects = [
      gateway('default', { istio: 'ingressgateway' }, [server(8080, ['*'])]),
      deployment('edge', { app: 'edge', istio: 'edge' }, { ns: 'edge' }),
      service('edge', { ns: 'edge', selector: { istio: 'edge' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] }),
      gateway('own', { istio: 'edge' }, [server(80, ['*'])]),
    ];
    expect(findings(objects, 'IST0101')).toEqual([]);
    expect(findings(objects, 'IST0162')).toEqual([]);
  });
});

describe('IST0162 GatewayPortNotDefinedOnService', () => {
  test('fails validation when no Service of the gateway pods exposes the server port', () => {
    const f = single([gateway('gw', { istio: 'ingressgateway' }, [server(8080, ['*']), server(9000, ['*'])])], 'IST0162');
    expect(f).toMatchObject({ level: FindingLevel.WARNING, field: 'spec.servers[1].port.number' });
    expect(f.message).toBe('The gateway is listening on a target port (port 9000) that is not defined in the Service associated with its workload instances (Pod selector istio=ingressgateway). '
      + 'If you need to access the gateway port through the gateway Service, it will not be available.');
  });

  test('passes for the Service port (80) and its targetPort (8080)', () => {
    expect(findings([gateway('gw', { istio: 'ingressgateway' }, [server(80, ['a.example.com']), server(8080, ['b.example.com'])])], 'IST0162')).toEqual([]);
  });
});

describe('IST0145 ConflictingGateways', () => {
  test('fails validation when two gateways serve the same host on the same port of the same workloads', () => {
    const objects = [
      gateway('a', { istio: 'ingressgateway' }, [server(8080, ['shop.example.com'])]),
      gateway('b', { istio: 'ingressgateway' }, [server(8443, ['other.example.com']), server(8080, ['*.example.com'])]),
    ];
    const found = findings(objects, 'IST0145');
    expect(found.map(f => `${f.name} ${f.field}`)).toEqual(['a spec.servers[0]', 'b spec.servers[1]']);
    expect(found[0].level).toBe(FindingLevel.ERROR);
    expect(found[0].message).toBe('Conflict with gateways default/b (workload selector istio=ingressgateway, port 8080, hosts shop.example.com).');
  });

  test('passes for distinct hosts, ports or selectors', () => {
    const objects = [
      gateway('a', { istio: 'ingressgateway' }, [server(8080, ['shop.example.com'])]),
      gateway('b', { istio: 'ingressgateway' }, [server(8080, ['blog.example.com']), server(8443, ['shop.example.com'])]),
      gateway('c', { istio: 'egressgateway' }, [server(8080, ['shop.example.com'])]),
    ];
    expect(findings(objects, 'IST0145')).toEqual([]);
  });
});
