import { Controller, Get, Header, Query } from '@nestjs/common';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { RequestCtx } from '../common/request-context.decorator.js';
import type { RequestContext } from '../common/request-context.js';
import { CallStatusService } from './call-status.service.js';
import type { CallStatusResponseDto } from './dto/call-status-response.dto.js';
import { GetCallStatusQueryDto } from './dto/get-call-status-query.dto.js';

@Controller('callStatus')
export class CallStatusController {
  constructor(private readonly callStatus: CallStatusService) {}

  @Get()
  @Header('cache-control', 'no-store')
  getCallStatus(
    @Query() query: GetCallStatusQueryDto,
    @CurrentUser() user: AuthUser,
    @RequestCtx() ctx: RequestContext,
  ): Promise<CallStatusResponseDto> {
    return this.callStatus.getStatus(query.roomName, user, ctx);
  }
}
