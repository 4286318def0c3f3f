import jwt from 'jsonwebtoken';
import { spawnSync } from 'node:child_process';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TokenSigner } from '../src/identity/token-signer.service.js';
import { RedisService } from '../src/redis/redis.service.js';
import { addUser, scryptHash } from '../tools/user.mjs';
import { startAdminSimulator, type AdminSimulator } from '../tools/admin-simulator.mjs';
import { captureLogs } from './support/log-capture.js';
import { redisServerBinary, TestRedis } from './support/redis-server.js';
import { startTestApp, TEST_SECRET, type TestApp } from './support/test-app.js';

const UNAUTHORIZED = '{"data":null,"error":{"code":401,"message":"Unauthorized"}}';
const REQUIRED = '{"data":null,"error":{"code":400,"message":"Username and password required."}}';
const BAD_REQUEST = '{"data":null,"error":{"code":400,"message":"Bad request"}}';
const INTERNAL = '{"error":{"code":500,"message":"Internal server error"},"data":null}';
const NOT_FOUND = '{"error":{"code":404,"message":"Not found"},"data":null}';
const TOO_MANY = '{"data":null,"error":{"code":429,"message":"Too many requests"}}';
const STATUS_OK = '{"error":null,"data":{"transcript_status":false,"recording_status":true}}';
// Written by `htpasswd -nbB` (apache2-utils): cost 5 and cost 4, $2y$ prefix.
const HTPASSWD_ALICE = 'alice:$2y$05$mCJ.mQc/3e75DyGOM32Eeu28zWs/wF152XyXaxeQpLj4wXvfzCis6';
const HTPASSWD_BOB = 'bob:$2y$04$iMfRVOAVGlOZlDzbvL6a0ehYlffVVTqPQlaB9MAzgtTTixEs/S.xC';
const ALICE_PASSWORD = 'correct horse';
const BOB_PASSWORD = 's3cret pass';
// Cheap scrypt for tests that do not measure time.
const FAST = { ln: 10, r: 8, p: 1 };

interface Documented {
  $ref?: string;
  content?: Record<string, { examples?: Record<string, { value: unknown }> }>;
}

interface LoginOptions {
  ip?: string;
  headers?: Record<string, string>;
}

