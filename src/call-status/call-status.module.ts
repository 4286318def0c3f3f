import { Module } from '@nestjs/common';
import { CacheModule } from '../cache/cache.module.js';
import { RoomsModule } from '../rooms/rooms.module.js';
import { CallStatusController } from './call-status.controller.js';
import { CallStatusService } from './call-status.service.js';

@Module({
  imports: [CacheModule, RoomsModule],
  controllers: [CallStatusController],
  providers: [CallStatusService],
})
export class CallStatusModule {}
