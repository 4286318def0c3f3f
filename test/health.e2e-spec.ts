import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthService } from '../src/health/health.service.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const OK = '{"error":null,"data":{"status":"ok"}}';
const UNAVAILABLE = '{"data":null,"error":{"code":503,"message":"Service unavailable"}}';

function get(t: TestApp, url: string) {
  return t.app.inject({ method: 'GET', url });
}

describe('health', () => {
  describe('without Redis', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({
        BREAKER_CONSECUTIVE_FAILURES: '1',
        ADMIN_RETRY: 'false',
        STATUS_CACHE_TTL_MS: '0',
      });
      t.sim.setRoom('demo', { recording_status: true });
    });
    afterAll(() => t.close());

    it.each(['/health', '/health/live'])('GET %s answers 200 without a token', async (url) => {
      const res = await get(t, url);
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe(OK);
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('GET /health/ready answers 200 with Redis disabled and the breaker state', async () => {
      const res = await get(t, '/health/ready');
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.json()).toEqual({
        error: null,
        data: {
          status: 'ok',
          checks: {
            redis: 'disabled',
            adminControl: { breaker: 'closed', lastOutcome: null },
            s3: 'disabled',
          },
        },
      });
      expect((await t.get('/callStatus?roomName=demo')).statusCode).toBe(200);
      const after = await get(t, '/health/ready');
      expect(after.json().data.checks.adminControl).toEqual({
        breaker: 'closed',
        lastOutcome: 'ok',
      });
    });

    it('stays ready while Admin Control fails and the breaker is open', async () => {
      t.sim.setFault({ mode: 'status', status: 500 });
      try {
        expect((await t.get('/callStatus?roomName=demo')).statusCode).toBe(502);
      } finally {
        t.sim.setFault({ mode: 'none' });
      }
      const res = await get(t, '/health/ready');
      expect(res.statusCode).toBe(200);
      expect(res.json().data.checks.adminControl).toEqual({
        breaker: 'open',
        lastOutcome: 'server_error',
      });
    });

    it('answers the 503 envelope on /health/ready once shutdown has begun; live stays 200', async () => {
      t.app.get(HealthService).beforeApplicationShutdown();
      const res = await get(t, '/health/ready');
      expect(res.statusCode).toBe(503);
      expect(res.body).toBe(UNAVAILABLE);
      expect(res.headers['cache-control']).toBe('no-store');
      expect((await get(t, '/health/live')).body).toBe(OK);
    });
  });

  describe('with Redis configured but unreachable', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1' });
    });
    afterAll(() => t.close());

    it('GET /health/ready answers the 503 envelope', async () => {
      const res = await get(t, '/health/ready');
      expect(res.statusCode).toBe(503);
      expect(res.body).toBe(UNAVAILABLE);
    });

    it.each(['/health', '/health/live'])('GET %s still answers 200', async (url) => {
      const res = await get(t, url);
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe(OK);
    });
  });
});
