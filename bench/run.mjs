// Load benchmark for GET /callStatus: the Nest server (dist/main.js) against the minimal
// node:http reference (bench/baseline-proxy.mjs), both in front of the Admin Control simulator.
// Usage: npm run bench  (= node bench/run.mjs); knobs are read from env, see CONFIG below.
import { fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import jwt from 'jsonwebtoken';
import { machineInfo, renderMarkdown, renderTable, summarize } from './report.mjs';
import { freePort, serverArgs, targetEnv } from './targets.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const DOC_PATH = path.join(ROOT, 'docs', 'benchmarks.md');

/** @type {Record<string, {connections: number, rooms: number | 'unique', fault?: object}>} */
const SCENARIOS = {
  miss: { connections: 50, rooms: 'unique' },
  poll: { connections: 200, rooms: 1 },
  storm: { connections: 1000, rooms: 50 },
  // 350 ms, not a divisor of the 1 s status TTL: with 500 ms the server's refreshes phase-lock
  // onto the healthy half of each cycle and never see a failure.
  faulty: { connections: 200, rooms: 1, fault: { mode: 'flapping', periodMs: 350 } },
};
const TARGETS = ['server', 'baseline', 'lean', 'bare', 'floor'];
/**
 * `lean` (opt-in: TARGETS=server,baseline,lean) is the server with what issue 4 added on the
 * request path switched off: no access log (LOG_LEVEL=warn), no metrics, no rate limit. It shows
 * what those cost and what the pieces every request needs (Nest, passport-jwt, class-validator,
 * axios on undici, the Admin Control resilience) cost on their own.
 * `bare` (opt-in) is the server started as `node dist/main.js`, without start:prod's V8 flags
 * (src/config/node-flags.ts): what those flags change in memory and CPU, measured interleaved.
 * `floor` (opt-in) is `bench/floor-app.mjs` with start:prod's V8 flags: the stack the project must
 * be built from (Nest on Fastify, class-validator DTO, passport-jwt guard, @nestjs/axios, an
 * exception filter) used the plain way, with the baseline's feature set and nothing more.
 */
const TARGET_ENV = {
  server: {},
  baseline: {},
  lean: { LOG_LEVEL: 'warn', METRICS_ENABLED: 'false', RATE_LIMIT_ENABLED: 'false' },
  bare: {},
  floor: {},
};

function die(message) {
  console.error(`bench: ${message}`);
  process.exit(1);
}
function intEnv(name, fallback, min) {
  const raw = process.env[name];
  const v = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(v) || v < min) die(`${name} must be an integer >= ${min} (got ${raw})`);
  return v;
}
function listEnv(name, allowed, fallback = allowed) {
  const raw = process.env[name];
  if (!raw) return fallback;
  const picked = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = picked.filter((s) => !allowed.includes(s));
  if (bad.length || !picked.length) die(`${name} must be a subset of ${allowed.join(',')}`);
  return allowed.filter((s) => picked.includes(s)); // keep the canonical order
}

const CONFIG = {
  rounds: intEnv('ROUNDS', 3, 1),
  durationS: intEnv('BENCH_DURATION', 8, 1),
  warmupS: intEnv('BENCH_WARMUP', 1, 0),
  scenarios: listEnv('SCENARIOS', Object.keys(SCENARIOS)),
  targets: listEnv('TARGETS', TARGETS, ['server', 'baseline']),
  // Only forwarded to the server when set; otherwise the server's own default (1000) applies.
  cacheTtlMs: intEnv('STATUS_CACHE_TTL_MS', 1000, 1),
  readyTimeoutS: intEnv('BENCH_READY_TIMEOUT', 30, 1),
  // Fresh connections per second opened during each measured run (0: none).
  probeRate: intEnv('BENCH_PROBE_RATE', 20, 0),
  writeDoc: process.env.BENCH_WRITE_DOC !== '0',
};
const KNOBS = [
  'ROUNDS',
  'BENCH_DURATION',
  'BENCH_WARMUP',
  'SCENARIOS',
  'TARGETS',
  'STATUS_CACHE_TTL_MS',
  'ADMIN_TIMEOUT_MS',
  'BENCH_READY_TIMEOUT',
  'BENCH_PROBE_RATE',
  'BENCH_TIMEOUT',
  'BENCH_WRITE_DOC',
  'BENCH_SIM_MODULE',
];
// The server starts as `npm run start:prod` starts it, V8 flags included (bench/targets.mjs).
const SERVER_ARGS = serverArgs();
// A throwaway signing secret for this run only (>= 32 bytes as the server requires).
const SECRET = randomBytes(48).toString('base64url');

