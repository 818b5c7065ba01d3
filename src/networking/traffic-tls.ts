/**
 * TLS mode of the connections to the upstream (`trafficPolicy.tls.mode`).
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ClientTLSSettings-TLSmode
 */
export enum ClientTlsMode {
  /** Plaintext to the upstream. */
  DISABLE = 'DISABLE',
  /** Originate TLS to the upstream. */
  SIMPLE = 'SIMPLE',
  /** Mutual TLS with a client certificate the user provides. */
  MUTUAL = 'MUTUAL',
  /** Mutual TLS with the certificates Istio issues to the workload. */
  ISTIO_MUTUAL = 'ISTIO_MUTUAL',
}

/**
 * Options of `ClientTls.istioMutual()`. Istio's own certificates are used, so no
 * certificate paths or credentials are taken.
 */
export interface IstioMutualTlsOptions {
  /**
   * SNI presented to the server, e.g. the external host when a sidecar talks
   * ISTIO_MUTUAL to an egress gateway.
   *
   * @default - set from the downstream host / authority
   */
  readonly sni?: string;

  /**
   * Subject alternative names accepted in the server certificate (overrides the
   * ServiceEntry's `subjectAltNames`).
   *
   * @default - the identities Istio expects for the destination
   */
  readonly subjectAltNames?: string[];
}

/**
 * Options of `ClientTls.simple()`.
 *
 * Name a CA (`caCertificates` or `credentialName`) so that the server certificate is
 * verified against it: without one, Istio's analyzer reports IST0128 (destination
 * level) or IST0129 (port level); see `DestinationRule.verifiesServerCertificate`.
 */
export interface SimpleTlsOptions extends IstioMutualTlsOptions {
  /**
   * Path of the CA certificates used to verify the server certificate.
   * Excludes `credentialName`.
   *
   * @default - the proxy verifies against the OS CA certificates
   */
  readonly caCertificates?: string;

  /**
   * Path of the certificate revocation list used to verify the server certificate.
   * Excludes `credentialName` (put the CRL in the Secret instead).
   *
   * @default - no CRL check
   */
  readonly caCrl?: string;

  /**
   * Name of a Secret holding the client's certificates (keys `key`, `cert`,
   * `cacert`, `crl`, or a TLS Secret with `ca.crt` / `ca.crl`), in the namespace of
   * the proxy that uses it. Excludes the certificate file paths.
   *
   * It is read by gateways (e.g. TLS origination at an egress gateway). Sidecars read
   * it only when the DestinationRule has a `workloadSelector`; otherwise they keep
   * using the file paths. Istio 1.30 accepts it either way.
   *
   * @default - file paths, or no client credentials
   */
  readonly credentialName?: string;

  /**
   * Skip verifying the server certificate's CA signature and SAN. Excludes
   * `caCertificates`, `subjectAltNames` and (SIMPLE) `credentialName`.
   *
   * @default false
   */
  readonly insecureSkipVerify?: boolean;
}

/**
 * Options of `ClientTls.mutual()`: a client certificate and key, or a `credentialName`.
 */
export interface MutualTlsOptions extends SimpleTlsOptions {
  /**
   * Path of the client certificate. Needs `privateKey`; excludes `credentialName`.
   *
   * @default - none: then `credentialName` is required
   */
  readonly clientCertificate?: string;

  /**
   * Path of the client's private key. Needs `clientCertificate`; excludes `credentialName`.
   *
   * @default - none: then `credentialName` is required
   */
  readonly privateKey?: string;
}

/**
 * TLS settings of the connections to the upstream, one factory per mode so that
 * each mode only takes the settings it uses.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ClientTLSSettings
 */
export class ClientTls {
  /** Plaintext to the upstream (e.g. a port excluded from inbound capture). */
  public static disable(): ClientTls {
    return new ClientTls(ClientTlsMode.DISABLE, {});
  }

  /** Originate TLS to the upstream. */
  public static simple(options: SimpleTlsOptions = {}): ClientTls {
    return new ClientTls(ClientTlsMode.SIMPLE, options);
  }

  /** Mutual TLS with a client certificate and key, or a `credentialName`. */
  public static mutual(options: MutualTlsOptions): ClientTls {
    return new ClientTls(ClientTlsMode.MUTUAL, options);
  }

  /** Mutual TLS with the certificates Istio issues to the workload. */
  public static istioMutual(options: IstioMutualTlsOptions = {}): ClientTls {
    return new ClientTls(ClientTlsMode.ISTIO_MUTUAL, options);
  }

  /** The TLS mode. */
  public readonly mode: ClientTlsMode;
  /** The settings given with the mode. */
  public readonly settings: MutualTlsOptions;

  private constructor(mode: ClientTlsMode, settings: MutualTlsOptions) {
    this.mode = mode;
    this.settings = { ...settings };
  }
}
