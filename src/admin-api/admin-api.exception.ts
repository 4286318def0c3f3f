import { AppException, waitSeconds } from '../common/app.exception.js';
import type { UpstreamOutcome } from './admin-api.types.js';
import type { AnyAdminOperation } from './admin-operation.js';

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

/** Admin Control answered with a status other than 200. */
export class UpstreamStatusError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/**
 * What the client sees for a failed call: the operation's declared mapping for Admin Control's
 * status (e.g. 404 -> "Room not found"), otherwise 504 for a timeout and 502 for the rest.
 */
export function upstreamFailure(
  operation: Pick<AnyAdminOperation, 'errors'>,
  outcome: UpstreamOutcome,
  cause?: unknown,
): AdminApiException {
  if (cause instanceof UpstreamStatusError) {
    const mapped = operation.errors[cause.status];
    if (mapped !== undefined) {
      return new AdminApiException(outcome, mapped.status, mapped.message, { cause });
    }
  }
  switch (outcome) {
    case 'timeout':
      return new AdminApiException(outcome, 504, 'Gateway timeout', { cause });
    default:
      return new AdminApiException(outcome, 502, 'Bad gateway', { cause });
  }
}

export function unavailable(outcome: UpstreamOutcome, retryAfterMs: number): AdminApiException {
  return new AdminApiException(outcome, 503, 'Service unavailable', {
    headers: { 'retry-after': String(waitSeconds(retryAfterMs)) },
  });
}
