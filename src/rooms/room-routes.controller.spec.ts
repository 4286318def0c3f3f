import 'reflect-metadata';
import { RequestMethod } from '@nestjs/common';
import {
  HEADERS_METADATA,
  METHOD_METADATA,
  PARAMTYPES_METADATA,
  PATH_METADATA,
} from '@nestjs/common/constants.js';
import { describe, expect, it } from 'vitest';
import type { AuthUser } from '../auth/auth.types.js';
import type { RequestContext } from '../common/request-context.js';
import type { ApiErrorCase } from '../docs/api-responses.decorator.js';
import { RoomParamsDto } from './dto/room-params.dto.js';
import { RoomQueryDto } from './dto/room-query.dto.js';
import { ROOM_NOT_FOUND_ERROR, roomApiErrors } from './room-api-errors.js';
import { RoomRoutesController, roomRoutesDocs } from './room-routes.controller.js';

const GONE: ApiErrorCase = { name: 'gone', status: 404, message: 'Gone', when: 'It went' };
const EXTRA: ApiErrorCase = { name: 'extra', status: 502, message: 'Bad gateway', when: 'Odd' };
const OPTIONS = {
  route: 'thing',
  operationId: 'getThing',
  summary: 'The thing of a room',
  ok: { name: 'Thing', schema: { type: 'string' as const } },
  okExample: 'a thing',
  okDescription: 'The thing.',
};

describe(roomRoutesDocs.name, () => {
  it('documents the path form as given and derives the query form from it', () => {
    const docs = roomRoutesDocs(OPTIONS);
    const shared = {
      ok: OPTIONS.ok,
      okExample: 'a thing',
      okDescription: 'The thing.',
    };
    expect(docs).toStrictEqual({
      path: {
        ...shared,
        operationId: 'getThing',
        summary: 'The thing of a room',
        errors: roomApiErrors('path', ROOM_NOT_FOUND_ERROR),
      },
      query: {
        ...shared,
        operationId: 'getThingByQuery',
        summary: 'The same, with the room in the query (`/thing/{roomName}` is canonical)',
        errors: roomApiErrors('query', ROOM_NOT_FOUND_ERROR),
      },
    });
  });

  it("puts the endpoint's 404 in place of Room not found and its own cases after the room ones", () => {
    const docs = roomRoutesDocs({ ...OPTIONS, notFound: GONE, errors: [EXTRA] });
    expect(docs.path.errors).toStrictEqual([...roomApiErrors('path', GONE), EXTRA]);
    expect(docs.query.errors).toStrictEqual([...roomApiErrors('query', GONE), EXTRA]);
  });
});

describe(RoomRoutesController.name, () => {
  const USER = { subject: 'u-1' } as AuthUser;
  const CTX = {} as RequestContext;

  class ThingController extends RoomRoutesController<string>(OPTIONS) {
    readonly asked: string[] = [];
    forRoom(roomName: string, user: AuthUser, ctx: RequestContext): Promise<string> {
      this.asked.push(roomName);
      return Promise.resolve(user === USER && ctx === CTX ? `thing of ${roomName}` : 'wrong');
    }
  }
  const proto = ThingController.prototype;

  it.each([
    ['byPath', ':roomName', RoomParamsDto],
    ['byQuery', '/', RoomQueryDto],
  ] as const)('declares %s as GET "%s" with its room DTO, not cached', (method, path, dto) => {
    const handler = proto[method];
    expect(Reflect.getMetadata(PATH_METADATA, handler)).toBe(path);
    expect(Reflect.getMetadata(METHOD_METADATA, handler)).toBe(RequestMethod.GET);
    expect(Reflect.getMetadata(HEADERS_METADATA, handler)).toStrictEqual([
      { name: 'cache-control', value: 'no-store' },
    ]);
    expect(Reflect.getMetadata(PARAMTYPES_METADATA, proto, method)?.[0]).toBe(dto);
  });

  it('answers both forms with one forRoom call on the room name', async () => {
    const controller = new ThingController();
    await expect(controller.byPath({ roomName: 'r-1' }, USER, CTX)).resolves.toBe('thing of r-1');
    await expect(controller.byQuery({ roomName: 'r-2' }, USER, CTX)).resolves.toBe('thing of r-2');
    expect(controller.asked).toStrictEqual(['r-1', 'r-2']);
  });

  it('gives each controller its own handlers (guards remember per handler)', () => {
    const Other = RoomRoutesController<string>({ ...OPTIONS, operationId: 'getOther' });
    expect(Other.prototype.byPath).not.toBe(proto.byPath);
    expect(Other.prototype.byQuery).not.toBe(proto.byQuery);
  });
});
