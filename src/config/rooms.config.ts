import { registerAs } from '@nestjs/config';
import { EnvReader } from './env.js';

// Unreserved URL characters (RFC 3986 §2.3): safe in a path segment without surprises.
// A configured pattern is anchored for you: it must match the whole (trimmed) room name.
export const DEFAULT_ROOM_NAME_PATTERN = '[A-Za-z0-9._~-]+';

/** The room-name rule every room-taking endpoint shares (src/rooms/). */
export const roomsConfig = registerAs('rooms', () => {
  const env = new EnvReader('rooms');
  const source = env.string('ROOM_NAME_PATTERN', DEFAULT_ROOM_NAME_PATTERN);
  let roomNamePattern = new RegExp(`^(?:${DEFAULT_ROOM_NAME_PATTERN})$`, 'u');
  try {
    // Compile the bare source first: "a)|(b" is only valid once wrapped, and would escape it.
    new RegExp(source, 'u');
    roomNamePattern = new RegExp(`^(?:${source})$`, 'u');
  } catch {
    env.fail('ROOM_NAME_PATTERN', `is not a valid regular expression (got "${source}")`);
  }
  return env.done({ roomNamePattern });
});

export type RoomsConfig = ReturnType<typeof roomsConfig>;
