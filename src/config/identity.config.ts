import { registerAs } from '@nestjs/config';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { resolve } from 'node:path';
import { MAX_LIFETIME_RULE } from './auth.config.js';
import { EnvReader, type Env } from './env.js';

const MIN_RSA_BITS = 2048;
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** What this server signs with: RS256 with an RSA key, ES256 with an EC P-256 key. */
export type SigningAlgorithm = 'RS256' | 'ES256';

export interface SigningKey {
  algorithm: SigningAlgorithm;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface VerificationKey {
  algorithm: SigningAlgorithm;
  publicKey: KeyObject;
}

/** The algorithm for a key this server may sign with, or a problem to report. */
function signingAlgorithm(key: KeyObject): SigningAlgorithm | string {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa') {
    const bits = details?.modulusLength ?? 0;
    return bits >= MIN_RSA_BITS
      ? 'RS256'
      : `is a ${bits}-bit RSA key; at least ${MIN_RSA_BITS} bits required`;
  }
  if (key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1') return 'ES256';
  return 'must be an RSA (RS256) or EC P-256 (ES256) key';
}

// One-line env files carry PEM text with literal "\n" escapes.
function pemText(env: EnvReader, name: string): string | undefined {
  return env.raw(name)?.replace(/\\n/g, '\n');
}

function parsePrivateKey(env: EnvReader): SigningKey | undefined {
  const pem = pemText(env, 'JWT_PRIVATE_KEY');
  if (pem === undefined) return undefined;
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    // PKCS#8 "ENCRYPTED PRIVATE KEY", or a legacy PEM with a "Proc-Type: 4,ENCRYPTED" header.
    const encrypted = /ENCRYPTED/.test(pem);
    env.fail(
      'JWT_PRIVATE_KEY',
      encrypted
        ? 'is encrypted; give it unencrypted (protect the variable instead)'
        : 'is not a valid PEM private key (PKCS#8 "BEGIN PRIVATE KEY", PKCS#1 or SEC1)',
    );
    return undefined;
  }
  const algorithm = signingAlgorithm(privateKey);
  if (algorithm !== 'RS256' && algorithm !== 'ES256') {
    env.fail('JWT_PRIVATE_KEY', algorithm);
    return undefined;
  }
  return { algorithm, privateKey, publicKey: createPublicKey(privateKey) };
}

function parsePreviousKeys(env: EnvReader, signing: boolean): VerificationKey[] {
  const text = pemText(env, 'JWT_PREVIOUS_PUBLIC_KEYS');
  if (text === undefined) return [];
  if (!signing && env.raw('JWT_PRIVATE_KEY') === undefined) {
    env.fail('JWT_PREVIOUS_PUBLIC_KEYS', 'is only used with JWT_PRIVATE_KEY');
    return [];
  }
  const blocks = [...text.matchAll(PEM_BLOCK)];
  if (blocks.length === 0) {
    env.fail('JWT_PREVIOUS_PUBLIC_KEYS', 'holds no PEM public key ("BEGIN PUBLIC KEY")');
    return [];
  }
  const keys: VerificationKey[] = [];
  blocks.forEach(([pem, label], index) => {
    const which = `key ${index + 1} of JWT_PREVIOUS_PUBLIC_KEYS`;
    if (label.includes('PRIVATE')) {
      env.fail(which, 'is a private key; only public keys belong here');
      return;
    }
    let publicKey: KeyObject;
    try {
      publicKey = createPublicKey({ key: pem, format: 'pem' });
    } catch {
      env.fail(which, 'is not a valid PEM public key');
      return;
    }
    const algorithm = signingAlgorithm(publicKey);
    if (algorithm === 'RS256' || algorithm === 'ES256') keys.push({ algorithm, publicKey });
    else env.fail(which, algorithm);
  });
  return keys;
}

// Role names as Admin Control's `role` takes them (the docs show "owner").
const ROLE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;

function parseRoles(env: EnvReader, name: string, fallback: string[]): string[] {
  const roles = env.raw(name) === undefined ? fallback : [...new Set(env.list(name))];
  const bad = roles.filter((role) => !ROLE_NAME.test(role));
  if (roles.length === 0 || bad.length > 0) {
    env.fail(name, 'must be a comma list of role names (a letter, then up to 31 of A-Za-z0-9_-)');
  }
  return roles;
}

/**
 * GET /auth/joinmember: on by default when the server has a key to sign guest tokens with
 * (JWT_PRIVATE_KEY or JWT_SECRET), off (404) otherwise; GUEST_JOIN_ENABLED=true without a key
 * stops the boot.
 */
