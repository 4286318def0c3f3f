import { defineAdminOperation, type UpstreamErrorMapping } from '../admin-api/admin-operation.js';
import { ROOM_SEGMENT } from '../rooms/room-name.js';
import { isRelativeObjectKey } from '../s3/object-key.js';

/** Where a room's summary is: the object key below S3_KEY_PREFIX. */
export interface SummaryLocation {
  room_name: string;
  file_url: string;
}

/** No summary for the room: Admin Control has none, or its object is not in S3. */
export const SUMMARY_NOT_FOUND: UpstreamErrorMapping = {
  status: 404,
  message: 'Summary not found',
};

/**
 * Admin Control's answer, e.g. `{"id":113,"meeting_id":2900,"room_name":"r1",
 * "file_url":"r1_1718871014/summary.txt"}`: only what the read needs, checked. An answer about
 * another room, or a file_url that is not a relative object key (it would leave S3_KEY_PREFIX),
 * is a 502 and never cached.
 */
export function parseSummaryLocation(
  data: unknown,
  input: { room_name: string },
): SummaryLocation | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { room_name, file_url } = data as Record<string, unknown>;
  if (room_name !== input.room_name || !isRelativeObjectKey(file_url)) return undefined;
  return { room_name, file_url };
}

export const callSummaryOperation = defineAdminOperation({
  name: 'callSummary',
  method: 'GET',
  path: '/call-summary/:room_name',
  params: { room_name: ROOM_SEGMENT },
  parse: parseSummaryLocation,
  errors: { 404: SUMMARY_NOT_FOUND },
  // A summary never changes once written; a room's answer changes only when another meeting in
  // it has ended and been summarised. Its 404 (not summarised yet) is never cached.
  cache: { ttl: { env: 'CALL_SUMMARY_CACHE_TTL_MS', defaultMs: 30_000 } },
});
