import { Controller } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth.types.js';
import type { RequestContext } from '../common/request-context.js';
import type { ApiData } from '../docs/api-responses.decorator.js';
import { RoomRoutesController } from '../rooms/room-routes.controller.js';
import { CallCatchUpService } from './call-catch-up.service.js';

const CATCH_UP: ApiData = {
  name: 'CallCatchUp',
  schema: {
    type: 'string',
    description: 'What has been said so far in the ongoing call, as Admin Control summarises it.',
    example: 'Meeting Summary content',
  },
};

// GET /callCatchUp/:roomName and GET /callCatchUp?roomName= (see RoomRoutesController).
@Controller('callCatchUp')
@ApiTags('conference')
export class CallCatchUpController extends RoomRoutesController<string>({
  route: 'callCatchUp',
  operationId: 'getCallCatchUp',
  summary: 'The catch-up of an ongoing call, for participants who join late',
  ok: CATCH_UP,
  okExample: 'Meeting Summary content',
  okDescription: "Admin Control's catch-up text (up to 1 MiB), possibly cached for a while.",
}) {
  constructor(private readonly callCatchUp: CallCatchUpService) {
    super();
  }

  forRoom(roomName: string, user: AuthUser, ctx: RequestContext): Promise<string> {
    return this.callCatchUp.getCatchUp(roomName, user, ctx);
  }
}
