import { registerAs } from '@nestjs/config';
import { EnvReader } from './env.js';

const MIN_PRODUCTION_SECRET_BYTES = 32;

export const authConfig = registerAs('auth', () => {
  const env = new EnvReader('auth');
  const production = env.string('NODE_ENV', 'production') === 'production';
  const secret = env.required('JWT_SECRET', 'the HS256 signing secret, at least 32 bytes');
  if (secret !== '' && production && Buffer.byteLength(secret) < MIN_PRODUCTION_SECRET_BYTES) {
    env.fail('JWT_SECRET', `must be at least ${MIN_PRODUCTION_SECRET_BYTES} bytes in production`);
  }
  return env.done({
    secret,
    issuer: env.string('JWT_ISSUER'),
    audience: env.string('JWT_AUDIENCE'),
    clockToleranceSec: env.int('JWT_CLOCK_TOLERANCE_SEC', { default: 5, min: 0, max: 300 }),
    tokenCacheSize: env.int('JWT_CACHE_SIZE', { default: 10_000, min: 0, max: 1_000_000 }),
  });
});

export type AuthConfig = ReturnType<typeof authConfig>;
