import { AdminApiException, upstreamFailure } from '../admin-api/admin-api.exception.js';
import type { SessionStatus } from '../admin-api/admin-api.types.js';
import { ROOM_NOT_FOUND } from '../call-status/call-status.service.js';
import type { StatusCache } from '../call-status/status-cache.service.js';
import { AppException } from '../common/app.exception.js';

/**
 * Where the stream's watchers get a room's status: through the read-through cache, so a
 * watcher and the room's pollers share Admin Control calls. Wired in CallStatusStreamModule.
 */
export interface StatusSource {
  /**
   * The room's status, answered by `deadline` (epoch ms) at the latest. Throws AppException:
   * 404 "Room not found", 502/503/504 when Admin Control fails, 504 past the deadline.
   */
  fetchStatus(room: string, deadline: number): Promise<SessionStatus>;
}

export const STATUS_SOURCE = Symbol('STATUS_SOURCE');

/**
 * Today's source: the status cache behind GET /callStatus, with its "room not found" meaning.
 * (Phase 2 of the stream swaps this for the operations foundation's read-through cache.)
 */
export function statusSourceFromCache(cache: StatusCache): StatusSource {
  return { fetchStatus: (room, deadline) => withDeadline(lookup(cache, room), deadline) };
}

async function lookup(cache: StatusCache, room: string): Promise<SessionStatus> {
  try {
    return await cache.get(room);
  } catch (error) {
    if (error instanceof AdminApiException && error.outcome === 'not_found') {
      throw new AppException(404, ROOM_NOT_FOUND, { cause: error });
    }
    throw error;
  }
}

function withDeadline<T>(work: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(upstreamFailure('timeout')),
      Math.max(0, deadline - Date.now()),
    );
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
