import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RedisService } from '../redis/redis.service.js';
import { FleetFlight } from './fleet-flight.js';

/** Redis as the two scripts see it: the shared answer is there, or not (the lock is free). */
function fakeRedis(shared: string | undefined) {
  const settled: string[] = [];
  const client = {
    proconfTake: () => Promise.resolve(shared === undefined ? [2, ''] : [1, shared]),
    proconfSettle: (_answer: string, _lock: string, _token: string, json: string) => {
      settled.push(json);
      return Promise.resolve(1);
    },
  };
  const redis = {
    available: true,
    client,
    reportSuccess: () => undefined,
    reportFailure: () => undefined,
  } as unknown as RedisService;
  return { flight: new FleetFlight(redis, 1000), settled };
}

const parse = (value: unknown) => value as { n: number };

describe(FleetFlight.name, () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 10_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("takes another instance's answer younger than the caller's max age", async () => {
    const { flight, settled } = fakeRedis('{"at":9500,"v":{"n":1}}');
    const call = vi.fn(() => Promise.resolve({ n: 2 }));
    const got = await flight.run('k', 5000, 11_000, call, parse, 1000);
    expect(got).toEqual({
      answer: { value: { n: 1 }, fetchedAt: 9500 },
      jsonLength: 23,
      shared: true,
    });
    expect(call).not.toHaveBeenCalled();
    expect(settled).toEqual([]);
  });

  it('asks Admin Control for an older one, with the deadline, and shares the fresher answer', async () => {
    const { flight, settled } = fakeRedis('{"at":9000,"v":{"n":1}}');
    const call = vi.fn(() => Promise.resolve({ n: 2 }));
    const got = await flight.run('k', 5000, 11_000, call, parse, 1000);
    expect(got?.answer).toEqual({ value: { n: 2 }, fetchedAt: 10_000 });
    expect(got?.shared).toBe(false);
    expect(call).toHaveBeenCalledWith(11_000);
    await vi.waitFor(() => expect(settled).toEqual(['{"at":10000,"v":{"n":2}}']));
  });

  it('takes the shared answer for its TTL when the caller sets no max age', async () => {
    const { flight } = fakeRedis('{"at":6000,"v":{"n":1}}');
    const call = vi.fn(() => Promise.resolve({ n: 2 }));
    expect((await flight.run('k', 5000, 11_000, call, parse))?.shared).toBe(true);
    expect(call).not.toHaveBeenCalled();
  });
});
