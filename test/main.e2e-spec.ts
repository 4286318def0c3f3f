import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_FLAGS } from '../src/config/node-flags.js';
import { startAdminSimulator, type AdminSimulator } from '../tools/admin-simulator.mjs';
import { serverArgs } from '../tools/server-args.mjs';
import { DEMO_JWT_SECRET, mintToken } from '../tools/token.mjs';
import { TEST_SECRET } from './support/test-app.js';

// The compiled entry point, started as `npm run start:prod` starts it: its command line (V8
// flags, then dist/main.js) from the repository, on the current Node. .ci/run builds before
// testing; locally, run `npm run build` first (the spec is skipped without a build).
const ROOT = new URL('..', import.meta.url).pathname;
const START_PROD = serverArgs();
const built = existsSync(`${ROOT}${START_PROD.at(-1)}`);
if (!built && process.env.CI) throw new Error('dist/main.js is missing: build before testing');

// Runs in production (NODE_ENV unset), which refuses every secret written in the repository.
const SECRET = randomBytes(48).toString('base64url');

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** The built server with this environment, started with `args` after node (start:prod's). */
function start(env: Record<string, string>, args: readonly string[] = START_PROD): Started {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, output: () => output, exited };
}

async function listeningUrl(started: Started): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const match = /listening on (http:\/\/[^"\s]+)/.exec(started.output());
    if (match) return match[1];
    if (Date.now() > deadline || started.child.exitCode !== null) {
      throw new Error(`server did not start:\n${started.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The JSON log lines of this level. */
function logLines(output: string, level: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.level === level);
}

describe.skipIf(!built)('dist/main.js (npm run start:prod)', () => {
  let sim: AdminSimulator;
  beforeAll(async () => {
    sim = await startAdminSimulator({ rooms: { demo: { recording_status: true } } });
  });
  afterAll(() => sim.close());

  /** dist/main.js on a free loopback port against the simulator, in production unless told. */
  const serve = (env: Record<string, string> = {}, args?: readonly string[]) =>
    start(
      {
        ADMIN_BACKEND_URL: sim.url,
        JWT_SECRET: SECRET,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        ...env,
      },
      args,
    );

  it('refuses to boot on bad configuration, naming each variable, without a stack', async () => {
    const started = start({
      ADMIN_BACKEND_URL: 'ftp://x',
      JWT_SECRET: 'short',
      NODE_ENV: 'production',
    });
    expect(await started.exited).toBe(1);
    const output = started.output();
    expect(output).toContain('ADMIN_BACKEND_URL must use http or https');
    expect(output).toContain('JWT_SECRET must be at least 32 bytes in production');
    expect(output).not.toMatch(/\n\s+at /);
  });

  it.each([
    ['the demo secret of tools/token.mjs', DEMO_JWT_SECRET],
    ['the e2e test secret', TEST_SECRET],
    ['a placeholder', 'change-me-please-to-something-long-enough'],
  ])('refuses to boot in production with %s, in one line naming JWT_SECRET', async (_n, secret) => {
    const started = start({ ADMIN_BACKEND_URL: sim.url, JWT_SECRET: secret, PORT: '0' });
    expect(await started.exited).toBe(1);
    const lines = started.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^Invalid configuration \(auth\): JWT_SECRET (is a secret published|looks like a placeholder)/,
    );
  });

  it('boots with the demo secret outside production (npm run demo)', async () => {
    const dev = serve({ JWT_SECRET: DEMO_JWT_SECRET, NODE_ENV: 'development' });
    try {
      await listeningUrl(dev);
    } finally {
      dev.child.kill('SIGKILL');
    }
  });

  // The variables are named in the endpoints' operation declarations, which must all have
  // reached the cache slice before main.ts checks the configuration.
  it("refuses to boot on a bad cache variable of an endpoint's operation, naming it", async () => {
    const started = start({
      ADMIN_BACKEND_URL: sim.url,
      JWT_SECRET: SECRET,
      STATUS_STALE_IF_ERROR_MS: 'soon',
      CALL_SUMMARY_CACHE_TTL_MS: '3600001',
    });
    expect(await started.exited).toBe(1);
    expect(started.output().trim()).toBe(
      'Invalid configuration (cache): STATUS_STALE_IF_ERROR_MS must be an integer from 0 to ' +
        '3600000 (got "soon"); CALL_SUMMARY_CACHE_TTL_MS must be an integer from 0 to 3600000 ' +
        '(got "3600001"). See .env.example.',
    );
  });

  it('says to add the scheme to an ADMIN_BACKEND_URL without one', async () => {
    const started = start({ ADMIN_BACKEND_URL: 'admin.example.com/api', JWT_SECRET: SECRET });
    expect(await started.exited).toBe(1);
    expect(started.output().trim()).toBe(
      'Invalid configuration (admin): ADMIN_BACKEND_URL has no scheme: add http:// or https:// ' +
        '(got "admin.example.com/api"). See .env.example.',
    );
  });

  describe('with its port taken', () => {
    let taken: Server;
    let port: number;
    beforeAll(async () => {
      taken = createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      port = (taken.address() as { port: number }).port;
    });
    afterAll(() => new Promise((resolve) => taken.close(resolve)));

    it.each([
      ['PORT', (p: number) => ({ PORT: String(p) })],
      ['METRICS_PORT', (p: number) => ({ PORT: '0', METRICS_PORT: String(p) })],
    ])('exits 1 with one line naming %s, before any start-up log', async (name, ports) => {
      const started = serve(ports(port));
      expect(await started.exited).toBe(1);
      expect(started.output()).toBe(
        `${name} ${port} is already in use on 127.0.0.1: stop what listens there or set ${name} to a free port\n`,
      );
    });
  });

  it('serves the contract, then drains and exits 0 on SIGTERM', async () => {
    const started = serve();
    try {
      const url = await listeningUrl(started);
      const token = mintToken({ secret: SECRET, subject: 'main-spec' });
      const ok = await fetch(`${url}/callStatus?roomName=demo`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toBe(
        '{"error":null,"data":{"transcript_status":false,"recording_status":true}}',
      );
      const denied = await fetch(`${url}/callStatus?roomName=demo`);
      expect(denied.status).toBe(401);
      expect(await denied.text()).toBe(
        '{"data":null,"error":{"code":401,"message":"Unauthorized"}}',
      );
      started.child.kill('SIGTERM');
      expect(await started.exited).toBe(0);
      // One JSON access line per request, with the request id the client was given, and
      // never the token.
      const output = started.output();
      const access = output
        .split('\n')
        .filter((line) => line.includes('"msg":"request"'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(access).toEqual([
        {
          level: 'info',
          time: expect.any(Number),
          msg: 'request',
          reqId: ok.headers.get('x-request-id'),
          method: 'GET',
          route: '/callStatus',
          status: 200,
          ms: expect.any(Number),
          sub: 'main-spec',
          upstream: 'ok',
          cache: 'miss',
        },
        {
          level: 'info',
          time: expect.any(Number),
          msg: 'request',
          reqId: denied.headers.get('x-request-id'),
          method: 'GET',
          route: '/callStatus',
          status: 401,
          ms: expect.any(Number),
        },
      ]);
      expect(output).not.toContain(token);
      // Started with start:prod's V8 flags: no warning that they are missing, nor any other.
      expect(logLines(output, 'warn')).toEqual([]);
    } finally {
      started.child.kill('SIGKILL');
    }
  });

  it('warns, naming the missing flags, when started with a bare node dist/main.js', async () => {
    const bare = serve({}, START_PROD.slice(-1));
    try {
      await listeningUrl(bare);
      expect(logLines(bare.output(), 'warn')).toEqual([
        {
          level: 'warn',
          time: expect.any(Number),
          context: 'Bootstrap',
          msg:
            `node was started without ${NODE_FLAGS.join(' ')}: expect up to twice the memory ` +
            '(docs/operations.md, "Memory"); npm run start:prod passes them',
        },
      ]);
    } finally {
      bare.child.kill('SIGKILL');
    }
  });
});
