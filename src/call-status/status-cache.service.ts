import { Inject, Injectable } from '@nestjs/common';
import { AdminApiClient } from '../admin-api/admin-api.client.js';
import type { SessionStatus } from '../admin-api/admin-api.types.js';
import { AppException } from '../common/app.exception.js';
import type { RequestContext } from '../common/request-context.js';
import { SingleFlight } from '../common/single-flight.js';
import { RedisService } from '../redis/redis.service.js';
import { callStatusConfig, type CallStatusConfig } from '../config/call-status.config.js';

interface Entry {
  status: SessionStatus;
  fetchedAt: number;
}

// Bounds memory when a tenant has very many rooms; the oldest entries go first.
const MAX_ENTRIES = 100_000;

/**
 * Per-room session status: fresh for STATUS_CACHE_TTL_MS, one Admin Control call per room at a
 * time however many participants poll, and (only if configured) the last good status while
 * Admin Control fails. Errors are never cached.
 */
@Injectable()
export class StatusCache {
  private readonly entries = new Map<string, Entry>();
  private readonly flights = new SingleFlight<string, Entry>();
  private readonly keepMs: number;

  constructor(
    private readonly admin: AdminApiClient,
    private readonly redis: RedisService,
    @Inject(callStatusConfig.KEY) private readonly config: CallStatusConfig,
  ) {
    this.keepMs = Math.max(config.cacheTtlMs, config.staleIfErrorMs);
  }

  async get(room: string, context?: RequestContext): Promise<SessionStatus> {
    const now = Date.now();
    const entry = this.entries.get(room);
    if (entry !== undefined && now - entry.fetchedAt < this.config.cacheTtlMs) {
      if (context) context.cache = 'hit';
      return entry.status;
    }
    const flight = this.flights.run(room, () => this.fetch(room, context));
    if (context) context.cache = flight.shared ? 'coalesced' : 'miss';
    try {
      return (await flight.promise).status;
    } catch (error) {
      // Only an upstream failure (5xx) may be papered over; "room not found" is an answer.
      const upstreamFailed = error instanceof AppException && error.getStatus() >= 500;
      const stale = upstreamFailed ? this.staleFor(room) : undefined;
      if (stale === undefined) throw error;
      if (context) {
        context.cache = 'stale';
        const age = Math.floor((Date.now() - stale.fetchedAt) / 1000);
        context.responseHeaders = { ...context.responseHeaders, age: String(age) };
      }
      return stale.status;
    }
  }

  private async fetch(room: string, context?: RequestContext): Promise<Entry> {
    // Without Redis, no await (and no promise) on the way to Admin Control.
    const shared = this.redis.available ? await this.readShared(room, context) : undefined;
    if (shared !== undefined) {
      this.remember(room, shared);
      return shared;
    }
    const status = await this.admin.getSessionStatus(room, context);
    const entry = { status, fetchedAt: Date.now() };
    this.remember(room, entry);
    this.writeShared(room, entry);
    return entry;
  }

  /** Another instance's fresh answer, if Redis has one; never throws, never waits long. */
  private async readShared(room: string, context?: RequestContext): Promise<Entry | undefined> {
    if (this.config.cacheTtlMs <= 0) return undefined;
    try {
      const entry = decode(await this.redis.client!.get(sharedKey(room)));
      this.redis.reportSuccess();
      if (entry !== undefined && Date.now() - entry.fetchedAt < this.config.cacheTtlMs) {
        if (context) context.cache = 'shared';
        return entry;
      }
    } catch (error) {
      this.redis.reportFailure('status read', error);
    }
    return undefined;
  }

  private writeShared(room: string, entry: Entry): void {
    if (this.config.cacheTtlMs <= 0 || !this.redis.available) return;
    // Expire with the TTL left from when it was fetched: Redis never serves an older answer.
    const ttl = Math.max(1, this.config.cacheTtlMs - (Date.now() - entry.fetchedAt));
    this.redis
      .client!.set(sharedKey(room), encode(entry), 'PX', ttl)
      .catch((error: unknown) => this.redis.reportFailure('status write', error));
  }

  /** Rooms held: those fetched within the last max(TTL, stale-if-error) ms, roughly. */
  get size(): number {
    return this.entries.size;
  }

  private remember(room: string, entry: Entry): void {
    if (this.keepMs <= 0) return;
    this.entries.delete(room); // re-insert at the end: Map order is our eviction order
    this.dropExpired();
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(room, entry);
  }

  /**
   * Entries are kept in the order they were stored, so the ones nothing can use any more (older
   * than the TTL and the stale-if-error window) are at the front. Dropping up to two per stored
   * entry keeps memory to the rooms polled recently instead of the last MAX_ENTRIES rooms.
   */
  private dropExpired(): void {
    const now = Date.now();
    for (let dropped = 0; dropped < 2; dropped++) {
      const first = this.entries.entries().next();
      if (first.done === true || now - first.value[1].fetchedAt < this.keepMs) return;
      this.entries.delete(first.value[0]);
    }
  }

  private staleFor(room: string): Entry | undefined {
    if (this.config.staleIfErrorMs <= 0) return undefined;
    const entry = this.entries.get(room);
    if (entry === undefined || Date.now() - entry.fetchedAt >= this.config.staleIfErrorMs) {
      return undefined;
    }
    return entry;
  }
}

function sharedKey(room: string): string {
  return `status:${room}`;
}

function encode(entry: Entry): string {
  const { transcript_status: t, recording_status: r } = entry.status;
  return JSON.stringify({ t, r, at: entry.fetchedAt });
}

function decode(text: string | null): Entry | undefined {
  if (text === null) return undefined;
  try {
    const { t, r, at } = JSON.parse(text) as { t?: unknown; r?: unknown; at?: unknown };
    if (typeof t !== 'boolean' || typeof r !== 'boolean' || typeof at !== 'number') {
      return undefined;
    }
    return { status: { transcript_status: t, recording_status: r }, fetchedAt: at };
  } catch {
    return undefined;
  }
}
