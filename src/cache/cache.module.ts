import { Module } from '@nestjs/common';
import { AdminApiModule } from '../admin-api/admin-api.module.js';
import { OperationCache } from './operation-cache.service.js';

@Module({
  imports: [AdminApiModule],
  providers: [OperationCache],
  exports: [OperationCache],
})
export class CacheModule {}
