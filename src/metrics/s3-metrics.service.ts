import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { S3ObjectClient } from '../s3/s3-object.client.js';
import { SummaryReader } from '../s3/summary-reader.service.js';
import { MetricsService } from './metrics.service.js';

// 1 ms to 5 s, as Admin Control's: a read near S3_TIMEOUT_MS lands in the last buckets.
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const BREAKER_STATES: Record<string, number> = { closed: 0, half_open: 1, open: 2 };
/** The summary cache's `operation` label value in cache_results_total. */
export const SUMMARY_CACHE_OPERATION = 'summaryObject';

/** S3 reads and the summary cache on the app's registry, fed by their listeners. */
@Injectable()
export class S3Metrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly s3: S3ObjectClient,
    private readonly summaries: SummaryReader,
  ) {}

  onModuleInit(): void {
    if (!this.metrics.enabled) return;
    const registers = [this.metrics.registry];
    const calls = new Counter({
      name: 's3_calls_total',
      help: 'S3 reads by outcome (an SDK retry is part of its read); circuit_open: refused unsent.',
      labelNames: ['outcome'],
      registers,
    });
    const duration = new Histogram({
      name: 's3_call_duration_seconds',
      help: 'Duration of S3 reads by outcome, body included.',
      labelNames: ['outcome'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    const breaker = new Gauge({
      name: 's3_circuit_state',
      help: 'S3 circuit breaker: 0 closed, 1 half_open, 2 open.',
      registers,
    });
    breaker.set(BREAKER_STATES[this.s3.breakerState] ?? 0);
    this.s3.addListener({
      call: (outcome, durationMs) => {
        calls.inc({ outcome });
        duration.observe({ outcome }, durationMs / 1000);
      },
      refused: () => calls.inc({ outcome: 'circuit_open' }),
      breaker: (state) => breaker.set(BREAKER_STATES[state] ?? 0),
    });
    // One cache metric for the whole server: cache_results_total{operation="summaryObject"}.
    this.summaries.addListener({
      result: (result) => this.metrics.countCache(SUMMARY_CACHE_OPERATION, result),
    });
  }
}
