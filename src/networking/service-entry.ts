import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import * as l1 from '../../imports/networking.istio.io';
import { addSynthValidation } from '../core/cross-check';
import { constructMessage, propMessage, throwPropError } from '../core/errors';
import { DNS_LABEL_REFERENCE, ImportedResource } from '../core/imported-resource';
import { IIstioResource, IstioResource, IstioResourceProps } from '../core/istio-resource';
import { isCidr, isDnsLabel, isFqdn, isIpAddress, isIpBlock, isUnixAddress, isWildcardHost } from '../core/names';
import {
  checkPortName, checkPortNumber, defaultPortName, isHttpProtocol, isOpaqueTcpProtocol, isTlsProtocol, Protocol,
} from '../core/protocol';
import { WorkloadSelector } from '../core/workload-selector';

/**
 * Whether the service is part of the mesh.
 * @see https://istio.io/latest/docs/reference/config/networking/service-entry/#ServiceEntry-Location
 */
export enum ServiceEntryLocation {
  /** Outside the mesh: no mTLS, no sidecar on the other side (APIs, SaaS, databases). */
  MESH_EXTERNAL = 'MESH_EXTERNAL',
  /** Part of the mesh (VMs through WorkloadEntry, services Kubernetes does not know). */
  MESH_INTERNAL = 'MESH_INTERNAL',
}

/**
 * How the proxy finds the endpoints of the hosts.
 * @see https://istio.io/latest/docs/reference/config/networking/service-entry/#ServiceEntry-Resolution
 */
export enum ServiceEntryResolution {
  /** Forward to the address the client connected to (wildcard egress). No endpoints. */
  NONE = 'NONE',
  /** Use the IP addresses of `endpoints` (or of the WorkloadEntries a workloadSelector picks). */
  STATIC = 'STATIC',
  /** Resolve the hosts (or the endpoints' names) by DNS and balance over all answers. */
  DNS = 'DNS',
  /** Resolve by DNS and use the first answer only (large pools behind one name). At most one endpoint. */
  DNS_ROUND_ROBIN = 'DNS_ROUND_ROBIN',
  /** Resolve each request's host by DNS at request time (wildcard hosts through a dynamic forward proxy). */
  DYNAMIC_DNS = 'DYNAMIC_DNS',
}

/**
 * A port of a ServiceEntry.
 * @see https://istio.io/latest/docs/reference/config/networking/service-entry/#ServicePort
 */
export interface ServiceEntryPort {
  /** The port number (1-65535). */
  readonly number: number;

  /** The protocol. TCP-like protocols (TCP, MONGO, MYSQL, REDIS) are routed by `addresses`. */
  readonly protocol: Protocol;

  /**
   * The port name, `<protocol>[-<suffix>]`. Endpoints refer to ports by it.
   *
   * @default - `<protocol-lower>-<number>`, e.g. `https-443`
   */
  readonly name?: string;

  /**
   * The port on the endpoints that receives the traffic.
   *
   * @default - the same as `number`
   */
  readonly targetPort?: number;
}

/**
 * An endpoint of a ServiceEntry (a WorkloadEntry inline).
 * @see https://istio.io/latest/docs/reference/config/networking/workload-entry/#WorkloadEntry
 */
export interface ServiceEntryEndpoint {
  /**
   * The address: an IP (STATIC, DNS), a DNS name (DNS, DNS_ROUND_ROBIN) or
   * `unix:///absolute/path` (STATIC).
   *
   * @default - none; then `network` is required (an endpoint reached through that network's gateway)
   */
  readonly address?: string;

  /**
   * Port numbers on this endpoint, keyed by the ServiceEntry's port names.
   *
   * @default - the ServiceEntry's port numbers (or their targetPort)
   */
  readonly ports?: { [portName: string]: number };

  /**
   * Labels of the endpoint (DestinationRule subsets select on them).
   *
   * @default - none
   */
  readonly labels?: { [key: string]: string };

