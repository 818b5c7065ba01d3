import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { isDeepStrictEqual } from 'util';
import { App, Chart, Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { findingsOf, synthValid } from './util';
import { Protocol } from '../src/core/protocol';
import { EgressGateway, EgressTls } from '../src/patterns/egress-gateway';
import { EgressTraffic } from '../src/patterns/egress-traffic';

/**
 * The examples' output against the manifests of Istio's "Egress Gateways" task
 * (https://istio.io/latest/docs/tasks/traffic-management/egress/egress-gateway/),
 * as published in istio/istio.io `content/en/docs/tasks/traffic-management/egress/egress-gateway/`
 * (the task still writes `networking.istio.io/v1alpha3`, an older served version of
 * the same API; the library writes `v1`).
 *
 * The comparison looks at the specs, and ignores object names (a name the task uses
 * in a reference, such as the Gateway in `gateways`, is matched to ours), labels,
 * field order, and the fields the documented secure defaults add (SECURE_DEFAULT_FIELDS).
 * What remains is listed in EXPECTED, each with the reason, and asserted exactly.
 */

const EGW = 'istio-egressgateway.istio-system.svc.cluster.local';

/** The secure default that adds fields: the objects are exported to their namespace and the egress gateway's only. */
const SECURE_DEFAULT_FIELDS = ['exportTo'];

/** "Egress gateway for HTTP traffic". */
const HTTP_TASK = [
  {
    apiVersion: 'networking.istio.io/v1alpha3',
    kind: 'ServiceEntry',
    metadata: { name: 'cnn' },
    spec: {
      hosts: ['edition.cnn.com'],
      ports: [{ number: 80, name: 'http-port', protocol: 'HTTP' }, { number: 443, name: 'https', protocol: 'HTTPS' }],
      resolution: 'DNS',
    },
  },
  {
    apiVersion: 'networking.istio.io/v1alpha3',
    kind: 'Gateway',
    metadata: { name: 'istio-egressgateway' },
    spec: {
      selector: { istio: 'egressgateway' },
      servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['edition.cnn.com'] }],
    },
  },
  {
    apiVersion: 'networking.istio.io/v1alpha3',
    kind: 'DestinationRule',
    metadata: { name: 'egressgateway-for-cnn' },
    spec: { host: EGW, subsets: [{ name: 'cnn' }] },
  },
  {
    apiVersion: 'networking.istio.io/v1alpha3',
    kind: 'VirtualService',
    metadata: { name: 'direct-cnn-through-egress-gateway' },
    spec: {
      hosts: ['edition.cnn.com'],
      gateways: ['istio-egressgateway', 'mesh'],
      http: [
        {
          match: [{ gateways: ['mesh'], port: 80 }],
          route: [{ destination: { host: EGW, subset: 'cnn', port: { number: 80 } }, weight: 100 }],
        },
        {
          match: [{ gateways: ['istio-egressgateway'], port: 80 }],
          route: [{ destination: { host: 'edition.cnn.com', port: { number: 80 } }, weight: 100 }],
        },
      ],
    },
  },
];

