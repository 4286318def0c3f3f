import { Module } from '@nestjs/common';
import { CallStatusModule } from '../call-status/call-status.module.js';
import { StatusCache } from '../call-status/status-cache.service.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { CallStatusStreamController } from './call-status-stream.controller.js';
import { FleetWatch } from './fleet-watch.service.js';
import { STATUS_SOURCE, statusSourceFromCache } from './status-source.js';
import { StatusStreamService } from './status-stream.service.js';
import { StatusWatchService } from './status-watch.service.js';
import { StreamMetrics } from './stream-metrics.service.js';
import { StreamStats } from './stream-stats.js';

@Module({
  imports: [CallStatusModule, MetricsModule],
  controllers: [CallStatusStreamController],
  providers: [
    // Watchers share the /callStatus status cache (and its Admin Control calls).
    { provide: STATUS_SOURCE, useFactory: statusSourceFromCache, inject: [StatusCache] },
    StatusWatchService,
    FleetWatch,
    StatusStreamService,
    StreamStats,
    StreamMetrics,
  ],
})
export class CallStatusStreamModule {}
