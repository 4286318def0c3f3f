import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import jwt from 'jsonwebtoken';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RedisService } from '../src/redis/redis.service.js';
import { ThrottleStorage } from '../src/throttle/throttle.storage.js';
import { startAdminSimulator, type AdminSimulator } from '../tools/admin-simulator.mjs';
import { redisServerFor } from './support/redis-server.js';
import { startTestApp, TEST_SECRET, type TestApp } from './support/test-app.js';

const TOO_MANY = '{"data":null,"error":{"code":429,"message":"Too many requests"}}';
const UNAUTHORIZED = '{"data":null,"error":{"code":401,"message":"Unauthorized"}}';
const STATUS = '/callStatus?roomName=demo';

type Headers = Record<string, string>;

function bearer(t: TestApp, subject: string): Headers {
  return { authorization: `Bearer ${t.token({ subject })}` };
}

/** A valid token without sub or userId: the app calls its caller "anonymous". */
function anonymousToken(): string {
  return jwt.sign({ exp: Math.floor(Date.now() / 1000) + 600 }, TEST_SECRET, { noTimestamp: true });
}

function inject(t: TestApp, headers: Headers, options: { url?: string; ip?: string } = {}) {
  return t.app.inject({
    method: 'GET',
    url: options.url ?? STATUS,
    headers,
    remoteAddress: options.ip,
  });
}

async function statuses(t: TestApp, count: number, headers: Headers, url = STATUS) {
  const codes: number[] = [];
  for (let i = 0; i < count; i++) codes.push((await inject(t, headers, { url })).statusCode);
  return codes;
}

