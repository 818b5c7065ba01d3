import { ApiObject, ApiObjectMetadata, Chart, Names } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { addSynthValidation, perApp } from './cross-check';

/**
 * An Istio (or Gateway API) object that other constructs can refer to by name.
 */
export interface IIstioResource extends IConstruct {
  /** The Kubernetes `metadata.name`. */
  readonly name: string;
  /** The Kubernetes `metadata.namespace`, if known. */
  readonly namespace?: string;
}

/** Props common to every resource-level construct. */
export interface IstioResourceProps {
  /**
   * Metadata of the object.
   *
   * @default - `name` is derived from the construct path without a hash
   *   (e.g. `bookinfo-reviews`), the namespace is the chart's
   */
  readonly metadata?: ApiObjectMetadata;
}

/**
 * Base of every resource-level construct: it wraps exactly one L1 object, created
 * with the id `Resource` so that it is the construct's `node.defaultChild`.
 *
 * Object names are readable and stable: unless `metadata.name` is given, it is the
 * construct path as a DNS label without cdk8s's hash suffix. Two objects of the same
 * apiVersion group, kind, namespace and name in one app fail validation.
 */
export abstract class IstioResource extends Construct implements IIstioResource {
  /** The underlying L1 object (escape hatch). */
  public abstract readonly apiObject: ApiObject;

  /** The Kubernetes `metadata.name`. */
  public readonly name: string;

  /** The Kubernetes `metadata.namespace`, where set on the object or its chart. */
  public readonly namespace?: string;

  protected constructor(scope: Construct, id: string, props: IstioResourceProps = {}) {
    super(scope, id);
    this.name = props.metadata?.name ?? Names.toDnsLabel(this, { includeHash: false });
    this.namespace = props.metadata?.namespace ?? Chart.of(this).namespace;
    UniqueObjectNames.register(this);
  }

  /** The metadata to pass to the L1, with the resolved name. */
  protected resourceMetadata(props: IstioResourceProps): ApiObjectMetadata {
    return { ...props.metadata, name: this.name };
  }
}

const UNIQUE_NAMES = Symbol.for('cdk8s-istio.UniqueObjectNames');

/**
 * One validation per app that rejects two API objects with the same group, kind,
 * namespace and name (the API server would keep only the last one applied).
 * Built once from one pass over the tree, never pairwise.
 */
class UniqueObjectNames {
  public static register(scope: IConstruct): void {
    // once per synth, not once per chart (cdk8s validates the whole app for every chart)
    perApp(scope, UNIQUE_NAMES, root => addSynthValidation(root, () => new UniqueObjectNames(root).validate()));
  }

  private constructor(private readonly root: IConstruct) {}

  public validate(): string[] {
    const seen = new Map<string, ApiObject>();
    const errors: string[] = [];
    for (const c of this.root.node.findAll()) {
      if (!(c instanceof ApiObject)) continue;
      const group = c.apiVersion.includes('/') ? c.apiVersion.split('/')[0] : '';
      const ns = c.metadata.namespace ?? '';
      const key = `${group}|${c.kind}|${ns}|${c.name}`;
      const other = seen.get(key);
      if (other) {
        errors.push(`${c.kind} '${c.node.path}': metadata.name "${c.name}"${ns ? ` in namespace "${ns}"` : ''} is already used by '${other.node.path}'; give one of them another id or metadata.name`);
      } else {
        seen.set(key, c);
      }
    }
    return errors;
  }
}
