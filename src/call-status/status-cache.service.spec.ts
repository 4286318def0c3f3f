import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AdminApiClient } from '../admin-api/admin-api.client.js';
import type { CallStatusConfig } from '../config/call-status.config.js';
import type { RedisService } from '../redis/redis.service.js';
import { StatusCache } from './status-cache.service.js';

const STATUS = { transcript_status: false, recording_status: true };

function cache(config: Partial<CallStatusConfig>): { cache: StatusCache; calls: string[] } {
  const calls: string[] = [];
  const admin = {
    getSessionStatus: (room: string) => {
      calls.push(room);
      return Promise.resolve(STATUS);
    },
  } as unknown as AdminApiClient;
  const redis = { available: false } as unknown as RedisService;
  const full = { cacheTtlMs: 1000, staleIfErrorMs: 0, ...config } as CallStatusConfig;
  return { cache: new StatusCache(admin, redis, full), calls };
}

describe(StatusCache.name, () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers from memory within the TTL and asks Admin Control again after it', async () => {
    const { cache: c, calls } = cache({ cacheTtlMs: 1000 });
    await c.get('a');
    vi.setSystemTime(999);
    await c.get('a');
    expect(calls).toEqual(['a']);
    vi.setSystemTime(1000);
    await c.get('a');
    expect(calls).toEqual(['a', 'a']);
  });

  it('holds only rooms fetched recently, not every room ever asked about', async () => {
    const { cache: c } = cache({ cacheTtlMs: 1000 });
    for (let i = 0; i < 500; i++) await c.get(`old-${i}`);
    expect(c.size).toBe(500);
    // A second later all of those are useless: new rooms push them out, two per new room.
    vi.setSystemTime(1000);
    for (let i = 0; i < 300; i++) await c.get(`new-${i}`);
    expect(c.size).toBe(300);
  });

  it('keeps entries as long as stale-if-error may still serve them', async () => {
    const { cache: c } = cache({ cacheTtlMs: 1000, staleIfErrorMs: 60_000 });
    for (let i = 0; i < 10; i++) await c.get(`room-${i}`);
    vi.setSystemTime(30_000);
    for (let i = 0; i < 10; i++) await c.get(`other-${i}`);
    expect(c.size).toBe(20);
    vi.setSystemTime(60_000);
    for (let i = 0; i < 5; i++) await c.get(`late-${i}`);
    expect(c.size).toBe(15);
  });
});
