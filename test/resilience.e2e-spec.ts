import { afterEach, describe, expect, it } from 'vitest';
import { installShutdownHandlers } from '../src/shutdown.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('resilience against Admin Control trouble', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function boot(env: Record<string, string>): Promise<TestApp> {
    t = await startTestApp(env, { rooms: { demo: { recording_status: true } } });
    return t;
  }

  describe('status cache', () => {
    it('answers from the cache within the TTL and calls again after it', async () => {
      const app = await boot({ STATUS_CACHE_TTL_MS: '300' });
      expect((await app.get('/callStatus?roomName=demo')).json().data.recording_status).toBe(true);
      app.sim.setRoom('demo', { recording_status: false });
      expect((await app.get('/callStatus?roomName=demo')).json().data.recording_status).toBe(true);
      expect(app.sim.callsFor('demo')).toBe(1);
      await sleep(350);
      expect((await app.get('/callStatus?roomName=demo')).json().data.recording_status).toBe(false);
      expect(app.sim.callsFor('demo')).toBe(2);
    });

    it('does not cache errors: the next poll asks Admin Control again', async () => {
      const app = await boot({ STATUS_CACHE_TTL_MS: '5000', BREAKER_ENABLED: 'false' });
      app.sim.setFault({ mode: 'status', status: 500 });
      expect((await app.get('/callStatus?roomName=demo')).statusCode).toBe(502);
      app.sim.setFault({ mode: 'none' });
      expect((await app.get('/callStatus?roomName=demo')).statusCode).toBe(200);
      expect((await app.get('/callStatus?roomName=ghost')).statusCode).toBe(404);
      app.sim.setRoom('ghost', {});
      expect((await app.get('/callStatus?roomName=ghost')).statusCode).toBe(200);
    });

    it('with STATUS_CACHE_TTL_MS=0 every poll reaches Admin Control', async () => {
      const app = await boot({ STATUS_CACHE_TTL_MS: '0' });
      for (let i = 0; i < 3; i++) await app.get('/callStatus?roomName=demo');
      expect(app.sim.callsFor('demo')).toBe(3);
    });
  });

  describe('stale-if-error', () => {
    it('is off by default: an outage answers 502 even with a recent good status', async () => {
      const app = await boot({ STATUS_CACHE_TTL_MS: '50', BREAKER_ENABLED: 'false' });
      expect((await app.get('/callStatus?roomName=demo')).statusCode).toBe(200);
      await sleep(80);
      app.sim.setFault({ mode: 'status', status: 500 });
      const res = await app.get('/callStatus?roomName=demo');
      expect(res.statusCode).toBe(502);
      expect(res.headers.age).toBeUndefined();
    });

    it('when on, serves the last good status younger than the limit, with Age', async () => {
      const app = await boot({
        STATUS_CACHE_TTL_MS: '50',
        STATUS_STALE_IF_ERROR_MS: '1500',
        BREAKER_ENABLED: 'false',
      });
      expect((await app.get('/callStatus?roomName=demo')).statusCode).toBe(200);
      await sleep(1100);
      app.sim.setFault({ mode: 'status', status: 503 });
      const stale = await app.get('/callStatus?roomName=demo');
      expect(stale.statusCode).toBe(200);
      expect(stale.json().data).toEqual({ transcript_status: false, recording_status: true });
      expect(stale.headers.age).toBe('1');
      await sleep(500); // now older than STATUS_STALE_IF_ERROR_MS
      const tooOld = await app.get('/callStatus?roomName=demo');
      expect(tooOld.statusCode).toBe(502);
      expect(tooOld.headers.age).toBeUndefined();
    });

    it('never turns "room not found" into a stale answer', async () => {
      const app = await boot({ STATUS_CACHE_TTL_MS: '50', STATUS_STALE_IF_ERROR_MS: '5000' });
      expect((await app.get('/callStatus?roomName=demo')).statusCode).toBe(200);
      await sleep(80);
      app.sim.deleteRoom('demo');
      expect((await app.get('/callStatus?roomName=demo')).statusCode).toBe(404);
    });
  });

  describe('retries', () => {
    it('retries once after a connection reset and answers 200', async () => {
      const app = await boot({ STATUS_CACHE_TTL_MS: '0' });
      app.sim.setFault({ mode: 'reset', count: 1 });
      const res = await app.get('/callStatus?roomName=demo');
      expect(res.statusCode).toBe(200);
      expect(app.sim.callsFor('demo')).toBe(2);
    });

    it('retries once after a 503 and answers 200', async () => {
      const app = await boot({ STATUS_CACHE_TTL_MS: '0' });
      app.sim.setFault({ mode: 'burst', status: 503, count: 1 });
      expect((await app.get('/callStatus?roomName=demo')).statusCode).toBe(200);
      expect(app.sim.callsFor('demo')).toBe(2);
    });

    it('never retries a 404 or another 4xx, nor a 500', async () => {
      const app = await boot({ STATUS_CACHE_TTL_MS: '0', BREAKER_ENABLED: 'false' });
      expect((await app.get('/callStatus?roomName=ghost')).statusCode).toBe(404);
      expect(app.sim.callsFor('ghost')).toBe(1);
      for (const status of [400, 401, 429, 500]) {
        app.sim.resetCounters();
        app.sim.setFault({ mode: 'status', status });
        expect((await app.get('/callStatus?roomName=demo')).statusCode).toBe(502);
        expect(app.sim.callsFor('demo')).toBe(1);
      }
    });

    it('keeps retries within the budget during a full outage', async () => {
      const app = await boot({
        STATUS_CACHE_TTL_MS: '0',
        BREAKER_ENABLED: 'false',
        ADMIN_RETRY_MIN_BACKOFF_MS: '0',
        ADMIN_RETRY_MAX_BACKOFF_MS: '1',
      });
      app.sim.setFault({ mode: 'status', status: 503 });
      const requests = 100;
      for (let i = 0; i < requests; i++) {
        expect((await app.get(`/callStatus?roomName=demo`)).statusCode).toBe(502);
      }
      const retries = app.sim.calls - requests;
      // 5 retries always allowed per window, plus 20% of calls.
      expect(retries).toBeGreaterThan(0);
      expect(retries).toBeLessThanOrEqual(5 + 0.2 * requests);
    });

    it('does not retry past the total deadline', async () => {
      const app = await boot({
        STATUS_CACHE_TTL_MS: '0',
        ADMIN_TIMEOUT_MS: '300',
        BREAKER_ENABLED: 'false',
      });
      app.sim.setFault({ mode: 'slow', delayMs: 1000 });
      const started = Date.now();
      expect((await app.get('/callStatus?roomName=demo')).statusCode).toBe(504);
      expect(Date.now() - started).toBeLessThan(900);
      expect(app.sim.callsFor('demo')).toBe(1);
    });
  });

  describe('circuit breaker', () => {
    it('opens after consecutive failures, answers 503 without calling, probes, and closes', async () => {
      const app = await boot({
        STATUS_CACHE_TTL_MS: '0',
        ADMIN_RETRY: 'false',
        BREAKER_CONSECUTIVE_FAILURES: '3',
        BREAKER_OPEN_MS: '400',
      });
      app.sim.setFault({ mode: 'status', status: 500 });
      for (let i = 0; i < 3; i++) {
        expect((await app.get('/callStatus?roomName=demo')).statusCode).toBe(502);
      }
      app.sim.resetCounters();
      const open = await app.get('/callStatus?roomName=demo');
      expect(open.statusCode).toBe(503);
      expect(open.body).toBe('{"data":null,"error":{"code":503,"message":"Service unavailable"}}');
      expect(Number(open.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(app.sim.calls).toBe(0);

      await sleep(450); // half-open: one probe; it fails, so the breaker opens again
      expect((await app.get('/callStatus?roomName=demo')).statusCode).toBe(502);
      expect(app.sim.calls).toBe(1);
      expect((await app.get('/callStatus?roomName=demo')).statusCode).toBe(503);

      app.sim.setFault({ mode: 'none' });
      await sleep(450); // the next probe succeeds and closes it
      expect((await app.get('/callStatus?roomName=demo')).statusCode).toBe(200);
      expect((await app.get('/callStatus?roomName=demo')).statusCode).toBe(200);
      expect(app.sim.calls).toBe(3);
    });

    it('does not count "room not found" or bad bodies as Admin Control failures', async () => {
      const app = await boot({
        STATUS_CACHE_TTL_MS: '0',
        BREAKER_CONSECUTIVE_FAILURES: '2',
      });
      for (let i = 0; i < 5; i++) {
        expect((await app.get('/callStatus?roomName=ghost')).statusCode).toBe(404);
      }
      app.sim.setFault({ mode: 'malformed' });
      for (let i = 0; i < 5; i++) {
        expect((await app.get('/callStatus?roomName=demo')).statusCode).toBe(502);
      }
    });
  });

  describe('concurrency cap', () => {
    it('answers 503 at once when in-flight calls and the queue are full', async () => {
      const app = await boot({
        STATUS_CACHE_TTL_MS: '0',
        ADMIN_MAX_CONCURRENCY: '2',
        ADMIN_MAX_QUEUE: '1',
      });
      app.sim.setFault({ mode: 'slow', delayMs: 300 });
      const rooms = ['a', 'b', 'c', 'd', 'e'];
      for (const room of rooms) app.sim.setRoom(room, {});
      const started = Date.now();
      const results = await Promise.all(
        rooms.map(async (room) => {
          const res = await app.get(`/callStatus?roomName=${room}`);
          return {
            status: res.statusCode,
            ms: Date.now() - started,
            retryAfter: res.headers['retry-after'],
          };
        }),
      );
      const ok = results.filter((r) => r.status === 200);
      const refused = results.filter((r) => r.status === 503);
      expect(ok).toHaveLength(3); // two running, one queued
      expect(refused).toHaveLength(2);
      for (const r of refused) {
        expect(r.ms).toBeLessThan(250); // refused at once, not after waiting
        expect(r.retryAfter).toBe('1');
      }
    });
  });

  describe('graceful shutdown', () => {
    /** A listening app with shutdown handlers on SIGUSR2 and a fake process.exit. */
    async function listening(env: Record<string, string>, graceMs: number) {
      const app = await boot(env);
      await app.app.listen(0, '127.0.0.1');
      const exits: number[] = [];
      const remove = installShutdownHandlers(app.app, {
        graceMs,
        logger: { log: () => undefined, error: () => undefined, warn: () => undefined },
        exit: (code) => exits.push(code),
        signals: ['SIGUSR2'],
      });
      const url = await app.app.getUrl();
      const poll = () =>
        fetch(`${url}/callStatus?roomName=demo`, {
          headers: { authorization: `Bearer ${app.token()}` },
        });
      // The handlers close the app themselves; afterEach must not close it again.
      t = undefined;
      const cleanup = async () => {
        remove();
        await app.sim.close();
      };
      return { app, url, exits, poll, cleanup };
    }

    it('finishes an in-flight request, then closes and exits 0', async () => {
      const s = await listening({ STATUS_CACHE_TTL_MS: '0', SHUTDOWN_GRACE_MS: '5000' }, 5000);
      try {
        s.app.sim.setFault({ mode: 'slow', delayMs: 300 });
        const inFlight = s.poll();
        await sleep(100);
        process.emit('SIGUSR2', 'SIGUSR2');
        const res = await inFlight;
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({
          error: null,
          data: { transcript_status: false, recording_status: true },
        });
        await sleep(100);
        expect(s.exits).toEqual([0]);
        await expect(fetch(`${s.url}/health`)).rejects.toThrow();
      } finally {
        await s.cleanup();
      }
    });

    it('exits 1 when in-flight work outlasts the grace period', async () => {
      const s = await listening({ STATUS_CACHE_TTL_MS: '0', ADMIN_TIMEOUT_MS: '1000' }, 200);
      try {
        s.app.sim.setFault({ mode: 'hang' });
        const inFlight = s.poll().catch(() => undefined);
        await sleep(50);
        process.emit('SIGUSR2', 'SIGUSR2');
        await sleep(400);
        expect(s.exits[0]).toBe(1);
        await inFlight;
      } finally {
        await s.cleanup();
      }
    });
  });
});
