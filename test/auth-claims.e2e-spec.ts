import jwt from 'jsonwebtoken';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TEST_SECRET, type TestApp } from './support/test-app.js';

// Tokens correctly signed by a trusted key that no trusted issuer could have meant: refused
// the same way whichever key source verifies them.
const OK = '{"error":null,"data":{"transcript_status":false,"recording_status":true}}';
const UNAUTHORIZED = '{"data":null,"error":{"code":401,"message":"Unauthorized"}}';
const INVALID = 'Bearer error="invalid_token"';
const DAY = 86_400;

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });

const now = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Claims = Record<string, unknown>;
type Signer = (claims: Claims, header?: Claims) => string;

/** A JWKS endpoint on 127.0.0.1 serving the EC key as "ec-1". */
async function startJwks(): Promise<{ url: string; server: Server }> {
  const body = JSON.stringify({
    keys: [{ ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1', alg: 'ES256', use: 'sig' }],
  });
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/jwks.json`, server };
}

function signer(key: string | KeyObject, algorithm: jwt.Algorithm, kid?: string): Signer {
  let serial = 0;
  return (claims, header = {}) =>
    jwt.sign(
      // A distinct jti each time: the verified-token cache never answers for another case.
      { sub: 'tester', exp: now() + 300, jti: `c${++serial}`, ...claims },
      key,
      { algorithm, header: { alg: algorithm, ...(kid ? { kid } : {}), ...header } },
    );
}

const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();

describe.each<[string, () => Record<string, string>, () => Signer]>([
  ['JWT_SECRET (HS256)', () => ({}), () => signer(TEST_SECRET, 'HS256')],
  [
    'JWT_PUBLIC_KEY (RS256)',
    () => ({ JWT_SECRET: '', JWT_PUBLIC_KEY: pem(rsa.publicKey) }),
    () => signer(rsa.privateKey, 'RS256'),
  ],
  [
    'JWT_JWKS_URI (ES256)',
    () => ({ JWT_SECRET: '' }),
    () => signer(ec.privateKey, 'ES256', 'ec-1'),
  ],
])('token claims verified with %s', (mode, env, makeSigner) => {
  let t: TestApp;
  let jwks: { url: string; server: Server } | undefined;
  const sign = makeSigner();

  beforeAll(async () => {
    const extra: Record<string, string> = { JWT_CLOCK_TOLERANCE_SEC: '5' };
    if (mode.startsWith('JWT_JWKS_URI')) {
      jwks = await startJwks();
      extra.JWT_JWKS_URI = jwks.url;
    }
    t = await startTestApp({ ...env(), ...extra }, { rooms: { demo: { recording_status: true } } });
  });
  afterAll(async () => {
    await t.close();
    jwks?.server.close();
  });

  const get = (token: string) =>
    t.get('/callStatus?roomName=demo', { authorization: `Bearer ${token}` });

  it.each<[string, Claims, Claims?]>([
    ['an ordinary token', {}],
    ['exp 29 days ahead (the default limit is 30)', { exp: now() + 29 * DAY }],
    ['iat a little ahead, within the clock tolerance', { iat: now() + 3 }],
    ['a guest token with a string userId and no sub', { sub: undefined, userId: 'guest-1' }],
  ])('accepts %s', async (_name, claims, header) => {
    const res = await get(sign(claims, header));
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(OK);
  });

  it.each<[string, Claims, Claims?]>([
    ['a crit header naming a registered claim', {}, { crit: ['exp'] }],
    ['a crit header naming an extension', {}, { crit: ['https://example.com/ext'] }],
    ['a crit header with b64 (RFC 7797, not implemented)', {}, { crit: ['b64'], b64: true }],
    ['exp 31 days ahead', { exp: now() + 31 * DAY }],
    ['exp a century ahead', { exp: now() + 36_500 * DAY }],
    ['iat an hour in the future', { iat: now() + 3600 }],
    ['a numeric sub', { sub: 42 }],
    ['an object sub', { sub: { id: 'tester' } }],
    ['a numeric userId and no sub', { sub: undefined, userId: 7 }],
  ])('refuses %s: 401 invalid_token', async (_name, claims, header) => {
    const calls = t.sim.calls;
    const res = await get(sign(claims, header));
    expect(res.statusCode).toBe(401);
    expect(res.body).toBe(UNAUTHORIZED);
    expect(res.headers['www-authenticate']).toBe(INVALID);
    expect(t.sim.calls).toBe(calls);
  });
});

describe('JWT_MAX_LIFETIME_S and the verified-token cache', () => {
  let t: TestApp;
  const sign = signer(TEST_SECRET, 'HS256');

  beforeAll(async () => {
    t = await startTestApp(
      { JWT_MAX_LIFETIME_S: '3600', JWT_CLOCK_TOLERANCE_SEC: '0' },
      { rooms: { demo: { recording_status: true } } },
    );
  });
  afterAll(() => t.close());

  const get = (token: string) =>
    t.get('/callStatus?roomName=demo', { authorization: `Bearer ${token}` });

  it('refuses exp further ahead than JWT_MAX_LIFETIME_S, accepts it within', async () => {
    expect((await get(sign({ exp: now() + 3590 }))).statusCode).toBe(200);
    const far = await get(sign({ exp: now() + 3700 }));
    expect(far.statusCode).toBe(401);
    expect(far.headers['www-authenticate']).toBe(INVALID);
  });

  it('does not remember a refusal: a token refused for iat in the future passes once it is not', async () => {
    const token = sign({ iat: now() + 2 });
    expect((await get(token)).statusCode).toBe(401);
    await sleep(2100);
    expect((await get(token)).statusCode).toBe(200);
    // Now remembered: the same answer without verifying again.
    expect((await get(token)).statusCode).toBe(200);
  });

  it('never caches a refused token under its subject: a crit twin of a cached token is refused', async () => {
    const claims = { sub: 'twin', jti: 'same', exp: now() + 600 };
    const plain = jwt.sign(claims, TEST_SECRET, { algorithm: 'HS256', noTimestamp: true });
    expect((await get(plain)).statusCode).toBe(200);
    const critical = jwt.sign(claims, TEST_SECRET, {
      algorithm: 'HS256',
      noTimestamp: true,
      header: { alg: 'HS256', crit: ['exp'] },
    });
    expect((await get(critical)).statusCode).toBe(401);
  });
});
