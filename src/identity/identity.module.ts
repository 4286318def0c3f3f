import { Module } from '@nestjs/common';
import { identityConfig, type IdentityConfig } from '../config/identity.config.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { ThrottleModule } from '../throttle/throttle.module.js';
import { IdentityMetrics } from './identity-metrics.service.js';
import { JwksController } from './jwks.controller.js';
import { JwksService } from './jwks.service.js';
import { LoginRequestGuard } from './login-request.guard.js';
import { LoginThrottle } from './login-throttle.js';
import { LoginController } from './login.controller.js';
import { LoginService } from './login.service.js';
import { OwnKeys } from './own-keys.js';
import { TokenSigner } from './token-signer.service.js';
import { UserDirectory } from './user-directory.service.js';

@Module({
  imports: [ThrottleModule, MetricsModule],
  controllers: [LoginController, JwksController],
  providers: [
    {
      provide: OwnKeys,
      useFactory: (c: IdentityConfig) => new OwnKeys(c),
      inject: [identityConfig.KEY],
    },
    IdentityMetrics,
    JwksService,
    LoginRequestGuard,
    LoginService,
    LoginThrottle,
    TokenSigner,
    UserDirectory,
  ],
  // For the token routes in their own folders (joinmember, proconfToken).
  exports: [TokenSigner, IdentityMetrics],
})
export class IdentityModule {}
