import jwt from 'jsonwebtoken';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAdminSimulator, type AdminSimulator } from '../tools/admin-simulator.mjs';
import {
  BAD_GATEWAY,
  describeRoomCases,
  describeRouting,
  describeUpstreamFailures,
  FORBIDDEN,
  NOT_FOUND,
  ROOM_NOT_FOUND,
  useContractApp,
} from './support/contract.js';
import { startTestApp, TEST_SECRET, type TestApp } from './support/test-app.js';

const TOO_MANY = '{"data":null,"error":{"code":429,"message":"Too many requests"}}';
const STATUS_OK = '{"error":null,"data":{"transcript_status":false,"recording_status":true}}';

/** GET /auth/joinmember for a room (raw, already encoded), without a token. */
function join(t: TestApp, room: string, options: { ip?: string } = {}) {
  return t.app.inject({
    method: 'GET',
    url: `/auth/joinmember?roomName=${room}`,
    ...(options.ip === undefined ? {} : { remoteAddress: options.ip }),
  });
}

// Tokens verified with a public key only: the server has nothing to sign guest tokens with.
const PUBLIC_KEY_ONLY = {
  JWT_SECRET: '',
  JWT_PUBLIC_KEY: generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString(),
};

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function guestTokensIssued(metrics: string): number {
  const line = metrics
    .split('\n')
    .find((l) => l.startsWith('auth_tokens_issued_total{kind="guest"} '));
  return Number(line?.split(' ')[1]);
}

describe('GET /auth/joinmember', () => {
  // Every request reaches Admin Control (no cache); the guest limit is out of the way here.
  const app = useContractApp(
    (t) => t.sim.setRoom('demo', { recording_status: true, transcript_status: false }),
    { GUEST_TOKENS_PER_MINUTE: '1000000' },
  );

  describeRoomCases(app, { query: '/auth/joinmember' }, { publicRoute: true });
  describeRouting(app, '/auth/joinmember?roomName=demo');
  describeUpstreamFailures(app, '/auth/joinmember?roomName=demo');

  describe('success', () => {
    it('answers a guest token for an existing room, without a token of its own', async () => {
      const started = Math.floor(Date.now() / 1000);
      const res = await join(app(), 'demo');
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const body = res.json<{ error: null; data: string }>();
      expect(Object.keys(body)).toEqual(['error', 'data']);
      expect(body.error).toBeNull();
      const { header, payload } = jwt.decode(body.data, { complete: true })!;
      expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
      const claims = jwt.verify(body.data, TEST_SECRET, { algorithms: ['HS256'] });
      // Exactly the ProCONF sample's claims: roomName, userId, iat, exp.
      expect(Object.keys(claims)).toEqual(['roomName', 'userId', 'iat', 'exp']);
      expect(payload).toMatchObject({ roomName: 'demo' });
      const { userId, iat, exp } = claims as { userId: string; iat: number; exp: number };
      expect(userId).toMatch(/^[1-9a-km-zA-HJ-NP-Z]{22}$/);
      expect(iat).toBeGreaterThanOrEqual(started);
      expect(exp - iat).toBe(14_400);
      // The room's existence was asked of Admin Control, once.
      expect(app().sim.requests.map((r) => [r.method, r.path])).toEqual([
        ['GET', '/api/sessions-status/demo'],
      ]);
    });

    it('gives every guest an id of its own', async () => {
      const ids = new Set<unknown>();
      for (let i = 0; i < 5; i++) {
        ids.add(
          jwt.decode((await join(app(), 'demo')).json<{ data: string }>().data, { json: true })
            ?.userId,
        );
      }
      expect(ids.size).toBe(5);
    });

    it('ignores a token it is sent, even a forged one (the route is public)', async () => {
      const forged = jwt.sign({ sub: 'x', exp: 2_000_000_000 }, 'not-the-secret');
      const res = await app().get('/auth/joinmember?roomName=demo', bearer(forged));
      expect(res.statusCode).toBe(200);
    });

    it('trims the room name, as /callStatus does', async () => {
      const res = await join(app(), '%20demo%20');
      expect(res.statusCode).toBe(200);
      expect(jwt.decode(res.json<{ data: string }>().data, { json: true })?.roomName).toBe('demo');
      expect(app().sim.requests[0].path).toBe('/api/sessions-status/demo');
    });

    it('counts guest tokens in auth_tokens_issued_total{kind="guest"}', async () => {
      const before = guestTokensIssued((await app().get('/metrics')).body);
      await join(app(), 'demo');
      await join(app(), 'ghost');
      const after = guestTokensIssued((await app().get('/metrics')).body);
      expect(after - before).toBe(1);
    });
  });

  describe('the guest token', () => {
    let guest: string;
    beforeEach(async () => {
      app().sim.setRoom('other', {});
      guest = (await join(app(), 'demo')).json<{ data: string }>().data;
    });

    it('reads /callStatus of its own room', async () => {
      const res = await app().get('/callStatus?roomName=demo', bearer(guest));
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe(STATUS_OK);
    });

    it.each(['/callStatus?roomName=other', '/callCatchUp/other'])(
      'answers 403 for another room (%s), without calling Admin Control',
      async (url) => {
        app().sim.clearRequests();
        const res = await app().get(url, bearer(guest));
        expect(res.statusCode).toBe(403);
        expect(res.body).toBe(FORBIDDEN);
        expect(app().sim.requests).toEqual([]);
      },
    );
  });

  describe('errors', () => {
    it('answers 404 "Room not found" for a room Admin Control does not know, and signs nothing', async () => {
      const res = await join(app(), 'ghost');
      expect(res.statusCode).toBe(404);
      expect(res.body).toBe(ROOM_NOT_FOUND);
      expect(app().sim.requests.map((r) => r.path)).toEqual(['/api/sessions-status/ghost']);
    });

    it('answers 502 when Admin Control answers the status in the wrong shape', async () => {
      app().sim.setFault({ mode: 'status', status: 200, body: { error: null, data: 'yes' } });
      const res = await join(app(), 'demo');
      expect(res.statusCode).toBe(502);
      expect(res.body).toBe(BAD_GATEWAY);
    });
  });
});

