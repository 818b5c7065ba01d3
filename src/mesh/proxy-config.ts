import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import * as l1 from '../../imports/networking.istio.io';
import { addCrossCheck, addSynthValidation } from '../core/cross-check';
import { constructMessage, throwPropError } from '../core/errors';
import { IstioResource, IstioResourceProps } from '../core/istio-resource';
import { WorkloadSelector } from '../core/workload-selector';

/**
 * The flavour of the proxy image.
 * @see https://istio.io/latest/docs/ops/configuration/security/harden-docker-images/
 */
export enum ProxyImageType {
  /** The default image (Ubuntu based, with a few debugging tools). */
  DEFAULT = 'default',
  /** The debug image: a shell and debugging tools, for troubleshooting one workload. */
  DEBUG = 'debug',
  /** The distroless image: no shell or package manager, the smallest attack surface. */
  DISTROLESS = 'distroless',
}

/** The proxy settings of a ProxyConfig. */
export interface ProxyConfigOptions {
  /**
   * The number of Envoy worker threads; 0 means one per CPU core of the container's
   * CPU limit (or of the node, without one).
   *
   * @default - Istio's default (2, or the CPU limit)
   */
  readonly concurrency?: number;

  /**
   * Environment variables of the proxy, e.g. `{ ISTIO_META_DNS_CAPTURE: 'true' }`.
   * More with `addEnvironmentVariable()`.
   *
   * @default - none
   */
  readonly environmentVariables?: { [name: string]: string };

  /**
   * The proxy image flavour. `DEBUG` is refused mesh-wide: give it to the workloads
   * being debugged, with a `selector`.
   *
   * @default - the image type of the installation (`default`)
   */
  readonly imageType?: ProxyImageType;
}

/** Props of a ProxyConfig. */
export interface ProxyConfigProps extends ProxyConfigOptions, IstioResourceProps {
  /**
   * The workloads it applies to.
   *
   * @default - every workload of the namespace (of the mesh, in the root namespace)
   */
  readonly selector?: WorkloadSelector;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ROOT_NAMESPACE = 'istio-system';

/**
 * Per-workload proxy settings (ProxyConfig): Envoy's worker threads, the proxy's
 * environment variables and its image flavour, for the whole mesh (the root namespace,
 * `ProxyConfig.meshWide`), a namespace, or the workloads a `selector` picks. The
 * workload's own setting wins over the namespace's, which wins over the mesh's and
 * the mesh config's `defaultConfig`. The settings apply when a pod starts: restart
 * the workloads to pick up a change.
 *
 * Secure by default: nothing is set that is not given; the debug image is never
 * chosen for more than the selected workloads.
 *
 * Checks: concurrency an integer >= 0; environment variable names; at least one
 * setting; two ProxyConfigs without selector in one namespace (which one applies is
 * undefined).
 *
 * @see https://istio.io/latest/docs/reference/config/networking/proxy-config/
 */
export class ProxyConfig extends IstioResource {
  /**
   * A ProxyConfig for the whole mesh: in the root namespace, without a selector.
   *
   * @param scope the parent construct
   * @param id the construct id
   * @param options the proxy settings
   * @param rootNamespace the mesh's root namespace
   */
  public static meshWide(scope: Construct, id: string, options: ProxyConfigOptions, rootNamespace: string = ROOT_NAMESPACE): ProxyConfig {
    const proxyConfig = new ProxyConfig(scope, id, { ...options, metadata: { namespace: rootNamespace } });
    proxyConfig.rootNamespace = rootNamespace;
    return proxyConfig;
  }

  /** The L1 object. */
  public readonly apiObject: l1.ProxyConfig;
  /** The workload selector, if any. */
  public readonly selector?: WorkloadSelector;
  /** The number of worker threads, if set. */
  public readonly concurrency?: number;
  /** The image flavour, if set. */
  public readonly imageType?: ProxyImageType;

  private readonly env = new Map<string, string>();
  private rootNamespace = ROOT_NAMESPACE;

  public constructor(scope: Construct, id: string, props: ProxyConfigProps = {}) {
    super(scope, id, props);
    this.selector = props.selector;
    const c = props.concurrency;
    if (c !== undefined && (!Number.isInteger(c) || c < 0 || c > 2147483647)) {
      throwPropError(this, 'concurrency', c, 'an integer >= 0: the number of worker threads, or 0 for one per CPU core');
    }
    this.concurrency = c;
    this.imageType = props.imageType;
    for (const [k, v] of Object.entries(props.environmentVariables ?? {})) this.setEnv(k, v, `environmentVariables["${k}"]`);

    this.apiObject = new l1.ProxyConfig(this, 'Resource', {
      metadata: this.resourceMetadata(props),
      spec: Lazy.any({ produce: () => this.renderSpec() }),
    });
    addSynthValidation(this, () => this.validate());
    if (this.selector === undefined) {
      const namespace = this.namespace;
      addCrossCheck(this, index => {
        const first = index.inNamespace('ProxyConfig', namespace).find(o => o.json?.spec?.selector === undefined);
        if (!first || first.apiObject === this.apiObject) return [];
        return [constructMessage(this, `another ProxyConfig without selector, '${ownerPath(first.apiObject)}', applies to namespace "${namespace ?? '(none)'}" too: `
          + 'which one a workload gets is undefined; merge them, or give this one a selector')];
      });
    }
  }

  /**
   * Sets an environment variable of the proxy.
   * @param name the variable name (letters, digits and `_`)
   * @param value the value
   */
  public addEnvironmentVariable(name: string, value: string): void {
    this.setEnv(name, value, `addEnvironmentVariable("${name}")`);
  }

  private validate(): string[] {
    if (this.concurrency === undefined && this.imageType === undefined && this.env.size === 0) {
      return [constructMessage(this, 'sets nothing: give concurrency, environmentVariables (or addEnvironmentVariable()) or imageType')];
    }
    if (this.imageType === ProxyImageType.DEBUG && this.selector === undefined && this.namespace === this.rootNamespace) {
      return [constructMessage(this, `invalid imageType "debug": the debug image (a shell and tools in every proxy) is refused mesh-wide (the root namespace "${this.rootNamespace}" without a selector); `
        + 'give it to the workloads being debugged with a selector')];
    }
    return [];
  }

  private setEnv(name: string, value: string, prop: string): void {
    if (!ENV_NAME.test(name)) throwPropError(this, prop, name, 'an environment variable name: letters, digits and "_", not starting with a digit');
    if (typeof value !== 'string') throwPropError(this, prop, value, 'a string value');
    this.env.set(name, value);
  }

  private renderSpec(): l1.ProxyConfigSpec {
    const names = [...this.env.keys()].sort();
    return {
      selector: this.selector ? { matchLabels: this.selector.toLabels() } : undefined,
      concurrency: this.concurrency,
      environmentVariables: names.length > 0 ? Object.fromEntries(names.map(n => [n, this.env.get(n)!])) : undefined,
      image: this.imageType !== undefined ? { imageType: this.imageType } : undefined,
    };
  }
}

function ownerPath(apiObject: Construct): string {
  return apiObject.node.id === 'Resource' && apiObject.node.scope ? apiObject.node.scope.node.path : apiObject.node.path;
}
