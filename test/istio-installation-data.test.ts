import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import {
  CniRepairMode, GatewayServiceType, InstallProfile, IstioHelmChart, IstioInstallation, IstioInstallationProps, MeshConfig,
} from '../src';
import { PROFILE_COMPONENTS } from '../src/install/profile';

/**
 * The vendored installation inputs (install/): upstream's files with their recorded
 * sha256, and what IstioInstallation renders checked against them: every key of its
 * Helm values and of its IstioOperator's `values` exists in the chart's values.yaml
 * (the gateway chart's values are validated with its JSON schema too), and the
 * library's profile table is what the profiles say.
 */
const INSTALL_DIR = path.join(__dirname, '..', 'install');
const RELEASE_DIR = path.join(INSTALL_DIR, 'istio-1.30.3');
const sums = new Map(fs.readFileSync(path.join(INSTALL_DIR, 'SHA256SUMS'), 'utf8').trim().split('\n').map(line => {
  const [sum, file] = line.split(/\s+\*?/);
  return [file, sum] as [string, string];
}));
const sources = fs.readFileSync(path.join(INSTALL_DIR, 'SOURCES.md'), 'utf8');

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]);
}

/** A chart's defaults (values.yaml keeps them under `_internal_defaults_do_not_set`). */
function chartDefaults(file: string): any {
  return parse(fs.readFileSync(path.join(RELEASE_DIR, file), 'utf8'))._internal_defaults_do_not_set;
}

const DEFAULTS: Record<string, any> = {
  [IstioHelmChart.BASE]: { ...parse(fs.readFileSync(path.join(RELEASE_DIR, 'base_values.yaml'), 'utf8')), ...chartDefaults('base_values.yaml') },
  [IstioHelmChart.ISTIOD]: chartDefaults('istio-discovery_values.yaml'),
  [IstioHelmChart.CNI]: chartDefaults('istio-cni_values.yaml'),
  [IstioHelmChart.ZTUNNEL]: chartDefaults('ztunnel_values.yaml'),
  [IstioHelmChart.GATEWAY]: chartDefaults('gateway_values.yaml'),
};
/** Keys the charts read that values.yaml does not list: `profile` (every chart's Helm profile, `--set profile=ambient`). */
const EXTRA_TOP_LEVEL = new Set(['profile']);
/** Values that are not chart settings but other APIs, checked elsewhere (the MeshConfig). */
const FREE_FORM = new Set(['meshConfig']);
/** Maps of any keys, whatever their default holds. */
const FREE_MAPS = new Set(['labels', 'annotations', 'podLabels', 'podAnnotations', 'env']);

/** The paths of `values` that the chart's defaults do not have. */
function unknownPaths(values: any, defaults: any, at: string = ''): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(values ?? {})) {
    const p = at ? `${at}.${key}` : key;
    if (at === '' && FREE_FORM.has(key)) continue;
    if (at === '' && EXTRA_TOP_LEVEL.has(key)) continue;
    if (defaults === null || typeof defaults !== 'object' || !(key in defaults)) {
      out.push(p);
      continue;
    }
    const d = defaults[key];
    // a map whose default is empty ({}: labels, annotations...) or a list takes any content
    const isMap = !FREE_MAPS.has(key) && d !== null && typeof d === 'object' && !Array.isArray(d) && Object.keys(d).length > 0;
    if (isMap && value !== null && typeof value === 'object' && !Array.isArray(value)) out.push(...unknownPaths(value, d, p));
  }
  return out;
}

/**
 * The JSON Schema keywords the gateway chart's schema uses (type, properties,
 * additionalProperties, items, enum, $ref), checked by hand: the errors at `at`.
 */
function schemaErrors(schema: any, value: any, root: any, at = ''): string[] {
  if (schema.$ref) return schemaErrors(schema.$ref.split('/').slice(1).reduce((o: any, k: string) => o[k], root), value, root, at);
  const types: string[] = schema.type === undefined ? [] : [schema.type].flat();
  const typeOf = value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  if (types.length > 0 && !types.includes(typeOf) && !(typeOf === 'integer' && types.includes('number'))) return [`${at || '/'}: ${typeOf}, not ${types.join(' or ')}`];
  if (schema.enum && !schema.enum.includes(value)) return [`${at}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`];
  const errors: string[] = [];
  if (typeOf === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const sub = schema.properties?.[k] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      if (sub) errors.push(...schemaErrors(sub, v, root, `${at}/${k}`));
      else if (schema.additionalProperties === false) errors.push(`${at}/${k}: not allowed`);
    }
  }
  if (typeOf === 'array' && schema.items) (value as any[]).forEach((v, i) => errors.push(...schemaErrors(schema.items, v, root, `${at}/${i}`)));
  return errors;
}

