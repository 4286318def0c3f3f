import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import type { AuthUser } from '../auth/auth.types.js';
import { AppException } from '../common/app.exception.js';
import { securityConfig, type SecurityConfig } from '../config/security.config.js';

type ThrottledRequest = FastifyRequest & { user?: AuthUser };

/** Health probes are never limited: an orchestrator polling them must not lock itself out. */
export function isExemptRoute(route: string | undefined): boolean {
  return route !== undefined && (route === '/health' || route.startsWith('/health/'));
}

/**
 * The global rate limit. Registered after the JWT guard, so it sees request.user: a caller is
 * counted by token subject, and by client IP on public routes. A request the JWT guard refused
 * never gets here (401, not counted). Over the limit: 429 envelope with Retry-After.
 */
@Injectable()
export class ThrottleGuard extends ThrottlerGuard {
  private readonly enabled: boolean;

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    @Inject(securityConfig.KEY) config: SecurityConfig,
  ) {
    super(options, storage, reflector);
    this.enabled = config.rateLimit.enabled;
  }

  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (!this.enabled) return Promise.resolve(true);
    const request = context.switchToHttp().getRequest<ThrottledRequest>();
    return Promise.resolve(isExemptRoute(request.routeOptions?.url));
  }

  protected override async getTracker(request: ThrottledRequest): Promise<string> {
    const subject = request.user?.subject;
    // Tokens without sub/userId all map to "anonymous": count those per client IP instead.
    if (subject !== undefined && subject !== 'anonymous') return `sub:${subject}`;
    return `ip:${await super.getTracker(request)}`;
  }

  // One budget per caller across routes, and no hash on the hot path (the library's default
  // key is a SHA-256 of class, handler and tracker).
  protected override generateKey(
    _context: ExecutionContext,
    tracker: string,
    name: string,
  ): string {
    return `${name}:${tracker}`;
  }

  protected override throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new AppException(429, 'Too many requests', {
      headers: { 'retry-after': String(detail.timeToBlockExpire) },
    });
  }
}
