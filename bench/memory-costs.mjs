// What each bounded in-process cache of the built server (dist/) costs per entry, and what one
// open keep-alive connection costs the server process. The figures in docs/operations.md
// ("Memory") come from here. Usage: npm run build && npx node bench/memory-costs.mjs
// Each cache is measured in a fresh child process (its own heap): heap used after full GCs,
// before and after storing ENTRIES entries, divided by ENTRIES.
// `npx node bench/memory-costs.mjs idle`: the idle server instead (VmRSS and heap used after
// full GCs, IDLE_RUNS runs, with this environment: S3 not configured and docs on unless set),
// and the heap each optional library adds when imported after @nestjs/core.
import { fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import jwt from 'jsonwebtoken';
import { freePort, intEnv, serverArgs, targetEnv } from './targets.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENTRIES = 20_000;
const CONNECTIONS = 2000;
const IDLE_WAIT_MS = 5000;
// The server runs with NODE_ENV=production, which refuses any secret written in the repository.
const SECRET = randomBytes(48).toString('base64url');
const BEARER = /^Bearer +([A-Za-z0-9_.~+/=-]+) *$/i; // as src/auth/jwt-auth.guard.ts

const hs256 = (i) => jwt.sign({ sub: `user-${i}@example.com` }, SECRET, { expiresIn: '1h' });
// An identity provider's RS256 access token is typically 800-1,200 characters.
const long = (i) => `${hs256(i)}.${'x'.repeat(1000)}`.slice(0, 1000);
const hour = () => Math.floor(Date.now() / 1000) + 3600;

/** One row per cache: how to build it and how to store entry i in it. */
const CACHES = [
  {
    name: 'verified token, HS256 token (~180 characters)',
    make: async () => new (await dist('auth/verified-token.cache.js')).VerifiedTokenCache(ENTRIES),
    // The cached token is the guard's regex capture of the Authorization header: the header
    // string lives as long as the entry.
    add: (cache, i) =>
      cache.set(BEARER.exec(`Bearer ${hs256(i)}`)[1], {
        subject: `user-${i}@example.com`,
        expiresAt: hour(),
      }),
  },
  {
    name: 'verified token, 1,000-character token',
    make: async () => new (await dist('auth/verified-token.cache.js')).VerifiedTokenCache(ENTRIES),
    add: (cache, i) =>
      cache.set(BEARER.exec(`Bearer ${long(i)}`)[1], {
        subject: `user-${i}@example.com`,
        expiresAt: hour(),
      }),
  },
  {
    name: 'rate-limit counter, token subject',
    make: async () => new (await dist('throttle/sliding-window-counter.js')).SlidingWindowCounter(),
    add: (counter, i) => counter.hit(`default:sub:user-${i}@example.com`, 60_000, 600),
  },
  {
    name: 'rate-limit counter, IPv6 /64 address',
    make: async () => new (await dist('throttle/sliding-window-counter.js')).SlidingWindowCounter(),
    add: (counter, i) => counter.hit(`default:ip:2001:db8:${i.toString(16)}::/64`, 60_000, 600),
  },
  {
    name: 'validated query DTO, ?roomName=<10 characters>',
    make: async () => new (await dist('common/validation.pipe.js')).DtoValidationPipe(),
    add: (pipe, i) =>
      pipe.transform({ roomName: `room-${i}` }, { type: 'query', metatype: QueryDto }),
  },
  {
    name: 'validated query DTO, ?roomName=<128 characters>',
    make: async () => new (await dist('common/validation.pipe.js')).DtoValidationPipe(),
    add: (pipe, i) =>
      pipe.transform(
        { roomName: `room-${i}-`.padEnd(128, 'x') },
        { type: 'query', metatype: QueryDto },
      ),
  },
  {
    name: 'status cache, 10-character room',
    make: statusCache,
    add: (cache, i) => cache.get(`room-${i}`),
  },
  {
    name: 'status cache, 128-character room',
    make: statusCache,
    add: (cache, i) => cache.get(`room-${i}-`.padEnd(128, 'x')),
  },
];

// The pipe keeps the outcome per DTO class whatever its rules: one field, as GetCallStatusQueryDto.
class QueryDto {}

// The status cache is the answer store every cached Admin Control operation shares
// (src/cache/cache-store.ts), keyed as OperationCache keys it: "<operation>:<room>".
async function statusCache() {
  const { CacheStore } = await dist('cache/cache-store.js');
  const store = new CacheStore(Number.MAX_SAFE_INTEGER);
  return {
    get: (room) => {
      const value = { transcript_status: true, recording_status: false };
      const answer = { value, fetchedAt: Date.now() };
      store.set(`sessionStatus:${room}`, answer, JSON.stringify(value).length, 3_600_000);
    },
  };
}

function dist(file) {
  return import(new URL(`../dist/${file}`, import.meta.url).href);
}

/** In the child: one cache's bytes per entry. */
async function measureCache(index) {
  await import('reflect-metadata');
  const heap = () => {
    globalThis.gc();
    globalThis.gc();
    return process.memoryUsage().heapUsed;
  };
  const { make, add } = CACHES[index];
  const cache = await make();
  const before = heap();
  for (let i = 0; i < ENTRIES; i++) await add(cache, i);
  const after = heap();
  globalThis.keep = cache;
  process.send((after - before) / ENTRIES);
}

function inChild(arg) {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [String(arg)], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('message', (bytes) => {
      child.kill();
      resolve(bytes);
    });
    child.once('exit', (code) => reject(new Error(`measurement ${arg} exited (${code})`)));
  });
}

