import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { RequestCtx } from '../common/request-context.decorator.js';
import type { RequestContext } from '../common/request-context.js';
import { ApiConferenceOperation } from '../docs/api-responses.decorator.js';
import { CallConfigService } from './call-config.service.js';
import { CALL_CONFIG_EXAMPLE, CallConfigResponseDto } from './dto/call-config-response.dto.js';

@Controller('callConfig')
@ApiTags('conference')
export class CallConfigController {
  constructor(private readonly callConfig: CallConfigService) {}

  @Get()
  @Header('cache-control', 'no-store')
  @ApiConferenceOperation({
    operationId: 'getCallConfig',
    summary: 'Which features are on for calls (audio, video, chat, recording...)',
    ok: CallConfigResponseDto,
    okExample: CALL_CONFIG_EXAMPLE,
    okDescription: "Admin Control's call configuration, possibly cached for a while.",
  })
  getCallConfig(@RequestCtx() ctx: RequestContext): Promise<CallConfigResponseDto> {
    return this.callConfig.getConfig(ctx);
  }
}
