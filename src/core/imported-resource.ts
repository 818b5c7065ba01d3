/**
 * The shared part of the private `Imported<Kind>` classes behind the
 * `fromXxxName(scope, id, name, { namespace })` imports: parsing `name` or
 * `namespace/name` with the optional `namespace` option, and checking both.
 *
 * Each kind keeps its own messages and rules (a `ReferenceSyntax`); keep the
 * subclasses named `Imported<Kind>`: `describeConstruct` strips the prefix, so the
 * messages name the kind (`DestinationRule 'app/x': ...`).
 *
 * Internal: not part of the public (jsii) API, `src/index.ts` does not re-export it.
 */
import { Construct } from 'constructs';
import { throwPropError } from './errors';
import { isDnsLabel } from './names';

const DNS_LABELS = 'the name and namespace must be DNS labels (lowercase letters, digits and "-")';

/** A check of the name, or of the namespace when there is one. */
export interface ReferencePartCheck {
  /** Which part is checked. */
  readonly part: 'name' | 'namespace';
  /** True when the part is valid. */
  readonly valid: (value: string) => boolean;
  /** What the message says is allowed. */
  readonly allowed: string;
  /** Report the error on `name`, showing the whole reference, rather than on the part and its value. */
  readonly reportReference?: boolean;
}

/** How one kind reads and checks a reference to an object made elsewhere. */
export interface ReferenceSyntax {
  /**
   * Checked first: the reference has at most one "/" (and, with `nonEmptyParts`, is a
   * string without an empty part), else the error is on `name` with this `allowed`.
   * Without it, the reference is split at its first "/" and the part checks catch
   * the rest.
   */
  readonly shape?: { readonly allowed: string; readonly nonEmptyParts: boolean };
  /** A namespace in the name that differs from the `namespace` option. */
  readonly conflict: {
    /** Report it on `name` (showing the reference) or on `namespace` (showing the option). */
    readonly prop: 'name' | 'namespace';
    /** What the message says, given the reference, the namespace in it and the option. */
    readonly allowed: (reference: string, namespaceInName: string, namespaceOption: string) => string;
  };
  /** The checks of the name and the namespace, in the order they run. */
  readonly checks: ReferencePartCheck[];
}

/**
 * `name` or `namespace/name`, both DNS labels (Gateway and ServiceEntry imports):
 * one message for every problem of the name or namespace.
 */
export const DNS_LABEL_REFERENCE: ReferenceSyntax = {
  shape: { allowed: 'give "<namespace>/<name>" or "<name>"', nonEmptyParts: false },
  conflict: {
    prop: 'name',
    allowed: (_reference, inName, option) => `the namespace in the name ("${inName}") differs from the namespace option ("${option}"): give it once`,
  },
  checks: [
    { part: 'name', valid: isDnsLabel, allowed: DNS_LABELS, reportReference: true },
    { part: 'namespace', valid: isDnsLabel, allowed: DNS_LABELS, reportReference: true },
  ],
};

/** An object made elsewhere, known by its name and, if given, its namespace. */
export abstract class ImportedResource extends Construct {
  /** The object's name. */
  public readonly name: string;
  /** The object's namespace, when the reference or the option gives one. */
  public readonly namespace?: string;

  protected constructor(scope: Construct, id: string, reference: string, namespaceOption: string | undefined, syntax: ReferenceSyntax) {
    super(scope, id);
    if (syntax.shape) {
      const parts = typeof reference === 'string' ? reference.split('/') : [];
      const empty = syntax.shape.nonEmptyParts && (parts.length < 1 || parts.some(p => p.length === 0));
      if (parts.length > 2 || empty) throwPropError(this, 'name', reference, syntax.shape.allowed);
    }
    const slash = reference.indexOf('/');
    const namespaceInName = slash >= 0 ? reference.slice(0, slash) : undefined;
    const name = slash >= 0 ? reference.slice(slash + 1) : reference;
    if (namespaceInName !== undefined && namespaceOption !== undefined && namespaceOption !== namespaceInName) {
      const { prop, allowed } = syntax.conflict;
      throwPropError(this, prop, prop === 'name' ? reference : namespaceOption, allowed(reference, namespaceInName, namespaceOption));
    }
    const namespace = namespaceInName ?? namespaceOption;
    for (const check of syntax.checks) {
      const value = check.part === 'name' ? name : namespace;
      if (value === undefined || check.valid(value)) continue;
      if (check.reportReference) throwPropError(this, 'name', reference, check.allowed);
      throwPropError(this, check.part, value, check.allowed);
    }
    this.name = name;
    this.namespace = namespace;
  }
}
