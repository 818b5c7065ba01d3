/**
 * The checks and the layout of one host of an EgressGateway: everything is checked
 * and decided here, before any object is made, so that a bad host leaves nothing
 * half-built behind.
 *
 * Internal module: not re-exported from the package root.
 */
import { IConstruct } from 'constructs';
import { EgressProtocol } from './egress-traffic';
import { throwPropError } from '../core/errors';
import { hostsIntersect, isCidr, isDnsLabel, isFqdn, isIpAddress, isWildcardHost } from '../core/names';
import { checkPortName, checkPortNumber, defaultPortName, isOpaqueTcpProtocol, Protocol } from '../core/protocol';
import { ServerTlsMode } from '../networking/gateway';
import { ServiceEntryResolution } from '../networking/service-entry';

/** The settings of every kind of traffic, as one record (made by the EgressTraffic factories). */
export interface EgressTrafficSpec {
  readonly protocol: EgressProtocol;
  readonly port: number;
  readonly portName?: string;
  readonly wildcardViaHost?: string;
  readonly tlsPort?: number;
  readonly tlsPortName?: string;
  readonly caCertificates?: string;
  readonly credentialName?: string;
  readonly subjectAltNames?: string[];
  readonly sni?: string;
  readonly addresses?: string[];
  readonly tcpProtocol?: Protocol;
  readonly gatewayPort?: number;
}

/** The settings of the whole EgressGateway, resolved. */
export interface EgressSettings {
  /** Sidecar -> gateway leg in ISTIO_MUTUAL (else plaintext). */
  readonly mutual: boolean;
  readonly gatewaySelector: { [key: string]: string };
  readonly gatewayServiceHost: string;
  /** The namespace of the objects, if known. */
  readonly namespace?: string;
  /** exportTo of the ServiceEntries, VirtualServices and origination rules. */
  readonly exportTo: string[];
}

/** A port of the host's ServiceEntry. */
export interface PlannedPort {
  readonly number: number;
  readonly name: string;
  readonly protocol: Protocol;
}

/** Which route list of the VirtualService carries a leg. */
export type RouteKind = 'http' | 'tls' | 'tcp';

/** The layout of one host. */
export interface EgressHostPlan {
  readonly host: string;
  /** The construct id of the host (a DNS label made from the host). */
  readonly id: string;
  /** For messages: `hosts["edition.cnn.com"]`. */
  readonly prop: string;
  readonly protocol: EgressProtocol;
  readonly subsetName: string;
  /** Resolution of the ServiceEntry the gateway forwards to (the host's, or viaHost's). */
  readonly resolution: ServiceEntryResolution;
  readonly ports: PlannedPort[];
  readonly addresses?: string[];
  /** Wildcard pattern: the concrete host the gateway forwards to. */
  readonly viaHost?: string;
  /** The host and port the egress gateway sends the traffic to. */
  readonly upstreamHost: string;
  readonly upstreamPort: number;
  /** The port the applications call. */
  readonly appPort: number;
  /** The port of the egress gateway the sidecars send to. */
  readonly gatewayPort: number;
  readonly server: { readonly protocol: Protocol; readonly name: string; readonly tlsMode?: ServerTlsMode };
  readonly meshRoute: RouteKind;
  readonly gatewayRoute: RouteKind;
  /** Mutual leg: the SNI the sidecars present to the egress gateway. */
  readonly gatewaySni?: string;
  readonly origination?: {
    readonly port: number;
    readonly sni: string;
    readonly tls: { readonly caCertificates?: string; readonly credentialName?: string; readonly subjectAltNames?: string[] };
  };
}

/** Ports of the egress gateway that carry HTTP (80, plain leg) and TLS (443). */
const HTTP_GATEWAY_PORT = 80;
const TLS_GATEWAY_PORT = 443;

/**
 * Checks a host and its traffic and lays it out.
 *
 * @param scope the EgressGateway, for messages
 * @param taken the hosts planned before (duplicates, subset names, gateway ports)
 */
