import helmet from '@fastify/helmet';
import { INJECTABLE_WATERMARK } from '@nestjs/common/constants.js';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { useContainer } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ContextRequest } from './common/request-context.js';
import { requestIdFor } from './common/request-context.js';
import {
  corsOptions,
  HELMET_OPTIONS,
  securityConfig,
  trustProxyFromEnv,
  type SecurityConfig,
} from './config/security.config.js';
import { AppLogger } from './logging/app-logger.service.js';
import type { AuthUser } from './auth/auth.types.js';

// No endpoint takes a body; anything larger than this is refused before it is read.
const BODY_LIMIT_BYTES = 16 * 1024;

/** The Fastify adapter with the options main.ts and the tests share. */
export function createAdapter(): FastifyAdapter {
  return new FastifyAdapter({
    genReqId: requestIdFor,
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: 256 },
    // Let in-flight requests finish on shutdown while idle keep-alive sockets close at once.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // Whether X-Forwarded-For is believed for request.ip (rate limits by IP): TRUST_PROXY.
    trustProxy: trustProxyFromEnv(),
  });
}

/** What cannot be a provider: called by main.ts and by the e2e helper alike. */
export function configureApp(app: NestFastifyApplication): NestFastifyApplication {
  // Lets @Injectable() class-validator constraints use injected configuration (e.g. the
  // room-name pattern); class-validator's own classes are not providers and fall back to it.
  useContainer(
    {
      get: (type: new (...args: never[]) => unknown) =>
        Reflect.getMetadata(INJECTABLE_WATERMARK, type) === true ? app.get(type) : undefined,
    },
    { fallback: true },
  );
  const logger = app.get(AppLogger);
  app.useLogger(logger);
  const fastify = app.getHttpAdapter().getInstance();
  // Security headers on every response, errors and 404s included; CORS only if configured.
  // Both are registered synchronously: Fastify loads them when the app is initialised.
  void fastify.register(helmet, HELMET_OPTIONS);
  const cors = corsOptions(app.get<SecurityConfig>(securityConfig.KEY).cors);
  if (cors !== undefined) app.enableCors(cors);
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    reply.header('x-request-id', request.id);
    done();
  });
  fastify.addHook(
    'onResponse',
    (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      accessLog(logger, request as ContextRequest & { user?: AuthUser }, reply);
      done();
    },
  );
  app.enableShutdownHooks();
  return app;
}

function accessLog(
  logger: AppLogger,
  request: ContextRequest & { user?: AuthUser },
  reply: FastifyReply,
): void {
  if (!logger.pino.isLevelEnabled('info')) return;
  const ctx = request.ctx;
  logger.pino.info({
    msg: 'request',
    reqId: request.id,
    method: request.method,
    route: request.routeOptions?.url ?? null,
    status: reply.statusCode,
    ms: Math.round(reply.elapsedTime * 100) / 100,
    sub: request.user?.subject,
    upstream: ctx?.upstream,
    cache: ctx?.cache,
  });
}
