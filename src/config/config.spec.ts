import { describe, expect, it } from 'vitest';
import { DOCUMENTED_BREAKER_DEFAULTS } from '../../test/support/config-defaults.js';
import { isolatedEnv } from '../../test/support/env.js';
import { adminConfig } from './admin.config.js';
import { appConfig } from './app.config.js';
import { authConfig } from './auth.config.js';
import { cacheConfig, readCacheConfig, type CachedOperation } from './cache.config.js';
import { DEFAULT_ROOM_NAME_PATTERN, roomsConfig } from './rooms.config.js';
import { ConfigError } from './env.js';

// Every variable the slices below read: cleared for each test so the outer environment (vitest
// sets NODE_ENV=test, for one) cannot leak in.
const setEnv = isolatedEnv();

function configError(factory: () => unknown): string {
  try {
    factory();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('adminConfig', () => {
  it.each([
    ['https://admin.example.com/api/', '/api'],
    ['https://admin.example.com/api//', '/api'],
    ['http://127.0.0.1:4010/api', '/api'],
    ['http://127.0.0.1:4010', ''],
    ['http://127.0.0.1:4010/', ''],
  ])('parses %s and derives the base path "%s" without a trailing slash', (url, basePath) => {
    setEnv({ ADMIN_BACKEND_URL: url });
    expect(adminConfig().basePath).toBe(basePath);
    expect(adminConfig().baseUrl.origin).toBe(new URL(url).origin);
  });

  it('has documented defaults', () => {
    setEnv({ ADMIN_BACKEND_URL: 'https://admin.example.com/api' });
    const config = adminConfig();
    expect(config.timeoutMs).toBe(3000);
    expect(config.apiKey).toBeUndefined();
    expect(config.apiKeyHeader).toBe('x-api-key');
    expect(config.maxConcurrency).toBe(100);
    expect(config.maxQueue).toBe(50);
    expect(config.retry).toStrictEqual({
      enabled: true,
      minBackoffMs: 25,
      maxBackoffMs: 250,
      budgetRatio: 0.2,
      budgetWindowMs: 10_000,
      minPerWindow: 5,
    });
    expect(config.breaker).toStrictEqual(DOCUMENTED_BREAKER_DEFAULTS);
  });

  it('requires ADMIN_BACKEND_URL', () => {
    setEnv({});
    expect(configError(adminConfig)).toContain('ADMIN_BACKEND_URL is required');
  });

  it('says to add http:// or https:// to a URL without a scheme', () => {
    setEnv({ ADMIN_BACKEND_URL: 'admin.example.com' });
    expect(configError(adminConfig)).toContain(
      'ADMIN_BACKEND_URL has no scheme: add http:// or https:// (got "admin.example.com")',
    );
  });

  it('refuses a scheme other than http and https', () => {
    setEnv({ ADMIN_BACKEND_URL: 'ftp://admin.example.com/api' });
    expect(configError(adminConfig)).toContain('ADMIN_BACKEND_URL must use http or https');
  });

  it('refuses credentials in the URL without echoing them', () => {
    setEnv({ ADMIN_BACKEND_URL: 'https://ops:hunter2@admin.example.com/api' });
    const message = configError(adminConfig);
    expect(message).toContain('ADMIN_BACKEND_URL must not contain credentials (use ADMIN_API_KEY)');
    expect(message).not.toContain('hunter2');
  });

  it.each(['https://admin.example.com/api?tenant=1', 'https://admin.example.com/api#x'])(
    'refuses a query string or fragment (%s)',
    (url) => {
      setEnv({ ADMIN_BACKEND_URL: url });
      expect(configError(adminConfig)).toContain(
        'ADMIN_BACKEND_URL must not contain a query string or fragment',
      );
    },
  );

  it('lower-cases a custom API key header and refuses an invalid one', () => {
    setEnv({
      ADMIN_BACKEND_URL: 'https://h/api',
      ADMIN_API_KEY: 'k-123',
      ADMIN_API_KEY_HEADER: 'X-Admin-Token',
    });
    expect(adminConfig()).toMatchObject({ apiKey: 'k-123', apiKeyHeader: 'x-admin-token' });
    setEnv({ ADMIN_BACKEND_URL: 'https://h/api', ADMIN_API_KEY_HEADER: 'x admin: token' });
    expect(configError(adminConfig)).toContain('ADMIN_API_KEY_HEADER is not a valid header name');
  });

  it('reports every bad variable of the slice at once', () => {
    setEnv({
      ADMIN_BACKEND_URL: 'ftp://h',
      ADMIN_TIMEOUT_MS: '0',
      BREAKER_ENABLED: 'sometimes',
      ADMIN_RETRY_BUDGET_RATIO: '2',
    });
    const message = configError(adminConfig);
    expect(message).toMatch(/^Invalid configuration \(admin\): /);
    for (const name of [
      'ADMIN_BACKEND_URL',
      'ADMIN_TIMEOUT_MS',
      'BREAKER_ENABLED',
      'ADMIN_RETRY_BUDGET_RATIO',
    ]) {
      expect(message).toContain(name);
    }
  });
});

describe('authConfig', () => {
  const SECRET_31 = 'x'.repeat(31);

  it('requires JWT_SECRET', () => {
    setEnv({ NODE_ENV: 'development' });
    expect(configError(authConfig)).toContain('JWT_SECRET is required');
  });

  it('refuses a secret shorter than 32 bytes in production', () => {
    setEnv({ NODE_ENV: 'production', JWT_SECRET: SECRET_31 });
    expect(configError(authConfig)).toContain('JWT_SECRET must be at least 32 bytes in production');
  });

  it('treats an unset NODE_ENV as production', () => {
    setEnv({ JWT_SECRET: SECRET_31 });
    expect(configError(authConfig)).toContain('JWT_SECRET must be at least 32 bytes');
  });

  it('accepts a short secret outside production', () => {
    setEnv({ NODE_ENV: 'development', JWT_SECRET: SECRET_31 });
    expect(authConfig()).toMatchObject({ clockToleranceSec: 5, tokenCacheSize: 10_000 });
  });

  it('measures the secret in bytes, not characters', () => {
    // 16 characters, 32 bytes in UTF-8.
    setEnv({ NODE_ENV: 'production', JWT_SECRET: 'éèêëàâäôöûüùçîïñ' });
    expect(() => authConfig()).not.toThrow();
    setEnv({ NODE_ENV: 'production', JWT_SECRET: 'éèêëàâäôöûüùçîïx' });
    expect(configError(authConfig)).toContain('JWT_SECRET must be at least 32 bytes');
  });
});

describe('roomsConfig', () => {
  it('defaults to unreserved URL characters, anchored', () => {
    setEnv({});
    const { roomNamePattern } = roomsConfig();
    expect(roomNamePattern.source).toBe(`^(?:${DEFAULT_ROOM_NAME_PATTERN})$`);
    expect(roomNamePattern.test('demo-1.a_b~c')).toBe(true);
    expect(roomNamePattern.test('demo room')).toBe(false);
  });

  it('anchors a configured pattern to the whole name', () => {
    setEnv({ ROOM_NAME_PATTERN: 'abc' });
    const { roomNamePattern } = roomsConfig();
    expect(roomNamePattern.test('abc')).toBe(true);
    expect(roomNamePattern.test('xabcx')).toBe(false);
    expect(roomNamePattern.test('abcx')).toBe(false);
    setEnv({ ROOM_NAME_PATTERN: 'a|b' });
    expect(roomsConfig().roomNamePattern.test('ab')).toBe(false);
  });

  it('refuses an invalid regular expression', () => {
    setEnv({ ROOM_NAME_PATTERN: '([a-z]+' });
    expect(configError(roomsConfig)).toContain(
      'ROOM_NAME_PATTERN is not a valid regular expression (got "([a-z]+")',
    );
  });

  // 'abc)|(xyz' wrapped as /^(?:abc)|(xyz)$/u would match "abc<anything>".
  it('refuses a pattern that is only valid once wrapped (and would escape the anchors)', () => {
    setEnv({ ROOM_NAME_PATTERN: 'abc)|(xyz' });
    expect(configError(roomsConfig)).toContain('ROOM_NAME_PATTERN');
  });
});

describe('cacheConfig', () => {
  const operations = [
    {
      name: 'status',
      cache: {
        ttl: { env: 'S_TTL', defaultMs: 1000 },
        staleIfError: { env: 'S_STALE', defaultMs: 0 },
      },
    },
    { name: 'config', cache: { ttl: { env: 'C_TTL', defaultMs: 30_000 } } },
    { name: 'token' },
  ] satisfies CachedOperation[];

  it("reads each cached operation's variables, with the declared defaults", () => {
    setEnv({ S_TTL: '250', S_STALE: '30000' });
    expect(readCacheConfig(operations)).toStrictEqual({
      maxBytes: 64 * 1024 * 1024,
      byOperation: {
        status: { ttlMs: 250, staleIfErrorMs: 30_000 },
        config: { ttlMs: 30_000, staleIfErrorMs: 0 },
      },
    });
  });

  it('names every bad variable', () => {
    setEnv({ S_TTL: '-1', C_TTL: 'soon', CACHE_MAX_BYTES: 'lots' });
    const message = configError(() => readCacheConfig(operations));
    for (const name of ['S_TTL', 'C_TTL', 'CACHE_MAX_BYTES']) expect(message).toContain(name);
  });

  it('reads the variables the server declares, e.g. STATUS_CACHE_TTL_MS', async () => {
    await import('../rooms/session-status.operation.js');
    setEnv({ STATUS_CACHE_TTL_MS: '250', STATUS_STALE_IF_ERROR_MS: '30000' });
    expect(cacheConfig().byOperation.sessionStatus).toStrictEqual({
      ttlMs: 250,
      staleIfErrorMs: 30_000,
    });
  });

  it("refuses a declared operation's bad variable, naming it", async () => {
    await import('../rooms/session-status.operation.js');
    setEnv({ STATUS_CACHE_TTL_MS: 'soon' });
    expect(configError(cacheConfig)).toBe(
      'Invalid configuration (cache): STATUS_CACHE_TTL_MS must be an integer from 0 to 3600000 ' +
        '(got "soon"). See .env.example.',
    );
  });
});

describe('appConfig', () => {
  it('defaults to production on port 3000 and refuses an unknown NODE_ENV', () => {
    setEnv({});
    expect(appConfig()).toMatchObject({ nodeEnv: 'production', isProduction: true, port: 3000 });
    setEnv({ NODE_ENV: 'staging', PORT: '70000' });
    const message = configError(appConfig);
    expect(message).toContain('NODE_ENV must be one of development, production, test');
    expect(message).toContain('PORT must be an integer from 0 to 65535 (got "70000")');
  });

  it('serves /docs unless DOCS_ENABLED is false', () => {
    setEnv({});
    expect(appConfig().docsEnabled).toBe(true);
    setEnv({ DOCS_ENABLED: 'false' });
    expect(appConfig().docsEnabled).toBe(false);
    setEnv({ DOCS_ENABLED: 'maybe' });
    expect(configError(appConfig)).toContain('DOCS_ENABLED must be true or false (got "maybe")');
  });
});