// ---- process hygiene: every child is tracked and killed on any way out -------------------
const children = new Set();
let cannon = null;
const alive = (c) => c.exitCode === null && c.signalCode === null;
function killAll(signal) {
  for (const c of children) if (alive(c)) c.kill(signal);
}
process.on('exit', () => killAll('SIGKILL'));
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    console.error(`\nbench: ${sig} received, stopping children`);
    cannon?.stop();
    killAll('SIGTERM');
    process.exit(130);
  });
}
// Upper bound for the whole run: startup/stop slack per process plus every timed phase.
const perRunS = CONFIG.warmupS + CONFIG.durationS + 5;
const plannedS = CONFIG.scenarios.length * CONFIG.targets.length * (CONFIG.rounds * perRunS + 40);
const hardTimeoutS = intEnv('BENCH_TIMEOUT', plannedS + 60, 10);
setTimeout(() => {
  console.error(`bench: hard timeout after ${hardTimeoutS}s, killing children`);
  cannon?.stop();
  killAll('SIGKILL');
  process.exit(3);
}, hardTimeoutS * 1000).unref();

// ---- helpers ----------------------------------------------------------------------------
function httpStatus(url, timeoutMs) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

function exited(child, timeoutMs) {
  if (!alive(child)) return Promise.resolve(true);
  return Promise.race([
    new Promise((resolve) => child.once('exit', () => resolve(true))),
    sleep(timeoutMs).then(() => false),
  ]);
}

function tail(file, bytes = 2000) {
  try {
    return readFileSync(file, 'utf8').slice(-bytes);
  } catch {
    return '';
  }
}

// ---- Admin Control simulator (child process, IPC) ----------------------------------------
async function startSim() {
  const child = fork(path.join(ROOT, 'bench', 'sim-process.mjs'), [], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  children.add(child);
  const pending = new Map();
  let nextId = 0;
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('simulator not ready after 15 s')), 15_000);
    child.on('message', (msg) => {
      if (msg.type === 'ready') {
        clearTimeout(timer);
        resolve(msg.url);
      }
      if (msg.type === 'fatal') reject(new Error(msg.error));
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.value);
      else p.reject(new Error(msg.error));
    });
    child.once('exit', (code) => reject(new Error(`simulator process exited (code ${code})`)));
  });
  /** @param {'calls' | 'resetCounters' | 'setFault' | 'close'} cmd */
  const call = (cmd, arg) =>
    new Promise((resolve, reject) => {
      if (!alive(child)) return reject(new Error('simulator process is gone'));
      const id = ++nextId;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`simulator did not answer ${cmd} within 5 s`));
      }, 5000);
      pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      child.send({ id, cmd, arg });
    });
  const stop = async () => {
    await call('close').catch(() => {});
    if (!(await exited(child, 3000))) child.kill('SIGKILL');
  };
  return { url, call, stop, pid: child.pid };
}

// ---- fresh-connection prober (child process, IPC) ----------------------------------------
async function startProber() {
  const child = fork(path.join(ROOT, 'bench', 'connect-probe.mjs'), [], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  children.add(child);
  await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`prober exited (code ${code})`)));
  });
  const token = jwt.sign({ sub: 'bench-probe' }, SECRET, { algorithm: 'HS256', expiresIn: '2h' });
  return {
    /** Probes `url` from `afterMs` on until `untilMs` (both from now); resolves to the results. */
    during(url, scenario, afterMs, untilMs) {
      const room = SCENARIOS[scenario].rooms === 'unique' ? 'probe-{seq}' : `${scenario}-room-0`;
      const result = new Promise((resolve) => {
        const onMessage = (msg) => {
          if (msg.type !== 'result') return;
          child.off('message', onMessage);
          resolve(msg);
        };
        child.on('message', onMessage);
      });
      const path = `/callStatus?roomName=${room}`;
      const start = setTimeout(
        () => child.send({ cmd: 'start', url, path, token, perSecond: CONFIG.probeRate }),
        afterMs,
      );
      const stop = setTimeout(() => child.send({ cmd: 'stop' }), untilMs);
      const cancel = () => {
        clearTimeout(start);
        clearTimeout(stop);
        child.send({ cmd: 'stop' });
      };
      return { result, cancel };
    },
    stop: () => child.kill(),
  };
}

