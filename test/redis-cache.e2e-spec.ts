import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAdminSimulator, type AdminSimulator } from '../tools/admin-simulator.mjs';
import { redisServerFor, TestRedis } from './support/redis-server.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const binary = redisServerFor('the status cache shared through Redis (redis-cache.e2e-spec.ts)');

async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe.skipIf(binary === undefined)('status cache shared through Redis', () => {
  let redis: TestRedis;
  let sim: AdminSimulator;
  let a: TestApp;
  let b: TestApp;
  let c: TestApp;

  beforeAll(async () => {
    redis = await TestRedis.start(binary!);
    sim = await startAdminSimulator({ rooms: { demo: { recording_status: true } } });
    // A long TTL so that "shared" cannot be confused with "expired" within a test.
    const env = {
      REDIS_URL: redis.url,
      STATUS_CACHE_TTL_MS: '5000',
      REDIS_KEY_PREFIX: `t${Date.now()}:`,
      ADMIN_TIMEOUT_MS: '1000',
      BREAKER_ENABLED: 'false',
    };
    a = await startTestApp(env, {}, sim);
    b = await startTestApp(env, {}, sim);
    c = await startTestApp(env, {}, sim);
    await eventually(() => a.get('/health/ready').then((r) => r.statusCode === 200));
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await c?.close();
    await sim?.close();
    await redis?.stop();
  });

  beforeEach(() => {
    sim.setFault({ mode: 'none' });
    sim.resetCounters();
  });

  /** Every instance polls the room at once, `perInstance` times each. */
  function pollAll(room: string, perInstance: number) {
    return Promise.all(
      [a, b, c].flatMap((app) =>
        Array.from({ length: perInstance }, (_, i) =>
          app.get(`/callStatus?roomName=${room}`, {
            authorization: `Bearer ${app.token({ subject: `p${i}` })}`,
          }),
        ),
      ),
    );
  }

  describe('fleet-wide single flight', () => {
    it('makes one Admin Control call for three instances missing the same room at once', async () => {
      sim.setRoom('fleet', { recording_status: true });
      sim.setFault({ mode: 'slow', delayMs: 100 });
      const responses = await pollAll('fleet', 10);
      expect(responses.map((r) => r.statusCode)).toEqual(new Array(30).fill(200));
      for (const res of responses) expect(res.json().data.recording_status).toBe(true);
      expect(sim.callsFor('fleet')).toBe(1);
    });

    it('shares no error: after a failed call the next instance tries, one call at a time', async () => {
      sim.setRoom('fleet-fail', {});
      sim.setFault({ mode: 'status', status: 500 });
      const responses = await pollAll('fleet-fail', 5);
      expect(responses.map((r) => r.statusCode)).toEqual(new Array(15).fill(502));
      // Each instance's own call (the lock passes on after a failure), never one per request.
      expect(sim.callsFor('fleet-fail')).toBeGreaterThanOrEqual(1);
      expect(sim.callsFor('fleet-fail')).toBeLessThanOrEqual(3);
      sim.setFault({ mode: 'none' });
      expect((await b.get('/callStatus?roomName=fleet-fail')).statusCode).toBe(200);
    });

    it('never waits past the deadline for another instance that hangs', async () => {
      sim.setRoom('fleet-hang', {});
      sim.setFault({ mode: 'hang' });
      const started = Date.now();
      const responses = await pollAll('fleet-hang', 1);
      expect(responses.map((r) => r.statusCode)).toEqual([504, 504, 504]);
      // ADMIN_TIMEOUT_MS is 1000: the waiters give up with the caller, not a deadline later.
      expect(Date.now() - started).toBeLessThan(1800);
      // The winner's call, and at most one per other instance: a waiter goes on alone after
      // half of its time, within its own deadline.
      expect(sim.callsFor('fleet-hang')).toBeGreaterThanOrEqual(1);
      expect(sim.callsFor('fleet-hang')).toBeLessThanOrEqual(3);
    });
  });

  it("lets a second instance answer from the first instance's Admin Control call", async () => {
    const first = await a.get('/callStatus?roomName=demo');
    expect(first.statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the shared write is asynchronous
    const second = await b.get('/callStatus?roomName=demo');
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual(first.json());
    expect(sim.callsFor('demo')).toBe(1);
  });

  it('keeps serving without a single failed request while Redis is killed and restarted', async () => {
    const rooms = Array.from({ length: 20 }, (_, i) => `room-${i}`);
    for (const room of rooms) sim.setRoom(room, { transcript_status: true });
    const statuses: number[] = [];
    const poll = async (): Promise<void> => {
      for (const room of rooms) {
        for (const app of [a, b])
          statuses.push((await app.get(`/callStatus?roomName=${room}`)).statusCode);
      }
    };
    await poll();
    await redis.stop();
    await poll(); // Redis down: in-process cache and Admin Control serve
    expect((await a.get('/health/ready')).statusCode).toBe(503);
    await redis.start();
    await eventually(async () => (await a.get('/health/ready')).statusCode === 200);
    await eventually(async () => (await b.get('/health/ready')).statusCode === 200);
    await poll();
    expect(statuses).toHaveLength(rooms.length * 2 * 3);
    expect(statuses.every((status) => status === 200)).toBe(true);

    // Shared again after the restart (once the 1 s pause after the last failure is over):
    // b answers a room only a has fetched.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    sim.setRoom('after-restart', { recording_status: true });
    sim.resetCounters();
    expect((await a.get('/callStatus?roomName=after-restart')).statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await b.get('/callStatus?roomName=after-restart')).statusCode).toBe(200);
    expect(sim.callsFor('after-restart')).toBe(1);
  });

  it('does not stall requests when Redis hangs (falls back within the command timeout)', async () => {
    redis.pause();
    try {
      for (const room of ['hang-1', 'hang-2', 'hang-3']) {
        sim.setRoom(room, {});
        const started = Date.now();
        const res = await a.get(`/callStatus?roomName=${room}`);
        expect(res.statusCode).toBe(200);
        // REDIS_COMMAND_TIMEOUT_MS is 100 by default; far below this bound, never a stall.
        expect(Date.now() - started).toBeLessThan(1000);
      }
      // After one command times out, Redis is skipped for a second: ten more misses do not
      // each wait REDIS_COMMAND_TIMEOUT_MS (100 ms), which would take at least 1 s.
      const started = Date.now();
      for (let i = 0; i < 10; i++) {
        sim.setRoom(`hang-more-${i}`, {});
        expect((await a.get(`/callStatus?roomName=hang-more-${i}`)).statusCode).toBe(200);
      }
      expect(Date.now() - started).toBeLessThan(900);
    } finally {
      redis.resume();
    }
    await eventually(async () => (await a.get('/health/ready')).statusCode === 200);
    expect((await b.get('/callStatus?roomName=demo')).statusCode).toBe(200);
  });
});
