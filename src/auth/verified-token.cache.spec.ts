import { describe, expect, it } from 'vitest';
import type { AuthUser } from './auth.types.js';
import { VerifiedTokenCache } from './verified-token.cache.js';

const MINUTE = 60_000;

function clock(startMs = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let time = startMs;
  return { now: () => time, advance: (ms) => (time += ms) };
}

function userExpiringIn(now: number, seconds: number, subject = 'u1'): AuthUser {
  return { subject, expiresAt: Math.floor(now / 1000) + seconds };
}

describe(VerifiedTokenCache.name, () => {
  it('misses an unknown token and hits a stored one with the same user', () => {
    const time = clock();
    const cache = new VerifiedTokenCache(10, time.now);
    const user = userExpiringIn(time.now(), 60);
    expect(cache.get('t1')).toBeUndefined();
    cache.set('t1', user);
    expect(cache.get('t1')).toBe(user);
    expect(cache.get('t2')).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it('stops serving a token at its exp and drops it', () => {
    const time = clock();
    const cache = new VerifiedTokenCache(10, time.now);
    cache.set('t1', userExpiringIn(time.now(), 60));
    time.advance(59_000);
    expect(cache.get('t1')).toBeDefined();
    time.advance(1_000);
    expect(cache.get('t1')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('serves a long-lived token for at most 5 minutes', () => {
    const time = clock();
    const cache = new VerifiedTokenCache(10, time.now);
    cache.set('t1', userExpiringIn(time.now(), 24 * 3600));
    time.advance(5 * MINUTE - 1);
    expect(cache.get('t1')).toBeDefined();
    time.advance(1);
    expect(cache.get('t1')).toBeUndefined();
  });

  it('evicts the oldest entry when maxEntries is reached', () => {
    const time = clock();
    const cache = new VerifiedTokenCache(2, time.now);
    cache.set('t1', userExpiringIn(time.now(), 60, 'a'));
    cache.set('t2', userExpiringIn(time.now(), 60, 'b'));
    cache.set('t3', userExpiringIn(time.now(), 60, 'c'));
    expect(cache.size).toBe(2);
    expect(cache.get('t1')).toBeUndefined();
    expect(cache.get('t2')?.subject).toBe('b');
    expect(cache.get('t3')?.subject).toBe('c');
  });

  it('caches nothing when maxEntries is 0', () => {
    const time = clock();
    const cache = new VerifiedTokenCache(0, time.now);
    cache.set('t1', userExpiringIn(time.now(), 60));
    expect(cache.get('t1')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('does not store a user whose token has already expired', () => {
    const time = clock();
    const cache = new VerifiedTokenCache(10, time.now);
    cache.set('past', userExpiringIn(time.now(), -1));
    cache.set('now', { subject: 'u', expiresAt: time.now() / 1000 });
    expect(cache.size).toBe(0);
    expect(cache.get('past')).toBeUndefined();
    expect(cache.get('now')).toBeUndefined();
  });
});
