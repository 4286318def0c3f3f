import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  contractEnv,
  describeBadTokens,
  describeRoomCases,
  describeRouting,
  describeUpstreamFailures,
  EXPIRED_TOKEN_CHALLENGE,
  now,
  ROOM_NOT_FOUND,
  signed,
} from './support/contract.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('GET /callStatus', () => {
  let t: TestApp;
  const app = () => t;

  beforeAll(async () => {
    // No cache: every request below reaches Admin Control unless it is coalesced.
    t = await startTestApp(contractEnv());
  });
  afterAll(() => t.close());
  beforeEach(() => {
    t.sim.setFault({ mode: 'none' });
    t.sim.setRoom('demo', { recording_status: true, transcript_status: false });
    t.sim.resetCounters();
    t.sim.clearRequests();
  });

  describe('success', () => {
    it('answers 200 with the two flags from Admin Control in the documented envelope', async () => {
      const res = await t.get('/callStatus?roomName=demo');
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe(
        '{"error":null,"data":{"transcript_status":false,"recording_status":true}}',
      );
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['cache-control']).toBe('no-store');
      t.sim.setRoom('demo', { recording_status: false, transcript_status: true });
      const flipped = await t.get('/callStatus?roomName=demo');
      expect(flipped.json()).toEqual({
        error: null,
        data: { transcript_status: true, recording_status: false },
      });
    });

    it('calls GET <base>/sessions-status/<room> with JSON headers and no caller credentials', async () => {
      const res = await t.get('/callStatus?roomName=demo', {
        authorization: `Bearer ${t.token()}`,
        cookie: 'session=secret-cookie',
        'x-request-id': 'req-123',
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-request-id']).toBe('req-123');
      expect(t.sim.requests).toHaveLength(1);
      const [call] = t.sim.requests;
      expect(call.method).toBe('GET');
      expect(call.path).toBe('/api/sessions-status/demo');
      expect(call.headers['content-type']).toBe('application/json');
      expect(call.headers.accept).toBe('application/json');
      expect(call.headers['x-request-id']).toBe('req-123');
      expect(call.headers.authorization).toBeUndefined();
      expect(call.headers.cookie).toBeUndefined();
    });

    it('generates a request id when none (or a malformed one) is given', async () => {
      const res = await t.get('/callStatus?roomName=demo', {
        authorization: `Bearer ${t.token()}`,
        'x-request-id': 'bad id with spaces',
      });
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(t.sim.requests[0].headers['x-request-id']).toBe(res.headers['x-request-id']);
    });

    it('trims the room name and ignores unrelated query parameters', async () => {
      const res = await t.get('/callStatus?roomName=%20demo%20&_=12345');
      expect(res.statusCode).toBe(200);
      expect(t.sim.requests[0].path).toBe('/api/sessions-status/demo');
    });

    it('accepts every unreserved character and the 128-character maximum', async () => {
      const room = 'A-z_0.9~' + 'x'.repeat(120);
      t.sim.setRoom(room, { recording_status: true });
      const res = await t.get(`/callStatus?roomName=${room}`);
      expect(res.statusCode).toBe(200);
      expect(t.sim.requests[0].path).toBe(`/api/sessions-status/${room}`);
    });
  });

  describeBadTokens(app, '/callStatus?roomName=demo', '/callStatus');

  describe('authentication', () => {
    it('keeps rejecting a token after it has expired even if it was accepted before', async () => {
      const exp = now() + 2;
      const token = signed({ sub: 'x', exp });
      const ok = await t.get('/callStatus?roomName=demo', { authorization: `Bearer ${token}` });
      expect(ok.statusCode).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));
      const late = await t.get('/callStatus?roomName=demo', { authorization: `Bearer ${token}` });
      expect(late.statusCode).toBe(401);
      expect(late.headers['www-authenticate']).toBe(EXPIRED_TOKEN_CHALLENGE);
    });
  });

  describeRoomCases(app, { query: '/callStatus' });
  describeRouting(app, '/callStatus?roomName=demo');
  describeUpstreamFailures(app, '/callStatus?roomName=demo');

  describe('Admin Control failures', () => {
    it('answers 404 "Room not found" when Admin Control does not know the room', async () => {
      const res = await t.get('/callStatus?roomName=ghost');
      expect(res.statusCode).toBe(404);
      expect(res.body).toBe(ROOM_NOT_FOUND);
    });
  });

  describe('polling storms (single flight)', () => {
    it('serves 100 concurrent polls of one room with at most a few Admin Control calls', async () => {
      t.sim.setFault({ mode: 'slow', delayMs: 50 });
      const responses = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          t.get('/callStatus?roomName=demo', {
            authorization: `Bearer ${t.token({ subject: `p${i}` })}`,
          }),
        ),
      );
      for (const res of responses) {
        expect(res.statusCode).toBe(200);
        expect(res.json().data).toEqual({ transcript_status: false, recording_status: true });
      }
      expect(t.sim.callsFor('demo')).toBeGreaterThanOrEqual(1);
      expect(t.sim.callsFor('demo')).toBeLessThanOrEqual(3);
    });

    it('shares a failure too: every waiting caller gets the error, once', async () => {
      t.sim.setFault({ mode: 'status', status: 500 });
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => t.get('/callStatus?roomName=demo')),
      );
      expect(responses.map((r) => r.statusCode)).toEqual(new Array(20).fill(502));
      expect(t.sim.callsFor('demo')).toBeLessThanOrEqual(3);
    });
  });
});
