import { Module } from '@nestjs/common';
import { CacheModule } from '../cache/cache.module.js';
import { CallConfigController } from './call-config.controller.js';
import { CallConfigService } from './call-config.service.js';

@Module({
  imports: [CacheModule],
  controllers: [CallConfigController],
  providers: [CallConfigService],
})
export class CallConfigModule {}
