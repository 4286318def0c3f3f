import { Body, Controller, Header, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/public.decorator.js';
import { messageFor } from '../common/error-response.js';
import { JsonBodyGuard } from '../common/json-body.guard.js';
import { API_ERRORS, ApiErrorResponses } from '../docs/api-responses.decorator.js';
import { ClientAddress } from './client-address.decorator.js';
import { CREDENTIALS_REQUIRED, LoginBodyDto } from './dto/login-body.dto.js';
import { SAMPLE_ACCESS_TOKEN, TokenEnvelopeDto } from './dto/token-envelope.dto.js';
import { LoginRequestGuard } from './login-request.guard.js';
import { LoginService } from './login.service.js';

const EXAMPLE_BODY = { username: 'alice', password: 'correct horse battery staple' };

@Controller('auth')
@ApiTags('identity')
export class LoginController {
  constructor(private readonly logins: LoginService) {}

  @Post('login')
  @Public()
  // The 404 of a disabled route before the 415 of a wrong body type.
  @UseGuards(LoginRequestGuard, JsonBodyGuard)
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  @ApiOperation({
    operationId: 'login',
    summary: 'Sign in with a user of the users file; answers an access token',
    description:
      'The token (`sub` = username, `exp` after AUTH_TOKEN_TTL_S, `jti`) is the bearer token ' +
      'for the other operations. JSON body of at most 16 KiB. Failed attempts are limited per ' +
      'username and client address and per address (LOGIN_FAILURES_PER_USER, ' +
      'LOGIN_FAILURES_PER_ADDRESS in LOGIN_FAILURE_WINDOW_S).',
  })
  @ApiBody({ type: LoginBodyDto, examples: { alice: { value: EXAMPLE_BODY } } })
  @ApiOkResponse({
    description: 'Signed in: the access token.',
    type: TokenEnvelopeDto,
    example: { error: null, data: SAMPLE_ACCESS_TOKEN },
  })
  @ApiErrorResponses(
    {
      name: 'credentialsRequired',
      status: 400,
      message: CREDENTIALS_REQUIRED,
      when: '`username` or `password` is missing, not a string or blank',
    },
    {
      name: 'bodyNotAnObject',
      status: 400,
      message: messageFor(400),
      when: 'The body is not a JSON object',
    },
    {
      name: 'wrongCredentials',
      status: 401,
      message: messageFor(401),
      when:
        'Unknown user or wrong password (one answer for both, after the same work); without ' +
        '`WWW-Authenticate`: the credentials are in the body, not an HTTP authentication scheme',
    },
    {
      name: 'loginDisabled',
      status: 404,
      message: messageFor(404),
      when: 'The deployment has no users file (AUTH_USERS_FILE): users sign in elsewhere',
    },
    API_ERRORS.notFound,
    {
      name: 'unsupportedMediaType',
      status: 415,
      message: messageFor(415),
      when: 'The body is not `application/json`',
    },
    {
      ...API_ERRORS.tooManyRequests,
      name: 'tooManyAttempts',
      when:
        'Too many failed attempts for this username from this address, or from this address ' +
        '(or over the general rate limit)',
    },
    API_ERRORS.internal,
    {
      name: 'overloaded',
      status: 503,
      message: messageFor(503),
      when: 'Too many sign-ins are being checked at once',
      headers: ['Retry-After'],
    },
  )
  login(@Body() body: LoginBodyDto, @ClientAddress() address: string): Promise<string> {
    return this.logins.login(body.username, body.password, address);
  }
}
