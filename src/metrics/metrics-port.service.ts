import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { errorBody } from '../common/error-response.js';
import { appConfig } from '../config/app.config.js';
import { observabilityConfig, type ObservabilityConfig } from '../config/observability.config.js';
import { MetricsService } from './metrics.service.js';

/**
 * The optional second listener (METRICS_PORT): a plain node:http server on HOST that serves
 * GET /metrics without authentication and nothing else, so Prometheus can scrape on a private
 * port while the main port keeps requiring a token.
 */
@Injectable()
export class MetricsPortService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server: Server | undefined;

  constructor(
    private readonly metrics: MetricsService,
    @Inject(observabilityConfig.KEY) private readonly config: ObservabilityConfig,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  /** The bound port (useful with METRICS_PORT=0), or undefined when not listening. */
  get port(): number | undefined {
    const address = this.server?.address();
    return typeof address === 'object' && address !== null ? address.port : undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { enabled, port } = this.config.metrics;
    if (!enabled || port === undefined) return;
    const server = createServer((request, response) => this.handle(request, response));
    // A scrape is one small GET: do not let a slow client hold a socket.
    server.headersTimeout = 5000;
    server.requestTimeout = 10_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.app.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.logger.log(`metrics listening on ${this.app.host}:${this.port}`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeAllConnections();
    await closed;
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const path = request.url?.split('?', 1)[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      send(response, 404, 'application/json; charset=utf-8', errorBody(404, 'Not found'));
      return;
    }
    this.metrics.render().then(
      (text) => send(response, 200, this.metrics.contentType, text),
      (error: unknown) => {
        this.logger.error(`metrics rendering failed: ${String(error)}`);
        send(
          response,
          500,
          'application/json; charset=utf-8',
          errorBody(500, 'Internal server error'),
        );
      },
    );
  }
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
}
