import { describe, expect, it } from 'vitest';
import { AppException } from '../common/app.exception.js';
import type { AuthUser } from './auth.types.js';
import { assertRoomAccess } from './room-access.js';

const user = (roomName?: string): AuthUser => ({ subject: 'u', roomName, expiresAt: 0 });

describe('assertRoomAccess', () => {
  it('lets an unscoped token read any room', () => {
    expect(() => assertRoomAccess(user(), 'demo')).not.toThrow();
  });

  it('lets a scoped token read its room, compared trimmed', () => {
    expect(() => assertRoomAccess(user('demo'), 'demo')).not.toThrow();
    expect(() => assertRoomAccess(user('demo'), '  demo ')).not.toThrow();
  });

  it.each(['other', 'Demo', 'demo2', ''])(
    'refuses room "%s" to a token scoped to demo with 403',
    (room) => {
      let thrown: unknown;
      try {
        assertRoomAccess(user('demo'), room);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(AppException);
      expect((thrown as AppException).getStatus()).toBe(403);
      expect((thrown as AppException).message).toBe('Forbidden');
    },
  );
});
