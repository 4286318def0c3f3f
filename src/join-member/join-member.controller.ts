import { Controller, Get, Header, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/public.decorator.js';
import { RequestCtx } from '../common/request-context.decorator.js';
import type { RequestContext } from '../common/request-context.js';
import { messageFor } from '../common/error-response.js';
import {
  API_ERRORS,
  ApiEnvelopeOk,
  ApiErrorResponses,
  type ApiData,
} from '../docs/api-responses.decorator.js';
import { RoomQueryDto } from '../rooms/dto/room-query.dto.js';
import { roomApiErrors } from '../rooms/room-api-errors.js';
import { JoinMemberGuard } from './join-member.guard.js';
import { JoinMemberService } from './join-member.service.js';

// The ProCONF docs' sample guest token (claims roomName, userId, iat, exp).
const SAMPLE_GUEST_TOKEN =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb29tTmFtZSI6InRlc3Ryb29tIiwidXNlcklkIjoiZkREZGZYMzRBV3dxY0RIR052R0RUQiIsImlhdCI6MTcxNzY3MzUyNSwiZXhwIjoxNzE3NzI3NTI1fQ.' +
  'I-WjgBNiM1v-7lzXJff1tCQ01AIaHAJ-RriJkUgM8wg';

const GUEST_TOKEN: ApiData = {
  name: 'GuestToken',
  schema: {
    type: 'string',
    description:
      'A JWT scoped to the room: claims `roomName`, `userId` (a random 22-character id), `iat`, ' +
      '`exp` (after GUEST_TOKEN_TTL_S), and `iss`/`aud` when configured. As a bearer token it ' +
      'reads only its own room (403 elsewhere).',
    example: SAMPLE_GUEST_TOKEN,
  },
};

@Controller('auth')
@ApiTags('identity')
export class JoinMemberController {
  constructor(private readonly joinMember: JoinMemberService) {}

  @Get('joinmember')
  @Public()
  @UseGuards(JoinMemberGuard)
  @Header('cache-control', 'no-store')
  @ApiOperation({
    operationId: 'joinMember',
    summary: 'A guest token for an existing room (no sign-in)',
    description:
      'Public. The room must exist at Admin Control (its session status, cached as for ' +
      '/callStatus). Limited to GUEST_TOKENS_PER_MINUTE requests per client address.',
  })
  @ApiEnvelopeOk(GUEST_TOKEN, { description: 'The guest token.', example: SAMPLE_GUEST_TOKEN })
  @ApiErrorResponses(
    // No 401 and no 403: the route takes no token.
    ...roomApiErrors('query').filter((error) => error.status !== 403),
    {
      name: 'guestJoinDisabled',
      status: 404,
      message: messageFor(404),
      when: 'Guest join is off (GUEST_JOIN_ENABLED=false, or no JWT_SECRET/JWT_PRIVATE_KEY)',
    },
    API_ERRORS.notFound,
    {
      ...API_ERRORS.tooManyRequests,
      name: 'tooManyGuestTokens',
      when:
        'More than GUEST_TOKENS_PER_MINUTE requests from this client address in the last ' +
        'minute (or over the general rate limit)',
    },
    API_ERRORS.internal,
    API_ERRORS.badGateway,
    API_ERRORS.serviceUnavailable,
    API_ERRORS.gatewayTimeout,
  )
  getGuestToken(@Query() query: RoomQueryDto, @RequestCtx() ctx: RequestContext): Promise<string> {
    return this.joinMember.guestToken(query.roomName, ctx);
  }
}
