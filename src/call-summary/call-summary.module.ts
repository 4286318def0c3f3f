import { Module } from '@nestjs/common';
import { CacheModule } from '../cache/cache.module.js';
import { RoomsModule } from '../rooms/rooms.module.js';
import { S3Module } from '../s3/s3.module.js';
import { CallSummaryController } from './call-summary.controller.js';
import { CallSummaryService } from './call-summary.service.js';

@Module({
  imports: [CacheModule, RoomsModule, S3Module],
  controllers: [CallSummaryController],
  providers: [CallSummaryService],
})
export class CallSummaryModule {}
