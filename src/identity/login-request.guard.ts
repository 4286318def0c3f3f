import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppException } from '../common/app.exception.js';
import { messageFor } from '../common/error-response.js';
import { UserDirectory } from './user-directory.service.js';

/**
 * Before the body is looked at: without AUTH_USERS_FILE, POST /auth/login is a route that does
 * not exist (404); a body must be JSON (415): the adapter also parses forms, which a page on
 * another site can post without asking.
 */
@Injectable()
export class LoginRequestGuard implements CanActivate {
  constructor(private readonly directory: UserDirectory) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.directory.enabled) throw new AppException(404, messageFor(404));
    const type = context.switchToHttp().getRequest<FastifyRequest>().headers['content-type'];
    const mediaType = type?.split(';')[0].trim().toLowerCase();
    if (mediaType !== undefined && mediaType !== 'application/json') {
      throw new AppException(415, messageFor(415));
    }
    return true;
  }
}
