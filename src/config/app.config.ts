import { registerAs } from '@nestjs/config';
import { EnvReader } from './env.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const appConfig = registerAs('app', () => {
  const env = new EnvReader('app');
  const nodeEnv = env.oneOf('NODE_ENV', ['development', 'production', 'test'], 'production');
  return env.done({
    nodeEnv,
    isProduction: nodeEnv === 'production',
    port: env.int('PORT', { default: 3000, min: 0, max: 65535 }),
    host: env.string('HOST', '0.0.0.0'),
    // Listening sockets sharing PORT (src/listen.ts): new connections accepted per event-loop turn.
    listenSockets: env.int('LISTEN_SOCKETS', { default: 64, min: 1, max: 256 }),
    logLevel: env.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    shutdownGraceMs: env.int('SHUTDOWN_GRACE_MS', { default: 10_000, min: 0, max: 600_000 }),
    // The Swagger UI at /docs and the document at /docs-json; off: both answer 404.
    docsEnabled: env.bool('DOCS_ENABLED', true),
  });
});
