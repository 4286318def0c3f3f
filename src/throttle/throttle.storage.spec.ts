import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RedisService } from '../redis/redis.service.js';
import { SlidingWindowCounter } from './sliding-window-counter.js';
import { isExemptRoute } from './throttle.guard.js';
import { ThrottleStorage } from './throttle.storage.js';

describe(SlidingWindowCounter.name, () => {
  const W = 60_000;
  let now: number;
  let counter: SlidingWindowCounter;
  beforeEach(() => {
    now = 100 * W; // the start of a window
    counter = new SlidingWindowCounter(() => now);
  });
  afterEach(() => counter.stop());

  const allowed = (key: string, limit: number, n: number) =>
    Array.from({ length: n }, () => counter.hit(key, W, limit).allowed);

  it('allows the limit within a window, per key, and does not count refusals', () => {
    expect(allowed('a', 3, 5)).toEqual([true, true, true, false, false]);
    expect(allowed('b', 3, 1)).toEqual([true]);
    expect(counter.hit('a', W, 3)).toMatchObject({ allowed: false, hits: 4 });
  });

  it('keeps at most maxKeys keys, pushing out the one used least recently', () => {
    const small = new SlidingWindowCounter(() => now, 3);
    for (const key of ['a', 'b', 'c']) expect(small.hit(key, W, 1).allowed).toBe(true);
    // 'a' is used again, so 'b' is now the least recently used and makes room for 'd'.
    expect(small.hit('a', W, 1).allowed).toBe(false);
    expect(small.hit('d', W, 1).allowed).toBe(true);
    expect(small.size).toBe(3);
    expect(small.hit('a', W, 1).allowed).toBe(false);
    // 'b' starts again (pushing out 'c'); 'd' kept its count.
    expect(small.hit('b', W, 1).allowed).toBe(true);
    expect(small.hit('d', W, 1).allowed).toBe(false);
    expect(small.size).toBe(3);
    small.stop();
  });

  it('lets the previous window weigh in proportion to what is left of it', () => {
    expect(allowed('a', 10, 10).every(Boolean)).toBe(true);
    // A quarter into the next window: 10 x 3/4 = 7.5 still count, so 2 more fit (9.5), not 3.
    now += W + W / 4;
    expect(allowed('a', 10, 3)).toEqual([true, true, false]);
    // Halfway: 10 x 1/2 + 2 = 7, so 3 more fit.
    now += W / 4;
    expect(allowed('a', 10, 4)).toEqual([true, true, true, false]);
  });

  it('never lets more than the limit through around a window boundary', () => {
    // A fixed window would allow 10 at the end of one window and 10 more at the start of the
    // next: 20 within a few milliseconds.
    now += W - 10;
    expect(allowed('a', 10, 10).every(Boolean)).toBe(true);
    now += 20;
    expect(allowed('a', 10, 10).filter(Boolean)).toHaveLength(0);
  });

  it('says when a refused caller may retry, and that is when it succeeds', () => {
    allowed('a', 4, 4);
    now += W + W / 10; // previous 4 weigh 3.6: no room
    const refused = counter.hit('a', W, 4);
    expect(refused.allowed).toBe(false);
    // 4 x (1 - e/W) + 1 <= 4 from e = W/4 on: 0.15 W from now.
    expect(refused.retryAfterMs).toBe(0.15 * W);
    now += refused.retryAfterMs - 1;
    expect(counter.hit('a', W, 4).allowed).toBe(false);
    now += 1;
    expect(counter.hit('a', W, 4).allowed).toBe(true);
  });

  it('counts a window with its own budget used up as waiting into the next window', () => {
    allowed('a', 2, 2);
    now += W / 2;
    const refused = counter.hit('a', W, 2);
    // Next window: 2 x (1 - e/W) + 1 <= 2 from e = W/2: half a window plus half a window.
    expect(refused.retryAfterMs).toBe(W);
    expect(refused.msLeft).toBe(W / 2);
  });

  it('takes back one hit on release, never below zero, and all of a key on forget', () => {
    expect(allowed('a', 2, 3)).toEqual([true, true, false]);
    counter.release('a');
    expect(allowed('a', 2, 2)).toEqual([true, false]);
    counter.release('a');
    counter.release('a');
    counter.release('a');
    counter.release('unknown');
    expect(allowed('a', 2, 3)).toEqual([true, true, false]);
    counter.forget('a');
    expect(counter.size).toBe(0);
    expect(allowed('a', 2, 2)).toEqual([true, true]);
  });

  it('forgets a key once both of its windows have ended', () => {
    counter.hit('old', W, 5);
    now += W;
    counter.hit('new', W, 5);
    now += W;
    expect(counter.sweep()).toBe(1);
    expect(counter.hit('old', W, 5).hits).toBe(1);
    now += 2 * W;
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

  it('counts in process without Redis and says when a refused caller may retry', async () => {
    vi.useFakeTimers({ now: 0 });
    const redis = fakeRedis(false, () => Promise.reject(new Error('unused')));
    const s = storage(redis);
    expect(await s.increment('k', 60_000, 2)).toEqual({
      totalHits: 1,
      timeToExpire: 60,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
    await s.increment('k', 60_000, 2);
    // The 2 hits of this window weigh 1 (room for one more) half-way into the next: 90 s.
    expect(await s.increment('k', 60_000, 2)).toEqual({
      totalHits: 3,
      timeToExpire: 60,
      isBlocked: true,
      timeToBlockExpire: 90,
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
    // Refused, 29.5 s into a window with 5 hits, after a window with 3.
    const redis = fakeRedis(true, () => Promise.resolve([0, 5, 3, 29_500]));
    const s = storage(redis);
    expect(await s.increment('default:sub:alice', 60_000, 5)).toEqual({
      totalHits: 8,
      timeToExpire: 31,
      isBlocked: true,
      // 30.5 s to the next window, then 5 x (1 - e/60) + 1 <= 5 from e = 12 s.
      timeToBlockExpire: 43,
    });
    expect(redis.client.eval).toHaveBeenCalledTimes(1);
    const [script, keys, key, windowMs, limit] = redis.client.eval.mock.calls[0] as unknown[];
    expect(script).toContain("redis.call('HMGET', KEYS[1], 'i', 'c', 'p')");
    expect(script).toContain("redis.call('TIME')");
    expect([keys, key, windowMs, limit]).toEqual([1, 'throttle:default:sub:alice', 60_000, 5]);
    expect(s.memory.size).toBe(0);
  });

  it.each([
    ['fails', () => Promise.reject(new Error('Command timed out'))],
    ['answers something unexpected', () => Promise.resolve('OK')],
    ['answers the wrong shape', () => Promise.resolve([1, '2', 0, 0])],
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
      redis.client.eval.mockImplementation(() => Promise.resolve([1, 1, 0, 0]));
      expect((await s.increment('k', 60_000, 5)).totalHits).toBe(1);
      expect(redis.client.eval).toHaveBeenCalledTimes(2);
    },
  );
});

describe(`${ThrottleStorage.name} release and clear`, () => {
  it('counts them in process without Redis', async () => {
    const s = new ThrottleStorage(
      fakeRedis(false, () => Promise.reject(new Error('unused'))) as never,
    );
    await s.increment('k', 60_000, 2);
    await s.increment('k', 60_000, 2);
    await s.release('k');
    expect((await s.increment('k', 60_000, 2)).isBlocked).toBe(false);
    await s.clear('k');
    expect(s.memory.size).toBe(0);
    s.onApplicationShutdown();
  });

  it('sends one command each to Redis, and pauses Redis when it fails', async () => {
    const redis = {
      ...fakeRedis(true, () => Promise.resolve(1)),
      client: {
        eval: vi.fn(() => Promise.resolve(1)),
        del: vi.fn(() => Promise.reject(new Error('down'))),
      },
    };
    const s = new ThrottleStorage(redis as unknown as RedisService);
    await s.release('login-user:x');
    expect(redis.client.eval).toHaveBeenCalledTimes(1);
    const [script, keys, key] = redis.client.eval.mock.calls[0] as unknown[];
    expect(script).toContain("redis.call('HINCRBY', KEYS[1], 'c', -1)");
    expect([keys, key]).toEqual([1, 'throttle:login-user:x']);
    await s.clear('login-user:x');
    expect(redis.client.del).toHaveBeenCalledWith('throttle:login-user:x');
    expect(redis.reportFailure).toHaveBeenCalledTimes(1);
    expect(s.countsLocally).toBe(true);
    s.onApplicationShutdown();
  });
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
