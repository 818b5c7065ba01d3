/**
 * The fields a WorkloadEntry and a WorkloadGroup's template share: their checks and
 * their rendering.
 *
 * Internal module: not part of the public (jsii) API, `src/index.ts` does not re-export it.
 */
import { IConstruct } from 'constructs';
import type { WorkloadEntryOptions } from './workload-entry';
import * as l1 from '../../imports/networking.istio.io';
import { throwPropError } from '../core/errors';
import { checkLabels, isDnsLabel, isDnsSubdomain } from '../core/names';
import { checkPortNumber } from '../core/protocol';

/**
 * Checks the shared fields (`prefix` is the prop path before them, e.g. `template.`).
 */
export function checkWorkloadEntryOptions(scope: IConstruct, prefix: string, options: WorkloadEntryOptions): void {
  if (options.labels !== undefined) checkLabels(scope, `${prefix}labels`, options.labels);
  for (const [name, port] of Object.entries(options.ports ?? {})) {
    if (!isDnsLabel(name)) throwPropError(scope, `${prefix}ports`, name, 'keys are the port names of the ServiceEntry (or Service) that selects the workload: DNS labels');
    checkPortNumber(scope, `${prefix}ports["${name}"]`, port);
  }
  if (options.serviceAccount !== undefined && !isDnsSubdomain(options.serviceAccount)) {
    throwPropError(scope, `${prefix}serviceAccount`, options.serviceAccount, 'a service account name is a DNS subdomain: lower case letters, digits, "-" and ".", at most 253 characters');
  }
  if (options.network !== undefined && options.network.length === 0) throwPropError(scope, `${prefix}network`, options.network, 'a network name, or leave it out');
  if (options.locality !== undefined) {
    const parts = options.locality.split('/');
    if (parts.length > 3 || parts.some(p => p.length === 0 || /\s/.test(p))) {
      throwPropError(scope, `${prefix}locality`, options.locality, 'a locality is "region", "region/zone" or "region/zone/subzone", e.g. "us-east1/us-east1-b"');
    }
  }
  if (options.weight !== undefined && (!Number.isInteger(options.weight) || options.weight < 1 || options.weight > 4294967295)) {
    throwPropError(scope, `${prefix}weight`, options.weight, 'a weight is an integer of 1 or more (leave it out for equal weights)');
  }
}

/** The WorkloadEntry spec (also a WorkloadGroup template, without an address). */
export function renderEntry(options: WorkloadEntryOptions, address?: string): l1.WorkloadEntrySpec {
  const labels = options.labels ?? {};
  return {
    address,
    labels: Object.keys(labels).length > 0 ? { ...labels } : undefined,
    ports: options.ports && Object.keys(options.ports).length > 0 ? { ...options.ports } : undefined,
    serviceAccount: options.serviceAccount,
    network: options.network,
    locality: options.locality,
    weight: options.weight,
  };
}
