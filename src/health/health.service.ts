import {
  Injectable,
  Logger,
  ServiceUnavailableException,
  type BeforeApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { AdminApiClient } from '../admin-api/admin-api.client.js';
import type { UpstreamOutcome } from '../admin-api/admin-api.types.js';
import { AppException } from '../common/app.exception.js';
import { RedisService } from '../redis/redis.service.js';
import { S3ObjectClient } from '../s3/s3-object.client.js';
import type { S3Health } from '../s3/s3.types.js';

/** `data` of a successful GET /health/ready. */
export interface Readiness {
  status: 'ok';
  checks: {
    redis: 'up' | 'disabled';
    // Reported, never a reason to be unready: a breaker already answers callers fast.
    adminControl: { breaker: string; lastOutcome: UpstreamOutcome | null };
    // Reported, never a reason to be unready, like Admin Control.
    s3: S3Health;
  };
}

/**
 * Readiness: booted (config is validated before anything listens), Redis answering when
 * REDIS_URL is set, and not shutting down. Liveness needs none of this: a process that can
 * run this code can serve.
 */
@Injectable()
export class HealthService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Health');
  private shuttingDown = false;
  private lastOutcome: UpstreamOutcome | null = null;
  private wasReady = true;

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly redis: RedisService,
    private readonly admin: AdminApiClient,
    private readonly s3: S3ObjectClient,
  ) {}

  onModuleInit(): void {
    this.admin.addListener({ attempt: (outcome) => (this.lastOutcome = outcome) });
  }

  // Before the server closes: load balancers see 503 and stop sending new requests.
  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }

  async readiness(): Promise<Readiness> {
    try {
      await this.health.check([() => this.lifecycle(), () => this.redisCheck()]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      this.noteReady(false, error);
      // The details stay in the log: the failure body is the plain envelope.
      throw new AppException(503, 'Service unavailable', {
        cause: error,
        headers: { 'cache-control': 'no-store' },
      });
    }
    this.noteReady(true);
    return {
      status: 'ok',
      checks: {
        redis: this.redis.enabled ? 'up' : 'disabled',
        adminControl: { breaker: this.admin.breakerState, lastOutcome: this.lastOutcome },
        s3: this.s3.health,
      },
    };
  }

  private lifecycle() {
    const session = this.indicators.check('lifecycle');
    return this.shuttingDown ? session.down('shutting down') : session.up();
  }

  private async redisCheck() {
    const session = this.indicators.check('redis');
    if (!this.redis.enabled) return session.up({ state: 'disabled' });
    // ping() answers false at once while disconnected and is bounded by the command timeout.
    return (await this.redis.ping()) ? session.up() : session.down('not answering');
  }

  /** Logs changes only: readiness is polled every few seconds. */
  private noteReady(ready: boolean, error?: ServiceUnavailableException): void {
    if (ready === this.wasReady) return;
    this.wasReady = ready;
    if (ready) this.logger.log('ready');
    else this.logger.warn(`not ready: ${JSON.stringify(error?.getResponse())}`);
  }
}
