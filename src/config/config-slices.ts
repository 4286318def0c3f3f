import { adminConfig } from './admin.config.js';
import { appConfig } from './app.config.js';
import { authConfig } from './auth.config.js';
import { callStatusConfig } from './call-status.config.js';
import { observabilityConfig } from './observability.config.js';
import { redisConfig } from './redis.config.js';
import { s3Config } from './s3.config.js';
import { securityConfig } from './security.config.js';

/** Every configuration slice: loaded by AppModule, checked up front by main.ts. */
export const CONFIG_SLICES = [
  appConfig,
  adminConfig,
  authConfig,
  callStatusConfig,
  redisConfig,
  s3Config,
  observabilityConfig,
  securityConfig,
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
