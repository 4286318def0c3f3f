import { toErrorResponse } from '../common/error-response.js';
import type { SessionStatus } from './status-source.js';

/** What a room's watcher last learnt: the room's status, or how asking for it failed. */
export type StreamOutcome =
  | { status: SessionStatus; error?: undefined }
  | { status?: undefined; error: { code: number; message: string } };

/** A room's outcome and its version: the event id, which grows with each change. */
export interface RoomState {
  version: number;
  outcome: StreamOutcome;
}

/** Why a stream ended: the label of stream_connections_closed_total. */
export type CloseReason = 'client' | 'expired' | 'slow' | 'shutdown' | 'room_gone';

// Clients reconnect after a pause in this range; spread, so that the streams of an instance that
// goes away do not all come back in the same instant.
export const RETRY_MIN_MS = 2000;
export const RETRY_MAX_MS = 5000;

export const HEARTBEAT_FRAME = ': keep-alive\n\n';
export const EXPIRED_FRAME = 'event: error\ndata: {"code":401,"message":"Unauthorized"}\n\n';
export const SHUTDOWN_COMMENT = ': server shutting down, reconnect\n';

/** The same code and message the error envelope of a request would carry. */
export function errorOutcome(error: unknown): StreamOutcome {
  const response = toErrorResponse(error);
  return { error: { code: response.status, message: response.message } };
}

export function sameOutcome(a: StreamOutcome, b: StreamOutcome): boolean {
  if (a.status !== undefined && b.status !== undefined) {
    return (
      a.status.transcript_status === b.status.transcript_status &&
      a.status.recording_status === b.status.recording_status
    );
  }
  return a.error?.code === b.error?.code && a.error?.message === b.error?.message;
}

/** Admin Control does not know the room (any more): its streams end. */
export function isRoomGone(outcome: StreamOutcome): boolean {
  return outcome.error?.code === 404;
}

/** `data` as /callStatus would put it in the envelope, in the documented key order. */
function statusData(status: SessionStatus): string {
  return `{"transcript_status":${status.transcript_status},"recording_status":${status.recording_status}}`;
}

/** One Server-Sent Event: `status` with the room's flags, or `error` with the envelope's error. */
export function eventFrame(state: RoomState): string {
  const { version, outcome } = state;
  const [event, data] =
    outcome.status !== undefined
      ? ['status', statusData(outcome.status)]
      : ['error', JSON.stringify(outcome.error)];
  return `id: ${version}\nevent: ${event}\ndata: ${data}\n\n`;
}

/** The `retry:` field, somewhere in RETRY_MIN_MS..RETRY_MAX_MS. */
export function retryField(random: () => number = Math.random): string {
  const ms = RETRY_MIN_MS + Math.floor(random() * (RETRY_MAX_MS - RETRY_MIN_MS + 1));
  return `retry: ${ms}\n`;
}
