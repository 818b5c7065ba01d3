import { checkBindAddress, checkPortNumber, checkUnixPath } from '../checks/common';
import { Ctx, Obj, int, isObj, list, obj, show, str } from '../context';
import { RULES } from '../rules';
import { PROTOCOL_LIST, checkWildcardDomain, isDnsLabel, isHttpProtocol, isIpAddress, isPartialWildcard, isTlsProtocol, parseProtocol } from '../syntax/names';

/** Istio's admission checks for a (networking.istio.io) Gateway. */
export function validateGateway(ctx: Ctx, spec: Obj): void {
  if (ctx.name !== '' && !isDnsLabel(ctx.name)) {
    ctx.report(RULES.gatewayNameInvalid, 'metadata.name', `Gateway name ${show(ctx.name)} is not a DNS label (no dots); VirtualServices reference it as <namespace>/<name>`);
  }
  const servers = list(spec.servers);
  if (servers.length === 0) ctx.report(RULES.gatewayNoServers, 'spec.servers', 'a Gateway needs at least one server');
  const portNames = new Set<string>();
  servers.forEach((s, i) => {
    const p = `spec.servers[${i}]`;
    if (!isObj(s)) return;
    validateServer(ctx, p, s);
    const port = obj(s.port);
    if (port) {
      const name = str(port.name);
      if (portNames.has(name)) ctx.report(RULES.serverPortNameDuplicate, `${p}.port.name`, `port name ${show(name)} is used by another server; server port names must be unique in a Gateway`);
      portNames.add(name);
      if (!isHttpProtocol(parseProtocol(str(port.protocol))) && obj(s.tls)?.httpsRedirect === true) {
        ctx.report(RULES.httpsRedirectNonHttp, `${p}.tls.httpsRedirect`, `httpsRedirect only works on HTTP servers, this one is ${show(str(port.protocol))}`);
      }
    }
  });
}

function validateServer(ctx: Ctx, p: string, s: Obj): void {
  const hosts = list(s.hosts);
  if (hosts.length === 0) ctx.report(RULES.serverHostsInvalid, `${p}.hosts`, 'a server needs at least one host (use "*" for any)');
  hosts.forEach((h, i) => {
    if (typeof h !== 'string') return;
    const err = gatewayHostError(h);
    if (err) ctx.report(RULES.serverHostsInvalid, `${p}.hosts[${i}]`, `server host ${show(h)} is invalid: ${err}`);
  });

  const bind = str(s.bind);
  const port = obj(s.port);
  let portValid = false;
  if (!port) {
    ctx.report(RULES.serverPortInvalid, `${p}.port`, 'a server needs a port (number, name, protocol)');
  } else {
    const before = ctx.findings.length;
    const protocol = str(port.protocol);
    if (parseProtocol(protocol) === 'UNSUPPORTED') {
      ctx.report(RULES.protocolUnsupported, `${p}.port.protocol`, `protocol ${show(protocol)} is not supported; use one of ${PROTOCOL_LIST}`);
    }
    const number = int(port.number) ?? 0;
    if (number > 0 || !bind.startsWith('unix://')) checkPortNumber(ctx, `${p}.port.number`, number);
    if ((int(port.targetPort) ?? 0) > 0) ctx.report(RULES.serverPortInvalid, `${p}.port.targetPort`, 'targetPort has no effect on Gateways; remove it');
    if (str(port.name) === '') ctx.report(RULES.serverPortInvalid, `${p}.port.name`, 'server port needs a name');
    portValid = ctx.findings.length === before;
  }

  if (bind.startsWith('unix://')) {
    checkUnixPath(ctx, `${p}.bind`, bind.slice('unix://'.length));
    const number = int(port?.number) ?? 0;
    if (number !== 0) ctx.report(RULES.serverBindInvalid, `${p}.port.number`, `a server bound to a unix domain socket uses port number 0, got ${number}`);
  } else if (bind !== '') {
    checkBindAddress(ctx, `${p}.bind`, bind);
  }

  const tls = obj(s.tls);
  validateServerTls(ctx, `${p}.tls`, tls);

  if (portValid && port) {
    const protocol = parseProtocol(str(port.protocol));
    if (isTlsProtocol(protocol) && !tls) {
      ctx.report(RULES.serverTlsRequired, `${p}.tls`, `server with protocol ${str(port.protocol)} needs tls settings (e.g. mode SIMPLE with a credentialName, or PASSTHROUGH)`);
    } else if (!isTlsProtocol(protocol) && tls) {
      if (isHttpProtocol(protocol)) {
        const mode = str(tls.mode) || 'PASSTHROUGH';
        const passthrough = mode === 'PASSTHROUGH' || mode === 'AUTO_PASSTHROUGH';
        if (!passthrough || str(tls.caCertificates) !== '' || str(tls.privateKey) !== '' || str(tls.serverCertificate) !== '') {
          ctx.report(RULES.serverTlsRequired, `${p}.tls`, `a plain ${str(port.protocol)} server cannot have TLS settings other than httpsRedirect; use protocol HTTPS to terminate TLS`);
        }
      } else {
        ctx.report(RULES.serverTlsRequired, `${p}.tls`, `a ${str(port.protocol)} server cannot have TLS settings; use protocol TLS or HTTPS`);
      }
    }
  }
}

