import { checkExportTo, checkHost, checkIpField, checkLabels, checkPortName, checkPortNumber, checkWorkloadSelector } from '../checks/common';
import { Ctx, Obj, entries, has, int, isObj, key, list, show, str } from '../context';
import { RULES } from '../rules';
import { validateWorkloadEntrySpec } from './workload';
import { PROTOCOL_LIST, checkFqdn, isHttpProtocol, isIpAddress, isPartialWildcard, isTlsProtocol, parseProtocol } from '../syntax/names';

/** Istio's admission checks for a ServiceEntry. */
export function validateServiceEntry(ctx: Ctx, spec: Obj): void {
  checkWorkloadSelector(ctx, 'spec.workloadSelector', spec.workloadSelector, 'labels');
  const endpoints = list(spec.endpoints);
  const selector = has(spec, 'workloadSelector');
  if (selector && endpoints.length > 0) {
    ctx.report(RULES.seSelectorAndEndpoints, 'spec.endpoints', 'workloadSelector and endpoints cannot both be set; use one');
  }

  const hosts = list(spec.hosts);
  if (hosts.length === 0) ctx.report(RULES.seNoHosts, 'spec.hosts', 'a ServiceEntry needs at least one host');
  hosts.forEach((h, i) => {
    if (typeof h !== 'string') return;
    const field = `spec.hosts[${i}]`;
    if (h === '*') {
      ctx.report(RULES.seWildcardHost, field, 'host "*" is not allowed in a ServiceEntry; use a domain wildcard such as *.example.com');
      return;
    }
    checkHost(ctx, field, h, 'wildcard');
    if (isPartialWildcard(h)) ctx.report(RULES.sePartialWildcard, field, `partial wildcard ${show(h)} is not supported; only a leading "*." is`);
  });

  const resolution = str(spec.resolution) || 'NONE';
  const addresses = list(spec.addresses);
  let cidr = false;
  addresses.forEach((a, i) => {
    if (typeof a !== 'string') return;
    cidr ||= a.includes('/');
    checkIpField(ctx, `spec.addresses[${i}]`, a);
  });
  if (cidr && resolution !== 'NONE' && resolution !== 'STATIC') {
    ctx.report(RULES.seCidrResolution, 'spec.addresses', `CIDR addresses are only allowed with resolution NONE or STATIC, not ${resolution}`);
  }

  const portNames = new Set<string>();
  const portNumbers = new Set<number>();
  const ports = list(spec.ports).filter(isObj);
  list(spec.ports).forEach((port, i) => {
    if (!isObj(port)) return;
    const p = `spec.ports[${i}]`;
    const name = str(port.name);
    const number = int(port.number) ?? 0;
    if (portNames.has(name)) ctx.report(RULES.sePortDuplicate, `${p}.name`, `port name ${show(name)} is already defined`);
    if (portNumbers.has(number)) ctx.report(RULES.sePortDuplicate, `${p}.number`, `port ${number} is already defined`);
    portNames.add(name);
    portNumbers.add(number);
    const target = int(port.targetPort) ?? 0;
    if (target !== 0) checkPortNumber(ctx, `${p}.targetPort`, target, 'targetPort');
    checkPortName(ctx, `${p}.name`, name);
    const protocol = str(port.protocol);
    if (protocol !== '' && parseProtocol(protocol) === 'UNSUPPORTED') {
      ctx.report(RULES.protocolUnsupported, `${p}.protocol`, `protocol ${show(protocol)} is not supported; use one of ${PROTOCOL_LIST}`);
    }
    checkPortNumber(ctx, `${p}.number`, number);
  });

  switch (resolution) {
    case 'NONE':
      if (endpoints.length) ctx.report(RULES.seNoneWithEndpoints, 'spec.endpoints', 'resolution NONE takes no endpoints; use STATIC for IP endpoints or DNS for host names');
      if (selector) ctx.report(RULES.seSelectorIgnored, 'spec.workloadSelector', 'workloadSelector has no effect with resolution NONE; use STATIC');
      break;
    case 'STATIC':
      endpoints.forEach((ep, i) => {
        if (isObj(ep)) validateWorkloadEntrySpec(ctx, `spec.endpoints[${i}]`, ep, portNames, false);
      });
      if (endpoints.length === 0 && !selector) {
        ctx.report(RULES.seStaticNoEndpoints, 'spec', 'resolution STATIC without endpoints or workloadSelector has nothing to send traffic to');
      }
      break;
    case 'DNS':
    case 'DNS_ROUND_ROBIN':
      if (endpoints.length === 0) {
        hosts.forEach((h, i) => {
          if (typeof h === 'string' && h !== '*' && checkFqdn(h) !== undefined) {
            ctx.report(RULES.seDnsNeedsFqdn, `spec.hosts[${i}]`, `host ${show(h)} is not fully qualified; resolution ${resolution} without endpoints resolves the hosts themselves (use NONE for wildcards, or add endpoints)`);
          }
        });
      }
      if (resolution === 'DNS_ROUND_ROBIN' && endpoints.length > 1) {
        ctx.report(RULES.seDnsRoundRobinEndpoints, 'spec.endpoints', `resolution DNS_ROUND_ROBIN takes 0 or 1 endpoint, got ${endpoints.length}; use DNS for several`);
      }
      endpoints.forEach((ep, i) => {
        if (!isObj(ep)) return;
        const p = `spec.endpoints[${i}]`;
        const addr = str(ep.address);
        if (!isIpAddress(addr) && checkFqdn(addr) !== undefined) {
          ctx.report(RULES.weAddressInvalid, `${p}.address`, `endpoint address ${show(addr)} is not an IP address or a fully qualified domain name`);
        }
        validateEndpointPortsAndLabels(ctx, p, ep, portNames);
      });
      if (selector) ctx.report(RULES.seSelectorIgnored, 'spec.workloadSelector', `workloadSelector has no effect with resolution ${resolution}; use STATIC`);
      break;
    default:
      break; // an unknown resolution is a schema error
  }

  if (resolution !== 'NONE' && hosts.length > 1) {
    const tcp = ports.find(port => {
      const p = parseProtocol(str(port.protocol));
      return !isHttpProtocol(p) && !isTlsProtocol(p);
    });
    if (tcp) {
      ctx.report(RULES.seMultipleHostsTcp, 'spec.hosts', `${hosts.length} hosts share port ${show(tcp.name ?? tcp.number)} with protocol ${show(str(tcp.protocol) || 'unset (TCP)')}, which cannot tell them apart; use one ServiceEntry per host, an HTTP/TLS protocol, or resolution NONE`);
    }
  }
  checkExportTo(ctx, spec.exportTo, { serviceEntry: true });
}

function validateEndpointPortsAndLabels(ctx: Ctx, p: string, ep: Obj, servicePorts: Set<string>): void {
  for (const [name, port] of entries(ep.ports)) {
    const field = key(`${p}.ports`, name);
    if (!servicePorts.has(name)) ctx.report(RULES.seEndpointPorts, field, `endpoint port ${show(name)} is not a port name of the ServiceEntry (${show([...servicePorts])})`);
    checkPortName(ctx, field, name);
    checkPortNumber(ctx, field, int(port) ?? 0);
  }
  checkLabels(ctx, `${p}.labels`, ep.labels);
}
