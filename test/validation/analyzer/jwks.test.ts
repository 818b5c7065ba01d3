import { findings, istio, single } from './fixtures';
import { FindingLevel } from '../../../src/validation/findings';

const istiod = (env: any[] = []) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'istiod', namespace: 'istio-system', labels: { app: 'istiod', istio: 'pilot' } },
  spec: { template: { metadata: { labels: { app: 'istiod', istio: 'pilot' } }, spec: { containers: [{ name: 'discovery', image: 'istio/pilot:1.30.3', env }] } } },
});
const ra = (name: string, ns: string) => istio('RequestAuthentication', name, { jwtRules: [{ issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/.well-known/jwks.json' }] }, ns);

describe('IST0175 JwksUriFetchUnrestricted', () => {
  test('warns on istiod when RequestAuthentications exist and BLOCKED_CIDRS_IN_JWKS_URIS is not set', () => {
    const f = single([istiod([{ name: 'PILOT_TRACE_SAMPLING', value: '1' }]), ra('jwt', 'foo'), ra('jwt', 'bar')], 'IST0175');
    expect(f).toMatchObject({ level: FindingLevel.WARNING, kind: 'Deployment', name: 'istiod', namespace: 'istio-system' });
    expect(f.message).toMatch(/^BLOCKED_CIDRS_IN_JWKS_URIS is not configured but 2 RequestAuthentication resource\(s\) exist \(bar\/jwt, foo\/jwt\)\. Consider configuring it to restrict JWKS URI fetches to trusted networks/);
  });

  test('lists five RequestAuthentications and counts the rest', () => {
    const objects = [istiod(), ...[1, 2, 3, 4, 5, 6, 7].map(i => ra(`jwt-${i}`, 'default'))];
    expect(single(objects, 'IST0175').message).toContain('(default/jwt-1, default/jwt-2, default/jwt-3, default/jwt-4, default/jwt-5, and 2 more)');
  });

  test('passes when istiod sets it, without RequestAuthentications, and when the input holds no istiod', () => {
    expect(findings([istiod([{ name: 'BLOCKED_CIDRS_IN_JWKS_URIS', value: '10.0.0.0/8' }]), ra('jwt', 'foo')], 'IST0175')).toEqual([]);
    expect(findings([istiod()], 'IST0175')).toEqual([]);
    expect(findings([ra('jwt', 'foo')], 'IST0175')).toEqual([]);
    expect(findings([ra('jwt', 'foo')], 'IST0175', { openWorld: true })).toEqual([]);
  });
});
