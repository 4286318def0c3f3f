import { Controller, Get, Module, StreamableFile } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter } from '../src/app.setup.js';
import { EnvelopeFastifyAdapter } from '../src/common/envelope-fastify.adapter.js';

// Shapes future conference endpoints return (a guest token is a string; a summary may be one).
@Controller('shapes')
class ShapesController {
  @Get('object')
  object(): object {
    return { a: 1 };
  }

  @Get('string')
  string(): string {
    return 'eyJhbGciOi.token';
  }

  @Get('nothing')
  nothing(): void {}

  @Get('list')
  list(): number[] {
    return [1, 2];
  }

  @Get('file')
  file(): StreamableFile {
    return new StreamableFile(Readable.from(['raw bytes']), { type: 'text/plain' });
  }
}

@Module({ controllers: [ShapesController] })
class ShapesModule {}

describe(EnvelopeFastifyAdapter.name, () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ShapesModule] }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(createAdapter(), {
      logger: false,
    });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  it.each([
    ['/shapes/object', '{"error":null,"data":{"a":1}}'],
    ['/shapes/string', '{"error":null,"data":"eyJhbGciOi.token"}'],
    ['/shapes/nothing', '{"error":null,"data":null}'],
    ['/shapes/list', '{"error":null,"data":[1,2]}'],
  ])('wraps what %s returns in the success envelope', async (url, body) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toBe(body);
  });

  it('passes files through untouched', async () => {
    const res = await app.inject({ method: 'GET', url: '/shapes/file' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('raw bytes');
  });
});
