import { registerAs } from '@nestjs/config';
import { EnvReader } from './env.js';

// Unreserved URL characters (RFC 3986 §2.3): safe in a path segment without surprises.
// A configured pattern is anchored for you: it must match the whole (trimmed) room name.
export const DEFAULT_ROOM_NAME_PATTERN = '[A-Za-z0-9._~-]+';

export const callStatusConfig = registerAs('callStatus', () => {
  const env = new EnvReader('callStatus');
  const source = env.string('ROOM_NAME_PATTERN', DEFAULT_ROOM_NAME_PATTERN);
  let roomNamePattern = new RegExp(`^(?:${DEFAULT_ROOM_NAME_PATTERN})$`, 'u');
  try {
    // Compile the bare source first: "a)|(b" is only valid once wrapped, and would escape it.
    new RegExp(source, 'u');
    roomNamePattern = new RegExp(`^(?:${source})$`, 'u');
  } catch {
    env.fail('ROOM_NAME_PATTERN', `is not a valid regular expression (got "${source}")`);
  }
  return env.done({
    roomNamePattern,
    cacheTtlMs: env.int('STATUS_CACHE_TTL_MS', { default: 1000, min: 0, max: 3_600_000 }),
    staleIfErrorMs: env.int('STATUS_STALE_IF_ERROR_MS', { default: 0, min: 0, max: 3_600_000 }),
  });
});

export type CallStatusConfig = ReturnType<typeof callStatusConfig>;
