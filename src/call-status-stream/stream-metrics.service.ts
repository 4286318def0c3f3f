import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Counter, Gauge, type Registry } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service.js';
import { StatusWatchService } from './status-watch.service.js';
import { StreamStats } from './stream-stats.js';

/** The stream's metrics, read from its plain counters when Prometheus scrapes. */
@Injectable()
export class StreamMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly stats: StreamStats,
    private readonly watch: StatusWatchService,
  ) {}

  onModuleInit(): void {
    if (!this.metrics.enabled) return;
    const registry = this.metrics.registry;
    const { stats, watch } = this;
    new Gauge({
      name: 'stream_connections_open',
      help: 'GET /callStatus/stream streams open on this instance.',
      registers: [registry],
      collect() {
        this.set(stats.open);
      },
    });
    new Gauge({
      name: 'stream_rooms_watched',
      help: 'Rooms this instance watches (for the fleet, or following the instance that does).',
      registers: [registry],
      collect() {
        this.set(watch.size);
      },
    });
    counter(
      registry,
      'stream_events_sent_total',
      'Events written to streams.',
      'event',
      () => stats.eventsSent,
    );
    counter(
      registry,
      'stream_watcher_lookups_total',
      'Status lookups by room watchers, through the read-through cache (which counts them in cache_results_total too).',
      'result',
      () => stats.watcherLookups,
    );
    counter(
      registry,
      'stream_connections_closed_total',
      'Streams ended, by reason.',
      'reason',
      () => stats.closed,
    );
    counter(
      registry,
      'stream_connections_refused_total',
      'Stream requests refused: instance full (503), too many for the caller (429), shutting down (503).',
      'reason',
      () => stats.refused,
    );
  }
}

/** A counter labelled by the keys of a plain record of totals, brought up to date on scrape. */
function counter(
  registry: Registry,
  name: string,
  help: string,
  label: string,
  totals: () => Record<string, number>,
): void {
  const reported = new Map<string, number>();
  new Counter({
    name,
    help,
    labelNames: [label],
    registers: [registry],
    collect() {
      for (const [value, total] of Object.entries(totals())) {
        this.inc({ [label]: value }, total - (reported.get(value) ?? 0));
        reported.set(value, total);
      }
    },
  });
}
