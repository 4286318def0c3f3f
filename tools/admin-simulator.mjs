// Admin Control simulator: a real HTTP server speaking Admin Control's contract (one answer
// function per route in ROUTES below), with a control API under /_sim and injectable faults that
// apply to every route, so tests, benchmarks and the demo exercise the app server's real HTTP
// client path. Adding an Admin Control operation to the server adds its entry to ROUTES
// (tools/admin-simulator.spec.ts checks that both lists agree).
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { parseArgs } from 'node:util';
import { DEMO_MEETINGS, summaryKey } from './demo-meetings.mjs';
import { isEntryPoint } from './entry-point.mjs';

/** @typedef {{ recording_status: boolean, transcript_status: boolean }} RoomStatus */
/** @typedef {{ recording_status?: boolean, transcript_status?: boolean }} PartialRoomStatus */

/**
 * @typedef {{ mode: 'none' }
 *   | { mode: 'slow', delayMs: number }
 *   | { mode: 'hang' }
 *   | { mode: 'status', status: number, body?: unknown }
 *   | { mode: 'burst', status?: number, count: number }
 *   | { mode: 'flapping', periodMs?: number }
 *   | { mode: 'reset', count?: number }
 *   | { mode: 'malformed' }
 *   | { mode: 'wrongShape' }
 *   | { mode: 'notJson' }} Fault
 */

/**
 * @typedef {object} AdminSimulatorOptions
 * @property {number} [port] 0 (default) picks an ephemeral port
 * @property {string} [host] default '127.0.0.1'
 * @property {string} [basePath] default '/api'
 * @property {'notFound' | 'create'} [unknownRooms] default 'notFound'
 * @property {Record<string, PartialRoomStatus>} [rooms] initial rooms
 * @property {boolean} [record] keep a log of sessions-status requests (default true)
 * @property {(line: string) => void} [log] called with one line per request and state change
 */

/**
 * @typedef {object} RecordedRequest
 * @property {string} method
 * @property {string} path raw request target, query string included
 * @property {Record<string, string | string[] | undefined>} headers lower-cased names
 * @property {string} body the request body as text ('' without one)
 * @property {string | undefined} operation the route's name; undefined for an unknown route
 */

/**
 * @typedef {object} SimState
 * @property {Map<string, RoomStatus>} rooms
 * @property {(name: string) => RoomStatus | undefined} room a room, created if unknownRooms is 'create'
 * @property {Record<string, unknown>} data each route's data, by route name (seeded from ROUTES)
 */

/**
 * @typedef {object} SimRoute
 * @property {string} name the server's operation name (src/<feature>/*.operation.ts)
 * @property {string} method
 * @property {string} path below the base path, with :param placeholders
 * @property {() => unknown} [seed] the route's initial data (state.data[name])
 * @property {unknown} [example] a request body it accepts (routes that take one)
 * @property {(params: Record<string, string>, state: SimState, body: string) => { status: number, body: string }} answer
 */

/**
 * @typedef {object} AdminSimulator
 * @property {string} url base URL including basePath
 * @property {string} origin base URL without basePath
 * @property {number} port
 * @property {number} calls sessions-status requests received, faulted ones included
 * @property {RecordedRequest[]} requests
 * @property {Fault} fault current fault (burst/reset show the remaining count)
 * @property {(name: string, status?: PartialRoomStatus) => RoomStatus} setRoom
 * @property {(name: string) => boolean} deleteRoom
 * @property {(name: string) => RoomStatus | undefined} getRoom
 * @property {(fault: Fault) => void} setFault
 * @property {(room: string) => number} callsFor
 * @property {() => void} resetCounters
 * @property {() => void} clearRequests
 * @property {() => Promise<void>} down
 * @property {() => Promise<void>} up
 * @property {() => Promise<void>} close
 */

const JSON_TYPE = 'application/json';
const MAX_CONTROL_BODY = 64 * 1024;
// setTimeout silently clamps larger delays to 1 ms, which would turn "slow" into "fast"
const MAX_DELAY_MS = 2_147_483_647;
const STATUS_KEYS = ['recording_status', 'transcript_status'];
const FAULT_MODES = [
  'none',
  'slow',
  'hang',
  'status',
  'burst',
  'flapping',
  'reset',
  'malformed',
  'wrongShape',
  'notJson',
];

