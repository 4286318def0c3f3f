import { Controller } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth.types.js';
import type { RequestContext } from '../common/request-context.js';
import type { ApiData } from '../docs/api-responses.decorator.js';
import { RoomRoutesController } from '../rooms/room-routes.controller.js';
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

// As /callCatchUp: the room in the path, or in the query (see RoomRoutesController).
@Controller('callSummary')
@ApiTags('conference')
export class CallSummaryController extends RoomRoutesController<string>({
  route: 'callSummary',
  operationId: 'getCallSummary',
  summary: 'The summary of an ended meeting',
  ok: SUMMARY,
  okExample: 'Meeting Summary content',
  okDescription:
    'The summary file Admin Control points at, read from S3 (up to SUMMARY_MAX_BYTES, 1 MiB by default).',
  notFound: SUMMARY_NOT_FOUND_ERROR,
  errors: SUMMARY_API_ERRORS,
}) {
  constructor(private readonly callSummary: CallSummaryService) {
    super();
  }

  forRoom(roomName: string, user: AuthUser, ctx: RequestContext): Promise<string> {
    return this.callSummary.getSummary(roomName, user, ctx);
  }
}
