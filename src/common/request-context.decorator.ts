import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { contextOf, type ContextRequest } from './request-context.js';

/** The request's RequestContext, for handlers that pass it on to services. */
export const RequestCtx = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  contextOf(context.switchToHttp().getRequest<ContextRequest>()),
);
