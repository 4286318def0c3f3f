import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppException } from '../common/app.exception.js';
import { securityConfig, type SecurityConfig } from '../config/security.config.js';
import { clientIpKey, tooManyRequests } from './throttle-keys.js';
import { ThrottleStorage } from './throttle.storage.js';

/**
 * Requests the JWT guard refuses (no token, a malformed, forged or expired one) are counted
 * against their client IP's budget: the same key and RATE_LIMIT_PER_MINUTE as an anonymous
 * caller on a public route. The rate-limit guard runs after the JWT guard, so without this a
 * caller without a valid token would never be limited.
 *
 * Only refused requests are counted, after their token was checked: a valid token is never
 * held up by other callers behind the same address (an office NAT), and a forged token never
 * uses up the budget of the subject it names.
 */
@Injectable()
export class UnauthenticatedThrottle {
  private readonly enabled: boolean;
  private readonly limit: number;
  private readonly windowMs: number;

  constructor(
    private readonly storage: ThrottleStorage,
    @Inject(securityConfig.KEY) config: SecurityConfig,
  ) {
    this.enabled = config.rateLimit.enabled;
    this.limit = config.rateLimit.limit;
    this.windowMs = config.rateLimit.windowMs;
  }

  /**
   * Counts one refused request. Returns `refusal` (the 401) while the IP is within its budget,
   * the 429 envelope with Retry-After once it is over it.
   */
  async refuse(request: FastifyRequest, refusal: AppException): Promise<AppException> {
    return (await this.count(request)) ?? refusal;
  }

  /**
   * Counts one request against its client IP's budget: the 429 to answer once it is over,
   * otherwise undefined. Also used by routes outside Nest's guards (/docs).
   */
  async count(request: FastifyRequest): Promise<AppException | undefined> {
    if (!this.enabled) return undefined;
    const record = await this.storage.increment(clientIpKey(request), this.windowMs, this.limit);
    return record.isBlocked ? tooManyRequests(record.timeToBlockExpire) : undefined;
  }
}
