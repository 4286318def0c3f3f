import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, TEST_SECRET, type TestApp } from './support/test-app.js';
import { mintToken } from '../tools/token.mjs';
import jwt from 'jsonwebtoken';

const UNAUTHORIZED = '{"data":null,"error":{"code":401,"message":"Unauthorized"}}';
const REQUIRED =
  '{"data":null,"error":{"code":400,"message":"Room name required in query param."}}';
const INVALID = { data: null, error: { code: 400, message: 'Invalid room name.' } };
const NOT_FOUND = '{"error":{"code":404,"message":"Not found"},"data":null}';

describe('GET /callStatus', () => {
  let t: TestApp;

  beforeAll(async () => {
    // No cache: every request below reaches Admin Control unless it is coalesced.
    t = await startTestApp({
      STATUS_CACHE_TTL_MS: '0',
      ADMIN_TIMEOUT_MS: '400',
      BREAKER_ENABLED: 'false', // the breaker has its own spec; here every failure is seen
      JWT_CLOCK_TOLERANCE_SEC: '0',
    });
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

  describe('authentication (401 before anything else)', () => {
    // WWW-Authenticate per RFC 6750 §3: no error code without a bearer token, invalid_token
    // for a bad one, and the description for an expired one.
    const NONE = 'Bearer';
    const INVALID = 'Bearer error="invalid_token"';
    const EXPIRED = 'Bearer error="invalid_token", error_description="The access token expired"';
    const cases: Array<[string, () => Record<string, string>, string]> = [
      ['no Authorization header', () => ({}), NONE],
      ['a malformed token', () => ({ authorization: 'Bearer not.a.jwt' }), INVALID],
      ['a garbage token', () => ({ authorization: 'Bearer %%%' }), INVALID],
      ['an empty bearer token', () => ({ authorization: 'Bearer' }), INVALID],
      ['the wrong scheme', () => ({ authorization: `Basic ${mint()}` }), NONE],
      ['a bare token without scheme', () => ({ authorization: mint() }), NONE],
      [
        'a forged token',
        () => ({ authorization: `Bearer ${mint({ secret: 'x'.repeat(40) })}` }),
        INVALID,
      ],
      [
        'an expired token',
        () => ({ authorization: `Bearer ${signed({ sub: 'x', exp: now() - 60 })}` }),
        EXPIRED,
      ],
      [
        'an expired token with a forged signature (not told it expired)',
        () => ({
          authorization: `Bearer ${jwt.sign({ sub: 'x', exp: now() - 60 }, 'x'.repeat(40))}`,
        }),
        INVALID,
      ],
      [
        'a token not yet valid',
        () => ({ authorization: `Bearer ${mint({ claims: { nbf: now() + 3600 } })}` }),
        INVALID,
      ],
      ['a token without exp', () => ({ authorization: `Bearer ${signed({ sub: 'x' })}` }), INVALID],
      [
        'an HS512 token (alg not allowed)',
        () => ({ authorization: `Bearer ${signed({ sub: 'x', exp: now() + 60 }, 'HS512')}` }),
        INVALID,
      ],
      ['an alg none token', () => ({ authorization: `Bearer ${unsigned()}` }), INVALID],
    ];

    it.each(cases)('answers 401 for %s', async (_name, headers, challenge) => {
      const res = await t.get('/callStatus?roomName=demo', headers());
      expect(res.statusCode).toBe(401);
      expect(res.body).toBe(UNAUTHORIZED);
      expect(res.headers['www-authenticate']).toBe(challenge);
      expect(t.sim.calls).toBe(0);
    });

    it('checks the token before the room name', async () => {
      const res = await t.get('/callStatus', {});
      expect(res.statusCode).toBe(401);
      expect(res.body).toBe(UNAUTHORIZED);
    });

    it('keeps rejecting a token after it has expired even if it was accepted before', async () => {
      const exp = now() + 2;
      const token = signed({ sub: 'x', exp });
      const ok = await t.get('/callStatus?roomName=demo', { authorization: `Bearer ${token}` });
      expect(ok.statusCode).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));
      const late = await t.get('/callStatus?roomName=demo', { authorization: `Bearer ${token}` });
      expect(late.statusCode).toBe(401);
      expect(late.headers['www-authenticate']).toBe(EXPIRED);
    });
  });

  describe('room name validation (400)', () => {
    it.each([
      ['missing', '/callStatus'],
      ['empty', '/callStatus?roomName='],
      ['without a value', '/callStatus?roomName'],
      ['only spaces', '/callStatus?roomName=%20%20%20'],
      ['given twice', '/callStatus?roomName=a&roomName=b'],
      ['in the wrong case', '/callStatus?roomname=demo'],
    ])('answers "Room name required" when it is %s', async (_name, url) => {
      const res = await t.get(url);
      expect(res.statusCode).toBe(400);
      expect(res.body).toBe(REQUIRED);
      expect(t.sim.calls).toBe(0);
    });

    it.each([
      ['a slash', 'a/b'],
      ['an encoded slash', 'a%2Fb'],
      ['a double-encoded slash', 'a%252Fb'],
      ['a dot segment', '.'],
      ['a dot-dot segment', '..'],
      ['an encoded dot-dot', '%2e%2e'],
      ['a question mark', 'a%3Fb'],
      ['a hash', 'a%23b'],
      ['a space inside', 'a%20b'],
      ['a backslash', 'a%5Cb'],
      ['129 characters', 'x'.repeat(129)],
      ['unicode', 'r%C3%A9union'],
      ['an emoji', '%F0%9F%98%80'],
      ['a NUL byte', 'a%00b'],
      ['malformed percent-encoding', '%E0%A4%A'],
    ])('answers "Invalid room name." for %s', async (_name, room) => {
      const res = await t.get(`/callStatus?roomName=${room}`);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual(INVALID);
      expect(t.sim.calls).toBe(0);
    });
  });

  describe('routing (404)', () => {
    it.each([
      ['GET', '/nope'],
      ['GET', '/callstatus?roomName=demo'],
      ['POST', '/callStatus?roomName=demo'],
      ['PUT', '/callStatus?roomName=demo'],
      ['DELETE', '/callStatus?roomName=demo'],
      ['PATCH', '/health'],
    ])('answers the documented 404 for %s %s, token or not', async (method, url) => {
      for (const headers of [{}, { authorization: `Bearer ${t.token()}` }]) {
        const res = await t.app.inject({ method: method as 'GET', url, headers });
        expect(res.statusCode).toBe(404);
        expect(res.body).toBe(NOT_FOUND);
      }
    });
  });

  describe('Admin Control failures', () => {
    it('answers 404 "Room not found" when Admin Control does not know the room', async () => {
      const res = await t.get('/callStatus?roomName=ghost');
      expect(res.statusCode).toBe(404);
      expect(res.body).toBe('{"error":{"code":404,"message":"Room not found"},"data":null}');
    });

    it.each([
      ['answers 500', { mode: 'status', status: 500 }],
      ['answers 401 (our credentials)', { mode: 'status', status: 401 }],
      ['answers 403 (our credentials)', { mode: 'status', status: 403 }],
      ['answers 400', { mode: 'status', status: 400 }],
      ['answers a body that is not JSON', { mode: 'malformed' }],
      ['answers HTML', { mode: 'notJson' }],
      ['answers JSON of the wrong shape', { mode: 'wrongShape' }],
      ['resets the connection', { mode: 'reset' }],
    ] as const)('answers 502 "Bad gateway" when Admin Control %s', async (_name, fault) => {
      t.sim.setFault(fault);
      const res = await t.get('/callStatus?roomName=demo');
      expect(res.statusCode).toBe(502);
      expect(res.json()).toEqual({ data: null, error: { code: 502, message: 'Bad gateway' } });
      expectNoLeak(res.body, t.sim.url);
    });

    it('answers 502 when Admin Control is down', async () => {
      await t.sim.down();
      try {
        const res = await t.get('/callStatus?roomName=demo');
        expect(res.statusCode).toBe(502);
        expect(res.json().error).toEqual({ code: 502, message: 'Bad gateway' });
      } finally {
        await t.sim.up();
      }
    });

    it('answers 504 "Gateway timeout" when Admin Control does not answer within the deadline', async () => {
      t.sim.setFault({ mode: 'hang' });
      const started = Date.now();
      const res = await t.get('/callStatus?roomName=demo');
      const elapsed = Date.now() - started;
      expect(res.statusCode).toBe(504);
      expect(res.json()).toEqual({ data: null, error: { code: 504, message: 'Gateway timeout' } });
      // The deadline is total: 400 ms configured, not per attempt or per socket event.
      expect(elapsed).toBeGreaterThanOrEqual(380);
      expect(elapsed).toBeLessThan(2000);
    });

    it('answers 504 when Admin Control trickles an answer slower than the deadline', async () => {
      t.sim.setFault({ mode: 'slow', delayMs: 1500 });
      const res = await t.get('/callStatus?roomName=demo');
      expect(res.statusCode).toBe(504);
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

function now(): number {
  return Math.floor(Date.now() / 1000);
}

function mint(options: Parameters<typeof mintToken>[0] extends infer O ? Partial<O> : never = {}) {
  return mintToken({ secret: TEST_SECRET, subject: 'tester', ...options });
}

function signed(payload: object, algorithm: jwt.Algorithm = 'HS256'): string {
  return jwt.sign(payload, TEST_SECRET, { algorithm, noTimestamp: true });
}

function unsigned(): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: 'x', exp: now() + 60 })}.`;
}

function expectNoLeak(body: string, upstreamUrl: string): void {
  expect(body).not.toContain(upstreamUrl);
  expect(body).not.toContain('127.0.0.1');
  expect(body).not.toMatch(/at .+\.(js|ts):\d+/);
  expect(body).not.toContain('upstream says no');
}
