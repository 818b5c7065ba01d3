import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Include, Testing } from 'cdk8s';
import { FindingLevel, IstioValidation, IstioValidationPlugin, networking, PeerAuthentication } from '../../src';

function badVirtualService(chart: Chart): void {
  new networking.VirtualService(chart, 'ratings', {
    metadata: { name: 'ratings' },
    spec: { hosts: ['ratings'], http: [{ timeout: '0s', route: [{ destination: { host: 'ratings' } }] }] },
  });
}

describe('IstioValidation.enable', () => {
  test('fails synth for an invalid L1 object, naming the object, the construct path, the field and the rule', () => {
    const app = Testing.app();
    IstioValidation.enable(app);
    const chart = new Chart(app, 'bookinfo', { namespace: 'bookinfo' });
    badVirtualService(chart);
    expect(() => app.synth()).toThrow(
      "Error [CDK8S-ISTIO-CRD002] (VirtualService bookinfo/ratings) at 'bookinfo/ratings' spec.http[0].timeout: must be a valid duration greater than 1ms; got \"0s\"; rule: duration(self) >= duration('1ms')");
  });

  test('validates Included YAML too', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-')), 'pa.yaml');
    fs.writeFileSync(file, 'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: { name: default }\nspec: { mtls: { mode: STRICTEST } }\n');
    const app = Testing.app();
    IstioValidation.enable(app);
    new Include(new Chart(app, 'included'), 'pa', { url: file });
    expect(() => app.synth()).toThrow(/PeerAuthentication default\) at 'included\/pa\/.*' spec.mtls.mode: must be one of UNSET, DISABLE, PERMISSIVE, STRICT; got "STRICTEST"/);
  });

  test('a valid app synthesizes; warnings are printed, not failed, unless strict', () => {
    const app = Testing.app();
    IstioValidation.enable(app);
    const chart = new Chart(app, 'egress', { namespace: 'egress' });
    new networking.DestinationRule(chart, 'api', {
      metadata: { name: 'api' },
      spec: { host: 'api.example.com', trafficPolicy: { tls: { mode: networking.DestinationRuleSpecTrafficPolicyTlsMode.SIMPLE } } },
    });
    new networking.ServiceEntry(chart, 'api-se', {
      metadata: { name: 'api' },
      spec: { hosts: ['api.example.com'], location: networking.ServiceEntrySpecLocation.MESH_UNDERSCORE_EXTERNAL, resolution: networking.ServiceEntrySpecResolution.DNS, ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }] },
    });
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      app.synth();
      expect(stderr.mock.calls.map(c => String(c[0])).join('')).toContain('Warning [IST0128] (DestinationRule egress/api)');
    } finally {
      stderr.mockRestore();
    }
    IstioValidation.enable(app, { strict: true, printWarnings: false });
    expect(() => app.synth()).toThrow('Warning [IST0128] (DestinationRule egress/api)');
  });

  test('findings() reports without failing; the world is open at synth unless told otherwise', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'bookinfo', { namespace: 'bookinfo' });
    new networking.VirtualService(chart, 'reviews', { metadata: { name: 'reviews' }, spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }] }] } });
    const open = IstioValidation.findings(app);
    expect(open.filter(f => f.level === FindingLevel.ERROR)).toEqual([]);
    const closed = IstioValidation.findings(app, { openWorld: false });
    expect(closed).toEqual([expect.objectContaining({ code: 'IST0101', level: FindingLevel.ERROR, constructPath: 'bookinfo/reviews', field: 'spec.http[0].route[0].destination.host' })]);
    expect(IstioValidation.isEnabled(app)).toBe(false);
  });

  test('enable() twice keeps one validation and the newest options', () => {
    const app = Testing.app();
    IstioValidation.enable(app, { strict: true });
    // the CRD rule and the webhook rule both reject `timeout: 0s`
    IstioValidation.enable(app, { suppress: ['CDK8S-ISTIO-CRD002', 'CDK8S-ISTIO-W008'] });
    badVirtualService(new Chart(app, 'c'));
    expect(() => app.synth()).not.toThrow();
    expect(IstioValidation.isEnabled(app)).toBe(true);
  });
});