/**
 * @param {number} code
 * @param {string} message
 */
function errorBody(code, message) {
  return JSON.stringify({ error: { code, message }, data: null });
}

const NOT_FOUND_BODY = errorBody(404, 'Not found');
const NOT_FOUND = { status: 404, body: NOT_FOUND_BODY };
const BAD_REQUEST = { status: 400, body: errorBody(400, 'Bad request') };

/** @param {unknown} data */
function ok(data) {
  return { status: 200, body: JSON.stringify({ error: null, data }) };
}

/** @param {unknown} value */
const base64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * `{"role","room","participantName"}` with three non-empty strings and nothing else, or
 * undefined.
 * @param {string} body
 */
function tokenRequest(body) {
  let value;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const fields = ['role', 'room', 'participantName'];
  const keys = Object.keys(value);
  const complete = fields.every((field) => typeof value[field] === 'string' && value[field] !== '');
  if (!complete || keys.length !== fields.length) return undefined;
  return /** @type {{ role: string, room: string, participantName: string }} */ (value);
}

/**
 * A ProCONF token as the docs' sample has it (HS256, Jitsi-style claims; nbf an hour early).
 * @param {{ role: string, room: string, participantName: string }} request
 * @param {{ secret: string, issuer: string, subject: string, lifetimeS: number }} signing
 */
