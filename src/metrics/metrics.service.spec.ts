import type { HttpAdapterHost } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import type { AdminApiClient } from '../admin-api/admin-api.client.js';
import type { AdminApiListener } from '../admin-api/admin-api.types.js';
import type { CacheListener, OperationCache } from '../cache/operation-cache.service.js';
import type { ContextRequest } from '../common/request-context.js';
import type { ObservabilityConfig } from '../config/observability.config.js';
import type { AppLogger } from '../logging/app-logger.service.js';
import { MetricsService } from './metrics.service.js';

function build(enabled = true) {
  const listeners: AdminApiListener[] = [];
  const admin = {
    breakerState: 'closed',
    addListener: (listener: AdminApiListener) => listeners.push(listener),
  } as unknown as AdminApiClient;
  const cacheListeners: CacheListener[] = [];
  const cache = {
    addListener: (listener: CacheListener) => cacheListeners.push(listener),
  } as unknown as OperationCache;
  const addHook = vi.fn();
  const adapterHost = {
    httpAdapter: { getInstance: () => ({ addHook }) },
  } as unknown as HttpAdapterHost;
  const config = { metrics: { enabled, public: false, port: undefined } } as ObservabilityConfig;
  const logger = { droppedLines: 0 } as { droppedLines: number };
  const service = new MetricsService(adapterHost, admin, cache, logger as AppLogger, config);
  service.onModuleInit();
  return { service, listeners, cacheListeners, addHook, logger };
}

function respond(
  service: MetricsService,
  request: { method: string; url?: string; cache?: string },
  status: number,
): void {
  const req = {
    method: request.method,
    url: '/raw/url?roomName=secret',
    routeOptions: { url: request.url },
    ctx: request.cache === undefined ? undefined : { requestId: 'r', cache: request.cache },
  } as unknown as ContextRequest;
  service.observeResponse(req, { statusCode: status, elapsedTime: 12 } as FastifyReply);
}

describe(MetricsService.name, () => {
  it('keeps each instance in its own registry, default metrics included', async () => {
    const a = build().service;
    const b = build().service;
    respond(a, { method: 'GET', url: '/health' }, 200);
    const series = 'http_requests_total{method="GET",route="/health",status="200"} 1';
    expect(await a.render()).toContain(series);
    expect(await b.render()).not.toContain(series);
    expect(b.registry.getSingleMetric('proconf_process_cpu_user_seconds_total')).toBeDefined();
  });

  it('registers one onResponse hook and one Admin Control listener', () => {
    const { addHook, listeners } = build();
    expect(addHook).toHaveBeenCalledTimes(1);
    expect(addHook.mock.calls[0][0]).toBe('onResponse');
    expect(listeners).toHaveLength(1);
  });

  it('labels by route pattern, "unmatched" when no route matched, never the raw URL', async () => {
    const { service } = build();
    respond(service, { method: 'GET', url: '/callStatus' }, 200);
    respond(service, { method: 'POST' }, 404);
    const text = await service.render();
    expect(text).toContain('http_requests_total{method="GET",route="/callStatus",status="200"} 1');
    expect(text).toContain('http_requests_total{method="POST",route="unmatched",status="404"} 1');
    expect(text).toContain(
      'http_request_duration_seconds_sum{method="GET",route="/callStatus",status="200"} 0.012',
    );
    expect(text).not.toContain('secret');
    expect(text).not.toContain('/raw/url');
  });

  it('counts cache results by operation, as the cache reports them', async () => {
    const { service, cacheListeners } = build();
    const [listener] = cacheListeners;
    listener.result('sessionStatus', 'coalesced');
    listener.result('sessionStatus', 'coalesced');
    listener.result('configuration', 'hit');
    respond(service, { method: 'GET', url: '/callStatus', cache: 'miss' }, 200);
    const text = await service.render();
    expect(text).toContain('cache_results_total{operation="sessionStatus",result="coalesced"} 2');
    expect(text).toContain('cache_results_total{operation="configuration",result="hit"} 1');
    expect(text).not.toMatch(
      /cache_results_total\{operation="sessionStatus",result="(hit|miss)"\}/,
    );
  });

  it('turns Admin Control events into metrics', async () => {
    const { service, listeners } = build();
    const [listener] = listeners;
    listener.attempt!('ok', 40, 'sessionStatus');
    listener.attempt!('timeout', 3000, 'sessionStatus');
    listener.retry!();
    listener.refused!('overloaded');
    listener.breaker!('half_open');
    const text = await service.render();
    expect(text).toContain('admin_api_calls_total{outcome="ok"} 1');
    expect(text).toContain('admin_api_calls_total{outcome="timeout"} 1');
    expect(text).toContain('admin_api_call_duration_seconds_sum{outcome="timeout"} 3');
    expect(text).toContain('admin_api_call_duration_seconds_bucket{le="0.05",outcome="ok"} 1');
    expect(text).toContain('admin_api_retries_total 1');
    expect(text).toContain('admin_api_refused_total{reason="overloaded"} 1');
    expect(text).toContain('admin_api_circuit_state 1');
    listener.breaker!('open');
    expect(await service.render()).toContain('admin_api_circuit_state 2');
  });

  it('reports log lines dropped by the log destination as a counter', async () => {
    const { service, logger } = build();
    expect(await service.render()).toContain('log_lines_dropped_total 0');
    logger.droppedLines = 7;
    expect(await service.render()).toContain('log_lines_dropped_total 7');
    logger.droppedLines = 9;
    expect(await service.render()).toContain('log_lines_dropped_total 9');
  });

  it('does nothing when METRICS_ENABLED=false', async () => {
    const { service, addHook, listeners } = build(false);
    expect(addHook).not.toHaveBeenCalled();
    expect(listeners).toHaveLength(0);
    expect(await service.render()).not.toContain('proconf_');
  });
});
