/**
 * Times the analyzer layer alone on a synthetic app of N services (default 5,000,
 * five objects each: Service, two Deployments, DestinationRule, VirtualService, so
 * ~25,000 objects), plus a Namespace per 50 services and one ingress Gateway and
 * VirtualService per namespace. Not a test: a measurement.
 *
 *   npx ts-node --transpile-only --project test/tsconfig.json test/validation/analyzer/bench.ts [N]
 */
import { CrossResourceAnalyzer } from '../../../src/validation/analyzer';

const N = Number(process.argv[2] ?? 5000);
const PER_NAMESPACE = 50;

function objects(): any[] {
  const out: any[] = [];
  for (let i = 0; i < N; i++) {
    const ns = `team-${Math.floor(i / PER_NAMESPACE)}`;
    const name = `svc-${i}`;
    if (i % PER_NAMESPACE === 0) {
      out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'istio-injection': 'enabled' } } });
      out.push({
        apiVersion: 'networking.istio.io/v1',
        kind: 'Gateway',
        metadata: { name: 'ingress', namespace: ns },
        spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 8080, name: 'http', protocol: 'HTTP' }, hosts: [`${ns}.example.com`] }] },
      });
      out.push({
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'ingress', namespace: ns },
        spec: { hosts: [`${ns}.example.com`], gateways: ['ingress'], http: [{ route: [{ destination: { host: name, port: { number: 8080 } } }] }] },
      });
    }
    const labels = { app: name };
    out.push({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { selector: labels, ports: [{ name: 'http', port: 8080, targetPort: 8080 }] } });
    for (const version of ['v1', 'v2']) {
      out.push({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: `${name}-${version}`, namespace: ns },
        spec: {
          selector: { matchLabels: { ...labels, version } },
          template: { metadata: { labels: { ...labels, version } }, spec: { containers: [{ name: 'app', image: `example/${name}:${version}`, securityContext: { runAsUser: 1000 } }] } },
        },
      });
    }
    out.push({
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name, namespace: ns },
      spec: { host: name, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } }, subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] },
    });
    out.push({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name, namespace: ns },
      spec: {
        hosts: [name],
        http: [
          { match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: [{ destination: { host: name, subset: 'v2' } }] },
          { route: [{ destination: { host: name, subset: 'v1' }, weight: 90 }, { destination: { host: name, subset: 'v2' }, weight: 10 }] },
        ],
      },
    });
  }
  return out;
}

const sources = objects().map(object => ({ object }));
const times: number[] = [];
let count = 0;
for (let round = 0; round < 6; round++) {
  const start = process.hrtime.bigint();
  count = CrossResourceAnalyzer.analyze(sources, { openWorld: round % 2 === 1 }).length;
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
}
const steady = times.slice(1).sort((a, b) => a - b);
console.log(`${sources.length} objects (${N} services): analyzer ${steady[Math.floor(steady.length / 2)].toFixed(0)} ms median `
  + `(first run ${times[0].toFixed(0)} ms, min ${steady[0].toFixed(0)} ms, max ${steady[steady.length - 1].toFixed(0)} ms), ${count} findings`);
