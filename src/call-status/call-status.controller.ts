import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { RequestCtx } from '../common/request-context.decorator.js';
import type { RequestContext } from '../common/request-context.js';
import { ApiConferenceOperation } from '../docs/api-responses.decorator.js';
import { RoomQueryDto } from '../rooms/dto/room-query.dto.js';
import { roomApiErrors } from '../rooms/room-api-errors.js';
import { CallStatusService } from './call-status.service.js';
import { CallStatusResponseDto } from './dto/call-status-response.dto.js';

@Controller('callStatus')
@ApiTags('conference')
export class CallStatusController {
  constructor(private readonly callStatus: CallStatusService) {}

  @Get()
  @Header('cache-control', 'no-store')
  @ApiConferenceOperation({
    operationId: 'getCallStatus',
    summary: 'Whether recording and transcription are on in a room',
    ok: CallStatusResponseDto,
    okExample: { transcript_status: false, recording_status: true },
    okDescription: "Admin Control's status of the room, possibly cached for a moment.",
    okHeaders: ['Age'],
    errors: roomApiErrors('query'),
  })
  getCallStatus(
    @Query() query: RoomQueryDto,
    @CurrentUser() user: AuthUser,
    @RequestCtx() ctx: RequestContext,
  ): Promise<CallStatusResponseDto> {
    return this.callStatus.getStatus(query.roomName, user, ctx);
  }
}
