import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/public.decorator.js';
import { API_ERRORS, ApiErrorResponses, BEARER_AUTH } from '../docs/api-responses.decorator.js';
import { MetricsAccessGuard, metricsArePublic } from './metrics-access.guard.js';
import { MetricsService } from './metrics.service.js';

const SAMPLE = `# HELP http_requests_total HTTP requests answered on the main port.
# TYPE http_requests_total counter
http_requests_total{method="GET",route="/callStatus",status="200"} 42
`;

@Controller('metrics')
@ApiTags('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  // A valid token is required unless METRICS_PUBLIC=true; 404 while metrics are off.
  @Get()
  @Public(metricsArePublic)
  @UseGuards(MetricsAccessGuard)
  @ApiOperation({
    operationId: 'getMetrics',
    summary: 'Prometheus metrics (text exposition format, not the JSON envelope)',
    description:
      'Requires a bearer token unless the deployment sets METRICS_PUBLIC=true; answers 404 when ' +
      'it sets METRICS_ENABLED=false. A deployment may also serve it, unauthenticated, on a ' +
      'separate METRICS_PORT.',
  })
  @ApiBearerAuth(BEARER_AUTH)
  @ApiOkResponse({
    description: 'Prometheus text format 0.0.4.',
    content: { 'text/plain': { schema: { type: 'string' }, example: SAMPLE } },
  })
  @ApiErrorResponses(
    API_ERRORS.unauthorized,
    { ...API_ERRORS.notFound, when: 'Metrics are turned off (METRICS_ENABLED=false)' },
    API_ERRORS.tooManyRequests,
    API_ERRORS.internal,
  )
  async scrape(@Res() reply: FastifyReply): Promise<void> {
    // Prometheus text, not the JSON envelope: with @Res() the handler writes the reply itself.
    const text = await this.metrics.render();
    await reply
      .header('content-type', this.metrics.contentType)
      .header('cache-control', 'no-store')
      .send(text);
  }
}
