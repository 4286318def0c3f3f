import { describe, expect, it } from 'vitest';
import { roomScope, userFromPayload } from './jwt.strategy.js';

describe('userFromPayload', () => {
  it('requires a numeric exp', () => {
    expect(userFromPayload({ sub: 'a' })).toBeNull();
    expect(userFromPayload({ sub: 'a', exp: '99' })).toBeNull();
    expect(userFromPayload({ sub: 'a', exp: Infinity })).toBeNull();
  });

  it('takes sub, then userId, then "anonymous" as the subject', () => {
    expect(userFromPayload({ sub: 'a', userId: 'b', exp: 9 })?.subject).toBe('a');
    expect(userFromPayload({ userId: 'b', exp: 9 })?.subject).toBe('b');
    expect(userFromPayload({ exp: 9 })?.subject).toBe('anonymous');
  });

  it('carries the trimmed room scope', () => {
    expect(userFromPayload({ sub: 'a', exp: 9, room: ' r1 ' })).toEqual({
      subject: 'a',
      roomName: 'r1',
      expiresAt: 9,
    });
  });

  it('refuses a token whose room claim is unusable', () => {
    expect(userFromPayload({ sub: 'a', exp: 9, roomName: 5 })).toBeNull();
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