/** p50/p99/max of the probes of one run: a complete answer's time, connect included. */
function probeSummary(msg) {
  const v = Float64Array.from(msg.samples).sort();
  const at = (q) => (v.length ? v[Math.min(v.length - 1, Math.ceil(q * v.length) - 1)] : null);
  return {
    count: v.length,
    errors: msg.errors,
    statuses: msg.statuses,
    p50: at(0.5),
    p99: at(0.99),
    max: v.length ? v[v.length - 1] : null,
    samples: msg.samples,
  };
}

// ---- targets ----------------------------------------------------------------------------
async function startTarget(name, scenario, simUrl) {
  const port = await freePort();
  mkdirSync(path.join(RESULTS_DIR, 'logs'), { recursive: true });
  const logFile = path.join(RESULTS_DIR, 'logs', `${scenario}-${name}.log`);
  // Logs go straight to a file (kernel writes): piping them here would steal loader CPU.
  const fd = openSync(logFile, 'w');
  const env = { ...targetEnv({ port, adminUrl: simUrl, secret: SECRET }), ...TARGET_ENV[name] };
  const args =
    name === 'baseline'
      ? ['bench/baseline-proxy.mjs']
      : name === 'bare'
        ? [SERVER_ARGS.at(-1)]
        : name === 'floor'
          ? [...SERVER_ARGS.slice(0, -1), 'bench/floor-app.mjs']
          : SERVER_ARGS;
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  children.add(child);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + CONFIG.readyTimeoutS * 1000;
  while (Date.now() < deadline) {
    if (!alive(child)) {
      throw new Error(
        `${name} exited during startup (code ${child.exitCode}); log tail:\n` + tail(logFile),
      );
    }
    if ((await httpStatus(`${url}/health`, 1000)) === 200) return { name, child, url, logFile };
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(
    `${name} not ready (GET /health != 200) after ${CONFIG.readyTimeoutS}s; ` +
      `log tail:\n${tail(logFile)}`,
  );
}

async function stopTarget(t) {
  if (!alive(t.child)) return;
  t.child.kill('SIGTERM');
  if (!(await exited(t.child, 5000))) t.child.kill('SIGKILL');
}

// ---- measurement --------------------------------------------------------------------------
/** Peak VmRSS and CPU share of one process, sampled from /proc every 250 ms. */
function sampleProcess(pid) {
  let peakKb = 0;
  let lastKb = 0;
  const ticks = () => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(f[11]) + Number(f[12]); // utime + stime, in USER_HZ (100 on Linux)
    } catch {
      return NaN;
    }
  };
  const read = () => {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) {
        lastKb = Number(m[1]);
        peakKb = Math.max(peakKb, lastKb);
      }
    } catch {
      /* process gone: keep the last peak */
    }
  };
  const t0 = process.hrtime.bigint();
  const ticks0 = ticks();
  const self0 = process.cpuUsage();
  read();
  const timer = setInterval(read, 250);
  return () => {
    clearInterval(timer);
    read();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const self = process.cpuUsage(self0);
    return {
      peakRssMb: peakKb / 1024,
      // When the load stops: what the process keeps (V8 keeps freed heap pages for reuse).
      endRssMb: lastKb / 1024,
      targetCpuPct: ((ticks() - ticks0) / 100 / seconds) * 100,
      loaderCpuPct: ((self.user + self.system) / 1e6 / seconds) * 100,
    };
  };
}

/** One distinct HS256 token per connection, shared by both targets. */
function mintTokens(n) {
  return Array.from({ length: n }, (_, i) =>
    jwt.sign({ sub: `bench-user-${i}` }, SECRET, { algorithm: 'HS256', expiresIn: '2h' }),
  );
}

let missSeq = 0;
/** The request a given connection keeps sending in a scenario. */
function requestFor(scenario, i, token, tag) {
  const base = { method: 'GET', headers: { authorization: `Bearer ${token}` } };
  const { rooms } = SCENARIOS[scenario];
  if (rooms === 'unique') {
    // Rebuilt before every request: a room nobody asked for before, so no cache can answer.
    return {
      ...base,
      setupRequest: (req) => ({ ...req, path: `/callStatus?roomName=m-${tag}-${++missSeq}` }),
    };
  }
  return { ...base, path: `/callStatus?roomName=${scenario}-room-${i % rooms}` };
}