  /**
   * The network the endpoint is in (multi-network meshes).
   *
   * @default - the proxy's network
   */
  readonly network?: string;

  /**
   * The locality, `region/zone/subzone`.
   *
   * @default - none
   */
  readonly locality?: string;

  /**
   * The load balancing weight (1 or more).
   *
   * @default - equal weights
   */
  readonly weight?: number;

  /**
   * The service account of the workload, if it runs a sidecar.
   *
   * @default - none
   */
  readonly serviceAccount?: string;
}

/** Props of a ServiceEntry. */
export interface ServiceEntryProps extends IstioResourceProps {
  /**
   * The hosts: DNS names, possibly with a wildcard first label (`*.example.com`).
   * A bare `*` is not allowed. More with `addHost()`; at least one is required.
   *
   * @default - none yet
   */
  readonly hosts?: string[];

  /**
   * Virtual IPs or CIDR blocks of the service. TCP-like ports need them, since they
   * carry no Host header or SNI to route by. CIDRs only with resolution NONE or STATIC.
   *
   * @default - none
   */
  readonly addresses?: string[];

  /**
   * The ports. More with `addPort()`; at least one is required.
   *
   * @default - none yet
   */
  readonly ports?: ServiceEntryPort[];

  /**
   * Whether the service is part of the mesh.
   *
   * @default - MESH_INTERNAL with a `workloadSelector`, otherwise MESH_EXTERNAL
   */
  readonly location?: ServiceEntryLocation;

  /**
   * How endpoints are found.
   *
   * @default - STATIC with a `workloadSelector` or with endpoints that are all IPs or
   *   sockets; DNS with other endpoints; NONE when a host is a wildcard or an address
   *   a CIDR (and there are no endpoints); otherwise DNS (the usual choice for a
   *   public name, and the one that works behind an egress gateway)
   */
  readonly resolution?: ServiceEntryResolution;

  /**
   * The endpoints. More with `addEndpoint()`. Not with `workloadSelector`.
   *
   * @default - none
   */
  readonly endpoints?: ServiceEntryEndpoint[];

  /**
   * Selects WorkloadEntries (and pods) as endpoints, for MESH_INTERNAL services with
   * STATIC resolution. Not with `endpoints`.
   *
   * @default - none
   */
  readonly workloadSelector?: WorkloadSelector;

  /**
   * The namespaces that see the service: `.` (this one), `*` (all), `~` (none but
   * the service's own proxies) or namespace names.
   *
   * @default - all namespaces (the mesh's default exportTo)
   */
  readonly exportTo?: string[];

  /**
   * Subject alternative names to verify in the server certificate (mTLS to the endpoints).
   *
   * @default - none
   */
  readonly subjectAltNames?: string[];
}

/** A ServiceEntry, made here or elsewhere. */
export interface IServiceEntry extends IIstioResource {}

/** Options of `ServiceEntry.fromServiceEntryName`. */
export interface ServiceEntryImportOptions {
  /**
   * The ServiceEntry's namespace (or give `namespace/name` as the name).
   *
   * @default - no namespace
   */
  readonly namespace?: string;
}

interface RenderedPort {
  readonly json: l1.ServiceEntrySpecPorts;
  readonly protocol: Protocol;
}

/**
 * Adds hosts to the mesh's service registry: external APIs and databases (egress),
 * or services outside Kubernetes.
 *
 * Checks at once: host syntax (no bare `*`), port names (`<protocol>[-<suffix>]`)
 * and numbers (unique), addresses (IP or CIDR), endpoint addresses against the
 * resolution, endpoints and workloadSelector exclusive. At synth: at least one host
 * and one port; STATIC has endpoints (or a workloadSelector); a wildcard host with
 * DNS resolution has endpoints (Istio rejects it otherwise); endpoint ports name
 * existing ports; several hosts only with HTTP/TLS ports unless resolution is NONE.
 *
 * What Istio only warns about is returned by `warnings` (e.g. a TCP port without
 * addresses, IST0134).
 *
 * @see https://istio.io/latest/docs/reference/config/networking/service-entry/
 */
