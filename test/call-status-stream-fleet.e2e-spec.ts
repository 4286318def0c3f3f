import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAdminSimulator, type AdminSimulator } from '../tools/admin-simulator.mjs';
import { eventually, sleep } from './support/eventually.js';
import { redisServerFor, TestRedis } from './support/redis-server.js';
import { openSse, type SseResponse } from './support/sse-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const binary = redisServerFor(
  'the status stream across instances (call-status-stream-fleet.e2e-spec.ts)',
);

const INTERVAL_MS = 500;
const RECORDING = '{"transcript_status":false,"recording_status":true}';
const NOT_RECORDING = '{"transcript_status":false,"recording_status":false}';

describe.skipIf(binary === undefined)('GET /callStatus/stream across instances with Redis', () => {
  let redis: TestRedis;
  let sim: AdminSimulator;
  const apps: { t: TestApp; base: string }[] = [];
  const open: SseResponse[] = [];
  let room: string;
  let rooms = 0;

  async function instance(): Promise<{ t: TestApp; base: string }> {
    const t = await startTestApp(
      {
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: `fleet${process.pid}:`,
        STATUS_WATCH_INTERVAL_MS: String(INTERVAL_MS),
        STATUS_CACHE_TTL_MS: String(INTERVAL_MS),
      },
      {},
      sim,
    );
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const app = { t, base: await t.app.getUrl() };
    apps.push(app);
    await eventually(async () => (await t.get('/health/ready')).statusCode === 200);
    return app;
  }

  async function stream(
    app: { t: TestApp; base: string },
    headers: Record<string, string> = {},
  ): Promise<SseResponse> {
    const response = await openSse(`${app.base}/callStatus/stream?roomName=${room}`, {
      authorization: `Bearer ${app.t.token()}`,
      ...headers,
    });
    expect(response.status).toBe(200);
    open.push(response);
    return response;
  }

  beforeAll(async () => {
    redis = await TestRedis.start(binary!);
    sim = await startAdminSimulator();
  });
  afterAll(async () => {
    for (const response of open) response.stream.close();
    for (const app of apps) await app.t.close();
    await sim?.close();
    await redis?.stop();
  });
  beforeEach(() => {
    for (const response of open.splice(0)) response.stream.close();
    room = `fleet-room-${++rooms}`;
    sim.setRoom(room, { recording_status: true });
  });

  it('watches a room once for the fleet and pushes a change to every instance', async () => {
    const [a, b, c] = [await instance(), await instance(), await instance()];
    // Followers join out of phase with the watcher (its stream comes first): a change reaches
    // them through the room's channel at once, not at their next read of the shared state.
    const streams = [await stream(a)];
    const firsts = [await streams[0].stream.nextEvent()];
    streams.push(await stream(a));
    await sleep(INTERVAL_MS / 2);
    streams.push(await stream(b));
    await sleep(INTERVAL_MS / 4);
    streams.push(await stream(c));
    firsts.push(...(await Promise.all(streams.slice(1).map((res) => res.stream.nextEvent()))));
    for (const first of firsts) expect(first).toMatchObject({ event: 'status', data: RECORDING });
    // The instances that follow start from the watcher's state: the same version.
    expect(new Set(firsts.map((first) => first.id)).size).toBe(1);

    const before = sim.callsFor(room);
    await sleep(6 * INTERVAL_MS);
    const calls = sim.callsFor(room) - before;
    expect(calls).toBeGreaterThanOrEqual(4);
    expect(calls).toBeLessThanOrEqual(8); // three instances watching alone would make ~18

    const changedAt = Date.now();
    sim.setRoom(room, { recording_status: false });
    const changes = await Promise.all(streams.map((res) => res.stream.nextEvent(3 * INTERVAL_MS)));
    for (const change of changes) {
      expect(change).toMatchObject({ event: 'status', data: NOT_RECORDING, id: changes[0].id });
      expect(change.at - changedAt).toBeLessThanOrEqual(INTERVAL_MS + 200);
      expect(change.at - changes[0].at).toBeLessThan(100);
    }
    // A reconnect to another instance with that id waits for the next change.
    const moved = await stream(c, { 'last-event-id': changes[0].id! });
    expect((await moved.stream.next()).event).toBeUndefined();
    expect(await moved.stream.during(2 * INTERVAL_MS)).toEqual([]);
  });

  it('hands a room over when its watcher shuts down', async () => {
    const [a, b] = [apps[0], apps[1]];
    const onA = await stream(a);
    await onA.stream.nextEvent();
    const onB = await stream(b);
    await onB.stream.nextEvent();
    // a took the room's lease (its stream came first): b follows until a goes away.
    onA.stream.close();
    const [closing] = apps.splice(0, 1);
    await closing.t.close();
    const before = sim.callsFor(room);
    sim.setRoom(room, { recording_status: false });
    expect(await onB.stream.nextEvent(3 * INTERVAL_MS)).toMatchObject({ data: NOT_RECORDING });
    const after = sim.callsFor(room);
    await sleep(4 * INTERVAL_MS);
    expect(after - before).toBeGreaterThanOrEqual(1);
    expect(sim.callsFor(room) - after).toBeGreaterThanOrEqual(3);
  });

  it('falls back to one watcher per instance while Redis is down, and back', async () => {
    const [a, b] = [apps[0], apps[1]];
    const onA = await stream(a);
    const onB = await stream(b);
    await onA.stream.nextEvent();
    await onB.stream.nextEvent();
    await redis.stop();
    sim.setRoom(room, { recording_status: false });
    expect(await onA.stream.nextEvent(3 * INTERVAL_MS)).toMatchObject({ data: NOT_RECORDING });
    expect(await onB.stream.nextEvent(3 * INTERVAL_MS)).toMatchObject({ data: NOT_RECORDING });
    const before = sim.callsFor(room);
    await sleep(4 * INTERVAL_MS);
    // Both instances ask on their own now (about 2 x 4 calls).
    expect(sim.callsFor(room) - before).toBeGreaterThanOrEqual(6);

    await redis.start();
    for (const app of [a, b]) {
      await eventually(async () => (await app.t.get('/health/ready')).statusCode === 200);
    }
    await sleep(3 * INTERVAL_MS);
    const again = sim.callsFor(room);
    await sleep(6 * INTERVAL_MS);
    expect(sim.callsFor(room) - again).toBeLessThanOrEqual(8);
    sim.setRoom(room, { recording_status: true });
    expect(await onA.stream.nextEvent(3 * INTERVAL_MS)).toMatchObject({ data: RECORDING });
    expect(await onB.stream.nextEvent(3 * INTERVAL_MS)).toMatchObject({ data: RECORDING });
  });
});