/** Kernel-wide count of connections dropped because a listen backlog was full. */
function listenOverflows() {
  try {
    const [head, values] = readFileSync('/proc/net/netstat', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('TcpExt:'))
      .map((l) => l.split(' '));
    return Number(values[head.indexOf('ListenOverflows')]);
  } catch {
    return NaN;
  }
}

/** p50/p99 of a latency sample (ms); sorting a typed array of a few 100k values is cheap. */
function percentiles(samples, count) {
  const v = samples.subarray(0, count).sort();
  const at = (q) => (count ? v[Math.min(count - 1, Math.ceil(q * count) - 1)] : null);
  return { p50: at(0.5), p99: at(0.99) };
}

function fire(target, scenario, tokens, durationS, tag, steady) {
  let nextClient = 0;
  return new Promise((resolve, reject) => {
    cannon = autocannon(
      {
        url: target.url,
        connections: SCENARIOS[scenario].connections,
        duration: durationS,
        timeout: 10,
        // setupClient runs once per connection, so its index picks the token and the room; the
        // per-request `context` is reset after every request when there is one request in the list.
        setupClient(client) {
          const i = nextClient++;
          client.setRequests([requestFor(scenario, i, tokens[i], tag)]);
        },
      },
      (err, res) => {
        cannon = null;
        if (err) reject(err);
        else resolve(res);
      },
    );
    // Steady-state latency: skip each connection's first response, which also pays for the TCP
    // connect (1000 simultaneous connects overflow Node's default listen backlog of 511 and
    // wait for a 1 s SYN retransmit, a harness artifact rather than the target's behaviour).
    if (steady) {
      const firstSeen = new WeakSet();
      cannon.on('response', (client, _status, _bytes, ms) => {
        if (!firstSeen.has(client)) return void firstSeen.add(client);
        if (steady.count === steady.samples.length) {
          const grown = new Float64Array(steady.samples.length * 2);
          grown.set(steady.samples);
          steady.samples = grown;
        }
        steady.samples[steady.count++] = ms;
      });
    }
  });
}

async function measure(target, scenario, round, sim, tokens, prober) {
  const { fault } = SCENARIOS[scenario];
  const tag = `${round}${target.name[0]}${Date.now().toString(36)}`;
  if (fault) await sim.call('setFault', fault);
  try {
    if (CONFIG.warmupS > 0) await fire(target, scenario, tokens, CONFIG.warmupS, `${tag}w`);
    const calls0 = await sim.call('calls');
    const overflows0 = listenOverflows();
    const steady = { samples: new Float64Array(1 << 16), count: 0 };
    const stopSampling = sampleProcess(target.child.pid);
    // Fresh connections from 1 s in (once the load generator's own connections are open) until
    // 0.5 s before the end, so that every probe meets a saturated target.
    const probing =
      prober && CONFIG.durationS >= 2
        ? prober.during(target.url, scenario, 1000, CONFIG.durationS * 1000 - 500)
        : null;
    let res;
    try {
      res = await fire(target, scenario, tokens, CONFIG.durationS, tag, steady);
    } catch (err) {
      probing?.cancel();
      throw err;
    }
    const usage = stopSampling();
    const probe = probing ? probeSummary(await probing.result) : null;
    const acCalls = (await sim.call('calls')) - calls0;
    const { p50, p99 } = percentiles(steady.samples, steady.count);
    if (!alive(target.child)) throw new Error(`${target.name} died during the run`);
    const total = res.requests.total;
    const statusCodes = Object.fromEntries(
      Object.entries(res.statusCodeStats).map(([code, { count }]) => [code, count]),
    );
    return {
      scenario,
      target: target.name,
      round,
      connections: SCENARIOS[scenario].connections,
      durationS: res.duration,
      requests: total,
      rps: res.requests.mean,
      p50,
      p99,
      p50All: res.latency.p50,
      p99All: res.latency.p99,
      listenOverflows: listenOverflows() - overflows0,
      non2xx: res.non2xx,
      errors: res.errors,
      timeouts: res.timeouts,
      statusCodes,
      acCalls,
      acCallsPerReq: total ? acCalls / total : null,
      acCallsPerSec: acCalls / res.duration,
      probe,
      ...usage,
    };
  } finally {
    if (fault) await sim.call('setFault', { mode: 'none' });
  }
}

