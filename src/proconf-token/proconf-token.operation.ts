import { defineAdminOperation } from '../admin-api/admin-operation.js';
import { messageFor } from '../common/error-response.js';
import { ROOM_NOT_FOUND } from '../rooms/room-name.js';

/** What POST /proconf-token takes: exactly the three documented fields. */
export type ProconfTokenRequest = {
  role: string;
  room: string;
  participantName: string;
};

const BASE64URL = /^[A-Za-z0-9_-]+$/;

function isJsonObject(segment: string): boolean {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/**
 * Admin Control's `data`: a string shaped like a JWT (three base64url parts, header and claims
 * JSON objects), passed on as it is. Its signature is Admin Control's business, not ours.
 */
export function parseProconfToken(data: unknown): string | undefined {
  if (typeof data !== 'string') return undefined;
  const parts = data.split('.');
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) return undefined;
  return isJsonObject(parts[0]) && isJsonObject(parts[1]) ? data : undefined;
}

// Admin Control refusing values this server accepted means its rules are stricter than ours
// (PROCONF_ROLES, ROOM_NAME_PATTERN): the request, not Admin Control, is what to change.
const REFUSED = { status: 400, message: messageFor(400) };

export const proconfTokenOperation = defineAdminOperation({
  name: 'proconfToken',
  method: 'POST',
  path: '/proconf-token',
  body: ({ role, room, participantName }: ProconfTokenRequest) => ({
    role,
    room,
    participantName,
  }),
  parse: parseProconfToken,
  maxResponseBytes: 16 * 1024,
  errors: { 400: REFUSED, 404: ROOM_NOT_FOUND, 422: REFUSED },
  // It issues something: never cached, and tried again only if the request never left.
  retry: 'unsent',
});
