/**
 * The one Finding type shared by every validation layer (CRD schema + CEL,
 * Istio's admission webhook rules, and the istioctl-analyze style analyzers).
 */

/** How serious a finding is. Spelled as `istioctl analyze` prints it. */
export enum FindingLevel {
  /** The object is rejected by the API server or Istio, or is certainly broken. */
  ERROR = 'Error',
  /** Accepted, but very likely not what was meant. */
  WARNING = 'Warning',
  /** Worth knowing. */
  INFO = 'Info',
}

/** Which layer produced a finding. */
export enum FindingLayer {
  /** The CRD OpenAPI schema and its CEL (x-kubernetes-validations) rules. */
  CRD = 'crd',
  /** Istio's validating admission webhook. */
  WEBHOOK = 'webhook',
  /** Cross-resource checks, as `istioctl analyze` makes them. */
  ANALYZER = 'analyzer',
}

/** One problem found in one object. */
export interface Finding {
  /** `IST0101`-style code where Istio has one, `CDK8S-ISTIO-xxxx` otherwise. */
  readonly code: string;
  /** Error, Warning or Info. */
  readonly level: FindingLevel;
  /** What is wrong and, where possible, how to fix it. */
  readonly message: string;
  /** The layer that produced the finding. */
  readonly layer: FindingLayer;
  /** The object's apiVersion, as written. @default - unknown */
  readonly apiVersion?: string;
  /** The object's kind, as written. */
  readonly kind: string;
  /** The object's metadata.name, as written (empty if missing). */
  readonly name: string;
  /** The object's metadata.namespace, as written. @default - the object has no namespace */
  readonly namespace?: string;
  /** The field path inside the object, e.g. `spec.http[0].route[1].weight`. @default - the whole object */
  readonly field?: string;
  /** The cdk8s construct path of the object, where known. @default - not known */
  readonly constructPath?: string;
  /** The file the object was read from, where known. @default - not known */
  readonly file?: string;
}

/** One manifest object to validate, with where it came from. */
export interface ManifestSource {
  /** The manifest object (plain JSON, as synthesized or parsed from YAML). */
  readonly object: any;
  /** The cdk8s construct path that produced it. @default - not known */
  readonly constructPath?: string;
  /** The file it was read from. @default - not known */
  readonly file?: string;
}
