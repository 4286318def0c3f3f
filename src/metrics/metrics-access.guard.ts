import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { unauthorized } from '../auth/jwt-auth.guard.js';
import { AppException } from '../common/app.exception.js';
import { observabilityConfig, type ObservabilityConfig } from '../config/observability.config.js';

/**
 * Who may read /metrics on the main port. The route is @Public() for the global guard because
 * METRICS_PUBLIC is decided at boot, not at compile time; this guard puts the same JWT check
 * (the same passport strategy) back unless METRICS_PUBLIC=true.
 */
@Injectable()
export class MetricsAccessGuard extends AuthGuard('jwt') {
  constructor(@Inject(observabilityConfig.KEY) private readonly config: ObservabilityConfig) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    // Turned off: indistinguishable from a route that does not exist.
    if (!this.config.metrics.enabled) throw new AppException(404, 'Not found');
    if (this.config.metrics.public) return true;
    return (await super.canActivate(context)) as boolean;
  }

  override handleRequest<TUser>(err: unknown, user: unknown): TUser {
    if (err || !user) throw unauthorized();
    return user as TUser;
  }
}
