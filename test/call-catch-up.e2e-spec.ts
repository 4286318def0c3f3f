import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BAD_GATEWAY,
  contractEnv,
  describeBadTokens,
  describeRoomCases,
  describeRouting,
  describeUpstreamFailures,
  INVALID_ROOM,
  ROOM_NOT_FOUND,
  ROOM_REQUIRED,
} from './support/contract.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const TEXT = 'Alex opened the meeting; Sam presented the Q3 numbers.';

describe('GET /callCatchUp/:roomName', () => {
  let t: TestApp;
  const app = () => t;

  beforeAll(async () => {
    t = await startTestApp(contractEnv());
  });
  afterAll(() => t.close());
  beforeEach(() => {
    t.sim.setFault({ mode: 'none' });
    t.sim.setRoom('demo', {});
    t.sim.setData('callCatchUp', { demo: TEXT });
    t.sim.resetCounters();
    t.sim.clearRequests();
  });

  describeBadTokens(app, '/callCatchUp/demo', '/callCatchUp?roomName=demo', '/callCatchUp');
  describeRoomCases(app, { path: '/callCatchUp' });
  describeRouting(app, '/callCatchUp/demo');
  describeUpstreamFailures(app, '/callCatchUp/demo');

  describe('the query form', () => {
    describeRoomCases(app, { query: '/callCatchUp' });

    it('answers the same as the path form', async () => {
      const res = await t.get('/callCatchUp?roomName=demo');
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe(JSON.stringify({ error: null, data: TEXT }));
    });
  });

  describe('success', () => {
    it('answers 200 with the catch-up text as data', async () => {
      const res = await t.get('/callCatchUp/demo');
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe(JSON.stringify({ error: null, data: TEXT }));
      expect(res.headers['cache-control']).toBe('no-store');
      expect(t.sim.requests.map((r) => [r.method, r.path])).toEqual([
        ['GET', '/api/call-catchup/demo'],
      ]);
    });

    it('trims the room and sends it as one encoded segment', async () => {
      t.sim.setRoom('a~b', {});
      const res = await t.get('/callCatchUp/%20a~b%20');
      expect(res.statusCode).toBe(200);
      expect(t.sim.requests[0].path).toBe('/api/call-catchup/a~b');
    });

    it('lets a token scoped to the room read it', async () => {
      const scoped = { authorization: `Bearer ${t.token({ claims: { roomName: 'demo' } })}` };
      expect((await t.get('/callCatchUp/demo', scoped)).statusCode).toBe(200);
    });

    it('passes a long text up to 1 MiB and answers 502 beyond it', async () => {
      const long = 'x'.repeat(1024 * 1024 - 100);
      t.sim.setData('callCatchUp', { demo: long });
      const res = await t.get('/callCatchUp/demo');
      expect(res.statusCode).toBe(200);
      expect(res.json().data).toBe(long);
      t.sim.setData('callCatchUp', { demo: `${long}${'y'.repeat(200)}` });
      const tooLong = await t.get('/callCatchUp/demo');
      expect(tooLong.statusCode).toBe(502);
      expect(tooLong.body).toBe(BAD_GATEWAY);
    });
  });

  describe('errors', () => {
    it('answers 404 "Room not found" when Admin Control does not know the room', async () => {
      const res = await t.get('/callCatchUp/ghost');
      expect(res.statusCode).toBe(404);
      expect(res.body).toBe(ROOM_NOT_FOUND);
    });

    it.each(['/callCatchUp', '/callCatchUp/', '/callCatchUp?roomName='])(
      'answers the documented 400 for %s (no room)',
      async (url) => {
        const res = await t.get(url);
        expect(res.statusCode).toBe(400);
        expect(res.body).toBe(ROOM_REQUIRED);
      },
    );

    it('answers "Invalid room name." for a room far longer than the router allows by default', async () => {
      const res = await t.get(`/callCatchUp/${'x'.repeat(5000)}`);
      expect(res.statusCode).toBe(400);
      expect(res.body).toBe(INVALID_ROOM);
    });

    it('answers 502 when the catch-up is not a string', async () => {
      t.sim.setFault({ mode: 'status', status: 200, body: { error: null, data: { text: 'x' } } });
      const res = await t.get('/callCatchUp/demo');
      expect(res.statusCode).toBe(502);
      expect(res.body).toBe(BAD_GATEWAY);
    });
  });
});
