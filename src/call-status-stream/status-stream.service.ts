import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OutgoingHttpHeaders } from 'node:http';
import type { AuthUser } from '../auth/auth.types.js';
import { assertRoomAccess } from '../auth/room-access.js';
import { AppException } from '../common/app.exception.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { streamConfig, type StreamConfig } from '../config/stream.config.js';
import { logAccess } from '../logging/access-log.js';
import { AppLogger } from '../logging/app-logger.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { ROOM_NOT_FOUND } from '../rooms/room-name.js';
import { callerTracker, tooManyRequests } from '../throttle/throttle-keys.js';
import { SseConnection } from './sse-connection.js';
import { StatusWatchService } from './status-watch.service.js';
import {
  eventFrame,
  EXPIRED_FRAME,
  HEARTBEAT_FRAME,
  isRoomGone,
  retryField,
  SHUTDOWN_COMMENT,
  type CloseReason,
} from './stream-event.js';
import { StreamStats, type RefusalReason } from './stream-stats.js';

const RETRY_AFTER_SECONDS = 5;
// setTimeout fires at once for longer delays; a token valid longer than this is re-armed.
const MAX_TIMER_MS = 2_147_483_647;

/**
 * GET /callStatus/stream: checks a request (room access, limits, the room exists), then turns
 * it into a Server-Sent Events stream of the room's watcher; heartbeats, token expiry and
 * shutdown end or keep up the streams.
 */
@Injectable()
export class StatusStreamService
  implements OnModuleInit, OnModuleDestroy, BeforeApplicationShutdown
{
  private readonly connections = new Set<SseConnection>();
  private readonly expiries = new WeakMap<SseConnection, NodeJS.Timeout>();
  private readonly perCaller = new Map<string, number>();
  private readonly heartbeatFrame = Buffer.from(HEARTBEAT_FRAME);
  private heartbeat: NodeJS.Timeout | undefined;
  private reserved = 0;
  private closing = false;

  constructor(
    private readonly watch: StatusWatchService,
    private readonly stats: StreamStats,
    private readonly metrics: MetricsService,
    private readonly logger: AppLogger,
    @Inject(streamConfig.KEY) private readonly config: StreamConfig,
    @Inject(authConfig.KEY) private readonly auth: AuthConfig,
  ) {}

  onModuleInit(): void {
    const beat = () => {
      for (const connection of this.connections) connection.send(this.heartbeatFrame);
    };
    this.heartbeat = setInterval(beat, this.config.heartbeatMs).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.heartbeat);
  }

  async open(room: string, user: AuthUser, request: FastifyRequest, reply: FastifyReply) {
    if (this.closing) throw this.refuse('shutdown');
    assertRoomAccess(user, room);
    // Whose streams a cap counts: as the rate limit counts them.
    const caller = callerTracker(request, user);
    this.reserve(caller);
    const connection = new SseConnection(reply.raw, (closed, reason) =>
      this.onClosed(closed, reason, { room, caller, request, reply }),
    );
    let state;
    try {
      state = await this.watch.subscribe(room, connection);
    } catch (error) {
      connection.abandon();
      throw error;
    }
    if (connection.closed) return; // the client left while the room's state was fetched
    if (state === undefined || this.closing) {
      connection.abandon();
      throw this.refuse('shutdown');
    }
    if (isRoomGone(state.outcome)) {
      connection.abandon();
      throw new AppException(ROOM_NOT_FOUND.status, ROOM_NOT_FOUND.message);
    }
    reply.hijack();
    // Fastify's reply headers (security headers, request id, CORS) are not sent by a hijacked
    // reply on their own.
    const headers: OutgoingHttpHeaders = {
      ...(reply.getHeaders() as OutgoingHttpHeaders),
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      // nginx and the like would otherwise buffer the stream.
      'x-accel-buffering': 'no',
    };
    if (request.method === 'HEAD') {
      connection.start(headers, '');
      connection.end('client');
      return;
    }
    // A reconnect that already has this version waits for the next change.
    const known = request.headers['last-event-id'] === String(state.version);
    this.connections.add(connection);
    this.stats.open++;
    connection.start(headers, retryField() + (known ? '\n' : eventFrame(state)));
    if (!known) this.stats.eventsSent[state.outcome.status !== undefined ? 'status' : 'error']++;
    this.expireAt(connection, (user.expiresAt + this.auth.clockToleranceSec) * 1000);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    // A final comment, and a spread retry so the clients do not all reconnect at once elsewhere.
    for (const connection of [...this.connections]) {
      connection.end('shutdown', `${SHUTDOWN_COMMENT}${retryField()}\n`);
    }
    await this.watch.stopAll();
  }

  private reserve(caller: string): void {
    if (this.reserved >= this.config.maxConnections) throw this.refuse('capacity');
    const count = this.perCaller.get(caller) ?? 0;
    if (count >= this.config.maxPerSubject) throw this.refuse('subject');
    this.reserved++;
    this.perCaller.set(caller, count + 1);
  }

  private release(caller: string): void {
    this.reserved--;
    const count = (this.perCaller.get(caller) ?? 1) - 1;
    if (count > 0) this.perCaller.set(caller, count);
    else this.perCaller.delete(caller);
  }

  private refuse(reason: RefusalReason): AppException {
    this.stats.refused[reason]++;
    if (reason === 'subject') return tooManyRequests(RETRY_AFTER_SECONDS);
    return new AppException(503, 'Service unavailable', {
      headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
    });
  }

  private expireAt(connection: SseConnection, at: number): void {
    const timer = setTimeout(
      () => {
        if (connection.closed) return;
        if (Date.now() < at) this.expireAt(connection, at);
        else connection.end('expired', EXPIRED_FRAME);
      },
      Math.min(Math.max(0, at - Date.now()), MAX_TIMER_MS),
    );
    timer.unref();
    this.expiries.set(connection, timer);
  }

  private onClosed(
    connection: SseConnection,
    reason: CloseReason,
    { room, caller, request, reply }: StreamRequest,
  ): void {
    this.release(caller);
    this.watch.unsubscribe(room, connection);
    clearTimeout(this.expiries.get(connection));
    if (!this.connections.delete(connection)) return; // never started: the request answers
    this.stats.open--;
    this.stats.closed[reason]++;
    // Fastify logs and counts a response when it is finished; a stream the client cut (or that
    // was cut for not reading) never is, so it is accounted here, as the 200 it was.
    if (!reply.raw.writableEnded) {
      logAccess(this.logger, request, reply);
      if (this.metrics.enabled) this.metrics.observeResponse(request, reply);
    }
  }
}

interface StreamRequest {
  room: string;
  caller: string;
  request: FastifyRequest;
  reply: FastifyReply;
}
