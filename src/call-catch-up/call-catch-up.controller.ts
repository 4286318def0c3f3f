import { Controller, Get, Header, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { RequestCtx } from '../common/request-context.decorator.js';
import type { RequestContext } from '../common/request-context.js';
import { ApiConferenceOperation, type ApiData } from '../docs/api-responses.decorator.js';
import { RoomParamsDto } from '../rooms/dto/room-params.dto.js';
import { RoomQueryDto } from '../rooms/dto/room-query.dto.js';
import { roomApiErrors } from '../rooms/room-api-errors.js';
import { CallCatchUpService } from './call-catch-up.service.js';

const CATCH_UP: ApiData = {
  name: 'CallCatchUp',
  schema: {
    type: 'string',
    description: 'What has been said so far in the ongoing call, as Admin Control summarises it.',
    example: 'Meeting Summary content',
  },
};
// What both forms document alike.
const SUCCESS = {
  ok: CATCH_UP,
  okExample: 'Meeting Summary content',
  okDescription: "Admin Control's catch-up text (up to 1 MiB), possibly cached for a while.",
};

// The docs name the room a path segment but their 400 says "query param": both forms work, and
// /callCatchUp or /callCatchUp/ with no room answer that documented 400.
@Controller('callCatchUp')
@ApiTags('conference')
export class CallCatchUpController {
  constructor(private readonly callCatchUp: CallCatchUpService) {}

  @Get(':roomName')
  @Header('cache-control', 'no-store')
  @ApiConferenceOperation({
    operationId: 'getCallCatchUp',
    summary: 'The catch-up of an ongoing call, for participants who join late',
    ...SUCCESS,
    errors: roomApiErrors('path'),
  })
  getCallCatchUp(
    @Param() params: RoomParamsDto,
    @CurrentUser() user: AuthUser,
    @RequestCtx() ctx: RequestContext,
  ): Promise<string> {
    return this.callCatchUp.getCatchUp(params.roomName, user, ctx);
  }

  @Get()
  @Header('cache-control', 'no-store')
  @ApiConferenceOperation({
    operationId: 'getCallCatchUpByQuery',
    summary: 'The same, with the room in the query (`/callCatchUp/{roomName}` is canonical)',
    ...SUCCESS,
    errors: roomApiErrors('query'),
  })
  getCallCatchUpByQuery(
    @Query() query: RoomQueryDto,
    @CurrentUser() user: AuthUser,
    @RequestCtx() ctx: RequestContext,
  ): Promise<string> {
    return this.callCatchUp.getCatchUp(query.roomName, user, ctx);
  }
}
