import { calculateJwkThumbprint, type JWK } from 'jose';
import jwt from 'jsonwebtoken';
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { jwkThumbprint, OwnKeys } from './own-keys.js';

// RFC 7638 §3.1: the example key and its SHA-256 thumbprint.
const RFC_7638_KEY = {
  kty: 'RSA',
  n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
  e: 'AQAB',
  alg: 'RS256',
  kid: '2011-04-29',
};

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { algorithm: 'ES256' as const, ...ec };

describe('jwkThumbprint', () => {
  it('gives the RFC 7638 example its published thumbprint', () => {
    expect(jwkThumbprint(RFC_7638_KEY)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('agrees with jose for EC and RSA keys', async () => {
    for (const key of [ec.publicKey, rsa.publicKey]) {
      const jwk = key.export({ format: 'jwk' });
      expect(jwkThumbprint(jwk)).toBe(await calculateJwkThumbprint(jwk as JWK));
    }
  });

  it('refuses a key type it has no members for', () => {
    expect(() => jwkThumbprint({ kty: 'oct', k: 'c2VjcmV0' })).toThrow('no thumbprint for');
  });
});

describe(OwnKeys.name, () => {
  it('has nothing to publish or verify without a private key', () => {
    const keys = new OwnKeys({ signingKey: undefined, previousPublicKeys: [] });
    expect(keys.current).toBeUndefined();
    expect(keys.jwks()).toBeUndefined();
    expect(keys.algorithms).toEqual([]);
    expect(keys.keyFor(jwt.sign({ a: 1 }, ec.privateKey, { algorithm: 'ES256' }))).toBeUndefined();
  });

  it('lists the current key first and drops a previous key equal to it', () => {
    const keys = new OwnKeys({
      signingKey,
      previousPublicKeys: [
        { algorithm: 'RS256', publicKey: rsa.publicKey },
        { algorithm: 'ES256', publicKey: ec.publicKey },
      ],
    });
    expect(keys.all.map((key) => key.algorithm)).toEqual(['ES256', 'RS256']);
    expect(keys.algorithms).toEqual(['ES256', 'RS256']);
    expect(keys.jwks()?.keys.map((key) => Object.keys(key))).toEqual([
      ['kty', 'use', 'alg', 'kid', 'crv', 'x', 'y'],
      ['kty', 'use', 'alg', 'kid', 'e', 'n'],
    ]);
  });

  it("finds the key of a token by kid, and only for that key's algorithm", () => {
    const keys = new OwnKeys({ signingKey, previousPublicKeys: [] });
    const kid = keys.current!.kid;
    const sign = (algorithm: jwt.Algorithm, key: jwt.Secret, keyid?: string) =>
      jwt.sign({ sub: 'a' }, key, { algorithm, ...(keyid ? { keyid } : {}) });
    expect(keys.keyFor(sign('ES256', ec.privateKey, kid))).toBe(ec.publicKey);
    expect(keys.keyFor(sign('HS256', 'x'.repeat(32), kid))).toBeUndefined();
    expect(keys.keyFor(sign('ES256', ec.privateKey, 'other'))).toBeUndefined();
    expect(keys.keyFor(sign('ES256', ec.privateKey))).toBeUndefined();
    expect(keys.keyFor('not a token')).toBeUndefined();
    expect(keys.keyFor(undefined)).toBeUndefined();
  });
});
