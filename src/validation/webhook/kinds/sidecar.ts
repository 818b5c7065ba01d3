import { checkHost, checkBindAddress, checkPortName, checkPortNumber, checkUnixPath, checkWorkloadSelector } from '../checks/common';
import { Ctx, Obj, has, int, isObj, list, obj, show, str } from '../context';
import { RULES } from '../rules';
import { validateConnectionPool } from './destination-rule';
import { validateServerTls } from './gateway';
import { validateDestination } from './virtual-service';
import { PROTOCOL_LIST, checkWildcardDomain, isDnsLabel, isHttpProtocol, isPartialWildcard, isTlsProtocol, parseProtocol } from '../syntax/names';

/** Istio's admission checks for a Sidecar. */
export function validateSidecar(ctx: Ctx, spec: Obj): void {
  checkWorkloadSelector(ctx, 'spec.workloadSelector', spec.workloadSelector, 'labels');
  const ingress = list(spec.ingress);
  const egress = list(spec.egress);
  if (ingress.length === 0 && egress.length === 0 && !has(spec, 'outboundTrafficPolicy') && !has(spec, 'inboundConnectionPool')) {
    ctx.report(RULES.sidecarEmpty, 'spec', 'empty Sidecar: set ingress, egress, outboundTrafficPolicy or inboundConnectionPool');
    return;
  }

  const ingressPorts = new Set<number>();
  ingress.forEach((l, i) => {
    const p = `spec.ingress[${i}]`;
    if (!isObj(l)) return;
    const port = obj(l.port);
    if (!port) {
      ctx.report(RULES.sidecarIngressPort, `${p}.port`, 'an ingress listener needs a port');
      return;
    }
    if ((int(port.targetPort) ?? 0) > 0) ctx.report(RULES.sidecarIngressPort, `${p}.port.targetPort`, 'targetPort has no effect on Sidecars; remove it');
    const number = int(port.number) ?? 0;
    checkSidecarPort(ctx, `${p}.port`, port, number);
    const bind = str(l.bind);
    if (bind !== '') checkBindAddress(ctx, `${p}.bind`, bind);
    if (ingressPorts.has(number)) ctx.report(RULES.sidecarIngressPort, `${p}.port.number`, `ingress port ${number} is used by another listener; ports must be unique`);
    ingressPorts.add(number);

    const defaultEndpoint = str(l.defaultEndpoint);
    if (defaultEndpoint !== '') checkDefaultEndpoint(ctx, `${p}.defaultEndpoint`, defaultEndpoint);

    const tls = obj(l.tls);
    if (tls) {
      const tp = `${p}.tls`;
      if (list(tls.subjectAltNames).length) ctx.report(RULES.sidecarIngressTls, `${tp}.subjectAltNames`, 'subjectAltNames is not supported in Sidecar ingress tls');
      if (tls.httpsRedirect === true) ctx.report(RULES.sidecarIngressTls, `${tp}.httpsRedirect`, 'httpsRedirect is not supported in Sidecar ingress tls');
      if (str(tls.credentialName) !== '') ctx.report(RULES.sidecarIngressTls, `${tp}.credentialName`, 'credentialName is not supported in Sidecar ingress tls; use serverCertificate and privateKey');
      if (list(tls.credentialNames).length) ctx.report(RULES.sidecarIngressTls, `${tp}.credentialNames`, 'credentialNames is not supported in Sidecar ingress tls');
      if (list(tls.tlsCertificates).length) ctx.report(RULES.sidecarIngressTls, `${tp}.tlsCertificates`, 'tlsCertificates is not supported in Sidecar ingress tls');
      const mode = str(tls.mode);
      if (mode === 'ISTIO_MUTUAL' || mode === 'AUTO_PASSTHROUGH') ctx.report(RULES.sidecarIngressTls, `${tp}.mode`, `mode ${mode} cannot be used in Sidecar ingress tls`);
      if (!isTlsProtocol(parseProtocol(str(port.protocol)))) {
        ctx.report(RULES.sidecarIngressTls, tp, `ingress port protocol ${show(str(port.protocol))} cannot have TLS settings; use HTTPS or TLS`);
      }
      validateServerTls(ctx, tp, tls);
    }
    validateConnectionPool(ctx, `${p}.connectionPool`, l.connectionPool);
    if (has(obj(l.connectionPool), 'http') && !isHttpProtocol(parseProtocol(str(port.protocol)))) {
      ctx.report(RULES.sidecarHttpPoolOnTcp, `${p}.connectionPool.http`, `HTTP connection pool settings on port ${number} with protocol ${show(str(port.protocol))} are ignored; only tcp settings apply`);
    }
  });
  validateConnectionPool(ctx, 'spec.inboundConnectionPool', spec.inboundConnectionPool);

  const egressPorts = new Set<number>();
  const sockets = new Set<string>();
  let catchAll = false;
  egress.forEach((l, i) => {
    const p = `spec.egress[${i}]`;
    if (!isObj(l)) return;
    const port = obj(l.port);
    if (!port) {
      if (catchAll) {
        ctx.report(RULES.sidecarCatchAll, `${p}.port`, 'only one egress listener may have no port (the catch-all)');
        return;
      }
      if (i === egress.length - 1) catchAll = true;
      else ctx.report(RULES.sidecarCatchAll, `${p}.port`, 'the egress listener without a port (the catch-all) must be the last one');
    } else {
      if ((int(port.targetPort) ?? 0) > 0) ctx.report(RULES.sidecarEgressPort, `${p}.port.targetPort`, 'targetPort has no effect on Sidecars; remove it');
      const bind = str(l.bind);
      const number = int(port.number) ?? 0;
      if (number === 0) {
        if (str(port.name) !== '') checkPortName(ctx, `${p}.port.name`, str(port.name));
        checkProtocol(ctx, `${p}.port.protocol`, str(port.protocol));
        if (!bind.startsWith('unix://')) {
          ctx.report(RULES.sidecarEgressPort, `${p}.bind`, 'an egress port 0 needs a unix domain socket bind (unix:///path)');
        } else {
          checkUnixPath(ctx, `${p}.bind`, bind.slice('unix://'.length));
        }
        const capture = str(l.captureMode) || 'DEFAULT';
        if (capture !== 'DEFAULT' && capture !== 'NONE') {
          ctx.report(RULES.sidecarEgressPort, `${p}.captureMode`, `captureMode ${capture} cannot be used with a unix domain socket listener; use DEFAULT or NONE`);
        }
        if (sockets.has(bind)) ctx.report(RULES.sidecarEgressPort, `${p}.bind`, `unix socket ${show(bind)} is used by another listener; sockets must be unique`);
        sockets.add(bind);
      } else {
        checkSidecarPort(ctx, `${p}.port`, port, number);
        if (bind !== '') checkBindAddress(ctx, `${p}.bind`, bind);
        if (egressPorts.has(number)) ctx.report(RULES.sidecarEgressPort, `${p}.port.number`, `egress port ${number} is used by another listener; ports must be unique`);
        egressPorts.add(number);
      }
    }
    validateEgressHosts(ctx, p, list(l.hosts));
  });

  validateOutboundPolicy(ctx, 'spec.outboundTrafficPolicy', obj(spec.outboundTrafficPolicy));
}