/** `<dnsName>` or `<namespace>/<dnsName>` of a Gateway server (IPs allowed). */
function gatewayHostError(host: string): string | undefined {
  const slash = host.indexOf('/');
  if (slash < 0) return hostnamePartError(host);
  const ns = host.slice(0, slash);
  const name = host.slice(slash + 1);
  if (ns === '' || name === '') return 'namespace and dnsName cannot be empty; write <namespace>/<dnsName>';
  if (ns !== '*' && ns !== '.' && !isDnsLabel(ns)) return `namespace ${show(ns)} is not "*", "." or a namespace name`;
  return hostnamePartError(name);
}

function hostnamePartError(name: string): string | undefined {
  if (name !== '*' && !name.includes('.')) return 'short names are not allowed; use a fully qualified name such as reviews.default.svc.cluster.local';
  const err = checkWildcardDomain(name);
  if (err && !isIpAddress(name)) return err;
  if (isPartialWildcard(name)) return 'partial wildcards are not allowed; use *.example.com';
  return undefined;
}

/** Ciphers accepted in Gateway server tls.cipherSuites. */
const CIPHER_SUITES = new Set([
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305', 'ECDHE-ECDSA-AES128-SHA', 'ECDHE-RSA-AES128-SHA',
  'ECDHE-ECDSA-AES256-SHA', 'ECDHE-RSA-AES256-SHA', 'AES128-GCM-SHA256', 'AES256-GCM-SHA384', 'AES128-SHA', 'AES256-SHA', 'DES-CBC3-SHA',
]);

function isValidCipher(c: string): boolean {
  if (c === '' || c === 'ALL') return true;
  if (!/^[A-Za-z0-9]/.test(c)) return true; // cipher list operators (!, +, -)
  return CIPHER_SUITES.has(c);
}

