import { Inject, Injectable } from '@nestjs/common';
import jwt, { type Algorithm } from 'jsonwebtoken';
import { randomInt, randomUUID, type KeyObject } from 'node:crypto';
import { authConfig, isHmac, type AuthConfig } from '../config/auth.config.js';
import { identityConfig, type IdentityConfig } from '../config/identity.config.js';
import { IdentityMetrics, type TokenKind } from './identity-metrics.service.js';
import { OwnKeys } from './own-keys.js';

// short-uuid's alphabet (flickrBase58), which the ProCONF sample's userId is written in:
// 22 characters carry 128 bits.
const ID_ALPHABET = '123456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ';
const ID_LENGTH = 22;

/** A random 22-character id like the ProCONF sample's guest userId ("fDDdfX34AWwqcDHGNvGDTB"). */
export function randomUserId(): string {
  let id = '';
  for (let i = 0; i < ID_LENGTH; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

interface Signing {
  algorithm: Algorithm;
  key: KeyObject;
  kid?: string;
}

/**
 * Signs the tokens this server issues, with JWT_PRIVATE_KEY (RS256/ES256, `kid` = the key's
 * RFC 7638 thumbprint) or else JWT_SECRET (HS256). The JWT guard accepts them in every
 * identity mode; iss/aud are JWT_ISSUER/JWT_AUDIENCE when set.
 */
@Injectable()
export class TokenSigner {
  private readonly signing: Signing | undefined;

  constructor(
    @Inject(authConfig.KEY) private readonly auth: AuthConfig,
    @Inject(identityConfig.KEY) private readonly identity: IdentityConfig,
    keys: OwnKeys,
    private readonly metrics: IdentityMetrics,
  ) {
    const current = keys.current;
    // HS256 unless JWT_ALGORITHMS allows only other HMAC algorithms: the guard must accept it.
    const hmac = auth.algorithms.includes('HS256') ? 'HS256' : auth.algorithms.find(isHmac);
    if (current !== undefined) {
      this.signing = { algorithm: current.algorithm, key: current.privateKey, kid: current.kid };
    } else if (auth.secretKey !== undefined && hmac !== undefined) {
      this.signing = { algorithm: hmac, key: auth.secretKey };
    }
  }

  /** Whether a signing key is configured (JWT_PRIVATE_KEY or JWT_SECRET). */
  get enabled(): boolean {
    return this.signing !== undefined;
  }

  /** An access token for a signed-in user: sub, iat, exp (AUTH_TOKEN_TTL_S), jti. */
  signAccessToken(username: string): string {
    const claims = { sub: username, ...this.lifetime(this.identity.accessTokenTtlS) };
    return this.sign('access', { ...claims, jti: randomUUID() });
  }

  /**
   * A guest token for one room, with the claims of the ProCONF sample: roomName, userId (a
   * random 22-character id), iat, exp (GUEST_TOKEN_TTL_S). The guard scopes it to its room.
   */
  signGuestToken(roomName: string): string {
    const claims = { roomName, userId: randomUserId() };
    return this.sign('guest', { ...claims, ...this.lifetime(this.identity.guestTokenTtlS) });
  }

  private lifetime(ttlS: number): { iat: number; exp: number } {
    const iat = Math.floor(Date.now() / 1000);
    return { iat, exp: iat + ttlS };
  }

  private sign(kind: TokenKind, claims: Record<string, unknown>): string {
    if (this.signing === undefined) throw new Error('no signing key (JWT_PRIVATE_KEY, JWT_SECRET)');
    const { algorithm, key, kid } = this.signing;
    const payload = { ...claims };
    if (this.auth.issuer !== undefined) payload.iss = this.auth.issuer;
    if (this.auth.audience !== undefined) payload.aud = this.auth.audience;
    const token = jwt.sign(payload, key, {
      algorithm,
      ...(kid === undefined ? {} : { keyid: kid }),
    });
    this.metrics.tokenIssued(kind);
    return token;
  }
}
