import { Module } from '@nestjs/common';
import { AdminApiModule } from '../admin-api/admin-api.module.js';
import { CacheModule } from '../cache/cache.module.js';
import { MetricsAccessGuard } from './metrics-access.guard.js';
import { MetricsPortService } from './metrics-port.service.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';

@Module({
  imports: [AdminApiModule, CacheModule],
  controllers: [MetricsController],
  providers: [MetricsService, MetricsPortService, MetricsAccessGuard],
  exports: [MetricsService],
})
export class MetricsModule {}