function checkProtocol(ctx: Ctx, field: string, protocol: string): void {
  if (protocol !== '' && parseProtocol(protocol) === 'UNSUPPORTED') {
    ctx.report(RULES.protocolUnsupported, field, `protocol ${show(protocol)} is not supported; use one of ${PROTOCOL_LIST}`);
  }
}

function checkSidecarPort(ctx: Ctx, p: string, port: Obj, number: number): void {
  if (str(port.name) !== '') checkPortName(ctx, `${p}.name`, str(port.name));
  checkProtocol(ctx, `${p}.protocol`, str(port.protocol));
  checkPortNumber(ctx, `${p}.number`, number);
}

/** `127.0.0.1:<port>`, `0.0.0.0:<port>`, `[::1]:<port>`, `[::]:<port>`, `:<port>` or `unix://<path>`. */
function checkDefaultEndpoint(ctx: Ctx, field: string, ep: string): void {
  if (ep.startsWith('unix://')) {
    checkUnixPath(ctx, field, ep.slice('unix://'.length));
    return;
  }
  const split = splitHostPort(ep);
  if (typeof split === 'string') {
    ctx.report(RULES.sidecarDefaultEndpoint, field, `defaultEndpoint ${show(ep)}: ${split}; use 127.0.0.1:<port>, 0.0.0.0:<port>, [::1]:<port>, [::]:<port> or unix://<path>`);
    return;
  }
  if (split.host !== '' && !['127.0.0.1', '0.0.0.0', '::1', '::'].includes(split.host)) {
    ctx.report(RULES.sidecarDefaultEndpoint, field, `defaultEndpoint host ${show(split.host)} is not allowed; use 127.0.0.1:<port>, 0.0.0.0:<port>, [::1]:<port>, [::]:<port> or unix://<path>`);
  }
  if (!/^\d+$/.test(split.port)) {
    ctx.report(RULES.sidecarDefaultEndpoint, field, `defaultEndpoint port ${show(split.port)} is not a number`);
  } else {
    checkPortNumber(ctx, field, Number(split.port), 'defaultEndpoint port');
  }
}

