import { normalizeIp } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { isIP } from 'node:net';
import { AppException } from '../common/app.exception.js';

/** The throttler's name: there is one limit, RATE_LIMIT_PER_MINUTE. */
export const THROTTLER_NAME = 'default';

/** A counter's key: one budget per caller across routes, no hash on the hot path. */
export function throttleKey(tracker: string, name = THROTTLER_NAME): string {
  return `${name}:${tracker}`;
}

/**
 * Who a caller without a token subject is, for counting: its address as the throttler library
 * normalises it (an IPv6 address stands for its /64, which one host can rotate through; an
 * IPv4-mapped one for the IPv4 address). request.ip is the peer, or the X-Forwarded-For entry
 * that TRUST_PROXY lets through; with TRUST_PROXY=true that entry is whatever the client wrote,
 * so anything that is not an IP address falls back to the peer: a client cannot mint a new
 * budget, or a long key, per request. Some proxies add the client's port (`192.0.2.1:4711`,
 * `[2001:db8::1]:4711`); it is dropped.
 */
export function addressTracker(request: FastifyRequest): string {
  const forwarded = withoutPort(request.ip);
  const ip = isIP(forwarded) !== 0 ? forwarded : request.socket.remoteAddress;
  return `ip:${normalizeIp(ip ?? 'unknown')}`;
}

const BRACKETED_WITH_PORT = /^\[([^\]]+)\](?::\d{1,5})?$/;
const IPV4_WITH_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/;

function withoutPort(address: string): string {
  return (BRACKETED_WITH_PORT.exec(address) ?? IPV4_WITH_PORT.exec(address))?.[1] ?? address;
}

/**
 * What counting needs of the caller the JWT guard puts on request.user: its token subject,
 * "anonymous" for a token without sub or userId. Declared here, not imported from auth/, which
 * sits above this module (auth's AuthUser has this shape; throttle-keys.spec.ts holds them
 * together).
 */
export interface CountedCaller {
  readonly subject: string;
}

/** The subject of a token without sub or userId: not a caller to count by (auth/ sets it). */
export const ANONYMOUS_SUBJECT = 'anonymous';

/** A caller with a token subject is counted by it; undefined when there is none to count by. */
export function subjectTracker(caller: CountedCaller | undefined): string | undefined {
  const subject = caller?.subject;
  return subject !== undefined && subject !== ANONYMOUS_SUBJECT ? `sub:${subject}` : undefined;
}

/** Whom a request counts as: its token's subject, otherwise its client address. */
export function callerTracker(request: FastifyRequest, caller: CountedCaller | undefined): string {
  return subjectTracker(caller) ?? addressTracker(request);
}

/** The counter key of a caller known only by its address. */
export function clientIpKey(request: FastifyRequest): string {
  return throttleKey(addressTracker(request));
}

export function tooManyRequests(retryAfterSeconds: number): AppException {
  return new AppException(429, 'Too many requests', {
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
}
