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
import { SUMMARY_API_ERRORS, SUMMARY_NOT_FOUND_ERROR } from './call-summary-api-errors.js';
import { CallSummaryService } from './call-summary.service.js';

const SUMMARY: ApiData = {
  name: 'CallSummary',
  schema: {
    type: 'string',
    description: "The ended meeting's summary file, as UTF-8 text.",
    example: 'Meeting Summary content',
  },
};
// What both forms document alike.
const SUCCESS = {
  ok: SUMMARY,
  okExample: 'Meeting Summary content',
  okDescription:
    'The summary file Admin Control points at, read from S3 (up to SUMMARY_MAX_BYTES, 1 MiB by default).',
};

// As /callCatchUp: the room in the path, or in the query (its documented 400 says "query param").
@Controller('callSummary')
@ApiTags('conference')
export class CallSummaryController {
  constructor(private readonly callSummary: CallSummaryService) {}

  @Get(':roomName')
  @Header('cache-control', 'no-store')
  @ApiConferenceOperation({
    operationId: 'getCallSummary',
    summary: 'The summary of an ended meeting',
    ...SUCCESS,
    errors: [...roomApiErrors('path', SUMMARY_NOT_FOUND_ERROR), ...SUMMARY_API_ERRORS],
  })
  getCallSummary(
    @Param() params: RoomParamsDto,
    @CurrentUser() user: AuthUser,
    @RequestCtx() ctx: RequestContext,
  ): Promise<string> {
    return this.callSummary.getSummary(params.roomName, user, ctx);
  }

  @Get()
  @Header('cache-control', 'no-store')
  @ApiConferenceOperation({
    operationId: 'getCallSummaryByQuery',
    summary: 'The same, with the room in the query (`/callSummary/{roomName}` is canonical)',
    ...SUCCESS,
    errors: [...roomApiErrors('query', SUMMARY_NOT_FOUND_ERROR), ...SUMMARY_API_ERRORS],
  })
  getCallSummaryByQuery(
    @Query() query: RoomQueryDto,
    @CurrentUser() user: AuthUser,
    @RequestCtx() ctx: RequestContext,
  ): Promise<string> {
    return this.callSummary.getSummary(query.roomName, user, ctx);
  }
}
