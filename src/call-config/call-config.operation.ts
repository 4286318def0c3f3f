import { defineAdminOperation } from '../admin-api/admin-operation.js';
import type { CallConfigResponseDto } from './dto/call-config-response.dto.js';

/**
 * Admin Control's `data`: `{"features":{...}}` with boolean flags, passed on as given (flags we
 * do not know pass too); anything else in `features` is a 502. Other keys of `data` are dropped.
 */
export function parseConfiguration(data: unknown): CallConfigResponseDto | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const features = (data as { features?: unknown }).features;
  if (typeof features !== 'object' || features === null || Array.isArray(features)) {
    return undefined;
  }
  const flags = Object.entries(features);
  if (!flags.every(([, flag]) => typeof flag === 'boolean')) return undefined;
  // fromEntries defines own properties: a flag named "__proto__" stays a flag.
  return { features: Object.fromEntries(flags) as Record<string, boolean> };
}

export const configurationOperation = defineAdminOperation({
  name: 'configuration',
  method: 'GET',
  path: '/configuration',
  parse: parseConfiguration,
  cache: { ttl: { env: 'CALL_CONFIG_CACHE_TTL_MS', defaultMs: 30_000 } },
});
