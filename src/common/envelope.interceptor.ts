import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { map, type Observable } from 'rxjs';
import type { ContextRequest } from './request-context.js';

export interface SuccessEnvelope<T> {
  error: null;
  data: T;
}

/**
 * Wraps every successful handler result in the ProCONF success envelope, and adds the headers
 * a service asked for through the request context (e.g. Age on a stale status).
 */
@Injectable()
export class EnvelopeInterceptor<T> implements NestInterceptor<T, SuccessEnvelope<T>> {
  intercept(context: ExecutionContext, next: CallHandler<T>): Observable<SuccessEnvelope<T>> {
    const http = context.switchToHttp();
    return next.handle().pipe(
      map((data) => {
        const headers = http.getRequest<ContextRequest>().ctx?.responseHeaders;
        if (headers !== undefined) http.getResponse<FastifyReply>().headers(headers);
        return { error: null, data };
      }),
    );
  }
}
