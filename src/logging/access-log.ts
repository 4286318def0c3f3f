import type { FastifyReply, FastifyRequest } from 'fastify';
import { pino, type Logger } from 'pino';
import type { AuthUser } from '../auth/auth.types.js';
import type { ContextRequest } from '../common/request-context.js';

/** What the access line of one answered request says. No header, query or token goes in. */
export interface AccessEntry {
  reqId: string;
  method: string;
  /** The matched route pattern (never the raw URL: it carries room names); null if none. */
  route: string | null;
  status: number;
  ms: number;
  /** The token's subject, when the request was authenticated. */
  sub?: string;
  /** How Admin Control answered, when it was asked. */
  upstream?: string;
  /** How the read-through cache served the request. */
  cache?: string;
  /** How S3 served the request, when it was asked (GET /callSummary). */
  s3?: string;
}

const str = JSON.stringify;

/**
 * The line pino writes for `logger.info({ msg: 'request', ...entry })` with createPino's
 * options, byte for byte (access-log.spec.ts checks it against pino itself).
 *
 * Built by hand because it is written for every request: pino's generic serialisation of the
 * object cost more than the rest of the logging (docs/performance.md).
 */
export function accessLine(entry: AccessEntry, time: number): string {
  let line =
    `{"level":"info","time":${time},"msg":"request","reqId":${str(entry.reqId)}` +
    `,"method":${str(entry.method)},"route":${str(entry.route)}` +
    `,"status":${entry.status},"ms":${entry.ms}`;
  if (entry.sub !== undefined) line += `,"sub":${str(entry.sub)}`;
  if (entry.upstream !== undefined) line += `,"upstream":${str(entry.upstream)}`;
  if (entry.cache !== undefined) line += `,"cache":${str(entry.cache)}`;
  if (entry.s3 !== undefined) line += `,"s3":${str(entry.s3)}`;
  return `${line}}\n`;
}

/** Writes the access line to the logger's own destination, at info level. */
export function writeAccessLine(logger: Logger, entry: AccessEntry): void {
  if (!logger.isLevelEnabled('info')) return;
  const stream = (logger as unknown as Record<symbol, { write(line: string): unknown }>)[
    pino.symbols.streamSym
  ];
  stream.write(accessLine(entry, Date.now()));
}

/**
 * The access line of an answered request (the onResponse hook), or of a stream, when it ends:
 * status and duration are the reply's.
 */
export function logAccess(
  logger: { readonly pino: Logger },
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const { ctx, user } = request as ContextRequest & { user?: AuthUser };
  writeAccessLine(logger.pino, {
    reqId: request.id,
    method: request.method,
    route: request.routeOptions?.url ?? null,
    status: reply.statusCode,
    ms: Math.round(reply.elapsedTime * 100) / 100,
    sub: user?.subject,
    upstream: ctx?.upstream,
    cache: ctx?.cache,
    s3: ctx?.s3,
  });
}
