import { defineAdminOperation } from '../admin-api/admin-operation.js';
import { ROOM_NOT_FOUND, ROOM_SEGMENT } from '../rooms/room-name.js';

export const callCatchUpOperation = defineAdminOperation({
  name: 'callCatchUp',
  method: 'GET',
  path: '/call-catchup/:room_name',
  params: { room_name: ROOM_SEGMENT },
  // The catch-up text, as Admin Control gives it; anything but a string is a 502.
  parse: (data: unknown) => (typeof data === 'string' ? data : undefined),
  // A long meeting's text: larger than the default 64 KiB, still bounded.
  maxResponseBytes: 1024 * 1024,
  errors: { 404: ROOM_NOT_FOUND },
  cache: { ttl: { env: 'CALL_CATCHUP_CACHE_TTL_MS', defaultMs: 10_000 } },
});
