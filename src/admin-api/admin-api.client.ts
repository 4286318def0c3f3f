import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { isAxiosError } from 'axios';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RequestContext } from '../common/request-context.js';
import { adminConfig, type AdminConfig } from '../config/admin.config.js';
import {
  AdminApiException,
  unavailable,
  upstreamFailure,
  UpstreamStatusError,
} from './admin-api.exception.js';
import type { AdminApiListener, UpstreamOutcome } from './admin-api.types.js';
import {
  operationPath,
  type AdminOperation,
  type AnyAdminOperation,
  type OperationInput,
} from './admin-operation.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { isRetryable, parseEnvelope, parseJson } from './upstream-answer.js';
import { ConcurrencyLimiter, LimiterOverflowError } from './concurrency-limiter.js';
import { RetryBudget } from './retry-budget.js';
import { leanAxiosDefaults, type ClosableAdapter } from './undici.adapter.js';

// A retry is only worth starting if it has at least this long before the deadline.
const MIN_RETRY_WINDOW_MS = 50;
const OVERLOAD_RETRY_AFTER_MS = 1000;

/** One logical Admin Control call: its deadline covers queueing, both attempts and backoff. */
interface Call<T> {
  operation: AdminOperation<never, T>;
  /** What the operation's parser checks the answer against. */
  input: OperationInput;
  url: URL;
  body: string | undefined;
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
 * The only code that talks HTTP to Admin Control. It runs any declared operation
 * (admin-operation.ts): builds and checks the URL, bounds the call by a total deadline, retries
 * within a budget, stops calling while Admin Control is failing, caps concurrency, and turns
 * every failure into an AdminApiException with a client-safe status and message.
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

  /**
   * Runs one declared operation: `input` holds its path parameters (and what its body reads).
   * A parameter that cannot be one path segment throws its 400 at once, without a call. The
   * call's deadline is ADMIN_TIMEOUT_MS from now, or `deadlineAt` if that is sooner.
   */
  send<I extends OperationInput, T>(
    operation: AdminOperation<I, T>,
    input: I,
    context?: RequestContext,
    deadlineAt?: number,
  ): Promise<T> {
    const url = this.urlOf(operation, input);
    const body = operation.body === undefined ? undefined : JSON.stringify(operation.body(input));
    return this.run(operation, input, url, body, context, deadlineAt);
  }

  /** `<base><operation path>`, asserted to be exactly the path intended. */
  urlOf(operation: AnyAdminOperation, input: OperationInput): URL {
    const path = this.config.basePath + operationPath(operation, input);
    const url = new URL(path, this.config.baseUrl);
    if (url.pathname !== path)
      throw new Error(`${operation.name}: URL normalisation changed ${path}`);
    return url;
  }

  async onApplicationShutdown(): Promise<void> {
    const adapter = this.http.axiosRef.defaults.adapter as Partial<ClosableAdapter> | undefined;
    await adapter?.close?.();
  }

  private async run<T>(
    operation: AdminOperation<never, T>,
    input: OperationInput,
    url: URL,
    body: string | undefined,
    context?: RequestContext,
    deadlineAt?: number,
  ): Promise<T> {
    const timeoutMs =
      deadlineAt === undefined
        ? this.config.timeoutMs
        : Math.min(this.config.timeoutMs, deadlineAt - Date.now());
    if (timeoutMs <= 0) {
      if (context) context.upstream = 'timeout';
      throw upstreamFailure(operation, 'timeout');
    }
    const admission = this.breaker.admit();
    if (!admission.allowed) {
      this.refuse('circuit_open', context);
      throw unavailable('circuit_open', admission.retryAfterMs);
    }
    // One timer for the whole call (queueing, attempts, backoff), cleared as soon as it ends.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const call: Call<T> = {
      operation,
      input,
      url,
      body,
      context,
      probe: admission.probe,
      deadline: Date.now() + timeoutMs,
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
      throw upstreamFailure(operation, 'timeout', error);
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
        isRetryable(call.operation, result.outcome, error) &&
        this.breaker.current === 'closed' &&
        call.deadline - Date.now() > backoff + MIN_RETRY_WINDOW_MS &&
        this.budget.tryRetry();
      if (!canRetry) {
        this.logFailure(call, result.outcome, error);
        throw upstreamFailure(call.operation, result.outcome, error);
      }
      for (const listener of this.listeners) listener.retry?.();
      await sleep(backoff, undefined, { signal: call.signal }).catch(() => undefined);
      if (call.signal.aborted) {
        throw upstreamFailure(call.operation, 'timeout', call.signal.reason);
      }
    }
  }

  private async attempt<T>(call: Call<T>): Promise<Attempt<T>> {
    const started = performance.now();
    const outcome = await this.request(call);
    const elapsed = performance.now() - started;
    for (const listener of this.listeners) {
      listener.attempt?.(outcome.outcome, elapsed, call.operation.name);
    }
    return outcome;
  }

  private async request<T>(call: Call<T>): Promise<Attempt<T>> {
    const requestId = call.context?.requestId;
    const headers = requestId ? { ...this.headers, 'x-request-id': requestId } : this.headers;
    try {
      // responseType, transforms and validateStatus are the instance's (AdminApiModule).
      const response = await this.http.axiosRef.request<string>({
        url: call.url.href,
        method: call.operation.method,
        headers,
        data: call.body,
        signal: call.signal,
        maxContentLength: call.operation.maxResponseBytes,
      });
      const status = response.status;
      if (status === 404) return fail('not_found', 'HTTP 404', status);
      if (status === 401 || status === 403) return fail('rejected', `HTTP ${status}`, status);
      if (status >= 500) return fail('server_error', `HTTP ${status}`, status);
      if (status !== 200) return fail('client_error', `HTTP ${status}`, status);
      const value = parseEnvelope(parseJson(response.data), (data) =>
        call.operation.parse(data, call.input as never),
      );
      if (value === undefined) return fail('malformed', 'unexpected body', status);
      return { outcome: 'ok', value };
    } catch (error) {
      if (call.signal.aborted) return { outcome: 'timeout', error };
      if (isAxiosError(error) && error.code === 'ERR_BAD_RESPONSE') {
        return { outcome: 'malformed', error }; // larger than the operation's maxResponseBytes
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
    const { name, method } = call.operation;
    this.logger.warn(
      `${name} (${method} ${call.url.pathname}) failed: ${outcome} (${reason}) [${requestId}]`,
    );
  }
}

function fail(outcome: UpstreamOutcome, message: string, status: number): Attempt<never> {
  return { outcome, error: new UpstreamStatusError(message, status) };
}
