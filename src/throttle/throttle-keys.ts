import type { FastifyRequest } from 'fastify';
import { AppException } from '../common/app.exception.js';

/** The throttler's name: there is one limit, RATE_LIMIT_PER_MINUTE. */
export const THROTTLER_NAME = 'default';

/** A counter's key: one budget per caller across routes, no hash on the hot path. */
export function throttleKey(tracker: string, name = THROTTLER_NAME): string {
  return `${name}:${tracker}`;
}

/**
 * The key of a caller known only by its address (request.ip: the peer, or X-Forwarded-For
 * from a proxy TRUST_PROXY names).
 */
export function clientIpKey(request: FastifyRequest): string {
  return throttleKey(`ip:${request.ip}`);
}

export function tooManyRequests(retryAfterSeconds: number): AppException {
  return new AppException(429, 'Too many requests', {
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
}
