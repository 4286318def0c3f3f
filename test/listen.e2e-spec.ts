import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from '../src/app.module.js';
import { configureApp, createAdapter } from '../src/app.setup.js';
import { listen } from '../src/listen.js';
import { startAdminSimulator, type AdminSimulator } from '../tools/admin-simulator.mjs';
import { mintToken } from '../tools/token.mjs';
import { setEnv, TEST_SECRET } from './support/test-app.js';

/** Sockets on 127.0.0.1:port in a TCP state (0A listening, 01 established), from the kernel. */
function sockets(port: number, state: '0A' | '01'): number {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[1] === local && fields[3] === state).length;
}
const listeningSockets = (port: number) => sockets(port, '0A');

/** One request on a connection of its own (no keep-alive agent). */
function fresh(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const token = mintToken({ secret: TEST_SECRET, subject: 'listen-spec' });
    http
      .get(
        {
          host: '127.0.0.1',
          port,
          path,
          agent: false,
          headers: { authorization: `Bearer ${token}` },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        },
      )
      .on('error', reject);
  });
}

describe(listen.name, () => {
  let sim: AdminSimulator;
  let app: NestFastifyApplication | undefined;

  beforeAll(async () => {
    sim = await startAdminSimulator({ unknownRooms: 'create' });
  });
  afterEach(async () => {
    sim.setFault({ mode: 'none' });
    await app?.close();
    app = undefined;
  });
  afterAll(() => sim.close());

  /** The app as main.ts builds it, listening through listen(). */
  async function boot(sockets: number, port = 0): Promise<number> {
    const restore = setEnv({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      ADMIN_BACKEND_URL: sim.url,
      JWT_SECRET: TEST_SECRET,
      STATUS_CACHE_TTL_MS: '0',
    });
    try {
      const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
      const created = configureApp(
        moduleRef.createNestApplication<NestFastifyApplication>(createAdapter()),
      );
      try {
        await listen(created, { port, host: '127.0.0.1', backlog: 511, sockets });
      } catch (error) {
        await created.close();
        throw error;
      }
      app = created;
      return (created.getHttpServer().address() as AddressInfo).port;
    } finally {
      restore();
    }
  }

  it('listens on one port with every socket serving the app', async () => {
    const port = await boot(4);
    expect(listeningSockets(port)).toBe(4);
    // The kernel spreads new connections over the sockets: 24 fresh ones reach all of them.
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) => fresh(port, `/callStatus?roomName=listen-${i}`)),
    );
    expect(answers).toEqual(
      Array.from({ length: 24 }, () => ({
        status: 200,
        body: '{"error":null,"data":{"transcript_status":false,"recording_status":false}}',
      })),
    );
  });

  it('listens on a single socket when asked for one', async () => {
    const port = await boot(1);
    expect(listeningSockets(port)).toBe(1);
    expect((await fresh(port, '/health')).status).toBe(200);
  });

  it('fails with EADDRINUSE when another instance holds the port, as a plain listen would', async () => {
    // Another instance's socket allows sharing the port (SO_REUSEPORT), as this one's do.
    const holder = net.createServer();
    await new Promise<void>((resolve) =>
      holder.listen({ port: 0, host: '127.0.0.1', reusePort: true }, resolve),
    );
    const port = (holder.address() as AddressInfo).port;
    try {
      await expect(boot(4, port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
      expect(listeningSockets(port)).toBe(1); // the holder's socket only: nothing joined it
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  });

  it('on close stops accepting on every socket and waits for their requests in flight', async () => {
    const port = await boot(4);
    const server = app!.getHttpServer() as http.Server;
    // Which listening socket accepted each connection, by the client's port (Node's HTTP server
    // sets socket.server to itself; _server stays the net.Server that accepted it).
    const acceptedBy = new Map<number, 'main' | 'extra'>();
    server.on('connection', (socket: net.Socket & { _server?: unknown }) => {
      acceptedBy.set(socket.remotePort!, socket._server === server ? 'main' : 'extra');
    });
    const clients = await Promise.all(
      Array.from(
        { length: 12 },
        () =>
          new Promise<net.Socket>((resolve) => {
            const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
          }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const onExtra = clients.find((c) => acceptedBy.get(c.localPort!) === 'extra')!;
    expect(onExtra).toBeDefined();
    for (const c of clients) if (c !== onExtra) c.destroy();
    // One slow request, on a connection an extra socket accepted.
    sim.setFault({ mode: 'slow', delayMs: 400 });
    let answer = '';
    onExtra.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    const ended = new Promise((resolve) => onExtra.once('end', resolve));
    const token = mintToken({ secret: TEST_SECRET, subject: 'listen-spec' });
    onExtra.write(
      `GET /callStatus?roomName=drain HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n\r\n`,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    // As src/shutdown.ts does: connections close as soon as they go idle.
    const sweeper = setInterval(() => server.closeIdleConnections(), 50);
    const closing = app!.close().finally(() => clearInterval(sweeper));
    app = undefined;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(listeningSockets(port)).toBe(0);
    await closing;
    // The close waited for it: answered, and the server's side of the connection closed.
    expect(sockets(port, '01')).toBe(0);
    await ended;
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(answer).toContain(
      '{"error":null,"data":{"transcript_status":false,"recording_status":false}}',
    );
    onExtra.destroy();
  });
});
