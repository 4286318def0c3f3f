import { registerAs } from '@nestjs/config';
import { adminOperations, type AnyAdminOperation } from '../admin-api/admin-operation.js';
import { EnvReader } from './env.js';

const MAX_TTL_MS = 3_600_000;

export interface OperationCacheSettings {
  ttlMs: number;
  staleIfErrorMs: number;
}

/**
 * The read-through cache: its memory bound, and each cached operation's TTL and stale-if-error
 * limit from the variables its declaration names (e.g. STATUS_CACHE_TTL_MS for sessionStatus).
 * An endpoint's variable lives in its operation declaration; this slice needs no edit for it.
 */
export function readCacheConfig(operations: readonly AnyAdminOperation[]) {
  const env = new EnvReader('cache');
  const byOperation: Record<string, OperationCacheSettings> = {};
  for (const { name, cache } of operations) {
    if (cache === undefined) continue;
    const rule = { min: 0, max: MAX_TTL_MS };
    byOperation[name] = {
      ttlMs: env.int(cache.ttl.env, { ...rule, default: cache.ttl.defaultMs }),
      staleIfErrorMs:
        cache.staleIfError === undefined
          ? 0
          : env.int(cache.staleIfError.env, { ...rule, default: cache.staleIfError.defaultMs }),
    };
  }
  return env.done({
    // Approximate: answers are counted by the size of their JSON.
    maxBytes: env.int('CACHE_MAX_BYTES', { default: 64 * 1024 * 1024, min: 0, max: 2 ** 40 }),
    byOperation,
  });
}

export const cacheConfig = registerAs('cache', () => readCacheConfig(adminOperations()));

export type CacheConfig = ReturnType<typeof cacheConfig>;
