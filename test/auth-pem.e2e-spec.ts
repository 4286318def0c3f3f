import jwt from 'jsonwebtoken';
import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAdminSimulator, type AdminSimulator } from '../tools/admin-simulator.mjs';
import { startTestApp, TEST_SECRET, type TestApp } from './support/test-app.js';

const OK = '{"error":null,"data":{"transcript_status":false,"recording_status":true}}';
const UNAUTHORIZED = '{"data":null,"error":{"code":401,"message":"Unauthorized"}}';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });

const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();
// As a one-line env file carries it.
const escaped = (key: KeyObject) => pem(key).replace(/\n/g, '\\n');

function now(): number {
  return Math.floor(Date.now() / 1000);
}

function sign(key: KeyObject | string, algorithm: jwt.Algorithm, claims: object = {}): string {
  return jwt.sign({ sub: 'pem-user', exp: now() + 300, ...claims }, key, { algorithm });
}

function b64(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** HS256 over a header and payload of our own, keyed with whatever bytes we are given. */
function hs256With(secret: string): string {
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'attacker', exp: now() + 300 })}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

function unsigned(): string {
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'attacker', exp: now() + 300 })}.`;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('JWT verification with JWT_PUBLIC_KEY (RSA, escaped newlines)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(
      { JWT_SECRET: '', JWT_PUBLIC_KEY: escaped(rsa.publicKey), JWT_CLOCK_TOLERANCE_SEC: '0' },
      { rooms: { demo: { recording_status: true } } },
    );
  });
  afterAll(() => t?.close());
  beforeEach(() => t.sim.resetCounters());

  it.each([
    ['RS256', () => sign(rsa.privateKey, 'RS256')],
    ['PS256', () => sign(rsa.privateKey, 'PS256')],
    [
      'RS256 with a kid (ignored without a JWKS)',
      () =>
        jwt.sign({ sub: 'k', exp: now() + 60 }, rsa.privateKey, {
          algorithm: 'RS256',
          keyid: 'any',
        }),
    ],
  ])('answers 200 for a valid %s token', async (_name, token) => {
    const res = await t.get('/callStatus?roomName=demo', bearer(token()));
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(OK);
  });

  it.each([
    [
      'HS256 signed with the public key PEM as HMAC secret (algorithm confusion)',
      () => hs256With(pem(rsa.publicKey)),
    ],
    [
      'HS256 signed with the escaped PEM text as HMAC secret',
      () => hs256With(escaped(rsa.publicKey)),
    ],
    ['HS256 with the e2e secret (JWT_SECRET not configured)', () => sign(TEST_SECRET, 'HS256')],
    ['alg none', unsigned],
    ['RS256 signed by another key', () => sign(stranger.privateKey, 'RS256')],
    ['RS512 (not in the derived RS256/PS256 list)', () => sign(rsa.privateKey, 'RS512')],
    ['ES256 (the key is RSA)', () => sign(ec.privateKey, 'ES256')],
    ['expired', () => sign(rsa.privateKey, 'RS256', { exp: now() - 10 })],
    ['without exp', () => jwt.sign({ sub: 'x' }, rsa.privateKey, { algorithm: 'RS256' })],
  ])('answers 401 for %s', async (_name, token) => {
    const res = await t.get('/callStatus?roomName=demo', bearer(token()));
    expect(res.statusCode).toBe(401);
    expect(res.body).toBe(UNAUTHORIZED);
    expect(t.sim.calls).toBe(0);
  });
});

describe('JWT verification with JWT_PUBLIC_KEY (EC P-256) next to JWT_SECRET', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(
      { JWT_PUBLIC_KEY: pem(ec.publicKey) },
      { rooms: { demo: { recording_status: true } } },
    );
  });
  afterAll(() => t?.close());

  it('answers 200 for an ES256 token and for an HS256 token with the shared secret', async () => {
    for (const token of [sign(ec.privateKey, 'ES256'), t.token()]) {
      const res = await t.get('/callStatus?roomName=demo', bearer(token));
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe(OK);
    }
  });

  it('answers 401 for HS256 signed with the public key PEM: HS* only ever uses JWT_SECRET', async () => {
    const res = await t.get('/callStatus?roomName=demo', bearer(hs256With(pem(ec.publicKey))));
    expect(res.statusCode).toBe(401);
    expect(res.body).toBe(UNAUTHORIZED);
  });
});

describe('boot with a bad key configuration', () => {
  let sim: AdminSimulator;
  beforeAll(async () => {
    sim = await startAdminSimulator();
  });
  afterAll(() => sim?.close());

  it.each([
    [
      'an invalid PEM',
      { JWT_SECRET: '', JWT_PUBLIC_KEY: 'not a pem' },
      /JWT_PUBLIC_KEY is not a valid PEM/,
    ],
    [
      'HS256 with only a public key',
      { JWT_SECRET: '', JWT_PUBLIC_KEY: pem(rsa.publicKey), JWT_ALGORITHMS: 'HS256' },
      /JWT_ALGORITHMS allows HS256, which needs JWT_SECRET/,
    ],
    [
      'no key source at all',
      { JWT_SECRET: '' },
      /JWT_SECRET is required unless JWT_PUBLIC_KEY or JWT_JWKS_URI is set/,
    ],
  ])('refuses to start with %s', async (_name, env, message) => {
    await expect(startTestApp(env, {}, sim)).rejects.toThrow(message);
  });
});
