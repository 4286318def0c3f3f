import { ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ModuleRef, Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { AppException } from '../common/app.exception.js';
import { authConfig } from '../config/auth.config.js';
import { UnauthenticatedThrottle } from '../throttle/unauthenticated.throttle.js';
import type { AuthUser } from './auth.types.js';
import { IS_PUBLIC, type PublicCondition } from './public.decorator.js';
import { VerifiedTokenCache } from './verified-token.cache.js';

const BEARER = /^Bearer +([A-Za-z0-9_.~+/=-]+) *$/i;

export function unauthorized(): AppException {
  return new AppException(401, 'Unauthorized', { headers: { 'www-authenticate': 'Bearer' } });
}

type AuthRequest = FastifyRequest & { user?: AuthUser };

/**
 * Global guard: deny by default; @Public() opts a route out. Verification is passport-jwt's.
 * A refused request counts against its client IP's rate limit (429 once over it).
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  private readonly logger = new Logger(JwtAuthGuard.name);
  private readonly cache: VerifiedTokenCache;
  private readonly publicHandlers = new WeakMap<object, boolean>();

  constructor(
    private readonly reflector: Reflector,
    private readonly app: ModuleRef,
    private readonly throttle: UnauthenticatedThrottle,
    @Inject(authConfig.KEY) config: ConfigType<typeof authConfig>,
  ) {
    super();
    this.cache = new VerifiedTokenCache(config.tokenCacheSize);
  }

  override canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (this.isPublic(context)) return true;
    const request = context.switchToHttp().getRequest<AuthRequest>();
    const token = bearerToken(request);
    if (token === undefined) return this.refuse(request, unauthorized());
    const cached = this.cache.get(token);
    if (cached !== undefined) {
      // A poll with a token verified before: no promise, no passport.
      request.user = cached;
      return true;
    }
    return this.verify(context, request, token);
  }

  private async verify(context: ExecutionContext, request: AuthRequest, token: string) {
    try {
      await super.canActivate(context);
    } catch (error) {
      if (error instanceof AppException && error.getStatus() === 401) {
        return this.refuse(request, error);
      }
      throw error;
    }
    if (request.user !== undefined) this.cache.set(token, request.user);
    return true;
  }

  /** Throws the refusal, or a 429 once the client IP has been refused too often. */
  private async refuse(request: AuthRequest, refusal: AppException): Promise<never> {
    throw await this.throttle.refuse(request, refusal);
  }

  /** @Public() is route metadata (and configuration): read once per handler, not per request. */
  private isPublic(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let known = this.publicHandlers.get(handler);
    if (known === undefined) {
      const targets = [handler, context.getClass()];
      const marker = this.reflector.getAllAndOverride<true | PublicCondition>(IS_PUBLIC, targets);
      known = typeof marker === 'function' ? marker(this.app) : marker === true;
      this.publicHandlers.set(handler, known);
    }
    return known;
  }

  override handleRequest<TUser = AuthUser>(
    err: unknown,
    user: unknown,
    info: unknown,
    context: ExecutionContext,
  ): TUser {
    if (err || !user) {
      // The reason (expired, bad signature, wrong issuer...) is for operators, not callers.
      const reason = err ?? info;
      const requestId = context.switchToHttp().getRequest<AuthRequest>().id;
      const why = reason instanceof Error ? reason.message : 'no user';
      this.logger.debug(`token rejected: ${why} [${requestId}]`);
      throw unauthorized();
    }
    return user as TUser;
  }
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  return BEARER.exec(header)?.[1];
}
