/**
 * ObjectMeta validation on create, as the API server makes it for custom resources
 * (ValidateObjectMetaAccessor with NameIsDNSSubdomain, label and annotation rules,
 * strict decoding of unknown metadata fields).
 */
import { jsonType, short, suggest } from './messages';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const TOTAL_ANNOTATION_SIZE = 256 * 1024;

const SUBDOMAIN_HELP = "a lowercase RFC 1123 subdomain: lower case alphanumeric characters, '-' or '.', starting and ending with an alphanumeric character, at most 253 characters (e.g. 'example.com'; regex '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_HELP = "a lowercase RFC 1123 label: lower case alphanumeric characters or '-', starting and ending with an alphanumeric character, at most 63 characters (e.g. 'my-name'; regex '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

const KNOWN_FIELDS = ['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation',
  'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations',
  'ownerReferences', 'finalizers', 'managedFields'];
const STRING_FIELDS = new Set(['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion']);

type Emit = (path: string, message: string) => void;

/** Problems of a DNS-1123 subdomain, or undefined. */
export function dnsSubdomainProblem(value: string): string | undefined {
  if (value.length > 253) return `must be no more than 253 characters; got ${value.length}`;
  if (!DNS1123_SUBDOMAIN.test(value)) return `must be ${SUBDOMAIN_HELP}`;
  return undefined;
}

/** Problems of a DNS-1123 label, or undefined. */
export function dnsLabelProblem(value: string): string | undefined {
  if (value.length > 63) return `must be no more than 63 characters; got ${value.length}`;
  if (!DNS1123_LABEL.test(value)) return `must be ${LABEL_HELP}`;
  return undefined;
}

/** Problems of a Kubernetes qualified name (label / annotation key), or undefined. */
export function qualifiedNameProblem(value: string): string | undefined {
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) return 'prefix part must be non-empty';
    const p = dnsSubdomainProblem(prefix);
    if (p) return `prefix part ${p}`;
  } else {
    return "a qualified name must consist of an optional DNS subdomain prefix and '/' followed by a name (e.g. 'example.com/MyName')";
  }
  if (name.length === 0) return 'name part must be non-empty';
  if (name.length > 63) return `name part must be no more than 63 characters; got ${name.length}`;
  if (!QUALIFIED_NAME.test(name)) {
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', 'my.name', '123-abc')";
  }
  return undefined;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates metadata; `namespaced` is the CRD's scope. */
export function validateMetadata(meta: unknown, namespaced: boolean, emit: Emit): void {
  if (meta === undefined || meta === null) {
    emit('metadata.name', 'name or generateName is required');
    return;
  }
  if (!isMap(meta)) {
    emit('metadata', `must be of type object; got ${jsonType(meta)} ${short(meta)}`);
    return;
  }
  for (const key of Object.keys(meta)) {
    const v = meta[key];
    if (v === undefined) continue;
    if (!KNOWN_FIELDS.includes(key)) {
      const hint = suggest(key, KNOWN_FIELDS);
      emit(`metadata.${key}`, `unknown field '${key}' (${hint ? `did you mean '${hint}'? ` : ''}ObjectMeta has no such field); got ${short(v)}`);
      continue;
    }
    if (STRING_FIELDS.has(key) && v !== null && typeof v !== 'string') {
      emit(`metadata.${key}`, `must be of type string; got ${jsonType(v)} ${short(v)}`);
    }
  }
  const name = meta.name;
  const generateName = meta.generateName;
  if (typeof name === 'string' && name !== '') {
    const p = dnsSubdomainProblem(name);
    if (p) emit('metadata.name', `${p}; got ${short(name)}`);
  } else if (typeof generateName === 'string' && generateName !== '') {
    const p = dnsSubdomainProblem(generateName.replace(/-$/, 'a'));
    if (p) emit('metadata.generateName', `${p}; got ${short(generateName)}`);
  } else if (name === undefined || name === null || name === '') {
    emit('metadata.name', 'name or generateName is required');
  }
  const ns = meta.namespace;
  if (namespaced && typeof ns === 'string' && ns !== '') {
    const p = dnsLabelProblem(ns);
    if (p) emit('metadata.namespace', `${p}; got ${short(ns)}`);
  }
  if (meta.generation !== undefined && meta.generation !== null && !(typeof meta.generation === 'number' && Number.isInteger(meta.generation))) {
    emit('metadata.generation', `must be of type integer; got ${short(meta.generation)}`);
  }
  validateLabels(meta.labels, emit);
  validateAnnotations(meta.annotations, emit);
  validateFinalizers(meta.finalizers, emit);
  validateOwnerReferences(meta.ownerReferences, emit);
}

