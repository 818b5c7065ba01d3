/**
 * The Gateway API rendering of an EgressGateway (`ApiMode.GATEWAY_API`), Istio's
 * "Egress Gateways" task, Gateway API tab: one Gateway of class `istio` with the
 * annotation `networking.istio.io/service-type: ClusterIP` (Istio deploys it as
 * `<name>-istio`), a listener per host; per host an HTTPRoute (TLSRoute for
 * passthrough) whose parent is the host's ServiceEntry and whose backend is the
 * egress gateway's Service, and one whose parent is the Gateway and whose backend is
 * the external host (`kind: Hostname`, group `networking.istio.io`).
 *
 * Internal module: not re-exported from the package root.
 */
import { ApiObject, Lazy, Names } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { deployedGatewayName } from './service-ref';
import * as gw from '../../../imports/gateway.networking.k8s.io';
import { modeRefusal } from '../../core/output-mode';
import { EgressHostPlan } from '../egress-plan';
import { EgressProtocol } from '../egress-traffic';

const ISTIO_GROUP = 'networking.istio.io';
/** The ports of the egress gateway's listeners: plain HTTP (the mesh's mTLS wraps it) and TLS passthrough. */
const HTTP_PORT = 80;
const TLS_PORT = 443;

/** The props of EgressGateway that have no meaning in gateway-api mode. */
export interface EgressModeProps {
  readonly gatewaySelector?: { [key: string]: string };
  readonly gatewayServiceHost?: string;
  readonly sidecarToGatewayTls?: string;
}

/** The one Gateway (gateway.networking.k8s.io) of an EgressGateway, with a listener per host. */
export class EgressGatewayApi {
  /**
   * Refuses the props that configure Istio's own egress gateway, then makes the
   * Gateway (id `gateway-api`).
   */
  public static create(scope: Construct, namespace: string | undefined, props: EgressModeProps): EgressGatewayApi {
    for (const prop of ['gatewaySelector', 'gatewayServiceHost'] as const) {
      if (props[prop] !== undefined) {
        throw new Error(modeRefusal(scope, prop, props[prop], 'an existing egress gateway deployment (selected by labels, reached by its Service)',
          `in gateway-api mode Istio deploys the egress gateway from the Gateway made here (Service "<name>-istio"): leave ${prop} out`));
      }
    }
    if (props.sidecarToGatewayTls !== undefined && props.sidecarToGatewayTls !== 'MUTUAL') {
      throw new Error(modeRefusal(scope, 'sidecarToGatewayTls', props.sidecarToGatewayTls, 'a plaintext sidecar-to-gateway leg',
        'the Gateway API routes carry no TLS settings; the leg to the deployed gateway follows the mesh\'s automatic mutual TLS: leave sidecarToGatewayTls out'));
    }
    return new EgressGatewayApi(scope, namespace);
  }

  /** The Gateway. */
  public readonly gateway: ApiObject;
  /** Its name, and the name of the Service Istio deploys for it (`<name>-istio`). */
  public readonly name: string;
  public readonly serviceName: string;
  private readonly listeners: any[] = [];

  private constructor(scope: Construct, namespace: string | undefined) {
    const id = 'gateway-api';
    this.name = deployedGatewayName(scope);
    this.serviceName = `${this.name}-istio`;
    this.gateway = new gw.Gateway(scope, id, {
      metadata: { name: this.name, namespace, annotations: { 'networking.istio.io/service-type': 'ClusterIP' } },
      spec: {
        gatewayClassName: 'istio',
        listeners: Lazy.any({ produce: () => this.listeners.map(l => ({ ...l })) }) as any,
      },
    });
  }

  /** Refuses what this rendering does not express: wildcard hosts and opaque TCP. */
  public check(scope: IConstruct, plan: EgressHostPlan): void {
    if (plan.viaHost !== undefined) {
      throw new Error(modeRefusal(scope, plan.prop, plan.host, 'a wildcard egress host (through wildcardViaHost)',
        'a Gateway API listener and a TLSRoute would forward to the host the app named, which the wildcard ServiceEntry (resolution NONE) cannot resolve: add each concrete host'));
    }
    if (plan.protocol === EgressProtocol.TCP) {
      throw new Error(modeRefusal(scope, plan.prop, plan.host, 'opaque TCP egress (routed by address and port)',
        'Istio\'s Gateway API egress task covers HTTP, TLS origination and HTTPS passthrough: use EgressTraffic.httpsPassthrough() or http()'));
    }
  }

  /**
   * The listener and the two routes of one host, made under `host` with ids
   * `to-gateway` and `from-gateway`.
   */
  public addHost(host: Construct, plan: EgressHostPlan, serviceEntryName: string, namespace: string | undefined): ApiObject[] {
    const passthrough = plan.protocol === EgressProtocol.HTTPS_PASSTHROUGH;
    const port = passthrough ? TLS_PORT : HTTP_PORT;
    this.listeners.push({
      name: plan.id,
      hostname: plan.host,
      port,
      protocol: passthrough ? 'TLS' : 'HTTP',
      ...(passthrough ? { tls: { mode: 'Passthrough' } } : {}),
      allowedRoutes: { namespaces: { from: 'Same' } },
    });
    const metadata = (suffix: string) => ({ name: `${Names.toDnsLabel(host, { includeHash: false })}-${suffix}`, namespace });
    const toGateway = {
      parentRefs: [{ kind: 'ServiceEntry', group: ISTIO_GROUP, name: serviceEntryName }],
      rules: [{ backendRefs: [{ name: this.serviceName, port }] }],
    };
    const fromGateway = {
      parentRefs: [{ name: this.name }],
      hostnames: [plan.host],
      rules: [{ backendRefs: [{ kind: 'Hostname', group: ISTIO_GROUP, name: plan.upstreamHost, port: plan.upstreamPort }] }],
    };
    if (passthrough) {
      return [
        new gw.TlsRoute(host, 'to-gateway', { metadata: metadata('to-gateway'), spec: { ...toGateway, hostnames: [plan.host] } }),
        new gw.TlsRoute(host, 'from-gateway', { metadata: metadata('from-gateway'), spec: fromGateway }),
      ];
    }
    return [
      new gw.HttpRoute(host, 'to-gateway', { metadata: metadata('to-gateway'), spec: toGateway }),
      new gw.HttpRoute(host, 'from-gateway', { metadata: metadata('from-gateway'), spec: fromGateway }),
    ];
  }
}
