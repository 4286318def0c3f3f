import { HttpException } from '@nestjs/common';

export interface AppExceptionOptions {
  /** Extra response headers, e.g. WWW-Authenticate or Retry-After. */
  headers?: Record<string, string>;
  /** The underlying error: logged, never sent to the client. */
  cause?: unknown;
}

/** An error whose status and message are safe to show to the client as they are. */
export class AppException extends HttpException {
  readonly headers: Record<string, string>;

  constructor(status: number, message: string, options: AppExceptionOptions = {}) {
    super(message, status, { cause: options.cause });
    this.headers = options.headers ?? {};
  }
}

// A wait as Retry-After and the throttler count it: whole seconds, rounded up, at least 1.
export function waitSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
