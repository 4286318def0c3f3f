import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppException } from './app.exception.js';
import { messageFor } from './error-response.js';

/**
 * For routes that take a JSON body: a body of another type is a 415 before it is looked at.
 * The adapter also parses forms and text, and a page on another site can post those without
 * asking (no CORS preflight); JSON it cannot.
 */
@Injectable()
export class JsonBodyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const type = context.switchToHttp().getRequest<FastifyRequest>().headers['content-type'];
    const mediaType = type?.split(';')[0].trim().toLowerCase();
    if (mediaType !== undefined && mediaType !== 'application/json') {
      throw new AppException(415, messageFor(415));
    }
    return true;
  }
}
