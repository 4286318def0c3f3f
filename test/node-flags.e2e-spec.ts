import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NODE_FLAGS } from '../src/config/node-flags.js';

// The compiled entry point (skipped without a build, as in main.e2e-spec.ts).
const MAIN = new URL('../dist/main.js', import.meta.url).pathname;
const built = existsSync(MAIN);
if (!built && process.env.CI) throw new Error('dist/main.js is missing: build before testing');

// Runs in production (NODE_ENV unset), which refuses every secret written in the repository.
const SECRET = randomBytes(48).toString('base64url');

/** Boots dist/main.js with these node options, returns its output up to "listening on". */
async function bootOutput(nodeArgs: readonly string[]): Promise<string> {
  const child = spawn(process.execPath, [...nodeArgs, MAIN], {
    env: {
      PATH: process.env.PATH,
      ADMIN_BACKEND_URL: 'http://127.0.0.1:9',
      JWT_SECRET: SECRET,
      PORT: '0',
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    const deadline = Date.now() + 10_000;
    while (!output.includes('listening on')) {
      if (Date.now() > deadline || child.exitCode !== null) {
        throw new Error(`server did not start:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return output;
  } finally {
    child.kill('SIGKILL');
  }
}

describe.skipIf(!built)('Node flags at boot', () => {
  it('says nothing when started as npm run start:prod starts it', async () => {
    expect(await bootOutput(NODE_FLAGS)).not.toContain('node was started without');
  });

  it('warns, naming the missing flags, when started with a bare node dist/main.js', async () => {
    const output = await bootOutput([]);
    const warning = output
      .split('\n')
      .filter((line) => line.includes('node was started without'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(warning).toEqual([
      {
        level: 'warn',
        time: expect.any(Number),
        context: 'Bootstrap',
        msg:
          `node was started without ${NODE_FLAGS.join(' ')}: expect up to twice the memory ` +
          '(docs/operations.md, "Memory"); npm run start:prod passes them',
      },
    ]);
  });
});
