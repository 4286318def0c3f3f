import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { isAxiosError } from 'axios';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppException } from '../common/app.exception.js';
import type { RequestContext } from '../common/request-context.js';
import { adminConfig, type AdminConfig } from '../config/admin.config.js';
import { AdminApiException, unavailable, upstreamFailure } from './admin-api.exception.js';
import type { AdminApiListener, SessionStatus, UpstreamOutcome } from './admin-api.types.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { ConcurrencyLimiter, LimiterOverflowError } from './concurrency-limiter.js';
import { RetryBudget } from './retry-budget.js';
import { leanAxiosDefaults, type ClosableAdapter } from './undici.adapter.js';

export const MAX_BODY_BYTES = 64 * 1024;
// A retry is only worth starting if it has at least this long before the deadline.
const MIN_RETRY_WINDOW_MS = 50;
const OVERLOAD_RETRY_AFTER_MS = 1000;

/** One logical Admin Control call: its deadline covers queueing, both attempts and backoff. */
interface Call<T> {
  url: URL;
  parse: (body: unknown) => T | undefined;
  context?: RequestContext;
  /** The breaker let this call through as its half-open probe. */
  probe: boolean;
  deadline: number;
  signal: AbortSignal;
}

type Attempt<T> = { outcome: 'ok'; value: T } | { outcome: UpstreamOutcome; error: unknown };

/** Failures that say Admin Control itself is unwell: they feed the breaker. */
const UNHEALTHY = new Set<UpstreamOutcome>(['timeout', 'connection', 'server_error']);

/**
 * The only code that talks HTTP to Admin Control: one method per Admin Control call. It builds
 * and checks URLs, bounds every call by a total deadline, retries within a budget, stops calling
 * while Admin Control is failing, caps concurrency, and turns every failure into an
 * AdminApiException with a client-safe status and message.
 */
@Injectable()
export class AdminApiClient implements OnApplicationShutdown {
  private readonly logger = new Logger(AdminApiClient.name);
  private readonly listeners: AdminApiListener[] = [];
  private readonly breaker: CircuitBreaker;
  private readonly budget: RetryBudget;
  private readonly limiter: ConcurrencyLimiter;
  private readonly headers: Record<string, string>;

  constructor(
    private readonly http: HttpService,
    @Inject(adminConfig.KEY) private readonly config: AdminConfig,
  ) {
    this.breaker = new CircuitBreaker(config.breaker, Date.now, (state) => {
      this.logger.warn(`circuit breaker ${state}`);
      for (const listener of this.listeners) listener.breaker?.(state);
    });
    this.budget = new RetryBudget({
      ratio: config.retry.budgetRatio,
      windowMs: config.retry.budgetWindowMs,
      minPerWindow: config.retry.minPerWindow,
    });
    this.limiter = new ConcurrencyLimiter(config.maxConcurrency, config.maxQueue);
    leanAxiosDefaults(http.axiosRef);
    // Built once: the caller's Authorization and cookies are never forwarded.
    this.headers = { 'content-type': 'application/json', accept: 'application/json' };
    if (config.apiKey !== undefined) this.headers[config.apiKeyHeader] = config.apiKey;
  }

  addListener(listener: AdminApiListener): void {
    this.listeners.push(listener);
  }

  get breakerState(): string {
    return this.breaker.current;
  }

  /** GET /sessions-status/:room_name */
  getSessionStatus(roomName: string, context?: RequestContext): Promise<SessionStatus> {
    return this.get(this.segmentUrl('sessions-status', roomName), parseSessionStatus, context);
  }

  /** `<base>/<resource>/<value as exactly one encoded segment>`, or a 400 if it cannot be. */
  segmentUrl(resource: string, value: string): URL {
    const segment = encodeURIComponent(value);
    const path = `${this.config.basePath}/${resource}/${segment}`;
    const url = new URL(path, this.config.baseUrl);
    // "." and ".." survive encoding and URL normalisation turns them into traversal; whatever
    // a deployment's room-name pattern allows, the request must name exactly one segment.
    if (segment === '' || segment === '.' || segment === '..' || url.pathname !== path) {
      throw new AppException(400, 'Invalid room name.');
    }
    return url;
  }

  async onApplicationShutdown(): Promise<void> {
    const adapter = this.http.axiosRef.defaults.adapter as Partial<ClosableAdapter> | undefined;
    await adapter?.close?.();
  }

  private async get<T>(
    url: URL,
    parse: (body: unknown) => T | undefined,
    context?: RequestContext,
  ): Promise<T> {
    const admission = this.breaker.admit();
    if (!admission.allowed) {
      this.refuse('circuit_open', context);
      throw unavailable('circuit_open', admission.retryAfterMs);
    }
    // One timer for the whole call (queueing, attempts, backoff), cleared as soon as it ends.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.config.timeoutMs);
    const call: Call<T> = {
      url,
      parse,
      context,
      probe: admission.probe,
      deadline: Date.now() + this.config.timeoutMs,
      signal: controller.signal,
    };
    try {
      return await this.limiter.run(() => this.withRetry(call), call.signal);
    } catch (error) {
      if (error instanceof AdminApiException) throw error;
      if (error instanceof LimiterOverflowError) {
        // Refused before reaching Admin Control: says nothing about its health.
        if (call.probe) this.breaker.releaseProbe();
        this.refuse('overloaded', context);
        throw unavailable('overloaded', OVERLOAD_RETRY_AFTER_MS);
      }
      // The deadline passed while waiting for a slot.
      if (call.probe) this.breaker.record(true, true);
      if (context) context.upstream = 'timeout';
      throw upstreamFailure('timeout', error);
    } finally {
      clearTimeout(timer);
    }
  }

