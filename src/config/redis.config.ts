import { registerAs } from '@nestjs/config';
import { EnvReader } from './env.js';

export const redisConfig = registerAs('redis', () => {
  const env = new EnvReader('redis');
  const url = env.string('REDIS_URL');
  if (url !== undefined) {
    try {
      const parsed = new URL(url);
      if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
        env.fail('REDIS_URL', 'must start with redis:// or rediss://');
      }
    } catch {
      env.fail('REDIS_URL', 'is not a URL');
    }
  }
  return env.done({
    url,
    // Redis is an optimisation: a call slower than this is abandoned and the request goes on.
    commandTimeoutMs: env.int('REDIS_COMMAND_TIMEOUT_MS', { default: 100, min: 5, max: 10_000 }),
    keyPrefix: env.string('REDIS_KEY_PREFIX', 'proconf:'),
  });
});

export type RedisConfig = ReturnType<typeof redisConfig>;
