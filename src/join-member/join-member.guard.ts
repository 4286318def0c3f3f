import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppException } from '../common/app.exception.js';
import { messageFor } from '../common/error-response.js';
import { identityConfig, type IdentityConfig } from '../config/identity.config.js';
import { TokenSigner } from '../identity/token-signer.service.js';
import { addressTracker, throttleKey, tooManyRequests } from '../throttle/throttle-keys.js';
import { ThrottleStorage } from '../throttle/throttle.storage.js';

const MINUTE_MS = 60_000;

/**
 * Before the room is looked at: a route that is off (GUEST_JOIN_ENABLED=false, or no key to
 * sign with) does not exist (404); then GUEST_TOKENS_PER_MINUTE per client address, on the rate
 * limiter's counters (shared through Redis when configured). Every request counts, whatever
 * its answer: the 404 "Room not found" would otherwise let anyone probe room names for free.
 */
@Injectable()
export class JoinMemberGuard implements CanActivate {
  private readonly enabled: boolean;
  private readonly limit: number;

  constructor(
    @Inject(identityConfig.KEY) config: IdentityConfig,
    signer: TokenSigner,
    private readonly storage: ThrottleStorage,
  ) {
    this.enabled = config.guests.joinEnabled && signer.enabled;
    this.limit = config.guests.tokensPerMinute;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.enabled) throw new AppException(404, messageFor(404));
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const key = throttleKey(addressTracker(request), 'guest-token');
    const record = await this.storage.increment(key, MINUTE_MS, this.limit);
    if (record.isBlocked) throw tooManyRequests(record.timeToBlockExpire);
    return true;
  }
}
