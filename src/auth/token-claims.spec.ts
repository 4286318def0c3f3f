import { describe, expect, it } from 'vitest';
import type { JwtPayload } from './auth.types.js';
import {
  roomScope,
  tokenProblem,
  TokenRefusedError,
  userFromToken,
  type VerifiedToken,
} from './token-claims.js';

const NOW = 1_800_000_000;
const RULES = { maxLifetimeSec: 30 * 86_400, clockToleranceSec: 5 };
const HEADER = { alg: 'HS256', typ: 'JWT' };

function token(payload: unknown, header: VerifiedToken['header'] = HEADER): VerifiedToken {
  return { header, payload };
}

function user(payload: JwtPayload) {
  return userFromToken(token(payload), RULES, NOW);
}

function problem(payload: unknown, header?: VerifiedToken['header']) {
  return tokenProblem(token(payload, header), RULES, NOW);
}

describe('userFromToken', () => {
  it('takes sub, then userId, then "anonymous" as the subject', () => {
    expect(user({ sub: 'a', userId: 'b', exp: NOW + 9 }).subject).toBe('a');
    expect(user({ userId: 'b', exp: NOW + 9 }).subject).toBe('b');
    expect(user({ exp: NOW + 9 }).subject).toBe('anonymous');
  });

  it('carries the trimmed room scope and the expiry', () => {
    expect(user({ sub: 'a', exp: NOW + 9, room: ' r1 ' })).toEqual({
      subject: 'a',
      roomName: 'r1',
      expiresAt: NOW + 9,
    });
  });

  it('throws TokenRefusedError, with the reason for the log, for a token to refuse', () => {
    expect(() => user({ sub: 'a', exp: NOW + 9, roomName: 5 })).toThrow(
      new TokenRefusedError('the room claim is malformed'),
    );
  });
});

describe('tokenProblem', () => {
  it('accepts an ordinary token, and one at each limit', () => {
    expect(problem({ sub: 'a', iat: NOW, exp: NOW + 3600 })).toBeUndefined();
    expect(problem({ sub: 'a', exp: NOW + RULES.maxLifetimeSec + 5 })).toBeUndefined();
    expect(problem({ sub: 'a', iat: NOW + 5, exp: NOW + 60 })).toBeUndefined();
    expect(problem({ exp: NOW + 60 })).toBeUndefined();
  });

  it.each<[string, unknown, string]>([
    ['without exp', { sub: 'a' }, 'exp is missing or not a number'],
    ['with a string exp', { sub: 'a', exp: String(NOW + 9) }, 'exp is missing or not a number'],
    ['with an infinite exp', { sub: 'a', exp: Infinity }, 'exp is missing or not a number'],
    [
      'with exp beyond the maximum lifetime (and the clock tolerance)',
      { sub: 'a', exp: NOW + RULES.maxLifetimeSec + 6 },
      'exp is more than JWT_MAX_LIFETIME_S (2592000 s) ahead',
    ],
    [
      'with iat in the future beyond the clock tolerance',
      { sub: 'a', iat: NOW + 6, exp: NOW + 60 },
      'iat is in the future',
    ],
    ['with a string iat', { sub: 'a', iat: String(NOW), exp: NOW + 60 }, 'iat is not a number'],
    ['with a numeric sub', { sub: 42, exp: NOW + 60 }, 'sub is not a string'],
    ['with an object sub', { sub: { id: 'a' }, exp: NOW + 60 }, 'sub is not a string'],
    ['with a null sub', { sub: null, exp: NOW + 60 }, 'sub is not a string'],
    ['with a numeric userId and no sub', { userId: 7, exp: NOW + 60 }, 'userId is not a string'],
    ['with a malformed room claim', { exp: NOW + 60, roomName: '' }, 'the room claim is malformed'],
    ['whose payload is a string', 'hello', 'the payload is not a JSON object'],
    ['whose payload is an array', [NOW + 60], 'the payload is not a JSON object'],
  ])('refuses a token %s', (_name, payload, reason) => {
    expect(problem(payload)).toBe(reason);
  });

  it.each([[['exp']], [['b64']], [[]], ['x']])(
    'refuses a crit header (%j): no JOSE extension is implemented',
    (crit) => {
      expect(problem({ sub: 'a', exp: NOW + 60 }, { ...HEADER, crit })).toBe(
        'crit header names extensions we do not implement',
      );
    },
  );

  it('ignores a sub-less token whose userId is absent or a string', () => {
    expect(problem({ userId: 'g-1', exp: NOW + 60 })).toBeUndefined();
    expect(problem({ sub: 'a', userId: 7, exp: NOW + 60 })).toBeUndefined();
  });
});

describe('roomScope', () => {
  it.each([
    [{}, undefined],
    [{ roomName: 'r1' }, 'r1'],
    [{ room: 'r1' }, 'r1'],
    [{ roomName: ' r1', room: 'r1 ' }, 'r1'],
    [{ roomName: 'r1', room: 'r2' }, null],
    [{ roomName: 'r1', room: 7 }, null],
    [{ roomName: '' }, null],
    [{ roomName: ' ' }, null],
    [{ roomName: null }, null],
    [{ roomName: ['r1'] }, null],
    [{ room: { name: 'r1' } }, null],
    [{ roomName: true }, null],
  ])('reads %j as %s', (payload, expected) => {
    expect(roomScope(payload)).toBe(expected);
  });
});
