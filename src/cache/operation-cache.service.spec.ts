import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AdminApiClient } from '../admin-api/admin-api.client.js';
import { AdminApiException } from '../admin-api/admin-api.exception.js';
import { defineAdminOperation } from '../admin-api/admin-operation.js';
import type { RequestContext } from '../common/request-context.js';
import type { AdminConfig } from '../config/admin.config.js';
import type { CacheConfig } from '../config/cache.config.js';
import type { RedisService } from '../redis/redis.service.js';
import { CacheStore } from './cache-store.js';
import { OperationCache, type CacheResult } from './operation-cache.service.js';

const op = defineAdminOperation({
  name: 'thing',
  method: 'GET',
  path: '/things/:id',
  params: { id: { invalidMessage: 'Invalid id.' } },
  parse: (data: unknown) => data,
  cache: { ttl: { env: 'T_TTL', defaultMs: 1000 } },
});

function build(settings: { ttlMs: number; staleIfErrorMs?: number }, maxBytes = 1 << 20) {
  const calls: string[] = [];
  const deadlines: (number | undefined)[] = [];
  let fail: AdminApiException | undefined;
  const admin = {
    send: (_op: unknown, input: { id: string }, _ctx: unknown, deadlineAt?: number) => {
      calls.push(input.id);
      deadlines.push(deadlineAt);
      return fail ? Promise.reject(fail) : Promise.resolve({ id: input.id, n: calls.length });
    },
  } as unknown as AdminApiClient;
  const redis = { available: false } as unknown as RedisService;
  const config = {
    maxBytes,
    byOperation: { thing: { staleIfErrorMs: 0, ...settings } },
  } as CacheConfig;
  const cache = new OperationCache(admin, redis, config, { timeoutMs: 1000 } as AdminConfig);
  const results: CacheResult[] = [];
  cache.addListener({ result: (name, result) => results.push(result) });
  return {
    cache,
    calls,
    deadlines,
    results,
    failWith: (error?: AdminApiException) => (fail = error),
  };
}

describe(OperationCache.name, () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers from memory within the TTL and asks Admin Control again after it', async () => {
    const { cache, calls, results } = build({ ttlMs: 1000 });
    expect(await cache.get(op, { id: 'a' })).toEqual({ id: 'a', n: 1 });
    vi.setSystemTime(999);
    expect(await cache.get(op, { id: 'a' })).toEqual({ id: 'a', n: 1 });
    vi.setSystemTime(1000);
    expect(await cache.get(op, { id: 'a' })).toEqual({ id: 'a', n: 2 });
    expect(calls).toEqual(['a', 'a']);
    expect(results).toEqual(['miss', 'hit', 'miss']);
  });

  it("reuses no answer older than the caller's max age, whatever the TTL", async () => {
    const { cache, calls, results } = build({ ttlMs: 5000 });
    await cache.get(op, { id: 'a' });
    vi.setSystemTime(999);
    expect(await cache.get(op, { id: 'a' }, undefined, { maxAgeMs: 1000 })).toEqual({
      id: 'a',
      n: 1,
    });
    vi.setSystemTime(1000);
    expect(await cache.get(op, { id: 'a' }, undefined, { maxAgeMs: 1000 })).toEqual({
      id: 'a',
      n: 2,
    });
    vi.setSystemTime(1500);
    expect(await cache.get(op, { id: 'a' })).toEqual({ id: 'a', n: 2 });
    expect(calls).toEqual(['a', 'a']);
    expect(results).toEqual(['miss', 'hit', 'miss', 'hit']);
  });

  it("bounds Admin Control's call by the caller's deadline", async () => {
    const { cache, deadlines } = build({ ttlMs: 0 });
    await cache.get(op, { id: 'a' }, undefined, { deadlineAt: 1234 });
    await cache.get(op, { id: 'a' });
    expect(deadlines).toEqual([1234, undefined]);
  });

  it('shares one call between concurrent misses of a key (single flight)', async () => {
    const { cache, calls, results } = build({ ttlMs: 0 });
    const contexts: RequestContext[] = [{ requestId: '1' }, { requestId: '2' }];
    await Promise.all(contexts.map((ctx) => cache.get(op, { id: 'a' }, ctx)));
    expect(calls).toEqual(['a']);
    expect(contexts.map((ctx) => ctx.cache)).toEqual(['miss', 'coalesced']);
    expect(results).toEqual(['miss', 'coalesced']);
    await cache.get(op, { id: 'a' });
    expect(calls).toEqual(['a', 'a']); // TTL 0: nothing kept
  });

  it('never caches an error, and serves stale only for a 5xx within the limit', async () => {
    const { cache, calls, failWith } = build({ ttlMs: 100, staleIfErrorMs: 5000 });
    await cache.get(op, { id: 'a' });
    vi.setSystemTime(2000);
    failWith(new AdminApiException('server_error', 502, 'Bad gateway'));
    const ctx: RequestContext = { requestId: 'r' };
    expect(await cache.get(op, { id: 'a' }, ctx)).toEqual({ id: 'a', n: 1 });
    expect(ctx).toMatchObject({ cache: 'stale', responseHeaders: { age: '2' } });
    failWith(new AdminApiException('not_found', 404, 'Room not found'));
    await expect(cache.get(op, { id: 'a' })).rejects.toThrow('Room not found');
    vi.setSystemTime(6000);
    failWith(new AdminApiException('server_error', 502, 'Bad gateway'));
    await expect(cache.get(op, { id: 'a' })).rejects.toThrow('Bad gateway');
    failWith(undefined);
    expect(await cache.get(op, { id: 'a' })).toMatchObject({ id: 'a' });
    expect(calls).toHaveLength(5);
  });

  it('holds only answers fetched recently, not every key ever asked about', async () => {
    const { cache } = build({ ttlMs: 1000 });
    for (let i = 0; i < 500; i++) await cache.get(op, { id: `old-${i}` });
    expect(cache.stats.entries).toBe(500);
    // A second later all of those are useless: new keys push them out, two per new key.
    vi.setSystemTime(1000);
    for (let i = 0; i < 300; i++) await cache.get(op, { id: `new-${i}` });
    expect(cache.stats.entries).toBe(300);
  });

  it('stays within its byte budget', async () => {
    const { cache } = build({ ttlMs: 60_000 }, 10_000);
    for (let i = 0; i < 1000; i++) await cache.get(op, { id: `k-${i}` });
    expect(cache.stats.bytes).toBeLessThanOrEqual(10_000);
    expect(cache.stats.entries).toBeGreaterThan(10);
    expect(cache.stats.entries).toBeLessThan(100);
  });
});

describe(CacheStore.name, () => {
  it('evicts the oldest answers to make room, and never stores one larger than the budget', () => {
    const store = new CacheStore(1000);
    store.set('a', { value: 1, fetchedAt: Date.now() }, 100, 60_000);
    store.set('b', { value: 2, fetchedAt: Date.now() }, 100, 60_000);
    expect(store.size).toBe(2);
    store.set('c', { value: 3, fetchedAt: Date.now() }, 200, 60_000);
    expect(store.get('a')).toBeUndefined();
    expect(store.get('c')?.value).toBe(3);
    expect(store.bytes).toBeLessThanOrEqual(1000);
    store.set('huge', { value: 4, fetchedAt: Date.now() }, 10_000, 60_000);
    expect(store.get('huge')).toBeUndefined();
    expect(store.get('c')?.value).toBe(3);
  });
});
