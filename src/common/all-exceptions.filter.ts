import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody, toErrorResponse } from './error-response.js';

/** The one place errors become responses: every body is the ProCONF error envelope. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const response = toErrorResponse(exception);

    const where = `${request.method} ${request.routeOptions?.url ?? 'unmatched'} (${request.id})`;
    if (response.unexpected) {
      this.logger.error(`${where}: ${describe(exception)}`, (exception as Error)?.stack);
    } else if (response.status >= 500) {
      this.logger.warn(`${where}: ${response.status} ${describe(exception)}`);
    }
    if (reply.sent) return;
    reply
      .status(response.status)
      .headers(response.headers)
      .header('content-type', 'application/json; charset=utf-8')
      .send(errorBody(response.status, response.message));
  }
}

function describe(exception: unknown): string {
  if (!(exception instanceof Error)) return String(exception);
  const cause = exception.cause instanceof Error ? ` <- ${exception.cause.message}` : '';
  return `${exception.name}: ${exception.message}${cause}`;
}
