import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RedisService } from '../redis/redis.service.js';
import { FixedWindowCounter } from './fixed-window-counter.js';
import { isExemptRoute } from './throttle.guard.js';
import { ThrottleStorage } from './throttle.storage.js';

describe(FixedWindowCounter.name, () => {
  let now = 1_000_000;
  let counter: FixedWindowCounter;
  beforeEach(() => {
    counter = new FixedWindowCounter(() => now);
  });
  afterEach(() => counter.stop());

  it('counts hits per key within a window and starts over when it ends', () => {
    expect(counter.hit('a', 1000)).toEqual({ hits: 1, msLeft: 1000 });
    now += 400;
    expect(counter.hit('a', 1000)).toEqual({ hits: 2, msLeft: 600 });
    expect(counter.hit('b', 1000)).toEqual({ hits: 1, msLeft: 1000 });
    now += 600;
    expect(counter.hit('a', 1000)).toEqual({ hits: 1, msLeft: 1000 });
  });

  it('sweeps windows that have ended, and only those', () => {
    counter.hit('old', 100);
    now += 50;
    counter.hit('new', 100);
    now += 60;
    expect(counter.sweep()).toBe(1);
    now += 100;
    expect(counter.sweep()).toBe(0);
    expect(counter.size).toBe(0);
  });
});

interface FakeRedis {
  available: boolean;
  client: { eval: ReturnType<typeof vi.fn> };
  reportFailure: ReturnType<typeof vi.fn>;
}

function fakeRedis(available: boolean, evalImpl: () => Promise<unknown>): FakeRedis {
  return { available, client: { eval: vi.fn(evalImpl) }, reportFailure: vi.fn() };
}

describe(ThrottleStorage.name, () => {
  const storages: ThrottleStorage[] = [];
  function storage(redis: FakeRedis): ThrottleStorage {
    const created = new ThrottleStorage(redis as unknown as RedisService);
    storages.push(created);
    return created;
  }
  afterEach(() => {
    for (const created of storages.splice(0)) created.onApplicationShutdown();
    vi.useRealTimers();
  });

  it('counts in process without Redis and blocks past the limit until the window ends', async () => {
    const redis = fakeRedis(false, () => Promise.reject(new Error('unused')));
    const s = storage(redis);
    expect(await s.increment('k', 60_000, 2)).toEqual({
      totalHits: 1,
      timeToExpire: 60,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
    await s.increment('k', 60_000, 2);
    expect(await s.increment('k', 60_000, 2)).toEqual({
      totalHits: 3,
      timeToExpire: 60,
      isBlocked: true,
      timeToBlockExpire: 60,
    });
    expect(redis.client.eval).not.toHaveBeenCalled();
  });

  it('never reports less than one second to wait', async () => {
    vi.useFakeTimers({ now: 0 });
    const s = storage(fakeRedis(false, () => Promise.reject(new Error('unused'))));
    await s.increment('k', 1000, 0);
    vi.setSystemTime(999);
    expect((await s.increment('k', 1000, 0)).timeToBlockExpire).toBe(1);
  });

  it('counts in Redis with one atomic script call per hit when Redis is available', async () => {
    const redis = fakeRedis(true, () => Promise.resolve([7, 30_500]));
    const s = storage(redis);
    expect(await s.increment('default:sub:alice', 60_000, 5)).toEqual({
      totalHits: 7,
      timeToExpire: 31,
      isBlocked: true,
      timeToBlockExpire: 31,
    });
    expect(redis.client.eval).toHaveBeenCalledTimes(1);
    const [script, keys, key, windowMs] = redis.client.eval.mock.calls[0] as unknown[];
    expect(script).toContain("redis.call('INCR', KEYS[1])");
    expect([keys, key, windowMs]).toEqual([1, 'throttle:default:sub:alice', 60_000]);
    expect(s.memory.size).toBe(0);
  });

  it.each([
    ['fails', () => Promise.reject(new Error('Command timed out'))],
    ['answers something unexpected', () => Promise.resolve('OK')],
  ])(
    'falls back to in-process counting when Redis %s, then leaves Redis alone for a second',
    async (_name, impl) => {
      vi.useFakeTimers({ now: 0 });
      const redis = fakeRedis(true, impl);
      const s = storage(redis);
      expect((await s.increment('k', 60_000, 5)).totalHits).toBe(1);
      expect((await s.increment('k', 60_000, 5)).totalHits).toBe(2);
      expect(redis.client.eval).toHaveBeenCalledTimes(1);
      expect(redis.reportFailure).toHaveBeenCalledTimes(1);
      expect(redis.reportFailure.mock.calls[0][0]).toBe('rate limit');
      vi.setSystemTime(1000);
      redis.client.eval.mockImplementation(() => Promise.resolve([1, 60_000]));
      expect((await s.increment('k', 60_000, 5)).totalHits).toBe(1);
      expect(redis.client.eval).toHaveBeenCalledTimes(2);
    },
  );
});

describe('isExemptRoute', () => {
  it.each([
    ['/health', true],
    ['/health/live', true],
    ['/health/ready', true],
    ['/healthz', false],
    ['/callStatus', false],
    [undefined, false],
  ])('%s -> %s', (route, exempt) => {
    expect(isExemptRoute(route)).toBe(exempt);
  });
});