/** "Egress gateway for HTTPS traffic". */
const HTTPS_TASK = [
  {
    apiVersion: 'networking.istio.io/v1alpha3',
    kind: 'ServiceEntry',
    metadata: { name: 'cnn' },
    spec: { hosts: ['edition.cnn.com'], ports: [{ number: 443, name: 'tls', protocol: 'TLS' }], resolution: 'DNS' },
  },
  {
    apiVersion: 'networking.istio.io/v1alpha3',
    kind: 'Gateway',
    metadata: { name: 'istio-egressgateway' },
    spec: {
      selector: { istio: 'egressgateway' },
      servers: [{ port: { number: 443, name: 'tls', protocol: 'TLS' }, hosts: ['edition.cnn.com'], tls: { mode: 'PASSTHROUGH' } }],
    },
  },
  {
    apiVersion: 'networking.istio.io/v1alpha3',
    kind: 'DestinationRule',
    metadata: { name: 'egressgateway-for-cnn' },
    spec: { host: EGW, subsets: [{ name: 'cnn' }] },
  },
  {
    apiVersion: 'networking.istio.io/v1alpha3',
    kind: 'VirtualService',
    metadata: { name: 'direct-cnn-through-egress-gateway' },
    spec: {
      hosts: ['edition.cnn.com'],
      gateways: ['mesh', 'istio-egressgateway'],
      tls: [
        {
          match: [{ gateways: ['mesh'], port: 443, sniHosts: ['edition.cnn.com'] }],
          route: [{ destination: { host: EGW, subset: 'cnn', port: { number: 443 } } }],
        },
        {
          match: [{ gateways: ['istio-egressgateway'], port: 443, sniHosts: ['edition.cnn.com'] }],
          route: [{ destination: { host: 'edition.cnn.com', port: { number: 443 } }, weight: 100 }],
        },
      ],
    },
  },
];

interface Difference {
  /** `Kind` (a whole object) or `Kind spec.<path>`. */
  readonly at: string;
  /** The value in the task (absent: the task has none). */
  readonly task?: unknown;
  /** The value in our output (absent: we have none). */
  readonly ours?: unknown;
  /** Why it differs. */
  readonly why?: string;
  /**
   * `secure default`: a deliberate difference of the library; `same meaning`: the same
   * configuration to Istio, written differently (a default written out, an order).
   */
  readonly category?: 'secure default' | 'same meaning';
}

const LOCATION: Difference = {
  at: 'ServiceEntry spec.location',
  ours: 'MESH_EXTERNAL',
  why: 'Istio\'s default for a ServiceEntry without workloadSelector, written out: the host is outside the mesh',
  category: 'same meaning',
};
const LOCK_DOWN: Difference = {
  at: 'Sidecar',
  ours: { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } },
  why: 'the lock-down secure default (lockDown: true): the namespace reaches declared hosts only; the task relies on the mesh-wide outboundTrafficPolicy instead',
  category: 'secure default',
};

const EXPECTED_HTTP: Difference[] = [LOCATION, LOCK_DOWN];

const EXPECTED_HTTPS: Difference[] = [
  LOCATION,
  LOCK_DOWN,
  {
    at: 'VirtualService spec.gateways[0]',
    task: 'mesh',
    ours: 'istio-egressgateway',
    why: 'the same two gateways in another order (order has no meaning here): the library lists the gateways, then mesh, as the task\'s HTTP step does',
    category: 'same meaning',
  },
  { at: 'VirtualService spec.gateways[1]', task: 'istio-egressgateway', ours: 'mesh', why: 'see spec.gateways[0]', category: 'same meaning' },
  {
    at: 'VirtualService spec.tls[0].route[0].weight',
    ours: 100,
    why: 'a single destination takes all the traffic either way; the library writes weight 100 on every route, as the task does on the other route',
    category: 'same meaning',
  },
];

/** What examples/egress-http/main.ts builds. */
function egressHttp(app: App): Chart {
  const chart = new Chart(app, 'egress-http');
  const egress = new EgressGateway(chart, 'egress', { sidecarToGatewayTls: EgressTls.PLAIN });
  egress.addHost('edition.cnn.com', EgressTraffic.http({ portName: 'http-port' }), { subsetName: 'cnn' });
  egress.host('edition.cnn.com').serviceEntry.addPort({ number: 443, name: 'https', protocol: Protocol.HTTPS });
  return chart;
}

/** What examples/egress-tls-passthrough/main.ts builds. */
function egressTlsPassthrough(app: App): Chart {
  const chart = new Chart(app, 'egress-tls-passthrough');
  const egress = new EgressGateway(chart, 'egress', { sidecarToGatewayTls: EgressTls.PLAIN });
  egress.addHost('edition.cnn.com', EgressTraffic.httpsPassthrough({ portName: 'tls' }), { subsetName: 'cnn' });
  return chart;
}

