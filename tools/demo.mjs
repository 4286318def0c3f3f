// `npm run demo`: builds if needed, starts the Admin Control simulator and an S3-compatible
// server (holding the demo meetings' summaries) in-process, runs the built server against them
// and prints a token plus ready-to-paste curl lines.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { constants as osConstants, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_ROOMS, startAdminSimulator } from './admin-simulator.mjs';
import { DEMO_MEETINGS, DEMO_SUMMARY_BUCKET, summaryKey } from './demo-meetings.mjs';
import { S3_ACCESS_KEY_ID, S3_REGION, S3_SECRET_ACCESS_KEY, startS3Server } from './s3-server.mjs';
import { serverArgs } from './server-args.mjs';
import { DEMO_JWT_SECRET, mintToken } from './token.mjs';
import { addUser } from './user.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC_DIR = path.join(ROOT, 'src');
const DIST_MAIN = path.join(ROOT, 'dist', 'main.js');
const HEALTH_POLL_MS = 100;
const HEALTH_DEADLINE_MS = 20_000;
const TOKEN_LIFETIME_S = 24 * 60 * 60;

/** @typedef {{ code: number | null, signal: NodeJS.Signals | null }} ChildExit */

class DemoError extends Error {}

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * @param {string} value
 * @param {string} name
 */
function parsePort(value, name) {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new DemoError(`${name} must be a TCP port (1-65535), got "${value}"`);
  }
  return port;
}

/**
 * Newest modification time of any file below dir (0 when dir is missing).
 * @param {string} dir
 * @returns {Promise<number>}
 */
async function newestMtime(dir) {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  let newest = 0;
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    const time = entry.isDirectory() ? await newestMtime(full) : (await stat(full)).mtimeMs;
    newest = Math.max(newest, time);
  }
  return newest;
}

async function needsBuild() {
  let builtAt;
  try {
    builtAt = (await stat(DIST_MAIN)).mtimeMs;
  } catch {
    return true;
  }
  return (await newestMtime(SRC_DIR)) > builtAt;
}

/**
 * @param {string} command
 * @param {string[]} args
 * @returns {Promise<number | null>}
 */
