import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_SECRET } from '../../test/support/test-app.js';
import { DEMO_JWT_SECRET } from '../../tools/token.mjs';
import { algorithmsForKey, readAuthConfig } from './auth.config.js';
import type { Env } from './env.js';

const SECRET = 'sX7#kQ2!mV9@pL4$wR8%tY3^zN6&cB1*';
const JWKS = 'https://idp.example.test/.well-known/jwks.json';

const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();
const RSA = pem(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey);
const RSA_PRIVATE = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const RSA_1024 = pem(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey);
const EC256 = pem(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);
const EC384 = pem(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey);
const ED25519 = pem(generateKeyPairSync('ed25519').publicKey);

function read(env: Env) {
  return readAuthConfig({ NODE_ENV: 'test', ...env });
}

describe('readAuthConfig', () => {
  describe('key sources and derived algorithms', () => {
    it.each<[string, Env, string[]]>([
      ['a secret', { JWT_SECRET: SECRET }, ['HS256']],
      ['a JWKS', { JWT_JWKS_URI: JWKS }, ['RS256', 'ES256', 'PS256']],
      ['an RSA public key', { JWT_PUBLIC_KEY: RSA }, ['RS256', 'PS256']],
      ['an EC P-256 public key', { JWT_PUBLIC_KEY: EC256 }, ['ES256']],
      ['an EC P-384 public key', { JWT_PUBLIC_KEY: EC384 }, ['ES384']],
      [
        'a secret and a JWKS',
        { JWT_SECRET: SECRET, JWT_JWKS_URI: JWKS },
        ['HS256', 'RS256', 'ES256', 'PS256'],
      ],
      [
        'a secret and an RSA key',
        { JWT_SECRET: SECRET, JWT_PUBLIC_KEY: RSA },
        ['HS256', 'RS256', 'PS256'],
      ],
      [
        'a JWKS and an EC P-384 key',
        { JWT_JWKS_URI: JWKS, JWT_PUBLIC_KEY: EC384 },
        ['RS256', 'ES256', 'PS256', 'ES384'],
      ],
    ])('allows what %s can verify by default', (_name, env, algorithms) => {
      expect(read(env).algorithms).toEqual(algorithms);
    });

    it('builds KeyObjects once: a secret key and a public key', () => {
      const config = read({ JWT_SECRET: SECRET, JWT_PUBLIC_KEY: RSA });
      expect(config.secretKey?.type).toBe('secret');
      expect(config.secretKey?.export().toString()).toBe(SECRET);
      expect(config.publicKey?.type).toBe('public');
      expect(config.publicKey?.asymmetricKeyType).toBe('rsa');
    });

    it('accepts a PEM written on one line with \\n escapes', () => {
      const config = read({ JWT_PUBLIC_KEY: RSA.replace(/\n/g, '\\n') });
      expect(config.publicKey?.asymmetricKeyType).toBe('rsa');
    });

    it('has no secret key without JWT_SECRET', () => {
      expect(read({ JWT_JWKS_URI: JWKS }).secretKey).toBeUndefined();
    });

    it('normalises the case of listed algorithms and drops duplicates', () => {
      expect(read({ JWT_JWKS_URI: JWKS, JWT_ALGORITHMS: 'rs256, RS256,es384' }).algorithms).toEqual(
        ['RS256', 'ES384'],
      );
    });

    it('allows HMAC and asymmetric algorithms together when each has its own key source', () => {
      const config = read({
        JWT_SECRET: SECRET,
        JWT_PUBLIC_KEY: RSA,
        JWT_ALGORITHMS: 'HS256,RS256',
      });
      expect(config.algorithms).toEqual(['HS256', 'RS256']);
    });
  });

  describe('refuses to boot', () => {
    it.each<[string, Env, string]>([
      [
        'without any key source',
        {},
        'JWT_SECRET is required unless JWT_PUBLIC_KEY or JWT_JWKS_URI is set',
      ],
      [
        'with "none"',
        { JWT_SECRET: SECRET, JWT_ALGORITHMS: 'HS256,none' },
        'JWT_ALGORITHMS must not contain "none"',
      ],
      [
        'with "NONE" alone',
        { JWT_SECRET: SECRET, JWT_ALGORITHMS: 'NONE' },
        'JWT_ALGORITHMS must not contain "none"',
      ],
      [
        'with an unknown algorithm',
        { JWT_JWKS_URI: JWKS, JWT_ALGORITHMS: 'EdDSA' },
        'JWT_ALGORITHMS has an unsupported algorithm "EDDSA"',
      ],
      [
        'with HS256 and only a public key (algorithm confusion)',
        { JWT_PUBLIC_KEY: RSA, JWT_ALGORITHMS: 'HS256' },
        'JWT_ALGORITHMS allows HS256, which needs JWT_SECRET',
      ],
      [
        'with HS256 and only a JWKS',
        { JWT_JWKS_URI: JWKS, JWT_ALGORITHMS: 'HS256,RS256' },
        'JWT_ALGORITHMS allows HS256, which needs JWT_SECRET',
      ],
      [
        'with RS256 and only a secret',
        { JWT_SECRET: SECRET, JWT_ALGORITHMS: 'HS256,RS256' },
        'JWT_ALGORITHMS allows RS256, which needs JWT_PUBLIC_KEY or JWT_JWKS_URI',
      ],
      [
        'with an algorithm the PEM key cannot verify',
        { JWT_PUBLIC_KEY: RSA, JWT_ALGORITHMS: 'RS256,ES256' },
        'JWT_ALGORITHMS allows ES256, which JWT_PUBLIC_KEY (an RSA key) cannot verify',
      ],
      [
        'with ES384 for a P-256 key',
        { JWT_PUBLIC_KEY: EC256, JWT_ALGORITHMS: 'ES384' },
        'JWT_ALGORITHMS allows ES384, which JWT_PUBLIC_KEY (an EC prime256v1 key) cannot verify',
      ],
      [
        'with a secret no allowed algorithm uses',
        { JWT_SECRET: SECRET, JWT_JWKS_URI: JWKS, JWT_ALGORITHMS: 'RS256' },
        'JWT_SECRET is set but JWT_ALGORITHMS allows no HS algorithm',
      ],
      [
        'with a public key no allowed algorithm uses',
        { JWT_SECRET: SECRET, JWT_PUBLIC_KEY: RSA, JWT_ALGORITHMS: 'HS256' },
        'JWT_PUBLIC_KEY is set but JWT_ALGORITHMS allows no algorithm it can verify',
      ],
      [
        'with a JWKS no allowed algorithm uses',
        { JWT_SECRET: SECRET, JWT_JWKS_URI: JWKS, JWT_ALGORITHMS: 'HS256' },
        'JWT_JWKS_URI is set but JWT_ALGORITHMS allows no RS, PS or ES algorithm',
      ],
      [
        'with an invalid PEM',
        { JWT_PUBLIC_KEY: 'not a key' },
        'JWT_PUBLIC_KEY is not a valid PEM public key',
      ],
      [
        'with a truncated PEM',
        { JWT_PUBLIC_KEY: RSA.slice(0, 120) + '\n-----END PUBLIC KEY-----' },
        'JWT_PUBLIC_KEY is not a valid PEM public key',
      ],
      [
        'with a private key',
        { JWT_PUBLIC_KEY: RSA_PRIVATE },
        'JWT_PUBLIC_KEY must be a public key, not a private key',
      ],
      ['with an Ed25519 key', { JWT_PUBLIC_KEY: ED25519 }, 'JWT_PUBLIC_KEY must be an RSA or EC'],
      [
        'with a 1024-bit RSA key',
        { JWT_PUBLIC_KEY: RSA_1024 },
        'JWT_PUBLIC_KEY is a 1024-bit RSA key',
      ],
      [
        'with a JWKS URI without a scheme',
        { JWT_JWKS_URI: 'idp/jwks' },
        'JWT_JWKS_URI has no scheme: add http:// or https://',
      ],
      [
        'with a JWKS URI that is not http(s)',
        { JWT_JWKS_URI: 'ftp://idp/jwks' },
        'JWT_JWKS_URI must use http or https',
      ],
      [
        'with a JWKS interval out of range',
        { JWT_JWKS_URI: JWKS, JWT_JWKS_REFETCH_INTERVAL_MS: '10' },
        'JWT_JWKS_REFETCH_INTERVAL_MS must be an integer from 100',
      ],
      [
        'with a JWKS timeout that is not a number',
        { JWT_JWKS_URI: JWKS, JWT_JWKS_TIMEOUT_MS: 'soon' },
        'JWT_JWKS_TIMEOUT_MS must be an integer',
      ],
    ])('%s', (_name, env, message) => {
      expect(() => read(env)).toThrow(message);
    });

    it('with a secret under 32 bytes in production', () => {
      expect(() => readAuthConfig({ JWT_SECRET: 'short' })).toThrow(
        'JWT_SECRET must be at least 32 bytes in production',
      );
    });

    it.each<[string, string, string]>([
      [
        'the demo secret of tools/token.mjs',
        DEMO_JWT_SECRET,
        'JWT_SECRET is a secret published with this project (demo or tests): anyone can mint tokens with it',
      ],
      [
        'the e2e test secret',
        TEST_SECRET,
        'JWT_SECRET is a secret published with this project (demo or tests): anyone can mint tokens with it',
      ],
      [
        'a placeholder',
        'change-me-to-a-random-string-of-32-bytes',
        'JWT_SECRET looks like a placeholder, not a secret',
      ],
      ['a repeated character', 's'.repeat(32), 'JWT_SECRET has fewer than 8 different characters'],
    ])('with %s in production', (_name, secret, message) => {
      expect(() => readAuthConfig({ NODE_ENV: 'production', JWT_SECRET: secret })).toThrow(
        `${message} (generate one with \`openssl rand -base64 48\`)`,
      );
      // Unset NODE_ENV is production too; development and tests may use them.
      expect(() => readAuthConfig({ JWT_SECRET: secret })).toThrow(message);
      expect(() => read({ JWT_SECRET: secret })).not.toThrow();
      expect(() => readAuthConfig({ NODE_ENV: 'development', JWT_SECRET: secret })).not.toThrow();
    });

    it('with the JWT_SECRET of .env.example in production', async () => {
      const example = await readFile(join(import.meta.dirname, '../../.env.example'), 'utf8');
      const env = Object.fromEntries(
        example
          .split('\n')
          .filter((line) => /^[A-Z_]+=/.test(line))
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
      expect(env.NODE_ENV).toBe('production');
      expect(() => readAuthConfig(env)).toThrow(/JWT_SECRET (is required|looks like|is a secret)/);
    });

    it('reports every problem at once', () => {
      expect(() =>
        read({ JWT_PUBLIC_KEY: 'x', JWT_JWKS_URI: 'ftp://x', JWT_CACHE_SIZE: '-1' }),
      ).toThrow(
        /JWT_PUBLIC_KEY is not a valid PEM[^;]*; JWT_JWKS_URI must use http or https; JWT_CACHE_SIZE must be/,
      );
    });
  });

  it('needs no secret in production when a JWKS is configured', () => {
    expect(readAuthConfig({ JWT_JWKS_URI: JWKS }).algorithms).toEqual(['RS256', 'ES256', 'PS256']);
  });

  it('has the documented JWKS defaults', () => {
    expect(read({ JWT_JWKS_URI: JWKS }).jwks).toEqual({
      cacheMs: 600_000,
      timeoutMs: 2000,
      refetchIntervalMs: 30_000,
    });
    expect(read({ JWT_JWKS_URI: JWKS }).jwksUri).toBe(JWKS);
  });
});

describe('algorithmsForKey', () => {
  it('matches what jsonwebtoken accepts for each key type', () => {
    expect(algorithmsForKey(generateKeyPairSync('ec', { namedCurve: 'P-521' }).publicKey)).toEqual([
      'ES512',
    ]);
    expect(
      algorithmsForKey(generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey),
    ).toEqual([]);
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).publicKey;
    expect(algorithmsForKey(pss)).toEqual(['PS256', 'PS384', 'PS512']);
    expect(algorithmsForKey(generateKeyPairSync('ed25519').publicKey)).toEqual([]);
  });
});
