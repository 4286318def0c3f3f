import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BAD_GATEWAY,
  contractEnv,
  UNHURRIED,
  describeBadTokens,
  describeRoomCases,
  describeRouting,
  describeUpstreamFailures,
  expectNoLeak,
  GATEWAY_TIMEOUT,
  INVALID_ROOM,
  ROOM_REQUIRED,
} from './support/contract.js';
import { redisServerBinary, TestRedis } from './support/redis-server.js';
import { sample } from './support/metrics.js';
import {
  useSummaryS3,
  SUMMARY,
  SUMMARY_KEY_PREFIX,
  SUMMARY_MAX_BYTES,
  UNICODE,
} from './support/summaries.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const SUMMARY_NOT_FOUND = '{"error":{"code":404,"message":"Summary not found"},"data":null}';
const UNAVAILABLE = '{"data":null,"error":{"code":503,"message":"Service unavailable"}}';
const MAX_BYTES = SUMMARY_MAX_BYTES;
const S3_TIMEOUT_MS = 400;

/** Admin Control's answer for a room whose summary is `<key>/summary.txt`. */
const location = (room: string, key: string, id = 113) => ({
  id,
  meeting_id: 2900 + id,
  room_name: room,
  file_url: `${key}/summary.txt`,
});
const LOCATIONS = {
  r1: location('r1', 'r1_1718871014'),
  unicode: location('unicode', 'unicode_1'),
  exact: location('exact', 'exact_1'),
  large: location('large', 'large_1'),
  png: location('png', 'png_1'),
  gone: location('gone', 'gone_1'),
  'a~b': location('a~b', 'tilde_1'),
};

const ok = (text: string) => JSON.stringify({ error: null, data: text });