export class ServiceEntry extends IstioResource implements IServiceEntry {
  /**
   * Refers to a ServiceEntry made elsewhere, by `namespace/name` or by name with the
   * `namespace` option.
   */
  public static fromServiceEntryName(scope: Construct, id: string, name: string, options: ServiceEntryImportOptions = {}): IServiceEntry {
    return new ImportedServiceEntry(scope, id, name, options.namespace);
  }

  /** The L1 object. */
  public readonly apiObject: l1.ServiceEntry;
  /** Whether the service is part of the mesh. */
  public readonly location: ServiceEntryLocation;
  /** The workload selector, if any. */
  public readonly workloadSelector?: WorkloadSelector;

  private readonly explicitResolution?: ServiceEntryResolution;
  private readonly hostList: string[] = [];
  private readonly addressList: string[] = [];
  private readonly ports: RenderedPort[] = [];
  private readonly endpoints: l1.ServiceEntrySpecEndpoints[] = [];
  private readonly exportTo?: string[];
  private readonly subjectAltNames?: string[];

  public constructor(scope: Construct, id: string, props: ServiceEntryProps = {}) {
    super(scope, id, props);
    this.workloadSelector = props.workloadSelector;
    this.explicitResolution = props.resolution;
    this.location = props.location ?? (props.workloadSelector ? ServiceEntryLocation.MESH_INTERNAL : ServiceEntryLocation.MESH_EXTERNAL);

    if (props.workloadSelector) {
      if (props.endpoints !== undefined) {
        throwPropError(this, 'endpoints', props.endpoints, 'endpoints and workloadSelector exclude each other: the selector picks the endpoints');
      }
      if (this.location !== ServiceEntryLocation.MESH_INTERNAL) {
        throwPropError(this, 'location', this.location, 'a workloadSelector applies only to MESH_INTERNAL services');
      }
      if (props.resolution !== undefined && props.resolution !== ServiceEntryResolution.STATIC) {
        throwPropError(this, 'resolution', props.resolution, 'a workloadSelector needs STATIC resolution (it selects workload IPs)');
      }
    }
    this.exportTo = props.exportTo ? [...props.exportTo] : undefined;
    this.checkExportTo();
    if (props.subjectAltNames !== undefined) {
      props.subjectAltNames.forEach((san, i) => {
        if (san.length === 0) throwPropError(this, `subjectAltNames[${i}]`, san, 'must not be empty');
      });
      this.subjectAltNames = [...props.subjectAltNames];
    }

    (props.hosts ?? []).forEach(h => this.addHost(h));
    (props.addresses ?? []).forEach(a => this.addAddress(a));
    (props.ports ?? []).forEach(p => this.addPort(p));
    (props.endpoints ?? []).forEach(e => this.addEndpoint(e));

    this.apiObject = new l1.ServiceEntry(this, 'Resource', {
      metadata: this.resourceMetadata(props),
      spec: Lazy.any({ produce: () => this.renderSpec() }),
    });
    addSynthValidation(this, () => this.validateWhole());
  }

  /** The hosts. */
  public get hosts(): string[] {
    return [...this.hostList];
  }

  /** The resolution: the one given, or the default derived from hosts, addresses and endpoints. */
  public get resolution(): ServiceEntryResolution {
    if (this.explicitResolution) return this.explicitResolution;
    if (this.workloadSelector) return ServiceEntryResolution.STATIC;
    if (this.endpoints.length > 0) {
      const allIps = this.endpoints.every(e => e.address === undefined || isIpAddress(e.address) || e.address.startsWith('unix://'));
      return allIps ? ServiceEntryResolution.STATIC : ServiceEntryResolution.DNS;
    }
    if (this.hostList.some(h => h.startsWith('*')) || this.addressList.some(isCidr)) return ServiceEntryResolution.NONE;
    return ServiceEntryResolution.DNS;
  }

