import { defineAdminOperation } from '../admin-api/admin-operation.js';
import { ROOM_NOT_FOUND, ROOM_SEGMENT } from './room-name.js';

/** Admin Control's status of an ongoing meeting, in the documented field order. */
export interface SessionStatus {
  transcript_status: boolean;
  recording_status: boolean;
}

/** Admin Control's `data`: exactly the two flags, in the documented order; anything else is a 502. */
export function parseSessionStatus(data: unknown): SessionStatus | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { transcript_status: transcript, recording_status: recording } = data as Record<
    string,
    unknown
  >;
  if (typeof transcript !== 'boolean' || typeof recording !== 'boolean') return undefined;
  return { transcript_status: transcript, recording_status: recording };
}

// A room's session status: what GET /callStatus answers and GET /callStatus/stream watches, and
// how GET /auth/joinmember learns that a room exists (one operation, one cache entry per room).
export const sessionStatusOperation = defineAdminOperation({
  name: 'sessionStatus',
  method: 'GET',
  path: '/sessions-status/:room_name',
  params: { room_name: ROOM_SEGMENT },
  parse: parseSessionStatus,
  errors: { 404: ROOM_NOT_FOUND },
  cache: {
    ttl: { env: 'STATUS_CACHE_TTL_MS', defaultMs: 1000 },
    staleIfError: { env: 'STATUS_STALE_IF_ERROR_MS', defaultMs: 0 },
  },
});
