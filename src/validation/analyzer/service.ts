/**
 * Service, ServiceEntry and Namespace rules: port names Istio cannot read a protocol
 * from (IST0118, IST0150), TCP ServiceEntries without addresses (IST0134), and
 * namespaces without (or with two) injection labels (IST0102, IST0123).
 *
 * Internal module: not part of the public API.
 */
import { Context } from './context';
import { RULES } from './rules';
import { arr, istioProtocol, list, num, obj, str, strList } from './util';

/** Namespaces Istio never injects and does not analyze. */
export const IGNORED_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']);

export function checkServices(ctx: Context): void {
  for (const svc of ctx.all('Service')) {
    if (IGNORED_NAMESPACES.has(svc.ns) || isControlPlane(svc.labels)) continue;
    const externalName = str(svc.spec.type) === 'ExternalName';
    arr(svc.spec.ports).forEach((p, i) => {
      const port = obj(p);
      const name = str(port.name);
      const number = num(port.port);
      const unsupported = istioProtocol(name, str(port.appProtocol), str(port.protocol), number) === undefined;
      if (externalName && (unsupported || name === 'tcp')) {
        ctx.report({
          item: svc,
          rule: RULES.externalNameServiceTypeInvalidPortName,
          field: `spec.ports[${i}].name`,
          message: 'Port name for ExternalName service is invalid. Proxy may prevent tcp named ports and unmatched traffic for ports serving TCP protocol from being forwarded correctly',
        });
      } else if (unsupported) {
        ctx.report({
          item: svc,
          rule: RULES.portNameIsNotUnderNamingConvention,
          field: `spec.ports[${i}].name`,
          message: `Port name ${name ?? ''} (port: ${number ?? 0}, targetPort: ${str(port.targetPort) ?? num(port.targetPort) ?? 0}) doesn't follow the naming convention of Istio port.`,
        });
      }
    });
  }
}

/** Istio's own components carry an `istio` label (or `release: istio`). */
export function isControlPlane(labels: Record<string, string>): boolean {
  return labels.istio !== undefined || labels.release === 'istio';
}

export function checkServiceEntries(ctx: Context): void {
  const proxyMetadata = obj(obj(ctx.meshConfig.defaultConfig).proxyMetadata);
  const autoAllocated = String(proxyMetadata.ISTIO_META_DNS_CAPTURE) === 'true' && String(proxyMetadata.ISTIO_META_DNS_AUTO_ALLOCATE) === 'true';
  if (autoAllocated) return;
  for (const se of ctx.all('ServiceEntry')) {
    if (strList(se.spec.addresses).length > 0) continue;
    arr(se.spec.ports).forEach((p, i) => {
      const protocol = str(obj(p).protocol);
      if (protocol !== undefined && protocol !== 'TCP') return;
      ctx.report({
        item: se,
        rule: RULES.serviceEntryAddressesRequired,
        field: `spec.ports[${i}].protocol`,
        message: 'ServiceEntry addresses are required for this protocol.',
      });
    });
  }
}

export function checkNamespaces(ctx: Context): void {
  for (const ns of ctx.all('Namespace')) {
    if (ns.name === 'istio-system' || IGNORED_NAMESPACES.has(ns.name)) continue;
    const legacy = ns.labels['istio-injection'];
    const revision = ns.labels['istio.io/rev'];
    if (legacy === undefined && revision === undefined) {
      if (ns.labels['istio.io/dataplane-mode'] === 'ambient') continue;
      ctx.report({
        item: ns,
        rule: RULES.namespaceNotInjected,
        field: 'metadata.labels',
        message: `The namespace is not enabled for Istio injection. Run 'kubectl label namespace ${ns.name} istio-injection=enabled' to enable it, or 'kubectl label namespace ${ns.name} istio-injection=disabled' to explicitly mark it as not needing injection.`,
      });
    } else if (legacy !== undefined && revision !== undefined) {
      ctx.report({
        item: ns,
        rule: RULES.namespaceMultipleInjectionLabels,
        field: 'metadata.labels',
        message: `The namespace has more than one type of injection labels ${list(['istio-injection', 'istio.io/rev'])}, which may lead to undefined behavior. Make sure only one injection label exists.`,
      });
    }
  }
}