describe('IstioValidationPlugin (cdk8s-cli validation plugin)', () => {
  function context(manifests: string[]) {
    const violations: any[] = [];
    let submitted: any;
    return {
      manifests,
      report: {
        addViolation: (v: any) => violations.push(v),
        submit: (status: string, metadata: any) => { submitted = { status, metadata }; },
      },
      violations,
      submitted: () => submitted,
    };
  }

  function synthTo(build: (chart: Chart) => void): string {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-plugin-'));
    const app = new App({ outdir });
    build(new Chart(app, 'app', { namespace: 'bookinfo' }));
    app.synth();
    return path.join(outdir, 'app.k8s.yaml');
  }

  test('reports findings as violations and fails on errors', async () => {
    const file = synthTo(badVirtualService);
    const ctx = context([file]);
    await new IstioValidationPlugin().validate(ctx);
    expect(ctx.submitted().status).toBe('failure');
    expect(ctx.violations).toEqual(expect.arrayContaining([expect.objectContaining({
      ruleName: expect.stringContaining('Error [CDK8S-ISTIO-CRD002] VirtualService bookinfo/ratings'),
      violatingResources: [{ resourceName: 'ratings', locations: ['spec.http[0].timeout'], manifestPath: file }],
    })]));
  });

  test('succeeds for valid output; open world by default', async () => {
    const file = synthTo(chart => new PeerAuthentication(chart, 'default', { metadata: { name: 'default' } }));
    const ctx = context([file]);
    await new IstioValidationPlugin().validate(ctx);
    expect(ctx.submitted()).toEqual({ status: 'success', metadata: { errors: '0', warnings: '0' } });
    expect(ctx.violations).toEqual([]);
  });

  test('warnings are violations that fail only when strict', async () => {
    const file = synthTo(chart => {
      new networking.DestinationRule(chart, 'api', {
        metadata: { name: 'api' },
        spec: { host: 'api.example.com', trafficPolicy: { tls: { mode: networking.DestinationRuleSpecTrafficPolicyTlsMode.SIMPLE } } },
      });
      new networking.ServiceEntry(chart, 'api-se', {
        metadata: { name: 'api' },
        spec: { hosts: ['api.example.com'], location: networking.ServiceEntrySpecLocation.MESH_UNDERSCORE_EXTERNAL, resolution: networking.ServiceEntrySpecResolution.DNS, ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }] },
      });
    });
    const lenient = context([file]);
    await new IstioValidationPlugin().validate(lenient);
    expect(lenient.submitted()).toEqual({ status: 'success', metadata: { errors: '0', warnings: '1' } });
    expect(lenient.violations.map(v => v.ruleName)).toEqual([expect.stringContaining('Warning [IST0128] DestinationRule bookinfo/api')]);
    const strict = context([file]);
    await new IstioValidationPlugin({ strict: true }).validate(strict);
    expect(strict.submitted().status).toBe('failure');
  });

  test('every example loads the plugin with the package version exactly', () => {
    const version = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version;
    const root = path.join(__dirname, '..', '..', 'examples');
    const configs = fs.readdirSync(root).map(d => path.join(root, d, 'cdk8s.yaml')).filter(f => fs.existsSync(f));
    const withPlugin = configs.map(f => fs.readFileSync(f, 'utf8')).filter(t => t.includes('IstioValidationPlugin'));
    expect(withPlugin.length).toBeGreaterThan(0);
    for (const text of withPlugin) {
      expect(text).toContain(`version: ${version}`);
      expect(text).toContain('package: ./node_modules/cdk8s-istio');
    }
  });
});
