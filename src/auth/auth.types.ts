/** The authenticated caller, as the JWT strategy puts it on request.user. */
export interface AuthUser {
  subject: string;
  /** Set for room-scoped (guest) tokens: the only room this token may read. */
  roomName?: string;
  /** Seconds since the epoch: when the token stops being valid. */
  expiresAt: number;
}

export interface JwtPayload {
  sub?: unknown;
  exp?: unknown;
  roomName?: unknown;
  room?: unknown;
  userId?: unknown;
  [claim: string]: unknown;
}
