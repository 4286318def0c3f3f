import { Logger } from '@nestjs/common';
import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JwksKeyClient } from './jwks-key.client.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
const jwk = (kid: string, alg: string, key = rsa): JsonWebKey => ({
  ...key.export({ format: 'jwk' }),
  kid,
  alg,
  use: 'sig',
});

const URI = 'https://idp.example.test/jwks?tenant=t1';
const INTERVAL = 30_000;

describe(JwksKeyClient.name, () => {
  let keys: JsonWebKey[];
  let answer: () => Promise<Response>;
  let fetchMock: ReturnType<typeof vi.fn>;
  let clock: number;
  let warn: ReturnType<typeof vi.spyOn>;

  beforeEach(() => {
    warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    keys = [jwk('rsa-1', 'RS256'), jwk('ec-1', 'ES256', ec)];
    answer = async () => Response.json({ keys });
    fetchMock = vi.fn((_url: string, _init: RequestInit) => answer());
    vi.stubGlobal('fetch', fetchMock);
    clock = 1_000_000;
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  function client(): JwksKeyClient {
    return new JwksKeyClient(
      { uri: URI, cacheMs: 600_000, timeoutMs: 2000, refetchIntervalMs: INTERVAL },
      () => clock,
    );
  }

  it('fetches the JWKS once with a deadline and returns KeyObjects for its kids', async () => {
    const jwks = client();
    const key = await jwks.getKey('rsa-1', 'RS256');
    expect(key.type).toBe('public');
    expect(key.asymmetricKeyType).toBe('rsa');
    expect((await jwks.getKey('ec-1', 'ES256')).asymmetricKeyType).toBe('ec');
    expect(await jwks.getKey('rsa-1', 'RS256')).toBe(key);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toBe(URI);
    expect(init.signal).toBeInstanceOf(AbortSignal);
    expect(jwks.downloadCount).toBe(1);
  });

  it('goes to the network for unknown kids at most once per refetch interval', async () => {
    const jwks = client();
    await jwks.getKey('rsa-1', 'RS256');
    for (const kid of ['x1', 'x2', 'x3']) {
      await expect(jwks.getKey(kid, 'RS256')).rejects.toThrow(/Unable to find a signing key/);
    }
    expect(fetchMock).toHaveBeenCalledTimes(1);
    clock += INTERVAL;
    await expect(jwks.getKey('x4', 'RS256')).rejects.toThrow(/Unable to find/);
    await expect(jwks.getKey('x5', 'RS256')).rejects.toThrow(/Unable to find/);
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });

  it('shares one download between concurrent lookups', async () => {
    const jwks = client();
    const found = await Promise.all(
      ['rsa-1', 'ec-1', 'rsa-1'].map((kid, i) => jwks.getKey(kid, i === 1 ? 'ES256' : 'RS256')),
    );
    expect(found).toHaveLength(3);
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it('shares a download still in flight even after the interval', async () => {
    let release!: () => void;
    answer = () => new Promise((resolve) => (release = () => resolve(Response.json({ keys }))));
    const jwks = client();
    const first = jwks.getKey('rsa-1', 'RS256');
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(1));
    clock += INTERVAL * 2;
    const second = jwks.getKey('ec-1', 'ES256');
    release();
    await Promise.all([first, second]);
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it('picks up a rotated-in key after the interval', async () => {
    const jwks = client();
    await jwks.getKey('rsa-1', 'RS256');
    keys = [...keys, jwk('rsa-2', 'RS256')];
    await expect(jwks.getKey('rsa-2', 'RS256')).rejects.toThrow(/Unable to find/);
    clock += INTERVAL;
    expect((await jwks.getKey('rsa-2', 'RS256')).type).toBe('public');
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });

  it.each([
    ['a network failure', () => Promise.reject(new TypeError('fetch failed'))],
    ['an HTTP error', async () => new Response('nope', { status: 503 })],
    ['a body that is not JSON', async () => new Response('<html>', { status: 200 })],
    ['JSON without keys', async () => Response.json({ nope: [] })],
    ['an empty key set', async () => Response.json({ keys: [] })],
  ])(
    'rejects on %s and reuses the failure until the interval has passed',
    async (_name, failure) => {
      answer = failure;
      const jwks = client();
      await expect(jwks.getKey('rsa-1', 'RS256')).rejects.toThrow();
      await expect(jwks.getKey('rsa-1', 'RS256')).rejects.toThrow();
      expect(fetchMock).toHaveBeenCalledTimes(1);
      answer = async () => Response.json({ keys });
      clock += INTERVAL;
      expect((await jwks.getKey('rsa-1', 'RS256')).type).toBe('public');
      expect(fetchMock).toHaveBeenCalledTimes(2);
    },
  );

  it('logs a failed download without the query string of the URI', async () => {
    answer = async () => new Response('nope', { status: 500 });
    await expect(client().getKey('rsa-1', 'RS256')).rejects.toThrow();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toBe(
      'JWKS download from https://idp.example.test/jwks failed: Error: answered HTTP 500',
    );
  });

  it('refuses a key whose JWK alg differs from the token alg', async () => {
    await expect(client().getKey('rsa-1', 'PS256')).rejects.toThrow('is for RS256, not PS256');
  });

  it('refuses an RSA key under 2048 bits', async () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    keys = [jwk('weak', 'RS256', weak)];
    await expect(client().getKey('weak', 'RS256')).rejects.toThrow('under 2048 bits');
  });

  it('ignores keys that are not for signatures', async () => {
    keys = [{ ...jwk('enc-1', 'RS256'), use: 'enc' }];
    await expect(client().getKey('enc-1', 'RS256')).rejects.toThrow();
  });
});
