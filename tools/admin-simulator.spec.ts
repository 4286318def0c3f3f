import jwt from 'jsonwebtoken';
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { adminOperations } from '../src/admin-api/admin-operation.js';
import {
  DEMO_ROOMS,
  ROUTES,
  startAdminSimulator,
  type AdminSimulator,
  type Fault,
} from './admin-simulator.mjs';

const NOT_FOUND = '{"error":{"code":404,"message":"Not found"},"data":null}';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function get(url: string, init: RequestInit = {}) {
  const res = await fetch(url, init);
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

async function sendJson(method: string, url: string, body: unknown) {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('admin simulator', () => {
  let sim: AdminSimulator;
  const status = (room: string) => `${sim.url}/sessions-status/${room}`;

  beforeAll(async () => {
    sim = await startAdminSimulator({
      rooms: {
        'demo-room': { recording_status: true, transcript_status: false },
        'a/b': { transcript_status: true },
        'a%2Fb': { recording_status: true },
      },
    });
  });

  afterAll(async () => {
    await sim.close();
  });

  beforeEach(() => {
    sim.setFault({ mode: 'none' });
    sim.resetCounters();
    sim.clearRequests();
  });

  it('exposes url, origin and port', () => {
    expect(sim.origin).toBe(`http://127.0.0.1:${sim.port}`);
    expect(sim.url).toBe(`${sim.origin}/api`);
    expect(sim.port).toBeGreaterThan(0);
  });

  describe('sessions-status', () => {
    it('answers a known room with the exact body and field order', async () => {
      const res = await get(status('demo-room'));
      expect(res.status).toBe(200);
      expect(res.type).toBe('application/json');
      expect(res.body).toBe(
        '{"error":null,"data":{"transcript_status":false,"recording_status":true}}',
      );
    });

    it('answers 404 with the contract body for an unknown room', async () => {
      const res = await get(status('nope'));
      expect(res).toEqual({ status: 404, type: 'application/json', body: NOT_FOUND });
    });

    it('answers 404 for other paths and methods', async () => {
      for (const [method, path] of [
        ['GET', '/api/sessions-status/'],
        ['GET', '/api/sessions-status/demo-room/extra'],
        ['GET', '/sessions-status/demo-room'],
        ['POST', '/api/sessions-status/demo-room'],
        ['DELETE', '/api/sessions-status/demo-room'],
        ['GET', '/'],
      ]) {
        const res = await get(`${sim.origin}${path}`, { method });
        expect(res, `${method} ${path}`).toEqual({
          status: 404,
          type: 'application/json',
          body: NOT_FOUND,
        });
      }
      expect(sim.calls).toBe(0);
    });

    it('decodes the room segment exactly once', async () => {
      const slash = await get(status('a%2Fb'));
      expect(slash.status).toBe(200);
      expect(JSON.parse(slash.body).data.transcript_status).toBe(true);

      // %252F decodes once to the literal room name "a%2Fb", not to "a/b"
      const literal = await get(status('a%252Fb'));
      expect(JSON.parse(literal.body).data).toEqual({
        transcript_status: false,
        recording_status: true,
      });

      sim.setRoom('zoë room', { recording_status: true });
      expect((await get(status(encodeURIComponent('zoë room')))).status).toBe(200);

      // a raw slash is two path segments, not the room "a/b"
      expect((await get(`${sim.url}/sessions-status/a/b`)).status).toBe(404);
      expect(sim.callsFor('a/b')).toBe(1);
      expect(sim.callsFor('a%2Fb')).toBe(1);
    });

    it('answers 400 when the segment is not valid percent-encoding', async () => {
      const res = await get(status('bad%E0%A4%A'));
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: 400 }, data: null });
      expect(sim.calls).toBe(1);
    });

    it('ignores the query string when matching but records the raw path', async () => {
      const res = await get(`${status('demo-room')}?x=1`, { headers: { 'X-Trace': 'abc' } });
      expect(res.status).toBe(200);
      expect(sim.requests).toHaveLength(1);
      expect(sim.requests[0]).toMatchObject({
        method: 'GET',
        path: '/api/sessions-status/demo-room?x=1',
        headers: { 'x-trace': 'abc' },
      });
    });
  });

  describe('counters and request log', () => {
    it('counts per room, faulted requests included, and resets', async () => {
      await get(status('demo-room'));
      await get(status('demo-room'));
      await get(status('nope'));
      sim.setFault({ mode: 'status', status: 500 });
      await get(status('demo-room'));
      expect(sim.calls).toBe(4);
      expect(sim.callsFor('demo-room')).toBe(3);
      expect(sim.callsFor('nope')).toBe(1);
      expect(sim.callsFor('other')).toBe(0);
      expect(sim.requests.map((r) => r.path)).toEqual([
        '/api/sessions-status/demo-room',
        '/api/sessions-status/demo-room',
        '/api/sessions-status/nope',
        '/api/sessions-status/demo-room',
      ]);

      sim.resetCounters();
      sim.clearRequests();
      expect(sim.calls).toBe(0);
      expect(sim.callsFor('demo-room')).toBe(0);
      expect(sim.requests).toHaveLength(0);
    });

    it('does not count control API calls', async () => {
      await get(`${sim.origin}/_sim/rooms`);
      await get(`${sim.origin}/_sim/stats`);
      expect(sim.calls).toBe(0);
      expect(sim.requests).toHaveLength(0);
    });
  });

  describe('faults', () => {
    it('slow: answers correctly after the delay', async () => {
      sim.setFault({ mode: 'slow', delayMs: 150 });
      const started = Date.now();
      const res = await get(status('demo-room'));
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body).data.recording_status).toBe(true);
    });

    it('hang: never answers until the client gives up', async () => {
      sim.setFault({ mode: 'hang' });
      await expect(
        fetch(status('demo-room'), { signal: AbortSignal.timeout(150) }),
      ).rejects.toThrow();
      expect(sim.calls).toBe(1);
    });

    it('status: answers the given status with a JSON error body', async () => {
      for (const code of [500, 503, 401, 403]) {
        sim.setFault({ mode: 'status', status: code });
        const res = await get(status('demo-room'));
        expect(res).toEqual({
          status: code,
          type: 'application/json',
          body: `{"error":{"code":${code},"message":"upstream says no"},"data":null}`,
        });
      }
      sim.setFault({ mode: 'status', status: 502, body: { custom: true } });
      expect(await get(status('demo-room'))).toMatchObject({
        status: 502,
        body: '{"custom":true}',
      });
    });

    it('burst: the next count requests fail, then normal', async () => {
      sim.setFault({ mode: 'burst', count: 2 });
      expect((await get(status('demo-room'))).status).toBe(503);
      expect(sim.fault).toEqual({ mode: 'burst', status: 503, count: 1 });
      expect((await get(status('demo-room'))).status).toBe(503);
      expect((await get(status('demo-room'))).status).toBe(200);
      expect(sim.fault).toEqual({ mode: 'none' });

      sim.setFault({ mode: 'burst', status: 500, count: 1 });
      expect((await get(status('demo-room'))).status).toBe(500);
      expect((await get(status('demo-room'))).status).toBe(200);
    });

    it('flapping: healthy first, then 503, by wall time', async () => {
      sim.setFault({ mode: 'flapping', periodMs: 200 });
      const started = Date.now();
      expect((await get(status('demo-room'))).status).toBe(200);
      // aim at the middle of the second (unhealthy) window
      await sleep(300 - (Date.now() - started));
      expect((await get(status('demo-room'))).status).toBe(503);
    });

    it('reset: destroys the connection without a response', async () => {
      sim.setFault({ mode: 'reset', count: 1 });
      await expect(fetch(status('demo-room'))).rejects.toThrow();
      expect((await get(status('demo-room'))).status).toBe(200);
      expect(sim.calls).toBe(2);

      sim.setFault({ mode: 'reset' });
      await expect(fetch(status('demo-room'))).rejects.toThrow();
      await expect(fetch(status('demo-room'))).rejects.toThrow();
      expect(sim.fault).toEqual({ mode: 'reset' });
    });

    it('malformed: 200 application/json whose body is not JSON', async () => {
      sim.setFault({ mode: 'malformed' });
      expect(await get(status('demo-room'))).toEqual({
        status: 200,
        type: 'application/json',
        body: '<html>oops',
      });
    });

    it('wrongShape: 200 valid JSON of the wrong shape', async () => {
      sim.setFault({ mode: 'wrongShape' });
      expect(await get(status('demo-room'))).toEqual({
        status: 200,
        type: 'application/json',
        body: '{"error":null,"data":{"recording":"yes"}}',
      });
    });

    it('notJson: 200 text/html', async () => {
      sim.setFault({ mode: 'notJson' });
      const res = await get(status('demo-room'));
      expect(res.status).toBe(200);
      expect(res.type).toMatch(/^text\/html/);
      expect(() => JSON.parse(res.body)).toThrow();
    });

    it('never applies faults to the control API', async () => {
      sim.setFault({ mode: 'hang' });
      const res = await get(`${sim.origin}/_sim/rooms`);
      expect(res.status).toBe(200);
    });

    it('rejects invalid faults', () => {
      expect(() => sim.setFault({ mode: 'bogus' } as never)).toThrow(TypeError);
      expect(() => sim.setFault({ mode: 'burst' } as never)).toThrow(TypeError);
      expect(() => sim.setFault({ mode: 'slow', delayMs: -1 })).toThrow(TypeError);
    });
  });

  describe('control API', () => {
    it('creates, patches, lists and deletes rooms', async () => {
      const created = await sendJson('PUT', `${sim.origin}/_sim/rooms/ctl-room`, {
        transcript_status: true,
      });
      expect(created).toEqual({
        status: 200,
        json: { room: 'ctl-room', recording_status: false, transcript_status: true },
      });
      await sendJson('PUT', `${sim.origin}/_sim/rooms/ctl-room`, { recording_status: true });
      expect(sim.getRoom('ctl-room')).toEqual({ recording_status: true, transcript_status: true });

      const list = await get(`${sim.origin}/_sim/rooms`);
      expect(JSON.parse(list.body).rooms['ctl-room']).toEqual({
        recording_status: true,
        transcript_status: true,
      });

      const del = await fetch(`${sim.origin}/_sim/rooms/ctl-room`, { method: 'DELETE' });
      expect(del.status).toBe(200);
      await del.body?.cancel();
      expect((await get(status('ctl-room'))).status).toBe(404);
      const again = await fetch(`${sim.origin}/_sim/rooms/ctl-room`, { method: 'DELETE' });
      expect(again.status).toBe(404);
      await again.body?.cancel();
    });

    it('rejects bad room bodies', async () => {
      expect((await sendJson('PUT', `${sim.origin}/_sim/rooms/x`, '{nope')).status).toBe(400);
      expect(
        (await sendJson('PUT', `${sim.origin}/_sim/rooms/x`, { recording: true })).status,
      ).toBe(400);
      expect(
        (await sendJson('PUT', `${sim.origin}/_sim/rooms/x`, { recording_status: 'yes' })).status,
      ).toBe(400);
      expect(sim.getRoom('x')).toBeUndefined();
    });

    it('sets and clears faults', async () => {
      const set = await sendJson('PUT', `${sim.origin}/_sim/fault`, {
        mode: 'status',
        status: 503,
      });
      expect(set.status).toBe(200);
      expect((await get(status('demo-room'))).status).toBe(503);
      await sendJson('PUT', `${sim.origin}/_sim/fault`, { mode: 'none' });
      expect((await get(status('demo-room'))).status).toBe(200);
      expect((await sendJson('PUT', `${sim.origin}/_sim/fault`, { mode: 'x' })).status).toBe(400);
    });

    it('reports stats', async () => {
      await get(status('demo-room'));
      await get(status('a%2Fb'));
      const stats = await get(`${sim.origin}/_sim/stats`);
      expect(JSON.parse(stats.body)).toEqual({
        calls: 2,
        byRoom: { 'demo-room': 1, 'a/b': 1 },
        byOperation: { sessionStatus: 2 },
      });
    });

    it('answers 404 for unknown control routes', async () => {
      expect(await get(`${sim.origin}/_sim/nope`)).toMatchObject({ status: 404, body: NOT_FOUND });
    });
  });

  describe('down / up', () => {
    it('refuses connections while down and comes back on the same port', async () => {
      const port = sim.port;
      expect((await get(status('demo-room'))).status).toBe(200);
      await sim.down();
      await expect(fetch(status('demo-room'))).rejects.toThrow();
      await sim.up();
      expect(sim.port).toBe(port);
      expect((await get(status('demo-room'))).status).toBe(200);
    });

    it('down ends hanging requests', async () => {
      sim.setFault({ mode: 'hang' });
      const pending = fetch(status('demo-room'));
      await sleep(30);
      await sim.down();
      await expect(pending).rejects.toThrow();
      await sim.up();
    });
  });
});