export function planHost(scope: IConstruct, settings: EgressSettings, host: string, spec: EgressTrafficSpec,
  options: { subsetName?: string; resolution?: ServiceEntryResolution }, taken: readonly EgressHostPlan[]): EgressHostPlan {
  const prop = `hosts[${JSON.stringify(host)}]`;
  checkHostName(scope, prop, host);
  const same = taken.find(p => p.host === host);
  if (same) {
    throwPropError(scope, prop, host, `the host was already added (as ${same.protocol}): one kind of traffic per host, so that the sidecar-to-gateway leg of the host is unambiguous`);
  }
  const id = hostId(host);
  const sameId = taken.find(p => p.id === id);
  if (sameId) {
    throwPropError(scope, prop, host, `its objects would be named like those of host "${sameId.host}" (construct id "${id}"): add one of them to another EgressGateway`);
  }
  const wildcard = host.startsWith('*.');
  if (wildcard && spec.protocol !== EgressProtocol.HTTPS_PASSTHROUGH) {
    throwPropError(scope, prop, host,
      `a wildcard host goes through the egress gateway only as HTTPS_PASSTHROUGH (Istio's wildcard egress pattern), not ${spec.protocol}: `
      + 'use EgressTraffic.httpsPassthrough({ wildcardViaHost }), or add each concrete host');
  }
  const viaHost = checkViaHost(scope, prop, host, wildcard, spec.wildcardViaHost);
  const resolution = checkResolution(scope, `${prop}.resolution`, options.resolution);
  const subsetName = options.subsetName ?? defaultSubsetName(id);
  if (!isDnsLabel(subsetName)) {
    throwPropError(scope, `${prop}.subsetName`, subsetName, 'a subset name is a DNS-1123 label (lowercase letters, digits and "-", at most 63 characters)');
  }
  const sameSubset = taken.find(p => p.subsetName === subsetName);
  if (sameSubset) {
    throwPropError(scope, `${prop}.subsetName`, subsetName,
      `host "${sameSubset.host}" already uses this subset of the egress gateway's DestinationRules; subset names must be unique (Istio merges the rules)`);
  }

  checkPortNumber(scope, `${prop}.port`, spec.port);
  const mutual = settings.mutual;
  const common = { host, id, prop, protocol: spec.protocol, subsetName, resolution, appPort: spec.port };

  switch (spec.protocol) {
    case EgressProtocol.HTTP:
    case EgressProtocol.TLS_ORIGINATION: {
      const ports: PlannedPort[] = [port(scope, `${prop}.portName`, spec.port, spec.portName, Protocol.HTTP)];
      let origination: EgressHostPlan['origination'];
      if (spec.protocol === EgressProtocol.TLS_ORIGINATION) {
        const tlsPort = spec.tlsPort!;
        checkPortNumber(scope, `${prop}.tlsPort`, tlsPort);
        if (tlsPort === spec.port) {
          throwPropError(scope, `${prop}.tlsPort`, tlsPort, `the host's TLS port must differ from the port the applications call with plain HTTP (${spec.port})`);
        }
        ports.push(port(scope, `${prop}.tlsPortName`, tlsPort, spec.tlsPortName, Protocol.HTTPS));
        if (spec.caCertificates !== undefined && spec.credentialName !== undefined) {
          throwPropError(scope, `${prop}.credentialName`, spec.credentialName,
            'caCertificates and credentialName exclude each other: give the CA as a file path in the egress gateway pods, or as a Secret');
        }
        for (const [name, value] of [['caCertificates', spec.caCertificates], ['credentialName', spec.credentialName]] as const) {
          if (value !== undefined && value.trim() === '') throwPropError(scope, `${prop}.${name}`, value, 'must not be empty (leave it out instead)');
        }
        (spec.subjectAltNames ?? []).forEach((san, i) => {
          if (san.trim() === '') throwPropError(scope, `${prop}.subjectAltNames[${i}]`, san, 'must not be empty');
        });
        const sni = spec.sni ?? host;
        if (!isFqdn(sni)) throwPropError(scope, `${prop}.sni`, sni, 'the SNI is a fully qualified host name');
        const { caCertificates, credentialName, subjectAltNames } = spec;
        origination = { port: tlsPort, sni, tls: { caCertificates, credentialName, subjectAltNames } };
      }
      return {
        ...common,
        ports,
        upstreamHost: host,
        upstreamPort: origination ? origination.port : spec.port,
        gatewayPort: mutual ? TLS_GATEWAY_PORT : HTTP_GATEWAY_PORT,
        server: mutual
          ? { protocol: Protocol.HTTPS, name: 'https', tlsMode: ServerTlsMode.ISTIO_MUTUAL }
          : { protocol: Protocol.HTTP, name: 'http' },
        meshRoute: 'http',
        gatewayRoute: 'http',
        gatewaySni: mutual ? host : undefined,
        origination,
      };
    }

    case EgressProtocol.HTTPS_PASSTHROUGH:
      return {
        ...common,
        ports: [port(scope, `${prop}.portName`, spec.port, spec.portName, Protocol.TLS)],
        viaHost,
        upstreamHost: viaHost ?? host,
        upstreamPort: spec.port,
        gatewayPort: TLS_GATEWAY_PORT,
        // mutual: the gateway ends the sidecar's mTLS and forwards the app's TLS as opaque TCP
        server: { protocol: Protocol.TLS, name: 'tls', tlsMode: mutual ? ServerTlsMode.ISTIO_MUTUAL : ServerTlsMode.PASSTHROUGH },
        meshRoute: 'tls',
        gatewayRoute: mutual ? 'tcp' : 'tls',
        gatewaySni: mutual ? viaHost ?? host : undefined,
      };

    case EgressProtocol.TCP: {
      const protocol = spec.tcpProtocol ?? Protocol.TCP;
      if (!isOpaqueTcpProtocol(protocol)) {
        throwPropError(scope, `${prop}.protocol`, protocol,
          'TCP traffic is TCP, MYSQL, MONGO or REDIS; use EgressTraffic.http(), httpsPassthrough() or tlsOrigination() for the others');
      }
      const addresses = checkAddresses(scope, `${prop}.addresses`, spec.addresses);
      let gatewayPort = TLS_GATEWAY_PORT;
      if (mutual) {
        if (spec.gatewayPort !== undefined) {
          throwPropError(scope, `${prop}.gatewayPort`, spec.gatewayPort,
            'with EgressTls.MUTUAL every host goes through port 443 of the egress gateway, told apart by SNI: leave gatewayPort out (it is for EgressTls.PLAIN)');
        }
      } else {
        gatewayPort = spec.gatewayPort ?? spec.port;
        checkPortNumber(scope, `${prop}.gatewayPort`, gatewayPort);
        if (gatewayPort === HTTP_GATEWAY_PORT || gatewayPort === TLS_GATEWAY_PORT) {
          throwPropError(scope, `${prop}.gatewayPort`, gatewayPort,
            'ports 80 and 443 of the egress gateway carry the HTTP and TLS hosts: give this TCP host a port of its own (and expose it on the egress gateway\'s Service)');
        }
        const other = taken.find(p => p.protocol === EgressProtocol.TCP && p.gatewayPort === gatewayPort);
        if (other) {
          throwPropError(scope, `${prop}.gatewayPort`, gatewayPort,
            `host "${other.host}" already uses this port of the egress gateway; plain TCP has nothing but the port to tell hosts apart: give each TCP host its own gatewayPort`);
        }
      }
      return {
        ...common,
        ports: [port(scope, `${prop}.portName`, spec.port, spec.portName, protocol)],
        addresses,
        upstreamHost: host,
        upstreamPort: spec.port,
        gatewayPort,
        server: mutual
          ? { protocol: Protocol.TLS, name: 'tls', tlsMode: ServerTlsMode.ISTIO_MUTUAL }
          : { protocol: Protocol.TCP, name: 'tcp' },
        meshRoute: 'tcp',
        gatewayRoute: 'tcp',
        gatewaySni: mutual ? host : undefined,
      };
    }
  }
}