function runInherited(command, args) {
  return new Promise((resolve, reject) => {
    // npx is a .cmd shim on Windows, which spawn only runs through a shell
    const child = spawn(command, args, {
      cwd: ROOT,
      stdio: 'inherit',
      shell: process.platform === 'win32',
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
}

async function buildIfNeeded() {
  if (!(await needsBuild())) return;
  console.log('demo: dist/main.js is missing or older than src/; running "npx nest build"');
  let code;
  try {
    code = await runInherited('npx', ['nest', 'build']);
  } catch (err) {
    throw new DemoError(`could not run "npx nest build": ${/** @type {Error} */ (err).message}`);
  }
  if (code !== 0) {
    throw new DemoError(
      `"npx nest build" failed (exit code ${code}); fix the errors above and rerun`,
    );
  }
  try {
    await stat(DIST_MAIN);
  } catch {
    throw new DemoError('"npx nest build" succeeded but dist/main.js does not exist');
  }
}

/** @param {string} url */
async function isHealthy(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    // drain the body so the keep-alive socket is reusable
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** @param {ChildExit} exit */
function describeExit(exit) {
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}

/** @param {ChildExit} exit */
function exitCodeOf(exit) {
  if (exit.code !== null) return exit.code;
  // shell convention for "terminated by signal N"
  const num = exit.signal ? osConstants.signals[exit.signal] : undefined;
  return num ? 128 + num : 1;
}

/**
 * @param {string} origin
 * @param {string} room
 * @param {Record<string, boolean>} status
 */
function curlSetRoom(origin, room, status) {
  const body = JSON.stringify(status);
  const url = `${origin}/_sim/rooms/${encodeURIComponent(room)}`;
  return `curl -s -X PUT -H 'content-type: application/json' -d '${body}' ${url}`;
}

/**
 * A development users file with `alice` and a generated password, in a fresh temporary folder
 * (removed when the demo stops). AUTH_USERS_FILE, when set, is used as it is instead.
 * @returns {Promise<{ file: string, password?: string, cleanup: () => Promise<void> }>}
 */
async function demoUsers() {
  const configured = process.env.AUTH_USERS_FILE;
  if (configured) return { file: configured, cleanup: async () => {} };
  const dir = await mkdtemp(path.join(tmpdir(), 'proconf-demo-'));
  const file = path.join(dir, 'users');
  const password = randomBytes(12).toString('base64url');
  await addUser(file, 'alice', password);
  return { file, password, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * @param {string} origin
 * @param {string} password
 */
function curlLogin(origin, password) {
  const body = JSON.stringify({ username: 'alice', password });
  return `curl -s -X POST -H 'content-type: application/json' -d '${body}' ${origin}/auth/login`;
}

/**
 * @param {string} origin
 * @param {string} token
 */
function curlProconfToken(origin, token) {
  const body = JSON.stringify({ role: 'owner', room: 'demo-room', participantName: 'Alex' });
  const headers = `-H "Authorization: Bearer ${token}" -H 'content-type: application/json'`;
  return `curl -s -X POST ${headers} -d '${body}' ${origin}/proconfToken`;
}

async function main() {
  const port = parsePort(process.env.PORT || '3000', 'PORT');
  const simPort = parsePort(process.env.SIM_PORT || '4010', 'SIM_PORT');
  const s3Port = parsePort(process.env.DEMO_S3_PORT || '4568', 'DEMO_S3_PORT');
  const appOrigin = `http://127.0.0.1:${port}`;
  const healthUrl = `${appOrigin}/health`;

  await buildIfNeeded();

  // a server left over from an earlier run would make the readiness check lie
  if (await isHealthy(healthUrl)) {
    throw new DemoError(`something already answers ${healthUrl}; stop it or set PORT`);
  }

  const users = await demoUsers();
  let sim;
  try {
    sim = await startAdminSimulator({
      port: simPort,
      unknownRooms: 'create',
      record: false,
      rooms: DEMO_ROOMS,
      log: (line) => console.log(`[admin-sim] ${line}`),
    });
  } catch (err) {
    const e = /** @type {NodeJS.ErrnoException} */ (err);
    await users.cleanup();
    if (e.code === 'EADDRINUSE') {
      throw new DemoError(`simulator port ${simPort} is in use; set SIM_PORT to a free port`);
    }
    throw err;
  }

  let s3;
  try {
    s3 = await startS3Server({ port: s3Port, buckets: [DEMO_SUMMARY_BUCKET] });
    for (const meeting of DEMO_MEETINGS) {
      await s3.putObject(DEMO_SUMMARY_BUCKET, summaryKey(meeting), meeting.summary);
    }
  } catch (err) {
    await s3?.close();
    await sim.close();
    await users.cleanup();
    const e = /** @type {NodeJS.ErrnoException} */ (err);
    if (e.code === 'EADDRINUSE') {
      throw new DemoError(`S3 port ${s3Port} is in use; set DEMO_S3_PORT to a free port`);
    }
    throw err;
  }

  const env = {
    ...process.env,
    NODE_ENV: process.env.NODE_ENV || 'development',
    PORT: String(port),
    HOST: process.env.HOST || '127.0.0.1',
    LOG_LEVEL: process.env.LOG_LEVEL || 'info',
    // owned by the demo: the server must talk to this simulator and accept the printed token
    ADMIN_BACKEND_URL: sim.url,
    JWT_SECRET: DEMO_JWT_SECRET,
    AUTH_USERS_FILE: users.file,
    // the summaries live in this S3 server; its account is the SDK's credential chain's first
    // source (the environment), so nothing else on this machine is consulted
    S3_BUCKET: DEMO_SUMMARY_BUCKET,
    S3_ENDPOINT: s3.endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    S3_REGION,
    S3_KEY_PREFIX: '',
    AWS_ACCESS_KEY_ID: S3_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: S3_SECRET_ACCESS_KEY,
    AWS_SESSION_TOKEN: '',
  };
  // As npm run start:prod starts it (V8 flags included); serverArgs() ends with dist/main.js.
  const child = spawn(process.execPath, [...serverArgs().slice(0, -1), DIST_MAIN], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
    // own process group: a terminal Ctrl+C reaches only us, so the server sees one signal
    detached: process.platform !== 'win32',
  });
  /** @type {ChildExit | undefined} */
  let childExit;
  /** @type {Promise<ChildExit>} */
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      childExit = { code, signal };
      resolve(childExit);
    });
  });

  let stopping = false;
  /** @param {NodeJS.Signals} signal */
  const onSignal = (signal) => {
    if (childExit) return;
    // a second Ctrl+C means "now"
    child.kill(stopping ? 'SIGKILL' : signal);
    stopping = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const deadline = Date.now() + HEALTH_DEADLINE_MS;
    let ready = false;
    while (!childExit && !stopping && Date.now() < deadline) {
      if (await isHealthy(healthUrl)) {
        ready = true;
        break;
      }
      await sleep(HEALTH_POLL_MS);
    }
    if (!ready && !stopping) {
      if (childExit) {
        throw new DemoError(
          `server exited before ${healthUrl} answered 200 (${describeExit(childExit)})`,
        );
      }
      child.kill('SIGTERM');
      // escalate if it ignores SIGTERM; unref so this timer never delays our own exit
      const escalate = setTimeout(() => child.kill('SIGKILL'), 5000);
      escalate.unref();
      const exit = await exited;
      clearTimeout(escalate);
      const how = describeExit(exit);
      throw new DemoError(
        `server did not answer 200 on ${healthUrl} within ${HEALTH_DEADLINE_MS / 1000} s (${how})`,
      );
    }

    if (ready) {
      const token = mintToken({
        secret: DEMO_JWT_SECRET,
        subject: 'demo-user',
        expiresInSeconds: TOKEN_LIFETIME_S,
        issuer: process.env.JWT_ISSUER || undefined,
        audience: process.env.JWT_AUDIENCE || undefined,
      });
      const rule = '-'.repeat(78);
      const callStatusUrl = `${appOrigin}/callStatus?roomName=demo-room`;
      const auth = `-H "Authorization: Bearer ${token}"`;
      const streamUrl = `${appOrigin}/callStatus/stream?roomName=demo-room`;
      console.log(
        [
          '',
          rule,
          `ProCONF app server ready on ${appOrigin}`,
          `Admin Control simulator on ${sim.url}`,
          '  (rooms demo-room and quiet-room; any other room is created with both flags off)',
          '',
          'Token (subject demo-user, valid 24 h):',
          `  ${token}`,
          '',
          'Call status, configuration, catch-up and ended meetings:',
          `  curl -s ${auth} "${callStatusUrl}"`,
          `  curl -s ${auth} "${appOrigin}/callConfig"`,
          `  curl -s ${auth} "${appOrigin}/callCatchUp/demo-room"`,
          `  curl -s ${auth} "${appOrigin}/meetings"`,
          '',
          'Status stream (Server-Sent Events; a change below shows up on it within a second):',
          `  curl -N ${auth} "${streamUrl}"`,
          '',
          ...(users.password === undefined
            ? [
                `Sign in as a user of ${users.file}:`,
                `  curl -s -X POST ... ${appOrigin}/auth/login`,
              ]
            : [
                `Sign in as alice (password ${users.password}), for a token like the one above:`,
                `  ${curlLogin(appOrigin, users.password)}`,
                `  (users file ${users.file}; more users: npm run user -- add <name> --file ${users.file})`,
              ]),
          '',
          'A guest token for demo-room (no sign-in; it reads demo-room only):',
          `  curl -s "${appOrigin}/auth/joinmember?roomName=demo-room"`,
          '',
          'The ProCONF token to start the meeting in demo-room (a guest token may ask for the',
          'participant role of its own room):',
          `  ${curlProconfToken(appOrigin, token)}`,
          '',
          'Turn recording on / off for demo-room in the simulator:',
          `  ${curlSetRoom(sim.origin, 'demo-room', { recording_status: true })}`,
          `  ${curlSetRoom(sim.origin, 'demo-room', { recording_status: false })}`,
          '',
          `Simulator state: curl -s ${sim.origin}/_sim/rooms ; curl -s ${sim.origin}/_sim/stats`,
          '',
          'Meeting summary (Admin Control says where it is, the server reads it from S3):',
          `  curl -s ${auth} "${appOrigin}/callSummary/demo-room"`,
          `  (rooms with a summary: ${DEMO_MEETINGS.map((m) => m.room_name).join(', ')})`,
          `S3-compatible server on ${s3.endpoint}, bucket ${DEMO_SUMMARY_BUCKET}, e.g.:`,
          `  curl -s ${s3.endpoint}/${DEMO_SUMMARY_BUCKET}/${summaryKey(DEMO_MEETINGS[0])}`,
          `Readiness (S3 "up"): curl -s ${appOrigin}/health/ready`,
          'Press Ctrl+C to stop.',
          rule,
          '',
        ].join('\n'),
      );
    }

    const exit = await exited;
    if (!stopping) console.error(`demo: server stopped (${describeExit(exit)})`);
    process.exitCode = exitCodeOf(exit);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (!childExit) child.kill('SIGKILL');
    await sim.close();
    await users.cleanup();
    await s3.close();
  }
}

main().catch((err) => {
  console.error(`demo: ${err instanceof DemoError ? err.message : (err?.stack ?? err)}`);
  process.exitCode = 1;
});
