import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { CircuitBreaker } from '../admin-api/circuit-breaker.js';
import { RetryBudget } from '../admin-api/retry-budget.js';
import type { RequestContext } from '../common/request-context.js';
import { s3Config, type S3Config } from '../config/s3.config.js';
import { MAX_OBJECT_KEY_BYTES } from './object-key.js';
import { s3Failure, s3Unavailable } from './s3.exception.js';
import { classify, describeFailure, destroyBody, ObjectError, readAtMost } from './s3-response.js';
import { S3_SDK, type S3Sdk } from './s3-sdk.js';
import type { S3Health, S3Listener, S3Outcome } from './s3.types.js';

export interface GetTextOptions {
  /** Reading stops past this many bytes: the object is then 'too_large'. */
  maxBytes: number;
  /** Its request id goes into the failure log line. */
  context?: RequestContext;
}

export interface ObjectText {
  text: string;
  /** Size of the object in bytes (UTF-8). */
  bytes: number;
}

type Result = { outcome: 'ok'; value: ObjectText } | { outcome: S3Outcome; error: unknown };

/** Failures that say S3 itself is unwell: they feed the breaker. */
const UNHEALTHY = new Set<S3Outcome>(['timeout', 'connection', 'server_error']);
/** Failures a second attempt may fix (S3 asks clients to retry 500 and 503 SlowDown). */
const RETRYABLE = new Set<S3Outcome>(['connection', 'server_error']);
/** Outcomes of one object, not of S3: the store is still reported up. */
const OBJECT_OUTCOMES = new Set<S3Outcome>(['ok', 'not_found', 'too_large', 'not_utf8']);
// Retries are ours, not the SDK's (whose throttling backoff of up to seconds ignores our
// deadline): full jitter in 25-250 ms, only if the retry still has 50 ms before the deadline,
// and within a budget of 20% of calls (at least 5 per 10 s), like Admin Control's.
const RETRY_MIN_BACKOFF_MS = 25;
const RETRY_BACKOFF_SPREAD_MS = 225;
const MIN_RETRY_WINDOW_MS = 50;
const RETRY_BUDGET = { ratio: 0.2, windowMs: 10_000, minPerWindow: 5 };

/**
 * The only code that talks to S3 (AWS SDK v3): reads one object of S3_BUCKET, below
 * S3_KEY_PREFIX, as UTF-8 text. Every read is bounded by S3_TIMEOUT_MS and by a byte limit,
 * stops calling while S3 is failing (its own breaker), and turns every failure into an
 * S3Exception with a client-safe status and message; the reason and S3's request id go to the
 * log. Credentials come from the SDK's standard chain (environment, shared files, roles).
 */
@Injectable()
export class S3ObjectClient implements OnApplicationShutdown {
  private readonly logger = new Logger('S3');
  private readonly listeners: S3Listener[] = [];
  private readonly breaker: CircuitBreaker;
  private readonly budget = new RetryBudget(RETRY_BUDGET);
  private lastOutcome: S3Outcome | undefined;

  /** `sdk` is null when S3 is not configured (createS3Sdk): then the SDK is never loaded. */
  constructor(
    @Inject(s3Config.KEY) private readonly config: S3Config,
    @Inject(S3_SDK) private readonly sdk: S3Sdk | null,
  ) {
    this.breaker = new CircuitBreaker(config.breaker, Date.now, (state) => {
      this.logger.warn(`circuit breaker ${state}`);
      for (const listener of this.listeners) listener.breaker?.(state);
    });
  }

  get enabled(): boolean {
    return this.sdk !== null;
  }

  get breakerState(): string {
    return this.breaker.current;
  }

  /** `down` while the breaker is not closed or the last read failed because of S3 itself. */
  get health(): S3Health {
    if (!this.enabled) return 'disabled';
    if (this.breaker.current !== 'closed') return 'down';
    return this.lastOutcome === undefined || OBJECT_OUTCOMES.has(this.lastOutcome) ? 'up' : 'down';
  }

  addListener(listener: S3Listener): void {
    this.listeners.push(listener);
  }