/** Installations that together use every prop that renders values (each in an app of its own). */
function installations(): IstioInstallation[] {
  const first = Testing.app();
  const mesh = new MeshConfig(new Chart(first, 'mesh'), 'mesh', { revision: 'canary', namespace: 'istio-control', accessLogFile: '/dev/stdout' });
  const all: IstioInstallationProps[] = [
    {
      revision: 'canary',
      version: '1.30.3',
      hub: 'registry.example.com/istio',
      namespace: 'istio-control',
      meshConfig: mesh,
      cni: {
        namespace: 'kube-system',
        cniBinDir: '/home/kubernetes/bin',
        cniConfDir: '/etc/cni/net.d',
        cniConfFileName: '10-calico.conflist',
        chained: false,
        excludeNamespaces: ['kube-system'],
        repair: CniRepairMode.DELETE_PODS,
        ambient: true,
        version: '1.29.1',
      },
      ztunnel: true,
      ingressGateways: [{ name: 'ingress', namespace: 'istio-ingress', labels: { istio: 'ingress' }, serviceType: GatewayServiceType.NODE_PORT, ports: [{ name: 'https', port: 443, targetPort: 8443 }] }],
      egressGateways: [{ labels: { istio: 'egressgateway' } }],
    },
    { profile: InstallProfile.AMBIENT },
    { profile: InstallProfile.DEMO },
  ];
  return all.map((props, i) => new IstioInstallation(new Chart(i === 0 ? first : Testing.app(), 'install'), 'istio', props));
}

describe('vendored installation inputs (install/)', () => {
  test('every file is listed in SHA256SUMS, and nothing else is', () => {
    expect([...sums.keys()].sort()).toEqual(filesUnder(RELEASE_DIR).map(f => path.relative(INSTALL_DIR, f)).sort());
  });

  test.each([...sums.keys()])('%s has its recorded sha256, on its row of SOURCES.md', file => {
    const actual = createHash('sha256').update(fs.readFileSync(path.join(INSTALL_DIR, file))).digest('hex');
    expect(actual).toBe(sums.get(file));
    const row = sources.split('\n').find(line => line.startsWith(`| \`${file}\``));
    expect(row).toContain(`\`${actual}\``);
  });

  test('the profile table is what the profiles turn on (each overlaid on default, as istioctl does)', () => {
    const read = (p: string) => parse(fs.readFileSync(path.join(RELEASE_DIR, 'profiles', `${p}.yaml`), 'utf8')).spec.components ?? {};
    const base = read('default');
    for (const profile of Object.values(InstallProfile)) {
      const c = profile === InstallProfile.DEFAULT ? base : read(profile);
      const enabled = (name: string) => (c[name] ?? base[name])?.enabled ?? false;
      const gateway = (kind: string, name: string) => ((c[kind] ?? base[kind]) as any[]).find(g => g.name === name)?.enabled ?? false;
      expect([profile, PROFILE_COMPONENTS[profile]]).toEqual([profile, {
        base: enabled('base') || (profile !== InstallProfile.EMPTY && base.base.enabled),
        pilot: enabled('pilot'),
        cni: enabled('cni'),
        ztunnel: enabled('ztunnel'),
        ingressGateway: gateway('ingressGateways', 'istio-ingressgateway'),
        egressGateway: gateway('egressGateways', 'istio-egressgateway'),
      }]);
    }
  });

  test('every key of the rendered Helm values exists in the chart\'s values.yaml', () => {
    const unknown = installations().flatMap(i => i.helmReleases().flatMap(r => unknownPaths(r.values, DEFAULTS[r.chart]).map(p => `${r.chart} (${r.releaseName}): ${p}`)));
    expect(unknown).toEqual([]);
    // the check has teeth
    expect(unknownPaths({ cni: { enabeld: true } }, DEFAULTS.istiod)).toEqual(['cni.enabeld']);
  });

  test('every key of the IstioOperator\'s values exists in the values.yaml of the chart it goes to', () => {
    const TO_CHART: Record<string, (key: string) => [string, string]> = {
      pilot: () => [IstioHelmChart.ISTIOD, ''],
      global: () => [IstioHelmChart.ISTIOD, 'global'],
      cni: () => [IstioHelmChart.CNI, ''],
      ztunnel: () => [IstioHelmChart.ZTUNNEL, ''],
    };
    const unknown: string[] = [];
    const seen = new Set<string>();
    for (const i of installations()) {
      const spec = Testing.synth(Chart.of(i)).find(o => o.kind === 'IstioOperator').spec;
      expect(Object.keys(spec).filter(k => !['profile', 'revision', 'hub', 'tag', 'meshConfig', 'components', 'values'].includes(k))).toEqual([]);
      expect(Object.keys(spec.components ?? {}).filter(k => !['cni', 'ztunnel', 'ingressGateways', 'egressGateways'].includes(k))).toEqual([]);
      for (const [key, value] of Object.entries(spec.values ?? {})) {
        seen.add(key);
        const route = TO_CHART[key];
        if (!route) {
          unknown.push(`values.${key}`);
          continue;
        }
        const [chart, under] = route(key);
        const defaults = under ? DEFAULTS[chart][under] : DEFAULTS[chart];
        unknown.push(...unknownPaths(value, defaults).map(p => `values.${key}.${p}`));
      }
    }
    expect(unknown).toEqual([]);
    expect([...seen].sort()).toEqual(['cni', 'global', 'pilot']);
  });

  test('the gateway chart\'s values pass its JSON schema', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(RELEASE_DIR, 'gateway_values.schema.json'), 'utf8'));
    const gateways = installations().flatMap(i => i.helmReleases().filter(r => r.chart === IstioHelmChart.GATEWAY));
    expect(gateways.length).toBeGreaterThanOrEqual(3);
    for (const r of gateways) {
      expect([r.releaseName, schemaErrors(schema, r.values, schema)]).toEqual([r.releaseName, []]);
    }
    // the check has teeth
    expect(schemaErrors(schema, { service: { type: 'NodePort', ports: [{ port: '80' }] }, labelz: {} }, schema)).toEqual([
      '/service/ports/0/port: string, not integer', '/labelz: not allowed',
    ]);
  });
});
