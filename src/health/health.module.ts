import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AdminApiModule } from '../admin-api/admin-api.module.js';
import { S3Module } from '../s3/s3.module.js';
import { HealthController } from './health.controller.js';
import { HealthService } from './health.service.js';

@Module({
  // Terminus would log every failed probe; HealthService logs changes only.
  imports: [TerminusModule.forRoot({ logger: false }), AdminApiModule, S3Module],
  controllers: [HealthController],
  providers: [HealthService],
})
export class HealthModule {}