function proconfToken({ role, room, participantName }, { secret, issuer, subject, lifetimeS }) {
  const iat = Math.floor(Date.now() / 1000);
  const claims = {
    aud: '*',
    iss: issuer,
    sub: subject,
    room,
    nbf: iat - 3600,
    context: { user: { role } },
    participantName,
    iat,
    exp: iat + lifetimeS,
  };
  const unsigned = `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

/**
 * The rooms `npm run sim` and `npm run demo` start with; the OpenAPI document's roomName example
 * is one of them.
 * @type {Readonly<Record<string, RoomStatus>>}
 */
export const DEMO_ROOMS = Object.freeze({
  'demo-room': { recording_status: true, transcript_status: false },
  'quiet-room': { recording_status: false, transcript_status: false },
});

/**
 * Admin Control's routes, one answer function each. Faults, counters and the request log are
 * the generic path's (handleRoute); an answer only says what a healthy Admin Control answers.
 * @type {SimRoute[]}
 */
export const ROUTES = [
  {
    name: 'sessionStatus',
    method: 'GET',
    path: '/sessions-status/:room_name',
    answer({ room_name }, state) {
      const status = state.room(room_name);
      if (status === undefined) return NOT_FOUND;
      // field order matters to byte-comparing clients: transcript_status first
      return ok({
        transcript_status: status.transcript_status,
        recording_status: status.recording_status,
      });
    },
  },
  {
    name: 'configuration',
    method: 'GET',
    path: '/configuration',
    // the sample of the ProCONF docs
    seed: () => ({
      features: {
        audio_call: true,
        video_call: true,
        live_chat: true,
        waiting_room: true,
        screen_sharing: true,
        desktop_streaming: true,
        moderator_control: true,
        transcript: true,
        auto_centering: true,
        client_side_recording: true,
        server_side_recording: true,
      },
    }),
    answer: (_params, state) => ok(state.data.configuration),
  },
  {
    name: 'callCatchUp',
    method: 'GET',
    path: '/call-catchup/:room_name',
    // texts by room; a known room without one has the docs' sample text
    seed: () => ({
      'demo-room': 'Alex opened the meeting and shared the agenda; recording is on.',
    }),
    answer({ room_name }, state) {
      if (state.room(room_name) === undefined) return NOT_FOUND;
      const texts = /** @type {Record<string, string>} */ (state.data.callCatchUp ?? {});
      return ok(Object.hasOwn(texts, room_name) ? texts[room_name] : 'Meeting Summary content');
    },
  },
  {
    name: 'proconfToken',
    method: 'POST',
    path: '/proconf-token',
    // how tokens are signed (a test can verify them with this secret)
    seed: () => ({
      secret: 'admin-control-simulator-proconf-secret',
      issuer: 'xyz',
      subject: 'xyz.proconf.info',
      lifetimeS: 7 * 24 * 3600,
    }),
    example: { role: 'owner', room: 'demo-room', participantName: 'Alex' },
    answer(_params, state, body) {
      const request = tokenRequest(body);
      if (request === undefined) return BAD_REQUEST;
      if (state.room(request.room) === undefined) return NOT_FOUND;
      const signing = /** @type {Parameters<typeof proconfToken>[1]} */ (state.data.proconfToken);
      return ok(proconfToken(request, signing));
    },
  },
  {
    name: 'meetings',
    method: 'GET',
    path: '/meetings',
    // the ended meetings of the ProCONF docs' sample, and one of the demo room
    seed: () => DEMO_MEETINGS.map(({ summary: _summary, ...meeting }) => meeting),
    answer: (_params, state) => ok(state.data.meetings),
  },
  {
    name: 'callSummary',
    method: 'GET',
    path: '/call-summary/:room_name',
    // where each room's summary is, by room (its latest ended meeting's, as `npm run demo`
    // uploads it to S3); a room without one is a 404
    seed: () =>
      Object.fromEntries(
        DEMO_MEETINGS.map((meeting, i) => [
          meeting.room_name,
          {
            id: 113 + i,
            meeting_id: 2900 + i,
            room_name: meeting.room_name,
            file_url: summaryKey(meeting),
          },
        ]),
      ),
    answer({ room_name }, state) {
      const locations = /** @type {Record<string, unknown>} */ (state.data.callSummary ?? {});
      return Object.hasOwn(locations, room_name) ? ok(locations[room_name]) : NOT_FOUND;
    },
  },
];

/**
 * @param {http.ServerResponse} res
 * @param {number} status
 * @param {string} body
 * @param {string} [contentType]
 */
function send(res, status, body, contentType = JSON_TYPE) {
  // the client may have given up while a slow answer was pending
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** @param {string | undefined} basePath */
function normalizeBasePath(basePath) {
  const trimmed = (basePath ?? '/api').trim().replace(/\/+$/, '');
  if (trimmed === '') return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/**
 * Decodes one path segment exactly once; undefined when it is not valid percent-encoding.
 * @param {string} segment
 */
function decodeSegment(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * @param {unknown} value
 * @param {string} what
 * @returns {PartialRoomStatus}
 */
function validatePartialStatus(value, what) {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${what} must be an object`);
  }
  /** @type {PartialRoomStatus} */
  const out = {};
  for (const [key, flag] of Object.entries(value)) {
    // reject typos such as "recording" instead of silently ignoring them
    if (!STATUS_KEYS.includes(key)) throw new TypeError(`${what}: unknown field "${key}"`);
    if (typeof flag !== 'boolean') throw new TypeError(`${what}: "${key}" must be a boolean`);
    out[/** @type {keyof PartialRoomStatus} */ (key)] = flag;
  }
  return out;
}

/**
 * @param {unknown} value
 * @param {string} name
 * @param {number} min
 * @param {number} max
 */
function checkInt(value, name, min, max) {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`fault.${name} must be an integer in [${min}, ${max}]`);
  }
  return value;
}

/**
 * Validates a fault and returns a fresh copy, so later counting down never mutates caller data.
 * @param {unknown} input
 * @returns {Fault}
 */
