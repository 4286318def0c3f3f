import { defineAdminOperation } from '../admin-api/admin-operation.js';
import { ROOM_NOT_FOUND, ROOM_SEGMENT } from '../rooms/room-name.js';
import type { CallStatusResponseDto } from './dto/call-status-response.dto.js';

/** Admin Control's `data`: exactly the two flags, in the documented order; anything else is a 502. */
export function parseSessionStatus(data: unknown): CallStatusResponseDto | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { transcript_status: transcript, recording_status: recording } = data as Record<
    string,
    unknown
  >;
  if (typeof transcript !== 'boolean' || typeof recording !== 'boolean') return undefined;
  return { transcript_status: transcript, recording_status: recording };
}

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
