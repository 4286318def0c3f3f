import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { AdminApiClient } from '../admin-api/admin-api.client.js';
import { OperationCache } from '../cache/operation-cache.service.js';
import type { ContextRequest } from '../common/request-context.js';
import { observabilityConfig, type ObservabilityConfig } from '../config/observability.config.js';
import { AppLogger } from '../logging/app-logger.service.js';

// 1 ms to 5 s: a cache hit lands in the first buckets, an Admin Control timeout in the last.
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const BREAKER_STATES: Record<string, number> = { closed: 0, half_open: 1, open: 2 };

/**
 * The application's Prometheus metrics. Each app instance has its own registry (tests boot
 * several apps in one process). Labels are closed sets: the matched route pattern, never the
 * raw URL, so no room name or user ever becomes a label value.
 */
type RouteLabels = { method: string; route: string; status: string };

@Injectable()
export class MetricsService implements OnModuleInit {
  readonly registry = new Registry();
  // Per-request counts are kept in plain maps and handed to prom-client when it is scraped
  // (collect): prom-client validates and hashes the labels on every inc(), which the hot path
  // then pays once (for the histogram) instead of three times.
  private readonly seriesCounts = new Map<string, { labels: RouteLabels; count: number }>();
  // operation -> result -> count, pushed to prom-client on scrape like the request counts.
  private readonly cacheCounts = new Map<string, Map<string, number>>();
  private readonly requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered on the main port.',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
    collect: () => {
      for (const series of this.seriesCounts.values()) {
        if (series.count > 0) this.requests.inc(series.labels, series.count);
        series.count = 0;
      }
    },
  });
  private readonly requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving a request to sending its response.',
    labelNames: ['method', 'route', 'status'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly adminCalls = new Counter({
    name: 'admin_api_calls_total',
    help: 'HTTP attempts to Admin Control by outcome (a retried call counts twice).',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  private readonly adminCallDuration = new Histogram({
    name: 'admin_api_call_duration_seconds',
    help: 'Duration of HTTP attempts to Admin Control by outcome.',
    labelNames: ['outcome'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly adminRetries = new Counter({
    name: 'admin_api_retries_total',
    help: 'Admin Control calls retried after a failed first attempt.',
    registers: [this.registry],
  });
  private readonly adminRefused = new Counter({
    name: 'admin_api_refused_total',
    help: 'Admin Control calls refused without being sent (circuit_open, overloaded).',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  private readonly breakerState = new Gauge({
    name: 'admin_api_circuit_state',
    help: 'Admin Control circuit breaker: 0 closed, 1 half_open, 2 open.',
    registers: [this.registry],
  });
  private readonly cacheResults = new Counter({
    name: 'cache_results_total',
    help:
      'How the caches served reads: hit, miss, coalesced, shared, stale; operation: the Admin ' +
      'Control operation, or summaryObject for summaries read from S3.',
    labelNames: ['operation', 'result'],
    registers: [this.registry],
    collect: () => {
      for (const [operation, results] of this.cacheCounts) {
        for (const [result, count] of results) {
          if (count > 0) this.cacheResults.inc({ operation, result }, count);
          results.set(result, 0);
        }
      }
    },
  });

  private droppedReported = 0;
  private readonly droppedLogLines = new Counter({
    name: 'log_lines_dropped_total',
    help: 'Log lines dropped because the log output did not keep up.',
    registers: [this.registry],
    collect: () => {
      const dropped = this.logger.droppedLines;
      if (dropped > this.droppedReported) this.droppedLogLines.inc(dropped - this.droppedReported);
      this.droppedReported = dropped;
    },
  });

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly admin: AdminApiClient,
    private readonly cache: OperationCache,
    private readonly logger: AppLogger,
    @Inject(observabilityConfig.KEY) private readonly config: ObservabilityConfig,
  ) {}

  get enabled(): boolean {
    return this.config.metrics.enabled;
  }

  onModuleInit(): void {
    if (!this.enabled) return;
    // Once per registry, and the registry is this instance's.
    collectDefaultMetrics({ register: this.registry, prefix: 'proconf_' });
    this.breakerState.set(BREAKER_STATES[this.admin.breakerState] ?? 0);
    this.admin.addListener({
      attempt: (outcome, durationMs) => {
        this.adminCalls.inc({ outcome });
        this.adminCallDuration.observe({ outcome }, durationMs / 1000);
      },
      retry: () => this.adminRetries.inc(),
      refused: (reason) => this.adminRefused.inc({ reason }),
      breaker: (state) => this.breakerState.set(BREAKER_STATES[state] ?? 0),
    });
    this.cache.addListener({ result: (operation, result) => this.countCache(operation, result) });
    // A provider, not main.ts, adds the hook: the tests run exactly what production runs.
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onResponse', (request, reply, done) => {
      this.observeResponse(request, reply);
      done();
    });
  }

  /** Runs on every response: after a series' first request, nothing is allocated here. */
  observeResponse(request: ContextRequest, reply: FastifyReply): void {
    const route = request.routeOptions?.url ?? 'unmatched';
    const key = `${request.method} ${route} ${reply.statusCode}`;
    let series = this.seriesCounts.get(key);
    if (series === undefined) {
      // Bounded: methods Node accepts x route patterns x status codes.
      const labels = { method: request.method, route, status: String(reply.statusCode) };
      series = { labels, count: 0 };
      this.seriesCounts.set(key, series);
    }
    series.count++;
    this.requestDuration.observe(series.labels, reply.elapsedTime / 1000);
  }

  /** Bounded: declared operations (and the summary cache) x five results. */
  countCache(operation: string, result: string): void {
    let results = this.cacheCounts.get(operation);
    if (results === undefined) this.cacheCounts.set(operation, (results = new Map()));
    results.set(result, (results.get(result) ?? 0) + 1);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
