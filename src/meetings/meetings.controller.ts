import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { RequestCtx } from '../common/request-context.decorator.js';
import type { RequestContext } from '../common/request-context.js';
import { ApiConferenceOperation } from '../docs/api-responses.decorator.js';
import { MeetingDto } from './dto/meeting.dto.js';
import { MeetingsService } from './meetings.service.js';

@Controller('meetings')
@ApiTags('conference')
export class MeetingsController {
  constructor(private readonly meetings: MeetingsService) {}

  @Get()
  @Header('cache-control', 'no-store')
  @ApiConferenceOperation({
    operationId: 'getMeetings',
    summary: 'The meetings that have ended',
    description: 'A token scoped to a room (claim `roomName` or `room`) sees that room only.',
    ok: { name: 'Meetings', schema: { type: [MeetingDto] } },
    okExample: [
      {
        room_name: 'r1',
        unique_id: 'r1_1718871014',
        created_at: '2024-06-20T08:10:14.000Z',
        destroyed_at: '2024-06-20T08:10:34.000Z',
      },
    ],
    okDescription: "Admin Control's list (up to 4 MiB), possibly cached for a while.",
  })
  getMeetings(
    @CurrentUser() user: AuthUser,
    @RequestCtx() ctx: RequestContext,
  ): Promise<MeetingDto[]> {
    return this.meetings.getMeetings(user, ctx);
  }
}
