// The contract tables every conference endpoint shares. An endpoint's e2e file names its route
// and runs the tables that apply; it adds only its own cases. Each table asserts the exact
// status and body, and that Admin Control was (or was not) called.
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminOperations } from '../../src/admin-api/admin-operation.js';
import type { Fault } from '../../tools/admin-simulator.mjs';
import { mintToken, type MintTokenOptions } from '../../tools/token.mjs';
import { startTestApp, TEST_SECRET, type TestApp } from './test-app.js';

export const UNAUTHORIZED = '{"data":null,"error":{"code":401,"message":"Unauthorized"}}';
export const ROOM_REQUIRED =
  '{"data":null,"error":{"code":400,"message":"Room name required in query param."}}';
export const INVALID_ROOM = '{"data":null,"error":{"code":400,"message":"Invalid room name."}}';
export const NOT_FOUND = '{"error":{"code":404,"message":"Not found"},"data":null}';
export const ROOM_NOT_FOUND = '{"error":{"code":404,"message":"Room not found"},"data":null}';
export const FORBIDDEN = '{"data":null,"error":{"code":403,"message":"Forbidden"}}';
export const BAD_GATEWAY = '{"data":null,"error":{"code":502,"message":"Bad gateway"}}';
export const GATEWAY_TIMEOUT = '{"data":null,"error":{"code":504,"message":"Gateway timeout"}}';

/**
 * The environment the tables expect: every Admin Control failure is seen (no cache, no
 * breaker), a short deadline for the slow cases, no clock tolerance for the token cases.
 */
export function contractEnv(extra: Record<string, string> = {}): Record<string, string> {
  const noCache = Object.fromEntries(
    adminOperations().flatMap((operation) =>
      operation.cache === undefined ? [] : [[operation.cache.ttl.env, '0']],
    ),
  );
  return {
    ...noCache,
    ADMIN_TIMEOUT_MS: '400',
    BREAKER_ENABLED: 'false', // the breaker has its own spec; here every failure is seen
    JWT_CLOCK_TOLERANCE_SEC: '0',
    ...extra,
  };
}

/**
 * contractEnv's 400 ms deadline is for the cases about the deadline, which race an upstream that
 * never answers in time. A case about something else whose call does real work within the
 * deadline (the simulator serialising megabytes, a refused connect, its backoff and a second
 * attempt) boots its own app with this one: on a loaded machine that work alone can outlast
 * 400 ms and turn the expected answer into a 504.
 */
export const UNHURRIED: Record<string, string> = { ADMIN_TIMEOUT_MS: '10000' };

/**
 * One app for the file, booted with contractEnv(env); before each test the simulator is healthy
 * again, its counters and request log are empty, and `seed` sets the endpoint's data.
 */
export function useContractApp(
  seed: (t: TestApp) => void = () => undefined,
  env: Record<string, string> = {},
): () => TestApp {
  let t: TestApp | undefined;
  beforeAll(async () => {
    t = await startTestApp(contractEnv(env));
  });
  afterAll(() => t?.close());
  beforeEach(() => {
    t!.sim.setFault({ mode: 'none' });
    seed(t!);
    t!.sim.resetCounters();
    t!.sim.clearRequests();
  });
  return () => t!;
}

export function now(): number {
  return Math.floor(Date.now() / 1000);
}

export function mint(options: Partial<MintTokenOptions> = {}): string {
  return mintToken({ secret: TEST_SECRET, subject: 'tester', ...options });
}

export function signed(payload: object, algorithm: jwt.Algorithm = 'HS256'): string {
  return jwt.sign(payload, TEST_SECRET, { algorithm, noTimestamp: true });
}

