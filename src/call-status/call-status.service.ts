import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../auth/auth.types.js';
import { assertRoomAccess } from '../auth/room-access.js';
import { OperationCache } from '../cache/operation-cache.service.js';
import type { RequestContext } from '../common/request-context.js';
import { sessionStatusOperation } from '../rooms/session-status.operation.js';
import type { CallStatusResponseDto } from './dto/call-status-response.dto.js';

@Injectable()
export class CallStatusService {
  constructor(private readonly cache: OperationCache) {}

  getStatus(
    roomName: string,
    user: AuthUser,
    ctx?: RequestContext,
  ): Promise<CallStatusResponseDto> {
    assertRoomAccess(user, roomName);
    return this.cache.get(sessionStatusOperation, { room_name: roomName }, ctx);
  }
}
