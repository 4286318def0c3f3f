/**
 * The circuit breaker's documented defaults (docs/operations.md, .env.example), stated once for
 * the config specs: Admin Control's breaker without BREAKER_* variables, and S3's breaker always.
 */
export const DOCUMENTED_BREAKER_DEFAULTS = {
  enabled: true,
  consecutiveFailures: 5,
  failureRatio: 0.5,
  minCalls: 20,
  windowMs: 10_000,
  openMs: 5000,
};
