import { registerAs } from '@nestjs/config';
import { EnvReader } from './env.js';

const MAX_TTL_MS = 3_600_000;

/**
 * A cached operation's variables, named in its Admin Control declaration next to its endpoint
 * (e.g. STATUS_CACHE_TTL_MS for sessionStatus) and handed to this slice when it is declared.
 */
export interface CacheVariables {
  /** Milliseconds an answer is reused; 0 means every request asks (still single flight). */
  ttl: { env: string; defaultMs: number };
  /** Serve the last good answer up to this old when Admin Control fails (5xx-class only). */
  staleIfError?: { env: string; defaultMs: number };
}

/** An operation as this slice reads it: uncached ones (no `cache`) are passed over. */
export interface CachedOperation {
  name: string;
  cache?: CacheVariables;
}

export interface OperationCacheSettings {
  ttlMs: number;
  staleIfErrorMs: number;
}

// Filled at module load, before any slice is read: every operation declaration runs when its
// module is imported (AppModule imports them all; main.ts checks the slices after that).
const declared: CachedOperation[] = [];

/** Adds one operation's cache variables to the slice (defineAdminOperation calls it). */
export function declareCacheVariables(name: string, cache: CacheVariables): void {
  declared.push({ name, cache });
}

/**
 * The read-through cache: its memory bound, and each cached operation's TTL and stale-if-error
 * limit from the variables it declares. An endpoint's variables live in its operation
 * declaration; this slice needs no edit for them.
 */
export function readCacheConfig(operations: readonly CachedOperation[]) {
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

export const cacheConfig = registerAs('cache', () => readCacheConfig(declared));

export type CacheConfig = ReturnType<typeof cacheConfig>;
