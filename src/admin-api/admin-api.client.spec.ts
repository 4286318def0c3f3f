import { ConfigModule } from '@nestjs/config';
import { Test, type TestingModule } from '@nestjs/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startAdminSimulator,
  type AdminSimulator,
  type Fault,
} from '../../tools/admin-simulator.mjs';
import { AppException } from '../common/app.exception.js';
import { adminConfig } from '../config/admin.config.js';
import { AdminApiClient } from './admin-api.client.js';
import { AdminApiException } from './admin-api.exception.js';
import { AdminApiModule } from './admin-api.module.js';
import type { UpstreamOutcome } from './admin-api.types.js';
import { defineAdminOperation, type OperationInput } from './admin-operation.js';
import { sessionStatusOperation } from '../rooms/session-status.operation.js';

const TIMEOUT_MS = 300;

interface Built {
  client: AdminApiClient;
  close: () => Promise<void>;
}

/** Builds the real AdminApiModule (HttpModule, agents, config slice) from the given env. */
async function buildClient(env: Record<string, string>): Promise<Built> {
  // The config slice reads exactly `env`: nothing from the outer environment leaks in.
  const original = process.env;
  process.env = { ...env };
  let moduleRef: TestingModule;
  try {
    moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [adminConfig] }),
        AdminApiModule,
      ],
    }).compile();
  } finally {
    process.env = original;
  }
  await moduleRef.init();
  return { client: moduleRef.get(AdminApiClient), close: () => moduleRef.close() };
}

/** Awaits a call that must fail with an AdminApiException and returns what the client sees. */
async function failure(call: Promise<unknown>): Promise<{
  outcome: UpstreamOutcome;
  status: number;
  message: string;
  headers: Record<string, string>;
}> {
  const error = await call.then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(AdminApiException);
  const { outcome, message, headers } = error as AdminApiException;
  return { outcome, status: (error as AdminApiException).getStatus(), message, headers };
}

function refusedSync(build: () => unknown): AppException {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(AppException);
    return error as AppException;
  }
  throw new Error('expected an AppException');
}

const BAD_GATEWAY = { status: 502, message: 'Bad gateway', headers: {} };

/** The room's status through the real sessionStatus declaration. */
function getStatus(client: AdminApiClient, room: string) {
  return client.send(sessionStatusOperation, { room_name: room });
}

function url(client: AdminApiClient, room: string): string {
  return client.urlOf(sessionStatusOperation, { room_name: room }).href;
}

// The same route declared without a 404 mapping but with one for 400, retried only when
// unsent, with a 1 KiB limit.
const bareStatus = defineAdminOperation({
  name: 'bareStatus',
  method: 'GET',
  path: '/sessions-status/:room_name',
  params: { room_name: { invalidMessage: 'Invalid room name.' } },
  parse: (data: unknown) => data,
  maxResponseBytes: 1024,
  retry: 'unsent',
  errors: { 400: { status: 400, message: 'Invalid request.' } },
});

// A call with a body; the simulator refuses this incomplete one (400, unmapped here: a 502).
const postToken = defineAdminOperation({
  name: 'postToken',
  method: 'POST',
  path: '/proconf-token',
  body: (input: OperationInput) => ({ room: input.room }),
  parse: (data: unknown) => (typeof data === 'string' ? data : undefined),
});

