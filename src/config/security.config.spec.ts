import { describe, expect, it } from 'vitest';
import { isolatedEnv } from '../../test/support/env.js';
import { ConfigError } from './env.js';
import { corsOptions, securityConfig, trustProxyFromEnv } from './security.config.js';

const setEnv = isolatedEnv();

function configError(values: Record<string, string>): string {
  setEnv(values);
  try {
    securityConfig();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('securityConfig', () => {
  it('has documented defaults: limits on, 600 a minute, CORS off, no proxy trusted', () => {
    setEnv({});
    expect(securityConfig()).toEqual({
      trustProxy: false,
      rateLimit: { enabled: true, limit: 600, windowMs: 60_000 },
      cors: { origins: [], maxAgeSec: 600 },
    });
    expect(trustProxyFromEnv()).toBe(false);
  });

  it.each([
    ['true', true],
    ['off', false],
    ['10.0.0.1', ['10.0.0.1']],
    ['10.0.0.0/8, loopback, ::1', ['10.0.0.0/8', 'loopback', '::1']],
  ])('reads TRUST_PROXY=%s', (text, expected) => {
    setEnv({ TRUST_PROXY: text });
    expect(securityConfig().trustProxy).toEqual(expected);
    expect(trustProxyFromEnv()).toEqual(expected);
  });

  it.each([['2'], ['proxy.example.com'], ['10.0.0.1/8/1']])(
    'refuses TRUST_PROXY=%s, and the adapter then trusts no proxy',
    (text) => {
      expect(configError({ TRUST_PROXY: text })).toContain('TRUST_PROXY must be true, false or');
      expect(trustProxyFromEnv()).toBe(false);
    },
  );

  it.each([
    ['https://app.example.com/', 'CORS_ORIGINS must list origins'],
    ['app.example.com', 'CORS_ORIGINS must list origins'],
    ['https://app.example.com/path', 'CORS_ORIGINS must list origins'],
    ['*, https://app.example.com', 'CORS_ORIGINS must be "*" alone'],
  ])('refuses CORS_ORIGINS=%s', (origins, message) => {
    expect(configError({ CORS_ORIGINS: origins })).toContain(message);
  });

  it('refuses a rate limit below 1 a minute', () => {
    expect(configError({ RATE_LIMIT_PER_MINUTE: '0' })).toContain(
      'RATE_LIMIT_PER_MINUTE must be an integer from 1',
    );
  });

  it('builds no CORS options when CORS_ORIGINS is empty, and exact-origin ones otherwise', () => {
    expect(corsOptions({ origins: [], maxAgeSec: 600 })).toBeUndefined();
    expect(corsOptions({ origins: ['*'], maxAgeSec: 600 })?.origin).toBe('*');
    const origin = corsOptions({ origins: ['https://a.example'], maxAgeSec: 60 })?.origin;
    const allowed = (value: string | undefined) => {
      let result: unknown;
      (origin as (o: string | undefined, cb: (e: unknown, r: unknown) => void) => void)(
        value,
        (_error, ok) => (result = ok),
      );
      return result;
    };
    expect([
      allowed('https://a.example'),
      allowed('https://a.example.evil'),
      allowed('http://a.example'),
      allowed(undefined),
    ]).toEqual([true, false, false, false]);
  });
});
