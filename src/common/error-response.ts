import { HttpException, HttpStatus } from '@nestjs/common';
import { AppException } from './app.exception.js';

export interface ErrorResponse {
  status: number;
  message: string;
  headers: Record<string, string>;
  /** True when the error is ours (a bug or an unknown failure): log it at error level. */
  unexpected: boolean;
}

// The messages clients see for errors that carry no message of ours. The ProCONF docs fix the
// casing of 400/401/404/500; the rest follow the same style.
const MESSAGES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  406: 'Not acceptable',
  408: 'Request timeout',
  413: 'Payload too large',
  414: 'URI too long',
  415: 'Unsupported media type',
  417: 'Expectation failed',
  429: 'Too many requests',
  431: 'Request header fields too large',
  500: 'Internal server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway timeout',
};

export function messageFor(status: number): string {
  return MESSAGES[status] ?? (status >= 500 ? MESSAGES[500] : MESSAGES[400]);
}

function statusOf(exception: unknown): number | undefined {
  if (exception instanceof HttpException) return exception.getStatus();
  // Fastify's own errors (body parser, content type, size limits) carry statusCode.
  const status = (exception as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : undefined;
}

/** Maps anything thrown to what the client sees. Pure: the filter renders it, tests pin it. */
export function toErrorResponse(exception: unknown): ErrorResponse {
  if (exception instanceof AppException) {
    return {
      status: exception.getStatus(),
      message: exception.message,
      headers: exception.headers,
      unexpected: false,
    };
  }
  const status = statusOf(exception);
  if (status === undefined || status >= 500) {
    return { status: 500, message: messageFor(500), headers: {}, unexpected: true };
  }
  // The ProCONF contract answers 404 for a wrong method, not 405.
  const shown = status === HttpStatus.METHOD_NOT_ALLOWED ? 404 : status;
  const headers: Record<string, string> = shown === 401 ? { 'www-authenticate': 'Bearer' } : {};
  return { status: shown, message: messageFor(shown), headers, unexpected: false };
}

/**
 * The error envelope. The ProCONF docs print 404 and 500 with "error" first and the others with
 * "data" first; we keep their order so byte-for-byte client fixtures still match.
 */
export function errorBody(status: number, message: string): string {
  const error = JSON.stringify({ code: status, message });
  return status === 404 || status === 500
    ? `{"error":${error},"data":null}`
    : `{"data":null,"error":${error}}`;
}
