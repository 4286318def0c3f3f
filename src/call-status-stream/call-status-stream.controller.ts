import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { API_ERRORS, ApiErrorResponses, BEARER_AUTH } from '../docs/api-responses.decorator.js';
import { RoomQueryDto } from '../rooms/dto/room-query.dto.js';
import { roomApiErrors } from '../rooms/room-api-errors.js';
import { StatusStreamService } from './status-stream.service.js';

const EVENT_FORMAT = `Server-Sent Events (\`text/event-stream\`), as browsers' EventSource and SSE
client libraries read them. Every check happens before the stream starts: a refused request is
an ordinary JSON error envelope.

- The first event comes at once: \`event: status\`, \`data\` the same object as \`/callStatus\`
  returns in \`data\`, \`id\` a version that grows with each change. Then one \`status\` event per
  change, and nothing while nothing changes.
- A comment line (\`: keep-alive\`) every 15 s (STREAM_HEARTBEAT_MS) keeps proxies from
  closing the connection.
- \`retry:\` (2000-5000 ms) is when to reconnect. A reconnect with \`Last-Event-ID\` gets the current
  state at once if it changed since, otherwise it waits for the next change.
- When Admin Control fails: \`event: error\`, \`data\` the error envelope's \`error\` object
  (\`{"code":502,"message":"Bad gateway"}\`, 503, 504), and the stream stays open; the next
  \`status\` event says it recovered. When the room no longer exists: \`event: error\` with
  \`{"code":404,"message":"Room not found"}\`, then the stream ends.
- When the token expires: \`event: error\` with \`{"code":401,"message":"Unauthorized"}\`, then the
  stream ends; reconnect with a fresh token. When the server shuts down, a comment and the end of
  the stream: reconnect (another instance answers).`;

const EXAMPLE = `retry: 3000
id: 1767225600000
event: status
data: {"transcript_status":false,"recording_status":true}

: keep-alive

id: 1767225612345
event: status
data: {"transcript_status":false,"recording_status":false}

id: 1767225630000
event: error
data: {"code":502,"message":"Bad gateway"}

`;

@Controller('callStatus')
@ApiTags('conference')
export class CallStatusStreamController {
  constructor(private readonly streams: StatusStreamService) {}

  // The handler writes the reply itself (@Res()): a stream, not the JSON envelope.
  @Get('stream')
  @ApiOperation({
    operationId: 'streamCallStatus',
    summary: 'Recording and transcription state of a room, pushed on every change',
    description: EVENT_FORMAT,
  })
  @ApiBearerAuth(BEARER_AUTH)
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'The `id` of the last event received, when reconnecting.',
  })
  @ApiOkResponse({
    description: 'The stream of events, until the client leaves or one of the endings above.',
    content: { 'text/event-stream': { schema: { type: 'string' }, example: EXAMPLE } },
  })
  @ApiErrorResponses(
    ...roomApiErrors('query'),
    API_ERRORS.unauthorized,
    API_ERRORS.notFound,
    API_ERRORS.tooManyRequests,
    {
      ...API_ERRORS.tooManyRequests,
      name: 'tooManyStreams',
      when: 'The caller already has STREAM_MAX_PER_SUBJECT streams open on this instance',
    },
    API_ERRORS.internal,
    {
      ...API_ERRORS.serviceUnavailable,
      when: 'The instance holds STREAM_MAX_CONNECTIONS streams, or is shutting down',
    },
  )
  openStream(
    @Query() query: RoomQueryDto,
    @CurrentUser() user: AuthUser,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return this.streams.open(query.roomName, user, request, reply);
  }
}
