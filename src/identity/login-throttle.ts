import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { identityConfig, type IdentityConfig } from '../config/identity.config.js';
import { throttleKey, tooManyRequests } from '../throttle/throttle-keys.js';
import { ThrottleStorage } from '../throttle/throttle.storage.js';

/** The two counters one login attempt was counted in. */
export interface LoginReservation {
  userKey: string;
  addressKey: string;
}

/**
 * Brute-force limits on POST /auth/login: at most LOGIN_FAILURES_PER_USER failures per
 * username and client address, and LOGIN_FAILURES_PER_ADDRESS per address, in a sliding
 * window of LOGIN_FAILURE_WINDOW_S (the rate limiter's counters, shared through Redis when
 * configured). An attempt is counted before the password is checked, atomically, so parallel
 * guesses cannot slip past the limit; a success takes its count back and clears its
 * username's failures.
 */
@Injectable()
export class LoginThrottle {
  private readonly limits: IdentityConfig['login'];

  constructor(
    private readonly storage: ThrottleStorage,
    @Inject(identityConfig.KEY) config: IdentityConfig,
  ) {
    this.limits = config.login;
  }

  /** Counts an attempt, or throws 429 with Retry-After when either limit is reached. */
  async reserve(username: string, address: string): Promise<LoginReservation> {
    const { windowMs, failuresPerAddress, failuresPerUser } = this.limits;
    // A digest: the key stays short whatever was typed, and Redis never holds a user name.
    const user = createHash('sha256').update(username).digest('base64url').slice(0, 22);
    const addressKey = throttleKey(address, 'login-address');
    const userKey = throttleKey(`${user}:${address}`, 'login-user');
    const byAddress = await this.storage.increment(addressKey, windowMs, failuresPerAddress);
    if (byAddress.isBlocked) throw tooManyRequests(byAddress.timeToBlockExpire);
    const byUser = await this.storage.increment(userKey, windowMs, failuresPerUser);
    if (byUser.isBlocked) {
      await this.storage.release(addressKey);
      throw tooManyRequests(byUser.timeToBlockExpire);
    }
    return { userKey, addressKey };
  }

  /** The password was right: the attempt does not count, nor do its username's failures. */
  async succeeded(reservation: LoginReservation): Promise<void> {
    await this.storage.clear(reservation.userKey);
    await this.storage.release(reservation.addressKey);
  }

  /** The password could not be checked (overload, failure): the attempt does not count. */
  async cancel(reservation: LoginReservation): Promise<void> {
    await this.storage.release(reservation.userKey);
    await this.storage.release(reservation.addressKey);
  }
}
