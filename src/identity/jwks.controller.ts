import { Controller, Get, Headers, Res } from '@nestjs/common';
import {
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
  type HeadersObject,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/public.decorator.js';
import { AppException } from '../common/app.exception.js';
import { messageFor } from '../common/error-response.js';
import { API_ERRORS, ApiErrorResponses } from '../docs/api-responses.decorator.js';
import { JwkSetDto } from './dto/jwk-set.dto.js';
import { JwksService } from './jwks.service.js';

// On the set and on a 304 alike (RFC 9110 §15.4.5: the headers a 200 would carry).
const CACHE_HEADERS: HeadersObject = {
  'Cache-Control': {
    description: 'How long verifiers may reuse the set.',
    required: true,
    schema: { type: 'string', example: 'public, max-age=300' },
  },
  ETag: {
    description: 'The version of the set: send it back in If-None-Match.',
    required: true,
    schema: { type: 'string', example: '"LXEWQrcmsEQBYnyp-6wy9chTD7G"' },
  },
};

@Controller('.well-known')
@Public()
@ApiTags('identity')
export class JwksController {
  constructor(private readonly jwks: JwksService) {}

  // The plain JWK Set, not the envelope: JWT libraries read it as RFC 7517 writes it.
  @Get('jwks.json')
  @ApiOperation({
    operationId: 'getJwks',
    summary:
      "The public keys of the tokens this server signs (JWT_PRIVATE_KEY's and previous ones)",
    description:
      'A plain JWK Set, without the envelope. `Cache-Control: public, max-age=300` and an ' +
      '`ETag` (`If-None-Match` answers 304). Only when the server signs with JWT_PRIVATE_KEY.',
  })
  @ApiHeader({
    name: 'If-None-Match',
    required: false,
    description: 'The ETag of a set already held: 304 without a body while it is current.',
  })
  @ApiOkResponse({ description: 'The JWK Set.', type: JwkSetDto, headers: CACHE_HEADERS })
  @ApiResponse({
    status: 304,
    description: 'Not modified: If-None-Match names the current ETag. No body.',
    headers: CACHE_HEADERS,
  })
  @ApiErrorResponses(
    {
      name: 'noPublicKeys',
      status: 404,
      message: messageFor(404),
      when: 'The server signs with a shared secret (JWT_SECRET) or not at all: no public key',
    },
    API_ERRORS.tooManyRequests,
    API_ERRORS.internal,
  )
  getJwks(@Headers('if-none-match') ifNoneMatch: string | undefined, @Res() reply: FastifyReply) {
    const published = this.jwks.published;
    if (published === undefined) throw new AppException(404, messageFor(404));
    void reply.headers(published.headers);
    if (ifNoneMatch === published.headers.etag) return void reply.code(304).send();
    void reply.type('application/json; charset=utf-8').send(published.body);
  }
}
