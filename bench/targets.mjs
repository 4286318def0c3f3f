// What the bench scripts (run.mjs, soak.mjs, fleet.mjs, stream.mjs, memory-costs.mjs) share
// about starting their processes.
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

// The start:prod command line (V8 flags included), for every script that starts the server.
export { serverArgs } from '../tools/server-args.mjs';

/** An integer variable of the script (or its default); anything else stops the script. */
export function intEnv(script, name, fallback, min) {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < min) {
    console.error(`${script}: ${name} must be an integer >= ${min} (got ${raw})`);
    process.exit(1);
  }
  return value;
}

/**
 * The script's child processes: every one `track`ed is killed on any way out (exit, Ctrl-C,
 * SIGTERM); `alive` tells whether one still runs.
 */
export function childProcesses() {
  const children = new Set();
  const alive = (child) => child.exitCode === null && child.signalCode === null;
  process.on('exit', () => {
    for (const child of children) if (alive(child)) child.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));
  const track = (child) => {
    children.add(child);
    return child;
  };
  return { track, alive };
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A throwaway redis-server on loopback (no persistence), once it accepts connections. */
export async function startRedis(track) {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const binary = found.stdout.trim();
  if (found.status !== 0 || binary === '') throw new Error('redis-server is not installed');
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = track(spawn(binary, args, { stdio: 'ignore' }));
  const deadline = Date.now() + 5000;
  while (!(await canConnect(port))) {
    if (Date.now() > deadline) throw new Error('redis-server did not start');
    await sleep(20);
  }
  return { url: `redis://127.0.0.1:${port}`, child };
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** The environment a target runs with: production settings, logging at the default level. */
export function targetEnv({ port, adminUrl, secret }) {
  return {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    ADMIN_BACKEND_URL: adminUrl,
    JWT_SECRET: secret,
    LOG_LEVEL: 'info',
    // The rate limiter stays on (its cost is measured), with a limit the load generator's few
    // hundred clients polling thousands of times a minute cannot reach.
    RATE_LIMIT_PER_MINUTE: process.env.RATE_LIMIT_PER_MINUTE ?? '1000000',
  };
}