describe('GET /callSummary/:roomName', () => {
  // Also r1_1718871014 outside the prefix: proves S3_KEY_PREFIX + file_url is the key read.
  const s3 = useSummaryS3();
  beforeAll(() => s3.put(`${SUMMARY_KEY_PREFIX}tilde_1/summary.txt`, 'tilde'));

  /** One app for the enclosing describe block, with the S3 settings pointing at the proxy. */
  function appPerBlock(env: Record<string, string>): () => TestApp {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(
        s3.env({
          S3_KEY_PREFIX: SUMMARY_KEY_PREFIX,
          S3_TIMEOUT_MS: String(S3_TIMEOUT_MS),
          SUMMARY_MAX_BYTES: String(MAX_BYTES),
          METRICS_PUBLIC: 'true',
          ...env,
        }),
      );
    });
    afterAll(() => t?.close());
    beforeEach(() => {
      t.sim.setFault({ mode: 'none' });
      t.sim.setData('callSummary', LOCATIONS);
      t.sim.resetCounters();
      t.sim.clearRequests();
    });
    afterEach(() => {
      s3.proxy.fault = { mode: 'none' };
    });
    return () => t;
  }

  describe('contract', () => {
    // No cache of either kind: every request asks Admin Control and S3.
    const app = appPerBlock(contractEnv({ SUMMARY_CACHE_MAX_BYTES: '0' }));
    const t = () => app();
    let gets: number;
    beforeEach(() => {
      gets = s3.proxy.gets;
    });
    const s3Reads = () => s3.proxy.gets - gets;

    describeBadTokens(app, '/callSummary/r1', '/callSummary?roomName=r1', '/callSummary');
    describeRoomCases(app, { path: '/callSummary' });
    describeRouting(app, '/callSummary/r1');
    describeUpstreamFailures(app, '/callSummary/r1');

    describe('the query form', () => {
      describeRoomCases(app, { query: '/callSummary' });

      it('answers the same as the path form', async () => {
        const res = await t().get('/callSummary?roomName=r1');
        expect(res.statusCode).toBe(200);
        expect(res.body).toBe(ok(SUMMARY));
      });
    });

    describe('success', () => {
      it("answers 200 with the summary file's text as data, read below S3_KEY_PREFIX", async () => {
        const before = s3.proxy.requests.length;
        const res = await t().get('/callSummary/r1');
        expect(res.statusCode).toBe(200);
        expect(res.body).toBe(ok(SUMMARY));
        expect(res.headers['cache-control']).toBe('no-store');
        expect(t().sim.requests.map((r) => [r.method, r.path])).toEqual([
          ['GET', '/api/call-summary/r1'],
        ]);
        const reads = s3.proxy.requests.slice(before);
        expect(reads.map((r) => [r.method, r.path])).toEqual([
          ['GET', '/proconf-summaries/summaries/r1_1718871014/summary.txt?x-id=GetObject'],
        ]);
        // SigV4-signed by the SDK with the credentials of its standard chain.
        expect(reads[0].headers.authorization).toMatch(
          /^AWS4-HMAC-SHA256 Credential=S3RVER\/\d{8}\/us-east-1\/s3\/aws4_request, /,
        );
      });

      it('passes UTF-8 text exactly, and a summary of exactly SUMMARY_MAX_BYTES', async () => {
        const unicode = await t().get('/callSummary/unicode');
        expect(unicode.statusCode).toBe(200);
        expect(unicode.body).toBe(ok(UNICODE));
        expect(unicode.headers['content-type']).toMatch(/^application\/json; charset=utf-8/);
        const exact = await t().get('/callSummary/exact');
        expect(exact.statusCode).toBe(200);
        expect(exact.json().data).toBe('x'.repeat(MAX_BYTES));
      });

      it('trims the room and sends it to Admin Control as one encoded segment', async () => {
        const res = await t().get('/callSummary/%20a~b%20');
        expect(res.statusCode).toBe(200);
        expect(res.body).toBe(ok('tilde'));
        expect(t().sim.requests[0].path).toBe('/api/call-summary/a~b');
      });

      it('lets a token scoped to the room read its summary', async () => {
        const scoped = { authorization: `Bearer ${t().token({ claims: { roomName: 'r1' } })}` };
        const res = await t().get('/callSummary/r1', scoped);
        expect(res.statusCode).toBe(200);
        expect(res.body).toBe(ok(SUMMARY));
      });

      it('answers 403 to a token scoped to another room, asking neither Admin Control nor S3', async () => {
        const scoped = { authorization: `Bearer ${t().token({ claims: { room: 'r2' } })}` };
        for (const url of ['/callSummary/r1', '/callSummary?roomName=r1']) {
          const res = await t().get(url, scoped);
          expect(res.statusCode).toBe(403);
          expect(res.body).toBe('{"data":null,"error":{"code":403,"message":"Forbidden"}}');
        }
        expect(t().sim.calls).toBe(0);
        expect(s3Reads()).toBe(0);
      });
    });

    describe('no room', () => {
      it.each(['/callSummary', '/callSummary/', '/callSummary?roomName='])(
        'answers the documented 400 for %s',
        async (url) => {
          const res = await t().get(url);
          expect(res.statusCode).toBe(400);
          expect(res.body).toBe(ROOM_REQUIRED);
        },
      );

      it('answers "Invalid room name." for a room far longer than the router allows by default', async () => {
        const res = await t().get(`/callSummary/${'x'.repeat(5000)}`);
        expect(res.statusCode).toBe(400);
        expect(res.body).toBe(INVALID_ROOM);
      });
    });

    describe("Admin Control's answer", () => {
      it('answers 404 "Summary not found" when Admin Control has none, without asking S3', async () => {
        const res = await t().get('/callSummary/ghost');
        expect(res.statusCode).toBe(404);
        expect(res.body).toBe(SUMMARY_NOT_FOUND);
        expect(t().sim.calls).toBe(1);
        expect(s3Reads()).toBe(0);
      });

      it.each<[string, unknown]>([
        ['about another room', location('r2', 'r1_1718871014')],
        ['about the room in another case', location('R1', 'r1_1718871014')],
        ['without room_name', { file_url: 'r1_1718871014/summary.txt' }],
        ['with a parent segment', { room_name: 'r1', file_url: '../r1_1718871014/summary.txt' }],
        ['with a leading slash', { room_name: 'r1', file_url: '/r1_1718871014/summary.txt' }],
        ['with a URL', { room_name: 'r1', file_url: 'https://evil.example/summary.txt' }],
        ['with an s3:// URL', { room_name: 'r1', file_url: 's3://other/summary.txt' }],
        ['with a backslash', { room_name: 'r1', file_url: 'r1_1718871014\\summary.txt' }],
        ['with a control character', { room_name: 'r1', file_url: 'r1_1\n/summary.txt' }],
        ['with a dot segment', { room_name: 'r1', file_url: 'r1_1/./summary.txt' }],
        ['with an empty file_url', { room_name: 'r1', file_url: '' }],
        ['with 1025 bytes of file_url', { room_name: 'r1', file_url: 'k'.repeat(1025) }],
        ['with a number as file_url', { room_name: 'r1', file_url: 7 }],
        ['without file_url', { room_name: 'r1' }],
        ['as a string', 'r1_1718871014/summary.txt'],
        ['as a list', [location('r1', 'r1_1718871014')]],
      ])('answers 502 for a location %s, without asking S3', async (_name, data) => {
        t().sim.setFault({ mode: 'status', status: 200, body: { error: null, data } });
        const res = await t().get('/callSummary/r1');
        expect(res.statusCode).toBe(502);
        expect(res.body).toBe(BAD_GATEWAY);
        expect(s3Reads()).toBe(0);
      });

      it('answers 502 when file_url leaves no room for S3_KEY_PREFIX (1024 bytes in all)', async () => {
        // 1020 bytes pass the file_url rule; with "summaries/" the key would be 1030 bytes.
        const data = { room_name: 'r1', file_url: 'k'.repeat(1020) };
        t().sim.setFault({ mode: 'status', status: 200, body: { error: null, data } });
        const res = await t().get('/callSummary/r1');
        expect(res.statusCode).toBe(502);
        expect(res.body).toBe(BAD_GATEWAY);
        expect(s3Reads()).toBe(0);
      });

      it('ignores the fields it does not need', async () => {
        const data = { ...location('r1', 'r1_1718871014'), extra: { nested: true } };
        t().sim.setFault({ mode: 'status', status: 200, body: { error: null, data } });
        const res = await t().get('/callSummary/r1');
        expect(res.statusCode).toBe(200);
        expect(res.body).toBe(ok(SUMMARY));
      });
    });

    describe('S3', () => {
      it('answers 404 "Summary not found" when the object does not exist (NoSuchKey)', async () => {
        const res = await t().get('/callSummary/gone');
        expect(res.statusCode).toBe(404);
        expect(res.body).toBe(SUMMARY_NOT_FOUND);
        expect(s3Reads()).toBe(1);
      });

      it('answers 502 for a summary one byte over SUMMARY_MAX_BYTES', async () => {
        const res = await t().get('/callSummary/large');
        expect(res.statusCode).toBe(502);
        expect(res.body).toBe(BAD_GATEWAY);
      });

      it('answers 502 for a binary file (not UTF-8)', async () => {
        const res = await t().get('/callSummary/png');
        expect(res.statusCode).toBe(502);
        expect(res.body).toBe(BAD_GATEWAY);
      });

      it.each([
        [403, 'AccessDenied'],
        [403, 'InvalidAccessKeyId'],
        [404, 'NoSuchBucket'],
        [500, 'InternalError'],
      ])('answers 502 when S3 answers %i %s, never with its words', async (status, code) => {
        s3.proxy.fault = { mode: 'status', status, code };
        const res = await t().get('/callSummary/r1');
        expect(res.statusCode).toBe(502);
        expect(res.body).toBe(BAD_GATEWAY);
        expect(res.body).not.toContain(code);
        expectNoLeak(res.body, s3.proxy.url);
        // A healthy read between failures keeps the S3 breaker closed for the next cases.
        s3.proxy.fault = { mode: 'none' };
        expect((await t().get('/callSummary/r1')).statusCode).toBe(200);
      });

      it('answers 504 "Gateway timeout" when S3 answers slower than S3_TIMEOUT_MS', async () => {
        s3.proxy.fault = { mode: 'slow', delayMs: S3_TIMEOUT_MS + 2000 };
        const started = Date.now();
        const res = await t().get('/callSummary/r1');
        const elapsed = Date.now() - started;
        expect(res.statusCode).toBe(504);
        expect(res.body).toBe(GATEWAY_TIMEOUT);
        // S3's deadline ended it, not the slow answer (which comes 2 s later).
        expect(elapsed).toBeGreaterThanOrEqual(S3_TIMEOUT_MS - 5);
        expect(elapsed).toBeLessThan(S3_TIMEOUT_MS + 1500);
      });

      it('answers 502 while the S3 server is down, and 200 once it is back', async () => {
        await s3.server.stop();
        try {
          const res = await t().get('/callSummary/r1');
          expect(res.statusCode).toBe(502);
          expect(res.body).toBe(BAD_GATEWAY);
          expectNoLeak(res.body, s3.proxy.url);
        } finally {
          await s3.server.start();
        }
        const back = await t().get('/callSummary/r1');
        expect(back.statusCode).toBe(200);
        expect(back.body).toBe(ok(SUMMARY));
      });
    });
  });

  describe('a slow S3 within its deadline', () => {
    // Not a race: the answer comes 500 ms late against 10 s deadlines (Admin Control's too),
    // so a loaded machine cannot turn it into a 504.
    const app = appPerBlock({ ...UNHURRIED, S3_TIMEOUT_MS: '10000' });

    it('answers 200 for a slow answer within S3_TIMEOUT_MS', async () => {
      s3.proxy.fault = { mode: 'slow', delayMs: 500 };
      const started = Date.now();
      const res = await app().get('/callSummary/r1');
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe(ok(SUMMARY));
      expect(Date.now() - started).toBeGreaterThanOrEqual(495);
    });
  });

  describe('caches and the overall deadline', () => {
    const app = appPerBlock({
      ADMIN_TIMEOUT_MS: '1000',
      S3_TIMEOUT_MS: '1000',
      BREAKER_ENABLED: 'false',
      CALL_SUMMARY_CACHE_TTL_MS: '60000',
    });
    const t = () => app();

    async function metric(series: string): Promise<number> {
      return sample((await t().get('/metrics')).body, series) ?? 0;
    }

    it("keeps Admin Control's answer for CALL_SUMMARY_CACHE_TTL_MS and the summary by key", async () => {
      const cacheSeries = (operation: string, result: string) =>
        `cache_results_total{operation="${operation}",result="${result}"}`;
      const hitsBefore = await metric(cacheSeries('summaryObject', 'hit'));
      const gets = s3.proxy.gets;
      const first = await t().get('/callSummary/unicode');
      const second = await t().get('/callSummary?roomName=unicode');
      expect([first.body, second.body]).toEqual([ok(UNICODE), ok(UNICODE)]);
      expect(t().sim.callsTo('callSummary')).toBe(1);
      expect(s3.proxy.gets - gets).toBe(1);
      expect(await metric(cacheSeries('callSummary', 'hit'))).toBeGreaterThanOrEqual(1);
      expect(await metric(cacheSeries('summaryObject', 'hit'))).toBe(hitsBefore + 1);
    });

    it('shares one Admin Control call and one S3 read among concurrent requests', async () => {
      t().sim.setFault({ mode: 'slow', delayMs: 50 });
      s3.proxy.fault = { mode: 'slow', delayMs: 50 };
      const gets = s3.proxy.gets;
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          t().get('/callSummary/exact', {
            authorization: `Bearer ${t().token({ subject: `u${i}` })}`,
          }),
        ),
      );
      expect(responses.map((r) => r.statusCode)).toEqual(new Array(20).fill(200));
      expect(t().sim.callsTo('callSummary')).toBe(1);
      expect(s3.proxy.gets - gets).toBe(1);
    });

    it('caches neither "Summary not found" nor a wrong answer: the summary shows once it is there', async () => {
      t().sim.setData('callSummary', {});
      expect((await t().get('/callSummary/later')).body).toBe(SUMMARY_NOT_FOUND);
      t().sim.setData('callSummary', { later: location('other', 'later_1') });
      expect((await t().get('/callSummary/later')).body).toBe(BAD_GATEWAY);
      t().sim.setData('callSummary', { later: location('later', 'later_1') });
      expect((await t().get('/callSummary/later')).body).toBe(SUMMARY_NOT_FOUND);
      await s3.put(`${SUMMARY_KEY_PREFIX}later_1/summary.txt`, 'written later');
      expect((await t().get('/callSummary/later')).body).toBe(ok('written later'));
      // The right location was kept; the missing object was not.
      expect(t().sim.callsTo('callSummary')).toBe(3);
    });

    it("answers 504 when Admin Control and S3 together pass the request's deadline, and the summary is then cached", async () => {
      // Each within its own 1000 ms timeout; together past the request's 1000 ms.
      t().sim.setFault({ mode: 'slow', delayMs: 600 });
      s3.proxy.fault = { mode: 'slow', delayMs: 600 };
      const gets = s3.proxy.gets;
      const started = Date.now();
      const res = await t().get('/callSummary/r1');
      const elapsed = Date.now() - started;
      expect(res.statusCode).toBe(504);
      expect(res.body).toBe(GATEWAY_TIMEOUT);
      expect(s3.proxy.gets - gets).toBe(1);
      expect(elapsed).toBeGreaterThanOrEqual(990);
      expect(elapsed).toBeLessThan(1800);
      // The read the request gave up on went on and filled the cache.
      await new Promise((resolve) => setTimeout(resolve, 600));
      const again = await t().get('/callSummary/r1');
      expect(again.statusCode).toBe(200);
      expect(again.body).toBe(ok(SUMMARY));
      expect(s3.proxy.gets - gets).toBe(1);
    });
  });

  describe('S3 failing repeatedly', () => {
    const app = appPerBlock(contractEnv({ SUMMARY_CACHE_MAX_BYTES: '0' }));

    it('opens its own breaker: 503 with Retry-After without reading, readiness still 200', async () => {
      const t = app();
      s3.proxy.fault = { mode: 'reset' };
      for (let i = 0; i < 5; i++) {
        expect((await t.get('/callSummary/r1')).body).toBe(BAD_GATEWAY);
      }
      s3.proxy.fault = { mode: 'none' };
      const gets = s3.proxy.gets;
      const res = await t.get('/callSummary/r1');
      expect(res.statusCode).toBe(503);
      expect(res.body).toBe(UNAVAILABLE);
      expect(res.headers['retry-after']).toBe('5');
      expect(s3.proxy.gets).toBe(gets);
      // Admin Control's breaker is another one: its answers were all fine.
      t.sim.setRoom('r1', {});
      expect((await t.get('/callStatus?roomName=r1')).statusCode).toBe(200);
      const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json().data.checks.s3).toBe('down');
    });
  });

  describe.skipIf(redisServerBinary() === undefined)(
    "Admin Control's answer shared through Redis",
    () => {
      const prefix = `cs${Date.now()}:`;
      let redis: TestRedis;
      let client: Redis;
      let t: TestApp;

      beforeAll(async () => {
        redis = await TestRedis.start(redisServerBinary()!);
        client = new Redis(redis.url);
        t = await startTestApp(
          s3.env({
            S3_KEY_PREFIX: SUMMARY_KEY_PREFIX,
            REDIS_URL: redis.url,
            REDIS_KEY_PREFIX: prefix,
            CALL_SUMMARY_CACHE_TTL_MS: '60000',
          }),
        );
        t.sim.setData('callSummary', LOCATIONS);
        // The shared cache is used once the connection is up.
        for (let tries = 0; (await t.get('/health/ready')).statusCode !== 200; tries++) {
          if (tries > 200) throw new Error('Redis did not come up');
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      });
      beforeEach(() => t.sim.resetCounters());
      afterAll(async () => {
        await t?.close();
        client?.disconnect();
        await redis?.stop();
      });

      const share = (room: string, value: unknown) =>
        client.set(
          `${prefix}answer:callSummary:${room}`,
          JSON.stringify({ at: Date.now(), v: value }),
          'PX',
          60_000,
        );

      it("uses another instance's answer for the room, checked against the room asked for", async () => {
        await share('unicode', { room_name: 'unicode', file_url: 'r1_1718871014/summary.txt' });
        const res = await t.get('/callSummary/unicode');
        expect(res.body).toBe(ok(SUMMARY));
        expect(t.sim.callsTo('callSummary')).toBe(0);
      });

      it('ignores a shared answer about another room and asks Admin Control', async () => {
        await share('exact', { room_name: 'r1', file_url: 'r1_1718871014/summary.txt' });
        const res = await t.get('/callSummary/exact');
        expect(res.body).toBe(ok('x'.repeat(MAX_BYTES)));
        expect(t.sim.callsTo('callSummary')).toBe(1);
      });
    },
  );
});

describe('GET /callSummary without S3 settings', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(contractEnv());
  });
  afterAll(() => t.close());

  it('answers 503 without asking Admin Control; readiness reports S3 disabled', async () => {
    for (const url of ['/callSummary/r1', '/callSummary?roomName=r1']) {
      const res = await t.get(url);
      expect(res.statusCode).toBe(503);
      expect(res.body).toBe(UNAVAILABLE);
      expect(res.headers['retry-after']).toBeUndefined();
    }
    expect(t.sim.calls).toBe(0);
    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().data.checks.s3).toBe('disabled');
  });

  it('still validates the room and the token first', async () => {
    expect((await t.get('/callSummary/')).body).toBe(ROOM_REQUIRED);
    expect((await t.get('/callSummary/r1', {})).statusCode).toBe(401);
  });
});
