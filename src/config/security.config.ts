import type { HelmetOptions } from 'helmet';
import { registerAs } from '@nestjs/config';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { isIP } from 'node:net';
import { EnvReader } from './env.js';

/** Fastify's trustProxy: off, on (every hop), or the proxies' addresses/CIDRs to trust. */
export type TrustProxy = boolean | string[];

// Rate limits count per minute: the unit operators reason in for a client that polls.
const RATE_LIMIT_WINDOW_MS = 60_000;

// proxy-addr's names for address ranges (https://github.com/jshttp/proxy-addr).
const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function parseTrustProxy(env: EnvReader): TrustProxy {
  const text = env.raw('TRUST_PROXY');
  if (text === undefined) return false;
  if (/^(true|false|1|0|yes|no|on|off)$/i.test(text)) return env.bool('TRUST_PROXY', false);
  // (Fastify 5 treats a hop count as "trust nothing", so it is not offered.)
  const addresses = env.list('TRUST_PROXY');
  const invalid = addresses.find((address) => !isAddressOrRange(address));
  if (invalid === undefined) return addresses;
  env.fail('TRUST_PROXY', `must be true, false or proxy IPs/CIDRs (got "${invalid}")`);
  return false;
}

function isAddressOrRange(text: string): boolean {
  if (RANGE_NAMES.has(text)) return true;
  const [ip, prefix, extra] = text.split('/');
  return (
    isIP(ip) !== 0 && extra === undefined && (prefix === undefined || /^\d{1,3}$/.test(prefix))
  );
}

function parseCorsOrigins(env: EnvReader): string[] {
  const origins = env.list('CORS_ORIGINS');
  if (origins.includes('*')) {
    if (origins.length > 1) env.fail('CORS_ORIGINS', 'must be "*" alone or a list of origins');
    return ['*'];
  }
  for (const origin of origins) {
    // Browsers send the exact serialised origin: scheme://host[:port], no path, no slash.
    let serialised: string | undefined;
    try {
      serialised = new URL(origin).origin;
    } catch {
      serialised = undefined;
    }
    if (serialised !== origin) {
      env.fail('CORS_ORIGINS', `must list origins like https://app.example.com (got "${origin}")`);
    }
  }
  return origins;
}

export const securityConfig = registerAs('security', () => {
  const env = new EnvReader('security');
  return env.done({
    trustProxy: parseTrustProxy(env),
    rateLimit: {
      enabled: env.bool('RATE_LIMIT_ENABLED', true),
      limit: env.int('RATE_LIMIT_PER_MINUTE', { default: 600, min: 1, max: 1_000_000 }),
      windowMs: RATE_LIMIT_WINDOW_MS,
    },
    cors: {
      /** Empty: CORS off. ['*']: any origin (only when set explicitly). */
      origins: parseCorsOrigins(env),
      maxAgeSec: env.int('CORS_MAX_AGE_SEC', { default: 600, min: 0, max: 86_400 }),
    },
  });
});

export type SecurityConfig = ReturnType<typeof securityConfig>;

/**
 * TRUST_PROXY for createAdapter(), which runs before dependency injection. Invalid values are
 * reported by the slice at boot (configProblems); here they fall back to false.
 */
export function trustProxyFromEnv(): TrustProxy {
  return parseTrustProxy(new EnvReader('security'));
}

type CorsOptions = NonNullable<Parameters<NestFastifyApplication['enableCors']>[0]>;

/** @fastify/cors options for CORS_ORIGINS, or undefined when CORS is off. */
export function corsOptions(config: SecurityConfig['cors']): CorsOptions | undefined {
  if (config.origins.length === 0) return undefined;
  const allowed = new Set(config.origins);
  return {
    // A function, not the list: an origin that is not allowed then gets no CORS header at all
    // (with a list, @fastify/cors still sends Allow-Methods, Expose-Headers...).
    origin: allowed.has('*')
      ? '*'
      : (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    methods: ['GET', 'HEAD', 'OPTIONS'],
    // Last-Event-ID: fetch-based stream readers send it when they reconnect.
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id', 'Last-Event-ID'],
    exposedHeaders: ['X-Request-Id', 'Retry-After', 'Age'],
    credentials: false,
    maxAge: config.maxAgeSec,
  };
}

// Helmet's defaults, which already fit Swagger UI at /docs (scripts and stylesheets from this
// origin, inline <style>, data: images), minus upgrade-insecure-requests: it would make a
// browser fetch /docs assets over https from a server reached over plain http.
export const HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: {
    directives: { 'upgrade-insecure-requests': null, 'frame-ancestors': ["'none'"] },
  },
};
