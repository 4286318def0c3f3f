import type { BreakerState } from '../admin-api/circuit-breaker.js';

/** How one S3 read ended; drives the breaker, logs, metrics and the client's answer. */
export type S3Outcome =
  | 'ok'
  | 'not_found' // NoSuchKey
  | 'too_large' // larger than the caller's byte limit: reading stopped there
  | 'not_utf8' // the object's bytes are not valid UTF-8
  | 'rejected' // 403: AccessDenied, unknown key id, bad signature, no credentials found
  | 'no_bucket' // NoSuchBucket
  | 'client_error' // another 4xx
  | 'server_error' // 5xx (InternalError, SlowDown, ...)
  | 'timeout'
  | 'connection' // no complete response: refused, reset, DNS...
  | 'circuit_open' // refused by the breaker without calling S3
  | 'disabled' // S3_BUCKET is not set
  | 'invalid_key'; // the key Admin Control gave is not a relative object key

/** What GET /health/ready reports for S3. */
export type S3Health = 'disabled' | 'up' | 'down';

/** How the summary cache served a read. */
export type SummaryCacheResult = 'hit' | 'miss' | 'coalesced';

/** Observes the S3 client (metrics subscribe here, so s3 depends on nothing of theirs). */
export interface S3Listener {
  /** A call to S3 ended (an SDK-internal retry is part of the same call). */
  call?(outcome: S3Outcome, durationMs: number): void;
  /** A call was refused without reaching S3 because the breaker is open. */
  refused?(): void;
  breaker?(state: BreakerState): void;
}

/** Observes the summary cache. */
export interface SummaryCacheListener {
  result(result: SummaryCacheResult): void;
}
