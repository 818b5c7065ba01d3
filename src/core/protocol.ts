import { IConstruct } from 'constructs';
import { throwPropError } from './errors';
import { isDnsLabel, isIpAddress, isUnixAddress } from './names';

/**
 * The protocol of a port, spelled as Istio spells it (Gateway servers, ServiceEntry
 * ports, Sidecar listeners).
 *
 * UDP is left out on purpose: sidecars do not capture UDP, so a UDP port in these
 * resources configures nothing (use the L1 if you need it).
 *
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/
 */
export enum Protocol {
  /** HTTP/1.1 (and HTTP/2 with prior knowledge, by sniffing). */
  HTTP = 'HTTP',
  /** TLS carrying HTTP; terminated or passed through by gateways, opaque TLS elsewhere. */
  HTTPS = 'HTTPS',
  /** HTTP/2. */
  HTTP2 = 'HTTP2',
  /** gRPC (HTTP/2). */
  GRPC = 'GRPC',
  /** gRPC-Web. */
  GRPC_WEB = 'GRPC-Web',
  /** Opaque TCP: routed by destination address and port only. */
  TCP = 'TCP',
  /** TLS, routed by SNI. */
  TLS = 'TLS',
  /** MongoDB (server-first: use STRICT or DISABLE mTLS on it). */
  MONGO = 'MONGO',
  /** MySQL (off by default in Istio, handled as TCP; server-first). */
  MYSQL = 'MYSQL',
  /** Redis (off by default in Istio, handled as TCP). */
  REDIS = 'REDIS',
}

// ---------------------------------------------------------------------------
// Internal helpers shared by the networking constructs. Not part of the public
// (jsii) API: `src/index.ts` re-exports only the `Protocol` enum of this module.
// The syntax of names, hosts and addresses is in `./names`.
// ---------------------------------------------------------------------------

/** HTTP-family protocols: routed by the Host header. */
export function isHttpProtocol(protocol: string): boolean {
  return [Protocol.HTTP, Protocol.HTTP2, Protocol.GRPC, Protocol.GRPC_WEB].includes(protocol as Protocol);
}

/** TLS-family protocols: routed by SNI. */
export function isTlsProtocol(protocol: string): boolean {
  return protocol === Protocol.HTTPS || protocol === Protocol.TLS;
}

/** Protocols with neither Host header nor SNI: routed by destination IP and port only. */
export function isOpaqueTcpProtocol(protocol: string): boolean {
  return [Protocol.TCP, Protocol.MONGO, Protocol.MYSQL, Protocol.REDIS].includes(protocol as Protocol);
}

/**
 * The protocol a port name declares by Istio's `<protocol>[-<suffix>]` convention
 * (case-insensitive, `grpc-web` before `grpc`), or undefined.
 */
export function protocolOfPortName(name: string): Protocol | undefined {
  const lower = name.toLowerCase();
  if (lower === 'grpc-web' || lower.startsWith('grpc-web-')) return Protocol.GRPC_WEB;
  const prefix = lower.split('-')[0];
  return Object.values(Protocol).find(p => p.toLowerCase() === prefix);
}

/** The default name of a port: `<protocol-lower>-<number>`, e.g. `https-443`, `grpc-web-8080`. */
export function defaultPortName(protocol: Protocol, number: number): string {
  return `${protocol.toLowerCase()}-${number}`;
}

/**
 * Checks that a port name is a DNS label that follows Istio's `<protocol>[-<suffix>]`
 * convention for the port's protocol. HTTPS and TLS names are interchangeable (both
 * are TLS on the wire, and Istio's own examples name TLS ports `https`).
 */