/** `edition.cnn.com` -> `edition-cnn-com`; `*.wikipedia.org` -> `wildcard-wikipedia-org`. */
export function hostId(host: string): string {
  return host.replace(/\.$/, '').replace(/^\*\./, 'wildcard.').replace(/\./g, '-');
}

function defaultSubsetName(id: string): string {
  return id.slice(0, 63).replace(/-+$/, '');
}

function checkHostName(scope: IConstruct, prop: string, host: string): void {
  if (host === '*') {
    throwPropError(scope, prop, host, 'a bare "*" would send all external traffic through the gateway to any host, which is not egress to declared hosts: list the hosts, or use a partial wildcard such as "*.example.com"');
  }
  if (typeof host !== 'string' || !isWildcardHost(host) || !host.replace(/\.$/, '').includes('.') || host !== host.toLowerCase()) {
    throwPropError(scope, prop, host, 'an external host is a fully qualified lowercase DNS name such as "api.example.com", or a wildcard such as "*.example.com"');
  }
}

function checkViaHost(scope: IConstruct, prop: string, host: string, wildcard: boolean, viaHost: string | undefined): string | undefined {
  if (!wildcard) {
    if (viaHost !== undefined) {
      throwPropError(scope, `${prop}.wildcardViaHost`, viaHost, 'wildcardViaHost is for a wildcard host (such as "*.wikipedia.org"): leave it out for a concrete host');
    }
    return undefined;
  }
  if (viaHost === undefined) {
    throwPropError(scope, `${prop}.wildcardViaHost`, viaHost,
      'a wildcard host needs wildcardViaHost, the concrete host that serves it (e.g. "www.wikipedia.org" for "*.wikipedia.org"): '
      + 'a wildcard ServiceEntry has resolution NONE (DNS cannot resolve a wildcard without endpoints), and behind the egress gateway '
      + 'resolution NONE forwards to the gateway itself, in a loop; the gateway forwards to wildcardViaHost instead, resolved by DNS');
  }
  if (viaHost.startsWith('*') || !isFqdn(viaHost) || viaHost !== viaHost.toLowerCase() || !hostsIntersect(host, viaHost)) {
    throwPropError(scope, `${prop}.wildcardViaHost`, viaHost, `a concrete fully qualified host covered by "${host}", e.g. "www.${host.slice(2)}"`);
  }
  return viaHost;
}

