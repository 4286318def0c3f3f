import jwt from 'jsonwebtoken';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppLogger } from '../src/logging/app-logger.service.js';
import { installShutdownHandlers } from '../src/shutdown.js';
import {
  describeBadTokens,
  describeRoomCases,
  describeRouting,
  EXPIRED_TOKEN_CHALLENGE,
  FORBIDDEN,
  INVALID_ROOM,
  NOT_FOUND,
  ROOM_NOT_FOUND,
  ROOM_REQUIRED,
  UNAUTHORIZED,
  useContractApp,
} from './support/contract.js';
import { eventually, sleep } from './support/eventually.js';
import { assertConforms } from './support/openapi-conformance.js';
import { openSse, type SseResponse } from './support/sse-client.js';
import { startTestApp, TEST_SECRET, type TestApp } from './support/test-app.js';

const TOO_MANY = '{"data":null,"error":{"code":429,"message":"Too many requests"}}';
const UNAVAILABLE = '{"data":null,"error":{"code":503,"message":"Service unavailable"}}';
const RECORDING = '{"transcript_status":false,"recording_status":true}';
const NOT_RECORDING = '{"transcript_status":false,"recording_status":false}';

/** A booted app listening on 127.0.0.1 (streams need real sockets), and helpers around it. */
class StreamApp {
  private readonly open: SseResponse[] = [];
  private rooms = 0;
  room = '';

  private constructor(
    readonly t: TestApp,
    readonly base: string,
  ) {}

  static async start(env: Record<string, string>): Promise<StreamApp> {
    const t = await startTestApp(env);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    return new StreamApp(t, await t.app.getUrl());
  }

  /** A fresh room per test: the watcher of an earlier test's room may still linger. */
  nextRoom(): string {
    this.room = `room-${++this.rooms}`;
    this.t.sim.setRoom(this.room, { recording_status: true, transcript_status: false });
    return this.room;
  }

  auth(options: Parameters<TestApp['token']>[0] = {}): Record<string, string> {
    return { authorization: `Bearer ${this.t.token(options)}` };
  }

  async stream(
    query = `roomName=${this.room}`,
    headers: Record<string, string> = this.auth(),
    method = 'GET',
  ): Promise<SseResponse> {
    const url = `/callStatus/stream?${query}`;
    const response = await openSse(this.base + url, headers, method);
    this.open.push(response);
    // Over a real socket, so checked here as startTestApp checks every inject: a refusal's
    // envelope and headers, a stream's headers.
    await assertConforms({ method, url, headers }, { ...response, statusCode: response.status });
    return response;
  }

  closeStreams(): void {
    for (const response of this.open.splice(0)) response.stream.close();
  }

  async metric(name: string): Promise<number> {
    const res = await this.t.get('/metrics');
    const line = res.body.split('\n').find((l) => l.startsWith(`${name} `));
    return line === undefined ? 0 : Number(line.slice(name.length + 1));
  }

  close(): Promise<void> {
    this.closeStreams();
    return this.t.close();
  }
}