function guestJoinEnabled(env: EnvReader): boolean {
  const canSign = env.raw('JWT_PRIVATE_KEY') !== undefined || env.raw('JWT_SECRET') !== undefined;
  const explicit = env.raw('GUEST_JOIN_ENABLED') !== undefined;
  const enabled = env.bool('GUEST_JOIN_ENABLED', canSign);
  if (explicit && enabled && !canSign) {
    env.fail('GUEST_JOIN_ENABLED', 'needs JWT_SECRET or JWT_PRIVATE_KEY to sign guest tokens');
  }
  return enabled && canSign;
}

interface TokenTtlRule {
  default: number;
  /** Whether this server issues these tokens in this configuration. */
  issued: boolean;
  /** JWT_MAX_LIFETIME_S: the server refuses tokens that live longer, its own too. */
  maxLifetimeS: number;
}

// The default shortens to JWT_MAX_LIFETIME_S; a longer value set explicitly stops the boot.
function tokenTtl(env: EnvReader, name: string, rule: TokenTtlRule): number {
  const fallback = Math.min(rule.default, rule.maxLifetimeS);
  const ttl = env.int(name, { default: fallback, min: 60, max: 7 * 86_400 });
  if (rule.issued && ttl > rule.maxLifetimeS) {
    env.fail(
      name,
      `must not exceed JWT_MAX_LIFETIME_S (${rule.maxLifetimeS}): tokens would be refused`,
    );
  }
  return ttl;
}

/** Reads and validates the identity variables; exported for its unit spec. */
export function readIdentityConfig(source: Env = process.env) {
  const env = new EnvReader('identity', source);
  const usersFile = env.string('AUTH_USERS_FILE');
  const signingKey = parsePrivateKey(env);
  const previousPublicKeys = parsePreviousKeys(env, signingKey !== undefined);
  if (
    usersFile !== undefined &&
    env.raw('JWT_PRIVATE_KEY') === undefined &&
    env.raw('JWT_SECRET') === undefined
  ) {
    env.fail('AUTH_USERS_FILE', 'needs JWT_SECRET or JWT_PRIVATE_KEY to sign the tokens it issues');
  }
  const proconfRoles = parseRoles(env, 'PROCONF_ROLES', ['owner', 'participant']);
  const guestRoles = parseRoles(env, 'GUEST_ROLES', ['participant']);
  const unknown = guestRoles.filter((role) => !proconfRoles.includes(role));
  if (unknown.length > 0) {
    env.fail('GUEST_ROLES', `names roles missing from PROCONF_ROLES (${unknown.join(', ')})`);
  }
  const day = 86_400;
  // An invalid JWT_MAX_LIFETIME_S is the auth slice's to report; its default stands in here.
  const maxLifetimeS = new EnvReader('auth', source).int('JWT_MAX_LIFETIME_S', MAX_LIFETIME_RULE);
  const guests = {
    /** Whether GET /auth/joinmember issues guest tokens (otherwise 404). */
    joinEnabled: guestJoinEnabled(env),
    /** Guest tokens per client address and minute (every request to the route counts). */
    tokensPerMinute: env.int('GUEST_TOKENS_PER_MINUTE', { default: 30, min: 1, max: 1_000_000 }),
    /** The ProCONF roles a room-scoped (guest) token may ask POST /proconfToken for. */
    roles: guestRoles,
  };
  return env.done({
    /** Absolute path of the user directory; undefined: POST /auth/login answers 404. */
    usersFile: usersFile === undefined ? undefined : resolve(usersFile),
    signingKey,
    previousPublicKeys,
    accessTokenTtlS: tokenTtl(env, 'AUTH_TOKEN_TTL_S', {
      default: 3600,
      issued: usersFile !== undefined,
      maxLifetimeS,
    }),
    guestTokenTtlS: tokenTtl(env, 'GUEST_TOKEN_TTL_S', {
      default: 14_400,
      issued: guests.joinEnabled,
      maxLifetimeS,
    }),
    login: {
      failuresPerUser: env.int('LOGIN_FAILURES_PER_USER', { default: 5, min: 1, max: 10_000 }),
      failuresPerAddress: env.int('LOGIN_FAILURES_PER_ADDRESS', {
        default: 30,
        min: 1,
        max: 1_000_000,
      }),
      windowMs: env.int('LOGIN_FAILURE_WINDOW_S', { default: 900, min: 1, max: day }) * 1000,
    },
    guests,
    /** The `role` values POST /proconfToken accepts. */
    proconfRoles,
  });
}

export const identityConfig = registerAs('identity', () => readIdentityConfig());

export type IdentityConfig = ReturnType<typeof identityConfig>;
