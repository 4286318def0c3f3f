import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Observable, tap } from 'rxjs';
import { type RequestContext, runWithContext } from './request-context.js';

export type ContextRequest = FastifyRequest & { ctx?: RequestContext };

/** Runs the handler inside the request's context so services and clients can reach it. */
@Injectable()
export class RequestContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<ContextRequest>();
    const ctx: RequestContext = { requestId: request.id };
    request.ctx = ctx;
    const handled = new Observable((subscriber) =>
      runWithContext(ctx, () => next.handle().subscribe(subscriber)),
    );
    return handled.pipe(
      tap(() => {
        if (ctx.responseHeaders) http.getResponse<FastifyReply>().headers(ctx.responseHeaders);
      }),
    );
  }
}
