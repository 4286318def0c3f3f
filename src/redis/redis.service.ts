import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { redisConfig, type RedisConfig } from '../config/redis.config.js';

const QUIT_TIMEOUT_MS = 1000;
// After a failed or slow command, callers skip Redis this long instead of each paying the
// command timeout while it is in trouble.
const FAILURE_PAUSE_MS = 1000;

/**
 * The optional Redis connection (REDIS_URL). Everything that uses it treats it as an
 * optimisation: commands fail fast while it is down (no offline queue, short timeouts), the
 * caller falls back to its in-process state, and the client reconnects on its own.
 */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  readonly client: Redis | undefined;
  private readonly logger = new Logger('Redis');
  private healthy = false;
  private pausedUntil = 0;

  constructor(@Inject(redisConfig.KEY) readonly config: RedisConfig) {
    if (config.url === undefined) return;
    this.client = new Redis(config.url, {
      keyPrefix: config.keyPrefix,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: config.commandTimeoutMs,
      connectTimeout: 1000,
      // Keep trying for ever, backing off to 2 s: Redis coming back must heal us unattended.
      retryStrategy: (attempt) => Math.min(100 * attempt, 2000),
    });
    this.client.on('ready', () => this.mark(true));
    this.client.on('error', (error: Error) => this.mark(false, error));
    this.client.on('end', () => this.mark(false));
  }

  get enabled(): boolean {
    return this.client !== undefined;
  }

  /** Connected, and no recent failure: callers skip Redis entirely otherwise. */
  get available(): boolean {
    return this.client?.status === 'ready' && Date.now() >= this.pausedUntil;
  }

  /** For readiness: is Redis answering right now (regardless of the failure pause)? */
  async ping(): Promise<boolean> {
    if (this.client?.status !== 'ready') return false;
    try {
      return (await this.client!.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  /** Logs a failure and flips to degraded; logged once per change, not once per command. */
  reportFailure(what: string, error: unknown): void {
    this.pausedUntil = Date.now() + FAILURE_PAUSE_MS;
    this.mark(false, error instanceof Error ? error : new Error(String(error)), what);
  }

  /** A command succeeded: logs the recovery if Redis was degraded. */
  reportSuccess(): void {
    if (!this.healthy) this.mark(true);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.client === undefined || this.client.status === 'end') return;
    const quit = this.client.quit().catch(() => undefined);
    const timer = new Promise((resolve) => setTimeout(resolve, QUIT_TIMEOUT_MS).unref());
    await Promise.race([quit, timer]);
    this.client.disconnect();
  }

  private mark(healthy: boolean, error?: Error, what = 'connection'): void {
    if (healthy === this.healthy) return;
    this.healthy = healthy;
    if (healthy) this.logger.log('Redis available: shared state is on');
    else {
      this.logger.warn(
        `Redis unavailable (${what}: ${error?.message ?? 'closed'}): using in-process state`,
      );
    }
  }
}