/** Go's net.SplitHostPort, enough for defaultEndpoint. */
function splitHostPort(s: string): { host: string; port: string } | string {
  if (s.startsWith('[')) {
    const end = s.indexOf(']');
    if (end < 0) return 'missing "]" in address';
    if (s[end + 1] !== ':') return 'missing port in address';
    return { host: s.slice(1, end), port: s.slice(end + 2) };
  }
  const colon = s.lastIndexOf(':');
  if (colon < 0) return 'missing port in address';
  const host = s.slice(0, colon);
  if (host.includes(':')) return 'too many colons in address (put IPv6 addresses in brackets)';
  return { host, port: s.slice(colon + 1) };
}

function validateEgressHosts(ctx: Ctx, p: string, hosts: any[]): void {
  if (hosts.length === 0) {
    ctx.report(RULES.sidecarEgressHosts, `${p}.hosts`, 'an egress listener needs at least one host, such as "./*" or "istio-system/*"');
    return;
  }
  const byNamespace = new Map<string, Set<string>>();
  hosts.forEach((h, i) => {
    if (typeof h !== 'string') return;
    const field = `${p}.hosts[${i}]`;
    const slash = h.indexOf('/');
    if (slash < 0) {
      ctx.report(RULES.sidecarEgressHosts, field, `egress host ${show(h)} must be <namespace>/<dnsName>, e.g. "./${h}" or "*/${h}"`);
      return;
    }
    let ns = h.slice(0, slash);
    const name = h.slice(slash + 1);
    if (ns === '.' && ctx.namespace !== undefined) ns = ctx.namespace;
    const names = byNamespace.get(ns) ?? new Set<string>();
    byNamespace.set(ns, names);
    if (name !== '*' ? names.has(name) || names.has('*') : names.size > 0) {
      ctx.report(RULES.sidecarEgressHostDuplicate, field, `egress host ${show(h)} is already covered by another host of this listener`);
    }
    names.add(name);
    const err = egressHostError(h.slice(0, slash), name);
    if (err) ctx.report(RULES.sidecarEgressHosts, field, `egress host ${show(h)} is invalid: ${err}`);
  });
  if (byNamespace.get('*')?.has('*') && byNamespace.size !== 1) {
    ctx.report(RULES.sidecarEgressHostDuplicate, `${p}.hosts`, '"*/*" selects everything; the other hosts add nothing');
  }
}

function egressHostError(ns: string, name: string): string | undefined {
  if (ns === '' || name === '') return 'namespace and dnsName cannot be empty';
  if (ns !== '*' && ns !== '.' && ns !== '~' && !isDnsLabel(ns)) return `namespace ${show(ns)} is not "*", ".", "~" or a namespace name`;
  if (name !== '*' && !name.includes('.')) return 'short names are not allowed; use a fully qualified name or "*"';
  const err = checkWildcardDomain(name);
  if (err) return err;
  if (isPartialWildcard(name)) return 'partial wildcards are not allowed; use *.example.com';
  return undefined;
}

function validateOutboundPolicy(ctx: Ctx, p: string, policy: Obj | undefined): void {
  if (!policy || !has(policy, 'egressProxy')) return;
  const mode = str(policy.mode) || 'REGISTRY_ONLY';
  if (mode !== 'ALLOW_ANY') {
    ctx.report(RULES.sidecarEgressProxy, `${p}.mode`, `egressProxy needs outboundTrafficPolicy mode ALLOW_ANY, got ${mode}`);
    return;
  }
  const proxy = obj(policy.egressProxy);
  if (!proxy) return;
  const hostValid = checkHost(ctx, `${p}.egressProxy.host`, str(proxy.host), 'fqdn', 'egressProxy host');
  if (!has(proxy, 'port')) {
    ctx.report(RULES.sidecarEgressProxy, `${p}.egressProxy.port`, 'egressProxy needs a port');
    return;
  }
  validateDestination(ctx, `${p}.egressProxy`, proxy, hostValid);
}