describe('EgressGateway against Istio\'s "Egress Gateways" task', () => {
  const cases: [string, (app: App) => Chart, any[], Difference[]][] = [
    ['egress-http', egressHttp, HTTP_TASK, EXPECTED_HTTP],
    ['egress-tls-passthrough', egressTlsPassthrough, HTTPS_TASK, EXPECTED_HTTPS],
  ];

  test.each(cases)('%s: the same specs, but for the listed differences', (_example, build, task, expected) => {
    const ours = synthValid(build(Testing.app()));
    expect(sortByPlace(compare(task, ours))).toEqual(sortByPlace(expected.map(({ why: _, category: __, ...d }) => d)));
    expect(expected.every(d => (d.why ?? '').length > 0 && d.category !== undefined)).toBe(true);
  });

  test.each(cases)('%s: zero findings, in a closed world too', (_example, build) => {
    const ours = synthValid(build(Testing.app()), { strict: true });
    expect(findingsOf(ours, { openWorld: true })).toEqual([]);
    expect(findingsOf(ours, { openWorld: false })).toEqual([]);
  });

  test.each(cases)('%s: the example\'s committed output is what this test builds', (example, build) => {
    const dist = join(__dirname, '..', 'examples', example, 'dist');
    const committed = readdirSync(dist).filter(f => f.endsWith('.k8s.yaml'))
      .flatMap(f => parseAllDocuments(readFileSync(join(dist, f), 'utf8')).map(d => d.toJSON()))
      .filter(o => o !== null);
    expect(committed).toEqual(Testing.synth(build(Testing.app())));
  });
});

/**
 * The differences between the task's objects and ours, paired by kind (one of each
 * kind in the task), with our names mapped to the task's.
 */
function compare(task: any[], ours: any[]): Difference[] {
  const out: Difference[] = [];
  const names = new Map<string, string>();
  const pairs: [any, any][] = [];
  for (const o of ours) {
    const same = task.filter(t => t.kind === o.kind);
    if (same.length === 0) {
      out.push({ at: o.kind, ours: normalize(o.spec, names) });
      continue;
    }
    if (same.length > 1 || ours.filter(x => x.kind === o.kind).length > 1) throw new Error(`several objects of kind ${o.kind}`);
    pairs.push([same[0], o]);
    names.set(o.metadata.name, same[0].metadata.name);
    if (o.metadata.namespace) names.set(`${o.metadata.namespace}/${o.metadata.name}`, same[0].metadata.name);
  }
  for (const t of task) {
    if (!ours.some(o => o.kind === t.kind)) out.push({ at: t.kind, task: t.spec });
  }
  for (const [t, o] of pairs) diff(`${o.kind} spec`, t.spec, normalize(o.spec, names), out);
  return out;
}

/** Our names replaced by the task's, secure-default fields left out. */
function normalize(value: any, names: Map<string, string>): any {
  if (typeof value === 'string') return names.get(value) ?? value;
  if (Array.isArray(value)) return value.map(v => normalize(v, names));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value)
      .filter(([k]) => !SECURE_DEFAULT_FIELDS.includes(k))
      .map(([k, v]) => [k, normalize(v, names)]));
  }
  return value;
}

function diff(at: string, task: any, ours: any, out: Difference[]): void {
  const isObject = (v: any) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObject(task) && isObject(ours)) {
    for (const k of [...new Set([...Object.keys(task), ...Object.keys(ours)])]) diff(`${at}.${k}`, task[k], ours[k], out);
  } else if (Array.isArray(task) && Array.isArray(ours)) {
    for (let i = 0; i < Math.max(task.length, ours.length); i++) diff(`${at}[${i}]`, task[i], ours[i], out);
  } else if (!isDeepStrictEqual(task, ours)) {
    out.push({ at, ...(task !== undefined ? { task } : {}), ...(ours !== undefined ? { ours } : {}) });
  }
}

function sortByPlace(list: Difference[]): Difference[] {
  return [...list].sort((a, b) => a.at.localeCompare(b.at));
}