function normalizeFault(input) {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new TypeError('fault must be an object with a "mode"');
  }
  const f = /** @type {Record<string, unknown>} */ (input);
  switch (f.mode) {
    case 'none':
    case 'hang':
    case 'malformed':
    case 'wrongShape':
    case 'notJson':
      return { mode: f.mode };
    case 'slow':
      return { mode: 'slow', delayMs: checkInt(f.delayMs, 'delayMs', 0, MAX_DELAY_MS) };
    case 'status': {
      const status = checkInt(f.status, 'status', 200, 599);
      return f.body === undefined
        ? { mode: 'status', status }
        : { mode: 'status', status, body: f.body };
    }
    case 'burst':
      return {
        mode: 'burst',
        status: checkInt(f.status ?? 503, 'status', 200, 599),
        count: checkInt(f.count, 'count', 1, Number.MAX_SAFE_INTEGER),
      };
    case 'flapping':
      return {
        mode: 'flapping',
        periodMs: checkInt(f.periodMs ?? 500, 'periodMs', 1, MAX_DELAY_MS),
      };
    case 'reset':
      return f.count === undefined
        ? { mode: 'reset' }
        : { mode: 'reset', count: checkInt(f.count, 'count', 1, Number.MAX_SAFE_INTEGER) };
    default:
      throw new TypeError(`fault.mode must be one of ${FAULT_MODES.join(', ')}`);
  }
}

/**
 * @param {http.IncomingMessage} req
 * @returns {Promise<string>}
 */
