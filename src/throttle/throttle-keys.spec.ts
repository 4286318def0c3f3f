import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { AuthUser } from '../auth/auth.types.js';
import { userFromToken } from '../auth/token-claims.js';
import { callerTracker, subjectTracker, type CountedCaller } from './throttle-keys.js';

const NOW = 1_800_000_000;
const RULES = { maxLifetimeSec: 30 * 86_400, clockToleranceSec: 5 };

// The caller as the JWT strategy makes it: the rate limit reads it without importing auth/.
function caller(payload: Record<string, unknown>): CountedCaller {
  const user: AuthUser = userFromToken(
    { header: { alg: 'HS256' }, payload: { exp: NOW + 60, ...payload } },
    RULES,
    NOW,
  );
  return user;
}

const request = { ip: '192.0.2.7', socket: { remoteAddress: '10.0.0.1' } } as FastifyRequest;

describe(callerTracker.name, () => {
  it('counts a caller by its token subject (sub, else userId)', () => {
    expect(callerTracker(request, caller({ sub: 'alice' }))).toBe('sub:alice');
    expect(callerTracker(request, caller({ userId: 'bob' }))).toBe('sub:bob');
  });

  it('counts a token without sub or userId, or no caller, by client address', () => {
    expect(subjectTracker(caller({}))).toBeUndefined();
    expect(callerTracker(request, caller({}))).toBe('ip:192.0.2.7');
    expect(callerTracker(request, undefined)).toBe('ip:192.0.2.7');
  });
});
