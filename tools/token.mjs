// Dev token minting: HS256 JWTs the app server accepts when it shares JWT_SECRET.
// Usage: npm run -s token -- [subject] [--room <room>] [--expires 3600]
// (-s keeps npm's banner out of the output, e.g. TOKEN=$(npm run -s token))
import { parseArgs } from 'node:util';
import jwt from 'jsonwebtoken';
import { isEntryPoint } from './entry-point.mjs';

// Public on purpose: only for local demos; a production server refuses to boot with it.
export const DEMO_JWT_SECRET = 'proconf-demo-secret-change-me-0123456789abcdef';
// The server's default JWT_MAX_LIFETIME_S.
const DEFAULT_MAX_LIFETIME_S = 30 * 86_400;

/**
 * @typedef {object} MintTokenOptions
 * @property {string} secret HS256 shared secret
 * @property {string} [subject] `sub` claim (default 'dev-user')
 * @property {number} [expiresInSeconds] lifetime (default 3600); `exp` is always set
 * @property {string} [issuer] `iss` claim
 * @property {string | string[]} [audience] `aud` claim
 * @property {Record<string, unknown>} [claims] extra claims (sub/iat/exp/iss/aud come from options)
 */

/**
 * Mints an HS256 JWT.
 * @param {MintTokenOptions} options
 * @returns {string}
 */
export function mintToken({
  secret,
  subject = 'dev-user',
  expiresInSeconds = 3600,
  issuer,
  audience,
  claims = {},
}) {
  if (typeof secret !== 'string' || secret === '') throw new TypeError('secret is required');
  if (!Number.isFinite(expiresInSeconds) || expiresInSeconds <= 0) {
    throw new TypeError('expiresInSeconds must be a positive number');
  }
  const iat = Math.floor(Date.now() / 1000);
  // build the payload ourselves: jsonwebtoken throws when claims and options both set sub/exp
  /** @type {Record<string, unknown>} */
  const payload = { ...claims, sub: subject, iat, exp: iat + Math.floor(expiresInSeconds) };
  if (issuer !== undefined) payload.iss = issuer;
  if (audience !== undefined) payload.aud = audience;
  return jwt.sign(payload, secret, { algorithm: 'HS256' });
}

/** @param {string[]} argv */
function main(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      room: { type: 'string' },
      expires: { type: 'string', default: '3600' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.error('usage: npm run -s token -- [subject] [--room <room>] [--expires 3600]');
    return;
  }
  if (positionals.length > 1) throw new Error('at most one subject may be given');
  const expiresInSeconds = Number(values.expires);
  if (!Number.isInteger(expiresInSeconds) || expiresInSeconds <= 0) {
    throw new Error(`--expires must be a positive integer number of seconds`);
  }
  if (expiresInSeconds > DEFAULT_MAX_LIFETIME_S) {
    console.error(
      'token: the server refuses tokens that expire more than JWT_MAX_LIFETIME_S ahead (30 days unless configured)',
    );
  }
  let secret = process.env.JWT_SECRET;
  if (!secret) {
    secret = DEMO_JWT_SECRET;
    console.error('token: JWT_SECRET is not set; using the public demo secret (dev only)');
  }
  const token = mintToken({
    secret,
    subject: positionals[0] ?? 'dev-user',
    expiresInSeconds,
    issuer: process.env.JWT_ISSUER || undefined,
    audience: process.env.JWT_AUDIENCE || undefined,
    // a room-scoped guest token
    claims: values.room === undefined ? {} : { roomName: values.room },
  });
  process.stdout.write(`${token}\n`);
}

if (isEntryPoint(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    console.error(`token: ${err instanceof Error ? err.message : err}`);
    process.exitCode = 1;
  }
}
