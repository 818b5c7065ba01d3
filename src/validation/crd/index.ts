/**
 * The CRD layer: checks a manifest object against what a Kubernetes API server with
 * the Istio 1.30.3 and Gateway API v1.5.1 CRDs rejects on create: the served version's
 * OpenAPI v3 schema (with null pruning, defaulting and strict unknown-field detection),
 * ObjectMeta rules, and every x-kubernetes-validations CEL rule.
 *
 * The CRD data (data/crd-schemas.json) is loaded on first use; schemas are compiled
 * once per kind and version, CEL rules once per distinct rule.
 */
import { Finding, FindingLayer, FindingLevel } from '../findings';
import { CrdData, crdData, CrdVersionData } from './data';
import { validateMetadata } from './metadata';
import type { SchemaNode, WalkSink } from './schema';

/**
 * The schema walker and the CEL environment, loaded on first validation: importing
 * the library must not pay for @bufbuild/cel.
 */
let schemaModule: typeof import('./schema') | undefined;
function schema(): typeof import('./schema') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  schemaModule ??= require('./schema') as typeof import('./schema');
  return schemaModule;
}

/** Options of the CRD validator. */
export interface CrdValidationOptions {
  /**
   * Report CEL rules that cannot be evaluated as warnings instead of errors.
   * @default false
   */
  readonly allowUnevaluableRules?: boolean;
}

/** The API groups the CRDs define. */
const GROUPS = new Set([
  'networking.istio.io', 'security.istio.io', 'telemetry.istio.io', 'extensions.istio.io',
  'gateway.networking.k8s.io', 'gateway.networking.x-k8s.io',
]);

const SCHEMA_VIOLATION = 'CDK8S-ISTIO-CRD001';
const RULE_FAILED = 'CDK8S-ISTIO-CRD002';
const RULE_UNEVALUABLE = 'CDK8S-ISTIO-CRD003';
const UNKNOWN_KIND = 'CDK8S-ISTIO-CRD004';

interface Target {
  readonly crd: CrdData;
  readonly version: CrdVersionData;
  readonly root: SchemaNode;
}

let kinds: Map<string, CrdData> | undefined;
const compiledSchemas = new Map<number, SchemaNode>();
const targets = new Map<string, Target>();

function crdByKind(group: string, kind: string): CrdData | undefined {
  if (!kinds) {
    kinds = new Map();
    for (const crd of crdData().crds) kinds.set(`${crd.group}/${crd.kind}`, crd);
  }
  return kinds.get(`${group}/${kind}`);
}

function schemaNode(index: number): SchemaNode {
  let node = compiledSchemas.get(index);
  if (!node) {
    node = schema().compileSchema(crdData().schemas[index]);
    compiledSchemas.set(index, node);
  }
  return node;
}

/** The fields the API server handles itself at the top level of every object. */
const TOP_LEVEL = new Set(['apiVersion', 'kind', 'metadata']);

/**
 * Validates manifest objects against the Istio and Gateway API CRDs as the Kubernetes
 * API server does on create (schema, defaults, CEL rules).
 */
export class CrdValidator {
  /**
   * True if apiVersion/kind is one of the CRDs' groups (networking/security/telemetry/extensions.istio.io,
   * gateway.networking.k8s.io, gateway.networking.x-k8s.io).
   */
  public static isCustomResource(apiVersion: string, kind: string): boolean {
    if (typeof apiVersion !== 'string' || typeof kind !== 'string' || kind === '') return false;
    const slash = apiVersion.indexOf('/');
    return slash > 0 && GROUPS.has(apiVersion.slice(0, slash));
  }

