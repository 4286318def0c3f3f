import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openSse, type SseResponse } from './support/sse-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const INTERVAL_MS = 1000;

async function listen(t: TestApp): Promise<string> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  return t.app.getUrl();
}

describe('GET /callStatus/stream', () => {
  let t: TestApp;
  let base: string;
  let room: string;
  let rooms = 0;
  const open: SseResponse[] = [];

  // A room of its own per test: the watcher of an earlier test's room may still linger.
  async function stream(name = room, headers?: Record<string, string>): Promise<SseResponse> {
    const response = await openSse(
      `${base}/callStatus/stream?roomName=${name}`,
      headers ?? { authorization: `Bearer ${t.token()}` },
    );
    open.push(response);
    return response;
  }

  beforeAll(async () => {
    t = await startTestApp({ BREAKER_ENABLED: 'false' });
    base = await listen(t);
  });
  afterAll(() => t.close());
  beforeEach(() => {
    for (const response of open.splice(0)) response.stream.close();
    t.sim.setFault({ mode: 'none' });
    room = `room-${++rooms}`;
    t.sim.setRoom(room, { recording_status: true, transcript_status: false });
  });

  it('starts with the current status at once, as text/event-stream', async () => {
    const started = Date.now();
    const res = await stream();
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-accel-buffering']).toBe('no');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.headers['content-encoding']).toBeUndefined();
    const first = await res.stream.next();
    expect(first.at - started).toBeLessThan(500);
    expect(first).toMatchObject({
      event: 'status',
      data: '{"transcript_status":false,"recording_status":true}',
    });
    expect(first.id).toMatch(/^\d+$/);
    expect(Number(first.retry)).toBeGreaterThanOrEqual(2000);
    expect(Number(first.retry)).toBeLessThanOrEqual(5000);
  });

  it('pushes a change within the watch interval + 200 ms, with a greater id', async () => {
    const res = await stream();
    const first = await res.stream.nextEvent();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const changedAt = Date.now();
    t.sim.setRoom(room, { recording_status: false });
    const change = await res.stream.nextEvent(INTERVAL_MS + 1000);
    expect(change.at - changedAt).toBeLessThanOrEqual(INTERVAL_MS + 200);
    expect(change).toMatchObject({
      event: 'status',
      data: '{"transcript_status":false,"recording_status":false}',
    });
    expect(Number(change.id)).toBeGreaterThan(Number(first.id));
  });

  it('sends nothing while nothing changes', async () => {
    const res = await stream();
    await res.stream.nextEvent();
    expect(await res.stream.during(2.5 * INTERVAL_MS)).toEqual([]);
  });
});
