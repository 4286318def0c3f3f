// What one Admin Control call costs in CPU on each transport the server could use, measured in
// one process against the simulator (own process): raw node:http with a keep-alive agent (what
// bench/baseline-proxy.mjs does), raw undici dispatch, and axios (the HttpModule's client, as the
// server configures it) on the server's undici adapter and on a minimal node:http adapter.
// Usage: npm run build && npm run bench:transport   (CALLS per round, default 15000; ROUNDS, default 3)
import { fork } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import axios from 'axios';
import { Agent } from 'undici';
import { createUndiciAdapter, leanAxiosDefaults } from '../dist/admin-api/undici.adapter.js';
import { childProcesses, intEnv } from './targets.mjs';

const CALLS = intEnv('bench:transport', 'CALLS', 15000, 100);
const ROUNDS = intEnv('bench:transport', 'ROUNDS', 3, 1);
const CONCURRENCY = 50;

const { track } = childProcesses();
const sim = track(fork(fileURLToPath(new URL('sim-process.mjs', import.meta.url))));
const simUrl = await new Promise((resolve) =>
  sim.on('message', (m) => m.type === 'ready' && resolve(m.url)),
);
const base = new URL(simUrl);
const statusPath = (room) => `${base.pathname}/sessions-status/${room}`;

const collect = (res, resolve, reject) => {
  const chunks = [];
  res.on('data', (c) => chunks.push(c));
  res.on('end', () =>
    res.statusCode === 200
      ? resolve(Buffer.concat(chunks).toString())
      : reject(new Error(`status ${res.statusCode}`)),
  );
};
const agent = new http.Agent({ keepAlive: true, maxFreeSockets: 256 });
const rawHttp = (room) =>
  new Promise((resolve, reject) => {
    http
      .get({ agent, host: base.hostname, port: base.port, path: statusPath(room) }, (res) =>
        collect(res, resolve, reject),
      )
      .on('error', reject);
  });

const pool = new Agent({ connections: 64, pipelining: 1, keepAliveTimeout: 30_000 });
const rawUndici = (room) =>
  new Promise((resolve, reject) => {
    const chunks = [];
    let status = 0;
    pool.dispatch(
      { origin: base.origin, path: statusPath(room), method: 'GET', headers: {} },
      {
        onRequestStart() {},
        onResponseStart(_c, statusCode) {
          status = statusCode;
        },
        onResponseData(_c, chunk) {
          chunks.push(chunk);
        },
        onResponseEnd() {
          if (status === 200) resolve(Buffer.concat(chunks).toString());
          else reject(new Error(`status ${status}`));
        },
        onResponseError(_c, error) {
          reject(error);
        },
      },
    );
  });

// A minimal axios adapter on node:http: what axios costs on top of the raw call, without the
// weight of axios' own http adapter (follow-redirects, proxy lookup, stream pipeline).
const httpAdapter = (config) =>
  new Promise((resolve, reject) => {
    const url = new URL(config.url, config.baseURL);
    const request = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: config.method.toUpperCase(),
        headers: config.headers.toJSON(true),
      },
      (res) =>
        collect(
          res,
          (data) => resolve({ data, status: 200, statusText: '', headers: res.headers, config }),
          reject,
        ),
    );
    request.on('error', reject).end();
  });
const axiosOn = (adapter) => {
  const instance = axios.create({ baseURL: `${simUrl}/`, adapter, responseType: 'text' });
  leanAxiosDefaults(instance);
  return (room) => instance.get(`sessions-status/${room}`).then((r) => r.data);
};
const undiciAdapter = createUndiciAdapter({
  connections: 64,
  maxResponseBytes: 1 << 20,
  connectTimeoutMs: 1000,
});

const variants = {
  'node:http, raw': rawHttp,
  'undici, raw': rawUndici,
  'axios + undici adapter (the server)': axiosOn(undiciAdapter),
  'axios + minimal node:http adapter': axiosOn(httpAdapter),
};

let seq = 0;
async function measure(call, calls) {
  let started = 0;
  const before = process.cpuUsage();
  const worker = async () => {
    while (started < calls) {
      started++;
      JSON.parse(await call(`transport-${++seq}`));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / calls;
}

console.log(
  `bench:transport: Node ${process.version}, ${CALLS} calls x ${ROUNDS} rounds per variant`,
);
const results = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
for (const call of Object.values(variants)) await measure(call, 2000); // warm-up
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, call] of Object.entries(variants))
    results[name].push(await measure(call, CALLS));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log('\n| transport | CPU µs per call (median) | rounds |\n| --- | ---: | --- |');
for (const [name, xs] of Object.entries(results)) {
  console.log(`| ${name} | ${median(xs).toFixed(1)} | ${xs.map((x) => x.toFixed(1)).join(', ')} |`);
}
await Promise.all([pool.close(), undiciAdapter.close()]);
agent.destroy();
sim.kill();
