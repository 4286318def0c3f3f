import { StreamableFile } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { ContextRequest } from './request-context.js';

/**
 * Fastify adapter that renders every handler's result in the ProCONF success envelope
 * {"error":null,"data":...}, with the headers a service asked for through the request context
 * (e.g. Age on a stale status). Nest hands a handler's return value to `reply()`; errors never
 * come this way (the global filter renders them), nor do routes that write the reply themselves.
 *
 * Done here rather than in an interceptor: with no interceptor registered, Nest runs a handler
 * without building an rxjs pipeline per request, about a tenth of a cached poll's CPU
 * (docs/performance.md).
 */
export class EnvelopeFastifyAdapter extends FastifyAdapter {
  override reply(
    response: FastifyReply | ServerResponse,
    body: unknown,
    statusCode?: number,
  ): FastifyReply {
    if (body instanceof StreamableFile || !('request' in response)) {
      return super.reply(response, body, statusCode);
    }
    const headers = (response.request as ContextRequest).ctx?.responseHeaders;
    if (headers !== undefined) response.headers(headers);
    return super.reply(response, { error: null, data: body ?? null }, statusCode);
  }
}

// Nest 12 sends a request whose route parameter is empty ("/callCatchUp/") to the not-found
// handler, so that its middleware and routes match alike; this app has no Nest middleware, and
// its contract answers a missing room with the documented 400 (the parameter's DTO says so).
// Handlers are registered as they are, and an empty parameter reaches validation. (A private
// method of the pinned FastifyAdapter; test/call-catch-up.e2e-spec.ts fails if it changes.)
Object.defineProperty(EnvelopeFastifyAdapter.prototype, 'requireNonEmptyParams', {
  value: (_url: unknown, handler: unknown) => handler,
});
