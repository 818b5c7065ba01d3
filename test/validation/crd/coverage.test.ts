/**
 * Coverage: every schema keyword, format and CEL rule of the source CRDs (all served
 * versions) is implemented by the validator, every rule compiles (transition rules
 * aside), calls only functions the environment implements, and evaluates.
 */
import * as fs from 'fs';
import * as path from 'path';
import { isCelError, parse } from '@bufbuild/cel';
import { readCrds } from '../../../scripts/crd-source';
import { CrdValidator } from '../../../src/validation/crd';
import { compileRule, isDataError, knownFunction, references } from '../../../src/validation/crd/cel';
import { FORMATS, formatCheck, IGNORED_FORMATS } from '../../../src/validation/crd/formats';
import { compileSchema, IMPLEMENTED_KEYWORDS, SchemaNode, toCel } from '../../../src/validation/crd/schema';

const crds = readCrds();
const served = crds.flatMap(crd => crd.spec.versions.filter(v => v.served).map(v => ({ crd, version: v })));

/** Every schema node (structural and logic branches) of a raw schema, with its location. */
function* schemaNodes(s: any, where: string): Generator<[any, string]> {
  yield [s, where];
  for (const [name, sub] of Object.entries(s.properties ?? {})) yield* schemaNodes(sub, `${where}.${name}`);
  if (s.items) yield* schemaNodes(s.items, `${where}[]`);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') yield* schemaNodes(s.additionalProperties, `${where}{}`);
  for (const k of ['allOf', 'anyOf', 'oneOf']) for (const [i, b] of (s[k] ?? []).entries()) yield* schemaNodes(b, `${where}/${k}[${i}]`);
  if (s.not) yield* schemaNodes(s.not, `${where}/not`);
}

const allNodes = served.flatMap(({ crd, version }) =>
  [...schemaNodes(version.schema!.openAPIV3Schema, `${crd.spec.names.kind}/${version.name}`)]);
const allRules = allNodes.flatMap(([s, where]) => (s['x-kubernetes-validations'] ?? []).map((r: any) => ({ rule: r, where })));

