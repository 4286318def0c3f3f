import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { AdminApiClient } from '../admin-api/admin-api.client.js';
import type { ContextRequest } from '../common/request-context.js';
import { observabilityConfig, type ObservabilityConfig } from '../config/observability.config.js';

// 1 ms to 5 s: a cache hit lands in the first buckets, an Admin Control timeout in the last.
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const BREAKER_STATES: Record<string, number> = { closed: 0, half_open: 1, open: 2 };

/**
 * The application's Prometheus metrics. Each app instance has its own registry (tests boot
 * several apps in one process). Labels are closed sets: the matched route pattern, never the
 * raw URL, so no room name or user ever becomes a label value.
 */
@Injectable()
export class MetricsService implements OnModuleInit {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered on the main port.',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
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
    name: 'status_cache_results_total',
    help: 'How the status cache served /callStatus: hit, miss, coalesced, stale, shared.',
    labelNames: ['result'],
    registers: [this.registry],
  });

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly admin: AdminApiClient,
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
    // A provider, not main.ts, adds the hook: the tests run exactly what production runs.
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onResponse', (request, reply, done) => {
      this.observeResponse(request, reply);
      done();
    });
  }

  /** Runs on every response: one label object, nothing else allocated here. */
  observeResponse(request: ContextRequest, reply: FastifyReply): void {
    const labels = {
      method: request.method,
      route: request.routeOptions?.url ?? 'unmatched',
      status: String(reply.statusCode),
    };
    this.requests.inc(labels);
    this.requestDuration.observe(labels, reply.elapsedTime / 1000);
    const cache = request.ctx?.cache;
    if (cache !== undefined) this.cacheResults.inc({ result: cache });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
