import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Env } from './env.js';
import { readIdentityConfig } from './identity.config.js';

const privatePem = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicPem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const ed25519 = generateKeyPairSync('ed25519');
const ENCRYPTED = ec.privateKey
  .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' })
  .toString();

describe('readIdentityConfig', () => {
  it('has the documented defaults: no users file, no private key', () => {
    expect(readIdentityConfig({})).toStrictEqual({
      usersFile: undefined,
      signingKey: undefined,
      previousPublicKeys: [],
      accessTokenTtlS: 3600,
      guestTokenTtlS: 14_400,
      login: { failuresPerUser: 5, failuresPerAddress: 30, windowMs: 900_000 },
      guests: { joinEnabled: false, tokensPerMinute: 30, roles: ['participant'] },
      proconfRoles: ['owner', 'participant'],
    });
  });

  it('turns guest join on by default when there is a key to sign with', () => {
    expect(readIdentityConfig({ JWT_SECRET: 'x' }).guests.joinEnabled).toBe(true);
    const withKey = readIdentityConfig({ JWT_PRIVATE_KEY: privatePem(ec.privateKey) });
    expect(withKey.guests.joinEnabled).toBe(true);
    const off = readIdentityConfig({ JWT_SECRET: 'x', GUEST_JOIN_ENABLED: 'false' });
    expect(off.guests.joinEnabled).toBe(false);
    // Not asked for and no key: off without a complaint (tokens come from an identity provider).
    expect(readIdentityConfig({ GUEST_JOIN_ENABLED: 'false' }).guests.joinEnabled).toBe(false);
  });

  it('reads the guest limit and the role lists (trimmed, without repeats)', () => {
    const config = readIdentityConfig({
      GUEST_TOKENS_PER_MINUTE: '5',
      PROCONF_ROLES: ' owner , moderator,participant,owner',
      GUEST_ROLES: 'participant, moderator',
    });
    expect(config.guests).toStrictEqual({
      joinEnabled: false,
      tokensPerMinute: 5,
      roles: ['participant', 'moderator'],
    });
    expect(config.proconfRoles).toStrictEqual(['owner', 'moderator', 'participant']);
  });

  it('reads the lifetimes, the login limits and an absolute users file path', () => {
    const config = readIdentityConfig({
      AUTH_USERS_FILE: 'config/users',
      JWT_SECRET: 'x',
      AUTH_TOKEN_TTL_S: '600',
      GUEST_TOKEN_TTL_S: '54000',
      LOGIN_FAILURES_PER_USER: '10',
      LOGIN_FAILURES_PER_ADDRESS: '100',
      LOGIN_FAILURE_WINDOW_S: '60',
    });
    expect(config.usersFile).toBe(`${process.cwd()}/config/users`);
    expect(config).toMatchObject({ accessTokenTtlS: 600, guestTokenTtlS: 54_000 });
    expect(config.login).toEqual({
      failuresPerUser: 10,
      failuresPerAddress: 100,
      windowMs: 60_000,
    });
  });

  it('keeps token lifetimes within JWT_MAX_LIFETIME_S: the defaults shorten to it', () => {
    const short = { AUTH_USERS_FILE: 'users', JWT_SECRET: 'x', JWT_MAX_LIFETIME_S: '600' };
    expect(readIdentityConfig(short)).toMatchObject({ accessTokenTtlS: 600, guestTokenTtlS: 600 });
    // Exactly JWT_MAX_LIFETIME_S passes: the claim check allows exp that far ahead.
    const equal = { ...short, AUTH_TOKEN_TTL_S: '600', GUEST_TOKEN_TTL_S: '600' };
    expect(readIdentityConfig(equal)).toMatchObject({ accessTokenTtlS: 600, guestTokenTtlS: 600 });
    // Tokens the server does not issue (no users file, guest join off) are not checked.
    const quiet = { JWT_SECRET: 'x', GUEST_JOIN_ENABLED: 'false', JWT_MAX_LIFETIME_S: '600' };
    const longer = { ...quiet, AUTH_TOKEN_TTL_S: '3600', GUEST_TOKEN_TTL_S: '3600' };
    expect(readIdentityConfig(longer)).toMatchObject({ accessTokenTtlS: 3600 });
  });

  it.each<[string, string, 'RS256' | 'ES256']>([
    ['an EC P-256 key (PKCS#8)', privatePem(ec.privateKey), 'ES256'],
    ['an RSA key (PKCS#8)', privatePem(rsa.privateKey), 'RS256'],
    [
      'an RSA key (PKCS#1) with \\n escapes',
      rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString().replace(/\n/g, '\\n'),
      'RS256',
    ],
    ['an EC key (SEC1)', ec.privateKey.export({ type: 'sec1', format: 'pem' }).toString(), 'ES256'],
  ])('signs with %s', (_name, pem, algorithm) => {
    const { signingKey } = readIdentityConfig({ JWT_PRIVATE_KEY: pem });
    expect(signingKey?.algorithm).toBe(algorithm);
    expect(signingKey?.privateKey.type).toBe('private');
    expect(signingKey?.publicKey.type).toBe('public');
  });

  it('reads several previous public keys, with their algorithms', () => {
    const { previousPublicKeys } = readIdentityConfig({
      JWT_PRIVATE_KEY: privatePem(ec.privateKey),
      JWT_PREVIOUS_PUBLIC_KEYS: `${publicPem(rsa.publicKey)}\n${publicPem(ec.publicKey)}`,
    });
    expect(previousPublicKeys.map((key) => key.algorithm)).toEqual(['RS256', 'ES256']);
  });

  it.each<[string, Env, string]>([
    [
      'a users file without a key to sign with',
      { AUTH_USERS_FILE: '/etc/proconf/users' },
      'AUTH_USERS_FILE needs JWT_SECRET or JWT_PRIVATE_KEY to sign the tokens it issues',
    ],
    [
      'a private key that is not PEM',
      { JWT_PRIVATE_KEY: 'nope' },
      'JWT_PRIVATE_KEY is not a valid PEM private key',
    ],
    [
      'a public key as private key',
      { JWT_PRIVATE_KEY: publicPem(ec.publicKey) },
      'JWT_PRIVATE_KEY is not a valid PEM private key',
    ],
    ['an encrypted private key', { JWT_PRIVATE_KEY: ENCRYPTED }, 'JWT_PRIVATE_KEY is encrypted'],
    [
      'a 1024-bit RSA key',
      { JWT_PRIVATE_KEY: privatePem(rsa1024.privateKey) },
      'JWT_PRIVATE_KEY is a 1024-bit RSA key',
    ],
    [
      'a P-384 key',
      { JWT_PRIVATE_KEY: privatePem(p384.privateKey) },
      'JWT_PRIVATE_KEY must be an RSA (RS256) or EC P-256 (ES256) key',
    ],
    [
      'an Ed25519 key',
      { JWT_PRIVATE_KEY: privatePem(ed25519.privateKey) },
      'JWT_PRIVATE_KEY must be an RSA',
    ],
    [
      'previous keys without a private key',
      { JWT_SECRET: 'x', JWT_PREVIOUS_PUBLIC_KEYS: publicPem(ec.publicKey) },
      'JWT_PREVIOUS_PUBLIC_KEYS is only used with JWT_PRIVATE_KEY',
    ],
    [
      'previous keys that are not PEM',
      { JWT_PRIVATE_KEY: privatePem(ec.privateKey), JWT_PREVIOUS_PUBLIC_KEYS: 'abc' },
      'JWT_PREVIOUS_PUBLIC_KEYS holds no PEM public key',
    ],
    [
      'a private key among the previous keys',
      {
        JWT_PRIVATE_KEY: privatePem(ec.privateKey),
        JWT_PREVIOUS_PUBLIC_KEYS: publicPem(rsa.publicKey) + privatePem(rsa.privateKey),
      },
      'key 2 of JWT_PREVIOUS_PUBLIC_KEYS is a private key',
    ],
    [
      'a previous key of another type',
      {
        JWT_PRIVATE_KEY: privatePem(ec.privateKey),
        JWT_PREVIOUS_PUBLIC_KEYS: publicPem(p384.publicKey),
      },
      'key 1 of JWT_PREVIOUS_PUBLIC_KEYS must be an RSA (RS256) or EC P-256 (ES256) key',
    ],
    [
      'a lifetime under a minute',
      { AUTH_TOKEN_TTL_S: '59' },
      'AUTH_TOKEN_TTL_S must be an integer from 60 to 604800',
    ],
    [
      'a guest lifetime over a week',
      { GUEST_TOKEN_TTL_S: '604801' },
      'GUEST_TOKEN_TTL_S must be an integer from 60',
    ],
    [
      'access tokens that would outlive JWT_MAX_LIFETIME_S',
      {
        AUTH_USERS_FILE: '/etc/proconf/users',
        JWT_SECRET: 'x',
        JWT_MAX_LIFETIME_S: '600',
        AUTH_TOKEN_TTL_S: '900',
      },
      'AUTH_TOKEN_TTL_S must not exceed JWT_MAX_LIFETIME_S (600): tokens would be refused',
    ],
    [
      'guest tokens that would outlive JWT_MAX_LIFETIME_S',
      { JWT_SECRET: 'x', JWT_MAX_LIFETIME_S: '7200', GUEST_TOKEN_TTL_S: '7201' },
      'GUEST_TOKEN_TTL_S must not exceed JWT_MAX_LIFETIME_S (7200): tokens would be refused',
    ],
    [
      'guest join asked for without a key to sign with',
      { GUEST_JOIN_ENABLED: 'true' },
      'GUEST_JOIN_ENABLED needs JWT_SECRET or JWT_PRIVATE_KEY',
    ],
    ['a guest join flag that is not a boolean', { GUEST_JOIN_ENABLED: 'maybe' }, 'must be true'],
    [
      'no guest tokens at all',
      { GUEST_TOKENS_PER_MINUTE: '0' },
      'GUEST_TOKENS_PER_MINUTE must be an integer from 1',
    ],
    ['an empty role list', { PROCONF_ROLES: ' , ' }, 'PROCONF_ROLES must be a comma list'],
    [
      'a role name with a space',
      { PROCONF_ROLES: 'owner,co host' },
      'PROCONF_ROLES must be a comma list',
    ],
    [
      'a guest role that is not a ProCONF role',
      { GUEST_ROLES: 'participant,moderator' },
      'GUEST_ROLES names roles missing from PROCONF_ROLES (moderator)',
    ],
    [
      'no failures allowed',
      { LOGIN_FAILURES_PER_USER: '0' },
      'LOGIN_FAILURES_PER_USER must be an integer from 1',
    ],
  ])('refuses %s', (_name, env, message) => {
    expect(() => readIdentityConfig(env)).toThrow(message);
  });
});
