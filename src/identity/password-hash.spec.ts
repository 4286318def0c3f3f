import { describe, expect, it } from 'vitest';
import { scryptHash } from '../../tools/user.mjs';
import {
  costKey,
  dummyHashLike,
  parsePasswordHash,
  verifyPassword,
  type PasswordHash,
} from './password-hash.js';

// `htpasswd -nbB alice 'correct horse'` and `htpasswd -nbB -C 4 bob 's3cret pass'`.
const HTPASSWD_5 = '$2y$05$mCJ.mQc/3e75DyGOM32Eeu28zWs/wF152XyXaxeQpLj4wXvfzCis6';
const HTPASSWD_4 = '$2y$04$iMfRVOAVGlOZlDzbvL6a0ehYlffVVTqPQlaB9MAzgtTTixEs/S.xC';
const SALT = 'c2FsdHNhbHRzYWx0c2FsdA'; // 16 bytes
const HASH = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'; // 32 bytes

function parsed(text: string): PasswordHash {
  const hash = parsePasswordHash(text);
  if (typeof hash === 'string') throw new Error(hash);
  return hash;
}

describe('parsePasswordHash', () => {
  it.each([
    [HTPASSWD_5, { scheme: 'bcrypt', cost: 5 }],
    [HTPASSWD_5.replace('$2y$', '$2b$'), { scheme: 'bcrypt', cost: 5 }],
    [HTPASSWD_5.replace('$2y$', '$2a$'), { scheme: 'bcrypt', cost: 5 }],
    [`$scrypt$ln=15,r=8,p=1$${SALT}$${HASH}`, { scheme: 'scrypt', ln: 15, r: 8, p: 1 }],
    [`$scrypt$p=2,ln=14,r=8$${SALT}$${HASH}`, { scheme: 'scrypt', ln: 14, r: 8, p: 2 }],
  ])('reads %s', (text, expected) => {
    expect(parsePasswordHash(text)).toMatchObject(expected);
  });

  it.each([
    ['$2y$03$' + HTPASSWD_5.slice(7), 'bcrypt cost must be from 4 to 12'],
    ['$2y$13$' + HTPASSWD_5.slice(7), 'bcrypt cost must be from 4 to 12'],
    ['$2x$05$' + HTPASSWD_5.slice(7), 'not a well-formed bcrypt hash'],
    [HTPASSWD_5.slice(0, -1), 'not a well-formed bcrypt hash'],
    ['$apr1$salt$hash', 'unsupported hash'],
    ['{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=', 'unsupported hash'],
    ['plain-text-password', 'unsupported hash'],
    [`$scrypt$ln=15,r=8$${SALT}$${HASH}`, 'scrypt parameters must be ln=..,r=..,p=..'],
    [`$scrypt$ln=15,r=8,p=1,p=1$${SALT}$${HASH}`, 'scrypt parameters must be ln=..,r=..,p=..'],
    [`$scrypt$ln=015,r=8,p=1$${SALT}$${HASH}`, 'scrypt parameters must be ln=..,r=..,p=..'],
    [`$scrypt$N=32768,r=8,p=1$${SALT}$${HASH}`, 'scrypt parameters must be ln=..,r=..,p=..'],
    [`$scrypt$ln=21,r=1,p=1$${SALT}$${HASH}`, 'scrypt ln must be from 1 to 20'],
    [`$scrypt$ln=10,r=33,p=1$${SALT}$${HASH}`, 'scrypt r must be from 1 to 32'],
    [`$scrypt$ln=10,r=8,p=17$${SALT}$${HASH}`, 'scrypt p must be from 1 to 16'],
    // 128 x 2^18 x 8 = 256 MiB: a line like this could exhaust memory.
    [`$scrypt$ln=18,r=8,p=1$${SALT}$${HASH}`, 'scrypt needs more than 128 MiB'],
    // 2^17 x 8 x 4 = 2^22: seconds of work per attempt.
    [`$scrypt$ln=17,r=8,p=4$${SALT}$${HASH}`, 'scrypt work N x r x p is over 2^21'],
    [`$scrypt$ln=15,r=8,p=1$c2FsdA$${HASH}`, 'scrypt salt must be 8-64 bytes'],
    [`$scrypt$ln=15,r=8,p=1$${SALT}$AAAA`, 'scrypt hash must be 16-64 bytes'],
    [`$scrypt$ln=15,r=8,p=1$${SALT}=$${HASH}`, 'scrypt salt must be 8-64 bytes'],
    [`$scrypt$ln=15,r=8,p=1$${SALT}$${HASH}$`, 'not a well-formed scrypt PHC string'],
  ])('refuses %s: %s', (text, reason) => {
    const result = parsePasswordHash(text);
    expect(typeof result).toBe('string');
    expect(result).toContain(reason);
  });
});

describe('verifyPassword', () => {
  it('checks passwords against htpasswd bcrypt lines', async () => {
    expect(await verifyPassword(parsed(HTPASSWD_5), 'correct horse')).toBe(true);
    expect(await verifyPassword(parsed(HTPASSWD_5), 'correct horsE')).toBe(false);
    expect(await verifyPassword(parsed(HTPASSWD_4), 's3cret pass')).toBe(true);
  });

  it('checks passwords against the scrypt lines `npm run user -- add` writes', async () => {
    const stored = parsed(await scryptHash('pässwörd ✓', { ln: 10, r: 8, p: 1 }));
    expect(stored).toMatchObject({ scheme: 'scrypt', ln: 10, r: 8, p: 1 });
    expect(await verifyPassword(stored, 'pässwörd ✓')).toBe(true);
    expect(await verifyPassword(stored, 'passwörd ✓')).toBe(false);
  });

  it('writes the default parameters N = 2^15, r = 8, p = 1 with a 16-byte salt and 32-byte hash', async () => {
    const stored = parsed(await scryptHash('a password'));
    expect(stored).toMatchObject({ ln: 15, r: 8, p: 1 });
    expect(stored.scheme === 'scrypt' && [stored.salt.length, stored.hash.length]).toEqual([
      16, 32,
    ]);
  });
});

describe('dummyHashLike', () => {
  it('has the same cost as the hash it imitates and matches no likely password', async () => {
    for (const like of [parsed(HTPASSWD_4), parsed(`$scrypt$ln=8,r=8,p=2$${SALT}$${HASH}`)]) {
      const dummy = await dummyHashLike(like);
      expect(costKey(dummy)).toBe(costKey(like));
      expect(await verifyPassword(dummy, '')).toBe(false);
      expect(await verifyPassword(dummy, 's3cret pass')).toBe(false);
    }
  });
});