function unsigned(): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: 'x', exp: now() + 60 })}.`;
}

/** What a table sends: a GET of a URL, or a request with a JSON body (e.g. a POST). */
export type ContractRequest =
  string | { method: 'POST' | 'PUT' | 'PATCH' | 'DELETE'; url: string; payload: object };

/** Sends a table's request with a valid token, or with the given headers instead. */
export function send(app: TestApp, request: ContractRequest, headers?: Record<string, string>) {
  if (typeof request === 'string') return app.get(request, headers);
  return app.app.inject({
    method: request.method,
    url: request.url,
    payload: request.payload,
    headers: headers ?? { authorization: `Bearer ${app.token()}` },
  });
}

const label = (request: ContractRequest) =>
  typeof request === 'string' ? request : `${request.method} ${request.url}`;

export function expectNoLeak(body: string, upstreamUrl: string): void {
  expect(body).not.toContain(upstreamUrl);
  expect(body).not.toContain('127.0.0.1');
  expect(body).not.toMatch(/at .+\.(js|ts):\d+/);
  expect(body).not.toContain('upstream says no');
}

// WWW-Authenticate per RFC 6750 §3: no error code without a bearer token, invalid_token for a
// bad one, and the description for an expired one.
const NONE = 'Bearer';
const INVALID = 'Bearer error="invalid_token"';
export const EXPIRED_TOKEN_CHALLENGE =
  'Bearer error="invalid_token", error_description="The access token expired"';

const BAD_TOKENS: Array<[string, () => Record<string, string>, string]> = [
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
    EXPIRED_TOKEN_CHALLENGE,
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

/**
 * 401 with WWW-Authenticate for every bad token, before anything else: `requests` are the route
 * with good input first, then any with bad input (the token is checked first).
 */
export function describeBadTokens(app: () => TestApp, ...requests: ContractRequest[]): void {
  describe('authentication (401 before anything else)', () => {
    it.each(BAD_TOKENS)('answers 401 for %s', async (_name, headers, challenge) => {
      for (const request of requests) {
        const res = await send(app(), request, headers());
        expect(res.statusCode, label(request)).toBe(401);
        expect(res.body, label(request)).toBe(UNAUTHORIZED);
        expect(res.headers['www-authenticate'], label(request)).toBe(challenge);
      }
      expect(app().sim.calls).toBe(0);
    });
  });
}

/**
 * The documented 404 for an unknown URL, for the route's path in another case, and for the
 * route with every other method.
 */
export function describeRouting(app: () => TestApp, url: string, method = 'GET'): void {
  const path = url.split('?')[0];
  // Paths are case-sensitive: the route in another case is another (unknown) URL.
  const otherCase = path === path.toLowerCase() ? path.toUpperCase() : path.toLowerCase();
  const others = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'].filter((other) => other !== method);
  describe('routing (404)', () => {
    it.each([
      ['GET', '/nope'],
      [method, url.replace(path, otherCase)],
      ...others.map((other) => [other, url]),
      ['PATCH', '/health'],
    ])('answers the documented 404 for %s %s, token or not', async (method, target) => {
      for (const headers of [{}, { authorization: `Bearer ${app().token()}` }]) {
        const res = await app().app.inject({ method: method as 'GET', url: target, headers });
        expect(res.statusCode).toBe(404);
        expect(res.body).toBe(NOT_FOUND);
      }
      expect(app().sim.calls).toBe(0);
    });
  });
}

/** Where an endpoint reads its room: `?roomName=` or the last path segment. */
export type RoomLocation = { query: string } | { path: string };

function roomUrl(location: RoomLocation, raw: string): string {
  return 'query' in location ? `${location.query}?roomName=${raw}` : `${location.path}/${raw}`;
}

// Raw (already encoded) room names every location refuses with "Invalid room name.". (In a
// path, "." and ".." are dot segments that URL parsing resolves before routing.)
const INVALID_ROOMS: Array<[string, string]> = [
  ['an encoded slash', 'a%2Fb'],
  ['a double-encoded slash', 'a%252Fb'],
  ['a question mark', 'a%3Fb'],
  ['a hash', 'a%23b'],
  ['a space inside', 'a%20b'],
  ['a backslash', 'a%5Cb'],
  ['129 characters', 'x'.repeat(129)],
  ['unicode', 'r%C3%A9union'],
  ['an emoji', '%F0%9F%98%80'],
  ['a NUL byte', 'a%00b'],
];

/**
 * The room rules for a location: "required" and "invalid" cases answer their 400 without an
 * Admin Control call; a room-scoped token for another room answers 403 (not on a public route,
 * which takes no token).
 */
export function describeRoomCases(
  app: () => TestApp,
  location: RoomLocation,
  options: { publicRoute?: boolean } = {},
): void {
  const required: Array<[string, string]> =
    'query' in location
      ? [
          ['missing', location.query],
          ['empty', `${location.query}?roomName=`],
          ['without a value', `${location.query}?roomName`],
          ['only spaces', `${location.query}?roomName=%20%20%20`],
          ['given twice', `${location.query}?roomName=a&roomName=b`],
          ['in the wrong case', `${location.query}?roomname=demo`],
        ]
      : [
          ['empty', `${location.path}/`],
          ['only spaces', `${location.path}/%20%20%20`],
        ];
  const invalid: Array<[string, string]> =
    'query' in location
      ? [
          ['a slash', 'a/b'],
          ['a dot segment', '.'],
          ['a dot-dot segment', '..'],
          ['an encoded dot-dot', '%2e%2e'],
          ...INVALID_ROOMS,
          ['malformed percent-encoding', '%E0%A4%A'],
          // Far longer than any pattern allows: still the room rule's message.
          ['2,000 characters', 'x'.repeat(2000)],
        ]
      : [...INVALID_ROOMS, ['2,000 characters', 'x'.repeat(2000)]];

  describe('room name validation (400)', () => {
    it.each(required)('answers "Room name required" when it is %s', async (_name, url) => {
      const res = await app().get(url);
      expect(res.statusCode).toBe(400);
      expect(res.body).toBe(ROOM_REQUIRED);
      expect(app().sim.calls).toBe(0);
    });

    it.each(invalid)('answers "Invalid room name." for %s', async (_name, room) => {
      const res = await app().get(roomUrl(location, room));
      expect(res.statusCode).toBe(400);
      expect(res.body).toBe(INVALID_ROOM);
      expect(app().sim.calls).toBe(0);
    });

    it.skipIf(options.publicRoute)(
      'answers 403 to a token scoped to another room, without calling Admin Control',
      async () => {
        const scoped = {
          authorization: `Bearer ${app().token({ claims: { roomName: 'other' } })}`,
        };
        const res = await app().get(roomUrl(location, 'demo'), scoped);
        expect(res.statusCode).toBe(403);
        expect(res.body).toBe(FORBIDDEN);
        expect(app().sim.calls).toBe(0);
      },
    );
  });
}

/**
 * Admin Control answers 200 with a `data` the operation's parser refuses: 502 "Bad gateway".
 * `cases` are [what, data] rows of the endpoint's own shape.
 */
export function describeRefusedData(
  app: () => TestApp,
  request: ContractRequest,
  cases: Array<[string, unknown]>,
): void {
  it.each(cases)("answers 502 when Admin Control's data is %s", async (_what, data) => {
    app().sim.setFault({ mode: 'status', status: 200, body: { error: null, data } });
    const res = await send(app(), request);
    expect(res.statusCode).toBe(502);
    expect(res.body).toBe(BAD_GATEWAY);
  });
}

const BAD_GATEWAY_FAULTS: Array<[string, Fault]> = [
  ['answers 500', { mode: 'status', status: 500 }],
  ['answers 401 (our credentials)', { mode: 'status', status: 401 }],
  ['answers 403 (our credentials)', { mode: 'status', status: 403 }],
  ['answers 400', { mode: 'status', status: 400 }],
  ['answers a body that is not JSON', { mode: 'malformed' }],
  ['answers HTML', { mode: 'notJson' }],
  ['answers JSON of the wrong shape', { mode: 'wrongShape' }],
  ['answers an error envelope', { mode: 'status', status: 200, body: { error: 'x', data: null } }],
  ['resets the connection', { mode: 'reset' }],
];

/**
 * Admin Control failing: 502 for 5xx, refusals, garbage, the wrong shape, a reset or an outage;
 * 504 when it is slower than the deadline (contractEnv's 400 ms). Never an upstream detail.
 * `mapped`: Admin Control statuses the endpoint's operation maps to an answer of its own (the
 * endpoint's file tests those).
 */
export function describeUpstreamFailures(
  app: () => TestApp,
  request: ContractRequest,
  options: { mapped?: number[] } = {},
): void {
  const faults = BAD_GATEWAY_FAULTS.filter(
    ([, f]) => f.mode !== 'status' || !(options.mapped ?? []).includes(f.status),
  );
  describe('Admin Control failures', () => {
    it.each(faults)('answers 502 "Bad gateway" when Admin Control %s', async (_n, f) => {
      app().sim.setFault(f);
      const res = await send(app(), request);
      expect(res.statusCode).toBe(502);
      expect(res.body).toBe(BAD_GATEWAY);
      expectNoLeak(res.body, app().sim.url);
      expect(app().sim.calls).toBeGreaterThan(0);
    });

    it('answers 502 when Admin Control is down', async () => {
      await app().sim.down();
      try {
        const res = await send(app(), request);
        expect(res.statusCode).toBe(502);
        expect(res.body).toBe(BAD_GATEWAY);
      } finally {
        await app().sim.up();
      }
    });

    it('answers 504 "Gateway timeout" when Admin Control does not answer within the deadline', async () => {
      app().sim.setFault({ mode: 'hang' });
      const started = Date.now();
      const res = await send(app(), request);
      const elapsed = Date.now() - started;
      expect(res.statusCode).toBe(504);
      expect(res.body).toBe(GATEWAY_TIMEOUT);
      // The deadline is total: 400 ms configured, not per attempt or per socket event.
      expect(elapsed).toBeGreaterThanOrEqual(380);
      expect(elapsed).toBeLessThan(2000);
    });

    it('answers 504 when Admin Control trickles an answer slower than the deadline', async () => {
      app().sim.setFault({ mode: 'slow', delayMs: 1500 });
      const res = await send(app(), request);
      expect(res.statusCode).toBe(504);
      expect(res.body).toBe(GATEWAY_TIMEOUT);
    });
  });
}
