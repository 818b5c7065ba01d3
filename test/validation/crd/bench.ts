/**
 * Not a test: times the CRD layer on a synthetic mesh of 5,000 services (20,000 objects:
 * VirtualService, DestinationRule, AuthorizationPolicy, HTTPRoute per service).
 *
 *   npx ts-node --transpile-only --project test/tsconfig.json test/validation/crd/bench.ts [services]
 */
import { CrdValidator } from '../../../src/validation/crd';

function objects(i: number): any[] {
  const ns = `ns-${i % 50}`;
  const svc = `svc-${i}`;
  return [
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: svc, namespace: ns, labels: { app: svc } },
      spec: {
        hosts: [svc],
        http: [{
          match: [{ uri: { prefix: '/api' }, headers: { 'x-user': { exact: 'jason' } } }],
          timeout: '10s',
          retries: { attempts: 3, perTryTimeout: '2s' },
          route: [{ destination: { host: svc, subset: 'v1', port: { number: 8080 } }, weight: 90 }, { destination: { host: svc, subset: 'v2' }, weight: 10 }],
        }, { route: [{ destination: { host: svc, subset: 'v1' } }] }],
      },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: svc, namespace: ns },
      spec: {
        host: svc,
        trafficPolicy: {
          tls: { mode: 'ISTIO_MUTUAL' },
          connectionPool: { tcp: { maxConnections: 100, connectTimeout: '30ms' }, http: { idleTimeout: '60s' } },
          outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s' },
        },
        subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }],
      },
    },
    {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: svc, namespace: ns },
      spec: {
        selector: { matchLabels: { app: svc } },
        action: 'ALLOW',
        rules: [{ from: [{ source: { principals: [`cluster.local/ns/${ns}/sa/client`] } }], to: [{ operation: { methods: ['GET'], paths: ['/api/*'] } }] }],
      },
    },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: svc, namespace: ns },
      spec: {
        parentRefs: [{ name: 'gw', namespace: 'istio-ingress' }],
        hostnames: [`${svc}.example.com`],
        rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: svc, port: 8080 }] }],
      },
    },
  ];
}

const services = Number(process.argv[2] ?? 5000);
const all: any[] = [];
for (let i = 0; i < services; i++) all.push(...objects(i));

let t = process.hrtime.bigint();
CrdValidator.validate(all[0]);
console.log(`first validation (data load, schema + rule compilation): ${(Number(process.hrtime.bigint() - t) / 1e6).toFixed(1)} ms`);
for (let round = 1; round <= 3; round++) {
  t = process.hrtime.bigint();
  let findings = 0;
  for (const o of all) findings += CrdValidator.validate(o).length;
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  console.log(`round ${round}: ${all.length} objects in ${ms.toFixed(0)} ms (${((ms * 1000) / all.length).toFixed(1)} µs/object), ${findings} findings`);
}
