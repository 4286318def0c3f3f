import { Module } from '@nestjs/common';
import { CacheModule } from '../cache/cache.module.js';
import { RoomsModule } from '../rooms/rooms.module.js';
import { CallCatchUpController } from './call-catch-up.controller.js';
import { CallCatchUpService } from './call-catch-up.service.js';

@Module({
  imports: [CacheModule, RoomsModule],
  controllers: [CallCatchUpController],
  providers: [CallCatchUpService],
})
export class CallCatchUpModule {}
