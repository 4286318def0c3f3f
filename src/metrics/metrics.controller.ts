import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/public.decorator.js';
import { MetricsAccessGuard } from './metrics-access.guard.js';
import { MetricsService } from './metrics.service.js';

@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  // Public to the global guard only: MetricsAccessGuard requires a JWT unless METRICS_PUBLIC.
  @Get()
  @Public()
  @UseGuards(MetricsAccessGuard)
  async scrape(@Res() reply: FastifyReply): Promise<void> {
    // Prometheus text, not the JSON envelope: @Res() bypasses the envelope interceptor.
    const text = await this.metrics.render();
    await reply
      .header('content-type', this.metrics.contentType)
      .header('cache-control', 'no-store')
      .send(text);
  }
}
