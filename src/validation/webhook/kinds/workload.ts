import { checkHeaderName, checkLabels, checkPortNumber, checkPortName, checkUnixPath } from '../checks/common';
import { Ctx, Obj, entries, has, int, isObj, key, list, obj, show, str } from '../context';
import { RULES } from '../rules';
import { checkFqdn, isIpAddress } from '../syntax/names';

/**
 * A WorkloadEntry spec, or a ServiceEntry endpoint. `servicePorts` are the port
 * names of the enclosing ServiceEntry (undefined for a WorkloadEntry);
 * `allowFqdn` is false for STATIC endpoints, which must be IPs.
 */
export function validateWorkloadEntrySpec(ctx: Ctx, p: string, we: Obj, servicePorts: Set<string> | undefined, allowFqdn: boolean): void {
  const addr = str(we.address);
  if (addr === '') {
    if (str(we.network) === '') {
      ctx.report(RULES.weAddressRequired, `${p}.address`, 'address is required (or set network for a workload reached through its network gateway)');
      return;
    }
    ctx.report(RULES.weAddressUnset, `${p}.address`, `address is unset with network ${show(we.network)}; the workload is only reachable through that network's gateway`);
  }
  const ports = entries(we.ports);
  let unix = false;
  if (addr.startsWith('unix://')) {
    unix = true;
    checkUnixPath(ctx, `${p}.address`, addr.slice('unix://'.length));
    if (ports.length) ctx.report(RULES.weAddressInvalid, `${p}.ports`, `unix endpoint ${show(addr)} must not have ports`);
  } else if (addr !== '' && !isIpAddress(addr)) {
    if (!allowFqdn) {
      ctx.report(RULES.weAddressInvalid, `${p}.address`, `endpoint address ${show(addr)} is not an IP address; resolution STATIC needs IPs (use DNS for host names)`);
    } else if (checkFqdn(addr) !== undefined) {
      ctx.report(RULES.weAddressInvalid, `${p}.address`, `address ${show(addr)} is not an IP address or a fully qualified domain name`);
    }
  }
  for (const [name, port] of ports) {
    const field = key(`${p}.ports`, name);
    if (servicePorts && !servicePorts.has(name)) {
      ctx.report(RULES.seEndpointPorts, field, `endpoint port ${show(name)} is not a port name of the ServiceEntry (${show([...servicePorts])})`);
    }
    checkPortName(ctx, field, name);
    checkPortNumber(ctx, field, int(port) ?? 0);
  }
  checkLabels(ctx, `${p}.labels`, we.labels);
  if (unix && servicePorts && servicePorts.size !== 1) {
    ctx.report(RULES.seEndpointPorts, `${p}.address`, `a unix endpoint needs exactly 1 service port, the ServiceEntry has ${servicePorts.size}`);
  }
}

/** Istio's admission checks for a WorkloadEntry. */
export function validateWorkloadEntry(ctx: Ctx, spec: Obj): void {
  validateWorkloadEntrySpec(ctx, 'spec', spec, undefined, true);
}

/** Istio's admission checks for a WorkloadGroup. */
export function validateWorkloadGroup(ctx: Ctx, spec: Obj): void {
  if (!has(spec, 'template')) {
    ctx.report(RULES.wgTemplateRequired, 'spec.template', 'a WorkloadGroup needs a template for its WorkloadEntries');
    return;
  }
  checkLabels(ctx, 'spec.metadata.labels', obj(spec.metadata)?.labels);
  const probe = obj(spec.probe);
  if (!probe) return;
  const p = 'spec.probe';
  for (const f of ['periodSeconds', 'initialDelaySeconds', 'timeoutSeconds', 'successThreshold', 'failureThreshold']) {
    const v = int(probe[f]);
    if (v !== undefined && v < 0) ctx.report(RULES.wgProbeInvalid, `${p}.${f}`, `${f} ${v} is negative; it must be >= 0`);
  }
  const methods = ['httpGet', 'tcpSocket', 'exec'].filter(m => has(probe, m));
  if (methods.length === 0) {
    ctx.report(RULES.wgProbeInvalid, p, 'probe needs a health check method: httpGet, tcpSocket or exec');
    return;
  }
  const http = obj(probe.httpGet);
  if (http) {
    checkPortNumber(ctx, `${p}.httpGet.port`, int(http.port) ?? 0);
    const scheme = str(http.scheme);
    if (scheme !== '' && scheme !== 'HTTP' && scheme !== 'HTTPS') {
      ctx.report(RULES.wgProbeInvalid, `${p}.httpGet.scheme`, `httpGet.scheme ${show(scheme)} is invalid; use HTTP or HTTPS`);
    }
    list(http.httpHeaders).forEach((h, i) => {
      if (isObj(h)) checkHeaderName(ctx, `${p}.httpGet.httpHeaders[${i}].name`, str(h.name), true);
    });
  }
  const tcp = obj(probe.tcpSocket);
  if (tcp) checkPortNumber(ctx, `${p}.tcpSocket.port`, int(tcp.port) ?? 0);
  const exec = obj(probe.exec);
  if (exec && list(exec.command).length === 0) ctx.report(RULES.wgProbeInvalid, `${p}.exec.command`, 'exec probe needs a command');
}
