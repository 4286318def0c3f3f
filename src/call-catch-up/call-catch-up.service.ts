import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../auth/auth.types.js';
import { assertRoomAccess } from '../auth/room-access.js';
import { OperationCache } from '../cache/operation-cache.service.js';
import type { RequestContext } from '../common/request-context.js';
import { callCatchUpOperation } from './call-catch-up.operation.js';

@Injectable()
export class CallCatchUpService {
  constructor(private readonly cache: OperationCache) {}

  getCatchUp(roomName: string, user: AuthUser, ctx?: RequestContext): Promise<string> {
    assertRoomAccess(user, roomName);
    return this.cache.get(callCatchUpOperation, { room_name: roomName }, ctx);
  }
}
