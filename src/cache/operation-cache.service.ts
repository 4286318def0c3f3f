import { Inject, Injectable } from '@nestjs/common';
import { AdminApiClient } from '../admin-api/admin-api.client.js';
import {
  cacheKeyOf,
  type AdminOperation,
  type OperationInput,
} from '../admin-api/admin-operation.js';
import { AppException } from '../common/app.exception.js';
import type { RequestContext } from '../common/request-context.js';
import { SingleFlight } from '../common/single-flight.js';
import { adminConfig, type AdminConfig } from '../config/admin.config.js';
import {
  cacheConfig,
  type CacheConfig,
  type OperationCacheSettings,
} from '../config/cache.config.js';
import { RedisService } from '../redis/redis.service.js';
import { CacheStore, type StoredAnswer } from './cache-store.js';
import { FleetFlight } from './fleet-flight.js';

/** How a request was served: the access log's `cache` field and the metric's `result`. */
export type CacheResult = 'hit' | 'miss' | 'coalesced' | 'shared' | 'stale';

/** Observes the cache (metrics subscribe here). */
export interface CacheListener {
  result(operation: string, result: CacheResult): void;
}

/** What one caller asks of a read, besides the operation's own policy. */
export interface CacheReadOptions {
  /**
   * Epoch ms by which the answer must come: the Admin Control call (and a wait for another
   * instance's call) ends at the sooner of this and ADMIN_TIMEOUT_MS.
   */
  deadlineAt?: number;
  /** Reuse no answer older than this, whatever the operation's TTL (a watcher's interval). */
  maxAgeMs?: number;
}

interface Fetched {
  answer: StoredAnswer;
  shared: boolean;
}

const NO_CACHE: OperationCacheSettings = { ttlMs: 0, staleIfErrorMs: 0 };

/**
 * The read-through cache in front of Admin Control, for every operation that declares a cache
 * policy: an answer is reused for the operation's TTL; concurrent misses of one key share one
 * call (per instance, and with Redis across the fleet: fleet-flight.ts); with Redis, instances
 * share answers; optionally the last good answer is served while Admin Control fails
 * (stale-if-error). Errors are never cached. Keys are operation name + parameters; metrics
 * carry the operation name only.
 */
@Injectable()
export class OperationCache {
  private readonly store: CacheStore;
  private readonly flights = new SingleFlight<string, Fetched>();
  private readonly fleet: FleetFlight;
  private readonly listeners: CacheListener[] = [];

  constructor(
    private readonly admin: AdminApiClient,
    redis: RedisService,
    @Inject(cacheConfig.KEY) private readonly config: CacheConfig,
    @Inject(adminConfig.KEY) private readonly adminSettings: AdminConfig,
  ) {
    this.store = new CacheStore(config.maxBytes);
    this.fleet = new FleetFlight(redis, adminSettings.timeoutMs);
  }

  addListener(listener: CacheListener): void {
    this.listeners.push(listener);
  }

  /**
   * The operation's answer for `input`, from the cache when it is fresh enough. Callers that
   * join a call already in flight share its deadline.
   */
  async get<I extends OperationInput, T>(
    operation: AdminOperation<I, T>,
    input: I,
    context?: RequestContext,
    options: CacheReadOptions = {},
  ): Promise<T> {
    const settings = this.config.byOperation[operation.name] ?? NO_CACHE;
    const key = `${operation.name}:${cacheKeyOf(operation, input)}`;
    const stored = this.store.get(key);
    const freshMs = Math.min(settings.ttlMs, options.maxAgeMs ?? Infinity);
    if (stored !== undefined && Date.now() - stored.fetchedAt < freshMs) {
      this.report(operation.name, 'hit', context);
      return stored.value as T;
    }
    const flight = this.flights.run(key, () =>
      this.fetch(operation, input, key, settings, context, options),
    );
    try {
      const fetched = await flight.promise;
      const result = flight.shared ? 'coalesced' : fetched.shared ? 'shared' : 'miss';
      this.report(operation.name, result, context);
      return fetched.answer.value as T;
    } catch (error) {
      const stale = this.staleFor(key, settings, error);
      if (stale === undefined) {
        this.report(operation.name, flight.shared ? 'coalesced' : 'miss', context);
        throw error;
      }
      this.report(operation.name, 'stale', context);
      if (context) {
        const age = String(Math.floor((Date.now() - stale.fetchedAt) / 1000));
        context.responseHeaders = { ...context.responseHeaders, age };
      }
      return stale.value as T;
    }
  }

  /** Answers held in this instance, and their approximate size. */
  get stats(): { entries: number; bytes: number } {
    return { entries: this.store.size, bytes: this.store.bytes };
  }

  private async fetch<I extends OperationInput, T>(
    operation: AdminOperation<I, T>,
    input: I,
    key: string,
    settings: OperationCacheSettings,
    context: RequestContext | undefined,
    options: CacheReadOptions,
  ): Promise<Fetched> {
    const keepMs = Math.max(settings.ttlMs, settings.staleIfErrorMs);
    // Without Redis (or without a TTL to share for), no await on the way to Admin Control.
    let deadlineAt = options.deadlineAt;
    if (settings.ttlMs > 0 && this.fleet.available) {
      deadlineAt = Math.min(Date.now() + this.adminSettings.timeoutMs, deadlineAt ?? Infinity);
      const fleet = await this.fleet.run(
        key,
        settings.ttlMs,
        deadlineAt,
        (deadline) => this.admin.send(operation, input, context, deadline),
        (value) => operation.parse(value, input),
        options.maxAgeMs,
      );
      if (fleet !== undefined) {
        this.store.set(key, fleet.answer, fleet.jsonLength, keepMs);
        return { answer: fleet.answer, shared: fleet.shared };
      }
    }
    const value = await this.admin.send(operation, input, context, deadlineAt);
    const answer = { value, fetchedAt: Date.now() };
    if (keepMs > 0) this.store.set(key, answer, JSON.stringify(value).length, keepMs);
    return { answer, shared: false };
  }

  /** Only an upstream failure (5xx) may be papered over; "not found" is an answer. */
  private staleFor(
    key: string,
    settings: OperationCacheSettings,
    error: unknown,
  ): StoredAnswer | undefined {
    if (settings.staleIfErrorMs <= 0) return undefined;
    if (!(error instanceof AppException) || error.getStatus() < 500) return undefined;
    const stored = this.store.get(key);
    if (stored === undefined || Date.now() - stored.fetchedAt >= settings.staleIfErrorMs) {
      return undefined;
    }
    return stored;
  }

  private report(operation: string, result: CacheResult, context?: RequestContext): void {
    if (context) context.cache = result;
    for (const listener of this.listeners) listener.result(operation, result);
  }
}
