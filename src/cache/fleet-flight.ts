import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { RedisService } from '../redis/redis.service.js';
import type { StoredAnswer } from './cache-store.js';

// One round trip per look: the shared answer if there is one, otherwise try to take the lock.
const TAKE = `
local answer = redis.call('GET', KEYS[1])
if answer then return {1, answer} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {2, ''} end
return {0, ''}`;
// The winner stores the answer (if it has one) and releases the lock if it still holds it.
const SETTLE = `
if ARGV[2] ~= '' then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1`;

type FlightRedis = Redis & {
  proconfTake(
    answerKey: string,
    lockKey: string,
    token: string,
    lockMs: number,
  ): Promise<[number, string]>;
  proconfSettle(
    answerKey: string,
    lockKey: string,
    token: string,
    answer: string,
    ttlMs: number,
  ): Promise<number>;
};

// Waiting for another instance's answer: first look soon (a call takes a few ms), then back off.
const FIRST_POLL_MS = 5;
const MAX_POLL_MS = 50;
// The lock outlives the winner's deadline by this much: a winner that died frees it soon after.
const LOCK_MARGIN_MS = 250;

export interface FleetAnswer<T> {
  answer: StoredAnswer<T>;
  /** The length of the value's JSON: its size, roughly, for the local store. */
  jsonLength: number;
  /** Another instance called Admin Control for it. */
  shared: boolean;
}

// A waiter gives up waiting after this share of its time left, and calls on its own with the
// rest: a winner whose answer never reaches Redis (its write timed out, it died) costs the
// others a late answer, not a 504.
const WAIT_SHARE = 0.5;

/**
 * Fleet-wide single flight through Redis: of the instances that miss the same key at the same
 * time, one takes a short lock and calls Admin Control; the others poll for its answer for up to
 * half of their time left. A failed call stores nothing and frees the lock, so the next one
 * tries: one call per key at a time across the fleet, and errors are never shared or cached.
 * Any Redis trouble, or a wait that ran out, answers undefined: the caller goes on alone
 * (per-instance single flight) within its deadline.
 */
export class FleetFlight {
  constructor(
    private readonly redis: RedisService,
    private readonly callTimeoutMs: number,
  ) {}

  get available(): boolean {
    return this.redis.available;
  }

  async run<T>(
    key: string,
    ttlMs: number,
    deadlineAt: number,
    call: (deadlineAt: number) => Promise<T>,
    parse: (value: unknown) => T | undefined,
    maxAgeMs = Infinity,
  ): Promise<FleetAnswer<T> | undefined> {
    const client = this.client();
    const answerKey = `answer:${key}`;
    const lockKey = `lock:${key}`;
    const token = randomUUID();
    const waitUntil = Date.now() + (deadlineAt - Date.now()) * WAIT_SHARE;
    let pollMs = FIRST_POLL_MS;
    for (;;) {
      let taken: [number, string];
      try {
        taken = await client.proconfTake(
          answerKey,
          lockKey,
          token,
          this.callTimeoutMs + LOCK_MARGIN_MS,
        );
        this.redis.reportSuccess();
      } catch (error) {
        this.redis.reportFailure('shared cache read', error);
        return undefined;
      }
      if (taken[0] === 1) {
        const answer = decode(taken[1], parse);
        // Unreadable (another version's format?): go on alone; our answer replaces it.
        if (answer === undefined) return undefined;
        if (Date.now() - answer.answer.fetchedAt < maxAgeMs) return { ...answer, shared: true };
        // Older than this caller takes (a TTL longer than its watch interval): ask, without
        // the lock, and share the fresher answer.
        return this.callAndShare(client, answerKey, lockKey, token, ttlMs, deadlineAt, call);
      }
      if (taken[0] === 2)
        return this.callAndShare(client, answerKey, lockKey, token, ttlMs, deadlineAt, call);
      // Waited long enough: go on alone with the time left (per-instance single flight).
      if (Date.now() + pollMs >= waitUntil) return undefined;
      await sleep(pollMs);
      pollMs = Math.min(pollMs * 2, MAX_POLL_MS);
    }
  }

  private async callAndShare<T>(
    client: FlightRedis,
    answerKey: string,
    lockKey: string,
    token: string,
    ttlMs: number,
    deadlineAt: number,
    call: (deadlineAt: number) => Promise<T>,
  ): Promise<FleetAnswer<T>> {
    let json = '';
    let fetchedAt = 0;
    try {
      const value = await call(deadlineAt);
      fetchedAt = Date.now();
      json = JSON.stringify(value);
      return { answer: { value, fetchedAt }, jsonLength: json.length, shared: false };
    } finally {
      // Stored for what is left of the TTL: Redis never serves an older answer than we would.
      const encoded = json === '' ? '' : `{"at":${fetchedAt},"v":${json}}`;
      const ttl = Math.max(1, ttlMs - (Date.now() - fetchedAt));
      client
        .proconfSettle(answerKey, lockKey, token, encoded, ttl)
        .then(() => this.redis.reportSuccess())
        .catch((error: unknown) => this.redis.reportFailure('shared cache write', error));
    }
  }

  private client(): FlightRedis {
    const client = this.redis.client! as FlightRedis;
    if (typeof client.proconfTake !== 'function') {
      client.defineCommand('proconfTake', { numberOfKeys: 2, lua: TAKE });
      client.defineCommand('proconfSettle', { numberOfKeys: 2, lua: SETTLE });
    }
    return client;
  }
}

function decode<T>(
  text: string,
  parse: (value: unknown) => T | undefined,
): Omit<FleetAnswer<T>, 'shared'> | undefined {
  try {
    const { at, v } = JSON.parse(text) as { at?: unknown; v?: unknown };
    const value = parse(v);
    if (typeof at !== 'number' || value === undefined) return undefined;
    return { answer: { value, fetchedAt: at }, jsonLength: text.length };
  } catch {
    return undefined;
  }
}
