import { API_ERRORS, type ApiErrorCase } from '../docs/api-responses.decorator.js';
import { ROOM_NAME_INVALID, ROOM_NAME_REQUIRED, ROOM_NOT_FOUND } from './room-name.js';

/** The usual domain 404 of an endpoint about one room. */
export const ROOM_NOT_FOUND_ERROR: ApiErrorCase = {
  name: 'roomNotFound',
  status: 404,
  message: ROOM_NOT_FOUND.message,
  when: 'Admin Control does not know the room',
};

/**
 * The documented errors of an endpoint about one room, besides the shared ones; `notFound` is
 * what its Admin Control 404 means (by default "Room not found").
 */
export function roomApiErrors(
  where: 'query' | 'path',
  notFound: ApiErrorCase = ROOM_NOT_FOUND_ERROR,
): ApiErrorCase[] {
  return [
    {
      name: 'roomNameRequired',
      status: 400,
      message: ROOM_NAME_REQUIRED,
      when:
        where === 'query'
          ? '`roomName` is missing, blank or repeated'
          : 'The room is missing or blank',
    },
    {
      name: 'invalidRoomName',
      status: 400,
      message: ROOM_NAME_INVALID,
      when:
        (where === 'query' ? '`roomName`' : 'The room') +
        ' is too long, `.`/`..`, or does not match the room-name pattern',
    },
    API_ERRORS.forbiddenRoom,
    notFound,
  ];
}