/** ServerTLSSettings of a Gateway server or a Sidecar ingress listener. */
export function validateServerTls(ctx: Ctx, p: string, t: Obj | undefined): void {
  if (!t) return;
  const ciphers = list(t.cipherSuites).filter((c): c is string => typeof c === 'string');
  const minVersion = str(t.minProtocolVersion);
  if ((minVersion === 'TLSV1_0' || minVersion === 'TLSV1_1') && ciphers.length === 0) {
    ctx.report(RULES.serverTlsCiphers, `${p}.minProtocolVersion`, `minProtocolVersion ${minVersion} needs compatible cipherSuites: the defaults no longer include any`);
  }
  const invalid = [...new Set(ciphers.filter(c => !isValidCipher(c)))].sort();
  if (invalid.length) ctx.report(RULES.serverTlsCiphers, `${p}.cipherSuites`, `unknown cipher suites ${show(invalid)} are ignored`);
  const dups = [...new Set(ciphers.filter((c, i) => isValidCipher(c) && ciphers.indexOf(c) !== i))].sort();
  if (dups.length) ctx.report(RULES.serverTlsCiphers, `${p}.cipherSuites`, `duplicate cipher suites ${show(dups)} are ignored`);

  const mode = str(t.mode) || 'PASSTHROUGH';
  const set = (f: string) => str(t[f]) !== '';
  const tlsCertificates = list(t.tlsCertificates);
  const credentialNames = list(t.credentialNames);
  const credential = set('credentialName') || credentialNames.length > 0;

  if (mode === 'ISTIO_MUTUAL') {
    const given = ['serverCertificate', 'privateKey', 'caCertificates', 'credentialName'].filter(set);
    if (tlsCertificates.length) given.push('tlsCertificates');
    if (credentialNames.length) given.push('credentialNames');
    if (given.length) ctx.report(RULES.serverTlsIstioMutualCerts, p, `ISTIO_MUTUAL server TLS uses Istio's certificates and cannot have ${given.join(', ')}`);
    return;
  }
  if (mode === 'PASSTHROUGH' || mode === 'AUTO_PASSTHROUGH') {
    if (['caCrl', 'serverCertificate', 'privateKey', 'caCertificates', 'credentialName'].some(set) || tlsCertificates.length || credentialNames.length) {
      ctx.report(RULES.serverTlsPassthroughCerts, p, `${mode} mode${t.mode === undefined ? ' (the default when mode is unset)' : ''} does not use certificates; they are ignored. Set mode SIMPLE or MUTUAL to terminate TLS`);
    }
  }
  const sources = [
    set('serverCertificate') && set('privateKey') ? 'serverCertificate/privateKey' : '',
    set('credentialName') ? 'credentialName' : '',
    credentialNames.length ? 'credentialNames' : '',
    tlsCertificates.length ? 'tlsCertificates' : '',
  ].filter(x => x);
  if (sources.length > 1) {
    ctx.report(RULES.serverTlsMultipleSources, p, `server TLS has ${sources.length} certificate sources (${sources.join(', ')}); keep only one`);
  }
  const terminating = mode === 'SIMPLE' || mode === 'MUTUAL' || mode === 'OPTIONAL_MUTUAL';
  if (terminating && credential) return; // certificates come from the secret
  if (terminating) {
    const label = mode === 'SIMPLE' ? 'SIMPLE' : mode;
    if (mode !== 'SIMPLE' && !set('caCertificates')) {
      ctx.report(RULES.serverTlsCaRequired, `${p}.caCertificates`, `${label} TLS needs caCertificates to verify clients, or a credentialName whose secret holds ca.crt`);
    }
    if (tlsCertificates.length > 2) {
      ctx.report(RULES.serverTlsCiphers, `${p}.tlsCertificates`, `${label} TLS uses at most 2 server certificates, got ${tlsCertificates.length}`);
    }
    const certs = tlsCertificates.length ? tlsCertificates.map(c => obj(c) ?? {}) : [t];
    certs.forEach((c, i) => {
      const missing = ['serverCertificate', 'privateKey'].filter(f => str(c[f]) === '');
      if (missing.length) {
        const field = tlsCertificates.length ? `${p}.tlsCertificates[${i}]` : p;
        ctx.report(RULES.serverTlsCertRequired, field, `${label} TLS needs ${missing.join(' and ')}, or a credentialName`);
      }
    });
  }
  if (set('caCrl')) {
    if (set('credentialName')) ctx.report(RULES.serverTlsCrl, `${p}.caCrl`, 'caCrl is not supported with credentialName; put the CRL in the credential secret');
    if (mode === 'SIMPLE') ctx.report(RULES.serverTlsCrl, `${p}.caCrl`, 'caCrl is not supported with SIMPLE TLS (no client certificates to revoke)');
  }
}
