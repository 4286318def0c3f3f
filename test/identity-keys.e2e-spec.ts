import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  jwtVerify,
  type JWK,
} from 'jose';
import jwt from 'jsonwebtoken';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenSigner } from '../src/identity/token-signer.service.js';
import { startAdminSimulator, type AdminSimulator } from '../tools/admin-simulator.mjs';
import { scryptHash } from '../tools/user.mjs';
import { startTestApp, TEST_SECRET, type TestApp } from './support/test-app.js';

const STATUS_OK = '{"error":null,"data":{"transcript_status":false,"recording_status":true}}';
const UNAUTHORIZED = '{"data":null,"error":{"code":401,"message":"Unauthorized"}}';
const FORBIDDEN = '{"data":null,"error":{"code":403,"message":"Forbidden"}}';
const NOT_FOUND = '{"error":{"code":404,"message":"Not found"},"data":null}';
const ISSUER = 'https://proconf.example.test';
const AUDIENCE = 'proconf-app';
const PASSWORD = 'alice-password';

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const next = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });

const privatePem = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicPem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();
const thumbprint = (key: KeyObject) => calculateJwkThumbprint(key.export({ format: 'jwk' }) as JWK);
const now = () => Math.floor(Date.now() / 1000);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("the server's own tokens", () => {
  let sim: AdminSimulator;
  let dir: string;
  let usersFile: string;

  beforeAll(async () => {
    sim = await startAdminSimulator({
      rooms: { demo: { recording_status: true }, other: { recording_status: true } },
    });
    dir = await mkdtemp(join(tmpdir(), 'proconf-keys-'));
    usersFile = join(dir, 'users');
    await writeFile(usersFile, `alice:${await scryptHash(PASSWORD, { ln: 10, r: 8, p: 1 })}\n`);
  });
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  const start = (env: Record<string, string>) =>
    startTestApp({ AUTH_USERS_FILE: usersFile, ...env }, {}, sim);

  async function signIn(t: TestApp): Promise<string> {
    const res = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ username: 'alice', password: PASSWORD }),
    });
    expect(res.statusCode).toBe(200);
    return (JSON.parse(res.body) as { data: string }).data;
  }

  async function status(t: TestApp, token: string, room = 'demo') {
    return t.get(`/callStatus?roomName=${room}`, bearer(token));
  }

  describe('with JWT_PRIVATE_KEY (EC P-256) and no shared secret', () => {
    let t: TestApp;
    let origin: string;

    beforeAll(async () => {
      t = await start({
        JWT_SECRET: '',
        JWT_PRIVATE_KEY: privatePem(ec.privateKey).replace(/\n/g, '\\n'),
        JWT_ISSUER: ISSUER,
        JWT_AUDIENCE: AUDIENCE,
      });
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      origin = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    });
    afterAll(() => t.close());

    it('publishes the public key at /.well-known/jwks.json, kid = RFC 7638 thumbprint', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers['cache-control']).toBe('public, max-age=300');
      expect(res.headers.etag).toMatch(/^"[\w-]{27}"$/);
      const { x, y } = ec.publicKey.export({ format: 'jwk' });
      const kid = await thumbprint(ec.publicKey);
      expect(JSON.parse(res.body)).toEqual({
        keys: [{ kty: 'EC', use: 'sig', alg: 'ES256', kid, crv: 'P-256', x, y }],
      });
      expect(res.body).not.toContain('"d"');
    });

    it('answers 304 to a matching If-None-Match', async () => {
      const first = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
      const again = await t.app.inject({
        method: 'GET',
        url: '/.well-known/jwks.json',
        headers: { 'if-none-match': first.headers.etag as string },
      });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
      expect(again.headers.etag).toBe(first.headers.etag);
    });

    it('signs ES256 access tokens that another library verifies against the JWKS URL', async () => {
      const token = await signIn(t);
      expect(decodeProtectedHeader(token)).toEqual({
        alg: 'ES256',
        typ: 'JWT',
        kid: await thumbprint(ec.publicKey),
      });
      const jwks = createRemoteJWKSet(new URL(`${origin}/.well-known/jwks.json`));
      const { payload } = await jwtVerify(token, jwks, { issuer: ISSUER, audience: AUDIENCE });
      expect(payload.sub).toBe('alice');
      expect(payload.exp! - payload.iat!).toBe(3600);
    });

    it('accepts its own tokens on /callStatus', async () => {
      const res = await status(t, await signIn(t));
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe(STATUS_OK);
    });

    it('signs room-scoped guest tokens with the claims of the ProCONF sample', async () => {
      const token = t.app.get(TokenSigner).signGuestToken('demo');
      const jwks = createRemoteJWKSet(new URL(`${origin}/.well-known/jwks.json`));
      const { payload } = await jwtVerify(token, jwks, { issuer: ISSUER, audience: AUDIENCE });
      expect(Object.keys(payload)).toEqual(['roomName', 'userId', 'iat', 'exp', 'iss', 'aud']);
      expect(payload.roomName).toBe('demo');
      expect(payload.userId).toMatch(/^[1-9a-km-zA-HJ-NP-Z]{22}$/);
      expect(payload.exp! - payload.iat!).toBe(14_400);
      expect((await status(t, token)).body).toBe(STATUS_OK);
      const elsewhere = await status(t, token, 'other');
      expect(elsewhere.statusCode).toBe(403);
      expect(elsewhere.body).toBe(FORBIDDEN);
    });

    it.each([
      [
        'its kid but another key',
        () =>
          jwt.sign({ sub: 'x', exp: now() + 60, iss: ISSUER, aud: AUDIENCE }, stranger.privateKey, {
            algorithm: 'RS256',
            keyid: 'unused',
          }),
      ],
      [
        'its kid, signed ES256 by another EC key',
        async () =>
          jwt.sign({ sub: 'x', exp: now() + 60, iss: ISSUER, aud: AUDIENCE }, next.privateKey, {
            algorithm: 'ES256',
            keyid: await thumbprint(ec.publicKey),
          }),
      ],
      [
        'its kid with HS256 keyed by the public key (algorithm confusion)',
        async () =>
          jwt.sign(
            { sub: 'x', exp: now() + 60, iss: ISSUER, aud: AUDIENCE },
            publicPem(ec.publicKey),
            { algorithm: 'HS256', keyid: await thumbprint(ec.publicKey) },
          ),
      ],
      [
        'an HS256 token of a secret it does not have',
        () =>
          jwt.sign({ sub: 'x', exp: now() + 60, iss: ISSUER, aud: AUDIENCE }, TEST_SECRET, {
            algorithm: 'HS256',
          }),
      ],
    ])('refuses a token with %s', async (_name, token) => {
      const res = await status(t, await token());
      expect(res.statusCode).toBe(401);
      expect(res.body).toBe(UNAUTHORIZED);
    });
  });

  describe('with JWT_PRIVATE_KEY (RSA) next to an external JWKS', () => {
    let t: TestApp;
    let idp: Server;

    beforeAll(async () => {
      const jwk = { ...stranger.publicKey.export({ format: 'jwk' }), kid: 'idp-1', alg: 'RS256' };
      idp = createServer((_req, res) => res.end(JSON.stringify({ keys: [jwk] })));
      await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
      const port = (idp.address() as AddressInfo).port;
      t = await start({
        JWT_SECRET: '',
        JWT_JWKS_URI: `http://127.0.0.1:${port}/jwks`,
        JWT_PRIVATE_KEY: privatePem(rsa.privateKey),
      });
    });
    afterAll(async () => {
      await t.close();
      await new Promise((resolve) => idp.close(resolve));
    });

    it("accepts both the provider's tokens and its own RS256 tokens", async () => {
      const own = await signIn(t);
      expect(decodeProtectedHeader(own)).toMatchObject({
        alg: 'RS256',
        kid: await thumbprint(rsa.publicKey),
      });
      const external = jwt.sign({ sub: 'bob', exp: now() + 60 }, stranger.privateKey, {
        algorithm: 'RS256',
        keyid: 'idp-1',
      });
      for (const token of [own, external]) expect((await status(t, token)).body).toBe(STATUS_OK);
    });
  });

  describe('with JWT_SECRET next to JWT_PUBLIC_KEY', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await start({ JWT_PUBLIC_KEY: publicPem(stranger.publicKey) });
    });
    afterAll(() => t.close());

    it('signs HS256 tokens with the secret and accepts them', async () => {
      const token = await signIn(t);
      expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
      expect((await status(t, token)).body).toBe(STATUS_OK);
    });

    it('publishes no keys: /.well-known/jwks.json answers 404', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
      expect(res.statusCode).toBe(404);
      expect(res.body).toBe(NOT_FOUND);
    });
  });

  // One app at a time: passport keeps one "jwt" strategy per process, the last one built.
  describe('key rotation (JWT_PREVIOUS_PUBLIC_KEYS)', () => {
    const oldKey = { JWT_PRIVATE_KEY: privatePem(ec.privateKey) };
    const rotating = {
      JWT_PRIVATE_KEY: privatePem(next.privateKey),
      JWT_PREVIOUS_PUBLIC_KEYS: publicPem(ec.publicKey) + publicPem(rsa.publicKey),
    };
    const newKey = { JWT_PRIVATE_KEY: privatePem(next.privateKey) };
    let old: string;
    let fresh: string;

    async function using<T>(env: Record<string, string>, run: (t: TestApp) => Promise<T>) {
      const t = await start(env);
      try {
        return await run(t);
      } finally {
        await t.close();
      }
    }

    beforeAll(async () => {
      old = await using(oldKey, signIn);
    });

    it('keeps tokens of the previous key valid while it is listed, and signs with the new one', async () => {
      await using(rotating, async (t) => {
        fresh = await signIn(t);
        expect(decodeProtectedHeader(fresh).kid).toBe(await thumbprint(next.publicKey));
        for (const token of [old, fresh]) expect((await status(t, token)).body).toBe(STATUS_OK);
      });
    });

    it('refuses them once the previous key is no longer listed', async () => {
      await using(newKey, async (t) => {
        const refused = await status(t, old);
        expect(refused.statusCode).toBe(401);
        expect(refused.body).toBe(UNAUTHORIZED);
        expect((await status(t, fresh)).body).toBe(STATUS_OK);
      });
    });

    it('publishes the new key first, then the previous ones', async () => {
      const keys = await using(rotating, async (t) => {
        const res = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
        return (JSON.parse(res.body) as { keys: JWK[] }).keys;
      });
      expect(keys.map((key) => key.kid)).toEqual([
        await thumbprint(next.publicKey),
        await thumbprint(ec.publicKey),
        await thumbprint(rsa.publicKey),
      ]);
      expect(keys.map((key) => key.alg)).toEqual(['ES256', 'ES256', 'RS256']);
      // A verifier holding only the JWK Set checks a token of the previous key.
      const { payload } = await jwtVerify(old, createLocalJWKSet({ keys }));
      expect(payload.sub).toBe('alice');
    });

    it('refuses an expired token of the previous key', async () => {
      const expired = jwt.sign({ sub: 'alice', iat: now() - 120, exp: now() - 60 }, ec.privateKey, {
        algorithm: 'ES256',
        keyid: await thumbprint(ec.publicKey),
      });
      await using(rotating, async (t) => {
        const res = await status(t, expired);
        expect(res.statusCode).toBe(401);
        expect(res.body).toBe(UNAUTHORIZED);
      });
    });
  });
});
