import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { authConfig } from '../config/auth.config.js';
import { identityConfig, type IdentityConfig } from '../config/identity.config.js';
import { OwnKeys } from '../identity/own-keys.js';
import type { AuthUser, JwtPayload } from './auth.types.js';
import { JwksKeyClient } from './jwks-key.client.js';
import { JwtKeys, type KeyCallback } from './jwt-keys.js';

/**
 * The room a token is scoped to: undefined when it carries no room claim, null when the claim is
 * unusable (not a string, blank, or `roomName` and `room` disagree), which refuses the token:
 * a malformed scope must not fall back to full access.
 */
export function roomScope(payload: JwtPayload): string | undefined | null {
  const claims = [payload.roomName, payload.room].filter((claim) => claim !== undefined);
  if (claims.length === 0) return undefined;
  const rooms = claims.map((claim) => (typeof claim === 'string' ? claim.trim() : ''));
  if (rooms.some((room) => room === '' || room !== rooms[0])) return null;
  return rooms[0];
}

export function userFromPayload(payload: JwtPayload): AuthUser | null {
  // exp is required: a token without it would be valid forever.
  if (typeof payload.exp !== 'number' || !Number.isFinite(payload.exp)) return null;
  const roomName = roomScope(payload);
  if (roomName === null) return null;
  const subject = typeof payload.sub === 'string' ? payload.sub : payload.userId;
  return {
    subject: typeof subject === 'string' ? subject : 'anonymous',
    roomName,
    expiresAt: payload.exp,
  };
}

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(authConfig.KEY) config: ConfigType<typeof authConfig>,
    @Inject(identityConfig.KEY) identity: IdentityConfig,
  ) {
    const jwks =
      config.jwksUri === undefined
        ? undefined
        : new JwksKeyClient({ uri: config.jwksUri, ...config.jwks });
    const keys = new JwtKeys(config, jwks);
    // identity: the server's own tokens (JWT_PRIVATE_KEY, JWT_PREVIOUS_PUBLIC_KEYS) are found by
    // their kid, whatever other key sources are configured; HS256 ones use JWT_SECRET as usual.
    const own = new OwnKeys(identity);
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // Hands jsonwebtoken KeyObjects (@types/passport-jwt predates them; jsonwebtoken 9 takes them).
      secretOrKeyProvider: (_request, token, done) => {
        const ownKey = own.keyFor(token);
        if (ownKey !== undefined) return (done as KeyCallback)(null, ownKey);
        keys.keyFor(token, done as KeyCallback);
      },
      algorithms: [...new Set([...config.algorithms, ...own.algorithms])],
      issuer: config.issuer,
      audience: config.audience,
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: config.clockToleranceSec },
    });
  }

  validate(payload: JwtPayload): AuthUser | false {
    return userFromPayload(payload) ?? false;
  }
}
