import { Module } from '@nestjs/common';
import { AdminApiModule } from '../admin-api/admin-api.module.js';
import { CacheModule } from '../cache/cache.module.js';
import { S3Module } from '../s3/s3.module.js';
import { MetricsAccessGuard } from './metrics-access.guard.js';
import { MetricsPortService } from './metrics-port.service.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';
import { S3Metrics } from './s3-metrics.service.js';

@Module({
  imports: [AdminApiModule, CacheModule, S3Module],
  controllers: [MetricsController],
  providers: [MetricsService, MetricsPortService, MetricsAccessGuard, S3Metrics],
  exports: [MetricsService],
})
export class MetricsModule {}
