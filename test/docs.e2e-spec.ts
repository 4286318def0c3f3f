import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

const NOT_FOUND = '{"error":{"code":404,"message":"Not found"},"data":null}';
const TOO_MANY = '{"data":null,"error":{"code":429,"message":"Too many requests"}}';
const UNAUTHORIZED = '{"data":null,"error":{"code":401,"message":"Unauthorized"}}';

// What the Swagger UI page loads, and everything else swagger-ui-dist ships.
const UI = [
  '/docs',
  '/docs/',
  '/docs/index.html',
  '/docs/swagger-ui-init.js',
  '/docs/swagger-ui.css',
  '/docs/swagger-ui-bundle.js',
  '/docs/swagger-ui-standalone-preset.js',
  '/docs/favicon-16x16.png',
  '/docs/favicon-32x32.png',
  '/docs-json',
];
const distDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const NOT_SERVED = readdirSync(distDir)
  .map((file) => `/docs/${file}`)
  .filter((path) => !UI.includes(path));

describe('/docs', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('serves the UI page, its assets and the document without a token', async () => {
    for (const url of UI) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body.length, url).toBeGreaterThan(0);
    }
  });

  it('serves none of the other files of swagger-ui-dist: source maps, package.json...', async () => {
    expect(NOT_SERVED).toEqual(
      expect.arrayContaining([
        '/docs/swagger-ui-bundle.js.map',
        '/docs/swagger-ui.css.map',
        '/docs/package.json',
        '/docs/README.md',
        '/docs/index.js',
        '/docs/absolute-path.js',
      ]),
    );
    for (const url of [...NOT_SERVED, '/docs/nope.js', '/docs/a/b.js']) {
      for (const method of ['GET', 'HEAD'] as const) {
        const res = await t.app.inject({ method, url });
        expect(res.statusCode, `${method} ${url}`).toBe(404);
        if (method === 'GET') expect(res.body, url).toBe(NOT_FOUND);
      }
    }
  });
});

describe('/docs and the per-address rate limit', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '4' });
  });
  afterAll(() => t.close());

  const from = (remoteAddress: string, url: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url, remoteAddress, headers });

  it('counts docs requests, served or refused, in the address budget the 401s share', async () => {
    const ip = '192.0.2.10';
    expect((await from(ip, '/docs-json')).statusCode).toBe(200);
    expect((await from(ip, '/docs/swagger-ui.css')).statusCode).toBe(200);
    expect((await from(ip, '/docs/swagger-ui-bundle.js.map')).statusCode).toBe(404);
    expect((await from(ip, '/callStatus?roomName=demo')).body).toBe(UNAUTHORIZED);
    for (const url of ['/docs', '/docs-json', '/docs/swagger-ui.css', '/docs/package.json']) {
      const res = await from(ip, url);
      expect(res.statusCode, url).toBe(429);
      expect(res.body, url).toBe(TOO_MANY);
      expect(Number(res.headers['retry-after']), url).toBeGreaterThan(0);
    }
    // The same budget: a request without a token from that address is held up too.
    expect((await from(ip, '/callStatus?roomName=demo')).statusCode).toBe(429);
    // Another address has its own.
    expect((await from('192.0.2.11', '/docs-json')).statusCode).toBe(200);
  });

  it('does not count a valid token holder on the same address against it', async () => {
    const ip = '192.0.2.20';
    for (let i = 0; i < 4; i++) expect((await from(ip, '/docs-json')).statusCode).toBe(200);
    expect((await from(ip, '/docs-json')).statusCode).toBe(429);
    const auth = { authorization: `Bearer ${t.token({ subject: 'docs-neighbour' })}` };
    t.sim.setRoom('demo', { recording_status: true });
    expect((await from(ip, '/callStatus?roomName=demo', auth)).statusCode).toBe(200);
  });
});

describe('DOCS_ENABLED=false', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ DOCS_ENABLED: 'false' });
  });
  afterAll(() => t.close());

  it('answers 404 in the envelope for the UI, its assets and the document', async () => {
    for (const url of UI) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.body, url).toBe(NOT_FOUND);
    }
  });
});