/** RSS the server gains per open keep-alive connection that has served one request. */
async function perConnection() {
  const sim = fork(fileURLToPath(new URL('sim-process.mjs', import.meta.url)), [], {
    stdio: 'ignore',
  });
  const adminUrl = await new Promise((resolve) =>
    sim.on('message', (m) => m.type === 'ready' && resolve(m.url)),
  );
  const port = await freePort();
  const server = spawn(process.execPath, serverArgs(), {
    cwd: ROOT,
    env: { ...targetEnv({ port, adminUrl, secret: SECRET }), LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  try {
    const rssKb = () =>
      Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))[1]);
    const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
    const request = (i) =>
      new Promise((resolve, reject) => {
        const headers = { authorization: `Bearer ${hs256(i)}` };
        http
          .get({ host: '127.0.0.1', port, path: '/callStatus?roomName=c', agent, headers }, (res) =>
            res.resume().on('end', resolve),
          )
          .on('error', reject);
      });
    for (let i = 0; ; i++) {
      if (
        await request(i).then(
          () => true,
          () => false,
        )
      )
        break;
      if (i > 100) throw new Error('server not ready');
      await sleep(100);
    }
    // Warm up on a few connections, then open CONNECTIONS more, 100 at a time.
    for (let i = 0; i < 20; i++)
      await Promise.all(Array.from({ length: 20 }, (_, j) => request(j)));
    await sleep(500);
    const before = rssKb();
    for (let n = 0; n < CONNECTIONS; n += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, j) => request(1000 + n + j)));
    }
    await sleep(500);
    const perConnectionKb = (rssKb() - before) / CONNECTIONS;
    agent.destroy();
    return perConnectionKb;
  } finally {
    server.kill();
    sim.kill();
  }
}

/** The optional libraries whose import cost `idle` prints (each loaded only where it is used). */
const LIBRARIES = [
  '@aws-sdk/client-s3',
  '@nestjs/swagger',
  '@fastify/static',
  'jwks-rsa',
  'bcryptjs',
  'ioredis',
];

