import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/public.decorator.js';
import { AppException } from '../common/app.exception.js';
import { messageFor } from '../common/error-response.js';
import { API_ERRORS, ApiErrorResponses } from '../docs/api-responses.decorator.js';
import { JwkSetDto } from './dto/jwk-set.dto.js';
import { JwksService } from './jwks.service.js';

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
  @ApiOkResponse({ description: 'The JWK Set.', type: JwkSetDto })
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
