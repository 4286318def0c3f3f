// Types for tools/admin-simulator.mjs, so TypeScript tests get a checked handle.

export interface RoomStatus {
  recording_status: boolean;
  transcript_status: boolean;
}

export type PartialRoomStatus = Partial<RoomStatus>;

/** The rooms `npm run sim` and `npm run demo` start with (the OpenAPI roomName example is one). */
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
  /** keep a log of requests (default true); counters are always kept */
  record?: boolean;
  /** called with one line per Admin Control request and per state change */
  log?: (line: string) => void;
}

export interface RecordedRequest {
  method: string;
  /** raw request target, query string included */
  path: string;
  /** lower-cased header names */
  headers: Record<string, string | string[] | undefined>;
  /** the request body as text ('' without one) */
  body: string;
  /** the route's name (the server's operation name); undefined for an unknown route */
  operation: string | undefined;
}

export interface SimState {
  rooms: Map<string, RoomStatus>;
  /** a room, created if unknownRooms is 'create' */
  room(name: string): RoomStatus | undefined;
  /** each route's data, by route name */
  data: Record<string, unknown>;
}

/** One Admin Control route: what a healthy Admin Control answers. */
export interface SimRoute {
  /** the server's operation name */
  name: string;
  method: string;
  /** below the base path, with :param placeholders */
  path: string;
  /** the route's initial data (state.data[name]) */
  seed?: () => unknown;
  /** a request body it accepts (routes that take one) */
  example?: unknown;
  answer(
    params: Record<string, string>,
    state: SimState,
    body: string,
  ): { status: number; body: string };
}

/** Admin Control's routes, one answer function each. */
export const ROUTES: readonly SimRoute[];

export interface AdminSimulator {
  /** base URL including basePath, e.g. http://127.0.0.1:41234/api */
  readonly url: string;
  /** base URL without basePath */
  readonly origin: string;
  readonly port: number;
  /** requests to Admin Control routes received, faulted ones included */
  readonly calls: number;
  /** live log of requests outside /_sim (empty when record is false) */
  readonly requests: RecordedRequest[];
  /** each route's data, by route name (mutable) */
  readonly data: Record<string, unknown>;
  /** replaces a route's data; throws TypeError for an unknown route */
  setData(route: string, value: unknown): void;
  /** current fault; burst/reset show the remaining count */
  readonly fault: Fault;
  /** creates or patches a room; throws TypeError on unknown fields or non-boolean flags */
  setRoom(name: string, status?: PartialRoomStatus): RoomStatus;
  /** true when the room existed */
  deleteRoom(name: string): boolean;
  getRoom(name: string): RoomStatus | undefined;
  /** throws TypeError on an invalid fault */
  setFault(fault: Fault): void;
  /** requests naming the decoded room (a `:room_name` parameter), on any route */
  callsFor(room: string): number;
  /** requests to the named route */
  callsTo(operation: string): number;
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
