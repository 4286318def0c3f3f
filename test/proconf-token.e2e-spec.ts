import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BAD_GATEWAY,
  describeBadTokens,
  describeRouting,
  describeUpstreamFailures,
  FORBIDDEN,
  ROOM_NOT_FOUND,
  UNAUTHORIZED,
  useContractApp,
  describeRefusedData,
  UNHURRIED,
} from './support/contract.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const ALEX = { role: 'owner', room: 'demo', participantName: 'Alex' };
const POST_ALEX = { method: 'POST', url: '/proconfToken', payload: ALEX } as const;

const error = (code: number, message: string) =>
  JSON.stringify(
    code === 404 || code === 500
      ? { error: { code, message }, data: null }
      : { data: null, error: { code, message } },
  );

interface SimSigning {
  secret: string;
}

function post(t: TestApp, payload: unknown, headers?: Record<string, string>) {
  return t.app.inject({
    method: 'POST',
    url: '/proconfToken',
    payload: payload as object,
    headers: headers ?? { authorization: `Bearer ${t.token()}` },
  });
}

function metric(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return Number(line?.split(' ')[1] ?? 0);
}

describe('POST /proconfToken', () => {
  const app = useContractApp(
    (t) => {
      t.sim.setRoom('demo', {});
      t.sim.setRoom('other', {});
    },
    { GUEST_TOKENS_PER_MINUTE: '1000000' },
  );
  const guest = (room = 'demo') => ({
    authorization: `Bearer ${app().token({ subject: 'fDDdfX34AWwqcDHGNvGDTB', claims: { roomName: room } })}`,
  });

  describeBadTokens(app, POST_ALEX, { ...POST_ALEX, payload: { role: 'nobody' } });
  describeRouting(app, '/proconfToken', 'POST');
  // Admin Control's 400 is this endpoint's own answer (below).
  describeUpstreamFailures(app, POST_ALEX, { mapped: [400] });

  describe('success', () => {
    it("answers Admin Control's ProCONF token in the envelope", async () => {
      const res = await post(app(), ALEX);
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const body = res.json<{ error: null; data: string }>();
      expect(Object.keys(body)).toEqual(['error', 'data']);
      expect(body.error).toBeNull();
      // Signed by the simulator: passed on as it is.
      const { secret } = app().sim.data.proconfToken as SimSigning;
      const claims = jwt.verify(body.data, secret, { algorithms: ['HS256'] }) as jwt.JwtPayload;
      expect(claims).toMatchObject({
        room: 'demo',
        context: { user: { role: 'owner' } },
        participantName: 'Alex',
      });
    });

    it('sends Admin Control exactly the three fields, trimmed, as JSON, without the caller’s credentials', async () => {
      const res = await post(
        app(),
        { role: ' owner ', room: ' demo ', participantName: '  Alex  ', admin: true, sub: 'x' },
        { authorization: `Bearer ${app().token()}`, cookie: 'session=1', 'x-request-id': 'req-42' },
      );
      expect(res.statusCode).toBe(200);
      expect(app().sim.requests).toHaveLength(1);
      const [call] = app().sim.requests;
      expect([call.method, call.path]).toEqual(['POST', '/api/proconf-token']);
      expect(call.body).toBe('{"role":"owner","room":"demo","participantName":"Alex"}');
      expect(call.headers['content-type']).toBe('application/json');
      expect(call.headers['x-request-id']).toBe('req-42');
      expect(call.headers.authorization).toBeUndefined();
      expect(call.headers.cookie).toBeUndefined();
    });

    it('never caches: every request asks Admin Control', async () => {
      for (let i = 0; i < 3; i++) expect((await post(app(), ALEX)).statusCode).toBe(200);
      expect(app().sim.callsTo('proconfToken')).toBe(3);
    });

    it.each([
      ['100 accented letters', 'é'.repeat(100)],
      ['100 emoji (two UTF-16 units each)', '😀'.repeat(100)],
      ['inner spaces and punctuation', "Zoë O'Brien-Smith (guest)"],
    ])('accepts a participant name of %s', async (_what, participantName) => {
      const res = await post(app(), { ...ALEX, participantName });
      expect(res.statusCode).toBe(200);
      expect(JSON.parse(app().sim.requests[0].body)).toEqual({ ...ALEX, participantName });
    });

    it('counts ProCONF tokens in auth_tokens_issued_total{kind="proconf"}, not failures', async () => {
      const series = 'auth_tokens_issued_total{kind="proconf"}';
      const before = metric((await app().get('/metrics')).body, series);
      await post(app(), ALEX);
      await post(app(), { ...ALEX, room: 'ghost' });
      const after = metric((await app().get('/metrics')).body, series);
      expect(after - before).toBe(1);
    });
  });

  describe('guests (room-scoped tokens)', () => {
    it('a guest token from /auth/joinmember gets a participant token for its room', async () => {
      const join = await app().app.inject({ method: 'GET', url: '/auth/joinmember?roomName=demo' });
      const token = join.json<{ data: string }>().data;
      const res = await post(
        app(),
        { role: 'participant', room: 'demo', participantName: 'Sam' },
        { authorization: `Bearer ${token}` },
      );
      expect(res.statusCode).toBe(200);
      expect(JSON.parse(app().sim.requests.at(-1)!.body)).toEqual({
        role: 'participant',
        room: 'demo',
        participantName: 'Sam',
      });
    });

    it.each([
      ['the owner role', { ...ALEX, role: 'owner' }],
      ['another room', { ...ALEX, role: 'participant', room: 'other' }],
      ['another room in another case', { ...ALEX, role: 'participant', room: 'Demo' }],
    ])('answers 403 to a guest asking for %s, without calling Admin Control', async (_w, body) => {
      const res = await post(app(), body, guest());
      expect(res.statusCode).toBe(403);
      expect(res.body).toBe(FORBIDDEN);
      expect(app().sim.calls).toBe(0);
    });

    it('checks the body before the scope: a guest with a bad body gets the 400', async () => {
      const res = await post(app(), { ...ALEX, room: 'a/b' }, guest());
      expect(res.statusCode).toBe(400);
      expect(res.body).toBe(error(400, 'Invalid room name.'));
    });
  });

  describe('validation (400, before Admin Control)', () => {
    it.each<[string, unknown, string]>([
      ['no body', undefined, 'Role required.'],
      ['an empty object (the role first)', {}, 'Role required.'],
      ['a blank role', { ...ALEX, role: '   ' }, 'Role required.'],
      ['a role that is not a string', { ...ALEX, role: 1 }, 'Role required.'],
      ['an unknown role', { ...ALEX, role: 'admin' }, 'Invalid role.'],
      ['a role in another case', { ...ALEX, role: 'Owner' }, 'Invalid role.'],
      ['no room', { role: 'owner', participantName: 'Alex' }, 'Room required.'],
      ['a blank room', { ...ALEX, room: ' ' }, 'Room required.'],
      ['a room that is not a string', { ...ALEX, room: ['demo'] }, 'Room required.'],
      ['a room with a slash', { ...ALEX, room: 'a/b' }, 'Invalid room name.'],
      ['a dot-dot room', { ...ALEX, room: '..' }, 'Invalid room name.'],
      ['a room of 129 characters', { ...ALEX, room: 'x'.repeat(129) }, 'Invalid room name.'],
      ['a room with an accent', { ...ALEX, room: 'réunion' }, 'Invalid room name.'],
      ['no participant name', { role: 'owner', room: 'demo' }, 'Participant name required.'],
      [
        'a blank participant name',
        { ...ALEX, participantName: ' \t ' },
        'Participant name required.',
      ],
      [
        'a participant name that is a number',
        { ...ALEX, participantName: 7 },
        'Participant name required.',
      ],
      [
        '101 characters',
        { ...ALEX, participantName: 'x'.repeat(101) },
        'Invalid participant name.',
      ],
      ['101 emoji', { ...ALEX, participantName: '😀'.repeat(101) }, 'Invalid participant name.'],
      ['a NUL', { ...ALEX, participantName: 'Al\u0000ex' }, 'Invalid participant name.'],
      ['a line break inside', { ...ALEX, participantName: 'Al\nex' }, 'Invalid participant name.'],
      ['DEL', { ...ALEX, participantName: 'Al\u007fex' }, 'Invalid participant name.'],
      ['a C1 control', { ...ALEX, participantName: 'Al\u0085ex' }, 'Invalid participant name.'],
      ['a lone surrogate', { ...ALEX, participantName: 'Al\ud800ex' }, 'Invalid participant name.'],
      ['an array body', [ALEX], 'Bad request'],
    ])('answers 400 for %s', async (_what, body, message) => {
      const res = await post(app(), body);
      expect(res.statusCode).toBe(400);
      expect(res.body).toBe(error(400, message));
      expect(app().sim.calls).toBe(0);
    });

    it.each([
      ['malformed JSON', '{"role":'],
      ['a JSON string', '"owner"'],
      ['an empty body', ''],
    ])('answers 400 "Bad request" for %s', async (_what, payload) => {
      const res = await app().app.inject({
        method: 'POST',
        url: '/proconfToken',
        payload,
        headers: { authorization: `Bearer ${app().token()}`, 'content-type': 'application/json' },
      });
      expect(res.statusCode).toBe(400);
      expect(res.body).toBe(error(400, 'Bad request'));
      expect(app().sim.calls).toBe(0);
    });

    it.each([
      ['text/plain', JSON.stringify(ALEX)],
      ['application/x-www-form-urlencoded', 'role=owner&room=demo&participantName=Alex'],
    ])('answers 415 for a %s body, after the token check', async (type, payload) => {
      const headers = { 'content-type': type };
      const res = await app().app.inject({
        method: 'POST',
        url: '/proconfToken',
        payload,
        headers: { ...headers, authorization: `Bearer ${app().token()}` },
      });
      expect(res.statusCode).toBe(415);
      expect(res.body).toBe(error(415, 'Unsupported media type'));
      const anonymous = await app().app.inject({
        method: 'POST',
        url: '/proconfToken',
        payload,
        headers,
      });
      expect(anonymous.body).toBe(UNAUTHORIZED);
      expect(app().sim.calls).toBe(0);
    });

    it('answers 413 for a body over 16 KiB', async () => {
      const res = await post(app(), { ...ALEX, padding: 'x'.repeat(16 * 1024) });
      expect(res.statusCode).toBe(413);
      expect(res.body).toBe(error(413, 'Payload too large'));
      expect(app().sim.calls).toBe(0);
    });
  });

  describe('Admin Control answers', () => {
    it('answers 404 "Room not found" when Admin Control does not know the room', async () => {
      const res = await post(app(), { ...ALEX, room: 'ghost' });
      expect(res.statusCode).toBe(404);
      expect(res.body).toBe(ROOM_NOT_FOUND);
    });

    it.each([400, 422])(
      'answers 400 "Bad request" when Admin Control refuses the values (%i)',
      async (status) => {
        app().sim.setFault({ mode: 'status', status });
        const res = await post(app(), ALEX);
        expect(res.statusCode).toBe(400);
        expect(res.body).toBe(error(400, 'Bad request'));
        expect(app().sim.calls).toBe(1);
      },
    );

    describeRefusedData(app, { method: 'POST', url: '/proconfToken', payload: ALEX }, [
      ['a number', 42],
      ['an object', { token: 'x' }],
      ['a string that is no JWT', 'not-a-jwt'],
      ['two parts', 'eyJhbGciOiJIUzI1NiJ9.eyJyb29tIjoiZGVtbyJ9'],
      ['an empty signature', 'eyJhbGciOiJIUzI1NiJ9.eyJyb29tIjoiZGVtbyJ9.'],
      ['parts that are not JSON', 'abc.def.ghi'],
      ['claims that are a JSON array', 'eyJhbGciOiJIUzI1NiJ9.WzFd.c2ln'],
      ['characters outside base64url', 'eyJhbGciOiJIUzI1NiJ9.eyJyb29tIjoiZGVtbyJ9.c2l+Zw=='],
    ]);

    it('does not retry after the request was sent (connection reset): one call, 502', async () => {
      const before = metric((await app().get('/metrics')).body, 'admin_api_retries_total');
      app().sim.setFault({ mode: 'reset', count: 1 });
      const res = await post(app(), ALEX);
      expect(res.statusCode).toBe(502);
      expect(res.body).toBe(BAD_GATEWAY);
      expect(app().sim.callsTo('proconfToken')).toBe(1);
      expect(metric((await app().get('/metrics')).body, 'admin_api_retries_total')).toBe(before);
    });

    it('does not retry a 503 either (it may have issued a token)', async () => {
      app().sim.setFault({ mode: 'burst', status: 503, count: 1 });
      const res = await post(app(), ALEX);
      expect(res.statusCode).toBe(502);
      expect(app().sim.callsTo('proconfToken')).toBe(1);
    });
  });

  describe('a refused connection', () => {
    // The retry is only started with its backoff and 50 ms to spare before the deadline: the
    // two attempts get a deadline they cannot outlast, not the 400 ms of the tables.
    const refused = useContractApp((t) => t.sim.setRoom('demo', {}), UNHURRIED);

    it('retries once when the connection was refused (the request never left)', async () => {
      const before = metric((await refused().get('/metrics')).body, 'admin_api_retries_total');
      await refused().sim.down();
      try {
        const res = await post(refused(), ALEX);
        expect(res.statusCode).toBe(502);
        expect(res.body).toBe(BAD_GATEWAY);
      } finally {
        await refused().sim.up();
      }
      expect(metric((await refused().get('/metrics')).body, 'admin_api_retries_total')).toBe(
        before + 1,
      );
    });
  });
});

describe('POST /proconfToken with PROCONF_ROLES and GUEST_ROLES', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(
      { PROCONF_ROLES: 'owner,moderator,participant', GUEST_ROLES: 'participant,moderator' },
      { rooms: { demo: {} } },
    );
  });
  afterAll(() => t.close());

  it('accepts the configured roles and lets guests ask for their own', async () => {
    const guest = { authorization: `Bearer ${t.token({ claims: { roomName: 'demo' } })}` };
    const res = await post(t, { ...ALEX, role: 'moderator' }, guest);
    expect(res.statusCode).toBe(200);
    const owner = await post(t, ALEX, guest);
    expect(owner.statusCode).toBe(403);
    const unknown = await post(t, { ...ALEX, role: 'viewer' });
    expect(unknown.body).toBe(error(400, 'Invalid role.'));
  });
});
