import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../auth/auth.types.js';
import { OperationCache } from '../cache/operation-cache.service.js';
import type { RequestContext } from '../common/request-context.js';
import type { MeetingDto } from './dto/meeting.dto.js';
import { meetingsOperation } from './meetings.operation.js';

@Injectable()
export class MeetingsService {
  constructor(private readonly cache: OperationCache) {}

  /** Every ended meeting; a room-scoped token sees only its room's. */
  async getMeetings(user: AuthUser, ctx?: RequestContext): Promise<MeetingDto[]> {
    const meetings = await this.cache.get(meetingsOperation, {}, ctx);
    const room = user.roomName;
    return room === undefined ? meetings : meetings.filter((m) => m.room_name === room);
  }
}
