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
import { securityConfig, type SecurityConfig } from '../config/security.config.js';
import {
  callerTracker,
  subjectTracker,
  THROTTLER_NAME,
  throttleKey,
  tooManyRequests,
  type CountedCaller,
} from './throttle-keys.js';
import { ThrottleStorage } from './throttle.storage.js';

type ThrottledRequest = FastifyRequest & { user?: CountedCaller };

/** One throttler's settings for one route, as the library would resolve them per request. */
interface RoutePlan {
  throttler: ThrottlerOptions;
  limit: number;
  ttl: number;
  blockDuration: number;
  getTracker: ThrottlerGetTrackerFunction;
  generateKey: ThrottlerGenerateKeyFunction;
  /** Counted by this guard's own tracker and key, with no user-agent exemptions. */
  standard: boolean;
}

/** Health probes are never limited: an orchestrator polling them must not lock itself out. */
export function isExemptRoute(route: string | undefined): boolean {
  return route !== undefined && (route === '/health' || route.startsWith('/health/'));
}

/**
 * The global rate limit. Registered after the JWT guard, so it sees request.user: a caller is
 * counted by token subject, and by client IP on public routes. A request the JWT guard refused
 * never gets here: UnauthenticatedThrottle counts it by client IP. Over the limit: 429 envelope
 * with Retry-After.
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

  // @ts-expect-error Nest's CanActivate allows a boolean; the library's type narrows it to a
  // promise, which the in-process path below does without.
  override canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (!this.enabled) return true;
    const request = context.switchToHttp().getRequest<ThrottledRequest>();
    if (isExemptRoute(request.routeOptions?.url)) return true;
    let plans = this.plans.get(context.getHandler());
    if (plans === undefined) {
      plans = this.resolvePlans(context);
      this.plans.set(context.getHandler(), plans);
    }
    if (plans === null) return super.canActivate(context);
    // The common case, an authenticated poll counted in process, takes no promise.
    const subject = subjectTracker(request.user);
    if (
      subject !== undefined &&
      this.storageService instanceof ThrottleStorage &&
      this.storageService.countsLocally &&
      plans.every((plan) => plan.standard)
    ) {
      for (const plan of plans) this.countLocally(context, plan, subject);
      return true;
    }
    return this.handlePlans(context, plans);
  }

  private async handlePlans(context: ExecutionContext, plans: RoutePlan[]): Promise<boolean> {
    for (const plan of plans) await this.handleRequest({ context, ...plan });
    return true;
  }

  /** What the library's handleRequest() does for a standard plan, with setHeaders off. */
  private countLocally(context: ExecutionContext, plan: RoutePlan, tracker: string): void {
    const { throttler, limit, ttl } = plan;
    const key = this.generateKey(context, tracker, throttler.name ?? THROTTLER_NAME);
    const record = (this.storageService as ThrottleStorage).incrementLocally(key, ttl, limit);
    if (record.isBlocked) throw tooManyRequests(record.timeToBlockExpire);
  }

  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (!this.enabled) return Promise.resolve(true);
    const request = context.switchToHttp().getRequest<ThrottledRequest>();
    return Promise.resolve(isExemptRoute(request.routeOptions?.url));
  }

  private resolvePlans(context: ExecutionContext): RoutePlan[] | null {
    const targets = [context.getHandler(), context.getClass()];
    const plans: RoutePlan[] = [];
    // A tracker or key function given to ThrottlerModule itself (none is, in this app).
    const moduleWide =
      !Array.isArray(this.options) &&
      (this.options.getTracker !== undefined || this.options.generateKey !== undefined);
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
      const ownTracker = route(THROTTLER_TRACKER) ?? throttler.getTracker;
      const ownKey = route(THROTTLER_KEY_GENERATOR) ?? throttler.generateKey;
      const userAgents = throttler.ignoreUserAgents ?? this.commonOptions.ignoreUserAgents;
      const headers = throttler.setHeaders ?? this.commonOptions.setHeaders ?? true;
      plans.push({
        throttler,
        limit,
        ttl,
        blockDuration,
        getTracker: (ownTracker ?? this.commonOptions.getTracker) as ThrottlerGetTrackerFunction,
        generateKey: (ownKey ?? this.commonOptions.generateKey) as ThrottlerGenerateKeyFunction,
        standard:
          ownTracker === undefined &&
          ownKey === undefined &&
          !moduleWide &&
          (userAgents === undefined || userAgents.length === 0) &&
          !headers,
      });
    }
    return plans;
  }

  // The same address key as UnauthenticatedThrottle's: refused tokens and public routes share
  // an IP's budget.
  protected override getTracker(request: ThrottledRequest): Promise<string> {
    return Promise.resolve(callerTracker(request, request.user));
  }

  // One budget per caller across routes, and no hash on the hot path (the library's default
  // key is a SHA-256 of class, handler and tracker).
  protected override generateKey(
    _context: ExecutionContext,
    tracker: string,
    name: string,
  ): string {
    return throttleKey(tracker, name);
  }

  protected override throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw tooManyRequests(detail.timeToBlockExpire);
  }
}