describe(AdminApiClient.name, () => {
  let sim: AdminSimulator;

  beforeAll(async () => {
    sim = await startAdminSimulator({
      rooms: {
        demo: { recording_status: true, transcript_status: false },
        a: {},
        b: {},
        c: {},
      },
    });
  });
  afterAll(() => sim.close());

  beforeEach(async () => {
    await sim.up();
    sim.setFault({ mode: 'none' });
    sim.resetCounters();
    sim.clearRequests();
  });

  describe('failure mapping', () => {
    let built: Built;
    let client: AdminApiClient;

    beforeAll(async () => {
      built = await buildClient({
        ADMIN_BACKEND_URL: sim.url,
        ADMIN_TIMEOUT_MS: String(TIMEOUT_MS),
        // Short, fixed backoff so a retry always fits in the deadline.
        ADMIN_RETRY_MIN_BACKOFF_MS: '5',
        ADMIN_RETRY_MAX_BACKOFF_MS: '10',
        // The breaker has its own block below; here every failure must reach the simulator.
        BREAKER_ENABLED: 'false',
      });
      client = built.client;
    });
    afterAll(() => built.close());

    const fault = (f: Fault): void => sim.setFault(f);

    it('returns exactly the two flags on success', async () => {
      const status = await getStatus(client, 'demo');
      expect(status).toStrictEqual({ transcript_status: false, recording_status: true });
      expect(sim.calls).toBe(1);
    });

    it('drops any extra field Admin Control adds', async () => {
      fault({
        mode: 'status',
        status: 200,
        body: {
          error: null,
          data: { transcript_status: true, recording_status: false, secret: 's', n: 1 },
          meta: { page: 1 },
        },
      });
      const status = await getStatus(client, 'demo');
      expect(status).toStrictEqual({ transcript_status: true, recording_status: false });
      expect(Object.keys(status)).toStrictEqual(['transcript_status', 'recording_status']);
    });

    it("maps 404 as the operation declares (not_found / 404 'Room not found'), no retry", async () => {
      expect(await failure(getStatus(client, 'no-such-room'))).toStrictEqual({
        outcome: 'not_found',
        status: 404,
        message: 'Room not found',
        headers: {},
      });
      expect(sim.calls).toBe(1);
    });

    it('maps a 404 the operation does not declare to not_found / 502', async () => {
      expect(await failure(client.send(bareStatus, { room_name: 'no-such-room' }))).toStrictEqual({
        outcome: 'not_found',
        ...BAD_GATEWAY,
      });
    });

    it("applies the operation's own body limit (1 KiB here)", async () => {
      fault({ mode: 'status', status: 200, body: { error: null, data: 'x'.repeat(2000) } });
      expect(await failure(client.send(bareStatus, { room_name: 'demo' }))).toStrictEqual({
        outcome: 'malformed',
        ...BAD_GATEWAY,
      });
      fault({ mode: 'status', status: 200, body: { error: null, data: 'x'.repeat(900) } });
      expect(await client.send(bareStatus, { room_name: 'demo' })).toBe('x'.repeat(900));
    });

    it("retries an 'unsent' operation only when the request was never sent", async () => {
      fault({ mode: 'burst', status: 503, count: 1 });
      expect((await failure(client.send(bareStatus, { room_name: 'demo' }))).outcome).toBe(
        'server_error',
      );
      expect(sim.calls).toBe(1);
      fault({ mode: 'reset', count: 1 });
      expect((await failure(client.send(bareStatus, { room_name: 'demo' }))).outcome).toBe(
        'connection',
      );
      expect(sim.calls).toBe(2);
      await sim.down();
      try {
        const started = sim.calls;
        expect((await failure(client.send(bareStatus, { room_name: 'demo' }))).outcome).toBe(
          'connection',
        );
        expect(sim.calls).toBe(started);
      } finally {
        await sim.up();
      }
    });

    it('maps an Admin Control 400 as the operation declares it', async () => {
      fault({ mode: 'status', status: 400 });
      expect(await failure(client.send(bareStatus, { room_name: 'demo' }))).toStrictEqual({
        outcome: 'client_error',
        status: 400,
        message: 'Invalid request.',
        headers: {},
      });
      expect((await failure(getStatus(client, 'demo'))).status).toBe(502);
    });

    it('sends the JSON body of a POST, with JSON headers', async () => {
      expect((await failure(client.send(postToken, { room: 'r1' }))).status).toBe(502);
      expect(sim.requests.map((r) => [r.method, r.path, r.body])).toStrictEqual([
        ['POST', '/api/proconf-token', '{"room":"r1"}'],
      ]);
      expect(sim.requests[0].headers['content-type']).toBe('application/json');
    });

    it('maps 500 to server_error / 502 and does not retry it', async () => {
      fault({ mode: 'status', status: 500 });
      expect(await failure(getStatus(client, 'demo'))).toStrictEqual({
        outcome: 'server_error',
        ...BAD_GATEWAY,
      });
      expect(sim.calls).toBe(1);
    });

    it('retries a 503 once and succeeds', async () => {
      fault({ mode: 'burst', status: 503, count: 1 });
      expect(await getStatus(client, 'demo')).toStrictEqual({
        transcript_status: false,
        recording_status: true,
      });
      expect(sim.calls).toBe(2);
    });

    it('retries a 503 only once', async () => {
      fault({ mode: 'status', status: 503 });
      expect(await failure(getStatus(client, 'demo'))).toStrictEqual({
        outcome: 'server_error',
        ...BAD_GATEWAY,
      });
      expect(sim.calls).toBe(2);
    });

    it.each([401, 403])('maps %i to rejected / 502 without retrying', async (status) => {
      fault({ mode: 'status', status });
      expect(await failure(getStatus(client, 'demo'))).toStrictEqual({
        outcome: 'rejected',
        ...BAD_GATEWAY,
      });
      expect(sim.calls).toBe(1);
    });

    it.each([400, 409, 429])('maps %i to client_error / 502 without retrying', async (status) => {
      fault({ mode: 'status', status });
      expect(await failure(getStatus(client, 'demo'))).toStrictEqual({
        outcome: 'client_error',
        ...BAD_GATEWAY,
      });
      expect(sim.calls).toBe(1);
    });

    it('maps a 2xx other than 200 to client_error / 502', async () => {
      fault({ mode: 'status', status: 204, body: '' });
      expect((await failure(getStatus(client, 'demo'))).outcome).toBe('client_error');
    });

    it.each([
      ['a JSON content type with an HTML body', { mode: 'malformed' }],
      ['an HTML page', { mode: 'notJson' }],
      ['JSON of the wrong shape', { mode: 'wrongShape' }],
      [
        'flags that are not booleans',
        {
          mode: 'status',
          status: 200,
          body: { error: null, data: { transcript_status: 'true', recording_status: false } },
        },
      ],
      ['a JSON array', { mode: 'status', status: 200, body: [] }],
      ['JSON null', { mode: 'status', status: 200, body: 'null' }],
      [
        'a non-null error next to valid data',
        {
          mode: 'status',
          status: 200,
          body: {
            error: { code: 500, message: 'partial' },
            data: { transcript_status: true, recording_status: true },
          },
        },
      ],
    ] as Array<[string, Fault]>)('maps %s to malformed / 502', async (_what, f) => {
      fault(f);
      expect(await failure(getStatus(client, 'demo'))).toStrictEqual({
        outcome: 'malformed',
        ...BAD_GATEWAY,
      });
      expect(sim.calls).toBe(1);
    });

    it('maps a body over 64 KiB to malformed / 502', async () => {
      fault({
        mode: 'status',
        status: 200,
        body: {
          error: null,
          data: { transcript_status: true, recording_status: true, pad: 'x'.repeat(70_000) },
        },
      });
      expect(await failure(getStatus(client, 'demo'))).toStrictEqual({
        outcome: 'malformed',
        ...BAD_GATEWAY,
      });
    });

    it('maps a hang to timeout / 504 at the deadline', async () => {
      fault({ mode: 'hang' });
      const started = performance.now();
      expect(await failure(getStatus(client, 'demo'))).toStrictEqual({
        outcome: 'timeout',
        status: 504,
        message: 'Gateway timeout',
        headers: {},
      });
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 10);
      expect(elapsed).toBeLessThan(TIMEOUT_MS + 1000);
      expect(sim.calls).toBe(1);
    });

    it('maps a refused connection to connection / 502 after one retry', async () => {
      const attempts: UpstreamOutcome[] = [];
      let retries = 0;
      client.addListener({
        attempt: (outcome) => attempts.push(outcome),
        retry: () => retries++,
      });
      await sim.down();
      expect(await failure(getStatus(client, 'demo'))).toStrictEqual({
        outcome: 'connection',
        ...BAD_GATEWAY,
      });
      expect(attempts).toStrictEqual(['connection', 'connection']);
      expect(retries).toBe(1);
    });

    it('maps a connection reset to connection / 502 after one retry', async () => {
      fault({ mode: 'reset' });
      expect(await failure(getStatus(client, 'demo'))).toStrictEqual({
        outcome: 'connection',
        ...BAD_GATEWAY,
      });
      expect(sim.calls).toBe(2);
    });

    it('works again once Admin Control is back', async () => {
      expect(await getStatus(client, 'demo')).toStrictEqual({
        transcript_status: false,
        recording_status: true,
      });
    });
  });

  describe('requests', () => {
    let built: Built | undefined;
    afterEach(async () => {
      await built?.close();
      built = undefined;
    });

    it('encodes the room name as exactly one path segment', async () => {
      built = await buildClient({ ADMIN_BACKEND_URL: sim.url });
      const { client } = built;
      expect(url(client, 'a b')).toBe(`${sim.url}/sessions-status/a%20b`);
      expect(url(client, 'a/b')).toBe(`${sim.url}/sessions-status/a%2Fb`);
      expect(url(client, '%')).toBe(`${sim.url}/sessions-status/%25`);
      expect(url(client, '?x=1#y')).toBe(`${sim.url}/sessions-status/%3Fx%3D1%23y`);
    });

    it.each(['.', '..', ''])('refuses %j with 400 "Invalid room name."', async (room) => {
      built = await buildClient({ ADMIN_BACKEND_URL: sim.url });
      const { client } = built;
      const error = refusedSync(() => client.urlOf(sessionStatusOperation, { room_name: room }));
      expect(error.getStatus()).toBe(400);
      expect(error.message).toBe('Invalid room name.');
      expect(() => getStatus(client, room)).toThrow('Invalid room name.');
      expect(() => client.send(bareStatus, { room_name: 42 })).toThrow('Invalid room name.');
      expect(sim.calls).toBe(0);
    });

    it.each(['http://h.test/api/', 'http://h.test/api'])(
      'keeps the base path of %s',
      async (base) => {
        built = await buildClient({ ADMIN_BACKEND_URL: base });
        expect(url(built.client, 'x')).toBe('http://h.test/api/sessions-status/x');
      },
    );

    it('keeps a deeper base path', async () => {
      built = await buildClient({ ADMIN_BACKEND_URL: 'https://h.test/v2/admin/' });
      expect(url(built.client, 'x')).toBe('https://h.test/v2/admin/sessions-status/x');
    });

    // A pathname of "/" must not become "//sessions-status/x" (a protocol-relative URL).
    it.each(['http://h.test', 'http://h.test/'])(
      'builds <origin>/sessions-status/<room> for a base with no path (%s)',
      async (base) => {
        built = await buildClient({ ADMIN_BACKEND_URL: base });
        expect(url(built.client, 'x')).toBe('http://h.test/sessions-status/x');
      },
    );

    it('reaches an Admin Control served at the root of its origin', async () => {
      const rootSim = await startAdminSimulator({ basePath: '', rooms: { demo: {} } });
      try {
        built = await buildClient({ ADMIN_BACKEND_URL: rootSim.origin });
        expect(await getStatus(built.client, 'demo')).toStrictEqual({
          transcript_status: false,
          recording_status: false,
        });
        expect(rootSim.requests.map((r) => r.path)).toStrictEqual(['/sessions-status/demo']);
      } finally {
        await rootSim.close();
      }
    });

    it('calls the encoded path with JSON headers and no credentials of its own', async () => {
      sim.setRoom('a b/c', { transcript_status: true });
      built = await buildClient({ ADMIN_BACKEND_URL: sim.url });
      expect(await getStatus(built.client, 'a b/c')).toStrictEqual({
        transcript_status: true,
        recording_status: false,
      });
      expect(sim.requests).toHaveLength(1);
      const [request] = sim.requests;
      expect(request.method).toBe('GET');
      expect(request.path).toBe('/api/sessions-status/a%20b%2Fc');
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers.accept).toBe('application/json');
      expect(request.headers['x-api-key']).toBeUndefined();
      expect(request.headers.authorization).toBeUndefined();
      expect(request.headers.cookie).toBeUndefined();
    });

    it('sends ADMIN_API_KEY in x-api-key by default', async () => {
      built = await buildClient({ ADMIN_BACKEND_URL: sim.url, ADMIN_API_KEY: 'key-123' });
      await getStatus(built.client, 'demo');
      const [request] = sim.requests;
      expect(request.headers['x-api-key']).toBe('key-123');
      expect(request.headers.authorization).toBeUndefined();
      expect(request.headers.cookie).toBeUndefined();
    });

    it('sends ADMIN_API_KEY in the header named by ADMIN_API_KEY_HEADER', async () => {
      built = await buildClient({
        ADMIN_BACKEND_URL: sim.url,
        ADMIN_API_KEY: 'key-456',
        ADMIN_API_KEY_HEADER: 'X-Admin-Token',
      });
      await getStatus(built.client, 'demo');
      const [request] = sim.requests;
      expect(request.headers['x-admin-token']).toBe('key-456');
      expect(request.headers['x-api-key']).toBeUndefined();
      expect(request.headers.authorization).toBeUndefined();
      expect(request.headers.cookie).toBeUndefined();
    });
  });

  describe('circuit breaker', () => {
    let built: Built;
    let client: AdminApiClient;

    beforeAll(async () => {
      built = await buildClient({
        ADMIN_BACKEND_URL: sim.url,
        ADMIN_TIMEOUT_MS: '1000',
        BREAKER_CONSECUTIVE_FAILURES: '2',
        BREAKER_OPEN_MS: '300',
      });
      client = built.client;
    });
    afterAll(() => built.close());

    it('opens after two 500s, refuses without calling, then closes on a good probe', async () => {
      sim.setFault({ mode: 'status', status: 500 });
      expect((await failure(getStatus(client, 'demo'))).outcome).toBe('server_error');
      expect(client.breakerState).toBe('closed');
      expect((await failure(getStatus(client, 'demo'))).outcome).toBe('server_error');
      expect(client.breakerState).toBe('open');
      expect(sim.calls).toBe(2);

      expect(await failure(getStatus(client, 'demo'))).toStrictEqual({
        outcome: 'circuit_open',
        status: 503,
        message: 'Service unavailable',
        headers: { 'retry-after': '1' },
      });
      expect(sim.calls).toBe(2);

      await sleep(320);
      // Two callers at once: only the probe reaches Admin Control.
      sim.setFault({ mode: 'slow', delayMs: 100 });
      const [probe, other] = await Promise.allSettled([
        getStatus(client, 'demo'),
        getStatus(client, 'demo'),
      ]);
      expect(probe).toStrictEqual({
        status: 'fulfilled',
        value: { transcript_status: false, recording_status: true },
      });
      expect(other.status).toBe('rejected');
      expect((other as PromiseRejectedResult).reason).toMatchObject({
        outcome: 'circuit_open',
      });
      expect(sim.calls).toBe(3);
      expect(client.breakerState).toBe('closed');

      sim.setFault({ mode: 'none' });
      await getStatus(client, 'demo');
      expect(sim.calls).toBe(4);
    });

    it('re-opens when the probe fails', async () => {
      sim.setFault({ mode: 'status', status: 500 });
      await failure(getStatus(client, 'demo'));
      await failure(getStatus(client, 'demo'));
      expect(client.breakerState).toBe('open');
      await sleep(320);
      expect((await failure(getStatus(client, 'demo'))).outcome).toBe('server_error');
      expect(client.breakerState).toBe('open');
      expect(sim.calls).toBe(3);
      expect((await failure(getStatus(client, 'demo'))).outcome).toBe('circuit_open');
      expect(sim.calls).toBe(3);
    });
  });

  describe('concurrency limit', () => {
    let built: Built;

    beforeAll(async () => {
      built = await buildClient({
        ADMIN_BACKEND_URL: sim.url,
        ADMIN_TIMEOUT_MS: '2000',
        ADMIN_MAX_CONCURRENCY: '1',
        ADMIN_MAX_QUEUE: '1',
      });
    });
    afterAll(() => built.close());

    it('runs one call, queues one and refuses the third at once with 503 overloaded', async () => {
      sim.setFault({ mode: 'slow', delayMs: 200 });
      const settled: string[] = [];
      const calls = ['a', 'b', 'c'].map((room) =>
        getStatus(built.client, room).finally(() => settled.push(room)),
      );
      const [a, b, c] = await Promise.allSettled(calls);
      expect(a.status).toBe('fulfilled');
      expect(b.status).toBe('fulfilled');
      expect(c.status).toBe('rejected');
      const refused = (c as PromiseRejectedResult).reason as AdminApiException;
      expect(refused).toBeInstanceOf(AdminApiException);
      expect(refused.outcome).toBe('overloaded');
      expect(refused.getStatus()).toBe(503);
      expect(refused.message).toBe('Service unavailable');
      expect(refused.headers).toStrictEqual({ 'retry-after': '1' });
      // Refused before either of the others finished, and never sent.
      expect(settled).toStrictEqual(['c', 'a', 'b']);
      expect(sim.callsFor('c')).toBe(0);
      expect(sim.calls).toBe(2);
    });
  });
});
