import { Controller, Get, Header, Query } from '@nestjs/common';
import { CallStatusService } from './call-status.service.js';
import type { CallStatusResponseDto } from './dto/call-status-response.dto.js';
import { GetCallStatusQueryDto } from './dto/get-call-status-query.dto.js';

@Controller('callStatus')
export class CallStatusController {
  constructor(private readonly callStatus: CallStatusService) {}

  @Get()
  @Header('cache-control', 'no-store')
  getCallStatus(@Query() query: GetCallStatusQueryDto): Promise<CallStatusResponseDto> {
    return this.callStatus.getStatus(query.roomName);
  }
}
