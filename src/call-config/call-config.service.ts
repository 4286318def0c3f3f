import { Injectable } from '@nestjs/common';
import { OperationCache } from '../cache/operation-cache.service.js';
import type { RequestContext } from '../common/request-context.js';
import { configurationOperation } from './call-config.operation.js';
import type { CallConfigResponseDto } from './dto/call-config-response.dto.js';

@Injectable()
export class CallConfigService {
  constructor(private readonly cache: OperationCache) {}

  /** The same for every caller, room-scoped tokens included. */
  getConfig(ctx?: RequestContext): Promise<CallConfigResponseDto> {
    return this.cache.get(configurationOperation, {}, ctx);
  }
}
