import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { authConfig } from '../config/auth.config.js';
import { identityConfig, type IdentityConfig } from '../config/identity.config.js';
import { OwnKeys } from '../identity/own-keys.js';
import type { AuthUser } from './auth.types.js';
import { JwksKeyClient } from './jwks-key.client.js';
import { JwtKeys, type KeyCallback } from './jwt-keys.js';
import { userFromToken, type ClaimRules, type VerifiedToken } from './token-claims.js';

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly rules: ClaimRules;

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
      // complete: validate() gets the header too (crit), whichever key verified the token.
      jsonWebTokenOptions: { clockTolerance: config.clockToleranceSec, complete: true },
    });
    this.rules = {
      maxLifetimeSec: config.maxLifetimeSec,
      clockToleranceSec: config.clockToleranceSec,
    };
  }

  /** Every token passes here after its signature: throws TokenRefusedError to refuse it. */
  validate(token: VerifiedToken): AuthUser {
    return userFromToken(token, this.rules);
  }
}
