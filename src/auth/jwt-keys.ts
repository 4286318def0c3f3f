import type { KeyObject } from 'node:crypto';
import { isHmac, type AuthConfig } from '../config/auth.config.js';
import type { JwksKeyClient } from './jwks-key.client.js';

export type KeyCallback = (error: Error | null, key?: KeyObject) => void;

interface JoseHeader {
  alg?: unknown;
  kid?: unknown;
}

const MAX_KID_LENGTH = 256;

/** The token's JOSE header, or undefined when it is not one. Nothing is trusted yet. */
export function tokenHeader(token: unknown): JoseHeader | undefined {
  if (typeof token !== 'string') return undefined;
  const dot = token.indexOf('.');
  if (dot <= 0) return undefined;
  try {
    const header: unknown = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString());
    return typeof header === 'object' && header !== null ? header : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Picks the verification key from the token header. The key is chosen by the algorithm's family
 * and each family has its own source: HS* only ever gets JWT_SECRET, RS/PS/ES only ever get
 * JWT_PUBLIC_KEY or a JWKS key, so a public key can never be used as an HMAC secret (and
 * jsonwebtoken checks the key type against the algorithm once more).
 */
export class JwtKeys {
  private readonly allowed: ReadonlySet<string>;

  constructor(
    private readonly config: Pick<AuthConfig, 'algorithms' | 'secretKey' | 'publicKey'>,
    private readonly jwks?: JwksKeyClient,
  ) {
    this.allowed = new Set(config.algorithms);
  }

  // The secret and the PEM key are answered synchronously: the HS256 path costs one small
  // header decode more than a fixed secretOrKey, and no key derivation.
  keyFor(token: unknown, done: KeyCallback): void {
    const header = tokenHeader(token);
    const alg = header?.alg;
    if (typeof alg !== 'string' || !this.allowed.has(alg)) {
      return done(new Error(`algorithm ${String(alg)} is not allowed`));
    }
    if (isHmac(alg)) {
      return this.config.secretKey === undefined
        ? done(new Error(`no secret for ${alg}`))
        : done(null, this.config.secretKey);
    }
    const kid = header?.kid;
    // With both a PEM key and a JWKS, a kid says which: the IdP's keys always carry one.
    if (this.config.publicKey !== undefined && (this.jwks === undefined || kid === undefined)) {
      return done(null, this.config.publicKey);
    }
    if (this.jwks === undefined) return done(new Error(`no public key for ${alg}`));
    if (typeof kid !== 'string' || kid === '' || kid.length > MAX_KID_LENGTH) {
      return done(new Error('a JWKS-verified token needs a kid'));
    }
    this.jwks.getKey(kid, alg).then(
      (key) => done(null, key),
      (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
    );
  }
}
