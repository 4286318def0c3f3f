import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AuthUser } from './auth.types.js';
import { unauthorized } from './jwt-auth.guard.js';

/** The caller the global JwtAuthGuard authenticated; on a @Public() route there is none: 401. */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const user = context.switchToHttp().getRequest<FastifyRequest & { user?: AuthUser }>().user;
  if (user === undefined) throw unauthorized();
  return user;
});
