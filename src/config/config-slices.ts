import { adminConfig } from './admin.config.js';
import { appConfig } from './app.config.js';
import { authConfig } from './auth.config.js';
import { cacheConfig } from './cache.config.js';
import { identityConfig } from './identity.config.js';
import { observabilityConfig } from './observability.config.js';
import { redisConfig } from './redis.config.js';
import { roomsConfig } from './rooms.config.js';
import { s3Config } from './s3.config.js';
import { securityConfig } from './security.config.js';
import { streamConfig } from './stream.config.js';

/**
 * Every configuration slice: loaded by AppModule, checked up front by main.ts. An endpoint adds
 * none: its cache variables are named in its Admin Control operation and read by cacheConfig.
 */
export const CONFIG_SLICES = [
  appConfig,
  adminConfig,
  authConfig,
  roomsConfig,
  cacheConfig,
  identityConfig,
  redisConfig,
  s3Config,
  observabilityConfig,
  securityConfig,
  streamConfig,
];

/** Runs every slice's validation; returns all problems (one line per slice) or none. */
export function configProblems(): string[] {
  const problems: string[] = [];
  for (const slice of CONFIG_SLICES) {
    try {
      slice();
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  return problems;
}
