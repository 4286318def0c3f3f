// What the benchmark (run.mjs) and the soak (soak.mjs) share about starting a target.
import { readFileSync } from 'node:fs';
import net from 'node:net';

const PACKAGE_JSON = new URL('../package.json', import.meta.url);

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

/**
 * The server's command line as production starts it: `npm run start:prod` is
 * `node <flags> dist/main.js`, and the V8 flags in it (the heap sizing, docs/operations.md
 * "Memory") change how much memory the server holds, so the benchmark and the soak run the
 * same flags on this Node (process.execPath) rather than a bare `node dist/main.js`.
 * @returns {string[]} the arguments after `node`
 */
export function serverArgs() {
  const script = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')).scripts?.['start:prod'] ?? '';
  const words = script.trim().split(/\s+/);
  if (words[0] !== 'node' || words.at(-1) !== 'dist/main.js') {
    throw new Error(`start:prod must read "node [flags] dist/main.js" (got "${script}")`);
  }
  return words.slice(1);
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
