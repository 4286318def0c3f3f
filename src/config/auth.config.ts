import { registerAs } from '@nestjs/config';
import type { Algorithm } from 'jsonwebtoken';
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { EnvReader, type Env } from './env.js';
import { GENERATE_SECRET_HINT, publicSecretProblem } from './public-secret.js';

const MIN_PRODUCTION_SECRET_BYTES = 32;
const MIN_RSA_BITS = 2048;
// JWT_MAX_LIFETIME_S: how far ahead a token's exp may be (30 days by default). The identity
// slice reads it too: the tokens this server signs must pass it.
export const MAX_LIFETIME_RULE = { default: 30 * 86_400, min: 60, max: 366 * 86_400 };

export const HMAC_ALGORITHMS: readonly Algorithm[] = ['HS256', 'HS384', 'HS512'];
export const ASYMMETRIC_ALGORITHMS: readonly Algorithm[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
];
// What a JWKS may serve when JWT_ALGORITHMS is not set: the common signing algorithms.
const DEFAULT_JWKS_ALGORITHMS: readonly Algorithm[] = ['RS256', 'ES256', 'PS256'];
const EC_ALGORITHM_BY_CURVE: Record<string, Algorithm> = {
  prime256v1: 'ES256',
  secp384r1: 'ES384',
  secp521r1: 'ES512',
};

export function isHmac(algorithm: string): boolean {
  return (HMAC_ALGORITHMS as readonly string[]).includes(algorithm);
}

/** The algorithms a public key can verify (the pairs jsonwebtoken itself accepts). */
export function algorithmsForKey(key: KeyObject): Algorithm[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
    case 'rsa-pss':
      return ['PS256', 'PS384', 'PS512'];
    case 'ec': {
      const algorithm = EC_ALGORITHM_BY_CURVE[key.asymmetricKeyDetails?.namedCurve ?? ''];
      return algorithm === undefined ? [] : [algorithm];
    }
    default:
      return [];
  }
}

function parsePublicKey(env: EnvReader): KeyObject | undefined {
  // One-line env files carry the PEM with literal "\n" escapes.
  const pem = env.raw('JWT_PUBLIC_KEY')?.replace(/\\n/g, '\n');
  if (pem === undefined) return undefined;
  if (pem.includes('PRIVATE KEY')) {
    // createPublicKey would quietly derive the public half; the signing key has no place here.
    env.fail('JWT_PUBLIC_KEY', 'must be a public key, not a private key');
    return undefined;
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    env.fail('JWT_PUBLIC_KEY', 'is not a valid PEM public key (SPKI "BEGIN PUBLIC KEY" or PKCS#1)');
    return undefined;
  }
  if (algorithmsForKey(key).length === 0) {
    env.fail('JWT_PUBLIC_KEY', `must be an RSA or EC (P-256/384/521) key`);
    return undefined;
  }
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (bits !== undefined && bits < MIN_RSA_BITS) {
    env.fail('JWT_PUBLIC_KEY', `is a ${bits}-bit RSA key; at least ${MIN_RSA_BITS} bits required`);
    return undefined;
  }
  return key;
}

function parseJwksUri(env: EnvReader): string | undefined {
  return env.httpUrl('JWT_JWKS_URI')?.href;
}

function parseAlgorithms(
  env: EnvReader,
  sources: { secret: boolean; publicKey?: KeyObject; jwks: boolean },
): Algorithm[] {
  const pemAlgorithms = sources.publicKey ? algorithmsForKey(sources.publicKey) : [];
  const listed = env.list('JWT_ALGORITHMS').map((name) => name.toUpperCase());
  if (listed.length === 0) {
    const derived: Algorithm[] = [];
    if (sources.secret) derived.push('HS256');
    if (sources.jwks) derived.push(...DEFAULT_JWKS_ALGORITHMS);
    // An RSA key: RS256 and PS256; an EC key: the one algorithm of its curve.
    derived.push(...pemAlgorithms.filter((a) => a === 'RS256' || a === 'PS256' || a[0] === 'E'));
    return [...new Set(derived)];
  }

  const algorithms: Algorithm[] = [];
  for (const name of listed) {
    if (name === 'NONE') {
      env.fail('JWT_ALGORITHMS', 'must not contain "none" (unsigned tokens)');
    } else if (isHmac(name)) {
      // An HMAC algorithm next to a public key only is the algorithm-confusion attack: anyone
      // could sign with the (public) key as the HMAC secret.
      if (!sources.secret) {
        env.fail(
          'JWT_ALGORITHMS',
          `allows ${name}, which needs JWT_SECRET (HMAC algorithms are never verified with JWT_PUBLIC_KEY or JWT_JWKS_URI keys)`,
        );
      }
      algorithms.push(name as Algorithm);
    } else if ((ASYMMETRIC_ALGORITHMS as readonly string[]).includes(name)) {
      if (!sources.jwks && sources.publicKey === undefined) {
        env.fail(
          'JWT_ALGORITHMS',
          `allows ${name}, which needs JWT_PUBLIC_KEY or JWT_JWKS_URI (JWT_SECRET is never used for it)`,
        );
      } else if (!sources.jwks && !(pemAlgorithms as string[]).includes(name)) {
        env.fail(
          'JWT_ALGORITHMS',
          `allows ${name}, which JWT_PUBLIC_KEY (${describeKey(sources.publicKey)}) cannot verify`,
        );
      }
      algorithms.push(name as Algorithm);
    } else {
      env.fail(
        'JWT_ALGORITHMS',
        `has an unsupported algorithm "${name}" (supported: ${[...HMAC_ALGORITHMS, ...ASYMMETRIC_ALGORITHMS].join(', ')})`,
      );
    }
  }
  // A key source no allowed algorithm uses is a configuration mistake; say so instead of
  // silently ignoring it.
  if (sources.secret && !algorithms.some(isHmac)) {
    env.fail('JWT_SECRET', 'is set but JWT_ALGORITHMS allows no HS algorithm (unset one of them)');
  }
  if (sources.publicKey !== undefined && !algorithms.some((a) => pemAlgorithms.includes(a))) {
    env.fail('JWT_PUBLIC_KEY', 'is set but JWT_ALGORITHMS allows no algorithm it can verify');
  }
  if (sources.jwks && !algorithms.some((a) => !isHmac(a))) {
    env.fail('JWT_JWKS_URI', 'is set but JWT_ALGORITHMS allows no RS, PS or ES algorithm');
  }
  return [...new Set(algorithms)];
}

