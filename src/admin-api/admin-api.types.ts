/** How one Admin Control call ended; drives retries, the breaker, logs and metrics. */
export type UpstreamOutcome =
  | 'ok'
  | 'not_found'
  | 'rejected' // 401/403: Admin Control refused our credentials
  | 'client_error' // another 4xx: we sent something it did not accept
  | 'server_error' // 5xx
  | 'malformed' // not JSON, or not the documented shape
  | 'timeout'
  | 'connection' // no response at all: refused, reset, DNS...
  | 'circuit_open'
  | 'overloaded';

/** Observes the client (metrics subscribe here, so admin-api depends on nothing of theirs). */
export interface AdminApiListener {
  /** One HTTP attempt of the named operation ended (a call with a retry makes two). */
  attempt?(outcome: UpstreamOutcome, durationMs: number, operation: string): void;
  retry?(): void;
  /** A call was refused without reaching Admin Control ('circuit_open' or 'overloaded'). */
  refused?(outcome: UpstreamOutcome): void;
  breaker?(state: 'closed' | 'open' | 'half_open'): void;
}
