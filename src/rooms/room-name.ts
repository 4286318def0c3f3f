import type { PathParam, UpstreamErrorMapping } from '../admin-api/admin-operation.js';

// The room-name rule, shared by every endpoint that takes a room (query or path).
export const ROOM_NAME_REQUIRED = 'Room name required in query param.';
export const ROOM_NAME_INVALID = 'Invalid room name.';
export const ROOM_NAME_MAX_LENGTH = 128;

export type RoomNameCheck = 'ok' | 'required' | 'invalid';

/** Missing, repeated (an array) or blank is "required"; anything else must fit the rules. */
export function checkRoomName(value: unknown, pattern: RegExp): RoomNameCheck {
  if (typeof value !== 'string') return 'required';
  const name = value.trim();
  if (name === '') return 'required';
  // "." and ".." become path traversal after URL normalisation, even when encoded.
  if (name === '.' || name === '..') return 'invalid';
  let length = 0;
  for (const _ of name) if (++length > ROOM_NAME_MAX_LENGTH) return 'invalid';
  return pattern.test(name) ? 'ok' : 'invalid';
}

/** A room as a path segment of an Admin Control operation. */
export const ROOM_SEGMENT: PathParam = { invalidMessage: ROOM_NAME_INVALID };

/** What an Admin Control 404 means for an operation about one room. */
export const ROOM_NOT_FOUND: UpstreamErrorMapping = { status: 404, message: 'Room not found' };
