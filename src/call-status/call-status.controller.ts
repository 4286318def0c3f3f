import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { RequestCtx } from '../common/request-context.decorator.js';
import type { RequestContext } from '../common/request-context.js';
import { API_ERRORS, ApiConferenceOperation } from '../docs/api-responses.decorator.js';
import { CallStatusService, ROOM_NOT_FOUND } from './call-status.service.js';
import { CallStatusResponseDto } from './dto/call-status-response.dto.js';
import { GetCallStatusQueryDto, ROOM_NAME_QUERY_ERRORS } from './dto/get-call-status-query.dto.js';

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
    errors: [
      ...ROOM_NAME_QUERY_ERRORS,
      API_ERRORS.forbiddenRoom,
      {
        name: 'roomNotFound',
        status: 404,
        message: ROOM_NOT_FOUND,
        when: 'Admin Control does not know the room',
      },
    ],
  })
  getCallStatus(
    @Query() query: GetCallStatusQueryDto,
    @CurrentUser() user: AuthUser,
    @RequestCtx() ctx: RequestContext,
  ): Promise<CallStatusResponseDto> {
    return this.callStatus.getStatus(query.roomName, user, ctx);
  }
}
