import { AppException, waitSeconds } from '../common/app.exception.js';
import type { S3Outcome } from './s3.types.js';

/** An S3 read failed; status and message are what the client may see. */
export class S3Exception extends AppException {
  constructor(
    readonly outcome: S3Outcome,
    status: number,
    message: string,
    options: { cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(status, message, options);
  }
}

/** The client-safe answer for a failed read; the reason stays in `cause` and the log. */
export function s3Failure(outcome: S3Outcome, cause?: unknown): S3Exception {
  switch (outcome) {
    case 'not_found':
      // Callers give this its domain meaning (e.g. "Summary not found").
      return new S3Exception(outcome, 404, 'Not found', { cause });
    case 'timeout':
      return new S3Exception(outcome, 504, 'Gateway timeout', { cause });
    case 'disabled':
      return new S3Exception(outcome, 503, 'Service unavailable', { cause });
    default:
      return new S3Exception(outcome, 502, 'Bad gateway', { cause });
  }
}

export function s3Unavailable(retryAfterMs: number): S3Exception {
  return new S3Exception('circuit_open', 503, 'Service unavailable', {
    headers: { 'retry-after': String(waitSeconds(retryAfterMs)) },
  });
}
