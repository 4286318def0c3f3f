// What the benchmark (run.mjs) and the soak (soak.mjs) share about starting a target.
import net from 'node:net';

export { serverArgs } from '../tools/server-args.mjs';

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