function validateLabels(labels: unknown, emit: Emit): void {
  if (labels === undefined || labels === null) return;
  if (!isMap(labels)) {
    emit('metadata.labels', `must be a map of string to string; got ${jsonType(labels)} ${short(labels)}`);
    return;
  }
  for (const [k, v] of Object.entries(labels)) {
    const kp = qualifiedNameProblem(k);
    if (kp) emit(`metadata.labels[${k}]`, `invalid label key ${short(k)}: ${kp}`);
    if (typeof v !== 'string') {
      if (v !== null && v !== undefined) emit(`metadata.labels[${k}]`, `must be of type string; got ${jsonType(v)} ${short(v)}`);
      continue;
    }
    if (v.length > 63) {emit(`metadata.labels[${k}]`, `invalid label value: must be no more than 63 characters; got ${v.length} (${short(v)})`);} else if (!LABEL_VALUE.test(v)) {
      emit(`metadata.labels[${k}]`, `invalid label value ${short(v)}: must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
    }
  }
}

function validateAnnotations(annotations: unknown, emit: Emit): void {
  if (annotations === undefined || annotations === null) return;
  if (!isMap(annotations)) {
    emit('metadata.annotations', `must be a map of string to string; got ${jsonType(annotations)} ${short(annotations)}`);
    return;
  }
  let total = 0;
  for (const [k, v] of Object.entries(annotations)) {
    const kp = qualifiedNameProblem(k.toLowerCase());
    if (kp) emit(`metadata.annotations[${k}]`, `invalid annotation key ${short(k)}: ${kp}`);
    if (typeof v !== 'string') {
      if (v !== null && v !== undefined) emit(`metadata.annotations[${k}]`, `must be of type string; got ${jsonType(v)} ${short(v)}`);
      continue;
    }
    total += k.length + v.length;
  }
  if (total > TOTAL_ANNOTATION_SIZE) {
    emit('metadata.annotations', `may not have more than ${TOTAL_ANNOTATION_SIZE} bytes in total; got ${total}`);
  }
}

function validateFinalizers(finalizers: unknown, emit: Emit): void {
  if (finalizers === undefined || finalizers === null) return;
  if (!Array.isArray(finalizers)) {
    emit('metadata.finalizers', `must be a list of strings; got ${jsonType(finalizers)} ${short(finalizers)}`);
    return;
  }
  finalizers.forEach((f, i) => {
    if (typeof f !== 'string') {
      emit(`metadata.finalizers[${i}]`, `must be of type string; got ${jsonType(f)} ${short(f)}`);
      return;
    }
    const p = qualifiedNameProblem(f);
    if (p) emit(`metadata.finalizers[${i}]`, `invalid finalizer ${short(f)}: ${p}`);
  });
}

function validateOwnerReferences(refs: unknown, emit: Emit): void {
  if (refs === undefined || refs === null) return;
  if (!Array.isArray(refs)) {
    emit('metadata.ownerReferences', `must be a list; got ${jsonType(refs)} ${short(refs)}`);
    return;
  }
  refs.forEach((r, i) => {
    const path = `metadata.ownerReferences[${i}]`;
    if (!isMap(r)) {
      emit(path, `must be of type object; got ${jsonType(r)} ${short(r)}`);
      return;
    }
    for (const f of ['apiVersion', 'kind', 'name', 'uid']) {
      if (typeof r[f] !== 'string' || r[f] === '') emit(`${path}.${f}`, `${f} must be set`);
    }
  });
}