export function checkPortName(scope: IConstruct, prop: string, name: string, protocol: Protocol): void {
  if (!isDnsLabel(name)) {
    throwPropError(scope, prop, name, 'a port name must be a DNS label (lowercase letters, digits and "-", at most 63 characters)');
  }
  const declared = protocolOfPortName(name);
  const same = declared === protocol || (declared !== undefined && isTlsProtocol(declared) && isTlsProtocol(protocol));
  if (!same) {
    const prefix = protocol.toLowerCase();
    throwPropError(scope, prop, name,
      `Istio reads a port's protocol from its name "<protocol>[-<suffix>]": for ${protocol} use "${prefix}" or "${prefix}-<suffix>"`
      + (declared ? ` (the name declares ${declared})` : ''));
  }
}

/** The wording of the port range in the messages of the routes, policies and patterns. */
export const A_PORT_IS = 'a port is an integer from 1 to 65535';

/**
 * Checks a port number: an integer from 1 to 65535. `allowed` is what the message
 * says (the Gateway, Sidecar and ServiceEntry wording by default; `A_PORT_IS` for
 * VirtualService routes, AuthorizationPolicy and the patterns).
 */
export function checkPortNumber(scope: IConstruct, prop: string, port: number, allowed: string = 'a port must be an integer from 1 to 65535'): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throwPropError(scope, prop, port, allowed);
  }
}

// ---------------------------------------------------------------------------
// Server-side TLS (Gateway servers and Sidecar ingress listeners share Istio's
// ServerTLSSettings)
// ---------------------------------------------------------------------------

/** The fields of Istio's ServerTLSSettings, as plain strings (internal view). */
export interface ServerTlsFields {
  readonly mode?: string;
  readonly httpsRedirect?: boolean;
  readonly credentialName?: string;
  readonly credentialNames?: string[];
  readonly caCertCredentialName?: string;
  readonly serverCertificate?: string;
  readonly privateKey?: string;
  readonly caCertificates?: string;
  readonly caCrl?: string;
  readonly tlsCertificates?: { readonly serverCertificate?: string; readonly privateKey?: string; readonly caCertificates?: string }[];
  readonly minProtocolVersion?: string;
  readonly maxProtocolVersion?: string;
  readonly cipherSuites?: string[];
  readonly subjectAltNames?: string[];
  readonly verifyCertificateSpki?: string[];
  readonly verifyCertificateHash?: string[];
}

const TLS_VERSION_ORDER = ['TLSV1_0', 'TLSV1_1', 'TLSV1_2', 'TLSV1_3'];

/**
 * Checks server TLS settings for a port of the given protocol and returns them as
 * Istio's ServerTLSSettings JSON, with the mode made explicit.
 *
 * - HTTPS and TLS ports take TLS settings with a mode; the mode defaults to SIMPLE
 *   when a certificate is given (a certificate implies termination).
 * - Other ports take no TLS settings, except `{ httpsRedirect: true }` on an HTTP port.
 * - One certificate source: credentialName, credentialNames, serverCertificate +
 *   privateKey files, or tlsCertificates.
 * - SIMPLE, MUTUAL and OPTIONAL_MUTUAL need a certificate; MUTUAL and OPTIONAL_MUTUAL
 *   also need the CA that verifies clients (caCertificates, or the credential's).
 * - ISTIO_MUTUAL, PASSTHROUGH and AUTO_PASSTHROUGH take no certificates.
 */
