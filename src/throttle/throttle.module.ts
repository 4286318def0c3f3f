import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { getOptionsToken, getStorageToken, type ThrottlerModuleOptions } from '@nestjs/throttler';
import { securityConfig, type SecurityConfig } from '../config/security.config.js';
import { ThrottleGuard } from './throttle.guard.js';
import { ThrottleStorage } from './throttle.storage.js';

function throttlerOptions(config: SecurityConfig): ThrottlerModuleOptions {
  const { limit, windowMs } = config.rateLimit;
  // X-RateLimit-* headers off: three more headers on every poll; a 429 carries Retry-After.
  return { throttlers: [{ name: 'default', limit, ttl: windowMs }], setHeaders: false };
}

// Import after AuthModule: global guards run in registration order, so this one runs after
// the JWT guard and can count by token subject.
@Module({
  providers: [
    { provide: getOptionsToken(), useFactory: throttlerOptions, inject: [securityConfig.KEY] },
    ThrottleStorage,
    { provide: getStorageToken(), useExisting: ThrottleStorage },
    { provide: APP_GUARD, useClass: ThrottleGuard },
  ],
})
export class ThrottleModule {}
