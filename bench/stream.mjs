// Push-stream benchmark (GET /callStatus/stream): many open streams on one room, then changes.
// Usage: npm run build && npm run bench:stream
//   STREAM_CLIENTS (5000)        streams in total, spread evenly over the instances
//   STREAM_SCENARIOS (single,fleet)  single: one instance; fleet: three instances and one Redis
//   STREAM_IDLE_S (10)           idle window in which Admin Control calls, CPU and RSS are measured
//   STREAM_CHANGES (5)           recording-state flips, each timed until the last stream has it
//   STATUS_WATCH_INTERVAL_MS (1000)
// Reports per scenario: Admin Control calls per watch interval at idle, per-instance RSS and CPU
// at idle and while a change fans out, and the time from the change (PUT to the simulator) to
// the first and the last stream having it. Writes bench/results/stream-<time>.json.
import { fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import jwt from 'jsonwebtoken';
import { childProcesses, freePort, intEnv, serverArgs, startRedis, targetEnv } from './targets.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const SECRET = randomBytes(48).toString('base64url');
const ROOM = 'bench-stream-room';

const CONFIG = {
  clients: intEnv('bench:stream', 'STREAM_CLIENTS', 5000, 1),
  idleS: intEnv('bench:stream', 'STREAM_IDLE_S', 10, 1),
  changes: intEnv('bench:stream', 'STREAM_CHANGES', 5, 1),
  intervalMs: intEnv('bench:stream', 'STATUS_WATCH_INTERVAL_MS', 1000, 100),
  scenarios: (process.env.STREAM_SCENARIOS ?? 'single,fleet').split(',').map((s) => s.trim()),
};
const SCENARIOS = { single: { instances: 1, redis: false }, fleet: { instances: 3, redis: true } };
for (const name of CONFIG.scenarios) {
  if (!(name in SCENARIOS)) {
    console.error(`bench:stream: STREAM_SCENARIOS must be a subset of single,fleet`);
    process.exit(1);
  }
}

// ---- processes: every child is killed on any way out ---------------------------------------
const { track, alive } = childProcesses();

function exited(child, timeoutMs) {
  if (!alive(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function startSim() {
  const child = fork(path.join(ROOT, 'bench', 'sim-process.mjs'), [], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  track(child);
  const url = await new Promise((resolve, reject) => {
    child.on('message', (message) => {
      if (message.type === 'ready') resolve(message.url);
      if (message.type === 'fatal') reject(new Error(message.error));
    });
    child.once('exit', (code) => reject(new Error(`simulator exited (code ${code})`)));
  });
  return { url, origin: new URL(url).origin, child };
}

async function startServer(simUrl, redis) {
  const port = await freePort();
  const env = {
    ...targetEnv({ port, adminUrl: simUrl, secret: SECRET }),
    LOG_LEVEL: 'warn',
    STATUS_WATCH_INTERVAL_MS: String(CONFIG.intervalMs),
    STREAM_MAX_CONNECTIONS: String(CONFIG.clients + 100),
    ...(redis ? { REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.prefix } : {}),
  };
  const child = spawn(process.execPath, serverArgs(), {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  track(child);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (!alive(child)) throw new Error(`server exited during startup (code ${child.exitCode})`);
    if ((await status(`${url}/health/ready`)) === 200) return { url, child };
    await sleep(100);
  }
  throw new Error('server not ready after 30 s');
}

function request(url, method = 'GET', body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function status(url) {
  return request(url).then(
    (res) => res.status,
    () => 0,
  );
}

async function simCalls(sim) {
  const { text } = await request(`${sim.origin}/_sim/stats`);
  return JSON.parse(text).byRoom?.[ROOM] ?? 0;
}

function setRecording(sim, on) {
  return request(
    `${sim.origin}/_sim/rooms/${ROOM}`,
    'PUT',
    JSON.stringify({ recording_status: on, transcript_status: false }),
  );
}

// ---- /proc readings -------------------------------------------------------------------------
function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime, USER_HZ (100)
}

function rssMb(pid) {
  const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** CPU share (% of one core) of each process over `run`, and its result. */
async function cpuDuring(pids, run) {
  const before = pids.map(cpuTicks);
  const started = process.hrtime.bigint();
  const result = await run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = pids.map((pid, i) => ((cpuTicks(pid) - before[i]) / 100 / seconds) * 100);
  return { cpu, seconds, result };
}

// ---- stream clients ---------------------------------------------------------------------------
/** One stream: the last status data it received and when. */
function openStream(base, token) {
  return new Promise((resolve, reject) => {
    const client = { last: undefined, at: 0, events: 0, request: undefined };
    const req = http.request(
      `${base}/callStatus/stream?roomName=${ROOM}`,
      { headers: { authorization: `Bearer ${token}` }, agent: false },
      (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`stream answered ${res.statusCode}`));
          res.resume();
          return;
        }
        res.setEncoding('utf8');
        let buffer = '';
        res.on('data', (chunk) => {
          buffer += chunk;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = /^data: (.*)$/m.exec(block);
            if (data === null) continue;
            client.last = data[1];
            client.at = performance.now();
            client.events++;
            if (client.events === 1) resolve(client);
          }
        });
      },
    );
    req.on('error', reject);
    client.request = req;
    req.end();
  });
}

async function openAll(servers) {
  const tokens = Array.from({ length: CONFIG.clients }, (_, i) =>
    jwt.sign({ sub: `stream-bench-${i}` }, SECRET, { algorithm: 'HS256', expiresIn: '2h' }),
  );
  const clients = [];
  let next = 0;
  // A few hundred connection attempts at a time: a reconnect storm is not what is measured.
  const worker = async () => {
    while (next < tokens.length) {
      const i = next++;
      clients.push(await openStream(servers[i % servers.length].url, tokens[i]));
    }
  };
  await Promise.all(Array.from({ length: 200 }, worker));
  return clients;
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const round = (value, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

async function runScenario(name) {
  const { instances, redis: withRedis } = SCENARIOS[name];
  const sim = await startSim();
  await setRecording(sim, true);
  // One key prefix for the fleet: the instances share leases and channels.
  const redis = withRedis
    ? { ...(await startRedis(track)), prefix: `bench${Date.now()}:` }
    : undefined;
  const servers = [];
  for (let i = 0; i < instances; i++) servers.push(await startServer(sim.url, redis));
  const pids = servers.map((server) => server.child.pid);
  const rssBefore = pids.map(rssMb);

  const opening = performance.now();
  const clients = await openAll(servers);
  const openS = (performance.now() - opening) / 1000;
  console.log(`  ${name}: ${clients.length} streams open in ${round(openS)} s`);
  await sleep(2000); // settle: the watchers run, connection bursts are over

  const callsBefore = await simCalls(sim);
  const idle = await cpuDuring(pids, () => sleep(CONFIG.idleS * 1000));
  const calls = (await simCalls(sim)) - callsBefore;
  const idleRss = pids.map(rssMb);

  const changes = [];
  for (let c = 0; c < CONFIG.changes; c++) {
    const recording = c % 2 === 0 ? false : true;
    const expected = `{"transcript_status":false,"recording_status":${recording}}`;
    // Changes land at different points of the watch interval.
    await sleep(CONFIG.intervalMs * (1 + Math.random()));
    const fan = await cpuDuring(pids, async () => {
      const t0 = performance.now();
      await setRecording(sim, recording);
      const deadline = Date.now() + 10 * CONFIG.intervalMs + 10_000;
      while (clients.some((client) => client.last !== expected)) {
        if (Date.now() > deadline) throw new Error('not every stream got the change in time');
        await sleep(5);
      }
      const delays = clients.map((client) => client.at - t0).sort((a, b) => a - b);
      return { first: delays[0], p50: percentile(delays, 50), last: delays.at(-1) };
    });
    changes.push({ ...fan.result, cpu: fan.cpu, seconds: fan.seconds });
  }
  const peakRss = pids.map(rssMb);

  for (const client of clients) client.request.destroy();
  for (const server of servers) {
    server.child.kill('SIGTERM');
    if (!(await exited(server.child, 15_000))) server.child.kill('SIGKILL');
  }
  sim.child.kill('SIGTERM');
  if (redis) redis.child.kill('SIGKILL');

  return {
    scenario: name,
    instances,
    streams: clients.length,
    openSeconds: round(openS),
    idle: {
      seconds: round(idle.seconds),
      adminControlCalls: calls,
      callsPerInterval: round(calls / ((idle.seconds * 1000) / CONFIG.intervalMs), 2),
      cpuPct: idle.cpu.map((cpu) => round(cpu)),
      rssMbBeforeStreams: rssBefore.map((rss) => round(rss)),
      rssMb: idleRss.map((rss) => round(rss)),
    },
    changes: changes.map((change) => ({
      firstMs: round(change.first),
      p50Ms: round(change.p50),
      lastMs: round(change.last),
      cpuPct: change.cpu.map((cpu) => round(cpu)),
    })),
    rssMbAfterChanges: peakRss.map((rss) => round(rss)),
  };
}

async function main() {
  console.log(
    `bench:stream: ${CONFIG.clients} streams, watch interval ${CONFIG.intervalMs} ms, ` +
      `idle ${CONFIG.idleS} s, ${CONFIG.changes} changes; scenarios ${CONFIG.scenarios.join(',')}`,
  );
  const results = [];
  for (const name of CONFIG.scenarios) results.push(await runScenario(name));
  for (const r of results) {
    const lasts = r.changes.map((change) => change.lastMs);
    console.log(
      [
        '',
        `${r.scenario}: ${r.streams} streams on ${r.instances} instance(s) (opened in ${r.openSeconds} s)`,
        `  idle ${r.idle.seconds} s: Admin Control calls ${r.idle.adminControlCalls} ` +
          `(${r.idle.callsPerInterval} per interval), CPU ${r.idle.cpuPct.join(' / ')} %, ` +
          `RSS ${r.idle.rssMb.join(' / ')} MB (before streams ${r.idle.rssMbBeforeStreams.join(' / ')} MB)`,
        ...r.changes.map(
          (change, i) =>
            `  change ${i + 1}: first ${change.firstMs} ms, p50 ${change.p50Ms} ms, last ` +
            `${change.lastMs} ms; CPU meanwhile ${change.cpuPct.join(' / ')} %`,
        ),
        `  last stream has the change after ${Math.min(...lasts)}-${Math.max(...lasts)} ms; ` +
          `RSS after the changes ${r.rssMbAfterChanges.join(' / ')} MB`,
      ].join('\n'),
    );
  }
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(
    RESULTS_DIR,
    `stream-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
  );
  writeFileSync(file, `${JSON.stringify({ config: CONFIG, results }, null, 2)}\n`);
  console.log(`\nresults: ${path.relative(ROOT, file)}`);
  process.exit(0);
}

main().catch((error) => {
  console.error(`bench:stream: ${error?.stack ?? error}`);
  process.exit(1);
});
