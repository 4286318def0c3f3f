import { Injectable, type CanActivate } from '@nestjs/common';
import { AppException } from '../common/app.exception.js';
import { messageFor } from '../common/error-response.js';
import { UserDirectory } from './user-directory.service.js';

/** Without AUTH_USERS_FILE, POST /auth/login is a route that does not exist (404). */
@Injectable()
export class LoginRequestGuard implements CanActivate {
  constructor(private readonly directory: UserDirectory) {}

  canActivate(): boolean {
    if (!this.directory.enabled) throw new AppException(404, messageFor(404));
    return true;
  }
}
