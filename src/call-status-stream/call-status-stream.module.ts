import { Module } from '@nestjs/common';
import { CacheModule } from '../cache/cache.module.js';
import { OperationCache } from '../cache/operation-cache.service.js';
import { sessionStatusOperation } from '../rooms/session-status.operation.js';
import { streamConfig, type StreamConfig } from '../config/stream.config.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { RoomsModule } from '../rooms/rooms.module.js';
import { CallStatusStreamController } from './call-status-stream.controller.js';
import { FleetWatch } from './fleet-watch.service.js';
import { STATUS_SOURCE, type StatusSource } from './status-source.js';
import { StatusStreamService } from './status-stream.service.js';
import { StatusWatchService } from './status-watch.service.js';
import { StreamMetrics } from './stream-metrics.service.js';
import { StreamStats } from './stream-stats.js';

// Watchers read through the cache /callStatus reads through: they share its Admin Control calls
// and the fleet's single flight, and count in cache_results_total{operation="sessionStatus"}.
// No answer older than the watch interval is reused, whatever STATUS_CACHE_TTL_MS is.
function cachedStatusSource(cache: OperationCache, config: StreamConfig): StatusSource {
  const maxAgeMs = config.watchIntervalMs;
  return {
    fetchStatus: (room, deadlineAt) =>
      cache.get(sessionStatusOperation, { room_name: room }, undefined, { deadlineAt, maxAgeMs }),
  };
}

@Module({
  imports: [CacheModule, RoomsModule, MetricsModule],
  controllers: [CallStatusStreamController],
  providers: [
    {
      provide: STATUS_SOURCE,
      useFactory: cachedStatusSource,
      inject: [OperationCache, streamConfig.KEY],
    },
    StatusWatchService,
    FleetWatch,
    StatusStreamService,
    StreamStats,
    StreamMetrics,
  ],
})
export class CallStatusStreamModule {}