  /**
   * What Istio accepts but warns about, one message each (constructs have no warning
   * channel yet: print them, or fail on them in a strict build).
   *
   * - IST0134: a TCP-like port (TCP, MONGO, MYSQL, REDIS) of a MESH_EXTERNAL entry
   *   without `addresses`: with neither Host header nor SNI, Istio routes it by
   *   destination IP, and without addresses it takes the whole port (unless DNS
   *   proxying with IP auto-allocation is on).
   */
  public get warnings(): string[] {
    const out: string[] = [];
    if (this.location === ServiceEntryLocation.MESH_EXTERNAL && this.addressList.length === 0) {
      this.ports.forEach((p, i) => {
        if (isOpaqueTcpProtocol(p.protocol)) {
          out.push(constructMessage(this,
            `ports[${i}] "${p.json.name}" is ${p.protocol}, which has no Host header or SNI to route by: set addresses `
            + '(the service\'s IPs or CIDRs), or enable DNS proxying with IP auto-allocation (IST0134)'));
        }
      });
    }
    return out;
  }

  /** Adds a host: a DNS name, possibly with a wildcard first label (`*.example.com`). */
  public addHost(host: string): void {
    const prop = `hosts[${this.hostList.length}]`;
    if (host === '*') {
      throwPropError(this, prop, host, 'a bare "*" host is not allowed (it would capture all traffic): use a partial wildcard such as "*.example.com"');
    }
    if (!isWildcardHost(host)) {
      throwPropError(this, prop, host, 'a host is a lowercase DNS name, optionally with a "*." prefix (no partial wildcards such as "*foo.com")');
    }
    if (this.hostList.includes(host)) throwPropError(this, prop, host, 'hosts must be unique');
    this.hostList.push(host);
  }

  /** Adds a virtual IP or CIDR block of the service (CIDRs only with resolution NONE or STATIC). */
  public addAddress(address: string): void {
    const prop = `addresses[${this.addressList.length}]`;
    if (!isIpBlock(address)) {
      throwPropError(this, prop, address, 'an address is an IP address or a CIDR block');
    }
    if (isCidr(address) && this.explicitResolution !== undefined && !isNoneOrStatic(this.explicitResolution)) {
      throwPropError(this, prop, address, `CIDR addresses need resolution NONE or STATIC, not ${this.explicitResolution}`);
    }
    if (this.addressList.includes(address)) throwPropError(this, prop, address, 'addresses must be unique');
    this.addressList.push(address);
  }

  /**
   * Adds a port. The name defaults to `<protocol-lower>-<number>`.
   *
   * @example
   * se.addPort({ number: 443, protocol: Protocol.TLS }); // name "tls-443"
   */
  public addPort(port: ServiceEntryPort): void {
    const prop = `ports[${this.ports.length}]`;
    checkPortNumber(this, `${prop}.number`, port.number);
    const name = port.name ?? defaultPortName(port.protocol, port.number);
    checkPortName(this, `${prop}.name`, name, port.protocol);
    if (port.targetPort !== undefined) checkPortNumber(this, `${prop}.targetPort`, port.targetPort);
    const sameNumber = this.ports.findIndex(p => p.json.number === port.number);
    if (sameNumber >= 0) throwPropError(this, `${prop}.number`, port.number, `port numbers must be unique; ports[${sameNumber}] has it`);
    const sameName = this.ports.findIndex(p => p.json.name === name);
    if (sameName >= 0) throwPropError(this, `${prop}.name`, name, `port names must be unique; ports[${sameName}] has it`);
    this.ports.push({
      protocol: port.protocol,
      json: { number: port.number, protocol: port.protocol, name, targetPort: port.targetPort },
    });
  }

