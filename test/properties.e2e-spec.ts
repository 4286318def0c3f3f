import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRoomName } from '../src/rooms/room-name.js';
import { DEFAULT_ROOM_NAME_PATTERN } from '../src/config/rooms.config.js';
import { captureLogs } from './support/log-capture.js';
import { startTestApp, TEST_SECRET, type TestApp } from './support/test-app.js';

const UNAUTHORIZED = '{"data":null,"error":{"code":401,"message":"Unauthorized"}}';
const UPSTREAM_PATH = /^\/api\/sessions-status\/[A-Za-z0-9._~-]+$/;
const ROOM_PATTERN = new RegExp(`^(?:${DEFAULT_ROOM_NAME_PATTERN})$`, 'u');
const RUNS = { numRuns: 200, interruptAfterTimeLimit: 4000, markInterruptAsFailure: false };

// Pieces that have broken path handling somewhere: separators, dot segments, encodings, controls.
const NASTY = [
  '/',
  '\\',
  '%',
  '%2F',
  '%2e',
  '%00',
  '.',
  '..',
  '?',
  '#',
  '&',
  '=',
  '+',
  ' ',
  '\t',
  '\n',
  '\r',
  '\u0000',
  '\u007f',
  '\u00a0',
  '\u2028',
  '\ufeff',
  'é',
  '😀',
  'a',
  'Z',
  '9',
  '-',
  '_',
  '~',
];

const roomNames = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.stringMatching(/^[A-Za-z0-9._~-]{1,20}$/),
  fc.array(fc.constantFrom(...NASTY), { maxLength: 12 }).map((parts) => parts.join('')),
  fc.constantFrom(
    '.',
    '..',
    ' .. ',
    '../admin',
    'a/../b',
    '%2e%2e',
    'x'.repeat(128),
    'x'.repeat(129),
  ),
);

// Raw query strings as a client might mangle them (not encoded by us).
const mangled = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        'roomName=',
        'roomName',
        'roomname=',
        '&',
        '=',
        '%',
        '%zz',
        '%E0%A4%A',
        '%2F',
      ),
      fc.constantFrom('%00', '..', '/', '+', '?', ';', '[]', 'roomName[]=a', '__proto__=x', 'demo'),
      fc.string({ unit: fc.constantFrom(...'abcXYZ019._~-%&=+/?;'.split('')), maxLength: 8 }),
    ),
    { maxLength: 10 },
  )
  .map((parts) => parts.join(''));
const queryStrings = fc.oneof(
  mangled,
  // ...some around a well-formed room name, so that a share of them reaches Admin Control.
  fc
    .tuple(mangled, fc.stringMatching(/^[A-Za-z0-9._~-]{1,10}$/), mangled)
    .map(([before, room, after]) => `${before}&roomName=${room}&${after}`),
);

function encode(name: string): string {
  try {
    return encodeURIComponent(name);
  } catch {
    return name; // lone surrogate: send it as it is
  }
}

function expectSafeBody(body: string, secrets: string[]): void {
  expect(body).not.toMatch(/at .*\.js:/);
  for (const secret of secrets) expect(body).not.toContain(secret);
}

describe('properties', () => {
  let t: TestApp;
  let token: string;
  let logLines: string[] = [];

  beforeAll(async () => {
    t = await startTestApp(
      { STATUS_CACHE_TTL_MS: '0', RATE_LIMIT_ENABLED: 'false', BREAKER_ENABLED: 'false' },
      { unknownRooms: 'create', record: true },
    );
    token = t.token();
    // The app's own pino configuration (level, redaction), at debug.
    logLines = captureLogs(t.app);
  });
  afterAll(() => t.close());

  it('answers 200, 400 or 404 for any room name, and only well-formed ones reach Admin Control', async () => {
    await fc.assert(
      fc.asyncProperty(roomNames, async (name) => {
        t.sim.clearRequests();
        const res = await t.get(`/callStatus?roomName=${encode(name)}`);
        expect([200, 400, 404]).toContain(res.statusCode);
        expectSafeBody(res.body, [token, TEST_SECRET]);
        const ok = checkRoomName(name, ROOM_PATTERN) === 'ok';
        expect(res.statusCode).toBe(ok ? 200 : 400);
        expect(t.sim.requests.map((r) => r.path)).toEqual(
          ok ? [`/api/sessions-status/${name.trim()}`] : [],
        );
      }),
      RUNS,
    );
  });

  it('never sends Admin Control anything but one safe path segment, whatever the query string', async () => {
    t.sim.clearRequests();
    await fc.assert(
      fc.asyncProperty(queryStrings, async (query) => {
        const res = await t.get(`/callStatus?${query}`);
        expect([200, 400, 404]).toContain(res.statusCode);
        expectSafeBody(res.body, [token, TEST_SECRET]);
        const envelope = JSON.parse(res.body) as { error: unknown; data: unknown };
        if (res.statusCode === 200) expect(envelope.error).toBeNull();
        else
          expect(envelope).toEqual({
            data: null,
            error: { code: res.statusCode, message: expect.any(String) },
          });
      }),
      RUNS,
    );
    expect(t.sim.requests.length).toBeGreaterThan(0);
    for (const { path } of t.sim.requests) {
      expect(path).toMatch(UPSTREAM_PATH);
      expect(['.', '..']).not.toContain(path.split('/').pop());
    }
  });

  describe('tokens', () => {
    const printable = fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
      minLength: 1,
      maxLength: 300,
    });
    const rejected: string[] = [];

    async function expectRejected(authorization: string): Promise<void> {
      const res = await t.get('/callStatus?roomName=demo', { authorization });
      expect(res.statusCode).toBe(401);
      expect(res.body).toBe(UNAUTHORIZED);
      // RFC 6750 §3: an error code only when the request tried the Bearer scheme.
      expect(res.headers['www-authenticate']).toBe(
        /^bearer( |$)/i.test(authorization) ? 'Bearer error="invalid_token"' : 'Bearer',
      );
    }

    it('rejects random strings as tokens with the exact 401 envelope', async () => {
      await fc.assert(
        fc.asyncProperty(printable, fc.boolean(), async (text, withScheme) => {
          if (text.length >= 16) rejected.push(text);
          await expectRejected(withScheme ? `Bearer ${text}` : text);
        }),
        RUNS,
      );
    });

    it('rejects a valid token with any one character of header, payload or signature changed', async () => {
      const base64url = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const mutation = fc.record({
        part: fc.integer({ min: 0, max: 2 }),
        at: fc.nat(),
        replacement: fc.constantFrom(...base64url.split(''), '.', '=', '+', '/', '~'),
      });
      await fc.assert(
        fc.asyncProperty(mutation, async ({ part, at, replacement }) => {
          const parts = token.split('.');
          const segment = parts[part];
          const index = at % segment.length;
          fc.pre(segment[index] !== replacement);
          parts[part] = segment.slice(0, index) + replacement + segment.slice(index + 1);
          const mutated = parts.join('.');
          rejected.push(mutated);
          await expectRejected(`Bearer ${mutated}`);
        }),
        RUNS,
      );
    });

    it('never writes a token or the secret to the log, even at debug level', () => {
      const signature = token.split('.')[2];
      expect(logLines.length).toBeGreaterThan(0);
      expect(logLines.some((line) => line.includes('token rejected'))).toBe(true);
      const log = logLines.join('');
      expect(log).not.toContain(TEST_SECRET);
      expect(log).not.toContain(signature);
      expect(rejected.length).toBeGreaterThan(100);
      expect(rejected.filter((bad) => log.includes(bad))).toEqual([]);
    });
  });
});
