import { Controller, Get, Module, Param } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter } from '../src/app.setup.js';

// The router's own answers, on a route of this file (the app's /callCatchUp/<room> gets them
// too; openapi.json documents them as components.responses).
@Controller('rooms')
class RoomsController {
  @Get(':name')
  room(@Param('name') name: string): { name: string } {
    return { name };
  }
}

@Module({ controllers: [RoomsController] })
class RoomsModule {}

describe('errors of the Fastify router (frameworkErrors)', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [RoomsModule] }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(createAdapter(), {
      logger: false,
    });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  it('answers 414 in the envelope for a path parameter over 16,384 characters', async () => {
    // maxParamLength is above any request line Node accepts (431 first over HTTP): a long room
    // reaches validation ("Invalid room name."), not the router.
    const ok = await app.inject({ method: 'GET', url: `/rooms/${'a'.repeat(16 * 1024)}` });
    expect(ok.statusCode).toBe(200);
    const res = await app.inject({ method: 'GET', url: `/rooms/${'a'.repeat(16 * 1024 + 1)}` });
    expect(res.statusCode).toBe(414);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.body).toBe('{"data":null,"error":{"code":414,"message":"URI too long"}}');
  });

  it('answers 400 in the envelope for a malformed percent-encoding, without echoing it', async () => {
    const res = await app.inject({ method: 'GET', url: '/rooms%zz' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toBe('{"data":null,"error":{"code":400,"message":"Bad request"}}');
  });

  it('sends the request id on both, as on every other answer', async () => {
    const generated = await app.inject({ method: 'GET', url: `/rooms/${'a'.repeat(20000)}` });
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const given = await app.inject({
      method: 'GET',
      url: '/%E0%A4%A',
      headers: { 'x-request-id': 'client-id-1' },
    });
    expect(given.statusCode).toBe(400);
    expect(given.headers['x-request-id']).toBe('client-id-1');
  });
});
