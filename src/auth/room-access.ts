import { AppException } from '../common/app.exception.js';
import type { AuthUser } from './auth.types.js';

/**
 * A room-scoped token (a `roomName` or `room` claim) may read only its own room; other tokens
 * read any room. Names are compared trimmed and case-sensitively, as Admin Control treats them.
 * Call it after validation (so a bad room name is still a 400) and before any upstream call.
 */
export function assertRoomAccess(user: AuthUser, roomName: string): void {
  if (user.roomName !== undefined && user.roomName !== roomName.trim()) {
    throw new AppException(403, 'Forbidden');
  }
}