export function renderServerTls(scope: IConstruct, prop: string, tls: ServerTlsFields, protocol: Protocol): { [key: string]: any } {
  const sources: string[] = [];
  if (tls.credentialName !== undefined) sources.push('credentialName');
  if (tls.credentialNames !== undefined) sources.push('credentialNames');
  if (tls.serverCertificate !== undefined || tls.privateKey !== undefined) sources.push('serverCertificate/privateKey');
  if (tls.tlsCertificates !== undefined) sources.push('tlsCertificates');
  const certificateFields = [
    ...sources,
    ...(tls.caCertificates !== undefined ? ['caCertificates'] : []),
    ...(tls.caCertCredentialName !== undefined ? ['caCertCredentialName'] : []),
    ...(tls.caCrl !== undefined ? ['caCrl'] : []),
  ];
  const redirectOnly = tls.httpsRedirect === true && tls.mode === undefined && Object.entries(tls)
    .every(([k, v]) => k === 'httpsRedirect' || v === undefined);

  if (!isTlsProtocol(protocol)) {
    if (redirectOnly && isHttpProtocol(protocol)) return { httpsRedirect: true };
    throwPropError(scope, prop, tls, isHttpProtocol(protocol)
      ? `a plain ${protocol} port takes no TLS settings except { httpsRedirect: true }: use protocol HTTPS (or TLS) to terminate or pass through TLS`
      : `TLS settings need protocol HTTPS or TLS, not ${protocol}`);
  }
  if (tls.httpsRedirect === true) {
    throwPropError(scope, `${prop}.httpsRedirect`, tls.httpsRedirect, 'httpsRedirect belongs on the plain HTTP server (port 80), not on an HTTPS or TLS one');
  }
  if (sources.length > 1) {
    throwPropError(scope, prop, sources.join(' + '), 'give one certificate source: credentialName, credentialNames, serverCertificate + privateKey, or tlsCertificates');
  }
  const mode = tls.mode ?? (sources.length > 0 ? 'SIMPLE' : undefined);
  if (mode === undefined) {
    throwPropError(scope, `${prop}.mode`, undefined, 'give a mode (PASSTHROUGH, AUTO_PASSTHROUGH and ISTIO_MUTUAL take no certificate), or a certificate for SIMPLE');
  }
  if (mode === 'ISTIO_MUTUAL' || mode === 'PASSTHROUGH' || mode === 'AUTO_PASSTHROUGH') {
    if (certificateFields.length > 0) {
      throwPropError(scope, prop, certificateFields.join(', '), mode === 'ISTIO_MUTUAL'
        ? 'ISTIO_MUTUAL uses the mesh\'s own certificates and takes no certificate, key, CA or credential'
        : `${mode} does not terminate TLS, so certificates would be ignored: remove them or use SIMPLE/MUTUAL`);
    }
  } else {
    // SIMPLE, MUTUAL, OPTIONAL_MUTUAL
    if (sources.length === 0) {
      throwPropError(scope, prop, mode, `${mode} terminates TLS and needs a certificate: credentialName (a Secret, reloaded without restart), credentialNames, serverCertificate + privateKey, or tlsCertificates`);
    }
    if (sources[0] === 'serverCertificate/privateKey' && (!tls.serverCertificate || !tls.privateKey)) {
      throwPropError(scope, prop, sources[0], `${mode} with certificate files needs both serverCertificate and privateKey`);
    }
    (tls.tlsCertificates ?? []).forEach((c, i) => {
      if (!c.serverCertificate || !c.privateKey) {
        throwPropError(scope, `${prop}.tlsCertificates[${i}]`, c, 'each certificate needs both serverCertificate and privateKey');
      }
    });
    const fromCredential = tls.credentialName !== undefined || tls.credentialNames !== undefined;
    if ((mode === 'MUTUAL' || mode === 'OPTIONAL_MUTUAL') && !fromCredential && !tls.caCertificates) {
      throwPropError(scope, `${prop}.caCertificates`, undefined, `${mode} verifies client certificates and needs a CA: caCertificates, or a credentialName whose Secret holds ca.crt`);
    }
    if (tls.caCrl !== undefined && (mode === 'SIMPLE' || fromCredential)) {
      throwPropError(scope, `${prop}.caCrl`, tls.caCrl, fromCredential
        ? 'with a credential, the CRL goes in the credential (ca.crl), not in caCrl'
        : 'a CRL checks client certificates: it needs MUTUAL or OPTIONAL_MUTUAL');
    }
  }
  for (const [field, list] of [['credentialNames', tls.credentialNames], ['tlsCertificates', tls.tlsCertificates]] as const) {
    if (list !== undefined && (list.length < 1 || list.length > 2)) {
      throwPropError(scope, `${prop}.${field}`, list, 'give one or two (e.g. an RSA and an ECDSA certificate)');
    }
  }
  const min = TLS_VERSION_ORDER.indexOf(tls.minProtocolVersion ?? '');
  const max = TLS_VERSION_ORDER.indexOf(tls.maxProtocolVersion ?? '');
  if (min >= 0 && max >= 0 && min > max) {
    throwPropError(scope, `${prop}.minProtocolVersion`, tls.minProtocolVersion, `must not be above maxProtocolVersion ${tls.maxProtocolVersion}`);
  }
  return {
    mode,
    credentialName: tls.credentialName,
    credentialNames: tls.credentialNames ? [...tls.credentialNames] : undefined,
    caCertCredentialName: tls.caCertCredentialName,
    serverCertificate: tls.serverCertificate,
    privateKey: tls.privateKey,
    caCertificates: tls.caCertificates,
    caCrl: tls.caCrl,
    tlsCertificates: tls.tlsCertificates?.map(c => ({ ...c })),
    minProtocolVersion: tls.minProtocolVersion,
    maxProtocolVersion: tls.maxProtocolVersion,
    cipherSuites: tls.cipherSuites ? [...tls.cipherSuites] : undefined,
    subjectAltNames: tls.subjectAltNames ? [...tls.subjectAltNames] : undefined,
    verifyCertificateSpki: tls.verifyCertificateSpki ? [...tls.verifyCertificateSpki] : undefined,
    verifyCertificateHash: tls.verifyCertificateHash ? [...tls.verifyCertificateHash] : undefined,
  };
}

