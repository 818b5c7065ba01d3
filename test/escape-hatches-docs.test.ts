import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Duration, JsonPatch } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { CanaryRelease, CanaryWorkload, DestinationRule, IstioValidation, RouteDestination, VirtualService, networking } from '../src';
import { synthValid } from './util';

/**
 * docs/escape-hatches.md: every TypeScript sample stands verbatim in this file (the import
 * lines with 'cdk8s-istio' for '../src', the others indented in a test), each runs, and
 * the YAML shown after it is what the chart synthesizes (through synthValid, so it also
 * passes the validation); the message shown for the rejected patch is the one synth throws.
 */
const doc = fs.readFileSync(path.join(__dirname, '..', 'docs', 'escape-hatches.md'), 'utf-8');
const blocks = (lang: string) => [...doc.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map(m => m[1].trimEnd());
const shownYaml = (n: number) => parseAllDocuments(blocks('yaml')[n]).map(d => d.toJS());

test('the TypeScript of docs/escape-hatches.md stands verbatim in this test', () => {
  const source = fs.readFileSync(__filename, 'utf-8');
  const [imports, ...samples] = blocks('ts');
  for (const line of imports.split('\n')) expect(source).toContain(`\n${line.replace("from 'cdk8s-istio'", "from '../src'")}\n`);
  expect(samples.length).toBe(6);
  for (const sample of samples) expect(source).toContain(sample.split('\n').map(l => (l ? `    ${l}` : l)).join('\n'));
});

describe('docs/escape-hatches.md', () => {
  afterEach(() => {
    if (process.env.CDK8S_OUTDIR) fs.rmSync(process.env.CDK8S_OUTDIR, { recursive: true, force: true });
    delete process.env.CDK8S_OUTDIR;
  });

  test('an L1 VirtualService routes to the subsets of an L2 DestinationRule', () => {
    const app = new App();
    IstioValidation.enable(app, { strict: true });
    const chart = new Chart(app, 'shop', { namespace: 'shop' });

    new DestinationRule(chart, 'reviews-subsets', {
      metadata: { name: 'reviews' },
      host: 'reviews',
      subsets: [
        { name: 'v1', labels: { version: 'v1' } },
        { name: 'v2', labels: { version: 'v2' } },
      ],
    });

    new networking.VirtualService(chart, 'reviews-route', {
      metadata: { name: 'reviews' },
      spec: {
        hosts: ['reviews'],
        http: [
          {
            match: [{ headers: { 'end-user': { exact: 'jason' } } }],
            route: [{ destination: { host: 'reviews', subset: 'v2' } }],
          },
          { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
        ],
      },
    });
    // end of the sample

    expect(synthValid(chart)).toEqual(shownYaml(0));
  });

  test('the cross-object checks see L1 objects as L2 ones: a name taken twice, an undefined subset', () => {
    const twice = new Chart(new App(), 'shop', { namespace: 'shop' });
    new VirtualService(twice, 'ratings', { metadata: { name: 'ratings' }, hosts: ['ratings'], http: [{ destinations: [RouteDestination.to('ratings')] }] });
    new networking.VirtualService(twice, 'ratings-l1', { metadata: { name: 'ratings' }, spec: { hosts: ['ratings'], http: [{ route: [{ destination: { host: 'ratings' } }] }] } });
    expect(() => (twice.node.root as App).synthYaml()).toThrow('metadata.name "ratings" in namespace "shop" is already used by \'shop/ratings/Resource\'');

    const l1 = new Chart(new App(), 'shop', { namespace: 'shop' });
    new DestinationRule(l1, 'reviews-subsets', { metadata: { name: 'reviews' }, host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] });
    new networking.VirtualService(l1, 'reviews-route', { metadata: { name: 'reviews' }, spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v3' } }] }] } });
    const found = (openWorld: boolean) => IstioValidation.findings(l1, { openWorld }).filter(f => f.code === 'IST0101' && f.message.includes('reviews+v3')).map(f => f.level);
    expect(found(false)).toEqual(['Error']);
    expect(found(true)).toEqual(['Info']);

    const l2 = new Chart(new App(), 'shop', { namespace: 'shop' });
    new DestinationRule(l2, 'reviews-subsets', { metadata: { name: 'reviews' }, host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] });
    new VirtualService(l2, 'reviews', { hosts: ['reviews'], http: [{ destinations: [RouteDestination.to('reviews', { subset: 'v3' })] }] });
    expect(() => (l2.node.root as App).synthYaml()).toThrow(/v3/);
  });

  test('the L2\'s L1 object: apiObject, node.defaultChild and ApiObject.of are one object', () => {
    const app = new App();
    IstioValidation.enable(app, { strict: true });
    const chart = new Chart(app, 'shop', { namespace: 'shop' });

    const ratings = new VirtualService(chart, 'ratings', {
      metadata: { name: 'ratings' },
      hosts: ['ratings'],
      http: [{ destinations: [RouteDestination.to('ratings')] }],
    });

    const l1: networking.VirtualService = ratings.apiObject; // = ratings.node.defaultChild = ApiObject.of(ratings)
    l1.metadata.addLabel('team', 'ratings');
    // end of the sample

    expect(l1).toBe(ratings.node.defaultChild);
    expect(l1).toBe(ApiObject.of(ratings));
    expect(synthValid(chart)).toEqual(shownYaml(1));
  });

  test('a JSON patch on an L2\'s object adds a field the L2 does not model', () => {
    const app = new App();
    IstioValidation.enable(app, { strict: true });
    const chart = new Chart(app, 'shop', { namespace: 'shop' });

    const reviews = new VirtualService(chart, 'reviews', {
      metadata: { name: 'reviews' },
      hosts: ['reviews'],
      http: [{
        destinations: [RouteDestination.to('reviews')],
        retries: { attempts: 3, perTryTimeout: Duration.seconds(2) },
      }],
    });

    ApiObject.of(reviews).addJsonPatch(JsonPatch.add('/spec/http/0/retries/backoff', '100ms'));
    // end of the sample

    expect(synthValid(chart)).toEqual(shownYaml(2));
  });

  test('a JSON patch on a pattern\'s part (canary.destinationRule)', () => {
    const app = new App();
    IstioValidation.enable(app, { strict: true });
    const chart = new Chart(app, 'shop', { namespace: 'shop' });

    const details = new CanaryRelease(chart, 'details', {
      name: 'details',
      host: 'details',
      stable: CanaryWorkload.fromLabels({ app: 'details', version: 'v1' }),
      canary: CanaryWorkload.fromLabels({ app: 'details', version: 'v2' }),
      canaryWeight: 10,
    });

    ApiObject.of(details.destinationRule!).addJsonPatch(
      JsonPatch.add('/spec/subsets/1/trafficPolicy', { connectionPool: { http: { http2MaxRequests: 10 } } }),
    );
    // end of the sample

    expect(synthValid(chart)).toEqual(shownYaml(3));
  });

  test('the validation rejects a patch that makes the object invalid, with the message shown', () => {
    // app.synth() creates its outdir before it validates: keep it out of the repository
    process.env.CDK8S_OUTDIR = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-escape-hatches-'));

    const app = new App();
    IstioValidation.enable(app, { strict: true });
    const chart = new Chart(app, 'shop', { namespace: 'shop' });

    const reviews = new VirtualService(chart, 'reviews', {
      metadata: { name: 'reviews' },
      hosts: ['reviews'],
      http: [{ destinations: [RouteDestination.to('reviews')] }],
    });

    ApiObject.of(reviews).addJsonPatch(JsonPatch.add('/spec/http/0/timeout', '0s'));
    // end of the sample

    expect(() => app.synth()).toThrow(blocks('text')[0]);
    expect(fs.readdirSync(app.outdir)).toEqual([]);
  });

  test('throws when the same timeout is given to the L2 as a prop (the patch is what gets past it)', () => {
    const chart = new Chart(new App(), 'shop', { namespace: 'shop' });
    expect(() => new VirtualService(chart, 'reviews', {
      hosts: ['reviews'],
      http: [{ destinations: [RouteDestination.to('reviews')], timeout: Duration.millis(0) }],
    })).toThrow(/timeout/);
  });
});