function readText(req) {
  if (req.method === 'HEAD') return Promise.resolve('');
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    req.on('data', (/** @type {Buffer} */ chunk) => {
      size += chunk.length;
      if (size > MAX_CONTROL_BODY) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * @param {http.IncomingMessage} req
 * @returns {Promise<unknown>}
 */
async function readJsonBody(req) {
  let text;
  try {
    text = (await readText(req)).trim();
  } catch (err) {
    throw Object.assign(/** @type {Error} */ (err), { status: 413 });
  }
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw Object.assign(new Error('body is not valid JSON'), { status: 400 });
  }
}

/**
 * Starts the simulator and resolves once it listens.
 * @param {AdminSimulatorOptions} [options]
 * @returns {Promise<AdminSimulator>}
 */
export async function startAdminSimulator(options = {}) {
  const host = options.host ?? '127.0.0.1';
  const basePath = normalizeBasePath(options.basePath);
  const unknownRooms = options.unknownRooms ?? 'notFound';
  if (unknownRooms !== 'notFound' && unknownRooms !== 'create') {
    throw new TypeError('unknownRooms must be "notFound" or "create"');
  }
  const record = options.record ?? true;
  const log = options.log;
  const routes = ROUTES.map((route) => ({ ...route, parts: route.path.split('/') }));

  /** @type {Map<string, RoomStatus>} */
  const rooms = new Map();
  /** @type {Map<string, number>} */
  const byRoom = new Map();
  /** @type {Map<string, number>} */
  const byOperation = new Map();
  /** @type {Record<string, unknown>} */
  const data = Object.fromEntries(
    ROUTES.filter((route) => route.seed).map((route) => [route.name, route.seed?.()]),
  );
  /** @type {SimState} */
  const state = {
    rooms,
    data,
    room(name) {
      const known = rooms.get(name);
      if (known !== undefined || unknownRooms !== 'create') return known;
      return setRoom(name, {});
    },
  };
  /** @type {RecordedRequest[]} */
  const requests = [];
  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set();
  /** @type {Set<NodeJS.Timeout>} */
  const timers = new Set();
  let calls = 0;
  /** @type {Fault} */
  let fault = { mode: 'none' };
  let faultSince = Date.now();
  let closed = false;

  /**
   * @param {string} name
   * @param {PartialRoomStatus} [partial]
   */
  function setRoom(name, partial) {
    if (typeof name !== 'string') throw new TypeError('room name must be a string');
    const patch = validatePartialStatus(partial, 'room status');
    const prev = rooms.get(name) ?? { recording_status: false, transcript_status: false };
    const next = { ...prev, ...patch };
    rooms.set(name, next);
    return { ...next };
  }

  for (const [name, status] of Object.entries(options.rooms ?? {})) setRoom(name, status);

  /** @param {Fault} next */
  function setFault(next) {
    fault = normalizeFault(next);
    // flapping phases are measured from the moment the fault is set
    faultSince = Date.now();
    log?.(`fault set: ${JSON.stringify(fault)}`);
  }

  /**
   * Decides what the current fault does to one request, counting down bounded faults.
   * @returns {Fault}
   */
  function takeFault() {
    const current = fault;
    if (current.mode === 'burst' || (current.mode === 'reset' && current.count !== undefined)) {
      const left = /** @type {number} */ (current.count) - 1;
      fault = left > 0 ? { ...current, count: left } : { mode: 'none' };
      return current;
    }
    if (current.mode === 'flapping') {
      const period = current.periodMs ?? 500;
      const healthy = Math.floor((Date.now() - faultSince) / period) % 2 === 0;
      return healthy ? { mode: 'none' } : { mode: 'status', status: 503 };
    }
    return current;
  }

  /**
   * The route and its decoded parameters, or undefined. Each parameter is exactly one raw
   * segment decoded once: "a/b" is two segments, only "a%2Fb" names the room "a/b".
   * @param {string} method
   * @param {string} pathname
   */
  function match(method, pathname) {
    if (!pathname.startsWith(`${basePath}/`)) return undefined;
    const segments = pathname.slice(basePath.length).split('/');
    for (const route of routes) {
      if (route.method !== method || route.parts.length !== segments.length) continue;
      /** @type {Record<string, string>} */
      const params = {};
      let matched = true;
      for (let i = 1; i < segments.length && matched; i++) {
        const part = route.parts[i];
        if (!part.startsWith(':')) matched = part === segments[i];
        else if (segments[i] === '') matched = false;
        else {
          const value = decodeSegment(segments[i]);
          // an undecodable parameter is the route's 400, as a real server would answer
          if (value === undefined) return { route, params, badEncoding: true };
          params[part.slice(1)] = value;
        }
      }
      if (matched) return { route, params, badEncoding: false };
    }
    return undefined;
  }

  /**
   * @param {http.ServerResponse} res
   * @param {{ route: SimRoute, params: Record<string, string>, badEncoding: boolean }} found
   * @param {string} body
   */
  function answer(res, found, body) {
    if (found.badEncoding) {
      send(res, 400, errorBody(400, 'Bad request: invalid percent-encoding in a path parameter'));
      return;
    }
    const answered = found.route.answer(found.params, state, body);
    send(res, answered.status, answered.body);
  }

  /**
   * The generic path of every Admin Control route: count, record, then the fault or the answer.
   * @param {http.IncomingMessage} req
   * @param {http.ServerResponse} res
   * @param {string} rawUrl
   * @param {{ route: SimRoute, params: Record<string, string>, badEncoding: boolean }} found
   * @param {string} body
   */
  function handleRoute(req, res, rawUrl, found, body) {
    calls += 1;
    const { name } = found.route;
    byOperation.set(name, (byOperation.get(name) ?? 0) + 1);
    const room = found.params.room_name;
    if (room !== undefined) byRoom.set(room, (byRoom.get(room) ?? 0) + 1);
    if (record) recordRequest(req, rawUrl, body, name);
    log?.(`${req.method} ${rawUrl}`);

    const f = takeFault();
    switch (f.mode) {
      case 'none':
        return answer(res, found, body);
      case 'slow': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          answer(res, found, body);
        }, f.delayMs);
        timers.add(timer);
        res.on('close', () => {
          clearTimeout(timer);
          timers.delete(timer);
        });
        return;
      }
      case 'hang':
        // leave the request open; close()/down() or the client's own timeout ends it
        return;
      case 'status': {
        const text =
          f.body === undefined
            ? errorBody(f.status, 'upstream says no')
            : typeof f.body === 'string'
              ? f.body
              : JSON.stringify(f.body);
        return send(res, f.status, text);
      }
      case 'burst':
        return send(res, f.status ?? 503, errorBody(f.status ?? 503, 'upstream says no'));
      case 'reset':
        // an RST (not a FIN) is what a crashed or firewalled upstream looks like
        if (typeof req.socket.resetAndDestroy === 'function') req.socket.resetAndDestroy();
        else req.socket.destroy();
        return;
      case 'malformed':
        return send(res, 200, '<html>oops');
      case 'wrongShape':
        // wrong for every route: no route's data is an object with just this field
        return send(res, 200, JSON.stringify({ error: null, data: { recording: 'yes' } }));
      case 'notJson':
        return send(
          res,
          200,
          '<html><body>Admin Control</body></html>',
          'text/html; charset=utf-8',
        );
      default:
        return answer(res, found, body);
    }
  }

  /**
   * @param {http.IncomingMessage} req
   * @param {string} rawUrl
   * @param {string} body
   * @param {string | undefined} operation
   */
  function recordRequest(req, rawUrl, body, operation) {
    requests.push({
      method: req.method ?? 'GET',
      path: rawUrl,
      headers: { ...req.headers },
      body,
      operation,
    });
  }

  function roomsSnapshot() {
    return Object.fromEntries([...rooms].map(([name, status]) => [name, { ...status }]));
  }

  /**
   * @param {http.IncomingMessage} req
   * @param {http.ServerResponse} res
   * @param {string} pathname
   */
  async function handleControl(req, res, pathname) {
    const parts = pathname.split('/').slice(2);
    const method = req.method ?? 'GET';
    const reply = (/** @type {unknown} */ body) => send(res, 200, JSON.stringify(body));
    try {
      if (parts.length === 1 && parts[0] === 'rooms' && method === 'GET') {
        return reply({ rooms: roomsSnapshot() });
      }
      if (parts.length === 2 && parts[0] === 'rooms' && parts[1] !== '') {
        const name = decodeSegment(parts[1]);
        if (name === undefined) return send(res, 400, errorBody(400, 'invalid percent-encoding'));
        if (method === 'PUT') {
          const status = setRoom(name, /** @type {PartialRoomStatus} */ (await readJsonBody(req)));
          log?.(`room ${JSON.stringify(name)} set: ${JSON.stringify(status)}`);
          return reply({ room: name, ...status });
        }
        if (method === 'GET') {
          const status = rooms.get(name);
          return status ? reply({ room: name, ...status }) : send(res, 404, NOT_FOUND_BODY);
        }
        if (method === 'DELETE') {
          if (!rooms.delete(name)) return send(res, 404, NOT_FOUND_BODY);
          log?.(`room ${JSON.stringify(name)} deleted`);
          return reply({ room: name, deleted: true });
        }
      }
      if (parts.length === 1 && parts[0] === 'fault') {
        if (method === 'PUT') {
          setFault(/** @type {Fault} */ (await readJsonBody(req)));
          return reply({ fault });
        }
        if (method === 'GET') return reply({ fault });
      }
      if (parts.length === 2 && parts[0] === 'data' && ROUTES.some((r) => r.name === parts[1])) {
        if (method === 'PUT') {
          data[parts[1]] = await readJsonBody(req);
          log?.(`data of ${parts[1]} set`);
        }
        if (method === 'PUT' || method === 'GET') return reply({ [parts[1]]: data[parts[1]] });
      }
      if (parts.length === 1 && parts[0] === 'stats' && method === 'GET') {
        return reply({
          calls,
          byRoom: Object.fromEntries(byRoom),
          byOperation: Object.fromEntries(byOperation),
        });
      }
      return send(res, 404, NOT_FOUND_BODY);
    } catch (err) {
      const e = /** @type {Error & { status?: number }} */ (err);
      const status = e instanceof TypeError ? 400 : (e.status ?? 500);
      return send(res, status, errorBody(status, e.message));
    }
  }

  const server = http.createServer((req, res) => {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const pathname = q === -1 ? rawUrl : rawUrl.slice(0, q);
    if (pathname === '/_sim' || pathname.startsWith('/_sim/')) {
      void handleControl(req, res, pathname);
      return;
    }
    const found = match(req.method ?? 'GET', pathname);
    if (req.method === 'GET') {
      // no body to wait for: answered in this tick
      if (found !== undefined) handleRoute(req, res, rawUrl, found, '');
      else send(res, 404, NOT_FOUND_BODY);
      return;
    }
    // Bodies are read for every other method (a POST's body is part of what it asks).
    readText(req).then(
      (body) => {
        if (found !== undefined) return handleRoute(req, res, rawUrl, found, body);
        if (record) recordRequest(req, rawUrl, body, undefined);
        send(res, 404, NOT_FOUND_BODY);
      },
      () => send(res, 413, errorBody(413, 'body too large')),
    );
  });
  // outlive typical client pools (undici/axios agents) so the server never closes first
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  let port = options.port ?? 0;

  function listen() {
    return new Promise((resolve, reject) => {
      /** @param {Error} err */
      const onError = (err) => {
        server.off('listening', onListening);
        reject(err);
      };
      const onListening = () => {
        server.off('error', onError);
        resolve(undefined);
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(port, host);
    });
  }

  async function stopListening() {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    if (!server.listening) {
      for (const socket of sockets) socket.destroy();
      return;
    }
    await new Promise((resolve) => {
      server.close(() => resolve(undefined));
      // close() alone waits for keep-alive and hanging sockets; end them now
      for (const socket of sockets) socket.destroy();
    });
  }

  await listen();
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('unexpected address');
  port = address.port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const origin = `http://${urlHost}:${port}`;

  return {
    url: `${origin}${basePath}`,
    origin,
    port,
    get calls() {
      return calls;
    },
    get requests() {
      return requests;
    },
    get fault() {
      return { ...fault };
    },
    setRoom,
    deleteRoom: (name) => rooms.delete(name),
    getRoom: (name) => {
      const status = rooms.get(name);
      return status && { ...status };
    },
    setFault,
    data,
    setData(name, value) {
      if (!ROUTES.some((route) => route.name === name)) throw new TypeError(`no route ${name}`);
      data[name] = value;
    },
    callsFor: (room) => byRoom.get(room) ?? 0,
    callsTo: (operation) => byOperation.get(operation) ?? 0,
    resetCounters() {
      calls = 0;
      byRoom.clear();
      byOperation.clear();
    },
    clearRequests() {
      requests.length = 0;
    },
    down: stopListening,
    async up() {
      if (closed) throw new Error('admin simulator is closed');
      if (!server.listening) await listen();
    },
    async close() {
      closed = true;
      await stopListening();
    },
  };
}