function checkResolution(scope: IConstruct, prop: string, resolution: ServiceEntryResolution | undefined): ServiceEntryResolution {
  if (resolution === undefined) return ServiceEntryResolution.DNS;
  if (resolution === ServiceEntryResolution.NONE) {
    throwPropError(scope, prop, resolution,
      'with resolution NONE the egress gateway forwards to the address the sidecar connected to, which is the egress gateway itself: '
      + 'the request loops. Use DNS or DNS_ROUND_ROBIN (for a wildcard host, see wildcardViaHost)');
  }
  if (resolution !== ServiceEntryResolution.DNS && resolution !== ServiceEntryResolution.DNS_ROUND_ROBIN) {
    throwPropError(scope, prop, resolution, 'an external host behind the egress gateway is resolved by DNS or DNS_ROUND_ROBIN (for endpoints of your own, build the ServiceEntry yourself)');
  }
  return resolution;
}

function checkAddresses(scope: IConstruct, prop: string, addresses: string[] | undefined): string[] {
  if (addresses === undefined || addresses.length === 0) {
    throwPropError(scope, prop, addresses ?? [],
      'TCP has no Host header and no SNI, so sidecars route it by destination address: give the IP addresses of the host '
      + '(without them every connection to this port, to any host, would go to the egress gateway)');
  }
  addresses.forEach((a, i) => {
    if (isCidr(a)) {
      throwPropError(scope, `${prop}[${i}]`, a,
        'CIDR blocks need resolution NONE, which makes the egress gateway loop to itself: give the IP addresses of the host');
    }
    if (!isIpAddress(a)) throwPropError(scope, `${prop}[${i}]`, a, 'an IP address of the host');
    if (addresses.indexOf(a) !== i) throwPropError(scope, `${prop}[${i}]`, a, 'addresses must be unique');
  });
  return [...addresses];
}

/** A ServiceEntry port (its number already checked), its name checked against the protocol. */
function port(scope: IConstruct, prop: string, number: number, name: string | undefined, protocol: Protocol): PlannedPort {
  const portName = name ?? defaultPortName(protocol, number);
  checkPortName(scope, prop, portName, protocol);
  return { number, name: portName, protocol };
}
