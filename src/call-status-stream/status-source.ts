import type { CallStatusResponseDto } from '../call-status/dto/call-status-response.dto.js';

/** A room's flags, exactly what /callStatus answers in `data`. */
export type SessionStatus = CallStatusResponseDto;

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
