import { Module } from '@nestjs/common';
import { AdminApiModule } from '../admin-api/admin-api.module.js';
import { CallStatusController } from './call-status.controller.js';
import { CallStatusService } from './call-status.service.js';
import { RoomNameConstraint } from './room-name.constraint.js';
import { StatusCache } from './status-cache.service.js';

@Module({
  imports: [AdminApiModule],
  controllers: [CallStatusController],
  providers: [CallStatusService, StatusCache, RoomNameConstraint],
  exports: [StatusCache],
})
export class CallStatusModule {}
