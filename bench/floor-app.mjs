// Bench target `floor` (opt-in: TARGETS=server,baseline,floor npm run bench): the pieces the
// project is required to use for GET /callStatus, and nothing else. NestJS 12 on Fastify, a
// controller with a class-validator DTO for `roomName` (Nest's own ValidationPipe), a JWT guard
// from @nestjs/passport + passport-jwt, Admin Control called through @nestjs/axios' HttpService
// (axios' node:http adapter, keep-alive agent), a global exception filter for the envelope, and
// the baseline's single flight per room. No cache, no access log, no metrics, no rate limit,
// no breaker, deadline budget or retry, no security headers.
//
// It answers the question "can any server built from the required stack reach the targets?":
// whatever it measures is an upper bound for the real server, which must do more per request.
// Plain JavaScript (no build step), so decorators are applied by hand with Reflect.decorate.
import 'reflect-metadata';
import http from 'node:http';
import { createSecretKey } from 'node:crypto';
import { HttpModule, HttpService } from '@nestjs/axios';
import {
  Catch,
  Controller,
  Get,
  HttpException,
  Injectable,
  Module,
  Query,
  ValidationPipe,
  BadRequestException,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE, NestFactory } from '@nestjs/core';
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { IsNotEmpty, IsString, Matches } from 'class-validator';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { firstValueFrom } from 'rxjs';

const { PORT, ADMIN_BACKEND_URL, JWT_SECRET } = process.env;
if (!ADMIN_BACKEND_URL || !JWT_SECRET)
  throw new Error('ADMIN_BACKEND_URL and JWT_SECRET are required');

const envelope = (code, message) =>
  code === 400 || code === 401
    ? { data: null, error: { code, message } }
    : { error: { code, message }, data: null };

class RoomQuery {}
Reflect.decorate(
  [
    Matches(/^[A-Za-z0-9._~-]{1,128}$/, { message: 'Invalid room name.' }),
    IsString({ message: 'Invalid room name.' }),
    IsNotEmpty({ message: 'Room name required in query param.' }),
  ],
  RoomQuery.prototype,
  'roomName',
);

class JwtStrategy extends PassportStrategy(Strategy) {
  constructor() {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: createSecretKey(Buffer.from(JWT_SECRET)),
      algorithms: ['HS256'],
    });
  }
  validate(payload) {
    return payload;
  }
}
Reflect.decorate([Injectable()], JwtStrategy);

class JwtGuard extends AuthGuard('jwt') {}
Reflect.decorate([Injectable()], JwtGuard);

class StatusService {
  inflight = new Map();
  constructor(http) {
    this.http = http;
  }
  async fetch(room) {
    const res = await firstValueFrom(
      this.http.get(`/sessions-status/${encodeURIComponent(room)}`, { validateStatus: () => true }),
    );
    if (res.status === 404) throw new HttpException(envelope(404, 'Room not found.'), 404);
    const d = res.data?.data;
    if (res.status !== 200 || typeof d?.transcript_status !== 'boolean') {
      throw new HttpException(envelope(502, 'Bad gateway'), 502);
    }
    return { transcript_status: d.transcript_status, recording_status: d.recording_status };
  }
  status(room) {
    let p = this.inflight.get(room);
    if (!p)
      this.inflight.set(room, (p = this.fetch(room).finally(() => this.inflight.delete(room))));
    return p;
  }
}
Reflect.decorate([Injectable()], StatusService);
Reflect.defineMetadata('design:paramtypes', [HttpService], StatusService);

class StatusController {
  constructor(service) {
    this.service = service;
  }
  async get(query) {
    return { error: null, data: await this.service.status(query.roomName) };
  }
}
Reflect.decorate([Controller()], StatusController);
Reflect.decorate(
  [Get('callStatus')],
  StatusController.prototype,
  'get',
  Object.getOwnPropertyDescriptor(StatusController.prototype, 'get'),
);
Query()(StatusController.prototype, 'get', 0);
Reflect.defineMetadata('design:paramtypes', [RoomQuery], StatusController.prototype, 'get');
Reflect.defineMetadata('design:paramtypes', [StatusService], StatusController);

class EnvelopeFilter {
  catch(error, host) {
    const reply = host.switchToHttp().getResponse();
    let status = 500;
    let body = envelope(500, 'Internal server error');
    if (error instanceof HttpException) {
      status = error.getStatus();
      const r = error.getResponse();
      if (error instanceof BadRequestException) {
        const first = Array.isArray(r?.message) ? r.message[0] : 'Invalid room name.';
        body = envelope(400, first);
      } else if (status === 401 || status === 403) body = envelope(401, 'Unauthorized');
      else if (r && typeof r === 'object' && 'error' in r) body = r;
      else body = envelope(status, String(r?.message ?? 'Error'));
    }
    reply.status(status).send(body);
  }
}
Reflect.decorate([Catch()], EnvelopeFilter);

// Guards are global (APP_GUARD); /health is answered before them by a Fastify route instead.
class FloorModule {}
Reflect.decorate(
  [
    Module({
      imports: [
        PassportModule,
        HttpModule.register({
          baseURL: ADMIN_BACKEND_URL.replace(/\/+$/, ''),
          timeout: 5000,
          httpAgent: new http.Agent({ keepAlive: true, maxFreeSockets: 256 }),
        }),
      ],
      controllers: [StatusController],
      providers: [
        JwtStrategy,
        StatusService,
        { provide: APP_GUARD, useClass: JwtGuard },
        { provide: APP_FILTER, useClass: EnvelopeFilter },
        {
          provide: APP_PIPE,
          useValue: new ValidationPipe({ transform: true, stopAtFirstError: true }),
        },
      ],
    }),
  ],
  FloorModule,
);

const adapter = new FastifyAdapter();
adapter.getInstance().get('/health', (_req, reply) => reply.send({}));
const app = await NestFactory.create(FloorModule, adapter, { logger: ['error'] });
await app.listen(Number(PORT ?? 0), '127.0.0.1');
console.log(`floor app listening on ${await app.getUrl()}`);
const stop = () => app.close().then(() => process.exit(0));
process.once('SIGTERM', stop).once('SIGINT', stop);
