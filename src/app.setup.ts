import { INJECTABLE_WATERMARK } from '@nestjs/common/constants.js';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { useContainer } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EnvelopeFastifyAdapter } from './common/envelope-fastify.adapter.js';
import { errorBody, messageFor, toErrorResponse } from './common/error-response.js';
import { answerClientError, answerNodeRepliesInEnvelope } from './common/node-replies.js';
import { requestIdFor } from './common/request-context.js';
import { securityHeaders } from './common/security-headers.js';
import { appConfig } from './config/app.config.js';
import {
  corsOptions,
  HELMET_OPTIONS,
  securityConfig,
  trustProxyFromEnv,
  type SecurityConfig,
} from './config/security.config.js';
import { setupOpenApi } from './docs/openapi.js';
import { logAccess } from './logging/access-log.js';
import { AppLogger } from './logging/app-logger.service.js';

// Bodies are small JSON (sign-in, ProCONF token requests); larger ones are refused unread (413).
const BODY_LIMIT_BYTES = 16 * 1024;
// A client must send a whole request within this time (slow-loris protection).
const REQUEST_TIMEOUT_MS = 30_000;

/** The Fastify adapter with the options main.ts and the tests share. */
export function createAdapter(): FastifyAdapter {
  return new EnvelopeFastifyAdapter({
    genReqId: requestIdFor,
    bodyLimit: BODY_LIMIT_BYTES,
    requestTimeout: REQUEST_TIMEOUT_MS,
    // Longer than any request line Node accepts (16 KiB of headers): a long path parameter
    // reaches validation (e.g. 400 "Invalid room name.") instead of the router's generic 400.
    routerOptions: { maxParamLength: 16 * 1024 },
    // On shutdown, idle keep-alive sockets close at once and in-flight requests finish;
    // requests arriving meanwhile on open connections are still served (with Connection: close).
    forceCloseConnections: 'idle',
    return503OnClosing: false,
    // Whether X-Forwarded-For is believed for request.ip (rate limits by IP): TRUST_PROXY.
    trustProxy: trustProxyFromEnv(),
    // Errors Fastify's router raises before Nest sees the request (a malformed percent-encoded
    // path: 400; a path parameter over maxParamLength: 414) still answer in the envelope,
    // without echoing the path. No request hook has run: the request id is set here.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => {
      const { status, message } = toErrorResponse(error);
      void reply
        .code(status)
        .header('x-request-id', request.id)
        .type('application/json; charset=utf-8')
        .send(errorBody(status, message));
    },
    // What Node's HTTP parser refuses (oversized or malformed headers, smuggling attempts):
    // answered in the envelope too, then the socket is closed.
    clientErrorHandler: (error, socket) => answerClientError(error, socket),
    // Node would answer a missing Host with an empty 400; the onRequest hook answers it instead.
    http: { requireHostHeader: false },
  });
}

/** What cannot be a provider: called by main.ts and by the e2e helper alike. */
export function configureApp(app: NestFastifyApplication): NestFastifyApplication {
  // Lets @Injectable() class-validator constraints use injected configuration (e.g. the
  // room-name pattern); class-validator's own classes are not providers and fall back to it.
  // Resolved once per class: class-validator asks on every validation.
  const resolved = new Map<unknown, unknown>();
  const resolve = (type: new (...args: never[]) => unknown): unknown =>
    Reflect.getMetadata(INJECTABLE_WATERMARK, type) === true ? app.get(type) : undefined;
  useContainer(
    {
      get: (type: new (...args: never[]) => unknown) => {
        if (!resolved.has(type)) resolved.set(type, resolve(type));
        return resolved.get(type);
      },
    },
    { fallback: true },
  );
  const logger = app.get(AppLogger);
  app.useLogger(logger);
  const fastify = app.getHttpAdapter().getInstance();
  const cors = corsOptions(app.get<SecurityConfig>(securityConfig.KEY).cors);
  if (cors !== undefined) app.enableCors(cors);
  // Security headers (helmet's, computed once) and the request id on every response, errors
  // and 404s included.
  const headers = securityHeaders(HELMET_OPTIONS);
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    reply.headers(headers);
    reply.header('x-request-id', request.id);
    // RFC 9112 §3.2: an HTTP/1.1 request without Host is refused with 400.
    if (request.headers.host === undefined && request.raw.httpVersion === '1.1') {
      void reply
        .code(400)
        .header('connection', 'close')
        .type('application/json; charset=utf-8')
        .send(errorBody(400, messageFor(400)));
      return;
    }
    done();
  });
  // Expect other than 100-continue, CONNECT: Node's own answers, in the envelope.
  answerNodeRepliesInEnvelope(app.getHttpServer());
  fastify.addHook(
    'onResponse',
    (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      logAccess(logger, request, reply);
      done();
    },
  );
  if (app.get<ReturnType<typeof appConfig>>(appConfig.KEY).docsEnabled) setupOpenApi(app);
  return app;
}
