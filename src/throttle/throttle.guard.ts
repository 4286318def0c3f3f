import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerGenerateKeyFunction,
  type ThrottlerGetTrackerFunction,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import {
  THROTTLER_BLOCK_DURATION,
  THROTTLER_KEY_GENERATOR,
  THROTTLER_LIMIT,
  THROTTLER_SKIP,
  THROTTLER_TRACKER,
  THROTTLER_TTL,
} from '@nestjs/throttler/dist/throttler.constants.js';
import type { FastifyRequest } from 'fastify';
import type { AuthUser } from '../auth/auth.types.js';
import { AppException } from '../common/app.exception.js';
import { securityConfig, type SecurityConfig } from '../config/security.config.js';

type ThrottledRequest = FastifyRequest & { user?: AuthUser };

/** One throttler's settings for one route, as the library would resolve them per request. */
interface RoutePlan {
  throttler: ThrottlerOptions;
  limit: number;
  ttl: number;
  blockDuration: number;
  getTracker: ThrottlerGetTrackerFunction;
  generateKey: ThrottlerGenerateKeyFunction;
}

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
  // Per handler: the library resolves six pieces of route metadata per throttler on every
  // request; with static options they never change, so they are resolved once. null: some
  // option is dynamic (a function), and the library's own path runs instead.
  private readonly plans = new WeakMap<object, RoutePlan[] | null>();

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    @Inject(securityConfig.KEY) config: SecurityConfig,
  ) {
    super(options, storage, reflector);
    this.enabled = config.rateLimit.enabled;
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (await this.shouldSkip(context)) return true;
    let plans = this.plans.get(context.getHandler());
    if (plans === undefined) {
      plans = this.resolvePlans(context);
      this.plans.set(context.getHandler(), plans);
    }
    if (plans === null) return super.canActivate(context);
    for (const plan of plans) await this.handleRequest({ context, ...plan });
    return true;
  }

  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (!this.enabled) return Promise.resolve(true);
    const request = context.switchToHttp().getRequest<ThrottledRequest>();
    return Promise.resolve(isExemptRoute(request.routeOptions?.url));
  }

  private resolvePlans(context: ExecutionContext): RoutePlan[] | null {
    const targets = [context.getHandler(), context.getClass()];
    const plans: RoutePlan[] = [];
    for (const throttler of this.throttlers) {
      const route = <T>(key: string): T | undefined =>
        this.reflector.getAllAndOverride<T>(key + throttler.name, targets);
      if (route<boolean>(THROTTLER_SKIP)) continue;
      if (throttler.skipIf ?? this.commonOptions.skipIf) return null;
      const limit = route(THROTTLER_LIMIT) ?? throttler.limit;
      const ttl = route(THROTTLER_TTL) ?? throttler.ttl;
      const blockDuration = route(THROTTLER_BLOCK_DURATION) ?? throttler.blockDuration ?? ttl;
      if (typeof limit !== 'number' || typeof ttl !== 'number') return null;
      if (typeof blockDuration !== 'number') return null;
      plans.push({
        throttler,
        limit,
        ttl,
        blockDuration,
        getTracker: (route<ThrottlerGetTrackerFunction>(THROTTLER_TRACKER) ??
          throttler.getTracker ??
          this.commonOptions.getTracker)!,
        generateKey: (route<ThrottlerGenerateKeyFunction>(THROTTLER_KEY_GENERATOR) ??
          throttler.generateKey ??
          this.commonOptions.generateKey)!,
      });
    }
    return plans;
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
