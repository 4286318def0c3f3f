import { registerAs } from '@nestjs/config';
import { EnvReader } from './env.js';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The circuit breaker's defaults: Admin Control's unless BREAKER_* says otherwise; S3's always. */
export const BREAKER_DEFAULTS = {
  enabled: true,
  consecutiveFailures: 5,
  failureRatio: 0.5,
  minCalls: 20,
  windowMs: 10_000,
  openMs: 5000,
};

function parseBaseUrl(env: EnvReader): URL {
  const fallback = new URL('http://127.0.0.1/');
  if (env.required('ADMIN_BACKEND_URL', 'e.g. https://admin.example.com/api') === '') {
    return fallback;
  }
  return env.serviceUrl('ADMIN_BACKEND_URL', 'ADMIN_API_KEY') ?? fallback;
}

export const adminConfig = registerAs('admin', () => {
  const env = new EnvReader('admin');
  const baseUrl = parseBaseUrl(env);
  const apiKeyHeader = env.string('ADMIN_API_KEY_HEADER', 'x-api-key').toLowerCase();
  if (!HEADER_NAME.test(apiKeyHeader)) {
    env.fail('ADMIN_API_KEY_HEADER', `is not a valid header name (got "${apiKeyHeader}")`);
  }
  return env.done({
    baseUrl,
    // "" or "/api": no trailing slash, so the client can append "/sessions-status/<room>".
    basePath: baseUrl.pathname.replace(/\/+$/, ''),
    timeoutMs: env.int('ADMIN_TIMEOUT_MS', { default: 3000, min: 1, max: 120_000 }),
    apiKey: env.string('ADMIN_API_KEY'),
    apiKeyHeader,
    maxConcurrency: env.int('ADMIN_MAX_CONCURRENCY', { default: 100, min: 1, max: 10_000 }),
    maxQueue: env.int('ADMIN_MAX_QUEUE', { default: 50, min: 0, max: 10_000 }),
    retry: {
      enabled: env.bool('ADMIN_RETRY', true),
      minBackoffMs: env.int('ADMIN_RETRY_MIN_BACKOFF_MS', { default: 25, min: 0, max: 10_000 }),
      maxBackoffMs: env.int('ADMIN_RETRY_MAX_BACKOFF_MS', { default: 250, min: 0, max: 10_000 }),
      budgetRatio: env.number('ADMIN_RETRY_BUDGET_RATIO', { default: 0.2, min: 0, max: 1 }),
      budgetWindowMs: env.int('ADMIN_RETRY_BUDGET_WINDOW_MS', {
        default: 10_000,
        min: 100,
        max: 600_000,
      }),
      minPerWindow: env.int('ADMIN_RETRY_BUDGET_MIN', { default: 5, min: 0, max: 10_000 }),
    },
    breaker: {
      enabled: env.bool('BREAKER_ENABLED', BREAKER_DEFAULTS.enabled),
      consecutiveFailures: env.int('BREAKER_CONSECUTIVE_FAILURES', {
        default: BREAKER_DEFAULTS.consecutiveFailures,
        min: 1,
      }),
      failureRatio: env.number('BREAKER_FAILURE_RATIO', {
        default: BREAKER_DEFAULTS.failureRatio,
        min: 0.01,
        max: 1,
      }),
      minCalls: env.int('BREAKER_MIN_CALLS', { default: BREAKER_DEFAULTS.minCalls, min: 1 }),
      windowMs: env.int('BREAKER_WINDOW_MS', {
        default: BREAKER_DEFAULTS.windowMs,
        min: 100,
        max: 600_000,
      }),
      openMs: env.int('BREAKER_OPEN_MS', {
        default: BREAKER_DEFAULTS.openMs,
        min: 100,
        max: 600_000,
      }),
    },
  });
});

export type AdminConfig = ReturnType<typeof adminConfig>;
