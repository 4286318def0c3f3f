import { createSecretKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Algorithm } from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import type { JwksKeyClient } from './jwks-key.client.js';
import { JwtKeys, tokenHeader } from './jwt-keys.js';

const secretKey = createSecretKey(Buffer.from('s'.repeat(32)));
const publicKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
const jwksKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;

function token(header: object): string {
  return `${Buffer.from(JSON.stringify(header)).toString('base64url')}.e30.sig`;
}

/** A JWKS client that knows one kid. */
function fakeJwks(): JwksKeyClient & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    getKey: (kid: string) => {
      asked.push(kid);
      return kid === 'k1' ? Promise.resolve(jwksKey) : Promise.reject(new Error('unknown kid'));
    },
  } as unknown as JwksKeyClient & { asked: string[] };
}

function resolve(keys: JwtKeys, raw: unknown): Promise<KeyObject> {
  return new Promise((ok, fail) =>
    keys.keyFor(raw, (error, key) => (error ? fail(error) : ok(key!))),
  );
}

function keys(
  algorithms: Algorithm[],
  sources: { secretKey?: KeyObject; publicKey?: KeyObject },
  jwks?: JwksKeyClient,
): JwtKeys {
  return new JwtKeys(
    { algorithms, secretKey: sources.secretKey, publicKey: sources.publicKey },
    jwks,
  );
}

describe('tokenHeader', () => {
  it.each([
    ['not a string', 42],
    ['no dot', 'abc'],
    ['an empty header', '.e30.x'],
    ['a header that is not base64 JSON', 'bm90IGpzb24.e30.x'],
    [
      'a header that is JSON but not an object',
      `${Buffer.from('"HS256"').toString('base64url')}.e30.x`,
    ],
  ])('is undefined for %s', (_name, raw) => {
    expect(tokenHeader(raw)).toBeUndefined();
  });

  it('decodes alg and kid', () => {
    expect(tokenHeader(token({ alg: 'RS256', kid: 'k1' }))).toEqual({ alg: 'RS256', kid: 'k1' });
  });
});

describe(JwtKeys.name, () => {
  it('answers HS256 with the secret synchronously', () => {
    let answered: KeyObject | undefined;
    keys(['HS256'], { secretKey }).keyFor(token({ alg: 'HS256' }), (_e, key) => (answered = key));
    expect(answered).toBe(secretKey);
  });

  it('never answers an HMAC algorithm with a public key', async () => {
    const only = keys(['HS256', 'ES256'], { publicKey }, fakeJwks());
    await expect(resolve(only, token({ alg: 'HS256', kid: 'k1' }))).rejects.toThrow(
      'no secret for HS256',
    );
  });

  it('never answers an asymmetric algorithm with the secret', async () => {
    await expect(
      resolve(keys(['HS256', 'RS256'], { secretKey }), token({ alg: 'RS256' })),
    ).rejects.toThrow('no public key for RS256');
  });

  it.each([['none'], ['HS512'], [undefined], [7]])(
    'refuses alg %s when it is not allowed',
    async (alg) => {
      const jwks = fakeJwks();
      const all = keys(['HS256', 'ES256', 'RS256'], { secretKey, publicKey }, jwks);
      await expect(resolve(all, token({ alg, kid: 'k1' }))).rejects.toThrow('is not allowed');
      expect(jwks.asked).toEqual([]);
    },
  );

  it('refuses a token that has no header', async () => {
    await expect(resolve(keys(['HS256'], { secretKey }), 'garbage')).rejects.toThrow('not allowed');
  });

  it('answers the PEM key when there is no JWKS, kid or not', async () => {
    const pemOnly = keys(['ES256'], { publicKey });
    expect(await resolve(pemOnly, token({ alg: 'ES256' }))).toBe(publicKey);
    expect(await resolve(pemOnly, token({ alg: 'ES256', kid: 'whatever' }))).toBe(publicKey);
  });

  it('asks the JWKS for a kid, and uses the PEM key for tokens without one', async () => {
    const jwks = fakeJwks();
    const both = keys(['ES256', 'RS256'], { publicKey }, jwks);
    expect(await resolve(both, token({ alg: 'RS256', kid: 'k1' }))).toBe(jwksKey);
    expect(await resolve(both, token({ alg: 'ES256' }))).toBe(publicKey);
    expect(jwks.asked).toEqual(['k1']);
  });

  it.each([
    ['no kid', {}],
    ['an empty kid', { kid: '' }],
    ['a kid that is not a string', { kid: 1 }],
    ['an oversized kid', { kid: 'k'.repeat(257) }],
  ])('refuses a JWKS token with %s without asking the JWKS', async (_name, extra) => {
    const jwks = fakeJwks();
    await expect(
      resolve(keys(['RS256'], {}, jwks), token({ alg: 'RS256', ...extra })),
    ).rejects.toThrow('needs a kid');
    expect(jwks.asked).toEqual([]);
  });

  it('passes the JWKS failure on', async () => {
    await expect(
      resolve(keys(['RS256'], {}, fakeJwks()), token({ alg: 'RS256', kid: 'k9' })),
    ).rejects.toThrow('unknown kid');
  });
});
