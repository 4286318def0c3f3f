import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AuthModule } from './auth/auth.module.js';
import { CallCatchUpModule } from './call-catch-up/call-catch-up.module.js';
import { CallConfigModule } from './call-config/call-config.module.js';
import { CallStatusStreamModule } from './call-status-stream/call-status-stream.module.js';
import { CallStatusModule } from './call-status/call-status.module.js';
import { CallSummaryModule } from './call-summary/call-summary.module.js';
import { AllExceptionsFilter } from './common/all-exceptions.filter.js';
import { DtoValidationPipe } from './common/validation.pipe.js';
import { CONFIG_SLICES } from './config/config-slices.js';
import { HealthModule } from './health/health.module.js';
import { IdentityModule } from './identity/identity.module.js';
import { JoinMemberModule } from './join-member/join-member.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { MeetingsModule } from './meetings/meetings.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { ProconfTokenModule } from './proconf-token/proconf-token.module.js';
import { RedisModule } from './redis/redis.module.js';
import { ThrottleModule } from './throttle/throttle.module.js';

@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      cache: true,
      ignoreEnvFile: true,
      load: CONFIG_SLICES,
    }),
    LoggingModule,
    RedisModule,
    AuthModule,
    ThrottleModule, // after AuthModule (which imports it): its guard runs after the JWT guard
    HealthModule,
    CallStatusModule,
    CallStatusStreamModule,
    CallConfigModule,
    CallCatchUpModule,
    MeetingsModule,
    CallSummaryModule,
    IdentityModule,
    JoinMemberModule,
    ProconfTokenModule,
    MetricsModule,
  ],
  providers: [
    { provide: APP_FILTER, useClass: AllExceptionsFilter },
    { provide: APP_PIPE, useClass: DtoValidationPipe },
  ],
})
export class AppModule {}
