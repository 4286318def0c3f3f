import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import { waitSeconds } from '../common/app.exception.js';
import { RedisService } from '../redis/redis.service.js';
import { outcome, SlidingWindowCounter, type WindowHit } from './sliding-window-counter.js';

// One atomic step per hit, the arithmetic of sliding-window-counter.ts on Redis' clock (shared
// by every instance): roll the windows forward, count the hit if it fits, keep the key until
// the end of the next window (when this window's hits stop mattering). One hash per key:
// i = current window index, c = its hits, p = the previous window's hits.
// Returns [allowed (0/1), c, p, ms elapsed in the window].
const HIT_SCRIPT = `
local w = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local index = math.floor(now / w)
local state = redis.call('HMGET', KEYS[1], 'i', 'c', 'p')
local i = tonumber(state[1])
local c = tonumber(state[2]) or 0
local p = tonumber(state[3]) or 0
if i == nil or i < index - 1 then
  c, p = 0, 0
elseif i == index - 1 then
  p, c = c, 0
end
local elapsed = now - index * w
local allowed = 0
if p * (w - elapsed) / w + c + 1 <= limit then
  c = c + 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'i', index, 'c', c, 'p', p)
redis.call('PEXPIRE', KEYS[1], 2 * w - elapsed)
return {allowed, c, p, elapsed}`;

// release(): one counted hit taken back (the latest window's count, never below 0).
const RELEASE_SCRIPT = `
if (tonumber(redis.call('HGET', KEYS[1], 'c')) or 0) > 0 then
  redis.call('HINCRBY', KEYS[1], 'c', -1)
end
return 1`;

// After a Redis failure, count in process for this long instead of paying a timeout per request.
const REDIS_PAUSE_MS = 1000;

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * Rate-limit counters: sliding windows (sliding-window-counter.ts) in Redis when REDIS_URL is set
 * (shared by every instance), in process otherwise. Redis is never allowed to fail or stall a request: while it is down,
 * slow or erroring, this instance counts on its own.
 */
@Injectable()
export class ThrottleStorage implements ThrottlerStorage, OnApplicationShutdown {
  readonly memory = new SlidingWindowCounter();
  private redisPausedUntil = 0;

  constructor(private readonly redis: RedisService) {}

  // ttl is the window in ms (throttler 6). blockDuration is unused: a refused caller may retry
  // as soon as its sliding window has room again.
  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    if (this.countsLocally) return toRecord(this.memory.hit(key, ttl, limit));
    return toRecord((await this.sharedHit(key, ttl, limit)) ?? this.memory.hit(key, ttl, limit));
  }

  /** True while hits are counted in this process (no Redis, or Redis paused after trouble). */
  get countsLocally(): boolean {
    return !this.redis.available || Date.now() < this.redisPausedUntil;
  }

  /** increment() without a promise, for when countsLocally is true. */
  incrementLocally(key: string, ttl: number, limit: number): ThrottlerStorageRecord {
    return toRecord(this.memory.hit(key, ttl, limit));
  }

  /** Takes back one hit counted for `key` (see SlidingWindowCounter.release). */
  async release(key: string): Promise<void> {
    this.memory.release(key);
    if (!this.countsLocally) {
      await this.shared((redis) => redis.eval(RELEASE_SCRIPT, 1, `throttle:${key}`));
    }
  }

  /** Forgets the hits counted for `key`. */
  async clear(key: string): Promise<void> {
    this.memory.forget(key);
    if (!this.countsLocally) await this.shared((redis) => redis.del(`throttle:${key}`));
  }

  onApplicationShutdown(): void {
    this.memory.stop();
  }

  private async sharedHit(
    key: string,
    windowMs: number,
    limit: number,
  ): Promise<WindowHit | undefined> {
    try {
      const reply = await this.redis.client!.eval(
        HIT_SCRIPT,
        1,
        `throttle:${key}`,
        windowMs,
        limit,
      );
      const [allowed, current, previous, elapsed] = reply as unknown[];
      if (![allowed, current, previous, elapsed].every((n) => typeof n === 'number')) {
        throw new Error('unexpected reply to the rate-limit script');
      }
      const counts = {
        current: current as number,
        previous: previous as number,
        elapsed: elapsed as number,
      };
      return outcome(counts, allowed === 1, windowMs, limit);
    } catch (error) {
      this.pause(error);
      return undefined;
    }
  }

  /** One Redis command; a failure pauses Redis like a failed hit and is otherwise ignored. */
  private async shared(command: (redis: Redis) => Promise<unknown>): Promise<void> {
    try {
      await command(this.redis.client!);
    } catch (error) {
      this.pause(error);
    }
  }

  private pause(error: unknown): void {
    this.redisPausedUntil = Date.now() + REDIS_PAUSE_MS;
    this.redis.reportFailure('rate limit', error);
  }
}

function toRecord(hit: WindowHit): ThrottlerStorageRecord {
  return {
    totalHits: hit.hits,
    timeToExpire: waitSeconds(hit.msLeft),
    isBlocked: !hit.allowed,
    timeToBlockExpire: hit.allowed ? 0 : waitSeconds(hit.retryAfterMs),
  };
}
