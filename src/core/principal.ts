import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { isDnsLabel, isDnsSubdomain } from './names';

const TRUST_DOMAIN = /^[a-z0-9._-]+$/;

/**
 * A peer identity, as AuthorizationPolicy's `principals` and `notPrincipals` match it:
 * `<TRUST_DOMAIN>/ns/<NAMESPACE>/sa/<SERVICE_ACCOUNT>`, taken from the peer's mTLS
 * certificate (without the `spiffe://` scheme). Principals only exist on mutual TLS
 * connections: a plaintext caller has none, so a policy that requires one also
 * requires mTLS.
 *
 * The trust domain defaults to `cluster.local`. Istio treats `cluster.local` in a
 * policy as the mesh's own trust domain (see trust domain migration), so keep the
 * default unless the policy must name a foreign trust domain.
 *
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source
 */
export class Principal {
  /** The trust domain used when none is given. */
  public static readonly DEFAULT_TRUST_DOMAIN = 'cluster.local';

  /**
   * The identity of the workloads that run as one Kubernetes service account:
   * `cluster.local/ns/NAMESPACE/sa/NAME`.
   *
   * @param namespace the service account's namespace
   * @param name the service account's name
   * @param trustDomain the mesh trust domain, default `cluster.local`
   */
  public static serviceAccount(namespace: string, name: string, trustDomain?: string): Principal {
    const td = checkTrustDomain('Principal.serviceAccount', trustDomain);
    checkName('Principal.serviceAccount', 'namespace', namespace, isDnsLabel, 'a DNS label (lower case letters, digits and "-", at most 63 characters)');
    checkName('Principal.serviceAccount', 'name', name, isDnsSubdomain, 'a DNS subdomain (lower case letters, digits, "-" and ".", at most 253 characters)');
    const value = `${td}/ns/${namespace}/sa/${name}`;
    return new Principal(() => value, value);
  }

  /**
   * Every service account of one namespace: `cluster.local/ns/NAMESPACE/sa/*`
   * (a prefix match).
   *
   * @param namespace the namespace
   * @param trustDomain the mesh trust domain, default `cluster.local`
   */
  public static namespace(namespace: string, trustDomain?: string): Principal {
    const td = checkTrustDomain('Principal.namespace', trustDomain);
    checkName('Principal.namespace', 'namespace', namespace, isDnsLabel, 'a DNS label (lower case letters, digits and "-", at most 63 characters)');
    const value = `${td}/ns/${namespace}/sa/*`;
    return new Principal(() => value, value);
  }

  /**
   * Any authenticated peer (`*`, a presence match): every caller with an mTLS
   * identity. In `notPrincipals`, it matches the callers WITHOUT one: a DENY policy
   * with `notPrincipals: [Principal.any()]` rejects plaintext traffic.
   */
  public static any(): Principal {
    return new Principal(() => '*', '*');
  }

  /**
   * A principal written out, e.g. `cluster.local/ns/default/sa/productpage`,
   * `*` or a prefix (`cluster.local/ns/prod/*`) or suffix (`*` followed by `/sa/admin`) match.
   *
   * @param principal the principal, without the `spiffe://` scheme
   */
  public static of(principal: string): Principal {
    checkPrincipal('Principal.of', principal);
    return new Principal(() => principal, principal);
  }

  /**
   * The identity of a service account construct: a cdk8s-plus `ServiceAccount`,
   * an L1 `KubeServiceAccount`, or any construct whose `ApiObject` is a
   * ServiceAccount. Its name and namespace (the object's, else its chart's) are
   * read at synth time; a service account without a namespace is rejected, since
   * its identity would depend on where it is applied.
   *
   * @param serviceAccount the ServiceAccount construct
   * @param trustDomain the mesh trust domain, default `cluster.local`
   */
  public static fromServiceAccount(serviceAccount: IConstruct, trustDomain?: string): Principal {
    const td = checkTrustDomain('Principal.fromServiceAccount', trustDomain);
    const path = serviceAccount.node.path;
    let obj: ApiObject;
    try {
      obj = ApiObject.of(serviceAccount);
    } catch {
      throw new Error(`Principal.fromServiceAccount: '${path}' has no ApiObject; pass a ServiceAccount construct, or use Principal.serviceAccount(namespace, name)`);
    }
    if (obj.kind !== 'ServiceAccount') {
      throw new Error(`Principal.fromServiceAccount: '${path}' is a ${obj.kind}, not a ServiceAccount; use Principal.serviceAccount(namespace, name)`);
    }
    return new Principal(() => {
      const namespace = obj.metadata.namespace ?? Chart.of(obj).namespace;
      if (!namespace) {
        throw new Error(`Principal.fromServiceAccount: ServiceAccount '${path}' has no namespace (neither metadata.namespace nor its chart's): its identity ${td}/ns/<namespace>/sa/${obj.name} cannot be known; set the namespace`);
      }
      return `${td}/ns/${namespace}/sa/${obj.name}`;
    }, `service account '${path}'`);
  }

  private constructor(private readonly producer: () => string, private readonly description: string) {}

  /** The principal string, resolved now (a service account construct is read at this point). */
  public get value(): string {
    return this.producer();
  }

  /** Where the principal comes from, for messages. */
  public toString(): string {
    return this.description;
  }
}

function checkTrustDomain(where: string, trustDomain: string | undefined): string {
  const td = trustDomain ?? Principal.DEFAULT_TRUST_DOMAIN;
  if (!TRUST_DOMAIN.test(td)) {
    throw new Error(`${where}: invalid trustDomain ${JSON.stringify(td)}: a trust domain is lower case letters, digits, ".", "-" and "_" (e.g. "cluster.local"), without "spiffe://" or "/"`);
  }
  return td;
}

function checkName(where: string, what: string, value: string, valid: (value: string) => boolean, allowed: string): void {
  if (!valid(value)) {
    throw new Error(`${where}: invalid ${what} ${JSON.stringify(value)}: must be ${allowed}`);
  }
}

function checkPrincipal(where: string, principal: string): void {
  const bad = (why: string): never => {
    throw new Error(`${where}: invalid principal ${JSON.stringify(principal)}: ${why}`);
  };
  if (principal.length === 0) bad('must not be empty (use Principal.any() for any authenticated peer)');
  if (/\s/.test(principal)) bad('must not contain whitespace');
  if (principal.startsWith('spiffe://')) bad(`leave out the "spiffe://" scheme: write ${JSON.stringify(principal.slice('spiffe://'.length))}`);
  if (principal !== '*' && principal.slice(1, -1).includes('*')) {
    bad('"*" is only allowed alone, at the start (suffix match) or at the end (prefix match)');
  }
  if (principal.length > 1 && principal.startsWith('*') && principal.endsWith('*')) {
    bad('"*" may be at the start or at the end, not both (Istio would match the literal text)');
  }
}