describe('GET /auth/joinmember: limits and configuration', () => {
  let sim: AdminSimulator;

  beforeAll(async () => {
    sim = await startAdminSimulator({ rooms: { demo: { recording_status: true } } });
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    sim.resetCounters();
  });

  it('answers 429 with Retry-After past GUEST_TOKENS_PER_MINUTE per address, whatever the answers', async () => {
    const t = await startTestApp({ GUEST_TOKENS_PER_MINUTE: '3' }, {}, sim);
    try {
      // A found room, an unknown one, a bad name: each counts.
      expect((await join(t, 'demo', { ip: '198.51.100.7' })).statusCode).toBe(200);
      expect((await join(t, 'ghost', { ip: '198.51.100.7' })).statusCode).toBe(404);
      expect((await join(t, 'a%2Fb', { ip: '198.51.100.7' })).statusCode).toBe(400);
      const calls = sim.calls;
      const res = await join(t, 'demo', { ip: '198.51.100.7' });
      expect(res.statusCode).toBe(429);
      expect(res.body).toBe(TOO_MANY);
      const retryAfter = Number(res.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      // The sliding-window counter: at most two windows' wait (hits early in a window still
      // weigh on the next).
      expect(retryAfter).toBeLessThanOrEqual(120);
      expect(sim.calls).toBe(calls);
      // Another address has its own budget.
      expect((await join(t, 'demo', { ip: '198.51.100.8' })).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('shares the room status the /callStatus cache holds (one Admin Control call for both)', async () => {
    const t = await startTestApp({ STATUS_CACHE_TTL_MS: '60000' }, {}, sim);
    try {
      expect((await t.get('/callStatus?roomName=demo')).statusCode).toBe(200);
      expect((await join(t, 'demo')).statusCode).toBe(200);
      expect((await join(t, 'demo')).statusCode).toBe(200);
      expect(sim.callsFor('demo')).toBe(1);
    } finally {
      await t.close();
    }
  });

  it.each<[string, Record<string, string>]>([
    ['with GUEST_JOIN_ENABLED=false', { GUEST_JOIN_ENABLED: 'false' }],
    ['without a key to sign with (tokens from a public key)', PUBLIC_KEY_ONLY],
  ])('answers 404 "Not found" %s, without looking at the room', async (_when, env) => {
    const t = await startTestApp(env, {}, sim);
    try {
      for (const url of ['/auth/joinmember?roomName=demo', '/auth/joinmember']) {
        const res = await t.app.inject({ method: 'GET', url });
        expect(res.statusCode).toBe(404);
        expect(res.body).toBe(NOT_FOUND);
      }
      expect(sim.calls).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('refuses to boot with GUEST_JOIN_ENABLED=true and no key to sign with', async () => {
    await expect(
      startTestApp({ ...PUBLIC_KEY_ONLY, GUEST_JOIN_ENABLED: 'true' }, {}, sim),
    ).rejects.toThrow('GUEST_JOIN_ENABLED needs JWT_SECRET or JWT_PRIVATE_KEY');
  });

  it('signs with the issuer, audience and lifetime configured', async () => {
    const env = { JWT_ISSUER: 'https://proconf.example', JWT_AUDIENCE: 'proconf-clients' };
    const t = await startTestApp({ ...env, GUEST_TOKEN_TTL_S: '600' }, {}, sim);
    try {
      const token = (await join(t, 'demo')).json<{ data: string }>().data;
      const claims = jwt.verify(token, TEST_SECRET, {
        issuer: env.JWT_ISSUER,
        audience: env.JWT_AUDIENCE,
      }) as jwt.JwtPayload;
      expect(Object.keys(claims)).toEqual(['roomName', 'userId', 'iat', 'exp', 'iss', 'aud']);
      expect(claims.exp! - claims.iat!).toBe(600);
      expect((await t.get('/callStatus?roomName=demo', bearer(token))).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});
