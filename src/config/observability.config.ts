import { registerAs } from '@nestjs/config';
import { EnvReader } from './env.js';

// Where GET /metrics is served:
// - main port: requires a valid JWT like every other route, unless METRICS_PUBLIC=true;
// - METRICS_PORT (optional): a second, unauthenticated listener on HOST:METRICS_PORT that serves
//   only GET /metrics, for a scraper on a private network. Firewall it like any admin port.
// METRICS_ENABLED=false turns all of it off: no metrics are kept and /metrics answers 404.
export const observabilityConfig = registerAs('observability', () => {
  const env = new EnvReader('observability');
  return env.done({
    metrics: {
      enabled: env.bool('METRICS_ENABLED', true),
      public: env.bool('METRICS_PUBLIC', false),
      port: env.int('METRICS_PORT', { min: 0, max: 65535 }),
    },
  });
});

export type ObservabilityConfig = ReturnType<typeof observabilityConfig>;