/** In the child: heap used after full GCs before and after importing `library`. */
async function measureLibrary(library) {
  await import('reflect-metadata');
  await import('@nestjs/core');
  const heap = () => {
    globalThis.gc();
    globalThis.gc();
    return process.memoryUsage().heapUsed;
  };
  const before = heap();
  globalThis.keep = await import(library);
  process.send(heap() - before);
}

// Preloaded into the server (`--import`): on any IPC message it answers the heap used after
// full GCs. Nothing of it is in dist/.
const HEAP_PROBE =
  'data:text/javascript,process.on("message",()=>{gc();gc();process.send(process.memoryUsage().heapUsed)})';

/** VmRSS and heap used of the built server, started as start:prod starts it, once idle. */
async function idleServer(env) {
  const port = await freePort();
  const [flags, main] = [serverArgs().slice(0, -1), serverArgs().at(-1)];
  const server = spawn(
    process.execPath,
    [...flags, '--expose-gc', `--import=${HEAP_PROBE}`, main],
    {
      cwd: ROOT,
      env: { ...targetEnv({ port, adminUrl: env.adminUrl, secret: SECRET }), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    },
  );
  try {
    for (let i = 0; ; i++) {
      const live = await fetch(`http://127.0.0.1:${port}/health/live`).then(
        (res) => res.ok,
        () => false,
      );
      if (live) break;
      if (i > 200) throw new Error('server not ready');
      await sleep(50);
    }
    await sleep(IDLE_WAIT_MS);
    const rssKb = Number(
      /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))[1],
    );
    const heap = await new Promise((resolve) => {
      server.once('message', resolve);
      server.send('heap');
    });
    return { rssMb: rssKb / 1024, heapMb: heap / 2 ** 20 };
  } finally {
    server.kill();
  }
}

async function idle() {
  const runs = intEnv('memory-costs', 'IDLE_RUNS', 3, 1);
  // The server gets this environment: S3_BUCKET=... or DOCS_ENABLED=false measure those.
  const s3 = process.env.S3_BUCKET !== undefined;
  const docs = process.env.DOCS_ENABLED !== 'false';
  console.log(
    `idle server, ${IDLE_WAIT_MS / 1000} s after boot (S3 ${s3 ? 'configured' : 'not configured'}, ` +
      `docs ${docs ? 'on' : 'off'}, Node ${process.version})`,
  );
  const sim = fork(fileURLToPath(new URL('sim-process.mjs', import.meta.url)), [], {
    stdio: 'ignore',
  });
  try {
    const adminUrl = await new Promise((resolve) =>
      sim.on('message', (m) => m.type === 'ready' && resolve(m.url)),
    );
    for (let run = 1; run <= runs; run++) {
      const { rssMb, heapMb } = await idleServer({ adminUrl });
      console.log(`run ${run}: VmRSS ${rssMb.toFixed(1)} MB, heap used ${heapMb.toFixed(1)} MB`);
    }
  } finally {
    sim.kill();
  }
  console.log('heap used after import, after @nestjs/core (MB)');
  for (const library of LIBRARIES) {
    const bytes = await inChild(`lib:${library}`);
    console.log(`${(bytes / 2 ** 20).toFixed(1).padStart(6)}  ${library}`);
  }
}

if (process.argv[2] === 'idle') {
  await idle();
  process.exit(0);
} else if (process.argv[2]?.startsWith('lib:')) {
  await measureLibrary(process.argv[2].slice(4));
} else if (process.argv[2] !== undefined) {
  await measureCache(Number(process.argv[2]));
} else {
  console.log(
    `bytes per entry, heap used after full GCs, ${ENTRIES} entries (Node ${process.version})`,
  );
  for (let i = 0; i < CACHES.length; i++) {
    console.log(`${String(Math.round(await inChild(i))).padStart(6)}  ${CACHES[i].name}`);
  }
  const kb = await perConnection();
  console.log(
    `${kb.toFixed(1).padStart(6)} KB RSS per open keep-alive connection (${CONNECTIONS} opened)`,
  );
  process.exit(0);
}
