/**
 * The MeshConfigs of an app, kept on the app when they are made, so that the
 * constructs that name extension providers (TelemetryPolicy, ExternalAuthorization)
 * can check their references without walking the app (see the index contract in
 * core/cross-check.ts). Internal: not part of the public (jsii) API.
 */
import { IConstruct } from 'constructs';
import { ExtensionProvider, ProviderUse } from './extension-provider';
import { perApp } from '../core/cross-check';

/** The providers istiod adds to every mesh config, and what they serve (Istio's defaults). */
export const BUILT_IN_PROVIDERS: { [name: string]: ProviderUse[] } = {
  envoy: [ProviderUse.ACCESS_LOGGING],
  prometheus: [ProviderUse.METRICS],
  stackdriver: [ProviderUse.TRACING, ProviderUse.ACCESS_LOGGING, ProviderUse.METRICS],
};

/** What the registry knows of one MeshConfig of the app. */
export interface AppMeshConfig {
  /** The construct, for messages. */
  readonly construct: IConstruct;
  /** The ConfigMap's name (`istio`, `istio-<revision>`). */
  readonly configMapName: string;
  /** The extension provider of this name, if declared. */
  provider(name: string): ExtensionProvider | undefined;
  /** The names of the declared extension providers, in the order added. */
  providerNames(): string[];
}

const MESH_CONFIGS = Symbol.for('cdk8s-istio.MeshConfigs');

/** The MeshConfigs of the app, by `namespace/name` of their ConfigMap. */
export function appMeshConfigs(scope: IConstruct): Map<string, AppMeshConfig> {
  return perApp(scope, MESH_CONFIGS, () => new Map<string, AppMeshConfig>());
}

const USE_NAMES: Record<ProviderUse, string> = {
  [ProviderUse.AUTHORIZATION]: 'external authorization (envoyExtAuthzHttp/envoyExtAuthzGrpc)',
  [ProviderUse.TRACING]: 'tracing',
  [ProviderUse.ACCESS_LOGGING]: 'access logging',
  [ProviderUse.METRICS]: 'metrics',
};
const ARTICLES: Record<ProviderUse, string> = {
  [ProviderUse.AUTHORIZATION]: 'an', [ProviderUse.TRACING]: 'a', [ProviderUse.ACCESS_LOGGING]: 'an', [ProviderUse.METRICS]: 'a',
};

/**
 * Why naming provider `name` for `use` is wrong, given the app's MeshConfigs, or
 * undefined. Without a MeshConfig in the app the world is open: only a built-in
 * provider used for the wrong purpose is wrong.
 */
export function providerReferenceProblem(scope: IConstruct, name: string, use: ProviderUse): string | undefined {
  const meshes = [...appMeshConfigs(scope).values()];
  const found = meshes.map(mesh => ({ mesh, provider: mesh.provider(name) })).filter(f => f.provider !== undefined);
  if (found.length === 0) {
    const builtIn = BUILT_IN_PROVIDERS[name];
    if (builtIn) {
      return builtIn.includes(use) ? undefined
        : `"${name}" is Istio's built-in ${builtIn.map(u => USE_NAMES[u]).join('/')} provider, not ${ARTICLES[use]} ${USE_NAMES[use]} provider`;
    }
    if (meshes.length === 0) return undefined;
    const declared = meshes.map(m => `'${m.construct.node.path}' declares ${m.providerNames().length > 0 ? m.providerNames().map(n => `"${n}"`).join(', ') : 'none'}`).join('; ');
    return `no MeshConfig of the app declares extension provider "${name}" (${declared}; istiod adds ${Object.keys(BUILT_IN_PROVIDERS).join(', ')}), `
      + 'so istiod ignores the reference: register it with meshConfig.addExtensionProvider(), or fix the name';
  }
  if (found.every(f => f.provider!.use !== use)) {
    const f = found[0];
    return `extension provider "${name}" of MeshConfig '${f.mesh.construct.node.path}' is ${f.provider!.kind}, not ${ARTICLES[use]} ${USE_NAMES[use]} provider`;
  }
  return undefined;
}
