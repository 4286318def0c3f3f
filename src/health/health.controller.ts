import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/public.decorator.js';
import { API_ERRORS, ApiEnvelopeOk, ApiErrorResponses } from '../docs/api-responses.decorator.js';
import { HealthStatusResponseDto } from './dto/health-status-response.dto.js';
import { ReadinessResponseDto } from './dto/readiness-response.dto.js';
import { HealthService, type Readiness } from './health.service.js';

const OK = { description: 'The process is up.', example: { status: 'ok' } };

@Controller('health')
@Public()
@ApiTags('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  // Kept for existing clients and the demo: same answer as /health/live.
  @Get()
  @Header('cache-control', 'no-store')
  @ApiOperation({ operationId: 'getHealth', summary: 'Liveness (same as /health/live)' })
  @ApiEnvelopeOk(HealthStatusResponseDto, OK)
  @ApiErrorResponses(API_ERRORS.internal)
  check(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Liveness: answering at all means the event loop runs. */
  @Get('live')
  @Header('cache-control', 'no-store')
  @ApiOperation({ operationId: 'getLiveness', summary: 'Liveness: the process answers' })
  @ApiEnvelopeOk(HealthStatusResponseDto, OK)
  @ApiErrorResponses(API_ERRORS.internal)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: 503 while Redis (when configured) is unreachable or the app is shutting down. */
  @Get('ready')
  @Header('cache-control', 'no-store')
  @ApiOperation({
    operationId: 'getReadiness',
    summary: 'Readiness: whether this instance should get traffic',
  })
  @ApiEnvelopeOk(ReadinessResponseDto, {
    description:
      'Ready. Admin Control and S3 failures are reported here but never make it unready.',
    example: {
      status: 'ok',
      checks: {
        redis: 'disabled',
        adminControl: { breaker: 'closed', lastOutcome: 'ok' },
        s3: 'disabled',
      },
    },
  })
  @ApiErrorResponses(API_ERRORS.internal, {
    name: 'notReady',
    status: 503,
    message: 'Service unavailable',
    when: 'Redis (when configured) does not answer, or the instance is shutting down',
  })
  ready(): Promise<Readiness> {
    return this.health.readiness();
  }
}
