import jwt from 'jsonwebtoken';
import { createHmac, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, TEST_SECRET, type TestApp } from './support/test-app.js';

const OK = '{"error":null,"data":{"transcript_status":false,"recording_status":true}}';
const UNAUTHORIZED = '{"data":null,"error":{"code":401,"message":"Unauthorized"}}';
const INTERVAL_MS = 400;

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaNext = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });

function jwk(publicKey: KeyObject, kid: string, alg: string): JsonWebKey {
  return { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
}

type Mode = 'ok' | 'hang' | 'error';

interface JwksServer {
  url: string;
  hits: number;
  mode: Mode;
  keys: JsonWebKey[];
  /** Stops listening and drops every connection: the identity provider is down. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

/** A JWKS endpoint on 127.0.0.1 that counts its requests. */
async function startJwksServer(keys: JsonWebKey[]): Promise<JwksServer> {
  const hanging = new Set<ServerResponse>();
  const server = createServer((_req, res) => {
    state.hits += 1;
    if (state.mode === 'hang') {
      hanging.add(res);
      return;
    }
    if (state.mode === 'error') {
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"boom"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: state.keys }));
  });
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const res of hanging) res.destroy();
      hanging.clear();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  await listen();
  port = (server.address() as AddressInfo).port;
  const state: JwksServer = {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    hits: 0,
    mode: 'ok',
    keys,
    down: stop,
    up: listen,
    close: () => (server.listening ? stop() : Promise.resolve()),
  };
  return state;
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

let serial = 0;

/** A signed token; each call differs (jti) so the verified-token cache never answers for it. */
function sign(key: KeyObject, algorithm: jwt.Algorithm, kid?: string, claims: object = {}) {
  serial += 1;
  const payload = { sub: 'idp-user', exp: now() + 300, jti: `t${serial}`, ...claims };
  return jwt.sign(payload, key, { algorithm, ...(kid === undefined ? {} : { keyid: kid }) });
}

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

