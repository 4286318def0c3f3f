import { AppException } from '../common/app.exception.js';
import type { UpstreamOutcome } from './admin-api.types.js';

/** An Admin Control call failed; status and message are what the client may see. */
export class AdminApiException extends AppException {
  constructor(
    readonly outcome: UpstreamOutcome,
    status: number,
    message: string,
    options: { cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(status, message, options);
  }
}

export function upstreamFailure(outcome: UpstreamOutcome, cause?: unknown): AdminApiException {
  switch (outcome) {
    case 'not_found':
      // Services give this its domain meaning (e.g. "Room not found").
      return new AdminApiException(outcome, 404, 'Not found', { cause });
    case 'timeout':
      return new AdminApiException(outcome, 504, 'Gateway timeout', { cause });
    default:
      return new AdminApiException(outcome, 502, 'Bad gateway', { cause });
  }
}

export function unavailable(outcome: UpstreamOutcome, retryAfterMs: number): AdminApiException {
  const seconds = String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
  return new AdminApiException(outcome, 503, 'Service unavailable', {
    headers: { 'retry-after': seconds },
  });
}
