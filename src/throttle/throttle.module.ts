import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { getOptionsToken, getStorageToken, type ThrottlerModuleOptions } from '@nestjs/throttler';
import { securityConfig, type SecurityConfig } from '../config/security.config.js';
import { THROTTLER_NAME } from './throttle-keys.js';
import { ThrottleGuard } from './throttle.guard.js';
import { ThrottleStorage } from './throttle.storage.js';
import { UnauthenticatedThrottle } from './unauthenticated.throttle.js';

function throttlerOptions(config: SecurityConfig): ThrottlerModuleOptions {
  const { limit, windowMs } = config.rateLimit;
  // X-RateLimit-* headers off: three more headers on every poll; a 429 carries Retry-After.
  return { throttlers: [{ name: THROTTLER_NAME, limit, ttl: windowMs }], setHeaders: false };
}

// Global guards run in the order their modules are registered: AuthModule imports this module
// (for UnauthenticatedThrottle) and so is registered first; its JWT guard runs before the
// rate-limit guard, which can then count by token subject (rate-limit.e2e-spec.ts checks it).
@Module({
  providers: [
    UnauthenticatedThrottle,
    { provide: getOptionsToken(), useFactory: throttlerOptions, inject: [securityConfig.KEY] },
    ThrottleStorage,
    { provide: getStorageToken(), useExisting: ThrottleStorage },
    { provide: APP_GUARD, useClass: ThrottleGuard },
  ],
  exports: [UnauthenticatedThrottle, ThrottleStorage],
})
export class ThrottleModule {}
