import { Injectable } from '@nestjs/common';
import { AdminApiException } from '../admin-api/admin-api.exception.js';
import type { AuthUser } from '../auth/auth.types.js';
import { assertRoomAccess } from '../auth/room-access.js';
import { AppException } from '../common/app.exception.js';
import type { RequestContext } from '../common/request-context.js';
import type { CallStatusResponseDto } from './dto/call-status-response.dto.js';
import { StatusCache } from './status-cache.service.js';

export const ROOM_NOT_FOUND = 'Room not found';

@Injectable()
export class CallStatusService {
  constructor(private readonly statuses: StatusCache) {}

  async getStatus(
    roomName: string,
    user: AuthUser,
    ctx?: RequestContext,
  ): Promise<CallStatusResponseDto> {
    assertRoomAccess(user, roomName);
    try {
      return await this.statuses.get(roomName, ctx);
    } catch (error) {
      if (error instanceof AdminApiException && error.outcome === 'not_found') {
        throw new AppException(404, ROOM_NOT_FOUND, { cause: error });
      }
      throw error;
    }
  }
}