// ---- main -------------------------------------------------------------------------------
async function main() {
  if (
    CONFIG.targets.some((t) => t !== 'baseline') &&
    !existsSync(path.join(ROOT, 'dist', 'main.js'))
  ) {
    die(
      'dist/main.js not found: run npm run build first ' +
        '(or set TARGETS=baseline to measure the baseline only)',
    );
  }
  mkdirSync(RESULTS_DIR, { recursive: true });
  const startedAt = new Date().toISOString();
  const overrides = KNOBS.filter((k) => process.env[k] !== undefined && process.env[k] !== '').map(
    (k) => `${k}=${process.env[k]}`,
  );
  const command = [...overrides, 'npm run bench'].join(' ');
  console.log(`bench: ${command} (hard timeout ${hardTimeoutS}s)`);

  console.log(`bench: Node ${process.version}, server: node ${SERVER_ARGS.join(' ')}`);
  const sim = await startSim();
  console.log(`bench: Admin Control simulator at ${sim.url} (pid ${sim.pid})`);
  const prober = CONFIG.probeRate > 0 ? await startProber() : null;
  const runs = [];
  const failures = [];
  const logs = [];
  try {
    for (const scenario of CONFIG.scenarios) {
      const tokens = mintTokens(SCENARIOS[scenario].connections);
      const targets = [];
      try {
        // Fresh processes per scenario; both stay up and take turns: A B A B ...
        for (const name of CONFIG.targets) targets.push(await startTarget(name, scenario, sim.url));
        for (let round = 1; round <= CONFIG.rounds; round++) {
          for (const target of targets) {
            const r = await measure(target, scenario, round, sim, tokens, prober);
            runs.push(r);
            console.log(
              `  ${scenario.padEnd(6)} ${target.name.padEnd(8)} round ${round}: ` +
                `${r.rps.toFixed(0)} req/s, p99 ${r.p99?.toFixed(1)} ms ` +
                `(incl. connect ${r.p99All} ms), non-2xx ${r.non2xx}, ` +
                `errors ${r.errors}, AC/req ${r.acCallsPerReq?.toFixed(3)}, ` +
                `RSS ${r.endRssMb.toFixed(0)} MB, ` +
                (r.probe ? `new-connection p99 ${r.probe.p99?.toFixed(0)} ms, ` : '') +
                `loader CPU ${r.loaderCpuPct.toFixed(0)}%`,
            );
            await sleep(300); // let the previous run's sockets close before the next one
          }
        }
      } catch (err) {
        failures.push({ scenario, message: err.message });
        console.error(`bench: scenario ${scenario} failed: ${err.message}`);
      } finally {
        await Promise.all(targets.map(stopTarget));
        for (const t of targets)
          logs.push({
            scenario,
            target: t.name,
            file: path.relative(ROOT, t.logFile),
            bytes: statSync(t.logFile).size,
          });
      }
    }
  } finally {
    prober?.stop();
    await sim.stop();
  }

  const report = {
    startedAt,
    finishedAt: new Date().toISOString(),
    command,
    machine: machineInfo(),
    config: {
      ...CONFIG,
      serverCommand: ['node', ...SERVER_ARGS].join(' '),
      cacheTtlSource: process.env.STATUS_CACHE_TTL_MS ? 'env' : 'server default',
      scenarioDefs: SCENARIOS,
      warmupS: CONFIG.warmupS,
    },
    failures,
    logs,
    runs,
  };
  report.summary = summarize(report);
  writeFileSync(path.join(RESULTS_DIR, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n${renderTable(report)}`);
  if (CONFIG.writeDoc) {
    mkdirSync(path.dirname(DOC_PATH), { recursive: true });
    // Sections other bench scripts own (## Fleet: npm run bench:fleet) are kept as they are.
    const previous = existsSync(DOC_PATH) ? readFileSync(DOC_PATH, 'utf8') : '';
    const kept = previous.indexOf('\n## Fleet');
    const tail = kept === -1 ? '' : previous.slice(kept);
    writeFileSync(DOC_PATH, await formatted(renderMarkdown(report) + tail, DOC_PATH));
    console.log(`bench: wrote ${path.relative(ROOT, DOC_PATH)} and bench/results/latest.json`);
  }
  if (failures.length) process.exitCode = 1;
}

main().then(
  () => process.exit(),
  (err) => {
    console.error(`bench: ${err.stack ?? err}`);
    process.exit(1);
  },
);

/** The repo's Prettier style, so that `npm run lint` passes on a freshly written report. */
async function formatted(markdown, filepath) {
  const prettier = await import('prettier').catch(() => null);
  if (prettier === null) return markdown;
  const options = (await prettier.resolveConfig(filepath)) ?? {};
  return prettier.format(markdown, { ...options, filepath });
}
