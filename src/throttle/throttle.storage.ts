import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { RedisService } from '../redis/redis.service.js';
import { FixedWindowCounter, type WindowHit } from './fixed-window-counter.js';

// One atomic step per hit: count it, and start the window on the first hit (or heal a key that
// somehow lost its expiry). Returns [hits, ms left].
const HIT_SCRIPT = `
local hits = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {hits, ttl}`;

// After a Redis failure, count in process for this long instead of paying a timeout per request.
const REDIS_PAUSE_MS = 1000;

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * Rate-limit counters: fixed windows in Redis when REDIS_URL is set (shared by every instance),
 * in process otherwise. Redis is never allowed to fail or stall a request: while it is down,
 * slow or erroring, this instance counts on its own.
 */
@Injectable()
export class ThrottleStorage implements ThrottlerStorage, OnApplicationShutdown {
  readonly memory = new FixedWindowCounter();
  private redisPausedUntil = 0;

  constructor(private readonly redis: RedisService) {}

  // ttl is the window in ms (throttler 6). blockDuration is unused: a window blocks until it ends.
  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    if (this.countsLocally) return toRecord(this.memory.hit(key, ttl), limit);
    return toRecord((await this.sharedHit(key, ttl)) ?? this.memory.hit(key, ttl), limit);
  }

  /** True while hits are counted in this process (no Redis, or Redis paused after trouble). */
  get countsLocally(): boolean {
    return !this.redis.available || Date.now() < this.redisPausedUntil;
  }

  /** increment() without a promise, for when countsLocally is true. */
  incrementLocally(key: string, ttl: number, limit: number): ThrottlerStorageRecord {
    return toRecord(this.memory.hit(key, ttl), limit);
  }

  onApplicationShutdown(): void {
    this.memory.stop();
  }

  private async sharedHit(key: string, windowMs: number): Promise<WindowHit | undefined> {
    try {
      const reply = await this.redis.client!.eval(HIT_SCRIPT, 1, `throttle:${key}`, windowMs);
      const [hits, msLeft] = reply as [unknown, unknown];
      if (typeof hits !== 'number' || typeof msLeft !== 'number') {
        throw new Error('unexpected reply to the rate-limit script');
      }
      return { hits, msLeft };
    } catch (error) {
      this.redisPausedUntil = Date.now() + REDIS_PAUSE_MS;
      this.redis.reportFailure('rate limit', error);
      return undefined;
    }
  }
}

function toRecord(hit: WindowHit, limit: number): ThrottlerStorageRecord {
  const seconds = Math.max(1, Math.ceil(hit.msLeft / 1000));
  const isBlocked = hit.hits > limit;
  return {
    totalHits: hit.hits,
    timeToExpire: seconds,
    isBlocked,
    timeToBlockExpire: isBlocked ? seconds : 0,
  };
}
