import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

const FORBIDDEN = '{"data":null,"error":{"code":403,"message":"Forbidden"}}';
const UNAUTHORIZED = '{"data":null,"error":{"code":401,"message":"Unauthorized"}}';
const REQUIRED =
  '{"data":null,"error":{"code":400,"message":"Room name required in query param."}}';
const INVALID = '{"data":null,"error":{"code":400,"message":"Invalid room name."}}';
const DEMO = '{"error":null,"data":{"transcript_status":false,"recording_status":true}}';
const OTHER = '{"error":null,"data":{"transcript_status":true,"recording_status":false}}';

describe('room-scoped tokens on GET /callStatus', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(
      { STATUS_CACHE_TTL_MS: '0' },
      {
        rooms: {
          demo: { recording_status: true },
          other: { transcript_status: true },
          Demo: { recording_status: true },
        },
      },
    );
  });
  afterAll(() => t?.close());
  beforeEach(() => t.sim.resetCounters());

  const scoped = (claims: Record<string, unknown>) => ({
    authorization: `Bearer ${t.token({ claims })}`,
  });

  describe.each(['roomName', 'room'])('with a "%s" claim', (claim) => {
    it('answers 200 for its own room', async () => {
      const res = await t.get('/callStatus?roomName=demo', scoped({ [claim]: 'demo' }));
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe(DEMO);
    });

    it('answers 403 for another room, without asking Admin Control', async () => {
      const res = await t.get('/callStatus?roomName=other', scoped({ [claim]: 'demo' }));
      expect(res.statusCode).toBe(403);
      expect(res.body).toBe(FORBIDDEN);
      expect(res.headers['www-authenticate']).toBeUndefined();
      expect(t.sim.calls).toBe(0);
    });
  });

  it('answers 403, not 404, for a room that does not exist (no existence oracle)', async () => {
    const res = await t.get('/callStatus?roomName=ghost', scoped({ roomName: 'demo' }));
    expect(res.statusCode).toBe(403);
    expect(res.body).toBe(FORBIDDEN);
  });

  it('compares case-sensitively', async () => {
    const res = await t.get('/callStatus?roomName=Demo', scoped({ roomName: 'demo' }));
    expect(res.statusCode).toBe(403);
    expect(res.body).toBe(FORBIDDEN);
  });

  it('compares after trimming both the query and the claim', async () => {
    for (const [url, room] of [
      ['/callStatus?roomName=%20demo%20', 'demo'],
      ['/callStatus?roomName=demo', '  demo '],
    ]) {
      const res = await t.get(url, scoped({ roomName: room }));
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe(DEMO);
    }
  });

  it('keeps the scope when the verified token is served from the token cache', async () => {
    const headers = scoped({ roomName: 'demo' });
    expect((await t.get('/callStatus?roomName=demo', headers)).statusCode).toBe(200);
    expect((await t.get('/callStatus?roomName=demo', headers)).statusCode).toBe(200);
    const res = await t.get('/callStatus?roomName=other', headers);
    expect(res.statusCode).toBe(403);
    expect(res.body).toBe(FORBIDDEN);
  });

  it.each([
    ['missing', '/callStatus', REQUIRED],
    ['blank', '/callStatus?roomName=%20', REQUIRED],
    ['invalid', '/callStatus?roomName=a%2Fb', INVALID],
  ])('validates first: a scoped token with a %s room name gets the 400', async (_n, url, body) => {
    const res = await t.get(url, scoped({ roomName: 'demo' }));
    expect(res.statusCode).toBe(400);
    expect(res.body).toBe(body);
  });

  it('lets a token without a room claim read any room', async () => {
    for (const [room, body] of [
      ['demo', DEMO],
      ['other', OTHER],
    ]) {
      const res = await t.get(`/callStatus?roomName=${room}`);
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe(body);
    }
  });

  it('accepts both claims when they agree', async () => {
    const res = await t.get(
      '/callStatus?roomName=demo',
      scoped({ roomName: 'demo', room: 'demo' }),
    );
    expect(res.statusCode).toBe(200);
  });

  // A malformed scope must not fall back to full access: the token is refused.
  it.each([
    ['a number', { roomName: 42 }],
    ['an array', { roomName: ['demo', 'other'] }],
    ['null', { roomName: null }],
    ['an object', { room: { name: 'demo' } }],
    ['blank', { roomName: '   ' }],
    ['two claims that disagree', { roomName: 'demo', room: 'other' }],
  ])('answers 401 for a room claim that is %s', async (_name, claims) => {
    const res = await t.get('/callStatus?roomName=demo', scoped(claims));
    expect(res.statusCode).toBe(401);
    expect(res.body).toBe(UNAUTHORIZED);
    expect(t.sim.calls).toBe(0);
  });
});
