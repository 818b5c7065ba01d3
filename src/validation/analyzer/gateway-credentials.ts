/**
 * Gateway server certificates (Istio's `gateway.CertificateAnalyzer` and
 * `gateway.SecretAnalyzer`): one certificate served by servers of several Gateways on
 * the same gateway pods (IST0138), and a `credentialName` whose Secret, in the gateway
 * pods' namespace, holds no certificate (IST0161) or is missing (IST0101).
 *
 * Open world: Secrets are usually created outside the manifests (`kubectl create
 * secret`, cert-manager, an external secret operator), so a Secret missing from the
 * input is Info, unless the input holds a Secret of a near name (another case, an edit
 * or two away) in that namespace, or of that name in the Gateway's own namespace: then
 * it is most likely a typo or the wrong namespace (Error). A cert-manager Certificate
 * of the input whose `secretName` is the credential counts as the Secret.
 *
 * Internal module: not part of the public API.
 */
import { FindingLevel } from '../findings';
import { Context, Item } from './context';
import { RawObject, RawObjects } from './raw-objects';
import { RULES } from './rules';
import { arr, list, obj, q, selectorMatches, selectorString, str, strMap } from './util';

const MAX_LISTED = 5;

export function checkGatewayCredentials(ctx: Context, raw: RawObjects): void {
  checkDuplicateCertificates(ctx);
  checkCredentialSecrets(ctx, raw);
}

interface CertUse {
  readonly gateway: Item;
  readonly field: string;
  readonly selector: Record<string, string>;
}

/** The certificate a server presents: its credentialName, or its certificate and key files. */
function certificateOf(server: Record<string, any>): { key: string; field: string } | undefined {
  const tls = obj(server.tls);
  const credential = str(tls.credentialName);
  if (credential) return { key: `credential\u0000${credential}`, field: 'tls.credentialName' };
  const cert = str(tls.serverCertificate);
  const key = str(tls.privateKey);
  if (cert && key) return { key: `files\u0000${cert}\u0000${key}`, field: 'tls.serverCertificate' };
  return undefined;
}

/**
 * IST0138, as Istio: a Gateway and another Gateway whose selector has all the pairs of
 * its selector (so it serves the same pods) have a server with the same certificate.
 * Certificates are grouped, and within a group the Gateways by selector: no pairwise
 * scan over all Gateways.
 */
function checkDuplicateCertificates(ctx: Context): void {
  const byCert = new Map<string, CertUse[]>();
  for (const gw of ctx.all('Gateway')) {
    const selector = strMap(gw.spec.selector);
    arr(gw.spec.servers).forEach((s, i) => {
      const cert = certificateOf(obj(s));
      if (!cert) return;
      const uses = byCert.get(cert.key) ?? [];
      if (!uses.some(u => u.gateway === gw)) uses.push({ gateway: gw, field: `spec.servers[${i}].${cert.field}`, selector });
      byCert.set(cert.key, uses);
    });
  }

  for (const uses of byCert.values()) {
    if (uses.length < 2) continue;
    const bySelector = new Map<string, CertUse[]>();
    for (const u of uses) {
      const key = selectorString(u.selector);
      bySelector.set(key, [...bySelector.get(key) ?? [], u]);
    }
    const buckets = [...bySelector.values()];
    for (const bucket of buckets) {
      const selector = bucket[0].selector;
      // the Gateways whose selector is a superset of this one (an empty selector: every Gateway)
      const others = buckets.filter(b => selectorMatches(selector, b[0].selector)).flat();
      if (others.length < 2) continue;
      const sorted = others.map(o => fullName(o.gateway)).sort();
      for (const use of bucket) {
        const own = fullName(use.gateway);
        const names: string[] = [];
        for (const name of sorted) {
          if (name !== own) names.push(name);
          if (names.length > MAX_LISTED) break;
        }
        const count = others.length - 1;
        const listed = count > MAX_LISTED ? [...names.slice(0, MAX_LISTED), `and ${count - MAX_LISTED} more`] : names;
        ctx.report({
          item: use.gateway,
          rule: RULES.gatewayDuplicateCertificate,
          field: use.field,
          message: `Duplicate certificate in multiple gateways ${list([fullName(use.gateway), ...listed])} may cause 404s if clients re-use HTTP2 connections. `
            + 'Serve the hosts that share the certificate from one Gateway server, or give each Gateway its own certificate.',
        });
      }
    }
  }
}

/**
 * IST0161 and IST0101 for a server's `credentialName`, looked up in the namespaces of
 * the pods the Gateway selects (Gateways that select no pod are reported elsewhere).
 */