function login(t: TestApp, body: unknown, options: LoginOptions = {}) {
  return t.app.inject({
    method: 'POST',
    url: '/auth/login',
    headers: { 'content-type': 'application/json', ...options.headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
    remoteAddress: options.ip,
  });
}

function tokenOf(body: string): string {
  const parsed = JSON.parse(body) as { error: null; data: string };
  expect(parsed.error).toBeNull();
  return parsed.data;
}

async function until(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('POST /auth/login', () => {
  let sim: AdminSimulator;
  let dir: string;

  beforeAll(async () => {
    sim = await startAdminSimulator({ rooms: { demo: { recording_status: true } } });
    dir = await mkdtemp(join(tmpdir(), 'proconf-users-'));
  });
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  describe('with a users file', () => {
    let t: TestApp;
    let file: string;
    let logs: string[];

    beforeAll(async () => {
      file = join(dir, 'users');
      const carol = `carol:${await scryptHash('carol-password', FAST)}`;
      await writeFile(file, `# team\n${HTPASSWD_ALICE}\n\n${HTPASSWD_BOB}\n${carol}\n`);
      t = await startTestApp(
        {
          AUTH_USERS_FILE: file,
          JWT_ISSUER: 'https://proconf.example.test',
          JWT_AUDIENCE: 'proconf-app',
          METRICS_PUBLIC: 'true',
          LOGIN_FAILURES_PER_USER: '1000',
          LOGIN_FAILURES_PER_ADDRESS: '1000',
        },
        {},
        sim,
      );
      logs = captureLogs(t.app);
    });
    afterAll(() => t.close());

    it('answers an access token that /callStatus accepts', async () => {
      const res = await login(t, { username: 'alice', password: ALICE_PASSWORD });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toMatch(/^\{"error":null,"data":"[\w-]+\.[\w-]+\.[\w-]+"\}$/);
      const token = tokenOf(res.body);

      const verified = jwt.verify(token, TEST_SECRET, {
        algorithms: ['HS256'],
        issuer: 'https://proconf.example.test',
        audience: 'proconf-app',
      }) as jwt.JwtPayload;
      expect(Object.keys(verified)).toEqual(['sub', 'iat', 'exp', 'jti', 'iss', 'aud']);
      expect(verified.sub).toBe('alice');
      expect(verified.exp! - verified.iat!).toBe(3600);
      expect(Math.abs(verified.iat! - Date.now() / 1000)).toBeLessThan(5);
      expect(verified.jti).toMatch(/^[0-9a-f-]{36}$/);
      expect(jwt.decode(token, { complete: true })?.header).toEqual({ alg: 'HS256', typ: 'JWT' });

      const status = await t.get('/callStatus?roomName=demo', { authorization: `Bearer ${token}` });
      expect(status.statusCode).toBe(200);
      expect(status.body).toBe(STATUS_OK);
    });

    it('signs in users of htpasswd bcrypt lines ($2y$, costs 4 and 5) and scrypt lines', async () => {
      for (const [username, password] of [
        ['bob', BOB_PASSWORD],
        ['carol', 'carol-password'],
      ]) {
        const res = await login(t, { username, password });
        expect(res.statusCode).toBe(200);
        expect(jwt.decode(tokenOf(res.body), { json: true })?.sub).toBe(username);
      }
    });

    it('gives each token its own jti', async () => {
      const body = { username: 'carol', password: 'carol-password' };
      const [a, b] = await Promise.all([login(t, body), login(t, body)]);
      const jti = (res: typeof a) => jwt.decode(tokenOf(res.body), { json: true })?.jti;
      expect(jti(a)).not.toBe(jti(b));
    });

    it('answers the same 401 for a wrong password and an unknown user', async () => {
      const wrong = await login(t, { username: 'alice', password: 'wrong horse' });
      const unknown = await login(t, { username: 'mallory', password: ALICE_PASSWORD });
      const caseDiffers = await login(t, { username: 'Alice', password: ALICE_PASSWORD });
      for (const res of [wrong, unknown, caseDiffers]) {
        expect(res.statusCode).toBe(401);
        expect(res.body).toBe(UNAUTHORIZED);
        expect(res.headers['www-authenticate']).toBeUndefined();
      }
      const { 'x-request-id': _a, date: _b, ...wrongHeaders } = wrong.headers;
      const { 'x-request-id': _c, date: _d, ...unknownHeaders } = unknown.headers;
      expect(unknownHeaders).toEqual(wrongHeaders);
    });

    it.each<[string, unknown]>([
      ['no username', { password: 'x' }],
      ['no password', { username: 'alice' }],
      ['an empty object', {}],
      ['null', 'null'],
      ['a blank username', { username: '   ', password: 'x' }],
      ['an empty password', { username: 'alice', password: '' }],
      ['a blank password', { username: 'alice', password: ' \t ' }],
      ['a numeric password', { username: 'alice', password: 12345678 }],
      ['an array as username', { username: ['alice'], password: 'x' }],
    ])('answers 400 "Username and password required." for %s', async (_name, body) => {
      const res = await login(t, body);
      expect(res.statusCode).toBe(400);
      expect(res.body).toBe(REQUIRED);
    });

    it('answers 400 "Username and password required." without a body', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/auth/login' });
      expect(res.statusCode).toBe(400);
      expect(res.body).toBe(REQUIRED);
    });

    it.each([
      ['a JSON array', '[{"username":"alice","password":"correct horse"}]'],
      ['a JSON string', '"alice:correct horse"'],
      ['malformed JSON', '{"username":"alice","password":'],
    ])('answers 400 "Bad request" for %s', async (_name, payload) => {
      const res = await login(t, payload);
      expect(res.statusCode).toBe(400);
      expect(res.body).toBe(BAD_REQUEST);
    });

    it.each([
      ['application/x-www-form-urlencoded', 'username=alice&password=correct+horse'],
      ['text/plain', '{"username":"alice","password":"correct horse"}'],
    ])('answers 415 for a %s body, even with the right password', async (type, payload) => {
      const res = await login(t, payload, { headers: { 'content-type': type } });
      expect(res.statusCode).toBe(415);
      expect(res.body).toBe(
        '{"data":null,"error":{"code":415,"message":"Unsupported media type"}}',
      );
    });

    it('accepts application/json with a charset, and answers 413 above 16 KiB', async () => {
      const body = { username: 'alice', password: ALICE_PASSWORD };
      const typed = await login(t, body, {
        headers: { 'content-type': 'Application/JSON; charset=utf-8' },
      });
      expect(typed.statusCode).toBe(200);
      const big = await login(t, { username: 'alice', password: 'x'.repeat(16 * 1024) });
      expect(big.statusCode).toBe(413);
      expect(big.body).toBe('{"data":null,"error":{"code":413,"message":"Payload too large"}}');
    });

    it('answers, byte for byte, what its OpenAPI examples show', async () => {
      const docs = JSON.parse((await t.get('/docs-json', {})).body) as {
        paths: Record<string, Record<string, { responses: Record<string, Documented> }>>;
        components: { responses: Record<string, Documented> };
      };
      // Shared responses (413, 408, ...) are references to components.responses.
      const resolve = (response: Documented) =>
        response.$ref === undefined
          ? response
          : docs.components.responses[response.$ref.replace('#/components/responses/', '')];
      const examples: Record<string, unknown> = Object.assign(
        {},
        ...Object.values(docs.paths['/auth/login'].post.responses).map((response) =>
          Object.fromEntries(
            Object.entries(resolve(response).content?.['application/json'].examples ?? {}).map(
              ([name, example]) => [name, example.value],
            ),
          ),
        ),
      );
      const cases: [string, () => ReturnType<typeof login>][] = [
        ['credentialsRequired', () => login(t, { username: 'alice' })],
        ['bodyNotAnObject', () => login(t, '[]')],
        ['wrongCredentials', () => login(t, { username: 'alice', password: 'nope' })],
        ['notFound', () => t.app.inject({ method: 'GET', url: '/auth/login' })],
        ['payloadTooLarge', () => login(t, { username: 'a', password: 'x'.repeat(17_000) })],
        [
          'unsupportedMediaType',
          () =>
            login(t, 'a=b', { headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
        ],
      ];
      for (const [name, send] of cases) {
        expect(examples[name], name).toBeDefined();
        expect((await send()).body, name).toBe(JSON.stringify(examples[name]));
      }
    });

    it('answers 404 for another method', async () => {
      for (const method of ['GET', 'PUT', 'DELETE'] as const) {
        const res = await t.app.inject({ method, url: '/auth/login' });
        expect(res.statusCode).toBe(404);
        expect(res.body).toBe(NOT_FOUND);
      }
    });

    it('counts logins by outcome and tokens by kind, without names or passwords', async () => {
      const before = await t.get('/metrics', {});
      const count = (text: string, series: string) =>
        Number(
          text
            .split('\n')
            .find((line) => line.startsWith(`${series} `))
            ?.split(' ')[1],
        );
      await login(t, { username: 'carol', password: 'carol-password' });
      await login(t, { username: 'carol', password: 'not-carols' });
      await login(t, { username: 'nobody-7d1f', password: 'not-carols' });
      const after = (await t.get('/metrics', {})).body;
      const diff = (series: string) => count(after, series) - count(before.body, series);
      expect(diff('auth_logins_total{outcome="success"}')).toBe(1);
      expect(diff('auth_logins_total{outcome="failure"}')).toBe(2);
      expect(diff('auth_tokens_issued_total{kind="access"}')).toBe(1);
      expect(count(after, 'auth_tokens_issued_total{kind="guest"}')).toBe(0);
      expect(count(after, 'auth_logins_total{outcome="throttled"}')).toBe(0);
      for (const secret of ['carol', 'nobody-7d1f', 'not-carols'])
        expect(after).not.toContain(secret);
    });

    it('never writes a password to the log, even at debug level', async () => {
      const password = 'pw-7c2e91-never-logged';
      await login(t, { username: 'alice', password });
      await login(t, { username: password, password });
      await login(t, `{"username":"alice","password":"${password}"`);
      await login(t, { username: 'alice', password: [password] });
      await login(t, { username: 'alice', password: password.repeat(2000) });
      await until(async () => logs.filter((l) => l.includes('"route":"/auth/login"')).length >= 5);
      const log = logs.join('');
      expect(log).toContain('"status":401');
      expect(log).toContain('"status":413');
      expect(log).not.toContain(password);
      expect(log).not.toContain(ALICE_PASSWORD);
    });
    it('logs an unexpected failure without the password, and answers 500', async () => {
      const password = 'pw-3b8d0a-never-logged';
      const signer = t.app.get(TokenSigner);
      const spy = vi.spyOn(signer, 'signAccessToken').mockImplementation(() => {
        throw new Error('signing failed');
      });
      try {
        const res = await login(t, { username: 'carol', password: 'carol-password' });
        expect(res.statusCode).toBe(500);
        expect(res.body).toBe(INTERNAL);
        const again = await login(t, { username: 'carol', password });
        expect(again.statusCode).toBe(401);
      } finally {
        spy.mockRestore();
      }
      await until(async () => logs.some((line) => line.includes('signing failed')));
      const errors = logs.filter((line) => line.includes('"level":"error"'));
      expect(errors.join('')).toContain('POST /auth/login');
      expect(errors.join('')).not.toContain('carol-password');
      expect(logs.join('')).not.toContain(password);
    });
  });

  describe('re-reading the users file', () => {
    let t: TestApp;
    let file: string;
    let logs: string[];

    beforeAll(async () => {
      file = join(dir, 'reloaded');
      await writeFile(file, `${HTPASSWD_BOB}\n`);
      t = await startTestApp({ AUTH_USERS_FILE: file, LOGIN_FAILURES_PER_USER: '1000' }, {}, sim);
      logs = captureLogs(t.app, 'info');
    });
    afterAll(() => t.close());

    const signsIn = async (username: string, password: string) =>
      (await login(t, { username, password })).statusCode === 200;

    it('signs in a user added with `npm run user -- add` once the file changes', async () => {
      expect(await signsIn('dave', 'dave-password')).toBe(false);
      await addUser(file, 'dave', 'dave-password', FAST);
      await until(() => signsIn('dave', 'dave-password'));
      expect(await signsIn('bob', BOB_PASSWORD)).toBe(true);
    });

    it('logs a malformed line by number, without its content, and keeps the others', async () => {
      await appendFile(file, 'erin:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\nfrank\n');
      await appendFile(file, `frank:${await scryptHash('frank-password', FAST)}\n`);
      await until(() => signsIn('frank', 'frank-password'));
      const log = logs.join('');
      expect(log).toContain(`users file ${file} line 3 skipped: unsupported hash`);
      expect(log).toContain(`users file ${file} line 4 skipped: not \\"username:hash\\"`);
      expect(log).not.toContain('W6ph5Mm5');
      expect(await signsIn('erin', 'erin-password')).toBe(false);
      expect(await signsIn('dave', 'dave-password')).toBe(true);
    });

    it('keeps its users while the file is gone, and reads it again on SIGHUP', async () => {
      const text = `${HTPASSWD_BOB}\n`;
      await rm(file);
      await until(async () => logs.join('').includes('cannot be read (ENOENT)'));
      expect(await signsIn('dave', 'dave-password')).toBe(true);
      await writeFile(file, text);
      await until(() => signsIn('dave', 'dave-password').then((ok) => !ok));
      const loads = () => logs.filter((line) => line.includes('loaded (SIGHUP)')).length;
      process.kill(process.pid, 'SIGHUP');
      await until(async () => loads() === 1);
      expect(await signsIn('bob', BOB_PASSWORD)).toBe(true);
    });
  });

  describe('without a users file', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({}, {}, sim);
    });
    afterAll(() => t.close());

    it('answers 404 "Not found", before looking at the body', async () => {
      for (const body of [{ username: 'alice', password: ALICE_PASSWORD }, {}]) {
        const res = await login(t, body);
        expect(res.statusCode).toBe(404);
        expect(res.body).toBe(NOT_FOUND);
      }
    });
  });

  describe('brute force', () => {
    let t: TestApp;
    const right = { username: 'alice', password: ALICE_PASSWORD };
    const wrong = { username: 'alice', password: 'guess' };

    beforeAll(async () => {
      const file = join(dir, 'brute');
      await writeFile(file, `${HTPASSWD_ALICE}\n${HTPASSWD_BOB}\n`);
      t = await startTestApp(
        {
          AUTH_USERS_FILE: file,
          LOGIN_FAILURES_PER_USER: '3',
          LOGIN_FAILURES_PER_ADDRESS: '5',
          METRICS_PUBLIC: 'true',
        },
        {},
        sim,
      );
    });
    afterAll(() => t.close());

    const codes = async (body: object, count: number, ip: string) => {
      const seen: number[] = [];
      for (let i = 0; i < count; i++) seen.push((await login(t, body, { ip })).statusCode);
      return seen;
    };

    it('answers 429 with Retry-After after 3 failures for a username from an address', async () => {
      expect(await codes(wrong, 3, '192.0.2.1')).toEqual([401, 401, 401]);
      const locked = await login(t, right, { ip: '192.0.2.1' });
      expect(locked.statusCode).toBe(429);
      expect(locked.body).toBe(TOO_MANY);
      // 3 failures in a 15-minute sliding window: the first one stops counting in 15 minutes.
      const retryAfter = Number(locked.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(1800);
      // Another address, and another user from the same address, are not held up.
      expect((await login(t, right, { ip: '192.0.2.2' })).statusCode).toBe(200);
      expect(
        (await login(t, { username: 'bob', password: BOB_PASSWORD }, { ip: '192.0.2.1' }))
          .statusCode,
      ).toBe(200);
    });

    it('takes a success off the count: failures before it do not add up with those after', async () => {
      expect(await codes(wrong, 2, '192.0.2.3')).toEqual([401, 401]);
      expect((await login(t, right, { ip: '192.0.2.3' })).statusCode).toBe(200);
      expect(await codes(wrong, 3, '192.0.2.3')).toEqual([401, 401, 401]);
      expect((await login(t, wrong, { ip: '192.0.2.3' })).statusCode).toBe(429);
    });

    it('answers 429 after 5 failures from an address, whatever the usernames', async () => {
      const names = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'];
      const seen: number[] = [];
      for (const username of names) {
        seen.push((await login(t, { username, password: 'x' }, { ip: '198.51.100.7' })).statusCode);
      }
      expect(seen).toEqual([401, 401, 401, 401, 401, 429]);
      expect((await login(t, right, { ip: '198.51.100.7' })).statusCode).toBe(429);
    });

    it('cannot be raced: parallel guesses count before any password is checked', async () => {
      const results = await Promise.all(
        Array.from({ length: 10 }, () => login(t, wrong, { ip: '203.0.113.9' })),
      );
      const statuses = results.map((res) => res.statusCode).sort();
      expect(statuses).toEqual([401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
      const metrics = (await t.get('/metrics', {})).body;
      expect(metrics).toMatch(/^auth_logins_total\{outcome="throttled"\} [1-9]\d*$/m);
    });
  });

  describe('timing', () => {
    let t: TestApp;

    beforeAll(async () => {
      // scrypt at ln=13 (8 MiB, some tens of ms): the hash dominates the request time.
      const params = { ln: 13, r: 8, p: 1 };
      const file = join(dir, 'timing');
      await writeFile(file, `alice:${await scryptHash(ALICE_PASSWORD, params)}\n`);
      for (const name of ['bob', 'carol', 'dave']) {
        await addUser(file, name, `${name}-password`, params);
      }
      t = await startTestApp(
        {
          AUTH_USERS_FILE: file,
          LOGIN_FAILURES_PER_USER: '1000',
          LOGIN_FAILURES_PER_ADDRESS: '1000',
        },
        {},
        sim,
      );
    });
    afterAll(() => t.close());

    const timed = async (body: object) => {
      const start = performance.now();
      const res = await login(t, body);
      expect(res.statusCode).toBe(401);
      return performance.now() - start;
    };

    it('takes about as long for an unknown user as for a wrong password', async () => {
      const wrong: number[] = [];
      const unknown: number[] = [];
      // Interleaved, so load on the machine weighs on both alike; compared by their fastest
      // runs, since load only ever adds time.
      for (let i = 0; i < 15; i++) {
        wrong.push(await timed({ username: 'alice', password: `wrong-${i}` }));
        unknown.push(await timed({ username: `nobody-${i}`, password: `wrong-${i}` }));
      }
      const ratio = Math.min(...unknown) / Math.min(...wrong);
      expect(Math.min(...wrong)).toBeGreaterThan(5);
      // A skipped hash check gives about 0.05; a shared, saturated machine moves even the
      // fastest runs by up to 1.7x either way.
      expect(ratio).toBeGreaterThan(0.4);
      expect(ratio).toBeLessThan(2.5);
    });
  });

  describe.skipIf(redisServerBinary() === undefined)('with Redis (REDIS_URL)', () => {
    let redis: TestRedis;
    let a: TestApp;
    let b: TestApp;

    beforeAll(async () => {
      redis = await TestRedis.start(redisServerBinary()!);
      const file = join(dir, 'shared');
      await writeFile(file, `${HTPASSWD_ALICE}\n`);
      const env = {
        AUTH_USERS_FILE: file,
        LOGIN_FAILURES_PER_USER: '3',
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: 'login-test:',
      };
      a = await startTestApp(env, {}, sim);
      b = await startTestApp(env, {}, sim);
      await until(async () => [a, b].every((t) => t.app.get(RedisService).available));
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
      await redis?.stop();
    });

    it('shares the failures of a username and address across instances', async () => {
      const wrong = { username: 'alice', password: 'guess' };
      const seen: number[] = [];
      for (const t of [a, b, a, b])
        seen.push((await login(t, wrong, { ip: '192.0.2.50' })).statusCode);
      expect(seen).toEqual([401, 401, 401, 429]);
      const right = { username: 'alice', password: ALICE_PASSWORD };
      expect((await login(a, right, { ip: '192.0.2.50' })).statusCode).toBe(429);
      expect((await login(b, right, { ip: '192.0.2.51' })).statusCode).toBe(200);
    });
  });
});

describe('npm run user -- add', () => {
  it('reads the password from standard input when it is not a terminal', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'proconf-user-tool-'));
    try {
      const file = join(dir, 'users');
      const run = (name: string, input: string) =>
        spawnSync(process.execPath, ['tools/user.mjs', 'add', name, '--file', file], {
          input,
          encoding: 'utf8',
        });
      const added = run('gina', 'gina-password\nignored second line\n');
      expect(added.stderr).toBe(`user: added gina to ${file}\n`);
      expect(added.status).toBe(0);
      const again = run('gina', 'other-password\n');
      expect(again.status).toBe(1);
      expect(again.stderr).toBe(`user: gina is already in ${file}\n`);
      const t = await startTestApp({ AUTH_USERS_FILE: file });
      try {
        const res = await login(t, { username: 'gina', password: 'gina-password' });
        expect(res.statusCode).toBe(200);
      } finally {
        await t.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
