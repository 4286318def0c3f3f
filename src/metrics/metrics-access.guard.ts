import { Inject, Injectable, type CanActivate } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import { AppException } from '../common/app.exception.js';
import { observabilityConfig, type ObservabilityConfig } from '../config/observability.config.js';

/**
 * Whether /metrics on the main port skips the global JWT guard: when METRICS_PUBLIC=true, and
 * when metrics are off (then MetricsAccessGuard answers 404 to everyone, as for a route that
 * does not exist). Otherwise a scrape needs a valid token like any other request, and is rate
 * limited by its subject.
 */
export function metricsArePublic(app: ModuleRef): boolean {
  const { metrics } = app.get<ObservabilityConfig>(observabilityConfig.KEY, { strict: false });
  return metrics.public || !metrics.enabled;
}

/** /metrics with METRICS_ENABLED=false: indistinguishable from a route that does not exist. */
@Injectable()
export class MetricsAccessGuard implements CanActivate {
  constructor(@Inject(observabilityConfig.KEY) private readonly config: ObservabilityConfig) {}

  canActivate(): boolean {
    if (!this.config.metrics.enabled) throw new AppException(404, 'Not found');
    return true;
  }
}
