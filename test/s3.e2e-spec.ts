import { Logger } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MockInstance } from 'vitest';
import { errorBody, toErrorResponse } from '../src/common/error-response.js';
import type { RequestContext } from '../src/common/request-context.js';
import { s3Config, type S3Config } from '../src/config/s3.config.js';
import { S3Exception } from '../src/s3/s3.exception.js';
import { S3ObjectClient } from '../src/s3/s3-object.client.js';
import { createS3Sdk } from '../src/s3/s3-sdk.js';
import { SummaryReader } from '../src/s3/summary-reader.service.js';
import { sample } from './support/metrics.js';
import { useS3Credentials } from './support/s3-server.js';
import {
  useSummaryS3,
  SUMMARY,
  SUMMARY_KEY_PREFIX,
  SUMMARY_MAX_BYTES,
  UNICODE,
} from './support/summaries.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const MAX_BYTES = SUMMARY_MAX_BYTES;
// S3_TIMEOUT_MS of the "deadlines" cases. The others are about something else and get
// UNHURRIED_MS: a fresh app's first read (the SDK resolving credentials), a 4 MiB answer, a
// retry's backoff or S3 coming back can outlast 400 ms on a loaded machine.
const TIMEOUT_MS = 400;
const UNHURRIED_MS = 10_000;

interface Failure {
  outcome: string;
  status: number;
  body: string;
  headers: Record<string, string>;
}