/**
 * Checks a loopback or socket endpoint that a listener forwards to:
 * `127.0.0.1:PORT`, `0.0.0.0:PORT`, `[::1]:PORT`, `[::]:PORT` or `unix://<path>`.
 */
export function checkDefaultEndpoint(scope: IConstruct, prop: string, value: string): void {
  const allowed = 'use "127.0.0.1:<port>", "0.0.0.0:<port>", "[::1]:<port>", "[::]:<port>" or "unix://<absolute path>" (or "unix://@<abstract name>")';
  if (value.startsWith('unix://')) {
    if (!isUnixAddress(value)) throwPropError(scope, prop, value, allowed);
    return;
  }
  const m = /^(127\.0\.0\.1|0\.0\.0\.0|\[::1\]|\[::\]):(\d+)$/.exec(value);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) throwPropError(scope, prop, value, allowed);
}

/** Checks a listener bind address: an IP address, or `unix://<path>` when sockets are allowed. */
export function checkBind(scope: IConstruct, prop: string, value: string, allowUnix: boolean): void {
  if (allowUnix && value.startsWith('unix://')) {
    if (!isUnixAddress(value)) throwPropError(scope, prop, value, 'a socket bind is "unix://<absolute path>" or "unix://@<abstract name>"');
    return;
  }
  if (!isIpAddress(value)) {
    throwPropError(scope, prop, value, `bind takes an IP address${allowUnix ? ' or "unix://<path>"' : ''}`);
  }
}

/**
 * The ports the sidecar (Envoy and the agent) listens on in the pod's network
 * namespace, and what for: an application must not listen on them, nor exclude them
 * from capture.
 *
 * @see https://istio.io/latest/docs/ops/deployment/application-requirements/#ports-used-by-istio
 */
export const SIDECAR_PORTS: { readonly [port: number]: string } = {
  15000: 'Envoy admin',
  15001: 'outbound capture',
  15004: 'debug',
  15006: 'inbound capture',
  15008: 'HBONE tunnel',
  15020: 'merged Prometheus telemetry',
  15021: 'health checks',
  15053: 'DNS capture',
  15090: 'Envoy Prometheus',
};