  /** GetObject of S3_KEY_PREFIX + `key` as text; `key` must already be a checked relative key. */
  async getText(key: string, options: GetTextOptions): Promise<ObjectText> {
    if (this.sdk === null) throw s3Failure('disabled');
    const objectKey = this.config.keyPrefix + key;
    if (Buffer.byteLength(objectKey) > MAX_OBJECT_KEY_BYTES) {
      this.logger.warn(`object key too long with S3_KEY_PREFIX [${requestIdOf(options)}]`);
      throw s3Failure('invalid_key');
    }
    const admission = this.breaker.admit();
    if (!admission.allowed) {
      for (const listener of this.listeners) listener.refused?.();
      throw s3Unavailable(admission.retryAfterMs);
    }
    // One timer for the whole read: both attempts, the backoff and the body.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.config.timeoutMs);
    const deadline = Date.now() + this.config.timeoutMs;
    const started = performance.now();
    let result: Result;
    try {
      result = await this.withRetry(this.sdk, objectKey, options, {
        signal: controller.signal,
        deadline,
        // A half-open probe is one request: it alone decides whether the breaker closes.
        retry: !admission.probe,
      });
    } finally {
      clearTimeout(timer);
    }
    const elapsed = performance.now() - started;
    // Per read, not per attempt: "5 failures in a row" are 5 reads that failed.
    this.breaker.record(UNHEALTHY.has(result.outcome), admission.probe);
    this.lastOutcome = result.outcome;
    for (const listener of this.listeners) listener.call?.(result.outcome, elapsed);
    if (result.outcome === 'ok') return (result as { value: ObjectText }).value;
    const error = (result as { error: unknown }).error;
    if (result.outcome !== 'not_found') this.logFailure(objectKey, result.outcome, error, options);
    throw s3Failure(result.outcome, error);
  }

  /** At most one retry: a connection failure or 5xx, within the deadline and the budget. */
  private async withRetry(
    sdk: S3Sdk,
    key: string,
    options: GetTextOptions,
    limits: { signal: AbortSignal; deadline: number; retry: boolean },
  ): Promise<Result> {
    this.budget.recordCall();
    for (let attempt = 1; ; attempt++) {
      const result = await this.read(sdk, key, options.maxBytes, limits.signal);
      const backoff = RETRY_MIN_BACKOFF_MS + Math.random() * RETRY_BACKOFF_SPREAD_MS;
      const retry =
        attempt === 1 &&
        limits.retry &&
        RETRYABLE.has(result.outcome) &&
        limits.deadline - Date.now() > backoff + MIN_RETRY_WINDOW_MS &&
        this.budget.tryRetry();
      if (!retry) return result;
      await sleep(backoff, undefined, { signal: limits.signal }).catch(() => undefined);
      if (limits.signal.aborted) return { outcome: 'timeout', error: limits.signal.reason };
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.sdk?.destroy();
  }

  private async read(
    sdk: S3Sdk,
    key: string,
    maxBytes: number,
    signal: AbortSignal,
  ): Promise<Result> {
    try {
      const response = await sdk.getObject(this.config.bucket, key, signal);
      const requestId = response.$metadata.requestId;
      const body = response.Body as AsyncIterable<Uint8Array> | undefined;
      if ((response.ContentLength ?? 0) > maxBytes) {
        destroyBody(body);
        return { outcome: 'too_large', error: new ObjectError('larger than allowed', requestId) };
      }
      const bytes = await readAtMost(body, maxBytes, signal);
      if (bytes === undefined) {
        return { outcome: 'too_large', error: new ObjectError('larger than allowed', requestId) };
      }
      try {
        const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
        return { outcome: 'ok', value: { text, bytes: bytes.byteLength } };
      } catch {
        return { outcome: 'not_utf8', error: new ObjectError('not valid UTF-8', requestId) };
      }
    } catch (error) {
      if (signal.aborted) return { outcome: 'timeout', error };
      return { outcome: classify(error), error };
    }
  }

  private logFailure(key: string, outcome: S3Outcome, error: unknown, options: GetTextOptions) {
    const where = `s3://${this.config.bucket}/${key}`;
    this.logger.warn(
      `GET ${where} failed: ${outcome} (${describeFailure(error)}) [${requestIdOf(options)}]`,
    );
  }
}

function requestIdOf(options: GetTextOptions): string {
  return options.context?.requestId ?? '-';
}
