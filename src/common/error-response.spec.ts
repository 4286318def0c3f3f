import {
  ForbiddenException,
  HttpException,
  MethodNotAllowedException,
  NotFoundException,
  PayloadTooLargeException,
  UnauthorizedException,
} from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { AppException } from './app.exception.js';
import { errorBody, toErrorResponse } from './error-response.js';

const UNEXPECTED = {
  status: 500,
  message: 'Internal server error',
  headers: {},
  unexpected: true,
};

describe(toErrorResponse.name, () => {
  it('shows an AppException as it is, headers included', () => {
    const exception = new AppException(503, 'Service unavailable', {
      headers: { 'retry-after': '3' },
      cause: new Error('upstream detail'),
    });
    expect(toErrorResponse(exception)).toStrictEqual({
      status: 503,
      message: 'Service unavailable',
      headers: { 'retry-after': '3' },
      unexpected: false,
    });
  });

  it('shows an AppException without headers with empty headers', () => {
    expect(toErrorResponse(new AppException(400, 'Invalid room name.'))).toStrictEqual({
      status: 400,
      message: 'Invalid room name.',
      headers: {},
      unexpected: false,
    });
  });

  it("maps Nest's NotFoundException to 404 with our message, not Nest's", () => {
    expect(toErrorResponse(new NotFoundException('Cannot GET /nope'))).toStrictEqual({
      status: 404,
      message: 'Not found',
      headers: {},
      unexpected: false,
    });
  });

  it('answers a wrong method (405) as 404, as the ProCONF contract does', () => {
    expect(toErrorResponse(new MethodNotAllowedException())).toStrictEqual({
      status: 404,
      message: 'Not found',
      headers: {},
      unexpected: false,
    });
  });

  it('maps UnauthorizedException to 401 with a Bearer challenge', () => {
    expect(toErrorResponse(new UnauthorizedException('jwt expired'))).toStrictEqual({
      status: 401,
      message: 'Unauthorized',
      headers: { 'www-authenticate': 'Bearer' },
      unexpected: false,
    });
  });

  it('maps ForbiddenException to 403 "Forbidden"', () => {
    expect(toErrorResponse(new ForbiddenException('secret reason'))).toStrictEqual({
      status: 403,
      message: 'Forbidden',
      headers: {},
      unexpected: false,
    });
  });

  it('maps PayloadTooLargeException to 413 "Payload too large"', () => {
    expect(toErrorResponse(new PayloadTooLargeException())).toStrictEqual({
      status: 413,
      message: 'Payload too large',
      headers: {},
      unexpected: false,
    });
  });

  it("maps a Fastify error object by its statusCode (415), hiding Fastify's message", () => {
    const fastifyError = Object.assign(new Error('Unsupported Media Type: text/xml'), {
      statusCode: 415,
      code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
    });
    expect(toErrorResponse(fastifyError)).toStrictEqual({
      status: 415,
      message: 'Unsupported media type',
      headers: {},
      unexpected: false,
    });
  });

  it('maps a plain object with statusCode 400 to 400 "Bad request"', () => {
    expect(toErrorResponse({ statusCode: 400 })).toStrictEqual({
      status: 400,
      message: 'Bad request',
      headers: {},
      unexpected: false,
    });
  });

  it('treats a 5xx HttpException that is not an AppException as our own failure', () => {
    expect(toErrorResponse(new HttpException('db down at 10.0.0.3', 503))).toStrictEqual(
      UNEXPECTED,
    );
  });

  it.each([
    ['a plain Error', new Error('boom')],
    ['a string', 'boom'],
    ['undefined', undefined],
    ['null', null],
    ['an object with statusCode 200', { statusCode: 200 }],
    ["an object with statusCode 'abc'", { statusCode: 'abc' }],
    ['an object with statusCode 600', { statusCode: 600 }],
    ['an object with statusCode 502', { statusCode: 502 }],
  ])('maps %s to 500 "Internal server error", unexpected', (_what, thrown) => {
    expect(toErrorResponse(thrown)).toStrictEqual(UNEXPECTED);
  });
});

describe(errorBody.name, () => {
  it('puts "data" first for 400 and 401', () => {
    expect(errorBody(400, 'Invalid room name.')).toBe(
      '{"data":null,"error":{"code":400,"message":"Invalid room name."}}',
    );
    expect(errorBody(401, 'Unauthorized')).toBe(
      '{"data":null,"error":{"code":401,"message":"Unauthorized"}}',
    );
  });

  it('puts "error" first for 404 and 500', () => {
    expect(errorBody(404, 'Not found')).toBe(
      '{"error":{"code":404,"message":"Not found"},"data":null}',
    );
    expect(errorBody(500, 'Internal server error')).toBe(
      '{"error":{"code":500,"message":"Internal server error"},"data":null}',
    );
  });

  it('JSON-escapes the message', () => {
    const body = errorBody(400, 'say "hi"\\\n</script>');
    expect(body).toBe(
      '{"data":null,"error":{"code":400,"message":"say \\"hi\\"\\\\\\n</script>"}}',
    );
    expect(JSON.parse(body)).toStrictEqual({
      data: null,
      error: { code: 400, message: 'say "hi"\\\n</script>' },
    });
  });
});
