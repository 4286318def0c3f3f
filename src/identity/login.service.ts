import { Injectable } from '@nestjs/common';
import { LimiterOverflowError } from '../admin-api/concurrency-limiter.js';
import { AppException } from '../common/app.exception.js';
import { messageFor } from '../common/error-response.js';
import { IdentityMetrics } from './identity-metrics.service.js';
import { LoginThrottle, type LoginReservation } from './login-throttle.js';
import { TokenSigner } from './token-signer.service.js';
import { UserDirectory } from './user-directory.service.js';

/** Signs a user in from the users file: an access token, or 401/429/503. */
@Injectable()
export class LoginService {
  constructor(
    private readonly directory: UserDirectory,
    private readonly throttle: LoginThrottle,
    private readonly signer: TokenSigner,
    private readonly metrics: IdentityMetrics,
  ) {}

  /** `address` is the client's throttle tracker (addressTracker). */
  async login(username: string, password: string, address: string): Promise<string> {
    const reservation = await this.reserve(username, address);
    if (!(await this.verify(username, password, reservation))) {
      this.metrics.login('failure');
      // One answer for an unknown user and a wrong password, after the same work.
      throw new AppException(401, messageFor(401));
    }
    await this.throttle.succeeded(reservation);
    this.metrics.login('success');
    return this.signer.signAccessToken(username);
  }

  private async reserve(username: string, address: string): Promise<LoginReservation> {
    try {
      return await this.throttle.reserve(username, address);
    } catch (error) {
      this.metrics.login('throttled');
      throw error;
    }
  }

  private async verify(
    username: string,
    password: string,
    reservation: LoginReservation,
  ): Promise<boolean> {
    try {
      return await this.directory.verify(username, password);
    } catch (error) {
      await this.throttle.cancel(reservation);
      if (!(error instanceof LimiterOverflowError)) throw error;
      this.metrics.login('unavailable');
      throw new AppException(503, messageFor(503), {
        headers: { 'retry-after': '1' },
        cause: error,
      });
    }
  }
}
