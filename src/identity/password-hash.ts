import bcrypt from 'bcryptjs';
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** A parsed password hash of the users file. */
export type PasswordHash =
  | { scheme: 'bcrypt'; cost: number; encoded: string }
  | { scheme: 'scrypt'; ln: number; r: number; p: number; salt: Buffer; hash: Buffer };

// Bounds that keep one verification well under a second and its memory at most 128 MiB, so a
// mistaken or tampered line cannot stall the server. bcrypt runs on the main thread (pure JS):
// cost 12 is about 0.3-0.8 s of CPU per attempt; htpasswd -B writes cost 5.
export const BCRYPT_COST = { min: 4, max: 12 };
export const SCRYPT_BOUNDS = {
  ln: { min: 1, max: 20 },
  r: { min: 1, max: 32 },
  p: { min: 1, max: 16 },
  saltBytes: { min: 8, max: 64 },
  hashBytes: { min: 16, max: 64 },
  /** 128 x N x r bytes. */
  maxMemoryBytes: 128 * 1024 * 1024,
  /** N x r x p: 2^21 is ln=17,r=8,p=2 or ln=15,r=8,p=8. */
  maxWork: 2 ** 21,
};

const BCRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
const SCRYPT = /^\$scrypt\$([^$]*)\$([^$]*)\$([^$]*)$/;
const B64 = /^[A-Za-z0-9+/]+$/;

/** Standard base64 without padding, as PHC strings write it; undefined unless canonical. */
function decodeB64(text: string): Buffer | undefined {
  if (!B64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64').replace(/=+$/, '') === text ? bytes : undefined;
}

function parseScryptParams(text: string): { ln: number; r: number; p: number } | string {
  const params = new Map<string, number>();
  for (const part of text.split(',')) {
    const match = /^(ln|r|p)=([1-9]\d{0,2})$/.exec(part);
    if (match === null || params.has(match[1])) return 'scrypt parameters must be ln=..,r=..,p=..';
    params.set(match[1], Number(match[2]));
  }
  const [ln, r, p] = ['ln', 'r', 'p'].map((name) => params.get(name));
  if (ln === undefined || r === undefined || p === undefined) {
    return 'scrypt parameters must be ln=..,r=..,p=..';
  }
  for (const [name, value] of [
    ['ln', ln],
    ['r', r],
    ['p', p],
  ] as const) {
    const { min, max } = SCRYPT_BOUNDS[name];
    if (value < min || value > max) return `scrypt ${name} must be from ${min} to ${max}`;
  }
  if (128 * 2 ** ln * r > SCRYPT_BOUNDS.maxMemoryBytes) return 'scrypt needs more than 128 MiB';
  if (2 ** ln * r * p > SCRYPT_BOUNDS.maxWork) return 'scrypt work N x r x p is over 2^21';
  return { ln, r, p };
}

function inRange(bytes: Buffer | undefined, bounds: { min: number; max: number }): boolean {
  return bytes !== undefined && bytes.length >= bounds.min && bytes.length <= bounds.max;
}

/** Parses a hash of the users file: the hash, or why it cannot be used (never echoing it). */
export function parsePasswordHash(text: string): PasswordHash | string {
  const bcryptMatch = BCRYPT.exec(text);
  if (bcryptMatch !== null) {
    const cost = Number(bcryptMatch[1]);
    if (cost < BCRYPT_COST.min || cost > BCRYPT_COST.max) {
      return `bcrypt cost must be from ${BCRYPT_COST.min} to ${BCRYPT_COST.max}`;
    }
    return { scheme: 'bcrypt', cost, encoded: text };
  }
  if (text.startsWith('$2')) return 'not a well-formed bcrypt hash';
  const scryptMatch = SCRYPT.exec(text);
  if (scryptMatch === null) {
    return text.startsWith('$scrypt$')
      ? 'not a well-formed scrypt PHC string'
      : 'unsupported hash (use bcrypt, as htpasswd -B writes it, or scrypt)';
  }
  const params = parseScryptParams(scryptMatch[1]);
  if (typeof params === 'string') return params;
  const salt = decodeB64(scryptMatch[2]);
  const hash = decodeB64(scryptMatch[3]);
  if (!inRange(salt, SCRYPT_BOUNDS.saltBytes)) return 'scrypt salt must be 8-64 bytes of base64';
  if (!inRange(hash, SCRYPT_BOUNDS.hashBytes)) return 'scrypt hash must be 16-64 bytes of base64';
  return { scheme: 'scrypt', ...params, salt: salt!, hash: hash! };
}

function scryptAsync(password: string, salt: Buffer, length: number, options: ScryptOptions) {
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, length, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** Derives an scrypt key on libuv's thread pool (the event loop stays free). */
export function deriveScrypt(
  password: string,
  params: { ln: number; r: number; p: number },
  salt: Buffer,
  length: number,
): Promise<Buffer> {
  const { ln, r, p } = params;
  // Node refuses more than maxmem; the bounds above keep 128 x N x r under it.
  const options = { N: 2 ** ln, r, p, maxmem: SCRYPT_BOUNDS.maxMemoryBytes + 1024 * 1024 };
  return scryptAsync(password, salt, length, options);
}

/** Whether `password` matches; the same work whatever the outcome. */
export async function verifyPassword(stored: PasswordHash, password: string): Promise<boolean> {
  if (stored.scheme === 'bcrypt') return bcrypt.compare(password, stored.encoded);
  const derived = await deriveScrypt(password, stored, stored.salt, stored.hash.length);
  return timingSafeEqual(derived, stored.hash);
}

/** Two hashes with the same key cost the same to verify. */
export function costKey(stored: PasswordHash): string {
  return stored.scheme === 'bcrypt'
    ? `bcrypt:${stored.cost}`
    : `scrypt:${stored.ln}:${stored.r}:${stored.p}:${stored.hash.length}`;
}

/**
 * A hash of a random password with the same parameters as `like`: verifying an unknown user
 * against it costs what verifying a real one would, and never succeeds.
 */
export async function dummyHashLike(like: PasswordHash): Promise<PasswordHash> {
  const password = randomBytes(32).toString('base64url');
  if (like.scheme === 'bcrypt') {
    const encoded = await bcrypt.hash(password, await bcrypt.genSalt(like.cost));
    return { scheme: 'bcrypt', cost: like.cost, encoded };
  }
  const salt = randomBytes(like.salt.length);
  const hash = await deriveScrypt(password, like, salt, like.hash.length);
  return { ...like, salt, hash };
}
