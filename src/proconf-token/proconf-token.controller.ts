import { Body, Controller, Header, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { JsonBodyGuard } from '../common/json-body.guard.js';
import { RequestCtx } from '../common/request-context.decorator.js';
import type { RequestContext } from '../common/request-context.js';
import { ApiConferenceOperation } from '../docs/api-responses.decorator.js';
import { ProconfTokenBodyDto } from './dto/proconf-token-body.dto.js';
import { PROCONF_TOKEN_ERRORS } from './proconf-token-api-errors.js';
import { ProconfTokenService } from './proconf-token.service.js';

// The ProCONF docs' sample (Jitsi-style claims: room, context.user.role, participantName).
const SAMPLE_PROCONF_TOKEN =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiIqIiwiaXNzIjoieHl6Iiwic3ViIjoieHl6LnByb2NvbmYuaW5mbyIsInJvb20iOiJ0ZXN0cm9vbSIsIm5iZiI6MTcxNzY0NjYyNiwiY29udGV4dCI6eyJ1c2VyIjp7InJvbGUiOiJvd25lciJ9fSwicGFydGljaXBhbnROYW1lIjoiQWxleCIsImlhdCI6MTcxNzY1MDIyNiwiZXhwIjoxNzE4MjU1MDI2fQ.' +
  'wPc-AAwzX1rtMoUZnpyr31JTUfH6wPvlJewjjZNHDp8';

const EXAMPLES = {
  owner: {
    summary: 'The host starts the meeting',
    value: { role: 'owner', room: 'demo-room', participantName: 'Alex' },
  },
  participant: {
    summary: 'A guest (with a guest token of demo-room) joins it',
    value: { role: 'participant', room: 'demo-room', participantName: 'Sam' },
  },
};

@Controller('proconfToken')
@ApiTags('conference')
export class ProconfTokenController {
  constructor(private readonly proconfTokens: ProconfTokenService) {}

  @Post()
  @HttpCode(200)
  @UseGuards(JsonBodyGuard)
  @Header('cache-control', 'no-store')
  @ApiConferenceOperation({
    operationId: 'getProconfToken',
    summary: 'The ProCONF token to start or join a meeting, from Admin Control',
    description:
      'Admin Control `POST /proconf-token` with exactly the three fields, validated (a JSON ' +
      'body of at most 16 KiB; other fields are ignored). Never cached; retried only when the ' +
      'request never reached Admin Control.',
    ok: { name: 'ProconfToken', schema: { type: 'string', example: SAMPLE_PROCONF_TOKEN } },
    okExample: SAMPLE_PROCONF_TOKEN,
    okDescription: "Admin Control's ProCONF token (a JWT), as it gave it.",
    errors: PROCONF_TOKEN_ERRORS,
  })
  @ApiBody({ type: ProconfTokenBodyDto, examples: EXAMPLES })
  getProconfToken(
    @Body() body: ProconfTokenBodyDto,
    @CurrentUser() user: AuthUser,
    @RequestCtx() ctx: RequestContext,
  ): Promise<string> {
    return this.proconfTokens.getToken(body, user, ctx);
  }
}