describe('admin simulator options', () => {
  it('auto-creates unknown rooms, honours basePath and record: false', async () => {
    const sim = await startAdminSimulator({
      basePath: 'admin/',
      unknownRooms: 'create',
      record: false,
    });
    try {
      expect(sim.url).toBe(`${sim.origin}/admin`);
      const res = await get(`${sim.url}/sessions-status/new-room`);
      expect(res.body).toBe(
        '{"error":null,"data":{"transcript_status":false,"recording_status":false}}',
      );
      expect(sim.getRoom('new-room')).toEqual({
        recording_status: false,
        transcript_status: false,
      });
      expect(sim.calls).toBe(1);
      expect(sim.requests).toHaveLength(0);
    } finally {
      await sim.close();
    }
  });

  it('close() ends hanging sockets promptly', async () => {
    const sim = await startAdminSimulator({ rooms: { r: {} } });
    sim.setFault({ mode: 'hang' });
    const pending = fetch(`${sim.url}/sessions-status/r`);
    await sleep(30);
    const started = Date.now();
    await sim.close();
    expect(Date.now() - started).toBeLessThan(500);
    await expect(pending).rejects.toThrow();
    await expect(sim.up()).rejects.toThrow(/closed/);
  });
});

describe('admin simulator routes', () => {
  let sim: AdminSimulator;
  // Every route with its parameters filled in with a seeded demo room.
  const urls = () =>
    ROUTES.map((route) => ({
      route,
      url: `${sim.url}${route.path.replace(/:[a-z_]+/g, 'demo-room')}`,
      // A route that takes a body gets the one it documents.
      body: route.example === undefined ? undefined : JSON.stringify(route.example),
    }));

  beforeAll(async () => {
    sim = await startAdminSimulator({ rooms: DEMO_ROOMS });
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    sim.setFault({ mode: 'none' });
    sim.resetCounters();
  });

  it('serves exactly the operations the server declares (same registry)', async () => {
    await import('../src/app.module.js'); // every feature, so every declaration
    const server = adminOperations().map((op) => `${op.method} ${op.path} ${op.name}`);
    const simulated = ROUTES.map((route) => `${route.method} ${route.path} ${route.name}`);
    expect([...simulated].sort()).toStrictEqual([...server].sort());
  });

  it('answers every route with seeded data in the envelope, and counts it', async () => {
    for (const { route, url, body } of urls()) {
      const res = await get(url, { method: route.method, body });
      expect(res.status, route.name).toBe(200);
      expect(JSON.parse(res.body), route.name).toMatchObject({ error: null });
      expect(JSON.parse(res.body).data, route.name).not.toBeUndefined();
      expect(sim.callsTo(route.name), route.name).toBe(1);
    }
  });

  const faults: Array<[Fault, (res: { status: number; body: string } | Error) => void]> = [
    [{ mode: 'status', status: 503 }, (res) => expect(res).toMatchObject({ status: 503 })],
    [{ mode: 'burst', count: 1 }, (res) => expect(res).toMatchObject({ status: 503 })],
    [
      { mode: 'malformed' },
      (res) => expect(res).toMatchObject({ status: 200, body: '<html>oops' }),
    ],
    [
      { mode: 'wrongShape' },
      (res) => expect(res).toMatchObject({ body: '{"error":null,"data":{"recording":"yes"}}' }),
    ],
    [{ mode: 'notJson' }, (res) => expect(res).toMatchObject({ status: 200 })],
    [{ mode: 'reset', count: 1 }, (res) => expect(res).toBeInstanceOf(Error)],
    [{ mode: 'hang' }, (res) => expect(res).toBeInstanceOf(Error)],
    [{ mode: 'slow', delayMs: 300 }, (res) => expect(res).toBeInstanceOf(Error)],
    [{ mode: 'flapping', periodMs: 60_000 }, (res) => expect(res).toMatchObject({ status: 200 })],
  ];

  it.each(faults)('applies %j to every route', async (fault, check) => {
    for (const { route, url, body } of urls()) {
      sim.setFault(fault);
      const res = await get(url, {
        method: route.method,
        body,
        signal: AbortSignal.timeout(150),
      }).catch((error: Error) => error);
      check(res);
    }
    expect(sim.calls).toBe(ROUTES.length);
  });

  describe('proconf-token', () => {
    const ALEX = { role: 'owner', room: 'demo-room', participantName: 'Alex' };
    const post = (body: unknown) =>
      get(`${sim.url}/proconf-token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });

    it('answers a ProCONF token with the claims of the docs’ sample, signed with its secret', async () => {
      const res = await post(ALEX);
      expect(res.status).toBe(200);
      const token = JSON.parse(res.body).data as string;
      const { secret } = sim.data.proconfToken as { secret: string };
      const claims = jwt.verify(token, secret, { algorithms: ['HS256'] }) as Record<
        string,
        unknown
      >;
      const iat = claims.iat as number;
      expect(claims).toStrictEqual({
        aud: '*',
        iss: 'xyz',
        sub: 'xyz.proconf.info',
        room: 'demo-room',
        nbf: iat - 3600,
        context: { user: { role: 'owner' } },
        participantName: 'Alex',
        iat,
        exp: iat + 604_800,
      });
      expect(Math.abs(iat - Date.now() / 1000)).toBeLessThan(5);
      expect(sim.requests.at(-1)).toMatchObject({
        operation: 'proconfToken',
        body: JSON.stringify(ALEX),
      });
    });

    it.each([
      ['not JSON', 'role=owner'],
      ['an array', [ALEX]],
      ['a missing field', { role: 'owner', room: 'demo-room' }],
      ['an empty field', { ...ALEX, participantName: '' }],
      ['a field that is not a string', { ...ALEX, role: 1 }],
      ['an extra field', { ...ALEX, admin: true }],
    ])('answers 400 for %s', async (_what, body) => {
      expect((await post(body)).status).toBe(400);
    });

    it('answers 404 for a room it does not know', async () => {
      const res = await post({ ...ALEX, room: 'nope' });
      expect(res).toMatchObject({ status: 404, body: NOT_FOUND });
    });
  });

  it('sets and reads a route’s data through the control API', async () => {
    for (const { route } of urls()) {
      const put = await sendJson('PUT', `${sim.origin}/_sim/data/${route.name}`, { x: 1 });
      expect(put).toEqual({ status: 200, json: { [route.name]: { x: 1 } } });
      expect(sim.data[route.name]).toEqual({ x: 1 });
    }
    expect(() => sim.setData('nope', 1)).toThrow(TypeError);
  });
});
