import { checkPolicyScope, checkPortNumber } from '../checks/common';
import { Ctx, Obj, int, isObj, list, obj, show, str } from '../context';
import { RULES } from '../rules';

const URL_SCHEMES = new Set(['file', 'http', 'https', 'oci']);
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const SHA256 = /^[a-f0-9]{64}$/;

/** Istio's admission checks for a WasmPlugin. */
export function validateWasmPlugin(ctx: Ctx, spec: Obj): void {
  checkPolicyScope(ctx, spec, 'selector', 'matchLabels');

  const url = str(spec.url);
  if (url === '') {
    ctx.report(RULES.wasmUrl, 'spec.url', 'url is required, e.g. oci://ghcr.io/org/plugin:1.0 or https://example.com/plugin.wasm');
  } else {
    const scheme = SCHEME.exec(url)?.[1];
    if (scheme !== undefined && !URL_SCHEMES.has(scheme.toLowerCase())) {
      ctx.report(RULES.wasmUrl, 'spec.url', `url scheme ${show(scheme)} is not supported; use oci, http, https or file`);
    } else if (/\s/.test(url)) {
      ctx.report(RULES.wasmUrl, 'spec.url', `url ${show(url)} contains whitespace`);
    }
  }

  const sha = str(spec.sha256);
  if (sha !== '' && !SHA256.test(sha)) {
    ctx.report(RULES.wasmSha256, 'spec.sha256', sha.length !== 64 ? `sha256 has ${sha.length} characters; it must be 64` : 'sha256 must be 64 lowercase hex characters [a-f0-9]');
  }
  if (str(spec.imagePullSecret).length > 253) ctx.report(RULES.wasmLength, 'spec.imagePullSecret', `imagePullSecret has ${str(spec.imagePullSecret).length} characters; at most 253 are allowed`);
  if (str(spec.pluginName).length > 256) ctx.report(RULES.wasmLength, 'spec.pluginName', `pluginName has ${str(spec.pluginName).length} characters; at most 256 are allowed`);

  const names = new Set<string>();
  list(obj(spec.vmConfig)?.env).forEach((env, i) => {
    const p = `spec.vmConfig.env[${i}]`;
    if (!isObj(env)) return;
    const name = str(env.name);
    if (name === '') {
      ctx.report(RULES.wasmEnv, `${p}.name`, 'env entry needs a name');
      return;
    }
    if (name.length > 256) ctx.report(RULES.wasmEnv, `${p}.name`, `env name has ${name.length} characters; at most 256 are allowed`);
    if (names.has(name)) ctx.report(RULES.wasmEnv, `${p}.name`, `duplicate env name ${show(name)}`);
    names.add(name);
    const from = str(env.valueFrom) || 'INLINE';
    if (from !== 'INLINE' && str(env.value) !== '') ctx.report(RULES.wasmEnv, `${p}.value`, `value may only be set when valueFrom is INLINE, got valueFrom ${from}`);
  });

  list(spec.match).forEach((m, i) => {
    list(obj(m)?.ports).forEach((port, j) => {
      if (isObj(port)) checkPortNumber(ctx, `spec.match[${i}].ports[${j}].number`, int(port.number) ?? 0);
    });
  });
}