function checkCredentialSecrets(ctx: Context, raw: RawObjects): void {
  const issued = new Map<string, Set<string>>();
  for (const cert of raw.all('cert-manager.io/Certificate')) {
    const secretName = str(obj(cert.object.spec).secretName);
    if (!secretName) continue;
    const names = issued.get(cert.ns) ?? new Set<string>();
    issued.set(cert.ns, names.add(secretName));
  }

  for (const gw of ctx.all('Gateway')) {
    if (!gw.source) continue;
    const selector = strMap(gw.spec.selector);
    if (Object.keys(selector).length === 0) continue;
    // the input's own gateway pods, when it holds some, replace the assumed default installation's
    const selected = ctx.select(selector, undefined);
    const own = selected.filter(w => w.item.source);
    const namespaces = [...new Set((own.length > 0 ? own : selected).map(w => w.ns))].sort();
    arr(gw.spec.servers).forEach((s, i) => {
      const credential = str(obj(obj(s).tls).credentialName);
      // SDS references (sds://, kubernetes://) and other-namespace forms are not plain Secret names
      if (!credential || credential.includes('/') || credential.includes(':')) return;
      const field = `spec.servers[${i}].tls.credentialName`;
      for (const ns of namespaces) {
        const secret = raw.find('/Secret', ns, credential);
        if (secret) {
          const problem = secretProblem(secret);
          if (!problem) continue;
          ctx.report({
            item: gw,
            rule: RULES.invalidGatewayCredential,
            field,
            message: `The credential referenced by the Gateway ${gw.name} in namespace ${ns} is invalid, which can cause the traffic not to work as expected. `
              + `Secret ${ns}/${credential} ${problem}: it needs tls.crt and tls.key (or cert and key) holding a PEM certificate and its key.`,
          });
          continue;
        }
        if (issued.get(ns)?.has(credential)) continue;
        reportMissing(ctx, raw, gw, field, credential, ns, issued.get(ns), namespaces.includes(gw.ns));
      }
    });
  }
}

function reportMissing(
  ctx: Context, raw: RawObjects, gw: Item, field: string, credential: string, ns: string, issued: Set<string> | undefined,
  podsInGatewayNamespace: boolean,
): void {
  const known = raw.nearNames('/Secret', ns, issued);
  const near = known.near(credential);
  const elsewhere = !podsInGatewayNamespace && raw.find('/Secret', gw.ns, credential) !== undefined;
  const base = `Referenced credentialName not found: ${q(credential)}`;
  if (near.length > 0) {
    ctx.report({
      item: gw,
      rule: RULES.referencedResourceNotFound,
      field,
      message: `${base}. No Secret ${ns}/${credential} for the gateway pods; did you mean ${q(near[0])}?`,
    });
  } else if (elsewhere) {
    ctx.report({
      item: gw,
      rule: RULES.referencedResourceNotFound,
      field,
      message: `${base}. Secret ${gw.ns}/${credential} is in the Gateway's namespace, but the gateway pods read credentials from their own namespace ${ns}: create the Secret in ${ns}.`,
    });
  } else {
    ctx.report({
      item: gw,
      rule: RULES.referencedResourceNotFound,
      field,
      // a Warning in a closed world whose input manages Secrets of that namespace
      level: ctx.openWorld || known.size === 0 ? FindingLevel.INFO : FindingLevel.WARNING,
      message: `${base}. The input holds no Secret ${ns}/${credential}; the gateway pods need it in their namespace ${ns}, `
        + 'with tls.crt and tls.key (for example created by cert-manager or kubectl create secret tls).',
    });
  }
}

/** Why a Secret cannot serve as a gateway credential, or undefined if it can. */
function secretProblem(secret: RawObject): string | undefined {
  const data = obj(secret.object.data);
  const stringData = obj(secret.object.stringData);
  const value = (key: string): string | undefined => {
    if (typeof stringData[key] === 'string') return stringData[key];
    if (typeof data[key] === 'string') return Buffer.from(data[key], 'base64').toString('utf-8');
    return undefined;
  };
  const pair = [['tls.crt', 'tls.key'], ['cert', 'key']].find(([c, k]) => value(c) && value(k));
  if (!pair) return 'has neither tls.crt and tls.key nor cert and key';
  if (!value(pair[0])!.includes('-----BEGIN CERTIFICATE-----')) return `holds no PEM certificate in ${pair[0]}`;
  return undefined;
}

function fullName(item: Item): string {
  return `${item.ns}/${item.name}`;
}