function describeKey(key: KeyObject | undefined): string {
  if (key?.asymmetricKeyType === 'ec') return `an EC ${key.asymmetricKeyDetails?.namedCurve} key`;
  return `an ${key?.asymmetricKeyType?.toUpperCase() ?? 'unknown'} key`;
}

/** Reads and validates the auth variables; exported for its unit spec. */
export function readAuthConfig(source: Env = process.env) {
  const env = new EnvReader('auth', source);
  const production = env.string('NODE_ENV', 'production') === 'production';
  const secret = env.raw('JWT_SECRET');
  const publicKey = parsePublicKey(env);
  const jwksUri = parseJwksUri(env);
  // identity: JWT_PRIVATE_KEY (identity.config.ts) is a key source too: the server's own tokens.
  const ownKey = env.raw('JWT_PRIVATE_KEY') !== undefined;
  if (
    secret === undefined &&
    env.raw('JWT_PUBLIC_KEY') === undefined &&
    jwksUri === undefined &&
    !ownKey
  ) {
    env.fail(
      'JWT_SECRET',
      'is required unless JWT_PUBLIC_KEY or JWT_JWKS_URI is set (at least one token key source; JWT_PRIVATE_KEY counts as one)',
    );
  }
  if (secret !== undefined && production) {
    const problem =
      Buffer.byteLength(secret) < MIN_PRODUCTION_SECRET_BYTES
        ? `must be at least ${MIN_PRODUCTION_SECRET_BYTES} bytes in production`
        : publicSecretProblem(secret);
    if (problem !== undefined) env.fail('JWT_SECRET', `${problem} (${GENERATE_SECRET_HINT})`);
  }
  const badPublicKey = publicKey === undefined && env.raw('JWT_PUBLIC_KEY') !== undefined;
  // A bad JWT_PUBLIC_KEY is reported already; checking algorithms against it only adds noise.
  const algorithms = badPublicKey
    ? []
    : parseAlgorithms(env, {
        secret: secret !== undefined,
        publicKey,
        jwks: jwksUri !== undefined,
      });
  return env.done({
    // KeyObjects, built once: jsonwebtoken would re-derive a key from a string on every verify.
    secretKey: secret === undefined ? undefined : createSecretKey(Buffer.from(secret, 'utf8')),
    publicKey,
    jwksUri,
    algorithms,
    issuer: env.string('JWT_ISSUER'),
    audience: env.string('JWT_AUDIENCE'),
    clockToleranceSec: env.int('JWT_CLOCK_TOLERANCE_SEC', { default: 5, min: 0, max: 300 }),
    // A token whose exp is further ahead than this was not meant by any issuer we trust.
    maxLifetimeSec: env.int('JWT_MAX_LIFETIME_S', MAX_LIFETIME_RULE),
    tokenCacheSize: env.int('JWT_CACHE_SIZE', { default: 10_000, min: 0, max: 1_000_000 }),
    jwks: {
      cacheMs: env.int('JWT_JWKS_CACHE_MS', { default: 600_000, min: 1000, max: 86_400_000 }),
      timeoutMs: env.int('JWT_JWKS_TIMEOUT_MS', { default: 2000, min: 50, max: 60_000 }),
      refetchIntervalMs: env.int('JWT_JWKS_REFETCH_INTERVAL_MS', {
        default: 30_000,
        min: 100,
        max: 3_600_000,
      }),
    },
  });
}

export const authConfig = registerAs('auth', () => readAuthConfig());

export type AuthConfig = ReturnType<typeof authConfig>;
