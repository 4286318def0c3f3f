import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { createSecretKey } from 'node:crypto';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { authConfig } from '../config/auth.config.js';
import type { AuthUser, JwtPayload } from './auth.types.js';

export function userFromPayload(payload: JwtPayload): AuthUser | null {
  // exp is required: a token without it would be valid forever.
  if (typeof payload.exp !== 'number' || !Number.isFinite(payload.exp)) return null;
  const subject = typeof payload.sub === 'string' ? payload.sub : payload.userId;
  const room = payload.roomName ?? payload.room;
  return {
    subject: typeof subject === 'string' ? subject : 'anonymous',
    roomName: typeof room === 'string' ? room : undefined,
    expiresAt: payload.exp,
  };
}

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(@Inject(authConfig.KEY) config: ConfigType<typeof authConfig>) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject, not the string: jsonwebtoken re-derives a key from a string on every verify.
      // (@types/passport-jwt predates KeyObject; jsonwebtoken 9 accepts it.)
      secretOrKey: createSecretKey(Buffer.from(config.secret, 'utf8')) as unknown as Buffer,
      algorithms: ['HS256'],
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
