import { UpstreamStatusError } from './admin-api.exception.js';
import type { UpstreamOutcome } from './admin-api.types.js';
import type { AnyAdminOperation } from './admin-operation.js';

// How AdminApiClient reads an Admin Control answer, and when a failed attempt may be retried.

// Connection failures that happen before a request is written: safe to retry any call.
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Only failures where Admin Control most likely did nothing, and that a retry may fix. */
export function isRetryable(
  operation: AnyAdminOperation,
  outcome: UpstreamOutcome,
  error: unknown,
): boolean {
  if (operation.retry === 'unsent') {
    return outcome === 'connection' && NOT_SENT.has((error as { code?: string }).code ?? '');
  }
  if (outcome === 'connection') return true;
  return (
    outcome === 'server_error' &&
    error instanceof UpstreamStatusError &&
    [502, 503, 504].includes(error.status)
  );
}

export function parseJson(text: unknown): unknown {
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

/** Admin Control answers `{"error":null,"data":...}`; `data` is the operation's to check. */
export function parseEnvelope<T>(
  body: unknown,
  parse: (data: unknown) => T | undefined,
): T | undefined {
  if (!isObject(body) || (body.error !== null && body.error !== undefined)) return undefined;
  return parse(body.data);
}