function b64(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A token whose header and signature we write ourselves (what jsonwebtoken refuses to make). */
function handmade(header: object, hmacSecret?: string | Buffer): string {
  const input = `${b64(header)}.${b64({ sub: 'attacker', exp: now() + 300 })}`;
  if (hmacSecret === undefined) return `${input}.`;
  return `${input}.${createHmac('sha256', hmacSecret).update(input).digest('base64url')}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('JWT verification with JWT_JWKS_URI', () => {
  let jwks: JwksServer;
  let t: TestApp;

  beforeAll(async () => {
    jwks = await startJwksServer([
      jwk(rsa.publicKey, 'rsa-1', 'RS256'),
      jwk(ec.publicKey, 'ec-1', 'ES256'),
    ]);
    t = await startTestApp(
      {
        JWT_SECRET: '',
        JWT_JWKS_URI: jwks.url,
        JWT_JWKS_REFETCH_INTERVAL_MS: String(INTERVAL_MS),
        JWT_JWKS_TIMEOUT_MS: '1000',
        JWT_CLOCK_TOLERANCE_SEC: '0',
      },
      { rooms: { demo: { recording_status: true } } },
    );
  });
  afterAll(async () => {
    await t?.close();
    await jwks?.close();
  });
  beforeEach(() => {
    jwks.mode = 'ok';
  });

  it('answers 200 for an RS256 token whose kid is in the JWKS', async () => {
    const res = await t.get(
      '/callStatus?roomName=demo',
      bearer(sign(rsa.privateKey, 'RS256', 'rsa-1')),
    );
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(OK);
  });

  it('answers 200 for an ES256 token whose kid is in the JWKS', async () => {
    const res = await t.get(
      '/callStatus?roomName=demo',
      bearer(sign(ec.privateKey, 'ES256', 'ec-1')),
    );
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(OK);
  });

  it('reuses the cached keys: many tokens, no further JWKS requests', async () => {
    const before = jwks.hits;
    for (let i = 0; i < 5; i += 1) {
      const token = sign(
        i % 2 ? ec.privateKey : rsa.privateKey,
        i % 2 ? 'ES256' : 'RS256',
        i % 2 ? 'ec-1' : 'rsa-1',
      );
      expect((await t.get('/callStatus?roomName=demo', bearer(token))).statusCode).toBe(200);
    }
    expect(jwks.hits).toBe(before);
  });

  const rejected: Array<[string, () => string]> = [
    [
      'signed by a key that is not in the JWKS (known kid)',
      () => sign(stranger.privateKey, 'RS256', 'rsa-1'),
    ],
    ['without a kid', () => sign(rsa.privateKey, 'RS256')],
    ['expired', () => sign(rsa.privateKey, 'RS256', 'rsa-1', { exp: now() - 10 })],
    [
      'without exp',
      () => jwt.sign({ sub: 'x' }, rsa.privateKey, { algorithm: 'RS256', keyid: 'rsa-1' }),
    ],
    ['RS384 (not allowed by default)', () => sign(rsa.privateKey, 'RS384', 'rsa-1')],
    ['PS256 with a key the JWKS marks RS256', () => sign(rsa.privateKey, 'PS256', 'rsa-1')],
    ['ES256 claiming the RSA kid', () => sign(ec.privateKey, 'ES256', 'rsa-1')],
    ['alg none', () => handmade({ alg: 'none', kid: 'rsa-1' })],
    [
      'HS256 signed with the JWKS public key as HMAC secret',
      () =>
        handmade(
          { alg: 'HS256', kid: 'rsa-1' },
          rsa.publicKey.export({ type: 'spki', format: 'pem' }),
        ),
    ],
    [
      'HS256 with the e2e secret (no JWT_SECRET configured)',
      () => jwt.sign({ sub: 'x', exp: now() + 60 }, TEST_SECRET),
    ],
  ];

  it.each(rejected)('answers 401 for a token %s', async (name, token) => {
    const res = await t.get('/callStatus?roomName=demo', bearer(token()));
    expect(res.statusCode).toBe(401);
    expect(res.body).toBe(UNAUTHORIZED);
    expect(res.headers['www-authenticate']).toBe(
      name === 'expired'
        ? 'Bearer error="invalid_token", error_description="The access token expired"'
        : 'Bearer error="invalid_token"',
    );
  });

  it('answers 401 for unknown kids and refetches the JWKS at most once per interval', async () => {
    await sleep(INTERVAL_MS + 50);
    const before = jwks.hits;
    const forged = () => sign(stranger.privateKey, 'RS256', `unknown-${serial}`);
    const burst = await Promise.all(
      Array.from({ length: 10 }, () => t.get('/callStatus?roomName=demo', bearer(forged()))),
    );
    expect(burst.map((res) => res.statusCode)).toEqual(new Array(10).fill(401));
    for (let i = 0; i < 5; i += 1) {
      expect((await t.get('/callStatus?roomName=demo', bearer(forged()))).statusCode).toBe(401);
    }
    expect(jwks.hits).toBe(before + 1);
    await sleep(INTERVAL_MS + 50);
    expect((await t.get('/callStatus?roomName=demo', bearer(forged()))).statusCode).toBe(401);
    expect(jwks.hits).toBe(before + 2);
  });

  it('accepts a rotated-in key once the interval allows a refetch', async () => {
    await sleep(INTERVAL_MS + 50);
    const before = jwks.hits;
    const rotated = () => sign(rsaNext.privateKey, 'RS256', 'rsa-2');
    // Before the identity provider publishes it: refetched, still unknown.
    expect((await t.get('/callStatus?roomName=demo', bearer(rotated()))).statusCode).toBe(401);
    expect(jwks.hits).toBe(before + 1);
    jwks.keys = [...jwks.keys, jwk(rsaNext.publicKey, 'rsa-2', 'RS256')];
    await sleep(INTERVAL_MS + 50);
    const res = await t.get('/callStatus?roomName=demo', bearer(rotated()));
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(OK);
    expect(jwks.hits).toBe(before + 2);
    // The old key keeps working.
    expect(
      (await t.get('/callStatus?roomName=demo', bearer(sign(rsa.privateKey, 'RS256', 'rsa-1'))))
        .statusCode,
    ).toBe(200);
  });

  it('answers 401 quickly while the JWKS is down, yet still accepts cached keys', async () => {
    await jwks.down();
    try {
      await sleep(INTERVAL_MS + 50);
      const started = Date.now();
      const res = await t.get(
        '/callStatus?roomName=demo',
        bearer(sign(rsa.privateKey, 'RS256', 'rsa-3')),
      );
      expect(res.statusCode).toBe(401);
      expect(res.body).toBe(UNAUTHORIZED);
      // Connection refused: no wait for the 1000 ms deadline.
      expect(Date.now() - started).toBeLessThan(800);
      const cached = await t.get(
        '/callStatus?roomName=demo',
        bearer(sign(ec.privateKey, 'ES256', 'ec-1')),
      );
      expect(cached.statusCode).toBe(200);
    } finally {
      await jwks.up();
    }
  });

  it('answers 401 within JWT_JWKS_TIMEOUT_MS when the JWKS hangs', async () => {
    jwks.mode = 'hang';
    await sleep(INTERVAL_MS + 50);
    const started = Date.now();
    const res = await t.get(
      '/callStatus?roomName=demo',
      bearer(sign(rsa.privateKey, 'RS256', 'rsa-4')),
    );
    const elapsed = Date.now() - started;
    expect(res.statusCode).toBe(401);
    expect(res.body).toBe(UNAUTHORIZED);
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(2500);
  });

  it('answers 401 (not 500) when the JWKS answers an error', async () => {
    jwks.mode = 'error';
    await sleep(INTERVAL_MS + 50);
    const before = jwks.hits;
    const res = await t.get(
      '/callStatus?roomName=demo',
      bearer(sign(rsa.privateKey, 'RS256', 'rsa-5')),
    );
    expect(res.statusCode).toBe(401);
    expect(res.body).toBe(UNAUTHORIZED);
    expect(jwks.hits).toBe(before + 1);
  });
});

describe('JWT verification with JWT_JWKS_URI, JWT_ISSUER and JWT_AUDIENCE', () => {
  let jwks: JwksServer;
  let t: TestApp;
  const ISSUER = 'https://idp.example.test/';
  const AUDIENCE = 'proconf-app-server';

  beforeAll(async () => {
    jwks = await startJwksServer([jwk(rsa.publicKey, 'rsa-1', 'RS256')]);
    t = await startTestApp(
      { JWT_SECRET: '', JWT_JWKS_URI: jwks.url, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE },
      { rooms: { demo: { recording_status: true } } },
    );
  });
  afterAll(async () => {
    await t?.close();
    await jwks?.close();
  });

  it('answers 200 when iss and aud match', async () => {
    const token = sign(rsa.privateKey, 'RS256', 'rsa-1', { iss: ISSUER, aud: AUDIENCE });
    const res = await t.get('/callStatus?roomName=demo', bearer(token));
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(OK);
  });

  it.each([
    ['a wrong issuer', { iss: 'https://evil.example.test/', aud: AUDIENCE }],
    ['a wrong audience', { iss: ISSUER, aud: 'another-service' }],
    ['no issuer', { aud: AUDIENCE }],
    ['no audience', { iss: ISSUER }],
  ])('answers 401 for %s', async (_name, claims) => {
    const res = await t.get(
      '/callStatus?roomName=demo',
      bearer(sign(rsa.privateKey, 'RS256', 'rsa-1', claims)),
    );
    expect(res.statusCode).toBe(401);
    expect(res.body).toBe(UNAUTHORIZED);
  });
});