describe('rate limits', () => {
  let sim: AdminSimulator;

  beforeAll(async () => {
    sim = await startAdminSimulator({ rooms: { demo: { recording_status: true } } });
  });
  afterAll(() => sim.close());

  describe('per token subject (RATE_LIMIT_PER_MINUTE=3)', () => {
    let t: TestApp;
    beforeEach(async () => {
      t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '3' }, {}, sim);
    });
    afterEach(() => t.close());

    it('answers the 429 envelope with Retry-After once a subject is over its budget', async () => {
      expect(await statuses(t, 3, bearer(t, 'alice'))).toEqual([200, 200, 200]);
      const res = await inject(t, bearer(t, 'alice'));
      expect(res.statusCode).toBe(429);
      expect(res.body).toBe(TOO_MANY);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      const retryAfter = Number(res.headers['retry-after']);
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      // The sliding window counts this minute's hits into the next one (weighted by what is
      // left of this minute): a budget used up early in a minute frees up part-way into the
      // next one, so the wait may exceed 60 s, never 120 s.
      expect(retryAfter).toBeLessThanOrEqual(120);
      // A new token for the same subject shares the budget; another subject has its own.
      expect((await inject(t, bearer(t, 'alice'))).statusCode).toBe(429);
      expect(await statuses(t, 3, bearer(t, 'bob'))).toEqual([200, 200, 200]);
    });

    it('counts every route of a subject against one budget, failed requests included', async () => {
      const alice = bearer(t, 'alice');
      expect((await inject(t, alice, { url: '/callStatus?roomName=ghost' })).statusCode).toBe(404);
      expect((await inject(t, alice, { url: '/callStatus' })).statusCode).toBe(400);
      expect((await inject(t, alice)).statusCode).toBe(200);
      expect((await inject(t, alice)).statusCode).toBe(429);
    });

    it('counts requests without a valid token by client IP: 401, then 429', async () => {
      const forged = {
        authorization: `Bearer ${t.token({ subject: 'alice', secret: 'x'.repeat(40) })}`,
      };
      const expired = {
        authorization: `Bearer ${jwt.sign({ sub: 'bob', exp: Math.floor(Date.now() / 1000) - 10 }, TEST_SECRET)}`,
      };
      const from = (headers: Headers, ip: string) => inject(t, headers, { ip });
      expect((await from({}, '10.0.0.1')).body).toBe(UNAUTHORIZED);
      expect((await from(forged, '10.0.0.1')).statusCode).toBe(401);
      expect((await from(expired, '10.0.0.1')).statusCode).toBe(401);
      for (const headers of [{}, forged, expired, { authorization: 'Basic x' }]) {
        const res = await from(headers, '10.0.0.1');
        expect(res.statusCode).toBe(429);
        expect(res.body).toBe(TOO_MANY);
        expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      }
      // Another address has its own budget.
      expect((await from({}, '10.0.0.2')).statusCode).toBe(401);
      // A valid token is never held up by refused requests from its address, and a forged
      // "alice" token used none of alice's budget.
      const alice = bearer(t, 'alice');
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) codes.push((await from(alice, '10.0.0.1')).statusCode);
      expect(codes).toEqual([200, 200, 200, 429]);
    });

    it('gives refused requests and tokens without a subject from one address one budget', async () => {
      const anonymous = { authorization: `Bearer ${anonymousToken()}` };
      expect((await inject(t, {}, { ip: '10.0.0.3' })).statusCode).toBe(401);
      expect((await inject(t, anonymous, { ip: '10.0.0.3' })).statusCode).toBe(200);
      expect((await inject(t, {}, { ip: '10.0.0.3' })).statusCode).toBe(401);
      expect((await inject(t, anonymous, { ip: '10.0.0.3' })).statusCode).toBe(429);
      expect((await inject(t, {}, { ip: '10.0.0.3' })).statusCode).toBe(429);
    });

    it('never limits the health routes', async () => {
      expect(await statuses(t, 8, {}, '/health')).toEqual(new Array(8).fill(200));
      expect(await statuses(t, 8, {}, '/health/live')).toEqual(new Array(8).fill(200));
    });

    it('counts tokens without a subject by client IP', async () => {
      const anonymous = { authorization: `Bearer ${anonymousToken()}` };
      for (let i = 0; i < 3; i++) {
        expect((await inject(t, anonymous, { ip: '10.0.0.1' })).statusCode).toBe(200);
      }
      expect((await inject(t, anonymous, { ip: '10.0.0.1' })).statusCode).toBe(429);
      expect((await inject(t, anonymous, { ip: '10.0.0.2' })).statusCode).toBe(200);
    });

    it('counts a /metrics scrape with a token by its subject, without one by its address', async () => {
      const from = (headers: Headers, url: string) => inject(t, headers, { url, ip: '10.0.0.5' });
      for (let i = 0; i < 3; i++) expect((await from({}, STATUS)).statusCode).toBe(401);
      expect((await from({}, '/metrics')).statusCode).toBe(429);
      // The address is over its budget; the scraper's own budget is untouched, then used up.
      const scraper = bearer(t, 'scraper');
      for (let i = 0; i < 3; i++) expect((await from(scraper, '/metrics')).statusCode).toBe(200);
      expect((await from(scraper, '/metrics')).statusCode).toBe(429);
    });

    it('counts an IPv6 caller by its /64 and an IPv4-mapped one by its IPv4 address', async () => {
      const from = (ip: string) => inject(t, {}, { ip });
      expect((await from('2001:db8:0:0:1::1')).statusCode).toBe(401);
      expect((await from('2001:db8::ffff:2')).statusCode).toBe(401);
      expect((await from('2001:db8::3')).statusCode).toBe(401);
      // Another address in the same /64: the same budget, now used up.
      expect((await from('2001:db8::4')).statusCode).toBe(429);
      expect((await from('2001:db8:0:1::1')).statusCode).toBe(401);
      for (let i = 0; i < 3; i++) expect((await from('192.0.2.7')).statusCode).toBe(401);
      expect((await from('::ffff:192.0.2.7')).statusCode).toBe(429);
    });

    it('ignores X-Forwarded-For unless TRUST_PROXY is set', async () => {
      const anonymous = { authorization: `Bearer ${anonymousToken()}` };
      for (let i = 0; i < 3; i++) {
        const spoofed = { ...anonymous, 'x-forwarded-for': `192.0.2.${i}` };
        expect((await inject(t, spoofed, { ip: '10.0.0.1' })).statusCode).toBe(200);
      }
      const spoofed = { ...anonymous, 'x-forwarded-for': '192.0.2.99' };
      expect((await inject(t, spoofed, { ip: '10.0.0.1' })).statusCode).toBe(429);
    });
  });

  it('believes X-Forwarded-For from a trusted proxy (TRUST_PROXY=10.0.0.1)', async () => {
    const t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '1', TRUST_PROXY: '10.0.0.1' }, {}, sim);
    try {
      const anonymous = { authorization: `Bearer ${anonymousToken()}` };
      const from = (client: string, proxy: string) =>
        inject(t, { ...anonymous, 'x-forwarded-for': client }, { ip: proxy });
      expect((await from('192.0.2.1', '10.0.0.1')).statusCode).toBe(200);
      expect((await from('192.0.2.2', '10.0.0.1')).statusCode).toBe(200);
      expect((await from('192.0.2.1', '10.0.0.1')).statusCode).toBe(429);
      // Not from the trusted proxy: the header is ignored and the peer address counts.
      expect((await from('192.0.2.3', '10.0.0.9')).statusCode).toBe(200);
      expect((await from('192.0.2.4', '10.0.0.9')).statusCode).toBe(429);
    } finally {
      await t.close();
    }
  });

  it('gives a public route and refused requests of one address one budget', async () => {
    const t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '2', METRICS_PUBLIC: 'true' }, {}, sim);
    try {
      const from = (url: string) => inject(t, {}, { url, ip: '10.0.0.6' });
      expect((await from('/metrics')).statusCode).toBe(200);
      expect((await from(STATUS)).statusCode).toBe(401);
      expect((await from('/metrics')).statusCode).toBe(429);
      expect((await from(STATUS)).statusCode).toBe(429);
    } finally {
      await t.close();
    }
  });

  it('counts by the peer when a trusted X-Forwarded-For entry is not an IP address', async () => {
    const t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '2', TRUST_PROXY: 'true' }, {}, sim);
    try {
      const forwarded = (value: string) =>
        inject(t, { 'x-forwarded-for': value }, { ip: '10.0.0.1' });
      // Junk of any length cannot mint a new budget per request.
      expect((await forwarded('junk-1')).statusCode).toBe(401);
      expect((await forwarded('x'.repeat(2000))).statusCode).toBe(401);
      expect((await forwarded('junk-3')).statusCode).toBe(429);
      // A well-formed entry is believed (TRUST_PROXY=true trusts every hop), with a port too.
      expect((await forwarded('192.0.2.1')).statusCode).toBe(401);
      expect((await forwarded('192.0.2.1:4711')).statusCode).toBe(401);
      expect((await forwarded('192.0.2.1:4712')).statusCode).toBe(429);
      expect((await forwarded('[2001:db8::1]:4711')).statusCode).toBe(401);
    } finally {
      await t.close();
    }
  });

  it('limits nothing when RATE_LIMIT_ENABLED=false', async () => {
    const t = await startTestApp(
      { RATE_LIMIT_ENABLED: 'false', RATE_LIMIT_PER_MINUTE: '1' },
      {},
      sim,
    );
    try {
      expect(await statuses(t, 5, bearer(t, 'alice'))).toEqual([200, 200, 200, 200, 200]);
      expect(await statuses(t, 3, {})).toEqual([401, 401, 401]);
    } finally {
      await t.close();
    }
  });

  const redisServer = redisServerFor('rate limits with Redis (rate-limit.e2e-spec.ts)');
  describe.skipIf(redisServer === undefined)('with Redis (REDIS_URL)', () => {
    let redis: RedisServer;
    let url: string;
    let a: TestApp;
    let b: TestApp;

    beforeAll(async () => {
      redis = await startRedisServer();
      url = `redis://127.0.0.1:${redis.port}`;
      const env = { RATE_LIMIT_PER_MINUTE: '4', REDIS_URL: url, REDIS_KEY_PREFIX: 'rl-test:' };
      a = await startTestApp(env, {}, sim);
      b = await startTestApp(env, {}, sim);
      await Promise.all([waitForRedis(a), waitForRedis(b)]);
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
      await redis?.stop();
    });

    it('shares one budget per subject across instances, in a key that expires', async () => {
      const codes: number[] = [];
      for (const t of [a, b, a, b, a, b])
        codes.push((await inject(t, bearer(t, 'carol'))).statusCode);
      expect(codes).toEqual([200, 200, 200, 200, 429, 429]);
      expect(a.app.get(ThrottleStorage).memory.size).toBe(0);
      const client = new Redis(url, { lazyConnect: true });
      try {
        await client.connect();
        // The 4 allowed hits (refusals are not counted) in the current window; kept until the
        // end of the next window, when they stop counting.
        const state = await client.hgetall('rl-test:throttle:default:sub:carol');
        expect(Number(state.c) + Number(state.p)).toBe(4);
        expect(Math.floor(Date.now() / 60_000) - Number(state.i)).toBeLessThanOrEqual(1);
        const ttl = await client.pttl('rl-test:throttle:default:sub:carol');
        expect(ttl).toBeGreaterThan(60_000);
        expect(ttl).toBeLessThanOrEqual(120_000);
      } finally {
        client.disconnect();
      }
    });

    it('shares the budget of an address refused for want of a valid token', async () => {
      const codes: number[] = [];
      for (const t of [a, b, a, b, a])
        codes.push((await inject(t, {}, { ip: '10.9.9.9' })).statusCode);
      expect(codes).toEqual([401, 401, 401, 401, 429]);
    });

    it('keeps answering, counting in process, while Redis hangs (commands time out)', async () => {
      redis.pause();
      try {
        const codes = await statuses(a, 5, bearer(a, 'erin'));
        expect(codes).toEqual([200, 200, 200, 200, 429]);
        expect(a.app.get(ThrottleStorage).memory.size).toBe(1);
      } finally {
        redis.resume();
      }
    });

    it('keeps answering, counting in process, when Redis goes away', async () => {
      await redis.stop();
      const codes = await statuses(a, 5, bearer(a, 'dave'));
      expect(codes).toEqual([200, 200, 200, 200, 429]);
    });
  });
});

interface RedisServer {
  port: number;
  /** SIGSTOP: the connection stays open and every command times out. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`redis-server did not start: ${output}`)),
      5000,
    );
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
  });
  let stopped: Promise<void> | undefined;
  return {
    port,
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    stop: () => {
      stopped ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGCONT');
        child.kill('SIGTERM');
      });
      return stopped;
    },
  };
}

async function waitForRedis(t: TestApp): Promise<void> {
  const service = t.app.get(RedisService);
  for (let i = 0; i < 100 && !service.available; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(service.available).toBe(true);
}