  /**
   * Adds an endpoint. Not with a workloadSelector, nor with resolution NONE.
   *
   * @example
   * se.addEndpoint({ address: '10.0.0.12', ports: { 'tcp-3306': 3306 }, labels: { version: 'v1' } });
   */
  public addEndpoint(endpoint: ServiceEntryEndpoint): void {
    const prop = `endpoints[${this.endpoints.length}]`;
    const resolution = this.explicitResolution;
    if (this.workloadSelector) {
      throwPropError(this, prop, endpoint, 'endpoints and workloadSelector exclude each other: the selector picks the endpoints');
    }
    if (resolution === ServiceEntryResolution.NONE) {
      throwPropError(this, prop, endpoint, 'resolution NONE forwards to the address the client used and takes no endpoints: use STATIC or DNS');
    }
    if (resolution === ServiceEntryResolution.DNS_ROUND_ROBIN && this.endpoints.length >= 1) {
      throwPropError(this, prop, endpoint, 'DNS_ROUND_ROBIN takes at most one endpoint: use DNS to balance over several');
    }
    const address = endpoint.address;
    if (address === undefined) {
      if (endpoint.network === undefined) throwPropError(this, `${prop}.address`, address, 'an endpoint needs an address (or a network reached through its gateway)');
    } else if (address.startsWith('unix://')) {
      if (!isUnixAddress(address)) throwPropError(this, `${prop}.address`, address, 'a socket address is "unix://<absolute path>" or "unix://@<abstract name>"');
      if (resolution !== undefined && resolution !== ServiceEntryResolution.STATIC) {
        throwPropError(this, `${prop}.address`, address, `unix socket endpoints need resolution STATIC, not ${resolution}`);
      }
      if (endpoint.ports !== undefined) throwPropError(this, `${prop}.ports`, endpoint.ports, 'a unix socket endpoint takes no ports');
    } else if (!isIpAddress(address)) {
      if (resolution === ServiceEntryResolution.STATIC) {
        throwPropError(this, `${prop}.address`, address, 'STATIC endpoints are IP addresses (or unix sockets): use resolution DNS for names');
      }
      if (!isFqdn(address)) throwPropError(this, `${prop}.address`, address, 'an endpoint address is an IP address, a DNS name with a dot, or unix://<path>');
    }
    for (const [name, number] of Object.entries(endpoint.ports ?? {})) {
      if (!isDnsLabel(name)) throwPropError(this, `${prop}.ports`, name, 'keys are the ServiceEntry\'s port names');
      checkPortNumber(this, `${prop}.ports["${name}"]`, number);
    }
    if (endpoint.weight !== undefined && (!Number.isInteger(endpoint.weight) || endpoint.weight < 1 || endpoint.weight > 4294967295)) {
      throwPropError(this, `${prop}.weight`, endpoint.weight, 'a weight is an integer of 1 or more (leave it out for equal weights)');
    }
    this.endpoints.push({
      address,
      ports: endpoint.ports ? { ...endpoint.ports } : undefined,
      labels: endpoint.labels ? { ...endpoint.labels } : undefined,
      network: endpoint.network,
      locality: endpoint.locality,
      weight: endpoint.weight,
      serviceAccount: endpoint.serviceAccount,
    });
  }

  private checkExportTo(): void {
    const list = this.exportTo;
    if (list === undefined) return;
    list.forEach((e, i) => {
      if (!(e === '.' || e === '*' || e === '~' || isDnsLabel(e))) {
        throwPropError(this, `exportTo[${i}]`, e, 'use "." (this namespace), "*" (all), "~" (none) or namespace names');
      }
      if (list.indexOf(e) !== i) throwPropError(this, `exportTo[${i}]`, e, 'entries must be unique');
    });
    for (const alone of ['*', '~']) {
      if (list.includes(alone) && list.length > 1) {
        throwPropError(this, 'exportTo', list, `"${alone}" cannot be combined with other entries`);
      }
    }
  }