describe('GET /callStatus/stream', () => {
  const INTERVAL_MS = 1000; // the default STATUS_WATCH_INTERVAL_MS (and status cache TTL)
  let s: StreamApp;

  beforeAll(async () => {
    s = await StreamApp.start({ BREAKER_ENABLED: 'false', ADMIN_TIMEOUT_MS: '500' });
  });
  afterAll(() => s.close());
  beforeEach(() => {
    s.closeStreams();
    s.t.sim.setFault({ mode: 'none' });
    s.nextRoom();
  });

  it('starts with the current status at once, as text/event-stream', async () => {
    const started = Date.now();
    const res = await s.stream();
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-accel-buffering']).toBe('no');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.headers['content-encoding']).toBeUndefined();
    const first = await res.stream.next();
    expect(first.at - started).toBeLessThan(500);
    expect(first).toMatchObject({ event: 'status', data: RECORDING });
    expect(first.id).toMatch(/^\d+$/);
    expect(Number(first.retry)).toBeGreaterThanOrEqual(2000);
    expect(Number(first.retry)).toBeLessThanOrEqual(5000);
  });

  it('pushes a change within the watch interval + 200 ms, with a greater id', async () => {
    const res = await s.stream();
    const first = await res.stream.nextEvent();
    await sleep(100);
    const changedAt = Date.now();
    s.t.sim.setRoom(s.room, { recording_status: false });
    const change = await res.stream.nextEvent(INTERVAL_MS + 1000);
    expect(change.at - changedAt).toBeLessThanOrEqual(INTERVAL_MS + 200);
    expect(change).toMatchObject({ event: 'status', data: NOT_RECORDING });
    expect(Number(change.id)).toBeGreaterThan(Number(first.id));
  });

  it('sends nothing while nothing changes', async () => {
    const res = await s.stream();
    await res.stream.nextEvent();
    expect(await res.stream.during(2.5 * INTERVAL_MS)).toEqual([]);
  });

  it('watches a room once however many stream it: one lookup per interval', async () => {
    const streams = await Promise.all(Array.from({ length: 20 }, () => s.stream()));
    await Promise.all(streams.map((res) => res.stream.nextEvent()));
    const before = s.t.sim.callsFor(s.room);
    await sleep(3 * INTERVAL_MS);
    const calls = s.t.sim.callsFor(s.room) - before;
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(calls).toBeLessThanOrEqual(4);
  });

  it('answers a reconnect with Last-Event-ID at once only if the room changed since', async () => {
    const res = await s.stream();
    const first = await res.stream.nextEvent();
    res.stream.close();

    const again = await s.stream(undefined, { ...s.auth(), 'last-event-id': first.id! });
    const retry = await again.stream.next();
    expect(retry.event).toBeUndefined();
    expect(Number(retry.retry)).toBeGreaterThanOrEqual(2000);
    expect(await again.stream.during(1.5 * INTERVAL_MS)).toEqual([]);
    s.t.sim.setRoom(s.room, { recording_status: false });
    const change = await again.stream.nextEvent(INTERVAL_MS + 1000);
    expect(change).toMatchObject({ event: 'status', data: NOT_RECORDING });

    const behind = await s.stream(undefined, { ...s.auth(), 'last-event-id': first.id! });
    const now = await behind.stream.nextEvent(300);
    expect(now).toMatchObject({ id: change.id, event: 'status', data: NOT_RECORDING });
  });

  it('sends event: error while Admin Control fails, stays open, and the status once it recovers', async () => {
    const res = await s.stream();
    await res.stream.nextEvent();
    s.t.sim.setFault({ mode: 'status', status: 500 });
    const failure = await res.stream.nextEvent(INTERVAL_MS + 2000);
    expect(failure).toMatchObject({ event: 'error', data: '{"code":502,"message":"Bad gateway"}' });
    expect(await res.stream.during(1.5 * INTERVAL_MS)).toEqual([]); // the same failure: no repeat
    s.t.sim.setFault({ mode: 'none' });
    const recovered = await res.stream.nextEvent(INTERVAL_MS + 2000);
    expect(recovered).toMatchObject({ event: 'status', data: RECORDING });
    expect(Number(recovered.id)).toBeGreaterThan(Number(failure.id));
    expect(res.stream.ended).toBe(false);
  });

  it('starts with event: error when Admin Control is failing already', async () => {
    s.t.sim.setFault({ mode: 'hang' });
    const res = await s.stream();
    expect(res.status).toBe(200);
    const first = await res.stream.nextEvent(2000);
    expect(first).toMatchObject({
      event: 'error',
      data: '{"code":504,"message":"Gateway timeout"}',
    });
    s.t.sim.setFault({ mode: 'none' });
    expect(await res.stream.nextEvent(INTERVAL_MS + 1500)).toMatchObject({ data: RECORDING });
  });

  it('ends the streams of a room Admin Control no longer knows, after event: error 404', async () => {
    const res = await s.stream();
    await res.stream.nextEvent();
    s.t.sim.deleteRoom(s.room);
    const gone = await res.stream.nextEvent(INTERVAL_MS + 1000);
    expect(gone).toMatchObject({ event: 'error', data: '{"code":404,"message":"Room not found"}' });
    await res.stream.closed();
  });

  it('answers HEAD with the stream headers and no body', async () => {
    const res = await s.stream(undefined, s.auth(), 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    await res.stream.closed();
    expect(res.stream.items).toEqual([]);
  });

  // The shared contract tables (below) run every bad token and room case through inject; here
  // one of each over a real socket: a refusal is a whole JSON answer, never a started stream.
  describe('refusals answer the JSON envelope before any stream starts', () => {
    const expired = () => jwt.sign({ exp: Math.floor(Date.now() / 1000) - 60 }, TEST_SECRET);
    const cases: [string, () => [string, Record<string, string>], number, string][] = [
      ['no token', () => [`roomName=${s.room}`, {}], 401, UNAUTHORIZED],
      [
        'an expired token',
        () => [`roomName=${s.room}`, { authorization: `Bearer ${expired()}` }],
        401,
        UNAUTHORIZED,
      ],
      ['no roomName', () => ['', s.auth()], 400, ROOM_REQUIRED],
      ['an invalid roomName', () => ['roomName=a%20b', s.auth()], 400, INVALID_ROOM],
      [
        'a token scoped to another room',
        () => [`roomName=${s.room}`, s.auth({ claims: { roomName: 'other' } })],
        403,
        FORBIDDEN,
      ],
      [
        'a room Admin Control does not know',
        () => ['roomName=no-such-room', s.auth()],
        404,
        ROOM_NOT_FOUND,
      ],
    ];

    it.each(cases)('%s', async (name, request, status, body) => {
      const [query, headers] = request();
      const res = await s.stream(query, headers);
      expect(res.status).toBe(status);
      expect(res.body).toBe(body);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      if (status === 401) {
        const challenge = name === 'no token' ? 'Bearer' : EXPIRED_TOKEN_CHALLENGE;
        expect(res.headers['www-authenticate']).toBe(challenge);
      }
    });

    it('answers another method with 404', async () => {
      const res = await s.stream(`roomName=${s.room}`, s.auth(), 'POST');
      expect(res.status).toBe(404);
      expect(res.body).toBe(NOT_FOUND);
    });
  });

  it('counts streams, rooms, events and lookups, and a stream the client ends as a 200', async () => {
    const route = 'http_requests_total{method="GET",route="/callStatus/stream",status="200"}';
    const [openBefore, eventsBefore, answeredBefore] = [
      await s.metric('stream_connections_open'),
      await s.metric('stream_events_sent_total{event="status"}'),
      await s.metric(route),
    ];
    const res = await s.stream();
    await res.stream.nextEvent();
    expect(await s.metric('stream_connections_open')).toBe(openBefore + 1);
    expect(await s.metric('stream_rooms_watched')).toBeGreaterThanOrEqual(1);
    expect(await s.metric('stream_events_sent_total{event="status"}')).toBe(eventsBefore + 1);
    expect(await s.metric('stream_watcher_lookups_total{result="ok"}')).toBeGreaterThanOrEqual(1);
    res.stream.close();
    await eventually(async () => (await s.metric('stream_connections_open')) === openBefore);
    expect(await s.metric(route)).toBe(answeredBefore + 1);
    expect(await s.metric('stream_connections_closed_total{reason="client"}')).toBeGreaterThan(0);
  });
});

describe('GET /callStatus/stream: the shared contract tables', () => {
  const app = useContractApp();
  describeBadTokens(app, '/callStatus/stream?roomName=demo', '/callStatus/stream');
  describeRoomCases(app, { query: '/callStatus/stream' });
  describeRouting(app, '/callStatus/stream?roomName=demo');
});

describe('GET /callStatus/stream limits, heartbeat, expiry and access log', () => {
  const INTERVAL_MS = 200;
  let s: StreamApp;
  const lines: string[] = [];

  beforeAll(async () => {
    s = await StreamApp.start({
      STATUS_WATCH_INTERVAL_MS: String(INTERVAL_MS),
      // Far longer than the interval: watchers take no cached answer older than the interval.
      STATUS_CACHE_TTL_MS: '10000',
      STREAM_HEARTBEAT_MS: '300',
      STREAM_MAX_CONNECTIONS: '3',
      STREAM_MAX_PER_SUBJECT: '2',
      JWT_CLOCK_TOLERANCE_SEC: '0',
      LOG_LEVEL: 'info',
      CORS_ORIGINS: 'https://app.example.com',
    });
    // The access lines, as the logger would write them to stdout.
    const logger = s.t.app.get(AppLogger).pino as unknown as Record<symbol, unknown>;
    logger[pino.symbols.streamSym] = { write: (line: string) => lines.push(line) };
  });
  afterAll(() => s.close());
  beforeEach(() => {
    s.nextRoom();
    lines.length = 0;
  });
  afterEach(async () => {
    s.closeStreams();
    await eventually(async () => (await s.metric('stream_connections_open')) === 0);
  });

  it('pushes a change within the interval though the status cache TTL is far longer', async () => {
    const res = await s.stream();
    await res.stream.nextEvent();
    const changedAt = Date.now();
    s.t.sim.setRoom(s.room, { recording_status: false });
    const change = await res.stream.nextEvent(2000);
    expect(change).toMatchObject({ event: 'status', data: NOT_RECORDING });
    expect(change.at - changedAt).toBeLessThanOrEqual(INTERVAL_MS + 400);
  });

  it('sends a heartbeat comment while nothing changes', async () => {
    const res = await s.stream();
    await res.stream.nextEvent();
    const beats = await res.stream.during(1000);
    expect(beats.length).toBeGreaterThanOrEqual(2);
    for (const beat of beats)
      expect(beat).toEqual({ comment: 'keep-alive', at: expect.any(Number) });
  });

  it('carries the CORS headers for an allowed browser origin', async () => {
    const res = await s.stream(undefined, { ...s.auth(), origin: 'https://app.example.com' });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(res.headers['access-control-expose-headers']).toContain('X-Request-Id');
  });

  it('caps streams per subject (429) and per instance (503), with Retry-After', async () => {
    const alice = s.auth({ subject: 'alice' });
    await s.stream(undefined, alice);
    await s.stream(undefined, alice);
    const third = await s.stream(undefined, alice);
    expect([third.status, third.body, third.headers['retry-after']]).toEqual([429, TOO_MANY, '5']);

    const bob = await s.stream(undefined, s.auth({ subject: 'bob' }));
    expect(bob.status).toBe(200);
    const full = await s.stream(undefined, s.auth({ subject: 'carol' }));
    expect([full.status, full.body, full.headers['retry-after']]).toEqual([503, UNAVAILABLE, '5']);

    bob.stream.close();
    await eventually(async () => (await s.metric('stream_connections_open')) === 2);
    expect((await s.stream(undefined, s.auth({ subject: 'carol' }))).status).toBe(200);
  });

  it('counts tokens without a subject by client address', async () => {
    const anonymous = () => ({
      authorization: `Bearer ${jwt.sign({ exp: Math.floor(Date.now() / 1000) + 60 }, TEST_SECRET)}`,
    });
    expect((await s.stream(undefined, anonymous())).status).toBe(200);
    expect((await s.stream(undefined, anonymous())).status).toBe(200);
    expect((await s.stream(undefined, anonymous())).status).toBe(429);
  });

  it('ends the stream with event: error 401 when the token expires', async () => {
    const res = await s.stream(undefined, s.auth({ expiresInSeconds: 1 }));
    await res.stream.nextEvent();
    const expired = await res.stream.nextEvent(2500);
    expect(expired).toEqual({
      event: 'error',
      data: '{"code":401,"message":"Unauthorized"}',
      at: expect.any(Number),
    });
    await res.stream.closed();
  });

  it('stops watching a room a few seconds after its last stream ends', async () => {
    const res = await s.stream();
    await res.stream.nextEvent();
    res.stream.close();
    await sleep(2 * INTERVAL_MS + 300); // linger: 2 intervals
    const calls = s.t.sim.callsFor(s.room);
    await sleep(5 * INTERVAL_MS);
    expect(s.t.sim.callsFor(s.room)).toBe(calls);
    expect(await s.metric('stream_rooms_watched')).toBe(0);
  });

  it('writes one access line per stream, when it ends, as the 200 it was', async () => {
    const res = await s.stream(undefined, s.auth({ subject: 'alice' }));
    await res.stream.nextEvent();
    expect(lines.filter((line) => line.includes('"msg":"request"'))).toEqual([]);
    res.stream.close();
    await eventually(() => lines.some((line) => line.includes('"route":"/callStatus/stream"')));
    const access = lines
      .filter((line) => line.includes('"msg":"request"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => entry.route === '/callStatus/stream');
    expect(access).toEqual([
      {
        level: 'info',
        time: expect.any(Number),
        msg: 'request',
        reqId: res.headers['x-request-id'],
        method: 'GET',
        route: '/callStatus/stream',
        status: 200,
        ms: expect.any(Number),
        sub: 'alice',
      },
    ]);
    expect(access[0].ms).toBeGreaterThan(0);
  });
});

describe('GET /callStatus/stream on shutdown', () => {
  it('closes every stream with a final comment and drains within the grace period', async () => {
    const s = await StreamApp.start({});
    const exits: number[] = [];
    const remove = installShutdownHandlers(s.t.app, {
      graceMs: 3000,
      logger: s.t.app.get(AppLogger),
      exit: (code) => exits.push(code),
      signals: ['SIGUSR2'],
    });
    try {
      const streams = [];
      for (let i = 0; i < 3; i++) {
        s.nextRoom();
        streams.push(await s.stream());
      }
      for (const res of streams) await res.stream.nextEvent();
      const started = Date.now();
      process.emit('SIGUSR2', 'SIGUSR2');
      for (const res of streams) {
        expect(await res.stream.next()).toMatchObject({
          comment: 'server shutting down, reconnect',
        });
        const last = await res.stream.next();
        expect(Number(last.retry)).toBeGreaterThanOrEqual(2000);
        expect(Number(last.retry)).toBeLessThanOrEqual(5000);
        await res.stream.closed();
      }
      await eventually(() => exits.length > 0, 3000);
      expect(exits).toEqual([0]);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      remove();
      await s.t.sim.close();
    }
  });
});
