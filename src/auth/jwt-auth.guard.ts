import { ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ModuleRef, Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import jsonwebtoken from 'jsonwebtoken';
import { AppException } from '../common/app.exception.js';
import { authConfig } from '../config/auth.config.js';
import { UnauthenticatedThrottle } from '../throttle/unauthenticated.throttle.js';
import type { AuthUser } from './auth.types.js';
import { IS_PUBLIC, type PublicCondition } from './public.decorator.js';
import { VerifiedTokenCache } from './verified-token.cache.js';

// RFC 6750 §2.1: the scheme, then a b64token.
const BEARER_SCHEME = /^Bearer(?: |$)/i;
const BEARER = /^Bearer +([A-Za-z0-9_.~+/=-]+) *$/i;

/**
 * WWW-Authenticate of a 401 (RFC 6750 §3): no error code when the request carried no bearer
 * token (none, or another scheme); invalid_token when it did, saying so when it had expired.
 */
export const BEARER_CHALLENGE = {
  none: 'Bearer',
  invalid: 'Bearer error="invalid_token"',
  expired: 'Bearer error="invalid_token", error_description="The access token expired"',
} as const;

export function unauthorized(
  challenge: (typeof BEARER_CHALLENGE)[keyof typeof BEARER_CHALLENGE] = BEARER_CHALLENGE.none,
): AppException {
  return new AppException(401, 'Unauthorized', { headers: { 'www-authenticate': challenge } });
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
    if (token === null) return this.refuse(request, unauthorized(BEARER_CHALLENGE.invalid));
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
      // Only a token whose signature held can be called expired (jsonwebtoken checks it first).
      throw unauthorized(
        reason instanceof jsonwebtoken.TokenExpiredError
          ? BEARER_CHALLENGE.expired
          : BEARER_CHALLENGE.invalid,
      );
    }
    return user as TUser;
  }
}

/** The bearer token; undefined when there is none (or another scheme), null when malformed. */
function bearerToken(request: FastifyRequest): string | undefined | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string' || !BEARER_SCHEME.test(header)) return undefined;
  return BEARER.exec(header)?.[1] ?? null;
}
