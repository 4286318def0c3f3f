import { createHash, type JsonWebKey, type KeyObject } from 'node:crypto';
import { tokenHeader } from '../auth/jwt-keys.js';
import type {
  IdentityConfig,
  SigningAlgorithm,
  SigningKey,
  VerificationKey,
} from '../config/identity.config.js';

/** A public key as GET /.well-known/jwks.json publishes it. */
export interface PublishedJwk {
  kty: string;
  use: 'sig';
  alg: SigningAlgorithm;
  kid: string;
  [member: string]: string;
}

export interface OwnKey extends VerificationKey {
  kid: string;
  jwk: PublishedJwk;
}

// RFC 7638 §3.2: the required members of each key type, in lexicographic order.
const THUMBPRINT_MEMBERS: Record<string, readonly string[]> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
};

/** The RFC 7638 JWK thumbprint (SHA-256, base64url) of a public RSA or EC JWK. */
export function jwkThumbprint(jwk: JsonWebKey): string {
  const members = THUMBPRINT_MEMBERS[String(jwk.kty)];
  if (members === undefined) throw new Error(`no thumbprint for key type ${String(jwk.kty)}`);
  const canonical = `{${members.map((m) => `${JSON.stringify(m)}:${JSON.stringify(jwk[m])}`).join(',')}}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

function ownKey({ algorithm, publicKey }: VerificationKey): OwnKey {
  const exported = publicKey.export({ format: 'jwk' });
  const kid = jwkThumbprint(exported);
  const members = THUMBPRINT_MEMBERS[String(exported.kty)];
  const kty = String(exported.kty);
  const material = members.filter((m) => m !== 'kty').map((m) => [m, String(exported[m])]);
  const jwk: PublishedJwk = {
    kty,
    use: 'sig',
    alg: algorithm,
    kid,
    ...Object.fromEntries(material),
  };
  return { algorithm, publicKey, kid, jwk };
}

/**
 * The asymmetric keys of the tokens this server signs (JWT_PRIVATE_KEY, and during a rotation
 * JWT_PREVIOUS_PUBLIC_KEYS), each named by its RFC 7638 thumbprint. Tokens carry that `kid`, so
 * the guard finds their key whatever other key sources (secret, PEM, JWKS) are configured, and
 * each key verifies exactly one algorithm.
 */
export class OwnKeys {
  /** The signing key with its kid; undefined without JWT_PRIVATE_KEY. */
  readonly current: (OwnKey & SigningKey) | undefined;
  /** Current key first, then the previous ones; no duplicates. */
  readonly all: readonly OwnKey[];
  private readonly byKid: ReadonlyMap<string, OwnKey>;

  constructor(config: Pick<IdentityConfig, 'signingKey' | 'previousPublicKeys'>) {
    const signing = config.signingKey;
    this.current = signing === undefined ? undefined : { ...signing, ...ownKey(signing) };
    const keys = [this.current, ...config.previousPublicKeys.map(ownKey)].filter(
      (key): key is OwnKey => key !== undefined,
    );
    const byKid = new Map<string, OwnKey>();
    for (const key of keys) if (!byKid.has(key.kid)) byKid.set(key.kid, key);
    this.byKid = byKid;
    this.all = [...byKid.values()];
  }

  /** The algorithms of these keys, to add to the guard's allow-list. */
  get algorithms(): SigningAlgorithm[] {
    return [...new Set(this.all.map((key) => key.algorithm))];
  }

  /**
   * The public key of a token this server signed: its `kid` names one of these keys and its
   * `alg` is that key's algorithm. Anything else is left to the other key sources.
   */
  keyFor(token: unknown): KeyObject | undefined {
    if (this.byKid.size === 0) return undefined;
    const header = tokenHeader(token);
    if (typeof header?.kid !== 'string') return undefined;
    const key = this.byKid.get(header.kid);
    return key !== undefined && header.alg === key.algorithm ? key.publicKey : undefined;
  }

  /** The JWK Set; undefined when this server signs with a shared secret (nothing to publish). */
  jwks(): { keys: PublishedJwk[] } | undefined {
    return this.all.length === 0 ? undefined : { keys: this.all.map((key) => key.jwk) };
  }
}
