import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '../auth/public.decorator.js';
import { HealthService, type Readiness } from './health.service.js';

@Controller('health')
@Public()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  // Kept for existing clients and the demo: same answer as /health/live.
  @Get()
  @Header('cache-control', 'no-store')
  check(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Liveness: answering at all means the event loop runs. */
  @Get('live')
  @Header('cache-control', 'no-store')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: 503 while Redis (when configured) is unreachable or the app is shutting down. */
  @Get('ready')
  @Header('cache-control', 'no-store')
  ready(): Promise<Readiness> {
    return this.health.readiness();
  }
}