describe('CRD coverage', () => {
  test('the source CRDs are there: 27 CRDs, 52 served versions, ~700 rules', () => {
    expect(crds.length).toBe(27);
    expect(served.length).toBe(52);
    expect(allRules.length).toBeGreaterThan(600);
  });

  /** The keywords of these schema nodes that the validator does not implement. */
  function unimplementedKeywords(nodes: Array<[any, string]>): string[] {
    const implemented = new Set(IMPLEMENTED_KEYWORDS);
    const missing = new Set<string>();
    for (const [s, where] of nodes) {
      for (const k of Object.keys(s)) if (!implemented.has(k)) missing.add(`${k} (at ${where})`);
    }
    return [...missing];
  }

  test('every schema keyword the CRDs use is implemented', () => {
    expect(unimplementedKeywords(allNodes)).toEqual([]);
  });

  test('an unimplemented keyword is caught (the check can fail)', () => {
    const fake = { type: 'object', properties: { a: { 'type': 'object', 'x-kubernetes-embedded-resource': true }, b: { type: 'string', contentEncoding: 'base64' } } };
    expect(unimplementedKeywords([...schemaNodes(fake, 'Fake')])).toEqual([
      'x-kubernetes-embedded-resource (at Fake.a)', 'contentEncoding (at Fake.b)',
    ]);
    expect(() => compileSchema(fake)).toThrow(/x-kubernetes-embedded-resource/);
    expect(formatCheck('iso8601')).toBeUndefined();
    expect(IGNORED_FORMATS).not.toContain('iso8601');
  });

  test('every list-type, map-type and additionalProperties form is one the walker handles', () => {
    const problems: string[] = [];
    for (const [s, where] of allNodes) {
      const lt = s['x-kubernetes-list-type'];
      if (lt !== undefined && !['atomic', 'set', 'map'].includes(lt)) problems.push(`${where}: list-type ${lt}`);
      if (lt === 'map' && !(Array.isArray(s['x-kubernetes-list-map-keys']) && s['x-kubernetes-list-map-keys'].length > 0)) problems.push(`${where}: list-type map without keys`);
      const mt = s['x-kubernetes-map-type'];
      if (mt !== undefined && !['atomic', 'granular'].includes(mt)) problems.push(`${where}: map-type ${mt}`);
      if (s.type !== undefined && !['object', 'array', 'string', 'integer', 'number', 'boolean'].includes(s.type)) problems.push(`${where}: type ${s.type}`);
    }
    expect(problems).toEqual([]);
  });

  test('every format is validated as Kubernetes does, or deliberately ignored as Kubernetes does', () => {
    const unknown = new Set<string>();
    const seen = new Set<string>();
    for (const [s, where] of allNodes) {
      if (s.format === undefined) continue;
      seen.add(s.format);
      if (formatCheck(s.format) === undefined && !IGNORED_FORMATS.includes(s.format)) unknown.add(`${s.format} (at ${where})`);
    }
    expect([...unknown]).toEqual([]);
    // the string formats the CRDs use are real checks
    for (const f of ['date-time', 'byte', 'ipv4', 'ipv6']) {
      expect(seen.has(f)).toBe(true);
      expect(formatCheck(f)).toBeDefined();
    }
    expect(Object.keys(FORMATS)).toContain('datetime');
  });

  test('every served schema compiles (no unimplemented keyword, every pattern a valid RE2)', () => {
    const errors: string[] = [];
    for (const { crd, version } of served) {
      try {
        compileSchema(version.schema!.openAPIV3Schema, `${crd.spec.names.kind}/${version.name}`);
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    expect(errors).toEqual([]);
  });

  test('every CEL rule compiles and calls only implemented functions (transition rules aside)', () => {
    const errors: string[] = [];
    let transitions = 0;
    for (const { rule, where } of allRules) {
      const compiled = compileRule(rule);
      if (compiled.transition) {
        transitions++;
        continue;
      }
      if (compiled.error) errors.push(`${where}: ${rule.rule}: ${compiled.error}`);
      if (rule.messageExpression !== undefined && compiled.messageError) errors.push(`${where}: messageExpression: ${compiled.messageError}`);
      const refs = references(parse(rule.rule).expr);
      for (const f of refs.functions) if (!knownFunction(f)) errors.push(`${where}: ${f} is not implemented`);
      for (const v of refs.variables) if (v !== 'self') errors.push(`${where}: unexpected variable ${v}`);
    }
    expect(errors).toEqual([]);
    // the only transition rules are the immutability checks (self == oldSelf)
    expect(transitions).toBeGreaterThan(0);
    expect(allRules.filter(r => compileRule(r.rule).transition).every(r => /oldSelf/.test(r.rule.rule))).toBe(true);
  });

  test('an unimplemented function is caught (the check can fail)', () => {
    expect(compileRule({ rule: 'self.quantityValue() > 0' }).error).toMatch(/quantityValue/);
    expect(compileRule({ rule: 'isQuantity(self)' }).error).toMatch(/isQuantity/);
    expect(compileRule({ rule: 'self.size() >' }).error).toMatch(/syntax/);
    expect(compileRule({ rule: 'other.size() > 0' }).error).toMatch(/other/);
  });

  /** Synthesizes values for a compiled node: a few variants, to drive rules down different paths. */
  function synth(node: SchemaNode, variant: number, depth = 0): unknown {
    if (node.enumValues && node.enumValues.length > 0) return node.enumValues[variant % node.enumValues.length];
    if (node.intOrString) return variant % 2 === 0 ? 1 : '1';
    switch (node.type) {
      case 'string': {
        if (node.formatName === 'date-time') return '2024-01-01T00:00:00Z';
        if (node.formatName === 'byte') return 'YQ==';
        const strings = ['1s', 'a', 'http://example.com/a', '10.0.0.1', '/a', 'unix:///a', 'Hostname', '*.example.com'];
        return strings[variant % strings.length];
      }
      case 'integer':
      case 'number': {
        const lo = node.minimum ?? 0;
        const hi = node.maximum ?? lo + 100;
        return variant % 2 === 0 ? Math.min(hi, Math.max(lo, 1)) : Math.min(hi, lo + 5);
      }
      case 'boolean': return variant % 2 === 0;
      case 'array':
        if (!node.items || depth > 8) return [];
        return variant % 3 === 2 ? [] : [synth(node.items, variant, depth + 1)];
      case 'object': {
        const out: Record<string, unknown> = {};
        if (depth > 8) return out;
        for (const [name, child] of node.properties ?? []) {
          // alternate between all properties and only the required ones
          if (variant % 3 === 1 && !(node.required ?? []).includes(name)) continue;
          out[name] = synth(child, variant, depth + 1);
        }
        if (node.additional) out[variant % 2 === 0 ? '80' : 'app'] = synth(node.additional, variant, depth + 1);
        return out;
      }
      default:
        return {};
    }
  }

  function* ruleNodes(node: SchemaNode, where: string): Generator<[SchemaNode, string]> {
    if (node.rules) yield [node, where];
    for (const [name, child] of node.properties ?? []) yield* ruleNodes(child, `${where}.${name}`);
    if (node.items) yield* ruleNodes(node.items, `${where}[]`);
    if (node.additional) yield* ruleNodes(node.additional, `${where}{}`);
  }

  test('every compilable rule evaluates on synthesized values without an unimplemented-function or overload error', () => {
    const failures: string[] = [];
    const neverBoolean: string[] = [];
    let evaluated = 0;
    for (const { crd, version } of served) {
      const root = compileSchema(version.schema!.openAPIV3Schema);
      for (const [node, where] of ruleNodes(root, `${crd.spec.names.kind}/${version.name}`)) {
        for (const rule of node.getRules()) {
          if (rule.transition) continue;
          let gotBoolean = false;
          for (let variant = 0; variant < 8; variant++) {
            const result = rule.program!(toCel(synth(node, variant), node));
            evaluated++;
            if (typeof result === 'boolean') {gotBoolean = true;} else if (isCelError(result)) {
              if (!isDataError(result)) failures.push(`${where}: ${rule.spec.rule}: ${result.message}`);
            } else {failures.push(`${where}: ${rule.spec.rule}: returned ${String(result)}`);}
          }
          if (!gotBoolean) neverBoolean.push(`${where}: ${rule.spec.rule}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(neverBoolean).toEqual([]);
    expect(evaluated).toBeGreaterThan(600 * 8 - 1);
  });

  test('data/crd-schemas.json holds every served version of every CRD, with all its rules', () => {
    const data = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'data', 'crd-schemas.json'), 'utf8'));
    for (const { crd, version } of served) {
      const entry = data.crds.find((c: any) => c.group === crd.spec.group && c.kind === crd.spec.names.kind);
      expect(entry).toBeDefined();
      const v = entry.versions.find((x: any) => x.name === version.name);
      expect(v?.served).toBe(true);
      const schema = data.schemas[v.schema];
      const count = (s: any) => JSON.stringify(s).split('"x-kubernetes-validations"').length;
      expect(count(schema)).toBe(count(version.schema!.openAPIV3Schema));
      expect(JSON.stringify(schema)).not.toMatch(/"description":"/);
    }
    const groups = new Set<string>(data.crds.map((c: any) => c.group));
    for (const g of groups) expect(CrdValidator.isCustomResource(`${g}/v1`, 'Anything')).toBe(true);
    expect(groups.size).toBe(6);
  });
});
