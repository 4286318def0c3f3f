import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsPortService } from '../src/metrics/metrics-port.service.js';
import { sample } from './support/metrics.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const UNAUTHORIZED = '{"data":null,"error":{"code":401,"message":"Unauthorized"}}';
const NOT_FOUND = '{"error":{"code":404,"message":"Not found"},"data":null}';
const PROMETHEUS = 'text/plain; version=0.0.4; charset=utf-8';
// Distinctive values that must never show up in the metrics output.
const ROOM = 'secret-room-7f3a';
const SUBJECT = 'subject-9c1e';

describe('GET /metrics', () => {
  describe('default exposure (JWT required on the main port)', () => {
    let t: TestApp;
    const scrape = async () => {
      const res = await t.get('/metrics');
      expect(res.statusCode).toBe(200);
      return res.body;
    };

    beforeAll(async () => {
      t = await startTestApp({ STATUS_CACHE_TTL_MS: '60000' });
      t.sim.setRoom(ROOM, { recording_status: true });
      t.sim.setRoom('other', {});
    });
    afterAll(() => t.close());

    it('answers 401 without a token, and with a forged one', async () => {
      const cases: [Record<string, string>, string][] = [
        [{}, 'Bearer'],
        [{ authorization: 'Bearer not.a.jwt' }, 'Bearer error="invalid_token"'],
      ];
      for (const [headers, challenge] of cases) {
        const res = await t.get('/metrics', headers);
        expect(res.statusCode).toBe(401);
        expect(res.body).toBe(UNAUTHORIZED);
        expect(res.headers['www-authenticate']).toBe(challenge);
      }
    });

    it('counts requests by method, route pattern and status, and cache results', async () => {
      const auth = { authorization: `Bearer ${t.token({ subject: SUBJECT })}` };
      expect((await t.get(`/callStatus?roomName=${ROOM}`, auth)).statusCode).toBe(200);
      expect((await t.get(`/callStatus?roomName=${ROOM}`, auth)).statusCode).toBe(200);
      expect((await t.get(`/callStatus?roomName=${ROOM}`, {})).statusCode).toBe(401);
      expect((await t.get(`/no-such-route/${ROOM}`)).statusCode).toBe(404);

      const res = await t.get('/metrics');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe(PROMETHEUS);
      expect(res.headers['cache-control']).toBe('no-store');
      const text = res.body;
      const ok = '{method="GET",route="/callStatus",status="200"}';
      expect(sample(text, `http_requests_total${ok}`)).toBe(2);
      expect(
        sample(text, 'http_requests_total{method="GET",route="/callStatus",status="401"}'),
      ).toBe(1);
      expect(sample(text, 'http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(
        1,
      );
      expect(sample(text, 'http_requests_total{method="GET",route="/metrics",status="401"}')).toBe(
        2,
      );
      expect(sample(text, `http_request_duration_seconds_count${ok}`)).toBe(2);
      expect(
        sample(
          text,
          'http_request_duration_seconds_bucket{le="5",method="GET",route="/callStatus",status="200"}',
        ),
      ).toBe(2);
      expect(sample(text, 'cache_results_total{operation="sessionStatus",result="miss"}')).toBe(1);
      expect(sample(text, 'cache_results_total{operation="sessionStatus",result="hit"}')).toBe(1);
      expect(sample(text, 'admin_api_calls_total{outcome="ok"}')).toBe(1);
      expect(sample(text, 'admin_api_call_duration_seconds_count{outcome="ok"}')).toBe(1);
      expect(sample(text, 'admin_api_retries_total')).toBe(0);
      expect(sample(text, 'admin_api_circuit_state')).toBe(0);
      expect(text).toMatch(/^proconf_process_cpu_user_seconds_total \d/m);
      expect(text).toMatch(/^proconf_nodejs_eventloop_lag_seconds \d/m);
      for (const secret of [ROOM, SUBJECT, 'no-such-route', 'roomName']) {
        expect(text).not.toContain(secret);
      }
    });

    it('increments admin_api_calls_total{outcome="ok"} per Admin Control call', async () => {
      const before = sample(await scrape(), 'admin_api_calls_total{outcome="ok"}') ?? 0;
      expect((await t.get('/callStatus?roomName=other')).statusCode).toBe(200);
      expect(sample(await scrape(), 'admin_api_calls_total{outcome="ok"}')).toBe(before + 1);
    });

    it('has no second listener when METRICS_PORT is not set', () => {
      expect(t.app.get(MetricsPortService).port).toBeUndefined();
    });
  });

  describe('Admin Control failures', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({
        STATUS_CACHE_TTL_MS: '0',
        BREAKER_CONSECUTIVE_FAILURES: '2',
        ADMIN_RETRY_MIN_BACKOFF_MS: '0',
        ADMIN_RETRY_MAX_BACKOFF_MS: '0',
      });
    });
    afterAll(() => t.close());

    it('counts failed attempts, retries, breaker refusals and the breaker state', async () => {
      t.sim.setFault({ mode: 'status', status: 503 });
      // First attempt 503, one retry 503: two failures in a row open the breaker.
      expect((await t.get('/callStatus?roomName=demo')).statusCode).toBe(502);
      expect((await t.get('/callStatus?roomName=demo')).statusCode).toBe(503);
      const text = (await t.get('/metrics')).body;
      expect(sample(text, 'admin_api_calls_total{outcome="server_error"}')).toBe(2);
      expect(sample(text, 'admin_api_retries_total')).toBe(1);
      expect(sample(text, 'admin_api_refused_total{reason="circuit_open"}')).toBe(1);
      expect(sample(text, 'admin_api_circuit_state')).toBe(2);
      expect(
        sample(text, 'http_requests_total{method="GET",route="/callStatus",status="503"}'),
      ).toBe(1);
    });
  });

  describe('METRICS_PUBLIC=true', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ METRICS_PUBLIC: 'true' });
    });
    afterAll(() => t.close());

    it('answers 200 without a token', async () => {
      const res = await t.get('/metrics', {});
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe(PROMETHEUS);
      expect(res.body).toContain('# TYPE http_requests_total counter');
    });
  });

  describe('METRICS_ENABLED=false', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ METRICS_ENABLED: 'false', METRICS_PORT: '0', HOST: '127.0.0.1' });
    });
    afterAll(() => t.close());

    it('answers 404 with or without a token and opens no second listener', async () => {
      for (const headers of [
        {} as Record<string, string>,
        { authorization: `Bearer ${t.token()}` },
      ]) {
        const res = await t.get('/metrics', headers);
        expect(res.statusCode).toBe(404);
        expect(res.body).toBe(NOT_FOUND);
      }
      expect(t.app.get(MetricsPortService).port).toBeUndefined();
    });
  });

  describe('METRICS_PORT (second listener)', () => {
    let t: TestApp;
    let base: string;
    beforeAll(async () => {
      t = await startTestApp({ METRICS_PORT: '0', HOST: '127.0.0.1' });
      const port = t.app.get(MetricsPortService).port;
      expect(port).toBeGreaterThan(0);
      base = `http://127.0.0.1:${port}`;
    });
    afterAll(() => t.close());

    it('serves GET /metrics without a token', async () => {
      expect((await t.get('/health', {})).statusCode).toBe(200);
      const res = await fetch(`${base}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(PROMETHEUS);
      const text = await res.text();
      expect(sample(text, 'http_requests_total{method="GET",route="/health",status="200"}')).toBe(
        1,
      );
    });

    it('serves nothing else', async () => {
      for (const [method, path] of [
        ['GET', '/'],
        ['GET', '/health'],
        ['GET', '/callStatus?roomName=demo'],
        ['POST', '/metrics'],
      ]) {
        const res = await fetch(`${base}${path}`, { method });
        expect(res.status).toBe(404);
        expect(await res.text()).toBe(NOT_FOUND);
      }
    });

    it('leaves the main port as configured: a token is still required there', async () => {
      const res = await t.get('/metrics', {});
      expect(res.statusCode).toBe(401);
      expect(res.body).toBe(UNAUTHORIZED);
      expect((await t.get('/metrics')).statusCode).toBe(200);
    });

    it('closes the listener when the app closes', async () => {
      const app = await startTestApp({ METRICS_PORT: '0', HOST: '127.0.0.1' }, {}, t.sim);
      const port = app.app.get(MetricsPortService).port;
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
      await app.close();
      await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
    });
  });
});
