import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyListenOptions } from 'fastify';
import type { Server as HttpServer } from 'node:http';
import net, { type AddressInfo } from 'node:net';

// SO_REUSEPORT spreading connections over sockets: Linux; through net.Server#listen() since
// Node 22.12 / 23.1. Elsewhere (a developer's macOS) the server listens on one socket.
const REUSE_PORT = process.platform === 'linux' && reusePortInNode(process.versions.node);

function reusePortInNode(version: string): boolean {
  const [major, minor] = version.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
}

/** What to listen on, and the variable each number comes from (for messages). */
export interface Listener {
  variable: 'PORT' | 'METRICS_PORT';
  port: number;
  host: string;
}

export interface ListenOptions {
  port: number;
  host: string;
  /** Accept queue of each listening socket (the kernel caps it at net.core.somaxconn). */
  backlog: number;
  /** Listening sockets on host:port feeding the one HTTP server (LISTEN_SOCKETS). */
  sockets: number;
}

/** One line an operator can act on, for an error from listen(). */
export function listenErrorMessage(error: unknown, { variable, port, host }: Listener): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'EADDRINUSE':
      return `${variable} ${port} is already in use on ${host}: stop what listens there or set ${variable} to a free port`;
    case 'EACCES':
      return `${variable} ${port} needs privileges on ${host}: use a port above 1023 (a proxy can serve 80/443) or grant CAP_NET_BIND_SERVICE`;
    case 'EADDRNOTAVAIL':
      return `HOST ${host} is not an address of this machine (cannot listen on ${variable} ${port})`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `HOST ${host} cannot be resolved (cannot listen on ${variable} ${port})`;
    default:
      return `cannot listen on HOST ${host}, ${variable} ${port}: ${typeof code === 'string' ? code : String(error)}`;
  }
}

/**
 * Why the server could not listen where it is configured to, found before the app boots (so an
 * operator sees one line, not Nest's start-up log followed by a stack), or undefined. Port 0
 * (any free port) always works. The real listen() can still lose a race; main.ts reports that
 * the same way.
 */
export async function listenProblem(listener: Listener): Promise<string | undefined> {
  if (listener.port === 0) return undefined;
  try {
    await bindOnce(listener.port, listener.host);
    return undefined;
  } catch (error) {
    return listenErrorMessage(error, listener);
  }
}

/** Every problem with the listeners, one line each: a clash between them first. */
export async function listenProblems(listeners: readonly Listener[]): Promise<string[]> {
  const [main, ...others] = listeners;
  const clash = others.find((other) => other.port !== 0 && other.port === main.port);
  if (clash !== undefined)
    return [`${clash.variable} must differ from ${main.variable} (${main.port})`];
  const problems: string[] = [];
  for (const listener of listeners) {
    const problem = await listenProblem(listener);
    if (problem !== undefined) problems.push(problem);
  }
  return problems;
}

/**
 * Listens on host:port with `sockets` listening sockets that share the port (SO_REUSEPORT)
 * and hand their connections to the one HTTP server.
 *
 * Why: Node (libuv) accepts one connection per listening socket per event-loop turn, and a turn
 * of a busy server lasts as long as it takes to serve every connection that has a request
 * waiting (200 polling clients at ~250 us each: ~50 ms). With one socket, a burst of new
 * connections (clients reconnecting after a deploy, or arriving while the server is saturated)
 * drains at ~20 a second, and a client behind the burst waits seconds for its first answer.
 * With N sockets the kernel spreads new connections over them and N are accepted per turn
 * (docs/operations.md, "Capacity").
 *
 * SO_REUSEPORT would also let a second instance started by the same user share the port
 * silently, so the port is bound once without it right before: if anything holds it, this fails
 * with EADDRINUSE as a plain listen would.
 */
export async function listen(app: NestFastifyApplication, options: ListenOptions): Promise<void> {
  const { host, backlog, sockets } = options;
  if (sockets <= 1 || !REUSE_PORT) {
    await app.listen({ port: options.port, host, backlog });
    return;
  }
  if (options.port !== 0) await bindOnce(options.port, host);
  const extra: net.Server[] = [];
  const drained: Promise<void>[] = [];
  const fastify = app.getHttpAdapter().getInstance();
  // On shutdown they stop accepting with the server; the close waits for their connections too
  // (the HTTP server only counts the ones its own socket accepted).
  fastify.addHook('preClose', (done) => {
    for (const server of extra)
      drained.push(new Promise((resolve) => server.close(() => resolve())));
    done();
  });
  fastify.addHook('onClose', async () => {
    await Promise.all(drained);
  });
  // Fastify hands these to net.Server#listen(), which takes reusePort (Node >= 22.12).
  const shared: FastifyListenOptions & { reusePort: boolean } = {
    port: options.port,
    host,
    backlog,
    reusePort: true,
  };
  await app.listen(shared);
  const http = app.getHttpServer() as HttpServer;
  const bound = http.address() as AddressInfo;
  for (let i = 1; i < sockets; i++) {
    const server = net.createServer((socket) => http.emit('connection', socket));
    await listenOn(server, { port: bound.port, host: bound.address, backlog, reusePort: true });
    extra.push(server);
  }
}

/** Binds host:port without SO_REUSEPORT and lets it go: fails if anything holds the port. */
async function bindOnce(port: number, host: string): Promise<void> {
  const probe = net.createServer();
  await listenOn(probe, { port, host, exclusive: true });
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

function listenOn(server: net.Server, options: net.ListenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
