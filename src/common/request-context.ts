import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';

/**
 * What one request carries through the layers below the controller, and into its access log
 * and metrics. Passed explicitly (controller -> service -> client) rather than through
 * AsyncLocalStorage, whose promise hooks tax every promise of every request on Node 20.
 */
export interface RequestContext {
  requestId: string;
  /** How Admin Control answered for this request: 'ok', 'not_found', 'timeout', ... */
  upstream?: string;
  /** How the read-through cache served it: 'hit', 'miss', 'coalesced', 'shared', 'stale'. */
  cache?: string;
  /**
   * How S3 served it, when it was asked: the read's outcome ('ok', 'not_found', 'timeout', ...)
   * or, from the summary cache, 'hit' or 'coalesced' (another request's read).
   */
  s3?: string;
  /** Headers a service wants on the success response (e.g. Age for a stale answer). */
  responseHeaders?: Record<string, string>;
}

/** The request as Fastify hands it to Nest, with the context attached on first use. */
export type ContextRequest = FastifyRequest & { ctx?: RequestContext };

/** The request's context, created on first use. */
export function contextOf(request: ContextRequest): RequestContext {
  return (request.ctx ??= { requestId: request.id });
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify's genReqId: trust a well-formed incoming x-request-id, otherwise make one. */
export function requestIdFor(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}