  /**
   * Validate one manifest object; [] when valid. Objects of other API groups (core k8s etc.)
   * return []. A known group with an unknown kind or an unserved version is an Error finding.
   */
  public static validate(obj: any, options: CrdValidationOptions = {}): Finding[] {
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return [];
    const apiVersion = obj.apiVersion;
    const kind = typeof obj.kind === 'string' ? obj.kind : '';
    if (typeof apiVersion !== 'string' || !GROUPS.has(apiVersion.slice(0, Math.max(0, apiVersion.indexOf('/'))))) return [];
    const meta = obj.metadata !== null && typeof obj.metadata === 'object' ? obj.metadata : {};
    const name = typeof meta.name === 'string' ? meta.name : '';
    const namespace = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : undefined;
    const ref = `${kind || '<no kind>'} ${namespace ? `${namespace}/` : ''}${name || '<unnamed>'}`;
    const findings: Finding[] = [];
    const add = (code: string, level: FindingLevel, field: string | undefined, message: string) => {
      findings.push({
        code,
        level,
        message: field ? `${ref}: ${field}: ${message}` : `${ref}: ${message}`,
        layer: FindingLayer.CRD,
        apiVersion,
        kind,
        name,
        ...(namespace !== undefined ? { namespace } : {}),
        ...(field ? { field } : {}),
      });
    };
    const unevaluableLevel = options.allowUnevaluableRules ? FindingLevel.WARNING : FindingLevel.ERROR;

    if (kind === '') {
      add(UNKNOWN_KIND, FindingLevel.ERROR, 'kind', `the object has no kind (an ${apiVersion.split('/')[0]} object must name one of its kinds)`);
      return findings;
    }
    try {
      const target = CrdValidator.target(apiVersion, kind, msg => add(UNKNOWN_KIND, FindingLevel.ERROR, undefined, msg));
      if (!target) return findings;

      validateMetadata(obj.metadata, target.crd.scope === 'Namespaced', (field, message) =>
        add(SCHEMA_VIOLATION, FindingLevel.ERROR, field, message));

      const sink: WalkSink = {
        schema: (field, message) => add(SCHEMA_VIOLATION, FindingLevel.ERROR, field || undefined, message),
        rule: (field, message) => add(RULE_FAILED, FindingLevel.ERROR, field || undefined, message),
        unevaluable: (field, message) => add(RULE_UNEVALUABLE, unevaluableLevel, field || undefined, message),
      };
      // the body: everything but apiVersion, kind and metadata (which the API server handles
      // itself); status is dropped on create when the status subresource is enabled
      const body: Record<string, unknown> = {};
      for (const key of Object.keys(obj)) {
        if (TOP_LEVEL.has(key)) continue;
        if (key === 'status' && target.version.statusSubresource) continue;
        body[key] = obj[key];
      }
      new (schema().Walker)(sink).walk(body, target.root, '');
    } catch (e) {
      add(RULE_UNEVALUABLE, unevaluableLevel, undefined,
        `the CRD validator failed on this object (${(e as Error).message}); it could not be checked`);
    }
    return findings;
  }

  private static target(apiVersion: string, kind: string, unknown: (message: string) => void): Target | undefined {
    const key = `${apiVersion}/${kind}`;
    const cached = targets.get(key);
    if (cached) return cached;
    const slash = apiVersion.indexOf('/');
    const group = apiVersion.slice(0, slash);
    const version = apiVersion.slice(slash + 1);
    const crd = crdByKind(group, kind);
    if (!crd) {
      const known = crdData().crds.filter(c => c.group === group).map(c => c.kind);
      unknown(`${group} has no kind ${JSON.stringify(kind)} (its kinds: ${known.join(', ')})`);
      return undefined;
    }
    const served = crd.versions.filter(v => v.served && v.schema !== undefined);
    const v = served.find(x => x.name === version);
    if (!v) {
      const exists = crd.versions.some(x => x.name === version);
      unknown(`${apiVersion} is ${exists ? 'not served' : 'not a version of'} ${kind} (served versions: ${served.map(x => `${group}/${x.name}`).join(', ')})`);
      return undefined;
    }
    const target: Target = { crd, version: v, root: schemaNode(v.schema!) };
    targets.set(key, target);
    return target;
  }

  private constructor() {}
}
