import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module.js';
import { configureApp, createAdapter } from '../../src/app.setup.js';
import {
  startAdminSimulator,
  type AdminSimulator,
  type AdminSimulatorOptions,
} from '../../tools/admin-simulator.mjs';
import { mintToken, type MintTokenOptions } from '../../tools/token.mjs';
import { checkEveryInject } from './openapi-conformance.js';

export const TEST_SECRET = 'e2e-test-secret-0123456789-0123456789-abcdef';

export interface TestApp {
  app: NestFastifyApplication;
  sim: AdminSimulator;
  /** A valid token for the test secret; options override the defaults. */
  token(options?: Partial<MintTokenOptions>): string;
  /** GET with a valid token (or the given headers). */
  get(url: string, headers?: Record<string, string>): ReturnType<NestFastifyApplication['inject']>;
  close(): Promise<void>;
}

/**
 * Boots the real AppModule (same filter, pipe, guard and interceptors as production) against a
 * real Admin Control simulator on 127.0.0.1. `env` is the process environment the app's
 * configuration reads; it is restored on close(). Every answer to app.inject() is checked
 * against openapi.json (test/support/openapi-conformance.ts).
 */
export async function startTestApp(
  env: Record<string, string> = {},
  simOptions: AdminSimulatorOptions = {},
  existingSim?: AdminSimulator,
): Promise<TestApp> {
  const sim = existingSim ?? (await startAdminSimulator(simOptions));
  const restore = setEnv({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    ADMIN_BACKEND_URL: sim.url,
    JWT_SECRET: TEST_SECRET,
    ...env,
  });
  let app: NestFastifyApplication;
  try {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = configureApp(moduleRef.createNestApplication<NestFastifyApplication>(createAdapter()));
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    await checkEveryInject(app);
  } finally {
    restore();
  }
  const token = (options: Partial<MintTokenOptions> = {}): string =>
    mintToken({ secret: TEST_SECRET, subject: 'tester', ...options });
  return {
    app,
    sim,
    token,
    get: (url, headers) =>
      app.inject({
        method: 'GET',
        url,
        headers: headers ?? { authorization: `Bearer ${token()}` },
      }),
    close: async () => {
      await app.close();
      if (existingSim === undefined) await sim.close();
    },
  };
}

export function setEnv(values: Record<string, string | undefined>): () => void {
  const saved = Object.fromEntries(Object.keys(values).map((key) => [key, process.env[key]]));
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  return () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}