/** @param {string[]} argv */
async function main(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      'base-path': { type: 'string', default: '/api' },
      'unknown-rooms': { type: 'string', default: 'notFound' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(
      'usage: node tools/admin-simulator.mjs [--port 4010] [--host 127.0.0.1] ' +
        '[--base-path /api] [--unknown-rooms create|notFound] [--quiet]',
    );
    return;
  }
  const port = Number(values.port ?? process.env.SIM_PORT ?? 4010);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`bad --port ${values.port}`);
  const unknownRooms = values['unknown-rooms'];
  if (unknownRooms !== 'create' && unknownRooms !== 'notFound') {
    throw new Error('--unknown-rooms must be "create" or "notFound"');
  }
  const quiet = values.quiet;
  const sim = await startAdminSimulator({
    port,
    host: values.host,
    basePath: values['base-path'],
    unknownRooms,
    record: false,
    rooms: DEMO_ROOMS,
    log: quiet ? undefined : (line) => console.log(`[admin-sim] ${line}`),
  });

  const ctl = `${sim.origin}/_sim`;
  const put = `curl -s -X PUT -H 'content-type: application/json'`;
  console.log(`Admin Control simulator on ${sim.url} (control API ${ctl})`);
  if (!quiet) {
    const example = (/** @type {string} */ path) => path.replace(/:[a-z_]+/g, 'demo-room');
    console.log(
      [
        ...ROUTES.map((r) => {
          const url = `${sim.url}${example(r.path)}`;
          if (r.example === undefined) return `  curl -s ${url}`;
          const json = `-H 'content-type: application/json' -d '${JSON.stringify(r.example)}'`;
          return `  curl -s -X ${r.method} ${json} ${url}`;
        }),
        `  ${put} -d '{"recording_status":true}' ${ctl}/rooms/demo-room`,
        `  ${put} -d '{"mode":"status","status":503}' ${ctl}/fault`,
        `  ${put} -d '{"mode":"none"}' ${ctl}/fault`,
        `  curl -s ${ctl}/rooms ; curl -s ${ctl}/stats`,
      ].join('\n'),
    );
  }

  const shutdown = () => {
    void sim.close().then(() => {
      process.exitCode = 0;
    });
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (isEntryPoint(import.meta.url)) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(`admin-simulator: ${err instanceof Error ? err.message : err}`);
    process.exitCode = 1;
  });
}
