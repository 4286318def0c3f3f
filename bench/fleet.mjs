// Fleet measurement: three server instances (dist/main.js) sharing one real Redis, clients
// polling one room through all three; counts the Admin Control calls per second against the
// status cache TTL's rate (one call per TTL for the whole fleet is the goal).
// Usage: npm run build && npm run bench:fleet
// Knobs: FLEET_INSTANCES (3), FLEET_CLIENTS (200), FLEET_DURATION (20 s), FLEET_WARMUP (2 s),
// FLEET_POLL_MS (1000: each client polls once a second, as apps do; 0: as fast as possible),
// STATUS_CACHE_TTL_MS (1000), FLEET_REDIS=off (the same fleet without Redis, for reference).
// Counts calls, so a busy machine does not change the figure much.
import { fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import jwt from 'jsonwebtoken';
import { childProcesses, freePort, intEnv, serverArgs, startRedis, targetEnv } from './targets.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ROOM = 'fleet-room';

const CONFIG = {
  instances: intEnv('bench:fleet', 'FLEET_INSTANCES', 3, 1),
  clients: intEnv('bench:fleet', 'FLEET_CLIENTS', 200, 1),
  durationS: intEnv('bench:fleet', 'FLEET_DURATION', 20, 1),
  warmupS: intEnv('bench:fleet', 'FLEET_WARMUP', 2, 0),
  pollMs: intEnv('bench:fleet', 'FLEET_POLL_MS', 1000, 0),
  ttlMs: intEnv('bench:fleet', 'STATUS_CACHE_TTL_MS', 1000, 1),
  redis: process.env.FLEET_REDIS !== 'off',
};
const SECRET = randomBytes(48).toString('base64url');

// ---- every child is tracked and killed on any way out -------------------------------------
const { track, alive } = childProcesses();
const plannedS = CONFIG.warmupS + CONFIG.durationS + 60;
setTimeout(() => {
  console.error(`bench:fleet: hard timeout after ${plannedS} s`);
  process.exit(3);
}, plannedS * 1000).unref();

async function startSim() {
  const child = fork(path.join(ROOT, 'bench', 'sim-process.mjs'), [], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  track(child);
  const waiting = new Map();
  let next = 0;
  const url = await new Promise((resolve, reject) => {
    child.on('message', (message) => {
      if (message.type === 'ready') resolve(message.url);
      const pending = waiting.get(message.id);
      if (pending === undefined) return;
      waiting.delete(message.id);
      if (message.ok) pending.resolve(message.value);
      else pending.reject(new Error(message.error));
    });
    child.once('exit', () => reject(new Error('simulator exited')));
  });
  const call = (cmd, arg) =>
    new Promise((resolve, reject) => {
      const id = ++next;
      waiting.set(id, { resolve, reject });
      child.send({ id, cmd, arg });
    });
  return { url, call };
}

function healthy(url) {
  return new Promise((resolve) => {
    const request = http.get(`${url}/health`, { timeout: 1000, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

async function startInstance(simUrl, redisUrl) {
  const port = await freePort();
  const env = {
    ...targetEnv({ port, adminUrl: simUrl, secret: SECRET }),
    LOG_LEVEL: 'warn',
    STATUS_CACHE_TTL_MS: String(CONFIG.ttlMs),
    ...(redisUrl === undefined ? { REDIS_URL: '' } : { REDIS_URL: redisUrl }),
    REDIS_KEY_PREFIX: 'fleet:',
  };
  const child = spawn(process.execPath, serverArgs(), { cwd: ROOT, env, stdio: 'inherit' });
  track(child);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (!(await healthy(url))) {
    if (!alive(child) || Date.now() > deadline) throw new Error(`instance on ${port} not ready`);
    await sleep(100);
  }
  // Ready includes Redis: an instance that has not connected yet would not share.
  while (redisUrl !== undefined && !(await ready(url))) await sleep(100);
  return url;
}

function ready(url) {
  return new Promise((resolve) => {
    const request = http.get(`${url}/health/ready`, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    request.on('error', () => resolve(false));
  });
}

/** Each instance gets its share of the clients; every client has its own token. */
function poll(urls, durationS) {
  const perInstance = urls.map(
    (_, i) => Math.floor(CONFIG.clients / urls.length) + (i < CONFIG.clients % urls.length ? 1 : 0),
  );
  let client = 0;
  return Promise.all(
    urls.map(
      (url, i) =>
        new Promise((resolve, reject) => {
          const tokens = Array.from({ length: perInstance[i] }, () =>
            jwt.sign({ sub: `fleet-user-${client++}` }, SECRET, { expiresIn: '1h' }),
          );
          let next = 0;
          autocannon(
            {
              url,
              connections: perInstance[i],
              duration: durationS,
              ...(CONFIG.pollMs > 0 ? { connectionRate: 1000 / CONFIG.pollMs } : {}),
              timeout: 10,
              setupClient(c) {
                const token = tokens[next++ % tokens.length];
                c.setRequests([
                  {
                    method: 'GET',
                    path: `/callStatus?roomName=${ROOM}`,
                    headers: { authorization: `Bearer ${token}` },
                  },
                ]);
              },
            },
            (error, result) => (error ? reject(error) : resolve(result)),
          );
        }),
    ),
  );
}

async function main() {
  if (!existsSync(path.join(ROOT, 'dist', 'main.js'))) {
    console.error('bench:fleet: dist/main.js not found: run npm run build first');
    process.exit(1);
  }
  const redisUrl = CONFIG.redis ? (await startRedis(track)).url : undefined;
  const sim = await startSim();
  const urls = [];
  for (let i = 0; i < CONFIG.instances; i++) urls.push(await startInstance(sim.url, redisUrl));
  console.log(
    `bench:fleet: ${CONFIG.instances} instances ${redisUrl ? 'sharing one Redis' : 'without Redis'}, ` +
      `${CONFIG.clients} clients polling one room ` +
      `${CONFIG.pollMs > 0 ? `every ${CONFIG.pollMs} ms` : 'as fast as they can'}, TTL ${CONFIG.ttlMs} ms`,
  );
  if (CONFIG.warmupS > 0) await poll(urls, CONFIG.warmupS);
  const before = await sim.call('calls');
  const started = performance.now();
  const results = await poll(urls, CONFIG.durationS);
  const seconds = (performance.now() - started) / 1000;
  const calls = (await sim.call('calls')) - before;
  const requests = results.reduce((sum, r) => sum + r.requests.total, 0);
  const non2xx = results.reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0);
  const statuses = {};
  for (const r of results) {
    for (const [code, { count }] of Object.entries(r.statusCodeStats)) {
      statuses[code] = (statuses[code] ?? 0) + count;
    }
  }
  const perSecond = calls / seconds;
  const ttlRate = 1000 / CONFIG.ttlMs;
  const ratio = perSecond / ttlRate;
  console.log(
    [
      `requests: ${requests} in ${seconds.toFixed(1)} s (${(requests / seconds).toFixed(0)}/s), ` +
        `status codes ${JSON.stringify(statuses)}, failed: ${non2xx}`,
      `Admin Control calls: ${calls} = ${perSecond.toFixed(2)}/s; TTL rate ${ttlRate.toFixed(2)}/s; ` +
        `ratio ${ratio.toFixed(2)}x (target <= 1.2x)`,
    ].join('\n'),
  );
  await sim.call('close').catch(() => undefined);
  process.exitCode = non2xx > 0 ? 1 : 0;
}

main().then(
  () => process.exit(),
  (error) => {
    console.error(`bench:fleet: ${error.stack ?? error}`);
    process.exit(1);
  },
);
