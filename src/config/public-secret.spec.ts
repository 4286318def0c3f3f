import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TEST_SECRET } from '../../test/support/test-app.js';
import { DEMO_JWT_SECRET } from '../../tools/token.mjs';
import { PUBLISHED_SECRETS, publicSecretProblem } from './public-secret.js';

describe('publicSecretProblem', () => {
  it('lists the secrets the demo and the e2e suite publish', () => {
    expect(PUBLISHED_SECRETS).toContain(DEMO_JWT_SECRET);
    expect(PUBLISHED_SECRETS).toContain(TEST_SECRET);
    for (const secret of PUBLISHED_SECRETS) {
      expect(publicSecretProblem(secret), secret).toBe(
        'is a secret published with this project (demo or tests): anyone can mint tokens with it',
      );
    }
  });

  it.each([
    'change-me-change-me-change-me-change-me',
    'CHANGE_ME_to_a_long_random_value_please',
    'replace-this-with-a-32-byte-random-string',
    'please-put-your-secret-here-0000000000',
    'your_jwt_secret_goes_here_really_really',
    'an-example-secret-for-the-documentation',
    'insecure-development-only-secret-value',
    'this-is-not-a-secret-keep-it-or-not-ok',
  ])('refuses the placeholder %s', (secret) => {
    expect(publicSecretProblem(secret)).toBe('looks like a placeholder, not a secret');
  });

  it.each([
    ['one character repeated', 'x'.repeat(40)],
    ['a short pattern repeated', 'abab12'.repeat(8)],
    ['one multi-byte character repeated', 'é'.repeat(16)],
  ])('refuses %s', (_name, secret) => {
    expect(publicSecretProblem(secret)).toBe('has fewer than 8 different characters');
  });

  it.each([
    ['an ascending run of digits', 'Kq9#v01234567zPw!mR2tY7uXc4nB8eH'],
    ['an ascending run of letters', 'Kq9#vabcdefghzPw!mR2tY7uXc4nB8eH'],
    ['a descending run', 'Kq9#v98765432zPw!mR2tY7uXc4nB8eH'],
  ])('refuses %s', (_name, secret) => {
    expect(publicSecretProblem(secret)).toBe(
      'contains a sequence such as "01234567" or "abcdefgh"',
    );
  });

  it('accepts a run of seven (too likely by chance in a random secret to refuse)', () => {
    expect(publicSecretProblem('Kq9#v0123456zPw!mR2tY7uXc4nB8eH')).toBeUndefined();
  });

  it('accepts random secrets as openssl and Node generate them', () => {
    for (let i = 0; i < 200; i++) {
      expect(publicSecretProblem(randomBytes(48).toString('base64'))).toBeUndefined();
      expect(publicSecretProblem(randomBytes(32).toString('hex'))).toBeUndefined();
      expect(publicSecretProblem(randomBytes(32).toString('base64url'))).toBeUndefined();
    }
  });
});
