// Types for tools/admin-simulator.mjs, so TypeScript tests get a checked handle.

export interface RoomStatus {
  recording_status: boolean;
  transcript_status: boolean;
}

export type PartialRoomStatus = Partial<RoomStatus>;

/** The rooms `npm run demo` starts with (the OpenAPI roomName example is one of them). */
export declare const DEMO_ROOMS: Readonly<Record<string, RoomStatus>>;

export type Fault =
  | { mode: 'none' }
  /** answers correctly after delayMs */
  | { mode: 'slow'; delayMs: number }
  /** never answers; the socket stays open until the client gives up or close() */
  | { mode: 'hang' }
  /** answers `status` with `body` (object → JSON, string → as-is) or a default error body */
  | { mode: 'status'; status: number; body?: unknown }
  /** the next `count` requests answer `status` (default 503), then normal */
  | { mode: 'burst'; status?: number; count: number }
  /** healthy for periodMs (default 500), then 503 for periodMs, and so on */
  | { mode: 'flapping'; periodMs?: number }
  /** TCP reset without a response, for the next `count` requests or forever */
  | { mode: 'reset'; count?: number }
  /** 200, content-type application/json, body `<html>oops` */
  | { mode: 'malformed' }
  /** 200, valid JSON of the wrong shape */
  | { mode: 'wrongShape' }
  /** 200, text/html body */
  | { mode: 'notJson' };

export interface AdminSimulatorOptions {
  /** 0 (default) picks an ephemeral port */
  port?: number;
  /** default '127.0.0.1' */
  host?: string;
  /** default '/api' */
  basePath?: string;
  /** 'notFound' (default) answers 404; 'create' answers 200 with both flags false */
  unknownRooms?: 'notFound' | 'create';
  /** initial rooms; missing flags default to false */
  rooms?: Record<string, PartialRoomStatus>;
  /** keep a log of sessions-status requests (default true); counters are always kept */
  record?: boolean;
  /** called with one line per sessions-status request and per state change */
  log?: (line: string) => void;
}

export interface RecordedRequest {
  method: string;
  /** raw request target, query string included */
  path: string;
  /** lower-cased header names */
  headers: Record<string, string | string[] | undefined>;
}

export interface AdminSimulator {
  /** base URL including basePath, e.g. http://127.0.0.1:41234/api */
  readonly url: string;
  /** base URL without basePath */
  readonly origin: string;
  readonly port: number;
  /** sessions-status requests received, faulted ones included */
  readonly calls: number;
  /** live log of sessions-status requests (empty when record is false) */
  readonly requests: RecordedRequest[];
  /** current fault; burst/reset show the remaining count */
  readonly fault: Fault;
  /** creates or patches a room; throws TypeError on unknown fields or non-boolean flags */
  setRoom(name: string, status?: PartialRoomStatus): RoomStatus;
  /** true when the room existed */
  deleteRoom(name: string): boolean;
  getRoom(name: string): RoomStatus | undefined;
  /** throws TypeError on an invalid fault */
  setFault(fault: Fault): void;
  /** sessions-status requests for the decoded room name */
  callsFor(room: string): number;
  resetCounters(): void;
  clearRequests(): void;
  /** stops listening and destroys open sockets; connections are refused until up() */
  down(): Promise<void>;
  /** listens again on the same port */
  up(): Promise<void>;
  /** stops listening and destroys all sockets, hanging ones included */
  close(): Promise<void>;
}

export function startAdminSimulator(options?: AdminSimulatorOptions): Promise<AdminSimulator>;
