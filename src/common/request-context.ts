import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** What one request carries through the layers below the controller, and into its access log. */
export interface RequestContext {
  requestId: string;
  /** How Admin Control answered for this request: 'ok', 'not_found', 'timeout', ... */
  upstream?: string;
  /** How the status cache served it: 'hit', 'miss', 'coalesced', 'stale'. */
  cache?: string;
  /** Headers a service wants on the success response (e.g. Age for a stale answer). */
  responseHeaders?: Record<string, string>;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

export function runWithContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify's genReqId: trust a well-formed incoming x-request-id, otherwise make one. */
export function requestIdFor(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}