  private validateWhole(): string[] {
    const errors: string[] = [];
    const resolution = this.resolution;
    if (this.hostList.length === 0) errors.push(constructMessage(this, 'a ServiceEntry needs at least one host: pass hosts or call addHost()'));
    if (this.ports.length === 0) errors.push(constructMessage(this, 'a ServiceEntry needs at least one port: pass ports or call addPort()'));
    if (resolution === ServiceEntryResolution.STATIC && this.endpoints.length === 0 && !this.workloadSelector) {
      errors.push(propMessage(this, 'resolution', resolution, 'STATIC needs endpoints (addEndpoint()) or a workloadSelector'));
    }
    if ((resolution === ServiceEntryResolution.DNS || resolution === ServiceEntryResolution.DNS_ROUND_ROBIN) && this.endpoints.length === 0) {
      const wildcard = this.hostList.find(h => h.startsWith('*'));
      if (wildcard !== undefined) {
        errors.push(propMessage(this, 'hosts', wildcard,
          `a wildcard host cannot be resolved by ${resolution} without endpoints (Istio rejects it): use resolution NONE for the wildcard, `
          + 'plus a DNS ServiceEntry for each concrete host'));
      }
    }
    const cidr = this.addressList.find(isCidr);
    if (cidr !== undefined && !isNoneOrStatic(resolution)) {
      errors.push(propMessage(this, 'addresses', cidr, `CIDR addresses need resolution NONE or STATIC, not ${resolution}`));
    }
    const portNames = new Set(this.ports.map(p => p.json.name));
    this.endpoints.forEach((e, i) => {
      for (const name of Object.keys(e.ports ?? {})) {
        if (!portNames.has(name)) {
          errors.push(propMessage(this, `endpoints[${i}].ports`, name, `not a port of this ServiceEntry (ports: ${[...portNames].join(', ') || 'none'})`));
        }
      }
      if (e.address?.startsWith('unix://')) {
        if (this.ports.length !== 1) {
          errors.push(propMessage(this, `endpoints[${i}].address`, e.address, `a unix socket endpoint needs exactly one service port, not ${this.ports.length}`));
        }
        if (resolution !== ServiceEntryResolution.STATIC) {
          errors.push(propMessage(this, `endpoints[${i}].address`, e.address, `unix socket endpoints need resolution STATIC, not ${resolution} (an endpoint is a DNS name)`));
        }
      }
    });
    if (resolution !== ServiceEntryResolution.NONE && this.hostList.length > 1) {
      const opaque = this.ports.find(p => !isHttpProtocol(p.protocol) && !isTlsProtocol(p.protocol));
      if (opaque !== undefined) {
        errors.push(propMessage(this, 'hosts', this.hostList,
          `several hosts share ${opaque.protocol} port "${opaque.json.name}", which carries no Host header or SNI to tell them apart: `
          + 'use one ServiceEntry per host, or resolution NONE'));
      }
    }
    return errors;
  }

  private renderSpec(): l1.ServiceEntrySpec {
    return {
      hosts: [...this.hostList],
      addresses: this.addressList.length > 0 ? [...this.addressList] : undefined,
      ports: this.ports.length > 0 ? this.ports.map(p => ({ ...p.json })) : undefined,
      location: this.location as string as l1.ServiceEntrySpecLocation,
      resolution: this.resolution as string as l1.ServiceEntrySpecResolution,
      endpoints: this.endpoints.length > 0 ? this.endpoints.map(e => ({ ...e })) : undefined,
      workloadSelector: this.workloadSelector ? { labels: this.workloadSelector.toLabels() } : undefined,
      exportTo: this.exportTo ? [...this.exportTo] : undefined,
      subjectAltNames: this.subjectAltNames ? [...this.subjectAltNames] : undefined,
    };
  }
}

function isNoneOrStatic(resolution: ServiceEntryResolution): boolean {
  return resolution === ServiceEntryResolution.NONE || resolution === ServiceEntryResolution.STATIC;
}

/** A ServiceEntry made elsewhere (`ServiceEntry.fromServiceEntryName`). */
class ImportedServiceEntry extends ImportedResource implements IServiceEntry {
  constructor(scope: Construct, id: string, name: string, namespace?: string) {
    super(scope, id, name, namespace, DNS_LABEL_REFERENCE);
  }
}
