// Memory soak for the built server: sustained load, then whether the heap that survives each
// full GC keeps growing. It found an unbounded log backlog and a status cache holding every room
// ever seen (docs/performance.md, "Memory under sustained load").
// Usage: npm run soak  (= node bench/soak.mjs). Env: SOAK_SECONDS (default 90), SOAK_SCENARIO
// (miss | poll, default miss), SOAK_MAX_GROWTH_MB_PER_MIN (default 5). Exit 1 above the limit.
import { fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { mintToken } from '../tools/token.mjs';
import { freePort, serverArgs, targetEnv } from './targets.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SECONDS = Number(process.env.SOAK_SECONDS ?? 90);
const SCENARIO = process.env.SOAK_SCENARIO ?? 'miss';
const MAX_GROWTH = Number(process.env.SOAK_MAX_GROWTH_MB_PER_MIN ?? 5);
// Caches fill up during the first seconds (DTO outcomes, status cache): not a leak.
const WARMUP_S = 15;
// The target runs with NODE_ENV=production, which refuses any secret written in the repository.
const SECRET = randomBytes(48).toString('base64url');

// A trend needs several full GCs after the warm-up; they come every 5-10 s under this load.
const MIN_GCS = 6;
if (!Number.isFinite(SECONDS) || SECONDS < WARMUP_S + 45) {
  throw new Error(`SOAK_SECONDS must be at least ${WARMUP_S + 45}`);
}
if (!['miss', 'poll'].includes(SCENARIO)) throw new Error('SOAK_SCENARIO must be miss or poll');

async function waitReady(url) {
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await sleep(100);
  }
  throw new Error('server not ready after 10 s');
}

const rssMb = (pid) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

/** Least-squares slope of y over x. */
function slope(points) {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

const sim = fork(fileURLToPath(new URL('sim-process.mjs', import.meta.url)), [], {
  stdio: 'ignore',
});
const simUrl = await new Promise((resolve) =>
  sim.on('message', (m) => m.type === 'ready' && resolve(m.url)),
);
const port = await freePort();
// The production command line (npm run start:prod), V8 flags included, plus --trace-gc.
const server = spawn(process.execPath, ['--trace-gc', ...serverArgs()], {
  cwd: ROOT,
  env: targetEnv({ port, adminUrl: simUrl, secret: SECRET }),
  stdio: ['ignore', 'pipe', 'inherit'],
});
// --trace-gc lines: "[pid:addr]   12345 ms: Mark-Compact 141.8 (171.7) -> 53.7 (170.2) MB, ..."
const survivors = [];
let partial = '';
server.stdout.on('data', (chunk) => {
  const lines = (partial + chunk.toString()).split('\n');
  partial = lines.pop();
  for (const line of lines) {
    const m = /(\d+) ms: Mark-Compact [\d.]+ \([\d.]+\) -> ([\d.]+)/.exec(line);
    if (m) survivors.push({ x: Number(m[1]) / 1000, y: Number(m[2]) });
  }
});

const url = `http://127.0.0.1:${port}`;
let exitCode = 0;
try {
  await waitReady(url);
  const rss = [];
  const sampler = setInterval(() => rss.push(rssMb(server.pid)), 5000);
  let room = 0;
  let client = 0;
  console.log(`soak: ${SCENARIO} for ${SECONDS} s against ${url}`);
  const result = await autocannon({
    url,
    connections: 50,
    duration: SECONDS,
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          path: `/callStatus?roomName=${SCENARIO === 'miss' ? `soak-${room++}` : 'soak'}`,
        }),
      },
    ],
    setupClient: (c) =>
      c.setHeaders({
        authorization: `Bearer ${mintToken({ secret: SECRET, subject: `soak-${client++}` })}`,
      }),
  });
  clearInterval(sampler);
  const late = survivors.filter((p) => p.x >= WARMUP_S);
  if (late.length < MIN_GCS) {
    throw new Error(`only ${late.length} full GCs after the warm-up: run longer`);
  }
  const growth = slope(late) * 60;
  const fmt = (n) => n.toFixed(1);
  console.log(
    `soak: ${result.requests.total} requests (${Math.round(result.requests.average)}/s), ` +
      `${result.non2xx} non-2xx, ${result.errors} errors`,
  );
  console.log(
    `soak: heap surviving full GCs after ${WARMUP_S} s: ${fmt(late[0].y)} -> ` +
      `${fmt(late.at(-1).y)} MB over ${late.length} GCs, trend ${fmt(growth)} MB/min ` +
      `(limit ${MAX_GROWTH})`,
  );
  console.log(`soak: RSS every 5 s (MB): ${rss.map(fmt).join(' ')}`);
  if (growth > MAX_GROWTH) {
    console.error('soak: FAIL: the surviving heap keeps growing');
    exitCode = 1;
  } else {
    console.log('soak: PASS');
  }
} catch (error) {
  console.error(`soak: ${error.stack ?? error}`);
  exitCode = 1;
} finally {
  // Keep reading its output until it has exited: a closed pipe would fail its last writes.
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  if ((await Promise.race([exited, sleep(15_000, 'timeout')])) === 'timeout') {
    console.error('soak: the server did not exit within 15 s of SIGTERM');
    server.kill('SIGKILL');
    exitCode = 1;
  }
  sim.send({ id: 1, cmd: 'close' });
  await sleep(500);
  sim.kill();
  process.exit(exitCode);
}
