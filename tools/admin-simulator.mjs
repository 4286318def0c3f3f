// Admin Control simulator: a real HTTP server speaking the sessions-status contract
// (shared/proconf-api.md §3.1), with a control API under /_sim and injectable faults,
// so tests, benchmarks and the demo exercise the app server's real HTTP client path.
import http from 'node:http';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

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
 * @returns {Promise<unknown>}
 */
function readJsonBody(req) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    req.on('data', (/** @type {Buffer} */ chunk) => {
      size += chunk.length;
      if (size > MAX_CONTROL_BODY) {
        reject(Object.assign(new Error('body too large'), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (text === '') return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(Object.assign(new Error('body is not valid JSON'), { status: 400 }));
      }
    });
    req.on('error', reject);
  });
}

/**
 * The rooms `npm run demo` starts with; the OpenAPI document's roomName example is one of them.
 * @type {Readonly<Record<string, RoomStatus>>}
 */
export const DEMO_ROOMS = Object.freeze({
  'demo-room': { recording_status: true, transcript_status: false },
  'quiet-room': { recording_status: false, transcript_status: false },
});

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
  const statusPrefix = `${basePath}/sessions-status/`;

  /** @type {Map<string, RoomStatus>} */
  const rooms = new Map();
  /** @type {Map<string, number>} */
  const byRoom = new Map();
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
   * @param {http.ServerResponse} res
   * @param {string | undefined} room
   */
  function answerStatus(res, room) {
    if (room === undefined) {
      send(res, 400, errorBody(400, 'Bad request: invalid percent-encoding in room name'));
      return;
    }
    let status = rooms.get(room);
    if (status === undefined && unknownRooms === 'create') status = setRoom(room, {});
    if (status === undefined) {
      send(res, 404, NOT_FOUND_BODY);
      return;
    }
    // field order matters to byte-comparing clients: transcript_status first
    const data = {
      transcript_status: status.transcript_status,
      recording_status: status.recording_status,
    };
    send(res, 200, JSON.stringify({ error: null, data }));
  }

  /**
   * @param {http.IncomingMessage} req
   * @param {http.ServerResponse} res
   * @param {string} rawUrl
   * @param {string} segment
   */
  function handleStatus(req, res, rawUrl, segment) {
    calls += 1;
    const room = decodeSegment(segment);
    if (room !== undefined) byRoom.set(room, (byRoom.get(room) ?? 0) + 1);
    if (record)
      requests.push({ method: req.method ?? 'GET', path: rawUrl, headers: { ...req.headers } });
    log?.(`${req.method} ${rawUrl}`);

    const f = takeFault();
    switch (f.mode) {
      case 'none':
        return answerStatus(res, room);
      case 'slow': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          answerStatus(res, room);
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
        const body =
          f.body === undefined
            ? errorBody(f.status, 'upstream says no')
            : typeof f.body === 'string'
              ? f.body
              : JSON.stringify(f.body);
        return send(res, f.status, body);
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
        return send(res, 200, JSON.stringify({ error: null, data: { recording: 'yes' } }));
      case 'notJson':
        return send(
          res,
          200,
          '<html><body>Admin Control</body></html>',
          'text/html; charset=utf-8',
        );
      default:
        return answerStatus(res, room);
    }
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
    const ok = (/** @type {unknown} */ body) => send(res, 200, JSON.stringify(body));
    try {
      if (parts.length === 1 && parts[0] === 'rooms' && method === 'GET') {
        return ok({ rooms: roomsSnapshot() });
      }
      if (parts.length === 2 && parts[0] === 'rooms' && parts[1] !== '') {
        const name = decodeSegment(parts[1]);
        if (name === undefined) return send(res, 400, errorBody(400, 'invalid percent-encoding'));
        if (method === 'PUT') {
          const status = setRoom(name, /** @type {PartialRoomStatus} */ (await readJsonBody(req)));
          log?.(`room ${JSON.stringify(name)} set: ${JSON.stringify(status)}`);
          return ok({ room: name, ...status });
        }
        if (method === 'GET') {
          const status = rooms.get(name);
          return status ? ok({ room: name, ...status }) : send(res, 404, NOT_FOUND_BODY);
        }
        if (method === 'DELETE') {
          if (!rooms.delete(name)) return send(res, 404, NOT_FOUND_BODY);
          log?.(`room ${JSON.stringify(name)} deleted`);
          return ok({ room: name, deleted: true });
        }
      }
      if (parts.length === 1 && parts[0] === 'fault') {
        if (method === 'PUT') {
          setFault(/** @type {Fault} */ (await readJsonBody(req)));
          return ok({ fault });
        }
        if (method === 'GET') return ok({ fault });
      }
      if (parts.length === 1 && parts[0] === 'stats' && method === 'GET') {
        return ok({ calls, byRoom: Object.fromEntries(byRoom) });
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
    if (req.method === 'GET' && pathname.startsWith(statusPrefix)) {
      const segment = pathname.slice(statusPrefix.length);
      // exactly one raw segment: "a/b" is a path, only "a%2Fb" names the room "a/b"
      if (segment !== '' && !segment.includes('/')) {
        handleStatus(req, res, rawUrl, segment);
        return;
      }
    }
    send(res, 404, NOT_FOUND_BODY);
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
    callsFor: (room) => byRoom.get(room) ?? 0,
    resetCounters() {
      calls = 0;
      byRoom.clear();
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
    log: quiet ? undefined : (line) => console.log(`[admin-sim] ${line}`),
  });

  const ctl = `${sim.origin}/_sim`;
  const put = `curl -s -X PUT -H 'content-type: application/json'`;
  console.log(`Admin Control simulator on ${sim.url} (control API ${ctl})`);
  if (!quiet) {
    console.log(
      [
        `  curl -s ${sim.url}/sessions-status/demo-room`,
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

function isEntryPoint() {
  if (!process.argv[1]) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(`admin-simulator: ${err instanceof Error ? err.message : err}`);
    process.exitCode = 1;
  });
}
