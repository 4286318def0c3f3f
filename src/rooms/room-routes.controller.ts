import { Get, Header, Param, Query } from '@nestjs/common';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { RequestCtx } from '../common/request-context.decorator.js';
import type { RequestContext } from '../common/request-context.js';
import {
  ApiConferenceOperation,
  type ApiConferenceOperationOptions,
  type ApiErrorCase,
} from '../docs/api-responses.decorator.js';
import { RoomParamsDto } from './dto/room-params.dto.js';
import { RoomQueryDto } from './dto/room-query.dto.js';
import { roomApiErrors } from './room-api-errors.js';

export interface RoomRoutesOptions extends Omit<ApiConferenceOperationOptions, 'errors'> {
  /** The controller's route (`@Controller(route)`), e.g. `callCatchUp`: the query form names it. */
  route: string;
  /** What the endpoint's Admin Control 404 means (default: 404 "Room not found"). */
  notFound?: ApiErrorCase;
  /** The endpoint's own cases besides the room ones (`roomApiErrors`) and the shared ones. */
  errors?: readonly ApiErrorCase[];
}

/** The docs of the two forms: the path form as given, the query form derived from it. */
export function roomRoutesDocs(
  options: RoomRoutesOptions,
): Record<'path' | 'query', ApiConferenceOperationOptions> {
  const { route, notFound, errors = [], ...docs } = options;
  return {
    path: { ...docs, errors: [...roomApiErrors('path', notFound), ...errors] },
    query: {
      ...docs,
      operationId: `${docs.operationId}ByQuery`,
      summary: `The same, with the room in the query (\`/${route}/{roomName}\` is canonical)`,
      errors: [...roomApiErrors('query', notFound), ...errors],
    },
  };
}

/**
 * Base class of a controller about one room that takes it in the path (`GET /<route>/:roomName`,
 * canonical) or in the query (`GET /<route>?roomName=`): both routes, their DTOs and docs. The
 * controller keeps `@Controller(route)` and implements `forRoom`, one service call:
 *
 *   @Controller('callCatchUp')
 *   export class CallCatchUpController extends RoomRoutesController<string>({ route: 'callCatchUp', ... })
 */
export function RoomRoutesController<T>(options: RoomRoutesOptions) {
  const docs = roomRoutesDocs(options);

  // The ProCONF docs name the room a path segment but their 400 says "query param": both forms
  // work, and /<route> or /<route>/ with no room answer that documented 400. A class per call:
  // each controller gets its own handlers (guards cache per handler).
  abstract class RoomRoutes {
    abstract forRoom(roomName: string, user: AuthUser, ctx: RequestContext): Promise<T>;

    @Get(':roomName')
    @Header('cache-control', 'no-store')
    @ApiConferenceOperation(docs.path)
    byPath(
      @Param() params: RoomParamsDto,
      @CurrentUser() user: AuthUser,
      @RequestCtx() ctx: RequestContext,
    ): Promise<T> {
      return this.forRoom(params.roomName, user, ctx);
    }

    @Get()
    @Header('cache-control', 'no-store')
    @ApiConferenceOperation(docs.query)
    byQuery(
      @Query() query: RoomQueryDto,
      @CurrentUser() user: AuthUser,
      @RequestCtx() ctx: RequestContext,
    ): Promise<T> {
      return this.forRoom(query.roomName, user, ctx);
    }
  }
  return RoomRoutes;
}
