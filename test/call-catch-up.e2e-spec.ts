import { describe, expect, it } from 'vitest';
import {
  BAD_GATEWAY,
  describeBadTokens,
  describeRoomCases,
  describeRouting,
  describeUpstreamFailures,
  useContractApp,
  INVALID_ROOM,
  ROOM_NOT_FOUND,
  ROOM_REQUIRED,
} from './support/contract.js';

const TEXT = 'Alex opened the meeting; Sam presented the Q3 numbers.';

describe('GET /callCatchUp/:roomName', () => {
  const app = useContractApp((t) => {
    t.sim.setRoom('demo', {});
    t.sim.setData('callCatchUp', { demo: TEXT });
  });

  describeBadTokens(app, '/callCatchUp/demo', '/callCatchUp?roomName=demo', '/callCatchUp');
  describeRoomCases(app, { path: '/callCatchUp' });
  describeRouting(app, '/callCatchUp/demo');
  describeUpstreamFailures(app, '/callCatchUp/demo');

  describe('the query form', () => {
    describeRoomCases(app, { query: '/callCatchUp' });

    it('answers the same as the path form', async () => {
      const res = await app().get('/callCatchUp?roomName=demo');
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe(JSON.stringify({ error: null, data: TEXT }));
    });
  });

  describe('success', () => {
    it('answers 200 with the catch-up text as data', async () => {
      const res = await app().get('/callCatchUp/demo');
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe(JSON.stringify({ error: null, data: TEXT }));
      expect(res.headers['cache-control']).toBe('no-store');
      expect(app().sim.requests.map((r) => [r.method, r.path])).toEqual([
        ['GET', '/api/call-catchup/demo'],
      ]);
    });

    it('trims the room and sends it as one encoded segment', async () => {
      app().sim.setRoom('a~b', {});
      const res = await app().get('/callCatchUp/%20a~b%20');
      expect(res.statusCode).toBe(200);
      expect(app().sim.requests[0].path).toBe('/api/call-catchup/a~b');
    });

    it('lets a token scoped to the room read it', async () => {
      const scoped = { authorization: `Bearer ${app().token({ claims: { roomName: 'demo' } })}` };
      expect((await app().get('/callCatchUp/demo', scoped)).statusCode).toBe(200);
    });

    it('passes a long text up to 1 MiB and answers 502 beyond it', async () => {
      const long = 'x'.repeat(1024 * 1024 - 100);
      app().sim.setData('callCatchUp', { demo: long });
      const res = await app().get('/callCatchUp/demo');
      expect(res.statusCode).toBe(200);
      expect(res.json().data).toBe(long);
      app().sim.setData('callCatchUp', { demo: `${long}${'y'.repeat(200)}` });
      const tooLong = await app().get('/callCatchUp/demo');
      expect(tooLong.statusCode).toBe(502);
      expect(tooLong.body).toBe(BAD_GATEWAY);
    });
  });

  describe('errors', () => {
    it('answers 404 "Room not found" when Admin Control does not know the room', async () => {
      const res = await app().get('/callCatchUp/ghost');
      expect(res.statusCode).toBe(404);
      expect(res.body).toBe(ROOM_NOT_FOUND);
    });

    it.each(['/callCatchUp', '/callCatchUp/', '/callCatchUp?roomName='])(
      'answers the documented 400 for %s (no room)',
      async (url) => {
        const res = await app().get(url);
        expect(res.statusCode).toBe(400);
        expect(res.body).toBe(ROOM_REQUIRED);
      },
    );

    it('answers "Invalid room name." for a room far longer than the router allows by default', async () => {
      const res = await app().get(`/callCatchUp/${'x'.repeat(5000)}`);
      expect(res.statusCode).toBe(400);
      expect(res.body).toBe(INVALID_ROOM);
    });

    it('answers "Invalid room name." up to maxParamLength, and the router\'s 414 beyond it', async () => {
      // Only app.inject() gets past Node here: over HTTP a request line that long is a 431.
      const longest = await app().get(`/callCatchUp/${'x'.repeat(16 * 1024)}`);
      expect(longest.statusCode).toBe(400);
      expect(longest.body).toBe(INVALID_ROOM);
      const over = await app().get(`/callCatchUp/${'x'.repeat(16 * 1024 + 1)}`);
      expect(over.statusCode).toBe(414);
      expect(over.body).toBe('{"data":null,"error":{"code":414,"message":"URI too long"}}');
      expect(app().sim.calls).toBe(0);
    });

    it('answers 502 when the catch-up is not a string', async () => {
      app().sim.setFault({
        mode: 'status',
        status: 200,
        body: { error: null, data: { text: 'x' } },
      });
      const res = await app().get('/callCatchUp/demo');
      expect(res.statusCode).toBe(502);
      expect(res.body).toBe(BAD_GATEWAY);
    });
  });
});