  private async withRetry<T>(call: Call<T>): Promise<T> {
    this.budget.recordCall();
    for (let attempt = 1; ; attempt++) {
      const result = await this.attempt(call);
      this.breaker.record(UNHEALTHY.has(result.outcome), call.probe && attempt === 1);
      if (call.context) call.context.upstream = result.outcome;
      if (result.outcome === 'ok') return (result as { value: T }).value;
      const error = (result as { error: unknown }).error;
      const backoff = this.backoffMs();
      const canRetry =
        attempt === 1 &&
        this.config.retry.enabled &&
        isRetryable(result.outcome, error) &&
        this.breaker.current === 'closed' &&
        call.deadline - Date.now() > backoff + MIN_RETRY_WINDOW_MS &&
        this.budget.tryRetry();
      if (!canRetry) {
        this.logFailure(call, result.outcome, error);
        throw upstreamFailure(result.outcome, error);
      }
      for (const listener of this.listeners) listener.retry?.();
      await sleep(backoff, undefined, { signal: call.signal }).catch(() => undefined);
      if (call.signal.aborted) throw upstreamFailure('timeout', call.signal.reason);
    }
  }

  private async attempt<T>(call: Call<T>): Promise<Attempt<T>> {
    const started = performance.now();
    const outcome = await this.send(call);
    const elapsed = performance.now() - started;
    for (const listener of this.listeners) listener.attempt?.(outcome.outcome, elapsed);
    return outcome;
  }

  private async send<T>(call: Call<T>): Promise<Attempt<T>> {
    const requestId = call.context?.requestId;
    const headers = requestId ? { ...this.headers, 'x-request-id': requestId } : this.headers;
    try {
      // responseType, transforms and validateStatus are the instance's (AdminApiModule).
      const response = await this.http.axiosRef.request<string>({
        url: call.url.href,
        method: 'GET',
        headers,
        signal: call.signal,
      });
      const status = response.status;
      if (status === 404) return { outcome: 'not_found', error: new Error('HTTP 404') };
      if (status === 401 || status === 403) return fail('rejected', `HTTP ${status}`, status);
      if (status >= 500) return fail('server_error', `HTTP ${status}`, status);
      if (status !== 200) return fail('client_error', `HTTP ${status}`, status);
      const value = call.parse(parseJson(response.data));
      if (value === undefined) return fail('malformed', 'unexpected body', status);
      return { outcome: 'ok', value };
    } catch (error) {
      if (call.signal.aborted) return { outcome: 'timeout', error };
      if (isAxiosError(error) && error.code === 'ERR_BAD_RESPONSE') {
        return { outcome: 'malformed', error }; // larger than MAX_BODY_BYTES
      }
      return { outcome: 'connection', error };
    }
  }

  private backoffMs(): number {
    const { minBackoffMs, maxBackoffMs } = this.config.retry;
    return minBackoffMs + Math.random() * Math.max(0, maxBackoffMs - minBackoffMs);
  }

  private refuse(outcome: UpstreamOutcome, context?: RequestContext): void {
    if (context) context.upstream = outcome;
    for (const listener of this.listeners) listener.refused?.(outcome);
  }

  private logFailure(call: Call<unknown>, outcome: UpstreamOutcome, error: unknown): void {
    if (outcome === 'not_found') return;
    const reason = error instanceof Error ? error.message : String(error);
    const requestId = call.context?.requestId ?? '-';
    this.logger.warn(`GET ${call.url.pathname} failed: ${outcome} (${reason}) [${requestId}]`);
  }
}

class UpstreamStatusError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

function fail(outcome: UpstreamOutcome, message: string, status: number): Attempt<never> {
  return { outcome, error: new UpstreamStatusError(message, status) };
}

/** Only failures where Admin Control most likely did nothing, and that a retry may fix. */
function isRetryable(outcome: UpstreamOutcome, error: unknown): boolean {
  if (outcome === 'connection') return true;
  return (
    outcome === 'server_error' &&
    error instanceof UpstreamStatusError &&
    [502, 503, 504].includes(error.status)
  );
}

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Admin Control answers {"error":null,"data":{"transcript_status":..,"recording_status":..}}. */
export function parseSessionStatus(body: unknown): SessionStatus | undefined {
  if (!isObject(body) || (body.error !== null && body.error !== undefined)) return undefined;
  const data = body.data;
  if (!isObject(data)) return undefined;
  const { transcript_status: transcript, recording_status: recording } = data;
  if (typeof transcript !== 'boolean' || typeof recording !== 'boolean') return undefined;
  return { transcript_status: transcript, recording_status: recording };
}
