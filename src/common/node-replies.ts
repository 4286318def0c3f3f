import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorBody, messageFor } from './error-response.js';
import { requestIdFor } from './request-context.js';

// What Node's HTTP server answers by itself, before Fastify routes anything, rendered in the
// envelope instead of Node's empty bodies (or no answer at all). Fastify's hooks have not run:
// these carry no security headers, and set their request id themselves.

const CLIENT_ERROR_STATUS: Record<string, number> = {
  HPE_HEADER_OVERFLOW: 431,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

/** A whole HTTP/1.1 error response that closes the connection, for a raw socket. */
function rawErrorResponse(status: number): string {
  const body = errorBody(status, messageFor(status));
  // A new request id: a request Node's parser refused could not be read.
  return (
    `HTTP/1.1 ${status} ${messageFor(status)}\r\n` +
    `X-Request-Id: ${randomUUID()}\r\n` +
    'Connection: close\r\n' +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

/** What Node's parser refuses (oversized or malformed headers, smuggling attempts, timeouts). */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  // A reset or closed socket cannot be answered; nothing was received worth answering.
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(rawErrorResponse(CLIENT_ERROR_STATUS[error.code ?? ''] ?? 400));
}

/** `Expect:` other than 100-continue (RFC 9110 §10.1.1: 417); Node would send an empty body. */
function answerExpectation(request: IncomingMessage, response: ServerResponse): void {
  const body = errorBody(417, messageFor(417));
  response
    .writeHead(417, {
      'x-request-id': requestIdFor(request),
      connection: 'close',
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    })
    .end(body);
}

/** CONNECT (we are no proxy): Node would drop the connection without a word. */
function answerConnect(_request: IncomingMessage, socket: Duplex): void {
  // Like any method the API does not serve (the ProCONF contract answers 404, never 405).
  if (socket.writable) socket.end(rawErrorResponse(404));
  else socket.destroy();
}

/** Installs the handlers above that Fastify does not take as options. */
export function answerNodeRepliesInEnvelope(server: Server): void {
  server.on('checkExpectation', answerExpectation);
  server.on('connect', answerConnect);
}