/** The error a read rejects with, as the global filter would render it. */
async function failure(promise: Promise<unknown>): Promise<Failure> {
  const error = await promise.then(
    () => {
      throw new Error('expected the read to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(S3Exception);
  const response = toErrorResponse(error);
  expect(response.unexpected).toBe(false);
  return {
    outcome: (error as S3Exception).outcome,
    status: response.status,
    body: errorBody(response.status, response.message),
    headers: response.headers,
  };
}

const BAD_GATEWAY = '{"data":null,"error":{"code":502,"message":"Bad gateway"}}';
const GATEWAY_TIMEOUT = '{"data":null,"error":{"code":504,"message":"Gateway timeout"}}';
const UNAVAILABLE = '{"data":null,"error":{"code":503,"message":"Service unavailable"}}';
const NOT_FOUND = '{"error":{"code":404,"message":"Not found"},"data":null}';

// The shared read a caller gave up on goes on; later reads of its key must not join it.
const settle = () => new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS + 100));

async function scrape(t: TestApp): Promise<string> {
  return (await t.get('/metrics')).body;
}

async function readiness(t: TestApp): Promise<unknown> {
  return (await t.app.inject({ method: 'GET', url: '/health/ready' })).json().data.checks.s3;
}

describe('S3 summaries against a real S3-compatible server', () => {
  // Also r1_1718871014 outside the prefix: proves S3_KEY_PREFIX is applied.
  const s3 = useSummaryS3();

  /** One app for the enclosing describe block; the proxy's fault is cleared after each test. */
  function appPerBlock(env: Record<string, string> = {}): () => TestApp {
    let t: TestApp;
    beforeAll(async () => {
      t = await startApp(env);
    });
    afterAll(() => t.close());
    afterEach(() => {
      s3.proxy.fault = { mode: 'none' };
    });
    return () => t;
  }

  function startApp(env: Record<string, string> = {}): Promise<TestApp> {
    return startTestApp(
      s3.env({
        S3_KEY_PREFIX: SUMMARY_KEY_PREFIX,
        S3_TIMEOUT_MS: String(UNHURRIED_MS),
        SUMMARY_MAX_BYTES: String(MAX_BYTES),
        METRICS_PUBLIC: 'true',
        ...env,
      }),
    );
  }

  describe('reading', () => {
    const app = appPerBlock({ SUMMARY_CACHE_MAX_BYTES: '0' });
    let reader: SummaryReader;
    let warn: MockInstance<Logger['warn']>;

    beforeAll(() => {
      reader = app().app.get(SummaryReader);
    });
    beforeEach(() => {
      warn = vi.spyOn(Logger.prototype, 'warn');
    });
    afterEach(() => warn.mockRestore());

    const logged = () => warn.mock.calls.map((call) => String(call[0])).join('\n');

    it('reads an object below the prefix with a SigV4-signed GetObject', async () => {
      const before = s3.proxy.requests.length;
      expect(await reader.read('r1_1718871014/summary.txt')).toEqual({
        text: SUMMARY,
        cache: 'miss',
      });
      const [request] = s3.proxy.requests.slice(before);
      expect(request.method).toBe('GET');
      expect(request.path).toBe(
        '/proconf-summaries/summaries/r1_1718871014/summary.txt?x-id=GetObject',
      );
      expect(request.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=S3RVER\/\d{8}\/us-east-1\/s3\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/,
      );
      expect(request.headers['x-amz-content-sha256']).toBeDefined();
    });

    it('decodes UTF-8 text exactly, multi-byte characters included', async () => {
      expect((await reader.read('unicode_1/summary.txt')).text).toBe(UNICODE);
    });

    it('reads an object of exactly SUMMARY_MAX_BYTES, and an empty one', async () => {
      expect((await reader.read('exact_1/summary.txt')).text).toBe('x'.repeat(MAX_BYTES));
      expect((await reader.read('empty_1/summary.txt')).text).toBe('');
    });

    it('answers a not-found outcome (404) for a missing object, and logs nothing', async () => {
      expect(await failure(reader.read('missing_1/summary.txt'))).toEqual({
        outcome: 'not_found',
        status: 404,
        body: NOT_FOUND,
        headers: {},
      });
      expect(logged()).toBe('');
    });

    it('does not remember a missing object: once written, it is read', async () => {
      await failure(reader.read('late_1/summary.txt'));
      await s3.put('summaries/late_1/summary.txt', 'written later');
      expect((await reader.read('late_1/summary.txt')).text).toBe('written later');
    });

    it('answers 502 for an object one byte over SUMMARY_MAX_BYTES', async () => {
      const result = await failure(reader.read('large_1/summary.txt'));
      expect(result).toEqual({ outcome: 'too_large', status: 502, body: BAD_GATEWAY, headers: {} });
      expect(logged()).toMatch(
        /GET s3:\/\/proconf-summaries\/summaries\/large_1\/summary.txt failed: too_large \(larger than allowed; S3 request id PROXY-REQUEST-\d+\)/,
      );
    });

    it('stops reading at the limit when the size is not announced (chunked answer)', async () => {
      s3.proxy.fault = { mode: 'chunked' };
      const cut = s3.proxy.cutShort;
      expect((await failure(reader.read('huge_1/summary.txt'))).outcome).toBe('too_large');
      // The 4 MiB answer was abandoned part-way, not downloaded and then refused.
      await vi.waitFor(() => expect(s3.proxy.cutShort).toBe(cut + 1));
      s3.proxy.fault = { mode: 'none' };
      expect((await reader.read('unicode_1/summary.txt')).text).toBe(UNICODE);
    });

    it('reads a chunked answer within the limit', async () => {
      s3.proxy.fault = { mode: 'chunked' };
      expect((await reader.read('unicode_1/summary.txt')).text).toBe(UNICODE);
    });

    it.each([
      ['binary (PNG) bytes', 'png_1/summary.txt'],
      ['a truncated UTF-8 sequence', 'truncated_1/summary.txt'],
    ])('answers 502 for %s', async (_name, key) => {
      expect(await failure(reader.read(key))).toEqual({
        outcome: 'not_utf8',
        status: 502,
        body: BAD_GATEWAY,
        headers: {},
      });
      expect(logged()).toContain('failed: not_utf8 (not valid UTF-8; S3 request id PROXY-REQUEST-');
    });

    it.each([
      '../r1_1718871014/summary.txt',
      '/r1_1718871014/summary.txt',
      'https://evil.example/summary.txt',
      'r1_1718871014\\summary.txt',
      'r1_1718871014/summary.txt\n',
    ])('answers 502 for the file_url %j without asking S3', async (fileUrl) => {
      const before = s3.proxy.requests.length;
      expect(await failure(reader.read(fileUrl, { context: { requestId: 'req-key' } }))).toEqual({
        outcome: 'invalid_key',
        status: 502,
        body: BAD_GATEWAY,
        headers: {},
      });
      expect(s3.proxy.requests.length).toBe(before);
      expect(logged()).toMatch(/^file_url .* \[req-key\]$/);
    });

    it('answers 502 when the prefixed key passes 1024 bytes, without asking S3', async () => {
      const before = s3.proxy.requests.length;
      const key = 'k'.repeat(1024 - 'summaries/'.length + 1);
      expect((await failure(reader.read(key))).outcome).toBe('invalid_key');
      expect(s3.proxy.requests.length).toBe(before);
    });

    it('reads a slow answer that arrives within S3_TIMEOUT_MS', async () => {
      // Slower than the deadline of the "deadlines" cases: this app's deadline is its own.
      s3.proxy.fault = { mode: 'slow', delayMs: TIMEOUT_MS + 100 };
      expect((await reader.read('r1_1718871014/summary.txt')).text).toBe(SUMMARY);
    });

    it.each([
      [403, 'AccessDenied', 'rejected'],
      [500, 'InternalError', 'server_error'],
      [400, 'InvalidRequest', 'client_error'],
      [301, 'PermanentRedirect', 'client_error'],
      [404, 'NoSuchBucket', 'no_bucket'],
    ])(
      'answers 502 when S3 answers %i %s, with the reason and request ids in the log only',
      async (status, code, outcome) => {
        s3.proxy.fault = { mode: 'status', status, code };
        const result = await failure(
          reader.read('r1_1718871014/summary.txt', { context: { requestId: 'req-42' } }),
        );
        expect(result).toEqual({ outcome, status: 502, body: BAD_GATEWAY, headers: {} });
        expect(result.body).not.toContain(code);
        expect(logged()).toMatch(
          new RegExp(
            `failed: ${outcome} \\(${code} HTTP ${status}: .*; S3 request id PROXY-REQUEST-\\d+\\) \\[req-42\\]`,
          ),
        );
      },
    );

    it('retries a 503 SlowDown once within the deadline, then answers 502', async () => {
      s3.proxy.fault = { mode: 'status', status: 503, code: 'SlowDown' };
      const before = s3.proxy.gets;
      expect((await failure(reader.read('r1_1718871014/summary.txt'))).outcome).toBe(
        'server_error',
      );
      expect(s3.proxy.gets - before).toBe(2);
    });

    it('answers 502 when the connection is reset', async () => {
      s3.proxy.fault = { mode: 'reset' };
      expect(await failure(reader.read('r1_1718871014/summary.txt'))).toEqual({
        outcome: 'connection',
        status: 502,
        body: BAD_GATEWAY,
        headers: {},
      });
    });

    it('answers 502 while the S3 server is down, and reads again once it is back', async () => {
      await s3.server.stop();
      try {
        expect((await failure(reader.read('r1_1718871014/summary.txt'))).outcome).toBe(
          'connection',
        );
      } finally {
        await s3.server.start();
      }
      expect((await reader.read('r1_1718871014/summary.txt')).text).toBe(SUMMARY);
    });

    it('answers 502 when nothing listens at S3_ENDPOINT', async () => {
      await s3.proxy.down();
      try {
        expect((await failure(reader.read('r1_1718871014/summary.txt'))).outcome).toBe(
          'connection',
        );
      } finally {
        await s3.proxy.up();
      }
    });

    it('counts reads by outcome in /metrics', async () => {
      const before = await scrape(app());
      await reader.read('r1_1718871014/summary.txt');
      await failure(reader.read('missing_2/summary.txt'));
      const after = await scrape(app());
      for (const outcome of ['ok', 'not_found']) {
        const series = `s3_calls_total{outcome="${outcome}"}`;
        expect(sample(after, series)).toBe((sample(before, series) ?? 0) + 1);
        const count = `s3_call_duration_seconds_count{outcome="${outcome}"}`;
        expect(sample(after, count)).toBe((sample(before, count) ?? 0) + 1);
      }
      expect(sample(after, 's3_circuit_state')).toBe(0);
    });
  });

  describe('deadlines', () => {
    // The cases about S3_TIMEOUT_MS and the caller's deadline: a short deadline, raced by an
    // S3 that answers far later or never, so the time taken tells which one ended the read.
    const app = appPerBlock({ SUMMARY_CACHE_MAX_BYTES: '0', S3_TIMEOUT_MS: String(TIMEOUT_MS) });
    let reader: SummaryReader;

    beforeAll(() => {
      reader = app().app.get(SummaryReader);
    });

    it('answers 504 when S3 does not answer within S3_TIMEOUT_MS', async () => {
      // Far slower than the deadline, so the time taken tells which one ended the read.
      s3.proxy.fault = { mode: 'slow', delayMs: TIMEOUT_MS + 2000 };
      const started = Date.now();
      expect(await failure(reader.read('r1_1718871014/summary.txt'))).toEqual({
        outcome: 'timeout',
        status: 504,
        body: GATEWAY_TIMEOUT,
        headers: {},
      });
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
      expect(elapsed).toBeLessThan(TIMEOUT_MS + 1500);
    });

    it('answers 504 when the body stalls past S3_TIMEOUT_MS after the headers came', async () => {
      s3.proxy.fault = { mode: 'slowBody', delayMs: TIMEOUT_MS + 2000 };
      const started = Date.now();
      expect((await failure(reader.read('r1_1718871014/summary.txt'))).status).toBe(504);
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1500);
    });

    it('answers 504 when S3 accepts the connection and never answers', async () => {
      s3.proxy.fault = { mode: 'hang' };
      expect((await failure(reader.read('r1_1718871014/summary.txt'))).outcome).toBe('timeout');
    });

    it("answers 504 at the caller's deadline when it comes before S3_TIMEOUT_MS", async () => {
      s3.proxy.fault = { mode: 'hang' };
      const started = Date.now();
      const result = await failure(
        reader.read('r1_1718871014/summary.txt', { deadline: Date.now() + 50 }),
      );
      expect(result).toEqual({
        outcome: 'timeout',
        status: 504,
        body: GATEWAY_TIMEOUT,
        headers: {},
      });
      // 50 ms, not the 400 ms of S3_TIMEOUT_MS.
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS - 100);
      await settle();
    });

    it("answers 504 at once when the caller's signal aborts", async () => {
      s3.proxy.fault = { mode: 'slow', delayMs: TIMEOUT_MS / 2 };
      const controller = new AbortController();
      const read = reader.read('r1_1718871014/summary.txt', { signal: controller.signal });
      controller.abort();
      expect((await failure(read)).status).toBe(504);
      await settle();
    });
  });

  describe("the request's context (its access line's s3 field)", () => {
    const app = appPerBlock();

    async function s3Field(fileUrl: string, options: { deadline?: number } = {}) {
      const context: RequestContext = { requestId: 'req-ctx' };
      await app()
        .app.get(SummaryReader)
        .read(fileUrl, { context, ...options })
        .catch(() => undefined);
      return context.s3;
    }

    it("says how S3 served the request: the read's outcome, or the summary cache", async () => {
      expect(await s3Field('exact_1/summary.txt')).toBe('ok');
      expect(await s3Field('exact_1/summary.txt')).toBe('hit');
      expect(await s3Field('missing_4/summary.txt')).toBe('not_found');
      expect(await s3Field('png_1/summary.txt')).toBe('not_utf8');
      expect(await s3Field('../x/summary.txt')).toBe('invalid_key');
      s3.proxy.fault = { mode: 'status', status: 403, code: 'AccessDenied' };
      expect(await s3Field('r1_1718871014/summary.txt')).toBe('rejected');
    });

    it("says timeout when the caller's deadline passed, coalesced when it shared a read", async () => {
      s3.proxy.fault = { mode: 'slow', delayMs: 150 };
      const reader = app().app.get(SummaryReader);
      const first: RequestContext = { requestId: 'first' };
      const second: RequestContext = { requestId: 'second' };
      const hurried: RequestContext = { requestId: 'hurried' };
      await Promise.all([
        reader.read('unicode_1/summary.txt', { context: first }),
        reader.read('unicode_1/summary.txt', { context: second }),
        reader
          .read('unicode_1/summary.txt', { context: hurried, deadline: Date.now() + 20 })
          .catch(() => undefined),
      ]);
      expect([first.s3, second.s3, hurried.s3]).toEqual(['ok', 'coalesced', 'timeout']);
    });
  });

  describe('readiness', () => {
    const app = appPerBlock();

    it('reports S3 up before any read and after reads, down after S3 failed', async () => {
      const t = app();
      const reader = t.app.get(SummaryReader);
      expect(await readiness(t)).toBe('up');
      await failure(reader.read('missing_3/summary.txt'));
      expect(await readiness(t)).toBe('up');
      s3.proxy.fault = { mode: 'status', status: 403, code: 'AccessDenied' };
      await failure(reader.read('r1_1718871014/summary.txt'));
      const res = await t.app.inject({ method: 'GET', url: '/health/ready' });
      expect(res.statusCode).toBe(200);
      expect(res.json().data.checks.s3).toBe('down');
      s3.proxy.fault = { mode: 'none' };
      await reader.read('r1_1718871014/summary.txt');
      expect(await readiness(t)).toBe('up');
    });
  });

  describe('circuit breaker', () => {
    const app = appPerBlock();

    it('opens after 5 failures in a row: 503 with Retry-After, S3 not called, readiness 200', async () => {
      const t = app();
      const reader = t.app.get(SummaryReader);
      // Cached before the failures: still served while the breaker is open.
      await reader.read('unicode_1/summary.txt');
      s3.proxy.fault = { mode: 'reset' };
      for (let i = 0; i < 5; i++) {
        expect((await failure(reader.read(`fail_${i}/summary.txt`))).outcome).toBe('connection');
      }
      s3.proxy.fault = { mode: 'none' };
      const before = s3.proxy.requests.length;
      expect(await failure(reader.read('r1_1718871014/summary.txt'))).toEqual({
        outcome: 'circuit_open',
        status: 503,
        body: UNAVAILABLE,
        headers: { 'retry-after': '5' },
      });
      expect(s3.proxy.requests.length).toBe(before);
      expect(await reader.read('unicode_1/summary.txt')).toEqual({ text: UNICODE, cache: 'hit' });
      const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json().data.checks.s3).toBe('down');
      const metrics = await scrape(t);
      expect(sample(metrics, 's3_circuit_state')).toBe(2);
      expect(sample(metrics, 's3_calls_total{outcome="circuit_open"}')).toBe(1);
      expect(sample(metrics, 's3_calls_total{outcome="connection"}')).toBe(5);
    });

    it('lets one probe through after the open time and closes when it succeeds', async () => {
      const config = app().app.get<S3Config>(s3Config.KEY);
      const client = new S3ObjectClient(
        { ...config, breaker: { ...config.breaker, consecutiveFailures: 2, openMs: 200 } },
        await createS3Sdk(config),
      );
      try {
        const read = () => client.getText('r1_1718871014/summary.txt', { maxBytes: MAX_BYTES });
        s3.proxy.fault = { mode: 'status', status: 500, code: 'InternalError' };
        await failure(read());
        await failure(read());
        expect(client.breakerState).toBe('open');
        s3.proxy.fault = { mode: 'none' };
        expect((await failure(read())).headers).toEqual({ 'retry-after': '1' });
        await new Promise((resolve) => setTimeout(resolve, 250));
        expect((await read()).text).toBe(SUMMARY);
        expect(client.breakerState).toBe('closed');
      } finally {
        await client.onApplicationShutdown();
      }
    });
  });

  describe('summary cache', () => {
    it('shares one S3 read between concurrent readers of a key, then serves it from memory', async () => {
      const t = await startApp();
      try {
        const reader = t.app.get(SummaryReader);
        s3.proxy.fault = { mode: 'slow', delayMs: 100 };
        const before = s3.proxy.gets;
        const reads = await Promise.all(
          Array.from({ length: 20 }, () => reader.read('unicode_1/summary.txt')),
        );
        expect(s3.proxy.gets - before).toBe(1);
        expect(reads.map((r) => r.text)).toEqual(Array(20).fill(UNICODE));
        expect(reads.filter((r) => r.cache === 'miss')).toHaveLength(1);
        expect(reads.filter((r) => r.cache === 'coalesced')).toHaveLength(19);
        s3.proxy.fault = { mode: 'none' };
        expect((await reader.read('unicode_1/summary.txt')).cache).toBe('hit');
        expect(s3.proxy.gets - before).toBe(1);
        const metrics = await scrape(t);
        // The server's one cache metric, with the summary cache's own operation label.
        const series = (result: string) =>
          `cache_results_total{operation="summaryObject",result="${result}"}`;
        expect(sample(metrics, series('miss'))).toBe(1);
        expect(sample(metrics, series('coalesced'))).toBe(19);
        expect(sample(metrics, series('hit'))).toBe(1);
      } finally {
        s3.proxy.fault = { mode: 'none' };
        await t.close();
      }
    });

    it("keeps reading for the others when one caller's deadline passes, and caches the text", async () => {
      const t = await startApp();
      try {
        const reader = t.app.get(SummaryReader);
        s3.proxy.fault = { mode: 'slow', delayMs: 150 };
        const hurried = reader.read('r1_1718871014/summary.txt', { deadline: Date.now() + 20 });
        const patient = reader.read('r1_1718871014/summary.txt');
        expect((await failure(hurried)).status).toBe(504);
        expect(await patient).toEqual({ text: SUMMARY, cache: 'coalesced' });
        expect((await reader.read('r1_1718871014/summary.txt')).cache).toBe('hit');
      } finally {
        s3.proxy.fault = { mode: 'none' };
        await t.close();
      }
    });

    it('stays within SUMMARY_CACHE_MAX_BYTES: the least recently used summary is read again', async () => {
      // Each entry is 1024 bytes of text plus its 19-byte key: two fit in 2100, three do not.
      for (const key of ['c_1', 'c_2', 'c_3']) {
        await s3.put(`summaries/${key}/summary.txt`, key.repeat(256));
      }
      const t = await startApp({ SUMMARY_CACHE_MAX_BYTES: '2100' });
      try {
        const reader = t.app.get(SummaryReader);
        const read = async (key: string) => (await reader.read(`${key}/summary.txt`)).cache;
        expect([await read('c_1'), await read('c_2'), await read('c_1')]).toEqual([
          'miss',
          'miss',
          'hit',
        ]);
        // c_3 pushes out c_2, the least recently used.
        expect([await read('c_3'), await read('c_1'), await read('c_2')]).toEqual([
          'miss',
          'hit',
          'miss',
        ]);
      } finally {
        await t.close();
      }
    });
  });

  describe('credentials and bucket', () => {
    async function firstRead(
      env: Record<string, string>,
      credentials: { accessKeyId: string; secretAccessKey: string } | null,
    ): Promise<Failure> {
      const restore = useS3Credentials(credentials);
      const t = await startApp(env);
      try {
        return await failure(t.app.get(SummaryReader).read('r1_1718871014/summary.txt'));
      } finally {
        await t.close();
        restore();
      }
    }

    it.each<[string, { accessKeyId: string; secretAccessKey: string } | null]>([
      [
        'a wrong secret (SignatureDoesNotMatch)',
        { accessKeyId: 'S3RVER', secretAccessKey: 'wrong-secret' },
      ],
      [
        'an unknown access key id (InvalidAccessKeyId)',
        { accessKeyId: 'NOBODY', secretAccessKey: 'S3RVER' },
      ],
      ['no credentials in the chain, without calling S3', null],
    ])('answers 502 for %s', async (name, credentials) => {
      const before = s3.proxy.requests.length;
      expect(await firstRead({}, credentials)).toEqual({
        outcome: 'rejected',
        status: 502,
        body: BAD_GATEWAY,
        headers: {},
      });
      expect(s3.proxy.requests.length - before).toBe(name.startsWith('no credentials') ? 0 : 1);
    });

    it('answers 502 when the bucket does not exist (NoSuchBucket)', async () => {
      const result = await firstRead(
        { S3_BUCKET: 'no-such-bucket' },
        {
          accessKeyId: 'S3RVER',
          secretAccessKey: 'S3RVER',
        },
      );
      expect(result).toEqual({ outcome: 'no_bucket', status: 502, body: BAD_GATEWAY, headers: {} });
    });
  });
});

describe('S3 not configured', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('boots; reads answer 503 and readiness reports S3 disabled', async () => {
    const reader = t.app.get(SummaryReader);
    expect(reader.enabled).toBe(false);
    expect(await failure(reader.read('r1_1718871014/summary.txt'))).toEqual({
      outcome: 'disabled',
      status: 503,
      body: UNAVAILABLE,
      headers: {},
    });
    const res = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json().data.checks.s3).toBe('disabled');
  });
});
